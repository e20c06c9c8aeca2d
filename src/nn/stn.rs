//! [`SpatialTransformer`]: a spatial transformer network layer (Jaderberg et al. 2015), laid
//! out as in PyTorch's STN tutorial.
//!
//! ```text
//! x: [N, C, H, W]
//! xs    = localization(x)                      any shape [N, ...]
//! theta = fc_loc(xs.flatten(1)).view(-1, 2, 3) [N, 2, 3]
//! grid  = F.affine_grid(theta, x.size())       [N, H, W, 2]
//! y     = F.grid_sample(x, grid)               [N, C, H, W]
//! ```
//! Backward: `y` depends on `x` twice — directly through the sampling and through `theta` —
//! so `dx = dx_sample + localization.backward(fc_loc.backward(affine_grid_backward(dgrid)))`.
//!
//! In the tutorial, `fc_loc`'s last `Linear` starts with weight 0 and bias `[1, 0, 0, 0, 1, 0]`,
//! the identity transform, so an untrained STN passes its input through unchanged.

use crate::error::{Error, Result};
use crate::nn::{Module, Param};
use crate::ops::affine_grid::{affine_grid_backward, affine_grid_forward};
use crate::ops::grid_sample::{grid_sample_backward, grid_sample_forward, GridSampleOptions};
use crate::tensor::Tensor;

const OP: &str = "SpatialTransformer";

/// What the forward pass keeps for the backward pass.
#[derive(Debug)]
struct Cache {
    x: Tensor,
    grid: Tensor,
    /// Shape of `localization`'s output (before flattening).
    loc_shape: Vec<usize>,
    /// Shape of `fc_loc`'s output (before `.view(-1, 2, 3)`).
    fc_shape: Vec<usize>,
}

/// A spatial transformer: a localisation network predicts an affine `theta` per image, and the
/// image is resampled on `affine_grid(theta)`.
///
/// Parameters are named `localization.*` and `fc_loc.*` (PyTorch's state_dict names for the
/// tutorial's attributes). Input and output are `[N, C, H, W]`.
#[derive(Debug)]
pub struct SpatialTransformer {
    /// Feature extractor: `[N, C, H, W] -> [N, ...]` (flattened to `[N, F]` afterwards).
    pub localization: Box<dyn Module>,
    /// Regressor: `[N, F] -> [N, 6]`, read as `theta: [N, 2, 3]`.
    pub fc_loc: Box<dyn Module>,
    /// `grid_sample`'s options; `align_corners` is also passed to `affine_grid`.
    pub options: GridSampleOptions,
    cache: Option<Cache>,
    theta: Option<Tensor>,
}

impl SpatialTransformer {
    /// A transformer with PyTorch's defaults (bilinear, zeros, `align_corners=False`, as the
    /// tutorial's `F.affine_grid(theta, x.size())` / `F.grid_sample(x, grid)`).
    pub fn new(localization: Box<dyn Module>, fc_loc: Box<dyn Module>) -> Self {
        SpatialTransformer {
            localization,
            fc_loc,
            options: GridSampleOptions::default(),
            cache: None,
            theta: None,
        }
    }

    /// Builder: the same transformer with other sampling options.
    pub fn with_options(mut self, options: GridSampleOptions) -> Self {
        self.options = options;
        self
    }

    /// `theta: [N, 2, 3]` of the last forward pass (`None` before the first).
    pub fn last_theta(&self) -> Option<&Tensor> {
        self.theta.as_ref()
    }

    /// The sampling grid `[N, H, W, 2]` of the last forward pass (`None` before the first).
    pub fn last_grid(&self) -> Option<&Tensor> {
        self.cache.as_ref().map(|c| &c.grid)
    }

    /// `xs.flatten(1)`'s shape for a localisation output of shape `s`.
    fn flat_shape(s: &[usize]) -> Result<[usize; 2]> {
        if s.len() < 2 {
            // torch.flatten(xs, 1) on a 0-d or 1-d tensor.
            return Err(Error::DimOutOfRange {
                op: "flatten",
                dim: 1,
                ndim: s.len(),
            });
        }
        Ok([s[0], s[1..].iter().product()])
    }

    /// The `theta` shape `.view(-1, 2, 3)` gives for an `fc_loc` output of shape `s`.
    fn theta_shape(s: &[usize]) -> Result<[usize; 3]> {
        let numel: usize = s.iter().product();
        if !numel.is_multiple_of(6) {
            return Err(Error::InvalidShapeForSize {
                op: "view",
                shape: vec![-1, 2, 3],
                numel,
            });
        }
        Ok([numel / 6, 2, 3])
    }

    /// `x.size()` as `affine_grid`'s 2-D size, with `affine_grid`'s size checks (which print
    /// a `torch.Size` here, as the tutorial passes `x.size()`).
    fn size4(s: &[usize], align_corners: bool) -> Result<[usize; 4]> {
        match *s {
            [n, c, h, w] => {
                if !(align_corners && h.min(w) == 1) && s.contains(&0) {
                    return Err(Error::value(
                        "affine_grid",
                        format!(
                            "Expected non-zero, positive output size. Got torch.Size({})",
                            crate::error::fmt_shape(s)
                        ),
                    ));
                }
                Ok([n, c, h, w])
            }
            _ => Err(Error::runtime(
                "affine_grid",
                format!(
                    "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size torch.Size({}).",
                    crate::error::fmt_shape(s)
                ),
            )),
        }
    }
}

/// The same storage under another shape (element counts are checked by the callers).
fn with_shape(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    Tensor::from_vec(shape, t.data().to_vec())
}

