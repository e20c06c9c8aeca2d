//! `torch.nn.functional.linear`: `y = x · weightᵀ + bias`.
//!
//! `x` is `[*, in]` (any number of leading dims, including none: a 1-D `[in]` gives `[out]`);
//! the leading dims are flattened to `N` rows for the GEMM and restored on the output.

use crate::error::{fmt_shape, Error, Result};
use crate::kernels::{sgemm, MatRef};
use crate::tensor::{pool, Tensor};
use ndarray::{Dimension, IxDyn};

/// Rows and features of `x` viewed as `[N, in]`, after PyTorch's checks.
fn check(x: &Tensor, weight: &Tensor, has_bias: bool) -> Result<(usize, usize, usize)> {
    if x.ndim() == 0 || weight.ndim() == 0 {
        return Err(Error::runtime(
            "linear",
            format!(
                "both arguments to linear need to be at least 1D, but they are {}D and {}D",
                x.ndim(),
                weight.ndim()
            ),
        ));
    }
    if weight.ndim() != 2 {
        return Err(Error::runtime(
            "linear",
            format!(
                "linear: weight must be 2-D [out_features, in_features], but got weight of size {}",
                fmt_shape(weight.shape())
            ),
        ));
    }
    let inf = *x.shape().last().unwrap_or(&1);
    let rows = x.shape()[..x.ndim() - 1].iter().product::<usize>();
    let (out, w_in) = (weight.shape()[0], weight.shape()[1]);
    if inf != w_in {
        return Err(Error::MatmulShape {
            op: if has_bias { "addmm" } else { "mm" },
            lhs: [rows, inf],
            rhs: [w_in, out],
        });
    }
    Ok((rows, inf, out))
}

fn out_shape(x: &Tensor, out: usize) -> Vec<usize> {
    out_dims(x, out).slice().to_vec()
}

/// [`out_shape`] without allocating for up to 4 dims (`IxDyn` keeps them inline).
fn out_dims(x: &Tensor, out: usize) -> IxDyn {
    let mut s = IxDyn(x.shape());
    if let Some(last) = s.slice_mut().last_mut() {
        *last = out;
    }
    s
}

/// `y = x · weightᵀ + bias`.
///
/// * `x`: `[N, in]` (or `[in]`, or `[*, in]`)
/// * `weight`: `[out, in]`
/// * `bias`: `[out]`, optional
///
/// Returns `y`: `[N, out]` (`x`'s shape with the last dim replaced by `out`).
///
/// # Errors
/// [`Error::MatmulShape`] (`addmm: mat1 and mat2 shapes cannot be multiplied (64x3072 and
/// 196608x10)`, `mm:` without bias) when `in` differs; PyTorch's expand text when `bias` is not
/// `[out]` (a broadcastable 1-element bias, which PyTorch accepts, is refused too); an error
/// for a 0-d `x` or a weight that is not 2-D.
pub fn linear_forward(x: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
    let (n, inf, out) = check(x, weight, bias.is_some())?;
    if let Some(b) = bias {
        if b.shape() != [out] {
            let mut target = out_shape(x, out);
            if target.len() == 1 {
                target.insert(0, 1);
            }
            let existing = b.shape().last().copied().unwrap_or(1);
            return Err(Error::runtime(
                "linear",
                format!(
                    "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {}.  Tensor sizes: {}",
                    out,
                    existing,
                    target.len() - 1,
                    fmt_shape(&target),
                    fmt_shape(b.shape())
                ),
            ));
        }
    }
    let shape = out_dims(x, out);
    crate::tensor::guard::check_numel("linear", shape.slice())?;
    let mut y = pool::zeroed(n * out);
    if let Some(b) = bias {
        for row in y.chunks_mut(out.max(1)) {
            row.copy_from_slice(b.data());
        }
    }
    let a = MatRef::row_major(x.data(), n, inf);
    let wt = MatRef::row_major(weight.data(), out, inf).t();
    sgemm(a, wt, &mut y, bias.is_some());
    Tensor::from_vec(shape.slice(), y)
}

/// Gradients of [`linear_forward`]: each has its input's shape.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearGrads {
    /// `dL/dx`: `x`'s shape.
    pub x: Tensor,
    /// `dL/dweight`: `[out, in]`.
    pub weight: Tensor,
    /// `dL/dbias`: `[out]`, `Some` iff `has_bias`.
    pub bias: Option<Tensor>,
}

/// Backward of [`linear_forward`].
///
/// * `x`: `[N, in]` (as given to the forward), `weight`: `[out, in]`
/// * `grad_y`: `[N, out]` (`dL/dy`)
///
/// `dx = grad_y · weight`, `dweight = grad_yᵀ · x`, `dbias = Σ_rows grad_y`.
///
/// # Errors
/// The forward's shape errors; [`Error::ShapeMismatch`] if `grad_y` is not `y`'s shape.
pub fn linear_backward(
    x: &Tensor,
    weight: &Tensor,
    has_bias: bool,
    grad_y: &Tensor,
) -> Result<LinearGrads> {
    let (n, inf, out) = check(x, weight, has_bias)?;
    grad_y.expect_shape("linear_backward", out_dims(x, out).slice())?;
    let g = MatRef::row_major(grad_y.data(), n, out);
    let mut dx = pool::zeroed(n * inf);
    sgemm(
        g,
        MatRef::row_major(weight.data(), out, inf),
        &mut dx,
        false,
    );
    let mut dw = pool::zeroed(out * inf);
    sgemm(g.t(), MatRef::row_major(x.data(), n, inf), &mut dw, false);
    let bias = if has_bias {
        let mut db = pool::zeroed(out);
        for row in grad_y.data().chunks(out.max(1)) {
            db.iter_mut().zip(row).for_each(|(d, &v)| *d += v);
        }
        Some(Tensor::from_vec(&[out], db)?)
    } else {
        None
    };
    Ok(LinearGrads {
        x: Tensor::from_vec(x.shape(), dx)?,
        weight: Tensor::from_vec(&[out, inf], dw)?,
        bias,
    })
}
