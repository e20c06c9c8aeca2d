//! `torch.nn.functional.max_pool2d` (dilation 1, `ceil_mode=False`) with indices.
//!
//! `y[n, c, oh, ow] = max over the window rows oh·sh − ph .. +kh, cols ow·sw − pw .. +kw`
//! (padding is −∞, so it never wins), `Ho = ⌊(H + 2·ph − kh) / sh⌋ + 1`.
//! Tie and NaN rules are PyTorch's CPU kernel's: the index starts at the window's first
//! in-bounds element, the value at −∞; scanning in row-major order an element replaces the
//! current maximum if it is strictly greater **or NaN** (so the first of equal maxima wins and
//! a NaN always wins — the last NaN in the window).

use crate::error::{fmt_shape, Error, Result};
use crate::parallel::for_each_chunk_mut;
use crate::tensor::Tensor;

/// Window, step and −∞ padding, `[along H, along W]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MaxPool2dParams {
    pub kernel_size: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
}

/// `[planes, H, W, Ho, Wo]` for input `x_shape`, and `y`'s shape, after PyTorch's checks.
fn geometry(x_shape: &[usize], p: MaxPool2dParams) -> Result<([usize; 5], Vec<usize>)> {
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
    let mut y_shape = x_shape.to_vec();
    y_shape[nd - 2] = ho;
    y_shape[nd - 1] = wo;
    crate::tensor::guard::check_numel("max_pool2d", &y_shape)?;
    Ok(([planes, h, w, ho, wo], y_shape))
}

/// `y`'s shape for an input of `x_shape` (`[N, C, Ho, Wo]` or `[C, Ho, Wo]`).
///
/// # Errors
/// As [`max_pool2d_forward`].
pub fn max_pool2d_output_shape(x_shape: &[usize], p: MaxPool2dParams) -> Result<Vec<usize>> {
    geometry(x_shape, p).map(|(_, s)| s)
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
    let ([planes, h, w, ho, wo], y_shape) = geometry(x.shape(), p)?;
    let plane_out = ho * wo;
    let mut out = vec![(0.0f32, 0usize); planes * plane_out];
    let xs = x.data();
    for_each_chunk_mut(&mut out, plane_out, |pi, o| {
        let plane = &xs[pi * h * w..(pi + 1) * h * w];
        for oh in 0..ho {
            let h0 = (oh * p.stride[0]) as isize - p.padding[0] as isize;
            let h1 = (h0 + p.kernel_size[0] as isize).min(h as isize) as usize;
            let h0 = h0.max(0) as usize;
            for ow in 0..wo {
                let w0 = (ow * p.stride[1]) as isize - p.padding[1] as isize;
                let w1 = (w0 + p.kernel_size[1] as isize).min(w as isize) as usize;
                let w0 = w0.max(0) as usize;
                let mut best = (f32::NEG_INFINITY, h0 * w + w0);
                for ih in h0..h1 {
                    for iw in w0..w1 {
                        let v = plane[ih * w + iw];
                        if v > best.0 || v.is_nan() {
                            best = (v, ih * w + iw);
                        }
                    }
                }
                o[oh * wo + ow] = best;
            }
        }
    });
    let (y, idx): (Vec<f32>, Vec<usize>) = out.into_iter().unzip();
    Ok((Tensor::from_vec(&y_shape, y)?, idx))
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
    let mut dx = vec![0.0f32; x_shape.iter().product()];
    let g = grad_y.data();
    for_each_chunk_mut(&mut dx, hw, |pi, plane| {
        let range = pi * plane_out..(pi + 1) * plane_out;
        for (&i, &v) in indices[range.clone()].iter().zip(&g[range]) {
            plane[i] += v;
        }
    });
    Tensor::from_vec(x_shape, dx)
}
