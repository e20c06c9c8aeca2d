//! `torch.relu`: `y = max(x, 0)`.
//!
//! As PyTorch: NaN passes through (`relu(NaN) = NaN`), `-0.0` stays `-0.0`; the gradient is
//! `grad_y` where `x > 0` or `x` is NaN and 0 where `x <= 0` (0 at `x == 0`).

use crate::error::Result;
use crate::tensor::{pool, Tensor};

/// `y = relu(x)`, any shape.
pub fn relu_forward(x: &Tensor /* any shape */) -> Tensor {
    x.map(|v| if v < 0.0 { 0.0 } else { v })
}

/// `dL/dx = grad_y · [x > 0]` (0 where `x <= 0`; passes where `x` is NaN, as PyTorch's
/// `threshold_backward`).
///
/// * `x`: the forward's input, any shape; `grad_y`: same shape.
///
/// # Errors
/// [`crate::Error::ShapeMismatch`] when the shapes differ.
pub fn relu_backward(x: &Tensor, grad_y: &Tensor) -> Result<Tensor> {
    grad_y.expect_shape("relu_backward", x.shape())?;
    let mut dx = pool::empty(x.numel());
    dx.extend(
        x.data()
            .iter()
            .zip(grad_y.data())
            .map(|(&v, &g)| if v <= 0.0 { 0.0 } else { g }),
    );
    Tensor::from_vec(x.shape(), dx)
}
