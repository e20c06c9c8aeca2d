//! `torch.nn.functional.dropout` (inverted dropout).
//!
//! Training: each element is kept with probability `1 − p` and scaled by `1 / (1 − p)`, so
//! `E[y] = x`; the scaled mask (`0` or `1/(1−p)`) is returned for the backward. Eval, or
//! `p == 0`: `y = x` and no mask. `p == 1`: all zeros.
//!
//! The mask is drawn as PyTorch's CPU kernel draws it where it does not use MKL
//! (`noise = empty_like(x).bernoulli_(1 − p); noise /= 1 − p; y = x * noise`, whose default
//! kernel keeps element `i` when the i-th float64 uniform, [`Rng::uniform_f64`], is below
//! `1 − p`, with `p` the Python float the user wrote). So after the same `manual_seed`,
//! `nn.Dropout` zeroes the same elements as PyTorch on AMD and ARM CPUs (checked by
//! `tests/golden/dropout.json`, written on an AMD machine). PyTorch builds
//! with MKL on Intel CPUs draw `bernoulli_` from an MKL stream instead, so there only the
//! statistics agree.

use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Checks `0 <= p <= 1` with PyTorch's `ValueError` text.
///
/// # Errors
/// `dropout probability has to be between 0 and 1, but got 1.5`.
pub fn check_dropout_p(p: f32) -> Result<()> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::value(
            "dropout",
            format!(
                "dropout probability has to be between 0 and 1, but got {}",
                crate::nn::dropout::py_float_repr(p)
            ),
        ));
    }
    Ok(())
}

/// `y = dropout(x, p, training)`.
///
/// * `x`: any shape
///
/// Returns `y` (`x`'s shape) and, in training with `p > 0`, the scaled mask (`x.numel()`
/// values, each `0` or `1/(1−p)`; all `0` when `p == 1`).
///
/// # Errors
/// `ValueError` (PyTorch's text) when `p` is outside `[0, 1]`.
pub fn dropout_forward(
    x: &Tensor,
    p: f32,
    training: bool,
    rng: &mut Rng,
) -> Result<(Tensor, Option<Vec<f32>>)> {
    check_dropout_p(p)?;
    if !training || p == 0.0 {
        return Ok((x.clone(), None));
    }
    if p == 1.0 {
        // PyTorch: `input * zeros({})` (so inf and NaN give NaN), no random draws.
        let y = x.data().iter().map(|&v| v * 0.0).collect();
        return Ok((Tensor::from_vec(x.shape(), y)?, Some(vec![0.0; x.numel()])));
    }
    // The float64 Python writes for `p` (0.3, not 0.30000001192…), as PyTorch receives it.
    let p64: f64 = crate::nn::dropout::py_float_repr(p)
        .parse()
        .unwrap_or(p as f64);
    let keep = 1.0 - p64;
    let scale = 1.0f32 / keep as f32;
    let mask: Vec<f32> = (0..x.numel())
        .map(|_| if rng.uniform_f64() < keep { scale } else { 0.0 })
        .collect();
    let y = x.data().iter().zip(&mask).map(|(&v, &m)| v * m).collect();
    Ok((Tensor::from_vec(x.shape(), y)?, Some(mask)))
}

/// `dL/dx = grad_y · mask` (`grad_y` itself when there is no mask).
///
/// * `mask`: from [`dropout_forward`], `grad_y.numel()` values, or `None`
/// * `grad_y`: `y`'s shape
///
/// # Errors
/// [`Error::ShapeMismatch`] when the mask length differs from `grad_y.numel()`.
pub fn dropout_backward(mask: Option<&[f32]>, grad_y: &Tensor) -> Result<Tensor> {
    let Some(mask) = mask else {
        return Ok(grad_y.clone());
    };
    if mask.len() != grad_y.numel() {
        return Err(Error::ShapeMismatch {
            op: "dropout_backward",
            lhs: vec![mask.len()],
            rhs: grad_y.shape().to_vec(),
        });
    }
    let dx = grad_y
        .data()
        .iter()
        .zip(mask)
        .map(|(&g, &m)| g * m)
        .collect();
    Tensor::from_vec(grad_y.shape(), dx)
}
