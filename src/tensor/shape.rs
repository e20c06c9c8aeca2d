//! PyTorch shape semantics that only change the shape, never the element order:
//! `reshape`/`view` with one inferred `-1`, `flatten`, `squeeze`/`unsqueeze`, and the two rules
//! every shape op shares, [`infer_shape`] and [`wrap_dim`].
//!
//! The storage is always row-major and contiguous, so each of these returns a tensor holding the
//! same elements in the same order under a new shape. Ops that move elements live beside this
//! file: `permute`/`transpose` in [`super::permute`], `cat` in [`super::cat`], element access and
//! index arithmetic in [`super::index`].
//!
//! ```
//! use nnbook::Tensor;
//! let x = Tensor::zeros(&[64, 3, 32, 32]).unwrap();
//! assert_eq!(x.reshape(&[1, 1, 1, -1]).unwrap().shape(), &[1, 1, 1, 196608]);
//! assert_eq!(x.flatten(1, -1).unwrap().shape(), &[64, 3072]);
//! assert_eq!(
//!     x.reshape(&[7, -1]).unwrap_err().to_python_string(),
//!     "RuntimeError: shape '[7, -1]' is invalid for input of size 196608"
//! );
//! ```

use super::Tensor;
use crate::error::{Error, Result};

/// Resolves a `reshape`/`view` target `shape` for a tensor of `numel` elements, filling in the
/// single `-1` (PyTorch's `infer_size`). The lesson UI shows the result.
///
/// Entries are scanned left to right and the first problem is reported, as in PyTorch.
///
/// # Errors
/// - [`Error::MultipleInferred`] for a second `-1`: `only one dimension can be inferred`;
/// - [`Error::InvalidShapeDim`] for a negative entry other than `-1`:
///   `invalid shape dimension -2 at index 0 of shape [-2, 3072]`;
/// - [`Error::ReshapeAmbiguous`] for a `-1` next to a `0` when `numel` is 0;
/// - [`Error::InvalidShapeForSize`] when the sizes cannot hold exactly `numel` elements:
///   `shape '[7, -1]' is invalid for input of size 196608`.
///
/// All name `op` (`"reshape"` or `"view"`).
pub fn infer_shape(op: &'static str, shape: &[i64], numel: usize) -> Result<Vec<usize>> {
    let mut known: u128 = 1;
    let mut inferred: Option<usize> = None;
    for (index, &dim) in shape.iter().enumerate() {
        if dim == -1 {
            if inferred.is_some() {
                return Err(Error::MultipleInferred { op });
            }
            inferred = Some(index);
        } else if dim >= 0 {
            // Saturation is harmless: a saturated product can never equal a real `numel`, and a
            // later 0 still brings it back to 0.
            known = known.saturating_mul(dim as u128);
        } else {
            return Err(Error::InvalidShapeDim {
                op,
                dim,
                index,
                shape: shape.to_vec(),
            });
        }
    }
    let invalid = || Error::InvalidShapeForSize {
        op,
        shape: shape.to_vec(),
        numel,
    };
    let total = numel as u128;
    let inferred_size = match inferred {
        None if known == total => None,
        Some(_) if known == total && known == 0 => {
            return Err(Error::ReshapeAmbiguous {
                op,
                shape: shape.to_vec(),
            })
        }
        Some(_) if known > 0 && total.is_multiple_of(known) => Some(total / known),
        _ => return Err(invalid()),
    };
    shape
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let size = if Some(i) == inferred {
                inferred_size.unwrap_or(0)
            } else {
                d as u128
            };
            // Only fails on 32-bit targets for sizes no real tensor can have.
            usize::try_from(size).map_err(|_| invalid())
        })
        .collect()
}

/// Wraps a possibly negative `dim` into `0..ndim` (PyTorch's `maybe_wrap_dim`): `-1` is the last
/// dimension. A 0-d tensor accepts `0` and `-1`, as in PyTorch.
///
/// # Errors
/// [`Error::DimOutOfRange`] (IndexError) naming `op`:
/// `Dimension out of range (expected to be in range of [-4, 3], but got 4)`.
pub fn wrap_dim(op: &'static str, dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(Error::DimOutOfRange { op, dim, ndim });
    }
    let wrapped = if dim < 0 { dim + n } else { dim };
    Ok(wrapped as usize)
}

/// The shape `torch.flatten(t, start_dim, end_dim)` gives for a tensor of `shape` (a 0-d
/// tensor gives `[1]`); also what `nn.Flatten` reports without computing.
///
/// # Errors
/// [`Error::DimOutOfRange`] (IndexError) for either dim, `start_dim` checked first;
/// [`Error::FlattenStartAfterEnd`] when `start_dim` comes after `end_dim` once wrapped.
pub fn flatten_shape(shape: &[usize], start_dim: i64, end_dim: i64) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    flatten_shape_into(shape, start_dim, end_dim, &mut out)?;
    Ok(out)
}

