//! The networks of PyTorch's spatial-transformer tutorial, for MNIST digits `[N, 1, 28, 28]`.
//!
//! ```text
//! classifier: Conv2d(1, 10, 5) → MaxPool2d(2) → ReLU → Conv2d(10, 20, 5) → MaxPool2d(2) → ReLU
//!             → Flatten → Linear(320, 50) → ReLU → Linear(50, 10)          [N, 10] logits
//! stn:        localization = Conv2d(1, 8, 7) → MaxPool2d(2) → ReLU → Conv2d(8, 10, 5)
//!                            → MaxPool2d(2) → ReLU                          [N, 10, 3, 3]
//!             fc_loc       = Linear(90, 32) → ReLU → Linear(32, 6)          theta [N, 2, 3]
//! ```
//! The tutorial's dropout layers are left out: the lesson trains for a few hundred steps, where
//! they only slow learning down. `fc_loc`'s last layer starts at the identity transform (weight
//! 0, bias `[1, 0, 0, 0, 1, 0]`), as in the tutorial. Optimiser: Adam (lr 1e-3) instead of the
//! tutorial's SGD, so one pass over 10,000 digits is enough to see the effect.

use super::affine::Distortion;
use crate::error::{Error, Result};
use crate::nn::stn::SpatialTransformer;
use crate::nn::{Conv2d, Flatten, Linear, MaxPool2d, Module, Param, ReLU, Sequential};
use crate::ops::{cross_entropy_backward, cross_entropy_forward, softmax_forward, Reduction};
use crate::optim::AdamConfig;
use crate::rng::Rng;
use crate::tensor::Tensor;
use crate::train::{argmax, Optimizer};

fn conv(cin: usize, cout: usize, k: usize) -> Box<dyn Module> {
    Box::new(Conv2d::new(cin, cout, [k, k], [1, 1], [0, 0], true))
}

fn pool_relu() -> [Box<dyn Module>; 2] {
    [Box::new(MaxPool2d::from_kernel(2)), Box::new(ReLU::new())]
}

/// The tutorial's classifier: `[N, 1, 28, 28]` → logits `[N, 10]` (draws from the global
/// generator: conv1, conv2, fc1, fc2).
pub fn mnist_classifier() -> Sequential {
    let (c1, c2) = (conv(1, 10, 5), conv(10, 20, 5));
    let (f1, f2) = (Linear::new(320, 50, true), Linear::new(50, 10, true));
    let mut layers = vec![c1];
    layers.extend(pool_relu());
    layers.push(c2);
    layers.extend(pool_relu());
    layers.push(Box::new(Flatten::new(1, -1)));
    layers.push(Box::new(f1));
    layers.push(Box::new(ReLU::new()));
    layers.push(Box::new(f2));
    Sequential::new(layers)
}

/// The tutorial's spatial transformer for 28×28 digits, starting at the identity.
pub fn mnist_stn() -> SpatialTransformer {
    let mut loc = vec![conv(1, 8, 7)];
    loc.extend(pool_relu());
    loc.push(conv(8, 10, 5));
    loc.extend(pool_relu());
    let mut last = Linear::new(32, 6, true);
    last.weight = Param::new(Tensor::zeros(&[6, 32]).expect("small"));
    last.bias = Some(Param::new(
        Tensor::from_vec(&[6], vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]).expect("6 values"),
    ));
    let fc_loc: Vec<Box<dyn Module>> = vec![
        Box::new(Linear::new(90, 32, true)),
        Box::new(ReLU::new()),
        Box::new(last),
    ];
    SpatialTransformer::new(
        Box::new(Sequential::new(loc)),
        Box::new(Sequential::new(fc_loc)),
    )
}

/// `stn` (optional) followed by `classifier`: `[N, 1, 28, 28]` → logits `[N, 10]`.
#[derive(Debug)]
pub struct DigitNet {
    pub stn: Option<SpatialTransformer>,
    pub classifier: Sequential,
}

