//! `nn.ReLU()`: `y = max(x, 0)` elementwise, any shape.

use crate::error::Result;
use crate::nn::linear::{cache_input, no_forward};
use crate::nn::Module;
use crate::ops::activation::{relu_backward, relu_forward};
use crate::tensor::Tensor;

/// Rectified linear unit. `x`: any shape → `y`: same shape.
#[derive(Clone, Debug, Default)]
pub struct ReLU {
    x: Option<Tensor>,
}

impl ReLU {
    /// `nn.ReLU()`.
    pub fn new() -> ReLU {
        ReLU { x: None }
    }
}

impl Module for ReLU {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        cache_input(&mut self.x, x);
        Ok(relu_forward(x))
    }

    fn infer_shared(&self, x: &Tensor) -> Option<Result<Tensor>> {
        Some(Ok(relu_forward(x)))
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let x = self.x.as_ref().ok_or_else(|| no_forward("ReLU"))?;
        relu_backward(x, grad_y)
    }

    fn repr(&self, _indent: usize) -> String {
        "ReLU()".to_string()
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }
}
