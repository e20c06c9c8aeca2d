//! `torch.nn.functional.batch_norm` for 2-d feature maps: `x` is `[N, C, H, W]`, statistics
//! per channel over `M = N·H·W` values.
//!
//! Training: `μ_c`, `σ²_c` are the batch mean and **biased** variance;
//! `x̂ = (x − μ_c) / sqrt(σ²_c + eps)`, `y = weight_c · x̂ + bias_c`; then
//! `running_mean ← (1 − momentum)·running_mean + momentum·μ_c` and
//! `running_var ← (1 − momentum)·running_var + momentum·σ²_c·M/(M − 1)` (**unbiased**).
//! Eval: the same with `running_mean`/`running_var` in place of `μ_c`/`σ²_c`, no update.
//! Backward (training), per channel, with `ĝ = dL/dy`:
//! `dx = weight_c / sqrt(σ²_c + eps) · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂))`,
//! `dweight_c = Σ ĝ · x̂`, `dbias_c = Σ ĝ`. In eval the statistics are constants:
//! `dx = ĝ · weight_c / sqrt(running_var_c + eps)`.

use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// What [`batch_norm2d_backward`] needs from the forward.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchNormCache {
    /// `x`'s shape, `[N, C, H, W]`.
    pub shape: Vec<usize>,
    /// Whether batch statistics were used (training).
    pub training: bool,
    /// `x̂`, `x`'s shape, row-major.
    pub x_hat: Vec<f32>,
    /// `1 / sqrt(var_c + eps)` per channel, `[C]`.
    pub inv_std: Vec<f32>,
}

