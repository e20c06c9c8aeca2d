//! `nn.BatchNorm1d(num_features, eps=1e-05, momentum=0.1)`: batch normalisation of `[N, C]`
//! (features) or `[N, C, L]` (sequences), statistics per channel over `N` (or `N·L`) values.
//!
//! The same parameters, buffers, state_dict names and formulas as [`BatchNorm2d`] (which it
//! wraps: `[N, C]` is run as `[N, C, 1, 1]`, `[N, C, L]` as `[N, C, L, 1]`).
//!
//! ```
//! use nnbook::nn::{BatchNorm1d, Module};
//! use nnbook::Tensor;
//! let mut bn = BatchNorm1d::new(3);
//! let y = bn.forward(&Tensor::arange(&[4, 3]).unwrap()).unwrap();
//! assert_eq!(y.shape(), &[4, 3]);
//! assert_eq!(
//!     bn.repr(0),
//!     "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
//! );
//! ```

use crate::error::{Error, Result};
use crate::nn::{BatchNorm2d, Module, Param};
use crate::tensor::Tensor;

/// Batch normalisation over channels. `x`: `[N, C]` or `[N, C, L]` → `y`: same shape.
#[derive(Clone, Debug)]
pub struct BatchNorm1d {
    /// The state (`weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`,
    /// `eps`, `momentum`, `training`), shared with `BatchNorm2d`.
    pub norm: BatchNorm2d,
}

impl BatchNorm1d {
    /// `nn.BatchNorm1d(num_features)`: eps 1e-5, momentum 0.1, training mode.
    pub fn new(num_features: usize) -> BatchNorm1d {
        BatchNorm1d {
            norm: BatchNorm2d::new(num_features),
        }
    }

    /// Sets `eps` (builder).
    pub fn with_eps(self, eps: f32) -> Self {
        BatchNorm1d {
            norm: self.norm.with_eps(eps),
        }
    }

    /// Sets `momentum` (builder).
    pub fn with_momentum(self, momentum: f32) -> Self {
        BatchNorm1d {
            norm: self.norm.with_momentum(momentum),
        }
    }

    /// `x`'s shape as the `[N, C, L, 1]` BatchNorm2d runs on, after PyTorch's checks.
    fn as_4d(&self, input: &[usize]) -> Result<[usize; 4]> {
        let s4 = match *input {
            [n, c] => [n, c, 1, 1],
            [n, c, l] => [n, c, l, 1],
            _ => {
                return Err(Error::value(
                    "batch_norm",
                    format!("expected 2D or 3D input (got {}D input)", input.len()),
                ))
            }
        };
        if self.norm.training && s4[0] * s4[2] == 1 {
            return Err(Error::value(
                "batch_norm",
                format!(
                    "Expected more than 1 value per channel when training, got input size torch.Size([{}])",
                    input.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        Ok(s4)
    }
}

/// `t` with a new shape of the same size.
fn with_shape(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    Tensor::from_vec(shape, t.data().to_vec())
}

impl Module for BatchNorm1d {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let s4 = self.as_4d(x.shape())?;
        let y = self.norm.forward(&with_shape(x, &s4)?)?;
        with_shape(&y, x.shape())
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let s = grad_y.shape().to_vec();
        let s4 = match *s.as_slice() {
            [n, c] => [n, c, 1, 1],
            [n, c, l] => [n, c, l, 1],
            _ => {
                return Err(Error::ShapeMismatch {
                    op: "batch_norm_backward",
                    lhs: vec![],
                    rhs: s,
                })
            }
        };
        let dx = self.norm.backward(&with_shape(grad_y, &s4)?)?;
        with_shape(&dx, &s)
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        self.norm.named_parameters()
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        self.norm.named_parameters_mut()
    }

    fn named_buffers(&self) -> Vec<(String, &Tensor)> {
        self.norm.named_buffers()
    }

    fn named_buffers_mut(&mut self) -> Vec<(String, &mut Tensor)> {
        self.norm.named_buffers_mut()
    }

    fn set_training(&mut self, training: bool) {
        self.norm.set_training(training);
    }

    fn repr(&self, indent: usize) -> String {
        self.norm
            .repr(indent)
            .replacen("BatchNorm2d", "BatchNorm1d", 1)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let s4 = self.as_4d(input)?;
        self.norm.output_shape(&s4)?;
        Ok(input.to_vec())
    }
}
