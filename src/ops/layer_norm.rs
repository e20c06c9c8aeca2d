//! `torch.nn.functional.layer_norm`: normalise over the last `D` dims of `x`, whose sizes are
//! `normalized_shape`. `x` is viewed as `[R, M]` (`M = prod(normalized_shape)`, `R` rows).
//!
//! Forward, per row: `μ = mean(x)`, `σ² = mean((x − μ)²)` (**biased**),
//! `x̂ = (x − μ) / sqrt(σ² + eps)`, `y = weight ⊙ x̂ + bias` (`weight`, `bias`: `normalized_shape`).
//! Backward, per row, with `ĝ = dL/dy ⊙ weight`:
//! `dx = (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) / sqrt(σ² + eps)`;
//! `dweight = Σ_rows dL/dy ⊙ x̂`, `dbias = Σ_rows dL/dy`.

use crate::error::{fmt_shape, Error, Result};
use crate::tensor::Tensor;

/// What [`layer_norm_backward`] needs from the forward.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerNormCache {
    /// `x`'s shape.
    pub shape: Vec<usize>,
    /// `M`, the number of normalised values per row.
    pub m: usize,
    /// `x̂`, `x`'s shape, row-major.
    pub x_hat: Vec<f32>,
    /// `1 / sqrt(σ² + eps)` per row, `[R]`.
    pub rstd: Vec<f32>,
}

/// Checks that the trailing dims of shape `s` are `normalized_shape` (PyTorch's error text
/// otherwise); returns `M = prod(normalized_shape)`.
///
/// # Errors
/// `Given normalized_shape=[3, 4], expected input with shape [*, 3, 4], but got input of size[4]`.
pub fn check_normalized_shape(s: &[usize], normalized_shape: &[usize]) -> Result<usize> {
    let d = normalized_shape.len();
    if d == 0 || s.len() < d || s[s.len() - d..] != *normalized_shape {
        let star: Vec<String> = std::iter::once("*".to_string())
            .chain(normalized_shape.iter().map(|v| v.to_string()))
            .collect();
        return Err(Error::runtime(
            "layer_norm",
            format!(
                "Given normalized_shape={}, expected input with shape [{}], but got input of size{}",
                fmt_shape(normalized_shape),
                star.join(", "),
                fmt_shape(s)
            ),
        ));
    }
    Ok(normalized_shape.iter().product())
}

/// `y = layer_norm(x, normalized_shape, weight, bias, eps)`.
///
/// * `x`: `[*, *normalized_shape]`
/// * `weight`, `bias`: `normalized_shape` (optional each)
///
/// Returns `y` (`x`'s shape) and the cache for the backward.
///
/// # Errors
/// PyTorch's text when the trailing dims differ: `Given normalized_shape=[3, 4], expected input
/// with shape [*, 3, 4], but got input of size[2, 4, 3]`; [`Error::ShapeMismatch`] when
/// `weight` or `bias` is not `normalized_shape`.
pub fn layer_norm_forward(
    x: &Tensor,
    normalized_shape: &[usize],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f32,
) -> Result<(Tensor, LayerNormCache)> {
    let m = check_normalized_shape(x.shape(), normalized_shape)?;
    for t in [weight, bias].into_iter().flatten() {
        t.expect_shape("layer_norm", normalized_shape)?;
    }
    let xs = x.data();
    let rows = xs.len().checked_div(m).unwrap_or(0);
    let mut x_hat = vec![0.0f32; xs.len()];
    let mut y = vec![0.0f32; xs.len()];
    let mut rstd = vec![0.0f32; rows];
    for r in 0..rows {
        let row = &xs[r * m..(r + 1) * m];
        let mu = row.iter().map(|&v| v as f64).sum::<f64>() / m as f64;
        let var = row.iter().map(|&v| (v as f64 - mu).powi(2)).sum::<f64>() / m as f64;
        let is = 1.0 / (var + eps as f64).sqrt();
        rstd[r] = is as f32;
        for j in 0..m {
            let h = ((row[j] as f64 - mu) * is) as f32;
            x_hat[r * m + j] = h;
            let w = weight.map_or(1.0, |w| w.data()[j]);
            let b = bias.map_or(0.0, |b| b.data()[j]);
            y[r * m + j] = w * h + b;
        }
    }
    let cache = LayerNormCache {
        shape: x.shape().to_vec(),
        m,
        x_hat,
        rstd,
    };
    Ok((Tensor::from_vec(x.shape(), y)?, cache))
}

/// Gradients of [`layer_norm_forward`].
#[derive(Clone, Debug, PartialEq)]
pub struct LayerNormGrads {
    /// `dL/dx`, `x`'s shape.
    pub x: Tensor,
    /// `dL/dweight`, `normalized_shape` (computed even without a weight).
    pub weight: Tensor,
    /// `dL/dbias`, `normalized_shape`.
    pub bias: Tensor,
}

/// Backward of [`layer_norm_forward`].
///
/// * `cache`: from the forward; `normalized_shape`: as given to it
/// * `weight`: `normalized_shape`, optional; `grad_y`: `x`'s shape
///
/// # Errors
/// [`Error::ShapeMismatch`] when `grad_y` or `weight` do not match the forward.
pub fn layer_norm_backward(
    cache: &LayerNormCache,
    normalized_shape: &[usize],
    weight: Option<&Tensor>,
    grad_y: &Tensor,
) -> Result<LayerNormGrads> {
    grad_y.expect_shape("layer_norm_backward", &cache.shape)?;
    if let Some(w) = weight {
        w.expect_shape("layer_norm_backward", normalized_shape)?;
    }
    let m = cache.m;
    let g = grad_y.data();
    let rows = g.len().checked_div(m).unwrap_or(0);
    let mut dx = vec![0.0f32; g.len()];
    let mut dw = vec![0.0f64; m];
    let mut db = vec![0.0f64; m];
    for r in 0..rows {
        let (gr, xh) = (&g[r * m..(r + 1) * m], &cache.x_hat[r * m..(r + 1) * m]);
        let (mut sum_g, mut sum_gx) = (0.0f64, 0.0f64);
        for j in 0..m {
            let gw = gr[j] as f64 * weight.map_or(1.0, |w| w.data()[j] as f64);
            sum_g += gw;
            sum_gx += gw * xh[j] as f64;
            dw[j] += gr[j] as f64 * xh[j] as f64;
            db[j] += gr[j] as f64;
        }
        let (mg, mgx, is) = (sum_g / m as f64, sum_gx / m as f64, cache.rstd[r] as f64);
        for j in 0..m {
            let gw = gr[j] as f64 * weight.map_or(1.0, |w| w.data()[j] as f64);
            dx[r * m + j] = (is * (gw - mg - xh[j] as f64 * mgx)) as f32;
        }
    }
    let to32 = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
    Ok(LayerNormGrads {
        x: Tensor::from_vec(&cache.shape, dx)?,
        weight: Tensor::from_vec(normalized_shape, to32(dw))?,
        bias: Tensor::from_vec(normalized_shape, to32(db))?,
    })
}