fn check(
    x: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    running_mean: &Tensor,
    running_var: &Tensor,
    training: bool,
) -> Result<(usize, usize, usize)> {
    if x.ndim() != 4 {
        return Err(Error::value(
            "batch_norm",
            format!("expected 4D input (got {}D input)", x.ndim()),
        ));
    }
    let s = x.shape();
    let (n, c, hw) = (s[0], s[1], s[2] * s[3]);
    if training && n * hw == 1 {
        return Err(Error::value(
            "batch_norm",
            format!(
                "Expected more than 1 value per channel when training, got input size torch.Size([{}])",
                s.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    // PyTorch checks the running statistics before the affine parameters.
    for (name, t) in [
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ] {
        if t.numel() != c {
            return Err(Error::runtime(
                "batch_norm",
                format!("{name} should contain {c} elements not {}", t.numel()),
            ));
        }
    }
    Ok((n, c, hw))
}

/// `y = batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)`.
///
/// * `x`: `[N, C, H, W]`
/// * `weight`, `bias`: `[C]` (γ, β)
/// * `running_mean`, `running_var`: `[C]`, updated in place when `training` (and `x` is
///   not empty)
///
/// Returns `y` (`x`'s shape) and the cache for the backward.
///
/// # Errors
/// PyTorch's texts: `ValueError: expected 4D input (got 3D input)`, `ValueError: Expected
/// more than 1 value per channel when training, got input size torch.Size([1, 3, 1, 1])`,
/// `RuntimeError: running_mean should contain 4 elements not 3` (then `running_var`,
/// `weight`, `bias`, in PyTorch's order).
#[allow(clippy::too_many_arguments)]
pub fn batch_norm2d_forward(
    x: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    running_mean: &mut Tensor,
    running_var: &mut Tensor,
    training: bool,
    momentum: f32,
    eps: f32,
) -> Result<(Tensor, BatchNormCache)> {
    let (n, c, hw) = check(x, weight, bias, running_mean, running_var, training)?;
    let m = n * hw;
    let xs = x.data();
    // Channel c's values: planes n·C + c, each hw long.
    let planes = |ch: usize| (0..n).map(move |i| &xs[(i * c + ch) * hw..(i * c + ch + 1) * hw]);
    let mut mean = vec![0.0f64; c];
    let mut inv_std = vec![0.0f32; c];
    for ch in 0..c {
        if training && m > 0 {
            let mu = planes(ch).flatten().map(|&v| v as f64).sum::<f64>() / m as f64;
            let var = planes(ch)
                .flatten()
                .map(|&v| (v as f64 - mu).powi(2))
                .sum::<f64>()
                / m as f64;
            mean[ch] = mu;
            inv_std[ch] = (1.0 / (var + eps as f64).sqrt()) as f32;
            let unbiased = if m > 1 {
                var * m as f64 / (m - 1) as f64
            } else {
                f64::NAN
            };
            let mo = momentum as f64;
            let rm = &mut running_mean.data_mut()[ch];
            *rm = ((1.0 - mo) * *rm as f64 + mo * mu) as f32;
            let rv = &mut running_var.data_mut()[ch];
            *rv = ((1.0 - mo) * *rv as f64 + mo * unbiased) as f32;
        } else if !training {
            mean[ch] = running_mean.data()[ch] as f64;
            inv_std[ch] = (1.0 / (running_var.data()[ch] as f64 + eps as f64).sqrt()) as f32;
        }
    }
    let mut x_hat = vec![0.0f32; xs.len()];
    let mut y = vec![0.0f32; xs.len()];
    for (p, (xh, yp)) in x_hat
        .chunks_mut(hw.max(1))
        .zip(y.chunks_mut(hw.max(1)))
        .enumerate()
    {
        let ch = p % c;
        let (mu, is, w, b) = (mean[ch], inv_std[ch], weight.data()[ch], bias.data()[ch]);
        for ((h, o), &v) in xh
            .iter_mut()
            .zip(yp.iter_mut())
            .zip(&xs[p * hw..(p + 1) * hw])
        {
            *h = ((v as f64 - mu) * is as f64) as f32;
            *o = w * *h + b;
        }
    }
    let cache = BatchNormCache {
        shape: x.shape().to_vec(),
        training,
        x_hat,
        inv_std,
    };
    Ok((Tensor::from_vec(x.shape(), y)?, cache))
}

/// Backward of [`batch_norm2d_forward`].
///
/// * `cache`: from the forward; `weight`: `[C]`; `grad_y`: `[N, C, H, W]`
///
/// Returns `(dx [N, C, H, W], dweight [C], dbias [C])`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `grad_y` or `weight` does not match the cache.
pub fn batch_norm2d_backward(
    cache: &BatchNormCache,
    weight: &Tensor,
    grad_y: &Tensor,
) -> Result<(Tensor, Tensor, Tensor)> {
    grad_y.expect_shape("batch_norm_backward", &cache.shape)?;
    let s = &cache.shape;
    let (n, c, hw) = (s[0], s[1], s[2] * s[3]);
    weight.expect_shape("batch_norm_backward", &[c])?;
    let m = (n * hw) as f64;
    let g = grad_y.data();
    let mut sum_g = vec![0.0f64; c];
    let mut sum_gx = vec![0.0f64; c];
    for (p, (gp, xp)) in g
        .chunks(hw.max(1))
        .zip(cache.x_hat.chunks(hw.max(1)))
        .enumerate()
    {
        let ch = p % c;
        for (&gv, &xv) in gp.iter().zip(xp) {
            sum_g[ch] += gv as f64;
            sum_gx[ch] += gv as f64 * xv as f64;
        }
    }
    let mut dx = vec![0.0f32; g.len()];
    for (p, ((dp, gp), xp)) in dx
        .chunks_mut(hw.max(1))
        .zip(g.chunks(hw.max(1)))
        .zip(cache.x_hat.chunks(hw.max(1)))
        .enumerate()
    {
        let ch = p % c;
        let k = weight.data()[ch] as f64 * cache.inv_std[ch] as f64;
        let (mg, mgx) = (sum_g[ch] / m, sum_gx[ch] / m);
        for ((d, &gv), &xv) in dp.iter_mut().zip(gp).zip(xp) {
            *d = if cache.training {
                (k * (gv as f64 - mg - xv as f64 * mgx)) as f32
            } else {
                (k * gv as f64) as f32
            };
        }
    }
    let to32 = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
    Ok((
        Tensor::from_vec(s, dx)?,
        Tensor::from_vec(&[c], to32(sum_gx))?,
        Tensor::from_vec(&[c], to32(sum_g))?,
    ))
}
