//! `torch.cat`: joins tensors along an existing dimension.
//!
//! Inputs `[a0, …, k_i, …, an]` (same sizes except in `dim`) give `[a0, …, Σ k_i, …, an]`.
//! As in PyTorch, a 1-d tensor of size 0 (shape `[0]`) is a legacy "empty" tensor and is skipped
//! whatever its rank; the first tensor that is not skipped is the reference for `dim` wrapping,
//! the number of dimensions and the sizes.

use super::shape::wrap_dim;
use super::{guard, Tensor};
use crate::error::{Error, Result};

fn is_legacy_empty(t: &Tensor) -> bool {
    t.shape() == [0]
}

/// `torch.cat(tensors, dim)`: concatenates `tensors` along `dim` (negative counts from the end).
/// `[2, 3]` and `[2, 2]` along `1` give `[2, 5]`, each output row being the first tensor's row
/// followed by the second's.
///
/// # Errors
/// Checked in PyTorch's order:
/// - [`Error::CatEmpty`] (ValueError) for an empty list;
/// - [`Error::CatZeroDim`] for the first 0-d tensor;
/// - [`Error::DimOutOfRange`] (IndexError) for `dim`, against the reference tensor's rank;
/// - per tensor in list order, [`Error::CatNdim`] then [`Error::CatSizes`]
///   (`Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for
///   tensor number 1 in the list.`, numbered by position in the list);
/// - [`Error::TooLarge`] past the size guard.
pub fn cat(tensors: &[&Tensor], dim: i64) -> Result<Tensor> {
    const OP: &str = "cat";
    if tensors.is_empty() {
        return Err(Error::CatEmpty { op: OP });
    }
    if let Some(position) = tensors.iter().position(|t| t.ndim() == 0) {
        return Err(Error::CatZeroDim { op: OP, position });
    }
    let Some(reference) = tensors.iter().find(|t| !is_legacy_empty(t)) else {
        // Only `[0]` tensors: PyTorch returns an empty `[0]` tensor and ignores `dim`.
        return Tensor::zeros(&[0]);
    };
    let ndim = reference.ndim();
    let d = wrap_dim(OP, dim, ndim)?;
    let mut out_shape = reference.shape().to_vec();
    out_shape[d] = 0;
    let mut parts = Vec::with_capacity(tensors.len());
    for (position, t) in tensors.iter().enumerate() {
        if is_legacy_empty(t) {
            continue;
        }
        if t.ndim() != ndim {
            return Err(Error::CatNdim {
                op: OP,
                expected: ndim,
                got: t.ndim(),
            });
        }
        let mismatch = (0..ndim).find(|&k| k != d && t.shape()[k] != reference.shape()[k]);
        if let Some(k) = mismatch {
            return Err(Error::CatSizes {
                op: OP,
                dim: d,
                expected: reference.shape()[k],
                got: t.shape()[k],
                position,
            });
        }
        out_shape[d] += t.shape()[d];
        parts.push(*t);
    }
    let numel = guard::check_numel(OP, &out_shape)?;
    // Row-major: every input is `outer` blocks of `shape[d] * inner` contiguous elements.
    let outer: usize = out_shape[..d].iter().product();
    let inner: usize = out_shape[d + 1..].iter().product();
    let mut data = Vec::with_capacity(numel);
    for o in 0..outer {
        for t in &parts {
            let block = t.shape()[d] * inner;
            data.extend_from_slice(&t.data()[o * block..(o + 1) * block]);
        }
    }
    Tensor::from_vec(&out_shape, data)
}

impl Tensor {
    /// `torch.cat(tensors, dim)` as an associated function; see [`cat`].
    ///
    /// # Errors
    /// As [`cat`].
    pub fn cat(tensors: &[&Tensor], dim: i64) -> Result<Tensor> {
        cat(tensors, dim)
    }
}
