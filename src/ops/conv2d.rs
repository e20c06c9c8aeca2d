//! `torch.nn.functional.conv2d` (groups=1, dilation=1): NCHW cross-correlation by im2col + GEMM.
//!
//! For each sample `n`: `cols = im2col(x[n])` is `[C·kh·kw, Ho·Wo]` with
//! `cols[(c·kh + i)·kw + j][oh·Wo + ow] = x[n, c, oh·sh + i − ph, ow·sw + j − pw]` (0 outside),
//! then `y[n] = weight[O, C·kh·kw] · cols + bias`, with
//! `Ho = (H + 2·ph − kh) / sh + 1`, `Wo = (W + 2·pw − kw) / sw + 1`.
//! A 3-D (unbatched) `x` `[C, H, W]` is treated as `[1, C, H, W]` and gives `[O, Ho, Wo]`.

use crate::error::{fmt_shape, Error, Result};
use crate::kernels::{sgemm_serial, MatRef};
use crate::parallel::for_each_chunk_mut;
use crate::tensor::{pool, Tensor};
use ndarray::{Dimension, IxDyn};
use std::cell::RefCell;

pub mod winograd;

/// Stride and zero padding, `[along H, along W]` (dilation 1, groups 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv2dParams {
    pub stride: [usize; 2],
    pub padding: [usize; 2],
}

/// Sizes of one conv2d call, after PyTorch's checks.
#[derive(Clone, Copy, Debug)]
struct Geom {
    batched: bool,
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    o: usize,
    kh: usize,
    kw: usize,
    ho: usize,
    wo: usize,
    p: Conv2dParams,
}

impl Geom {
    fn k(&self) -> usize {
        self.c * self.kh * self.kw
    }
    fn l(&self) -> usize {
        self.ho * self.wo
    }
    fn y_shape(&self) -> Vec<usize> {
        if self.batched {
            vec![self.n, self.o, self.ho, self.wo]
        } else {
            vec![self.o, self.ho, self.wo]
        }
    }
    /// [`Geom::y_shape`] without allocating (`IxDyn` keeps up to 4 dims inline).
    fn y_dims(&self) -> IxDyn {
        if self.batched {
            IxDyn(&[self.n, self.o, self.ho, self.wo])
        } else {
            IxDyn(&[self.o, self.ho, self.wo])
        }
    }
}

/// Output spatial size `[Ho, Wo]` for input `[H, W]`, kernel `[kh, kw]` (PyTorch's checks).
///
/// # Errors
/// `non-positive stride is not supported`; `Calculated padded input size per channel: (2 x 2).
/// Kernel size: (5 x 5). Kernel size can't be greater than actual input size`.
pub fn conv2d_output_hw(hw: [usize; 2], kernel: [usize; 2], p: Conv2dParams) -> Result<[usize; 2]> {
    if p.stride.contains(&0) {
        return Err(Error::runtime(
            "conv2d",
            "non-positive stride is not supported",
        ));
    }
    let ph = hw[0] + 2 * p.padding[0];
    let pw = hw[1] + 2 * p.padding[1];
    if ph < kernel[0] || pw < kernel[1] || ph == 0 || pw == 0 {
        return Err(Error::runtime(
            "conv2d",
            format!(
                "Calculated padded input size per channel: ({} x {}). Kernel size: ({} x {}). Kernel size can't be greater than actual input size",
                ph, pw, kernel[0], kernel[1]
            ),
        ));
    }
    Ok([
        (ph - kernel[0]) / p.stride[0] + 1,
        (pw - kernel[1]) / p.stride[1] + 1,
    ])
}