impl Module for DigitNet {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        match self.stn.as_mut() {
            Some(stn) => {
                let y = stn.forward(x)?;
                self.classifier.forward(&y)
            }
            None => self.classifier.forward(x),
        }
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let g = self.classifier.backward(grad_y)?;
        match self.stn.as_mut() {
            Some(stn) => stn.backward(&g),
            None => Ok(g),
        }
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        let stn = self.stn.iter().flat_map(|s| s.named_parameters());
        stn.map(|(n, p)| (format!("stn.{n}"), p))
            .chain(
                self.classifier
                    .named_parameters()
                    .into_iter()
                    .map(|(n, p)| (format!("classifier.{n}"), p)),
            )
            .collect()
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        let stn = self.stn.iter_mut().flat_map(|s| s.named_parameters_mut());
        stn.map(|(n, p)| (format!("stn.{n}"), p))
            .chain(
                self.classifier
                    .named_parameters_mut()
                    .into_iter()
                    .map(|(n, p)| (format!("classifier.{n}"), p)),
            )
            .collect()
    }

    fn set_training(&mut self, training: bool) {
        if let Some(s) = self.stn.as_mut() {
            s.set_training(training);
        }
        self.classifier.set_training(training);
    }

    fn repr(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent + 1);
        let stn = self
            .stn
            .as_ref()
            .map(|s| format!("{pad}(stn): {}\n", s.repr(indent + 1)))
            .unwrap_or_default();
        format!(
            "DigitNet(\n{stn}{pad}(classifier): {}\n{})",
            self.classifier.repr(indent + 1),
            "  ".repeat(indent)
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let mid = match self.stn.as_ref() {
            Some(s) => s.output_shape(input)?,
            None => input.to_vec(),
        };
        self.classifier.output_shape(&mid)
    }
}

/// A [`DigitNet`] with its optimiser and the generator of its training distortions.
#[derive(Debug)]
pub struct DigitTrainer {
    pub net: DigitNet,
    optimizer: Optimizer,
    rng: Rng,
    /// Applied to each training batch when `train_step` is asked to distort.
    pub distortion: Distortion,
    /// Steps taken so far.
    pub steps: u64,
}

impl DigitTrainer {
    /// A fresh network (`with_stn`: the STN in front of the classifier) seeded like
    /// `torch.manual_seed(seed)` (this reseeds nnbook's global generator), Adam lr `lr`.
    ///
    /// # Errors
    /// Adam's `ValueError` for a bad `lr`.
    pub fn new(with_stn: bool, seed: u64, lr: f64) -> Result<DigitTrainer> {
        crate::rng::manual_seed(seed);
        let classifier = mnist_classifier();
        let stn = with_stn.then(mnist_stn);
        let optimizer = Optimizer::adam(AdamConfig {
            lr,
            ..AdamConfig::default()
        })?;
        Ok(DigitTrainer {
            net: DigitNet { stn, classifier },
            optimizer,
            rng: Rng::new(seed.wrapping_add(1)),
            distortion: Distortion::default(),
            steps: 0,
        })
    }

    /// The images the network trains on: `x` itself, or `x` randomly distorted.
    ///
    /// # Errors
    /// [`Distortion::apply`]'s errors.
    pub fn training_input(&mut self, x: &Tensor, distort: bool) -> Result<Tensor> {
        if distort {
            self.distortion.apply(x, &mut self.rng)
        } else {
            Ok(x.clone())
        }
    }

    /// One optimiser step on `x: [N, 1, 28, 28]` (distorted first if `distort`) with `labels`
    /// `[N]`; returns the mean cross-entropy before the step.
    ///
    /// # Errors
    /// Shape errors; a `RuntimeError` when the loss is not finite.
    pub fn train_step(&mut self, x: &Tensor, labels: &[i64], distort: bool) -> Result<f32> {
        let x = self.training_input(x, distort)?;
        self.net.set_training(true);
        self.net.zero_grad();
        let logits = self.net.forward(&x)?;
        let loss = cross_entropy_forward(&logits, labels, Reduction::Mean, None)?.item()?;
        if !loss.is_finite() {
            return Err(Error::runtime(
                "train_step",
                format!("the loss is {loss}: training diverged"),
            ));
        }
        let g =
            cross_entropy_backward(&logits, labels, Reduction::Mean, None, &Tensor::scalar(1.0))?;
        self.net.backward(&g)?;
        self.optimizer.step(&mut self.net)?;
        self.steps += 1;
        Ok(loss)
    }

    /// Class probabilities `[N, 10]` (softmax of the logits) in eval mode.
    ///
    /// # Errors
    /// Shape errors.
    pub fn probabilities(&mut self, x: &Tensor) -> Result<Tensor> {
        self.net.set_training(false);
        let logits = self.net.forward(x)?;
        softmax_forward(&logits, 1)
    }

