//! `nn.BatchNorm2d(num_features, eps=1e-05, momentum=0.1)` (affine, tracking running stats).
//!
//! Parameters: `weight` (γ, ones) and `bias` (β, zeros), `[C]`. Buffers (state_dict names):
//! `running_mean` (zeros), `running_var` (ones), `num_batches_tracked` (a 0-d count, stored
//! as f32 here; int64 in PyTorch). Training normalises with batch statistics and updates the
//! running ones; eval uses the running ones.
//!
//! ```
//! use nnbook::nn::{BatchNorm2d, Module};
//! let bn = BatchNorm2d::new(32);
//! assert_eq!(
//!     bn.repr(0),
//!     "BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
//! );
//! ```

use crate::error::Result;
use crate::nn::dropout::py_float_repr;
use crate::nn::linear::{accumulate, no_forward};
use crate::nn::{Module, Param};
use crate::ops::batch_norm::{batch_norm2d_backward, batch_norm2d_forward, BatchNormCache};
use crate::tensor::Tensor;

/// Batch normalisation over channels. `x`: `[N, C, H, W]` → `y`: same shape.
#[derive(Clone, Debug)]
pub struct BatchNorm2d {
    pub num_features: usize,
    pub eps: f32,
    pub momentum: f32,
    pub training: bool,
    /// γ, `[C]`.
    pub weight: Param,
    /// β, `[C]`.
    pub bias: Param,
    /// `[C]`.
    pub running_mean: Tensor,
    /// `[C]`.
    pub running_var: Tensor,
    /// `[]`, incremented by each training forward.
    pub num_batches_tracked: Tensor,
    cache: Option<BatchNormCache>,
}

impl BatchNorm2d {
    /// `nn.BatchNorm2d(num_features)`: eps 1e-5, momentum 0.1, training mode.
    pub fn new(num_features: usize) -> BatchNorm2d {
        let c = [num_features];
        let full = |v| Tensor::full(&c, v).expect("a [C] vector fits the size guard");
        BatchNorm2d {
            num_features,
            eps: 1e-5,
            momentum: 0.1,
            training: true,
            weight: Param::new(full(1.0)),
            bias: Param::new(full(0.0)),
            running_mean: full(0.0),
            running_var: full(1.0),
            num_batches_tracked: Tensor::scalar(0.0),
            cache: None,
        }
    }

    /// Sets `eps` (builder).
    pub fn with_eps(self, eps: f32) -> Self {
        BatchNorm2d { eps, ..self }
    }

    /// Sets `momentum` (builder).
    pub fn with_momentum(self, momentum: f32) -> Self {
        BatchNorm2d { momentum, ..self }
    }
}

impl Module for BatchNorm2d {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let (y, cache) = batch_norm2d_forward(
            x,
            &self.weight.value,
            &self.bias.value,
            &mut self.running_mean,
            &mut self.running_var,
            self.training,
            self.momentum,
            self.eps,
        )?;
        if self.training {
            self.num_batches_tracked.data_mut()[0] += 1.0;
        }
        self.cache = Some(cache);
        Ok(y)
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let cache = self
            .cache
            .as_ref()
            .ok_or_else(|| no_forward("BatchNorm2d"))?;
        let (dx, dw, db) = batch_norm2d_backward(cache, &self.weight.value, grad_y)?;
        accumulate(&mut self.weight.grad, &dw);
        accumulate(&mut self.bias.grad, &db);
        Ok(dx)
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        vec![("weight".into(), &self.weight), ("bias".into(), &self.bias)]
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        vec![
            ("weight".into(), &mut self.weight),
            ("bias".into(), &mut self.bias),
        ]
    }

    fn named_buffers(&self) -> Vec<(String, &Tensor)> {
        vec![
            ("running_mean".into(), &self.running_mean),
            ("running_var".into(), &self.running_var),
            ("num_batches_tracked".into(), &self.num_batches_tracked),
        ]
    }

    fn named_buffers_mut(&mut self) -> Vec<(String, &mut Tensor)> {
        vec![
            ("running_mean".into(), &mut self.running_mean),
            ("running_var".into(), &mut self.running_var),
            ("num_batches_tracked".into(), &mut self.num_batches_tracked),
        ]
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }

    /// PyTorch 2.15's text, which includes `bias=True`.
    fn repr(&self, _indent: usize) -> String {
        format!(
            "BatchNorm2d({}, eps={}, momentum={}, affine=True, bias=True, track_running_stats=True)",
            self.num_features,
            py_float_repr(self.eps),
            py_float_repr(self.momentum)
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        if input.len() != 4 {
            return Err(crate::error::Error::value(
                "batch_norm",
                format!("expected 4D input (got {}D input)", input.len()),
            ));
        }
        if input[1] != self.num_features {
            return Err(crate::error::Error::runtime(
                "batch_norm",
                format!(
                    "running_mean should contain {} elements not {}",
                    input[1], self.num_features
                ),
            ));
        }
        Ok(input.to_vec())
    }
}
