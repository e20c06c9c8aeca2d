//! `torch.nn.functional.max_pool2d` (dilation 1, `ceil_mode=False`) with indices.
//!
//! `y[n, c, oh, ow] = max over the window rows oh·sh − ph .. +kh, cols ow·sw − pw .. +kw`
//! (padding is −∞, so it never wins), `Ho = ⌊(H + 2·ph − kh) / sh⌋ + 1`.
//! Tie and NaN rules are PyTorch's CPU kernel's: the index starts at the window's first
//! in-bounds element, the value at −∞; scanning in row-major order an element replaces the
//! current maximum if it is strictly greater **or NaN** (so the first of equal maxima wins and
//! a NaN always wins — the last NaN in the window).

use crate::error::{fmt_shape, Error, Result};
use crate::parallel::{for_each_chunk_mut, for_each_chunk_pair_mut};
use crate::tensor::{pool, Tensor};
use ndarray::{Dimension, IxDyn};

/// Window, step and −∞ padding, `[along H, along W]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MaxPool2dParams {
    pub kernel_size: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
}

/// `[planes, H, W, Ho, Wo]` for input `x_shape`, and `y`'s shape, after PyTorch's checks.
fn geometry(x_shape: &[usize], p: MaxPool2dParams) -> Result<([usize; 5], IxDyn)> {
    let err = |m: String| Error::runtime("max_pool2d", m);
    if p.stride.contains(&0) {
        return Err(err("stride should not be zero".into()));
    }
    if p.kernel_size.contains(&0) {
        return Err(err(format!(
            "kernel size should be greater than zero, but got kH: {} kW: {}",
            p.kernel_size[0], p.kernel_size[1]
        )));
    }
    for d in 0..2 {
        if p.padding[d] > p.kernel_size[d] / 2 {
            return Err(err(format!(
                "pad should be at most half of effective kernel size, but got pad={}, kernel_size={} and dilation=1",
                p.padding[d], p.kernel_size[d]
            )));
        }
    }
    let nd = x_shape.len();
    if !(nd == 3 || nd == 4) {
        return Err(err(
            "non-empty 3D or 4D (batch mode) tensor expected for input".into(),
        ));
    }
    if x_shape[nd - 3..].contains(&0) {
        return Err(err(format!(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{}",
            fmt_shape(x_shape)
        )));
    }
    let (c, h, w) = (x_shape[nd - 3], x_shape[nd - 2], x_shape[nd - 1]);
    let out = |len: usize, d: usize| -> i64 {
        (len as i64 + 2 * p.padding[d] as i64 - p.kernel_size[d] as i64)
            .div_euclid(p.stride[d] as i64)
            + 1
    };
    let (ho, wo) = (out(h, 0), out(w, 1));
    if ho < 1 || wo < 1 {
        return Err(err(format!(
            "Given input size: ({}x{}x{}). Calculated output size: ({}x{}x{}). Output size is too small",
            c, h, w, c, ho, wo
        )));
    }
    let (ho, wo) = (ho as usize, wo as usize);
    let planes = x_shape[..nd - 2].iter().product();
    // IxDyn keeps up to 4 dims inline: no allocation.
    let mut y_shape = IxDyn(x_shape);
    y_shape[nd - 2] = ho;
    y_shape[nd - 1] = wo;
    crate::tensor::guard::check_numel("max_pool2d", y_shape.slice())?;
    Ok(([planes, h, w, ho, wo], y_shape))
}

/// `y`'s shape for an input of `x_shape` (`[N, C, Ho, Wo]` or `[C, Ho, Wo]`).
///
/// # Errors
/// As [`max_pool2d_forward`].
pub fn max_pool2d_output_shape(x_shape: &[usize], p: MaxPool2dParams) -> Result<Vec<usize>> {
    geometry(x_shape, p).map(|(_, s)| s.slice().to_vec())
}

/// `(y, indices) = max_pool2d(x, kernel_size, stride, padding, return_indices=True)`.
///
/// * `x`: `[N, C, H, W]` (or unbatched `[C, H, W]`)
///
/// Returns `y`: `[N, C, Ho, Wo]` and, for each element of `y` in order, the flat index
/// `h·W + w` of the chosen element within its input plane.
///
/// # Errors
/// PyTorch's texts: zero stride or kernel, `pad should be at most half of effective kernel
/// size, ...`, input not 3-D/4-D or empty, `Given input size: (1x1x1). Calculated output
/// size: (1x0x0). Output size is too small`.
pub fn max_pool2d_forward(x: &Tensor, p: MaxPool2dParams) -> Result<(Tensor, Vec<usize>)> {
    let mut idx = Vec::new();
    let y = max_pool2d_forward_into(x, p, &mut idx)?;
    Ok((y, idx))
}