    /// How many of `x`'s images are classified as `labels`.
    ///
    /// # Errors
    /// Shape errors.
    pub fn correct(&mut self, x: &Tensor, labels: &[i64]) -> Result<usize> {
        let p = self.probabilities(x)?;
        Ok(p.data()
            .chunks(10)
            .zip(labels)
            .filter(|(row, &l)| argmax(row) == l as usize)
            .count())
    }

    /// `(stn(x), theta)` — the transformed images `[N, 1, 28, 28]` and `theta` `[N, 2, 3]` —
    /// or `None` without an STN.
    ///
    /// # Errors
    /// Shape errors.
    pub fn transformed(&mut self, x: &Tensor) -> Result<Option<(Tensor, Tensor)>> {
        let Some(stn) = self.net.stn.as_mut() else {
            return Ok(None);
        };
        stn.set_training(false);
        let y = stn.forward(x)?;
        let theta = stn
            .last_theta()
            .cloned()
            .ok_or_else(|| Error::runtime("SpatialTransformer", "no theta after forward"))?;
        Ok(Some((y, theta)))
    }
}

/// `steps` optimiser steps of `trainer` on batches of `batch_size` from `ds` in `order`
/// (`distort`: randomly distorted first); returns the mean loss of these steps. The lesson's
/// live training (the worker) and `nnbook data`'s pre-training both take their steps here.
///
/// # Errors
/// [`batch`]'s and [`DigitTrainer::train_step`]'s errors.
pub fn train_steps(
    trainer: &mut DigitTrainer,
    order: &mut BatchOrder,
    ds: &crate::data::Dataset,
    steps: usize,
    batch_size: usize,
    distort: bool,
) -> Result<f32> {
    let mut total = 0.0f64;
    for _ in 0..steps {
        let idx = order.next_batch(batch_size);
        let (x, labels) = batch(ds, &idx)?;
        total += trainer.train_step(&x, &labels, distort)? as f64;
    }
    Ok((total / steps.max(1) as f64) as f32)
}

/// `(x, labels)` for the images `indices` of `ds`: `x: [B, C, H, W]` in `0..1`, labels `[B]`.
///
/// # Errors
/// An index past the end of `ds`.
pub fn batch(ds: &crate::data::Dataset, indices: &[usize]) -> Result<(Tensor, Vec<i64>)> {
    let [c, h, w] = ds.dims();
    let mut x = Vec::with_capacity(indices.len() * c * h * w);
    let mut labels = Vec::with_capacity(indices.len());
    for &i in indices {
        let img = ds.get_image(i).ok_or_else(|| {
            Error::msg(
                "batch",
                crate::PyKind::IndexError,
                format!(
                    "index {i} is out of bounds for a dataset of {} images",
                    ds.len()
                ),
            )
        })?;
        x.extend(img.iter().map(|&p| p as f32 / 255.0));
        labels.push(ds.labels[i] as i64);
    }
    Ok((Tensor::from_vec(&[indices.len(), c, h, w], x)?, labels))
}

/// A per-epoch shuffled walk over `0..len` in batches (the next batch's indices each call).
#[derive(Clone, Debug)]
pub struct BatchOrder {
    order: Vec<usize>,
    cursor: usize,
    rng: Rng,
    /// Completed passes over the data.
    pub epoch: u64,
}

impl BatchOrder {
    /// A walk over `len` items seeded with `seed`.
    pub fn new(len: usize, seed: u64) -> BatchOrder {
        let mut rng = Rng::new(seed);
        let mut order: Vec<usize> = (0..len).collect();
        rng.shuffle(&mut order);
        BatchOrder {
            order,
            cursor: 0,
            rng,
            epoch: 0,
        }
    }

    /// The next `size` indices (fewer at the end of an epoch, then a new shuffle).
    pub fn next_batch(&mut self, size: usize) -> Vec<usize> {
        if self.cursor >= self.order.len() {
            self.rng.shuffle(&mut self.order);
            self.cursor = 0;
            self.epoch += 1;
        }
        let end = (self.cursor + size.max(1)).min(self.order.len());
        let out = self.order[self.cursor..end].to_vec();
        self.cursor = end;
        out
    }
}