/// [`flatten_shape`] written into `out` (cleared first), so a caller keeping `out` between
/// calls allocates nothing.
///
/// # Errors
/// As [`flatten_shape`] (`out` is left unchanged on error).
pub fn flatten_shape_into(
    shape: &[usize],
    start_dim: i64,
    end_dim: i64,
    out: &mut Vec<usize>,
) -> Result<()> {
    const OP: &str = "flatten";
    let start = wrap_dim(OP, start_dim, shape.len())?;
    let end = wrap_dim(OP, end_dim, shape.len())?;
    if start > end {
        return Err(Error::FlattenStartAfterEnd { op: OP });
    }
    out.clear();
    if shape.is_empty() {
        out.push(1);
        return Ok(());
    }
    out.extend_from_slice(&shape[..start]);
    out.push(shape[start..=end].iter().product());
    out.extend_from_slice(&shape[end + 1..]);
    Ok(())
}

impl Tensor {
    /// Same elements, row-major order kept, under a new shape (`t.reshape(shape)`); one entry may
    /// be `-1` and is inferred. `[64, 3, 32, 32]` reshaped to `[1, 1, 1, -1]` is
    /// `[1, 1, 1, 196608]`.
    ///
    /// # Errors
    /// As [`infer_shape`], naming `"reshape"`.
    pub fn reshape(&self, shape: &[i64]) -> Result<Tensor> {
        self.with_shape("reshape", shape)
    }

    /// `t.view(shape)`: identical to [`Tensor::reshape`] because nnbook's storage is always
    /// contiguous; errors name `"view"`.
    ///
    /// # Errors
    /// As [`infer_shape`], naming `"view"`.
    pub fn view(&self, shape: &[i64]) -> Result<Tensor> {
        self.with_shape("view", shape)
    }

    fn with_shape(&self, op: &'static str, shape: &[i64]) -> Result<Tensor> {
        let new_shape = infer_shape(op, shape, self.numel())?;
        self.with_sizes(&new_shape)
    }

    /// The same elements under `shape`, whose product is already known to be `numel`.
    fn with_sizes(&self, shape: &[usize]) -> Result<Tensor> {
        Tensor::from_vec(shape, self.data().to_vec())
    }

    /// `t.flatten(start_dim, end_dim)`: merges dimensions `start_dim..=end_dim` (negative values
    /// count from the end) into one. `[64, 3, 32, 32]`: `flatten(0, -1)` is `[196608]`,
    /// `flatten(1, -1)` is `[64, 3072]` (what `nn.Flatten()` does). A 0-d tensor flattens to
    /// `[1]`.
    ///
    /// # Errors
    /// As [`flatten_shape`].
    pub fn flatten(&self, start_dim: i64, end_dim: i64) -> Result<Tensor> {
        self.with_sizes(&flatten_shape(self.shape(), start_dim, end_dim)?)
    }

    /// `t.squeeze()` (`dim = None`) removes every size-1 dimension; `t.squeeze(dim)` removes
    /// `dim` only if its size is 1 and otherwise returns the tensor unchanged. `[1, 3, 1]`:
    /// `squeeze(None)` is `[3]`, `squeeze(Some(-1))` is `[1, 3]`, `squeeze(Some(1))` is
    /// `[1, 3, 1]`.
    ///
    /// # Errors
    /// [`Error::DimOutOfRange`] (IndexError) for a `dim` outside `[-ndim, ndim - 1]`.
    pub fn squeeze(&self, dim: Option<i64>) -> Result<Tensor> {
        let shape = self.shape();
        let new_shape: Vec<usize> = match dim {
            None => shape.iter().copied().filter(|&d| d != 1).collect(),
            Some(dim) => {
                let d = wrap_dim("squeeze", dim, self.ndim())?;
                let mut s = shape.to_vec();
                if s.get(d) == Some(&1) {
                    s.remove(d);
                }
                s
            }
        };
        self.with_sizes(&new_shape)
    }

    /// `t.unsqueeze(dim)`: inserts a size-1 dimension at `dim`, which may be in
    /// `[-ndim - 1, ndim]` (`-1` appends). `[2, 3]`: `unsqueeze(0)` is `[1, 2, 3]`,
    /// `unsqueeze(-1)` is `[2, 3, 1]`.
    ///
    /// # Errors
    /// [`Error::DimOutOfRange`] (IndexError), with the range computed for `ndim + 1`.
    pub fn unsqueeze(&self, dim: i64) -> Result<Tensor> {
        let d = wrap_dim("unsqueeze", dim, self.ndim() + 1)?;
        let mut new_shape = self.shape().to_vec();
        new_shape.insert(d, 1);
        self.with_sizes(&new_shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infer_shape_fills_the_minus_one() {
        assert_eq!(
            infer_shape("reshape", &[1, 1, 1, -1], 196608).unwrap(),
            vec![1, 1, 1, 196608]
        );
        assert_eq!(infer_shape("reshape", &[5, -1], 0).unwrap(), vec![5, 0]);
        assert_eq!(infer_shape("reshape", &[], 1).unwrap(), Vec::<usize>::new());
        assert!(infer_shape("reshape", &[], 2).is_err());
    }

    #[test]
    fn wrap_dim_counts_from_the_end() {
        assert_eq!(wrap_dim("t", -1, 4).unwrap(), 3);
        assert_eq!(wrap_dim("t", -4, 4).unwrap(), 0);
        assert_eq!(wrap_dim("t", -1, 0).unwrap(), 0);
        assert!(wrap_dim("t", 4, 4).is_err());
        assert!(wrap_dim("t", -5, 4).is_err());
        assert!(wrap_dim("t", i64::MIN, 4).is_err());
    }
}
