//! `nn.MaxPool2d(kernel_size, stride=None, padding=0)` (dilation 1, `ceil_mode=False`).
//!
//! ```
//! use nnbook::nn::{MaxPool2d, Module};
//! let pool = MaxPool2d::from_kernel(2);
//! assert_eq!(pool.repr(0), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
//! assert_eq!(pool.output_shape(&[64, 32, 32, 32]).unwrap(), vec![64, 32, 16, 16]);
//! ```

use crate::error::Result;
use crate::nn::linear::no_forward;
use crate::nn::Module;
use crate::ops::max_pool2d::{
    max_pool2d_backward, max_pool2d_forward_into, max_pool2d_infer, max_pool2d_output_shape,
    MaxPool2dParams,
};
use crate::tensor::Tensor;

/// A size given as one int or an `(h, w)` pair, as PyTorch's `_size_2_t`; it only changes
/// how the module prints (`kernel_size=2` vs `kernel_size=(2, 2)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size2 {
    One(usize),
    Two([usize; 2]),
}

impl Size2 {
    /// `[h, w]`.
    pub fn pair(self) -> [usize; 2] {
        match self {
            Size2::One(v) => [v, v],
            Size2::Two(p) => p,
        }
    }
    /// Python's repr: `2` or `(2, 3)`.
    pub fn repr(self) -> String {
        match self {
            Size2::One(v) => v.to_string(),
            Size2::Two([a, b]) => format!("({a}, {b})"),
        }
    }
}

impl From<usize> for Size2 {
    fn from(v: usize) -> Self {
        Size2::One(v)
    }
}

impl From<[usize; 2]> for Size2 {
    fn from(p: [usize; 2]) -> Self {
        Size2::Two(p)
    }
}

/// Max pooling. `x`: `[N, C, H, W]` (or `[C, H, W]`) → `y`: `[N, C, Ho, Wo]`.
#[derive(Clone, Debug)]
pub struct MaxPool2d {
    pub kernel_size: Size2,
    pub stride: Size2,
    pub padding: Size2,
    cache: Option<(Vec<usize>, Vec<usize>)>,
}

impl MaxPool2d {
    /// `nn.MaxPool2d(kernel_size, stride, padding)`; each is a `usize` or a `[h, w]` pair.
    /// Bad values are reported by `forward`/`output_shape`, as PyTorch does.
    pub fn new(
        kernel_size: impl Into<Size2>,
        stride: impl Into<Size2>,
        padding: impl Into<Size2>,
    ) -> MaxPool2d {
        MaxPool2d {
            kernel_size: kernel_size.into(),
            stride: stride.into(),
            padding: padding.into(),
            cache: None,
        }
    }

    /// `nn.MaxPool2d(kernel_size)`: stride defaults to the kernel size, padding 0.
    pub fn from_kernel(kernel_size: impl Into<Size2>) -> MaxPool2d {
        let k = kernel_size.into();
        MaxPool2d::new(k, k, 0)
    }

    /// The op's parameters.
    pub fn params(&self) -> MaxPool2dParams {
        MaxPool2dParams {
            kernel_size: self.kernel_size.pair(),
            stride: self.stride.pair(),
            padding: self.padding.pair(),
        }
    }
}

impl Module for MaxPool2d {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        // Reuse the index vector of the previous forward (no allocation per batch).
        let (mut shape, mut idx) = self.cache.take().unwrap_or_default();
        let y = max_pool2d_forward_into(x, self.params(), &mut idx)?;
        shape.clear();
        shape.extend_from_slice(x.shape());
        self.cache = Some((shape, idx));
        Ok(y)
    }

    /// The value-only kernel: no indices recorded.
    fn infer(&mut self, x: &Tensor) -> Result<Tensor> {
        max_pool2d_infer(x, self.params())
    }

    fn infer_shared(&self, x: &Tensor) -> Option<Result<Tensor>> {
        Some(max_pool2d_infer(x, self.params()))
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let (shape, idx) = self.cache.as_ref().ok_or_else(|| no_forward("MaxPool2d"))?;
        max_pool2d_backward(shape, idx, grad_y)
    }

    fn repr(&self, _indent: usize) -> String {
        format!(
            "MaxPool2d(kernel_size={}, stride={}, padding={}, dilation=1, ceil_mode=False)",
            self.kernel_size.repr(),
            self.stride.repr(),
            self.padding.repr()
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        max_pool2d_output_shape(input, self.params())
    }
}