/// [`max_pool2d_forward`] writing the indices into `indices` (resized to `y.numel()`), so a
/// caller that keeps the vector between calls allocates no index buffer per call.
///
/// # Errors
/// As [`max_pool2d_forward`] (`indices` is left unchanged on error).
pub fn max_pool2d_forward_into(
    x: &Tensor,
    p: MaxPool2dParams,
    indices: &mut Vec<usize>,
) -> Result<Tensor> {
    let ([planes, h, w, ho, wo], y_shape) = geometry(x.shape(), p)?;
    let plane_out = ho * wo;
    let mut y = pool::zeroed(planes * plane_out);
    indices.resize(planes * plane_out, 0);
    let xs = x.data();
    for_each_chunk_pair_mut(&mut y, plane_out, indices, plane_out, |pi, yo, io| {
        pool_plane(&xs[pi * h * w..(pi + 1) * h * w], [h, w, ho, wo], p, yo, io);
    });
    Tensor::from_vec(y_shape.slice(), y)
}

/// `select_max!` without the index: `best` becomes `v` if `v` is strictly greater or NaN.
macro_rules! select_max_value {
    ($best:ident, $v:expr) => {
        let v: f32 = $v;
        let m = ((v > $best || v.is_nan()) as u32).wrapping_neg();
        $best = f32::from_bits($best.to_bits() ^ (($best.to_bits() ^ v.to_bits()) & m));
    };
}

/// [`max_pool2d_forward`] for inference: the same `y`, without recording indices for backward
/// (`MaxPool2d(2)` — kernel 2, stride 2, no padding — runs a value-only kernel; other
/// settings run the forward and drop its indices).
///
/// # Errors
/// As [`max_pool2d_forward`].
pub fn max_pool2d_infer(x: &Tensor, p: MaxPool2dParams) -> Result<Tensor> {
    let [kh, kw] = p.kernel_size;
    let [sh, sw] = p.stride;
    let [ph, pw] = p.padding;
    if [kh, kw, sh, sw, ph, pw] != [2, 2, 2, 2, 0, 0] {
        return max_pool2d_forward(x, p).map(|(y, _)| y);
    }
    let ([planes, h, w, ho, wo], y_shape) = geometry(x.shape(), p)?;
    let plane_out = ho * wo;
    let mut y = pool::zeroed(planes * plane_out);
    let xs = x.data();
    for_each_chunk_mut(&mut y, plane_out, |pi, yo| {
        let plane = &xs[pi * h * w..(pi + 1) * h * w];
        for (r, yr) in plane.chunks_exact(2 * w).zip(yo.chunks_exact_mut(wo)) {
            let (r0, r1) = r.split_at(w);
            for (ow, yv) in yr.iter_mut().enumerate() {
                let c = 2 * ow;
                let mut best = r0[c];
                for v in [r0[c + 1], r1[c], r1[c + 1]] {
                    select_max_value!(best, v);
                }
                *yv = best;
            }
        }
    });
    Tensor::from_vec(y_shape.slice(), y)
}

/// PyTorch's rule: `(v, i)` replaces `(best_v, best_i)` if `v` is strictly greater or NaN.
/// Written with integer masks rather than `if`: V8 lowers a float `select` to a branch, which
/// mispredicts on random data (it made the CIFAR-10 model's first pool 3× slower in Chromium).
/// A macro, not a function: as a function returning a tuple LLVM folded the masks back into a
/// `select` (measured: no gain in Chromium).
macro_rules! select_max {
    ($best_v:ident, $best_i:ident, $v:expr, $i:expr) => {
        let (v, i): (f32, usize) = ($v, $i);
        let m = ((v > $best_v || v.is_nan()) as u32).wrapping_neg();
        $best_v = f32::from_bits($best_v.to_bits() ^ (($best_v.to_bits() ^ v.to_bits()) & m));
        $best_i ^= ($best_i ^ i) & (m as i32 as isize as usize);
    };
}

