//! `nn.Linear(in_features, out_features, bias=True)`: `y = x · weightᵀ + bias`.
//!
//! Parameters (state_dict names): `weight` `[out, in]`, `bias` `[out]`, initialised as
//! PyTorch does (`kaiming_uniform_(a=√5)`, bias `U(−1/√in, 1/√in)`).
//!
//! ```
//! use nnbook::nn::{Linear, Module};
//! use nnbook::Tensor;
//! let mut fc = Linear::new(1024, 64, true);
//! let y = fc.forward(&Tensor::zeros(&[8, 1024]).unwrap()).unwrap();
//! assert_eq!(y.shape(), &[8, 64]);
//! assert_eq!(fc.repr(0), "Linear(in_features=1024, out_features=64, bias=True)");
//! ```

use crate::error::{Error, Result};
use crate::nn::module::{visit_weight_and_bias, weight_and_bias, weight_and_bias_mut};
use crate::nn::{init, Module, Param};
use crate::ops::linear::{linear_backward, linear_forward};
use crate::tensor::Tensor;

/// A fully connected layer. `x`: `[N, in]` (or `[*, in]`) → `y`: `[N, out]`.
#[derive(Clone, Debug)]
pub struct Linear {
    pub in_features: usize,
    pub out_features: usize,
    /// `[out, in]`.
    pub weight: Param,
    /// `[out]`.
    pub bias: Option<Param>,
    x: Option<Tensor>,
}

impl Linear {
    /// `nn.Linear(in_features, out_features, bias)` with PyTorch's default initialisation
    /// (drawn from the global generator: weight first, then bias).
    pub fn new(in_features: usize, out_features: usize, bias: bool) -> Linear {
        let weight = Param::new(init::kaiming_uniform(
            &[out_features, in_features],
            in_features,
        ));
        let bias = bias.then(|| Param::new(init::bias_uniform(out_features, in_features)));
        Linear {
            in_features,
            out_features,
            weight,
            bias,
            x: None,
        }
    }
}

/// Adds `g` into `grad` (same shape by construction).
pub(crate) fn accumulate(grad: &mut Tensor, g: &Tensor) {
    grad.data_mut()
        .iter_mut()
        .zip(g.data())
        .for_each(|(a, &b)| *a += b);
}

/// Keeps a copy of `x` in `slot` for the backward, reusing the previous copy's storage when
/// the shape is unchanged (no allocation per batch).
pub(crate) fn cache_input(slot: &mut Option<Tensor>, x: &Tensor) {
    match slot {
        Some(cached) => cached.clone_from(x),
        None => *slot = Some(x.clone()),
    }
}

/// The error for `backward` called with no cached forward.
pub(crate) fn no_forward(op: &'static str) -> Error {
    Error::runtime(op, format!("{op}: backward called before forward"))
}

impl Module for Linear {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let y = linear_forward(x, &self.weight.value, self.bias.as_ref().map(|b| &b.value))?;
        cache_input(&mut self.x, x);
        Ok(y)
    }

    fn infer_shared(&self, x: &Tensor) -> Option<Result<Tensor>> {
        Some(linear_forward(
            x,
            &self.weight.value,
            self.bias.as_ref().map(|b| &b.value),
        ))
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let x = self.x.as_ref().ok_or_else(|| no_forward("Linear"))?;
        let g = linear_backward(x, &self.weight.value, self.bias.is_some(), grad_y)?;
        accumulate(&mut self.weight.grad, &g.weight);
        if let (Some(b), Some(gb)) = (self.bias.as_mut(), g.bias.as_ref()) {
            accumulate(&mut b.grad, gb);
        }
        Ok(g.x)
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        weight_and_bias(&self.weight, self.bias.as_ref())
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        weight_and_bias_mut(&mut self.weight, self.bias.as_mut())
    }

    fn visit_parameters_mut(&mut self, prefix: &mut String, f: &mut dyn FnMut(&str, &mut Param)) {
        visit_weight_and_bias(&mut self.weight, self.bias.as_mut(), prefix, f)
    }

    fn zero_grad(&mut self) {
        self.weight.zero_grad();
        if let Some(b) = self.bias.as_mut() {
            b.zero_grad();
        }
    }

    fn repr(&self, _indent: usize) -> String {
        format!(
            "Linear(in_features={}, out_features={}, bias={})",
            self.in_features,
            self.out_features,
            if self.bias.is_some() { "True" } else { "False" }
        )
    }

    /// `input` with the last dim replaced by `out_features`.
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let inf = input.last().copied().unwrap_or(0);
        if input.is_empty() {
            return Err(Error::runtime(
                "linear",
                "both arguments to linear need to be at least 1D, but they are 0D and 2D",
            ));
        }
        if inf != self.in_features {
            return Err(Error::MatmulShape {
                op: if self.bias.is_some() { "addmm" } else { "mm" },
                lhs: [input[..input.len() - 1].iter().product(), inf],
                rhs: [self.in_features, self.out_features],
            });
        }
        let mut s = input.to_vec();
        if let Some(last) = s.last_mut() {
            *last = self.out_features;
        }
        Ok(s)
    }

    /// `rows · in · out` (bias adds not counted).
    fn mult_adds(&self, input: &[usize]) -> u64 {
        let rows: usize = input.iter().rev().skip(1).product();
        (rows * self.in_features * self.out_features) as u64
    }
}
