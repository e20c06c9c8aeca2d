//! `permute` and `transpose`: reorder dimensions. PyTorch returns a strided view; nnbook keeps
//! storage contiguous, so these copy the elements into the new row-major order.
//!
//! Output element `out[i0, i1, …]` is `input[j]` with `j[dims[k]] = i_k`: output dimension `k` is
//! input dimension `dims[k]`.

use super::shape::wrap_dim;
use super::Tensor;
use crate::error::{Error, Result};
use ndarray::IxDyn;

impl Tensor {
    /// `t.permute(dims)`: output dimension `k` is input dimension `dims[k]` (negative values count
    /// from the end). `[2, 3, 4]` permuted by `[2, 0, 1]` is `[4, 2, 3]`.
    ///
    /// # Errors
    /// - [`Error::PermuteLen`] when `dims.len() != ndim` (PyTorch's text, `permute(sparse_coo)`
    ///   included);
    /// - then, scanning `dims` left to right, [`Error::DimOutOfRange`] (IndexError) or
    ///   [`Error::PermuteDuplicate`], whichever comes first.
    pub fn permute(&self, dims: &[i64]) -> Result<Tensor> {
        const OP: &str = "permute";
        let ndim = self.ndim();
        if dims.len() != ndim {
            return Err(Error::PermuteLen {
                op: OP,
                ndim,
                len: dims.len(),
            });
        }
        let mut axes = Vec::with_capacity(ndim);
        let mut seen = vec![false; ndim];
        for &dim in dims {
            let d = wrap_dim(OP, dim, ndim)?;
            if seen[d] {
                return Err(Error::PermuteDuplicate { op: OP });
            }
            seen[d] = true;
            axes.push(d);
        }
        Ok(self.permuted(&axes))
    }

    /// `t.transpose(dim0, dim1)`: swaps two dimensions (negative values count from the end).
    /// `[64, 3, 32, 32]` transposed by `(1, -1)` is `[64, 32, 32, 3]`. A 0-d tensor accepts
    /// `0`/`-1` and is returned unchanged.
    ///
    /// # Errors
    /// [`Error::DimOutOfRange`] (IndexError), `dim0` checked first.
    pub fn transpose(&self, dim0: i64, dim1: i64) -> Result<Tensor> {
        const OP: &str = "transpose";
        let d0 = wrap_dim(OP, dim0, self.ndim())?;
        let d1 = wrap_dim(OP, dim1, self.ndim())?;
        if self.ndim() == 0 {
            return Ok(self.clone());
        }
        let mut axes: Vec<usize> = (0..self.ndim()).collect();
        axes.swap(d0, d1);
        Ok(self.permuted(&axes))
    }

    /// Copies into the order given by `axes`, a validated permutation of `0..ndim`.
    fn permuted(&self, axes: &[usize]) -> Tensor {
        let view = self.as_array().view().permuted_axes(IxDyn(axes));
        Tensor::from_array(view.as_standard_layout().into_owned())
    }
}