impl Module for SpatialTransformer {
    /// `y: [N, C, H, W]` resampled from `x: [N, C, H, W]`.
    ///
    /// # Errors
    /// The children's errors; `view`'s `shape '[-1, 2, 3]' is invalid for input of size K`
    /// when `fc_loc` does not give 6 numbers per image; `affine_grid`'s and `grid_sample`'s
    /// errors (e.g. a batch-size mismatch between `theta` and `x`). `affine_grid`'s
    /// `NotImplementedError` for a non-4-D `x` is reported as a `RuntimeError` (its base class).
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let xs = self.localization.forward(x)?;
        let loc_shape = xs.shape().to_vec();
        let flat = with_shape(&xs, &Self::flat_shape(&loc_shape)?)?;
        let out = self.fc_loc.forward(&flat)?;
        let fc_shape = out.shape().to_vec();
        let theta = with_shape(&out, &Self::theta_shape(&fc_shape)?)?;
        let size = Self::size4(x.shape(), self.options.align_corners)?;
        let grid = affine_grid_forward(&theta, size, self.options.align_corners)?;
        let y = grid_sample_forward(x, &grid, self.options)?;
        self.theta = Some(theta);
        self.cache = Some(Cache {
            x: x.clone(),
            grid,
            loc_shape,
            fc_shape,
        });
        Ok(y)
    }

    /// `dx: [N, C, H, W]` for `grad_y: [N, C, H, W]`; adds the children's parameter gradients.
    ///
    /// # Errors
    /// Before any forward; for a `grad_y` of the wrong shape; the children's errors.
    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let cache = self.cache.as_ref().ok_or_else(|| {
            Error::runtime(OP, "SpatialTransformer.backward() called before forward()")
        })?;
        let (dx_sample, dgrid) = grid_sample_backward(&cache.x, &cache.grid, grad_y, self.options)?;
        let size = Self::size4(cache.x.shape(), self.options.align_corners)?;
        let dtheta = affine_grid_backward(&dgrid, size, self.options.align_corners)?;
        let (loc_shape, fc_shape) = (cache.loc_shape.clone(), cache.fc_shape.clone());
        let dflat = self.fc_loc.backward(&with_shape(&dtheta, &fc_shape)?)?;
        let dxs = self
            .localization
            .backward(&with_shape(&dflat, &loc_shape)?)?;
        dxs.expect_shape(OP, dx_sample.shape())?;
        let mut dx = dx_sample;
        dx.data_mut()
            .iter_mut()
            .zip(dxs.data())
            .for_each(|(a, &b)| *a += b);
        Ok(dx)
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        let loc = self.localization.named_parameters().into_iter();
        let fc = self.fc_loc.named_parameters().into_iter();
        loc.map(|(n, p)| (format!("localization.{n}"), p))
            .chain(fc.map(|(n, p)| (format!("fc_loc.{n}"), p)))
            .collect()
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        let loc = self.localization.named_parameters_mut().into_iter();
        let fc = self.fc_loc.named_parameters_mut().into_iter();
        loc.map(|(n, p)| (format!("localization.{n}"), p))
            .chain(fc.map(|(n, p)| (format!("fc_loc.{n}"), p)))
            .collect()
    }

    fn named_buffers(&self) -> Vec<(String, &Tensor)> {
        let loc = self.localization.named_buffers().into_iter();
        let fc = self.fc_loc.named_buffers().into_iter();
        loc.map(|(n, b)| (format!("localization.{n}"), b))
            .chain(fc.map(|(n, b)| (format!("fc_loc.{n}"), b)))
            .collect()
    }

    fn named_buffers_mut(&mut self) -> Vec<(String, &mut Tensor)> {
        let loc = self.localization.named_buffers_mut().into_iter();
        let fc = self.fc_loc.named_buffers_mut().into_iter();
        loc.map(|(n, b)| (format!("localization.{n}"), b))
            .chain(fc.map(|(n, b)| (format!("fc_loc.{n}"), b)))
            .collect()
    }

    fn set_training(&mut self, training: bool) {
        self.localization.set_training(training);
        self.fc_loc.set_training(training);
    }

    /// `SpatialTransformer(\n  (localization): ...\n  (fc_loc): ...\n)`, as PyTorch prints a
    /// module with those two children.
    fn repr(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent + 1);
        format!(
            "SpatialTransformer(\n{pad}(localization): {}\n{pad}(fc_loc): {}\n{})",
            self.localization.repr(indent + 1),
            self.fc_loc.repr(indent + 1),
            "  ".repeat(indent)
        )
    }

    /// The input shape, after checking the whole chain fits (`[N, C, H, W]` in and out).
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let loc = self.localization.output_shape(input)?;
        let fc = self.fc_loc.output_shape(&Self::flat_shape(&loc)?)?;
        let [m, _, _] = Self::theta_shape(&fc)?;
        let [n, ..] = Self::size4(input, self.options.align_corners)?;
        if m != n {
            return Err(Error::runtime(
                "affine_grid",
                format!(
                    "Expected size for first two dimensions of batch2 tensor to be: [{n}, 3] but got: [{m}, 3]."
                ),
            ));
        }
        Ok(input.to_vec())
    }

    /// The children's multiply-adds plus about 10 per output element for sampling.
    fn mult_adds(&self, input: &[usize]) -> u64 {
        let loc = self.localization.mult_adds(input);
        let fc = self
            .localization
            .output_shape(input)
            .and_then(|s| Self::flat_shape(&s))
            .map_or(0, |f| self.fc_loc.mult_adds(&f));
        let sample = input.iter().map(|&d| d as u64).product::<u64>() * 10;
        loc + fc + sample
    }
}
