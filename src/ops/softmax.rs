//! `torch.softmax` / `torch.log_softmax` along one dim.
//!
//! Stable form: `m = max_j x_j`, `softmax_i = exp(x_i − m) / Σ_j exp(x_j − m)`,
//! `log_softmax_i = x_i − m − ln Σ_j exp(x_j − m)` (exact at logits of ±3e4).
//! Backward: `softmax: dx = y ⊙ (g − Σ_j g_j y_j)`; `log_softmax: dx = g − exp(y) Σ_j g_j`.
//! The tensor is viewed as `[outer, size(dim), inner]`; each `(outer, inner)` lane is one
//! softmax.

use crate::error::Result;
use crate::tensor::shape::wrap_dim;
use crate::tensor::Tensor;

/// `[outer, len, inner]` for reducing `shape` along `dim`.
fn lanes(op: &'static str, shape: &[usize], dim: i64) -> Result<[usize; 3]> {
    let d = wrap_dim(op, dim, shape.len())?;
    if shape.is_empty() {
        return Ok([1, 1, 1]);
    }
    Ok([
        shape[..d].iter().product(),
        shape[d],
        shape[d + 1..].iter().product(),
    ])
}

/// Calls `f(lane_values_in, lane_values_out)` on every lane, gathering strided elements.
fn per_lane(
    [outer, len, inner]: [usize; 3],
    inputs: &[&[f32]],
    out: &mut [f32],
    f: impl Fn(&[Vec<f32>], &mut [f32]),
) {
    let mut bufs: Vec<Vec<f32>> = vec![vec![0.0; len]; inputs.len()];
    let mut o = vec![0.0f32; len];
    for a in 0..outer {
        for b in 0..inner {
            let at = |j: usize| (a * len + j) * inner + b;
            for (buf, src) in bufs.iter_mut().zip(inputs) {
                for (j, v) in buf.iter_mut().enumerate() {
                    *v = src[at(j)];
                }
            }
            f(&bufs, &mut o);
            for (j, &v) in o.iter().enumerate() {
                out[at(j)] = v;
            }
        }
    }
}

fn max_and_logsumexp(x: &[f32]) -> (f32, f32) {
    let m = x.iter().fold(
        f32::NEG_INFINITY,
        |a, &b| if b > a || b.is_nan() { b } else { a },
    );
    let s: f32 = x.iter().map(|&v| (v - m).exp()).sum();
    (m, s.ln())
}

fn run(
    op: &'static str,
    shape: &[usize],
    dim: i64,
    inputs: &[&[f32]],
    f: impl Fn(&[Vec<f32>], &mut [f32]),
) -> Result<Tensor> {
    let l = lanes(op, shape, dim)?;
    let mut out = vec![0.0f32; inputs[0].len()];
    per_lane(l, inputs, &mut out, f);
    Tensor::from_vec(shape, out)
}

/// `y = softmax(x, dim)`.
///
/// * `x`: any shape; `dim` in `[-ndim, ndim)`
///
/// Returns `y`: `x`'s shape, each lane along `dim` summing to 1.
///
/// # Errors
/// [`Error::DimOutOfRange`] (IndexError) for a bad `dim`.
pub fn softmax_forward(x: &Tensor, dim: i64) -> Result<Tensor> {
    run("softmax", x.shape(), dim, &[x.data()], |v, o| {
        let (m, lse) = max_and_logsumexp(&v[0]);
        let s = lse.exp();
        for (oi, &xi) in o.iter_mut().zip(&v[0]) {
            *oi = (xi - m).exp() / s;
        }
    })
}

/// Backward of [`softmax_forward`]: `dx = y ⊙ (g − Σ_dim g ⊙ y)`.
///
/// * `y`: the forward's output; `grad_y`: same shape
///
/// # Errors
/// [`Error::DimOutOfRange`]; [`Error::ShapeMismatch`] when the shapes differ.
pub fn softmax_backward(y: &Tensor, grad_y: &Tensor, dim: i64) -> Result<Tensor> {
    grad_y.expect_shape("softmax_backward", y.shape())?;
    run(
        "softmax",
        y.shape(),
        dim,
        &[y.data(), grad_y.data()],
        |v, o| {
            let dot: f32 = v[0].iter().zip(&v[1]).map(|(a, b)| a * b).sum();
            for ((oi, &yi), &gi) in o.iter_mut().zip(&v[0]).zip(&v[1]) {
                *oi = yi * (gi - dot);
            }
        },
    )
}

/// `y = log_softmax(x, dim)`.
///
/// * `x`: any shape; `dim` in `[-ndim, ndim)`
///
/// Returns log-probabilities, `x`'s shape.
///
/// # Errors
/// [`Error::DimOutOfRange`] (IndexError) for a bad `dim`.
pub fn log_softmax_forward(x: &Tensor, dim: i64) -> Result<Tensor> {
    run("log_softmax", x.shape(), dim, &[x.data()], |v, o| {
        let (m, lse) = max_and_logsumexp(&v[0]);
        for (oi, &xi) in o.iter_mut().zip(&v[0]) {
            *oi = xi - m - lse;
        }
    })
}

/// Backward of [`log_softmax_forward`]: `dx = g − exp(y) Σ_dim g`.
///
/// * `y`: the forward's output (log-probabilities); `grad_y`: same shape
///
/// # Errors
/// [`Error::DimOutOfRange`]; [`Error::ShapeMismatch`] when the shapes differ.
pub fn log_softmax_backward(y: &Tensor, grad_y: &Tensor, dim: i64) -> Result<Tensor> {
    grad_y.expect_shape("log_softmax_backward", y.shape())?;
    run(
        "log_softmax",
        y.shape(),
        dim,
        &[y.data(), grad_y.data()],
        |v, o| {
            let sum: f32 = v[1].iter().sum();
            for ((oi, &yi), &gi) in o.iter_mut().zip(&v[0]).zip(&v[1]) {
                *oi = gi - yi.exp() * sum;
            }
        },
    )
}

/// `log_softmax` of one row (used by the loss): `x_i − max − ln Σ exp(x_j − max)`.
pub(crate) fn log_softmax_row(x: &[f32], out: &mut [f32]) {
    let (m, lse) = max_and_logsumexp(x);
    for (o, &v) in out.iter_mut().zip(x) {
        *o = v - m - lse;
    }
}