/// [`pool_plane`] for `MaxPool2d(2)` (kernel 2, stride 2, no padding), the CIFAR-10 model's
/// pool: the four candidates in the same row-major order with the same select rule.
fn pool_plane_2x2(plane: &[f32], w: usize, wo: usize, y: &mut [f32], idx: &mut [usize]) {
    let rows = plane.chunks_exact(2 * w);
    for (oh, ((r, yr), ir)) in rows
        .zip(y.chunks_exact_mut(wo))
        .zip(idx.chunks_exact_mut(wo))
        .enumerate()
    {
        let (r0, r1) = r.split_at(w);
        let base = 2 * oh * w;
        for (ow, (yv, iv)) in yr.iter_mut().zip(ir.iter_mut()).enumerate() {
            let c = 2 * ow;
            let mut best_v = r0[c];
            let mut best_i = base + c;
            for (v, i) in [
                (r0[c + 1], base + c + 1),
                (r1[c], base + w + c),
                (r1[c + 1], base + w + c + 1),
            ] {
                // Integer masks rather than `if`: V8 may lower a float `select` to a branch.
                select_max!(best_v, best_i, v, i);
            }
            *yv = best_v;
            *iv = best_i;
        }
    }
}

/// One plane: `plane` `[H, W]` → `y`, `idx` `[Ho, Wo]`, comparing with `select_max!`.
fn pool_plane(
    plane: &[f32],
    [h, w, ho, wo]: [usize; 4],
    p: MaxPool2dParams,
    y: &mut [f32],
    idx: &mut [usize],
) {
    let [kh, kw] = p.kernel_size;
    let [sh, sw] = p.stride;
    let [ph, pw] = p.padding;
    if [kh, kw, sh, sw, ph, pw] == [2, 2, 2, 2, 0, 0] {
        return pool_plane_2x2(plane, w, wo, y, idx);
    }
    for oh in 0..ho {
        let h0 = (oh * sh).saturating_sub(ph);
        let h1 = (oh * sh + kh - ph).min(h);
        let yr = &mut y[oh * wo..(oh + 1) * wo];
        let ir = &mut idx[oh * wo..(oh + 1) * wo];
        for (ow, (yv, iv)) in yr.iter_mut().zip(ir.iter_mut()).enumerate() {
            let w0 = (ow * sw).saturating_sub(pw);
            let w1 = (ow * sw + kw - pw).min(w);
            let mut best_v = f32::NEG_INFINITY;
            let mut best_i = h0 * w + w0;
            for ih in h0..h1 {
                let row = &plane[ih * w..(ih + 1) * w];
                for (iw, &v) in row[w0..w1].iter().enumerate() {
                    select_max!(best_v, best_i, v, ih * w + w0 + iw);
                }
            }
            *yv = best_v;
            *iv = best_i;
        }
    }
}

/// Backward of [`max_pool2d_forward`]: routes each `grad_y` element to its input element;
/// elements chosen by several windows (stride < kernel) accumulate.
///
/// * `x_shape`: `[N, C, H, W]` (or `[C, H, W]`)
/// * `indices`: one per `grad_y` element, flat `h·W + w` within its plane (from the forward)
/// * `grad_y`: `[N, C, Ho, Wo]`
///
/// Returns `dL/dx`: `x_shape`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `grad_y` and `x_shape` disagree on the leading dims or
/// `indices` has the wrong length; a `RuntimeError` for an index outside its plane.
pub fn max_pool2d_backward(
    x_shape: &[usize],
    indices: &[usize],
    grad_y: &Tensor,
) -> Result<Tensor> {
    let nd = x_shape.len();
    let gs = grad_y.shape();
    if !(nd == 3 || nd == 4) || gs.len() != nd || gs[..nd - 2] != x_shape[..nd - 2] {
        return Err(Error::ShapeMismatch {
            op: "max_pool2d_backward",
            lhs: gs.to_vec(),
            rhs: x_shape.to_vec(),
        });
    }
    if indices.len() != grad_y.numel() {
        return Err(Error::ShapeMismatch {
            op: "max_pool2d_backward",
            lhs: vec![indices.len()],
            rhs: vec![grad_y.numel()],
        });
    }
    let hw = x_shape[nd - 2] * x_shape[nd - 1];
    let plane_out = gs[nd - 2] * gs[nd - 1];
    if indices.iter().any(|&i| i >= hw) {
        return Err(Error::runtime(
            "max_pool2d_backward",
            format!("max_pool2d_backward: index out of range of a {hw}-element plane"),
        ));
    }
    crate::tensor::guard::check_numel("max_pool2d_backward", x_shape)?;
    let mut dx = pool::zeroed(x_shape.iter().product());
    let g = grad_y.data();
    for_each_chunk_mut(&mut dx, hw, |pi, plane| {
        let range = pi * plane_out..(pi + 1) * plane_out;
        for (&i, &v) in indices[range.clone()].iter().zip(&g[range]) {
            plane[i] += v;
        }
    });
    Tensor::from_vec(x_shape, dx)
}
