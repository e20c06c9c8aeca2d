//! `nn.LayerNorm(normalized_shape, eps=1e-05, elementwise_affine=True, bias=True)`.
//!
//! Normalises each sample over its last dims (`normalized_shape`) with the biased variance,
//! then applies `weight` (γ, ones) and `bias` (β, zeros), both of shape `normalized_shape`
//! (state_dict names `weight`, `bias`). Same computation in training and eval; no buffers.
//!
//! ```
//! use nnbook::nn::{LayerNorm, Module};
//! use nnbook::Tensor;
//! let mut ln = LayerNorm::new(&[4]);
//! assert_eq!(ln.repr(0), "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)");
//! let y = ln.forward(&Tensor::arange(&[2, 4]).unwrap()).unwrap();
//! assert!((y.data()[0] + 1.3416).abs() < 1e-4);
//! ```

use crate::error::Result;
use crate::nn::dropout::py_float_repr;
use crate::nn::linear::{accumulate, no_forward};
use crate::nn::{Module, Param};
use crate::ops::layer_norm::{
    check_normalized_shape, layer_norm_backward, layer_norm_forward, LayerNormCache,
};
use crate::tensor::Tensor;

/// Layer normalisation. `x`: `[*, *normalized_shape]` → `y`: same shape.
#[derive(Clone, Debug)]
pub struct LayerNorm {
    pub normalized_shape: Vec<usize>,
    pub eps: f32,
    /// γ, `normalized_shape` (`None` when `elementwise_affine=False`).
    pub weight: Option<Param>,
    /// β, `normalized_shape` (`None` when `elementwise_affine=False` or `bias=False`).
    pub bias: Option<Param>,
    cache: Option<LayerNormCache>,
}

impl LayerNorm {
    /// `nn.LayerNorm(normalized_shape)`: eps 1e-5, with weight and bias.
    pub fn new(normalized_shape: &[usize]) -> LayerNorm {
        LayerNorm::with_options(normalized_shape, 1e-5, true, true)
    }

    /// `nn.LayerNorm(normalized_shape, eps, elementwise_affine, bias)`. `bias` only matters
    /// when `elementwise_affine` is true (as in PyTorch).
    pub fn with_options(
        normalized_shape: &[usize],
        eps: f32,
        elementwise_affine: bool,
        bias: bool,
    ) -> LayerNorm {
        let full = |v| Param::new(Tensor::full(normalized_shape, v).expect("a parameter size"));
        LayerNorm {
            normalized_shape: normalized_shape.to_vec(),
            eps,
            weight: elementwise_affine.then(|| full(1.0)),
            bias: (elementwise_affine && bias).then(|| full(0.0)),
            cache: None,
        }
    }
}

/// Python's `repr` of a tuple of sizes: `(8,)`, `(3, 4)`.
pub(crate) fn py_tuple(v: &[usize]) -> String {
    match v {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            v.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `"True"` / `"False"`.
pub(crate) fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

impl Module for LayerNorm {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let (y, cache) = layer_norm_forward(
            x,
            &self.normalized_shape,
            self.weight.as_ref().map(|p| &p.value),
            self.bias.as_ref().map(|p| &p.value),
            self.eps,
        )?;
        self.cache = Some(cache);
        Ok(y)
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let cache = self.cache.as_ref().ok_or_else(|| no_forward("LayerNorm"))?;
        let g = layer_norm_backward(
            cache,
            &self.normalized_shape,
            self.weight.as_ref().map(|p| &p.value),
            grad_y,
        )?;
        if let Some(w) = self.weight.as_mut() {
            accumulate(&mut w.grad, &g.weight);
        }
        if let Some(b) = self.bias.as_mut() {
            accumulate(&mut b.grad, &g.bias);
        }
        Ok(g.x)
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        let mut v = Vec::new();
        v.extend(self.weight.as_ref().map(|p| ("weight".to_string(), p)));
        v.extend(self.bias.as_ref().map(|p| ("bias".to_string(), p)));
        v
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        let mut v = Vec::new();
        v.extend(self.weight.as_mut().map(|p| ("weight".to_string(), p)));
        v.extend(self.bias.as_mut().map(|p| ("bias".to_string(), p)));
        v
    }

    /// `LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)`.
    fn repr(&self, _indent: usize) -> String {
        format!(
            "LayerNorm({}, eps={}, elementwise_affine={}, bias={})",
            py_tuple(&self.normalized_shape),
            py_float_repr(self.eps),
            py_bool(self.weight.is_some()),
            py_bool(self.bias.is_some())
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        check_normalized_shape(input, &self.normalized_shape)?;
        Ok(input.to_vec())
    }

    /// About 5 operations per element; reported as `numel` multiply-adds.
    fn mult_adds(&self, input: &[usize]) -> u64 {
        input.iter().product::<usize>() as u64
    }
}
