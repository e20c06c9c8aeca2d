//! The graph view's model: a [`Sequential`] built from a layer spec, run on one image with
//! every layer's output kept (the feature maps), and its conv filters.

use crate::data::Normalize;
use crate::error::{Error, Result};
use crate::nn::spec::{build_sequential, LayerSpec};
use crate::nn::{Module, Sequential};
use crate::tensor::Tensor;

/// A model to inspect and the activations of its last [`Inspector::run`].
#[derive(Debug)]
pub struct Inspector {
    pub specs: Vec<LayerSpec>,
    pub net: Sequential,
    /// Applied to the image before the first layer (as the trainer's `normalize` option).
    pub normalize: Option<Normalize>,
    /// Output of each layer for the last image, batch of 1 (`[1, C, H, W]`, `[1, F]`, …).
    pub activations: Vec<Tensor>,
}

impl Inspector {
    /// Builds the model from `specs` (parameters from the global generator).
    ///
    /// # Errors
    /// Those of [`build_sequential`].
    pub fn new(specs: Vec<LayerSpec>) -> Result<Inspector> {
        let mut net = build_sequential(&specs)?;
        net.set_training(false);
        Ok(Inspector {
            specs,
            net,
            normalize: None,
            activations: Vec::new(),
        })
    }

    /// Runs the model in eval mode on one image `[C, H, W]` (values in `0..1`, CHW planar),
    /// keeping every layer's output.
    ///
    /// # Errors
    /// The first layer's PyTorch error (as [`Error::InLayer`]) when the image does not fit.
    pub fn run(&mut self, image: &[f32], chw: [usize; 3]) -> Result<()> {
        let mut x = image.to_vec();
        if x.len() != chw.iter().product::<usize>() {
            return Err(Error::value(
                "inspect",
                format!("expected an image of shape {chw:?}, got {} values", x.len()),
            ));
        }
        if let Some(n) = &self.normalize {
            n.apply(&mut x, chw[1] * chw[2]);
        }
        let mut y = Tensor::from_vec(&[1, chw[0], chw[1], chw[2]], x)?;
        self.activations.clear();
        self.net.set_training(false);
        for (index, layer) in self.net.layers_mut().iter_mut().enumerate() {
            y = layer.forward(&y).map_err(|e| Error::InLayer {
                index,
                layer: layer.repr(0),
                source: Box::new(e),
            })?;
            self.activations.push(y.clone());
        }
        Ok(())
    }

    /// Output of layer `index` for the last image.
    ///
    /// # Errors
    /// `IndexError` when there is no such layer or [`Inspector::run`] was not called.
    pub fn activation(&self, index: usize) -> Result<&Tensor> {
        self.activations.get(index).ok_or_else(|| {
            Error::msg(
                "inspect",
                crate::PyKind::IndexError,
                format!(
                    "no activation for layer {index} (the model has {} layers; run an image first)",
                    self.net.len()
                ),
            )
        })
    }

    /// The weight `[O, C, kh, kw]` of layer `index` if it is a `Conv2d`.
    ///
    /// # Errors
    /// `ValueError` when layer `index` is not a `Conv2d`.
    pub fn conv_weight(&self, index: usize) -> Result<&Tensor> {
        match self.specs.get(index) {
            Some(LayerSpec::Conv2d { .. }) => {}
            _ => {
                return Err(Error::value(
                    "inspect",
                    format!("layer {index} is not a Conv2d, so it has no filters to show"),
                ))
            }
        }
        let weight = self.net.layers()[index]
            .named_parameters()
            .into_iter()
            .next();
        weight
            .map(|(_, p)| &p.value)
            .ok_or_else(|| Error::value("inspect", format!("layer {index} has no weight")))
    }
}
