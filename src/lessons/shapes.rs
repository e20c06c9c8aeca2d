//! What the shape ops do to a shape, for the reshape/flatten figure.
//!
//! Only shapes are computed (a `[64, 3, 32, 32]` tensor needs no storage to be reshaped); the
//! checks and error texts are those of [`infer_shape`] and [`flatten_shape`], i.e. PyTorch's.
//!
//! ```
//! use nnbook::lessons::shapes::{ShapeOp, shape_view};
//! let v = shape_view(&[64, 3, 32, 32], &ShapeOp::Reshape(vec![64, -1])).unwrap();
//! assert_eq!((v.out_shape, v.numel, v.inferred), (vec![64, 3072], 196608, Some(1)));
//! let e = shape_view(&[64, 3, 32, 32], &ShapeOp::Reshape(vec![7, -1])).unwrap_err();
//! assert_eq!(e.to_python_string(), "RuntimeError: shape '[7, -1]' is invalid for input of size 196608");
//! ```

use crate::error::{Error, Result};
use crate::tensor::index::unravel_index;
use crate::tensor::shape::{flatten_shape, infer_shape};

/// One shape op applied to a tensor of a given shape.
#[derive(Clone, Debug, PartialEq)]
pub enum ShapeOp {
    /// `x.reshape(shape)` (one entry may be `-1`).
    Reshape(Vec<i64>),
    /// `x.view(shape)` (same rule as reshape for nnbook's contiguous tensors).
    View(Vec<i64>),
    /// `torch.flatten(x, start_dim, end_dim)`.
    Flatten { start_dim: i64, end_dim: i64 },
    /// `nn.Flatten(start_dim, end_dim)(x)` (defaults 1 and -1).
    NnFlatten { start_dim: i64, end_dim: i64 },
}

/// The result of a [`ShapeOp`]: input and output shapes, their common element count, and which
/// output entry was inferred from a `-1` (if any).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ShapeView {
    pub in_shape: Vec<usize>,
    pub out_shape: Vec<usize>,
    pub numel: usize,
    pub inferred: Option<usize>,
}

/// Checks a user-typed input shape (`torch.zeros(*shape)`), returning it as sizes.
///
/// # Errors
/// `RuntimeError: zeros: Dimension size must be non-negative.` for a negative entry (PyTorch's
/// text); the size guard's error when the element count would not fit in memory.
pub fn input_shape(shape: &[i64]) -> Result<Vec<usize>> {
    if shape.iter().any(|&d| d < 0) {
        return Err(Error::runtime(
            "zeros",
            "zeros: Dimension size must be non-negative.",
        ));
    }
    let sizes: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
    crate::tensor::guard::check_numel("zeros", &sizes)?;
    Ok(sizes)
}

/// Applies `op` to the shape `in_shape`.
///
/// # Errors
/// PyTorch's: `shape '[7, -1]' is invalid for input of size 196608`, `only one dimension can be
/// inferred`, `invalid shape dimension -2 ...`, `Dimension out of range ...` (IndexError),
/// `flatten() has invalid args: start_dim cannot come after end_dim`.
pub fn shape_view(in_shape: &[usize], op: &ShapeOp) -> Result<ShapeView> {
    let numel: usize = in_shape.iter().product();
    let (out_shape, inferred) = match op {
        ShapeOp::Reshape(s) | ShapeOp::View(s) => {
            let name = if matches!(op, ShapeOp::View(_)) {
                "view"
            } else {
                "reshape"
            };
            (
                infer_shape(name, s, numel)?,
                s.iter().position(|&d| d == -1),
            )
        }
        ShapeOp::Flatten { start_dim, end_dim } | ShapeOp::NnFlatten { start_dim, end_dim } => {
            (flatten_shape(in_shape, *start_dim, *end_dim)?, None)
        }
    };
    Ok(ShapeView {
        in_shape: in_shape.to_vec(),
        out_shape,
        numel,
        inferred,
    })
}

/// Each element's multi-index in `shape`, flattened: `out[i * ndim + d]` is coordinate `d` of
/// the element at row-major position `i`. For at most `limit` elements (else `None`), as the
/// figure only draws small tensors.
pub fn index_table(shape: &[usize], limit: usize) -> Option<Vec<u32>> {
    let numel: usize = shape.iter().product();
    if numel > limit {
        return None;
    }
    let mut out = Vec::with_capacity(numel * shape.len());
    for i in 0..numel {
        out.extend(unravel_index(i, shape).into_iter().map(|v| v as u32));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_keeps_the_batch_and_index_tables_agree() {
        let v = shape_view(
            &[2, 3, 4],
            &ShapeOp::NnFlatten {
                start_dim: 1,
                end_dim: -1,
            },
        )
        .unwrap();
        assert_eq!(v.out_shape, vec![2, 12]);
        let a = index_table(&v.in_shape, 100).unwrap();
        let b = index_table(&v.out_shape, 100).unwrap();
        // Element 17 is x[1, 1, 1] and flat[1, 5].
        assert_eq!(&a[17 * 3..18 * 3], &[1, 1, 1]);
        assert_eq!(&b[17 * 2..18 * 2], &[1, 5]);
        assert!(index_table(&[64, 3, 32, 32], 1024).is_none());
        assert_eq!(
            input_shape(&[-1, 3]).unwrap_err().to_python_string(),
            "RuntimeError: zeros: Dimension size must be non-negative."
        );
    }
}