/// Checks shapes in PyTorch's order and returns the geometry. `x_shape` may be 3-D or 4-D.
fn geometry(
    x_shape: &[usize],
    w_shape: &[usize],
    bias: Option<&[usize]>,
    p: Conv2dParams,
) -> Result<Geom> {
    let batched = match x_shape.len() {
        4 => true,
        3 => false,
        _ => {
            return Err(Error::runtime(
                "conv2d",
                format!(
                    "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: {}",
                    fmt_shape(x_shape)
                ),
            ))
        }
    };
    let x4: [usize; 4] = if batched {
        [x_shape[0], x_shape[1], x_shape[2], x_shape[3]]
    } else {
        [1, x_shape[0], x_shape[1], x_shape[2]]
    };
    if w_shape.len() != 4 {
        return Err(Error::runtime(
            "conv2d",
            format!(
                "expected stride to be a single integer value or a list of {} values to match the convolution dimensions, but got stride={}",
                w_shape.len().saturating_sub(2),
                fmt_shape(&p.stride)
            ),
        ));
    }
    if p.stride.contains(&0) {
        return Err(Error::runtime(
            "conv2d",
            "non-positive stride is not supported",
        ));
    }
    if w_shape[0] == 0 {
        return Err(Error::runtime(
            "conv2d",
            format!(
                "Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size {} instead",
                fmt_shape(w_shape)
            ),
        ));
    }
    if w_shape[2] == 0 || w_shape[3] == 0 {
        return Err(Error::runtime(
            "conv2d",
            format!(
                "kernel size should be greater than zero, but got kernel_height: {} kernel_width: {}",
                w_shape[2], w_shape[3]
            ),
        ));
    }
    if x4[1] != w_shape[1] {
        return Err(Error::ConvChannels {
            op: "conv2d",
            weight: w_shape.to_vec(),
            input: x4.to_vec(),
            expected: w_shape[1],
            got: x4[1],
        });
    }
    if let Some(b) = bias {
        if b != [w_shape[0]] {
            return Err(Error::runtime(
                "conv2d",
                format!(
                    "Given weight of size {}, expected bias to be 1-dimensional with {} elements, but got bias of size {} instead",
                    fmt_shape(w_shape),
                    w_shape[0],
                    fmt_shape(b)
                ),
            ));
        }
    }
    let [ho, wo] = conv2d_output_hw([x4[2], x4[3]], [w_shape[2], w_shape[3]], p)?;
    let g = Geom {
        batched,
        n: x4[0],
        c: x4[1],
        h: x4[2],
        w: x4[3],
        o: w_shape[0],
        kh: w_shape[2],
        kw: w_shape[3],
        ho,
        wo,
        p,
    };
    crate::tensor::guard::check_numel("conv2d", g.y_dims().slice())?;
    crate::tensor::guard::check_numel("conv2d", &[g.k(), g.l()])?;
    Ok(g)
}

/// `y`'s shape for `x_shape` (`[N, C, H, W]` or `[C, H, W]`) and `weight_shape` `[O, C, kh, kw]`.
///
/// # Errors
/// As [`conv2d_forward`].
pub fn conv2d_output_shape(
    x_shape: &[usize],
    weight_shape: &[usize],
    p: Conv2dParams,
) -> Result<Vec<usize>> {
    geometry(x_shape, weight_shape, None, p).map(|g| g.y_shape())
}

/// Output columns `lo..hi` of one output row whose input column `ow·sw + j − pw` lies inside
/// `0..w` (the others read padding).
fn valid_cols(g: &Geom, j: usize) -> (usize, usize) {
    let (sw, pw) = (g.p.stride[1], g.p.padding[1]);
    let lo = if j >= pw { 0 } else { (pw - j).div_ceil(sw) };
    let hi = if g.w + pw > j {
        (g.w + pw - j).div_ceil(sw).min(g.wo)
    } else {
        0
    };
    (lo.min(hi), hi)
}

/// `cols`: `[C·kh·kw, Ho·Wo]` from one sample `x`: `[C, H, W]`. Every element of `cols` is
/// written (padding as 0), so `cols` may hold stale data on entry.
fn im2col(x: &[f32], g: &Geom, cols: &mut [f32]) {
    let l = g.l();
    let (sh, sw, ph, pw) = (g.p.stride[0], g.p.stride[1], g.p.padding[0], g.p.padding[1]);
    for c in 0..g.c {
        let plane = &x[c * g.h * g.w..(c + 1) * g.h * g.w];
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = &mut cols[((c * g.kh + i) * g.kw + j) * l..][..l];
                let (lo, hi) = valid_cols(g, j);
                for (oh, out) in row.chunks_exact_mut(g.wo).enumerate() {
                    let ih = oh * sh + i;
                    if ih < ph || ih - ph >= g.h {
                        out.fill(0.0);
                        continue;
                    }
                    let src = &plane[(ih - ph) * g.w..(ih - ph + 1) * g.w];
                    out[..lo].fill(0.0);
                    out[hi..].fill(0.0);
                    if lo < hi {
                        let first = lo * sw + j - pw;
                        if sw == 1 {
                            out[lo..hi].copy_from_slice(&src[first..first + hi - lo]);
                        } else {
                            for (o, &v) in
                                out[lo..hi].iter_mut().zip(src[first..].iter().step_by(sw))
                            {
                                *o = v;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Adds `cols`: `[C·kh·kw, Ho·Wo]` back into one sample `dx`: `[C, H, W]` (im2col's adjoint).
fn col2im_add(cols: &[f32], g: &Geom, dx: &mut [f32]) {
    let l = g.l();
    let (sh, sw, ph, pw) = (g.p.stride[0], g.p.stride[1], g.p.padding[0], g.p.padding[1]);
    for c in 0..g.c {
        let plane = &mut dx[c * g.h * g.w..(c + 1) * g.h * g.w];
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = &cols[((c * g.kh + i) * g.kw + j) * l..][..l];
                let (lo, hi) = valid_cols(g, j);
                if lo >= hi {
                    continue;
                }
                let first = lo * sw + j - pw;
                for (oh, src) in row.chunks_exact(g.wo).enumerate() {
                    let ih = oh * sh + i;
                    if ih < ph || ih - ph >= g.h {
                        continue;
                    }
                    let dst = &mut plane[(ih - ph) * g.w..(ih - ph + 1) * g.w];
                    if sw == 1 {
                        for (d, &v) in dst[first..first + hi - lo].iter_mut().zip(&src[lo..hi]) {
                            *d += v;
                        }
                    } else {
                        for (d, &v) in dst[first..].iter_mut().step_by(sw).zip(&src[lo..hi]) {
                            *d += v;
                        }
                    }
                }
            }
        }
    }
}

thread_local! {
    /// Per-thread column buffer (`[C·kh·kw, Ho·Wo]` of one sample), grown on first use and
    /// reused by every later call: no allocation per sample or per batch.
    static COLS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's column buffer of at least `len` floats (contents unspecified).
fn with_cols<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    COLS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut v) => {
            if v.len() < len {
                v.resize(len, 0.0);
            }
            f(&mut v[..len])
        }
        Err(_) => f(&mut vec![0.0; len]),
    })
}

/// `y = conv2d(x, weight, bias, stride, padding)`.
///
/// * `x`: `[N, C, H, W]` (or unbatched `[C, H, W]`)
/// * `weight`: `[O, C, kh, kw]`
/// * `bias`: `[O]`, optional
///
/// Returns `y`: `[N, O, Ho, Wo]` (`[O, Ho, Wo]` for unbatched `x`). Samples run in parallel
/// (one image: its GEMM is split over the pool).
///
/// # Errors
/// PyTorch's texts: [`Error::ConvChannels`] (`Given groups=1, weight of size [32, 3, 5, 5],
/// expected input[64, 1, 32, 32] to have 3 channels, but got 1 channels instead`), the kernel
/// larger than the padded input, bad bias size, zero stride or kernel, input not 3-D/4-D.
pub fn conv2d_forward(
    x: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    p: Conv2dParams,
) -> Result<Tensor> {
    let g = geometry(x.shape(), weight.shape(), bias.map(|b| b.shape()), p)?;
    let (k, l, o) = (g.k(), g.l(), g.o);
    let mut y = pool::zeroed(g.n * o * l);
    let wm = MatRef::row_major(weight.data(), o, k);
    let xs = x.data();
    for_each_chunk_mut(&mut y, o * l, |n, yn| {
        if let Some(b) = bias {
            for (row, &bv) in yn.chunks_mut(l).zip(b.data()) {
                row.fill(bv);
            }
        }
        with_cols(k * l, |cols| {
            im2col(
                &xs[n * g.c * g.h * g.w..(n + 1) * g.c * g.h * g.w],
                &g,
                cols,
            );
            let cols = MatRef::row_major(cols, k, l);
            if g.n == 1 {
                // One image (batch-1 inference): let the GEMM use the pool.
                crate::kernels::sgemm(wm, cols, yn, bias.is_some());
            } else {
                sgemm_serial(wm, cols, yn, bias.is_some());
            }
        });
    });
    Tensor::from_vec(g.y_dims().slice(), y)
}

/// Gradients of [`conv2d_forward`]: each has its input's shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Conv2dGrads {
    /// `dL/dx`: `x`'s shape.
    pub x: Tensor,
    /// `dL/dweight`: `[O, C, kh, kw]`.
    pub weight: Tensor,
    /// `dL/dbias`: `[O]`, `Some` iff `has_bias`.
    pub bias: Option<Tensor>,
}

/// Samples per partial `dweight` sum: fixed (not thread-dependent), so results are identical
/// for any number of threads.
const DW_CHUNK: usize = 8;

/// Backward of [`conv2d_forward`].
///
/// * `x`: `[N, C, H, W]` (or `[C, H, W]`), `weight`: `[O, C, kh, kw]`
/// * `grad_y`: `[N, O, Ho, Wo]` (`y`'s shape)
///
/// `dx[n] = col2im(weightᵀ · grad_y[n])`, `dweight = Σ_n grad_y[n] · im2col(x[n])ᵀ`,
/// `dbias[o] = Σ_{n,oh,ow} grad_y[n, o, oh, ow]`.
///
/// # Errors
/// The forward's shape errors; [`Error::ShapeMismatch`] if `grad_y` is not `y`'s shape.
pub fn conv2d_backward(
    x: &Tensor,
    weight: &Tensor,
    has_bias: bool,
    grad_y: &Tensor,
    p: Conv2dParams,
) -> Result<Conv2dGrads> {
    conv2d_backward_with(x, weight, has_bias, grad_y, p, true)
}

/// [`conv2d_backward`], skipping `dx` when `input_grad` is `false` (as autograd does for an
/// input that does not require grad, e.g. a model's first layer on images): `Conv2dGrads::x`
/// is then zeros of `x`'s shape, and the `Wᵀ·grad_y` GEMM and col2im are not run.
///
/// # Errors
/// As [`conv2d_backward`].
pub fn conv2d_backward_with(
    x: &Tensor,
    weight: &Tensor,
    has_bias: bool,
    grad_y: &Tensor,
    p: Conv2dParams,
    input_grad: bool,
) -> Result<Conv2dGrads> {
    let g = geometry(x.shape(), weight.shape(), None, p)?;
    grad_y.expect_shape("conv2d_backward", g.y_dims().slice())?;
    let (k, l, o) = (g.k(), g.l(), g.o);
    let chw = g.c * g.h * g.w;
    let (xs, gy) = (x.data(), grad_y.data());
    let wt = MatRef::row_major(weight.data(), o, k).t();

    // dx: per sample, dcols = Wᵀ · g[n], then col2im.
    let mut dx = pool::zeroed(g.n * chw);
    let dx_samples = if input_grad {
        dx.as_mut_slice()
    } else {
        &mut []
    };
    for_each_chunk_mut(dx_samples, chw, |n, dxn| {
        with_cols(k * l, |dcols| {
            let gn = MatRef::row_major(&gy[n * o * l..(n + 1) * o * l], o, l);
            sgemm_serial(wt, gn, dcols, false);
            col2im_add(dcols, &g, dxn);
        });
    });

    // dweight: partial sums over fixed chunks of samples, added in order.
    // dweight += g[n] · colsᵀ with colsᵀ a free transposed view (column-major B).
    // The partial sums live in one pooled buffer, one `o·k` block per chunk.
    let chunks = g.n.div_ceil(DW_CHUNK);
    let mut partials = pool::zeroed(chunks * o * k);
    for_each_chunk_mut(&mut partials, o * k, |ci, dw| {
        with_cols(k * l, |cols| {
            for n in ci * DW_CHUNK..((ci + 1) * DW_CHUNK).min(g.n) {
                im2col(&xs[n * chw..(n + 1) * chw], &g, cols);
                let gn = MatRef::row_major(&gy[n * o * l..(n + 1) * o * l], o, l);
                sgemm_serial(gn, MatRef::row_major(cols, k, l).t(), dw, true);
            }
        });
    });
    let mut dw = pool::zeroed(o * k);
    for part in partials.chunks_exact((o * k).max(1)) {
        dw.iter_mut().zip(part).for_each(|(d, &v)| *d += v);
    }
    pool::recycle(partials);

    let bias = if has_bias {
        let mut db = pool::zeroed(o);
        for (i, plane) in gy.chunks(l.max(1)).enumerate() {
            db[i % o] += plane.iter().sum::<f32>();
        }
        Some(Tensor::from_vec(&[o], db)?)
    } else {
        None
    };
    Ok(Conv2dGrads {
        x: Tensor::from_vec(x.shape(), dx)?,
        weight: Tensor::from_vec(weight.shape(), dw)?,
        bias,
    })
}
