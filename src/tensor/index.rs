//! Element access and row-major index arithmetic.
//!
//! For a shape `[d0, d1, …, dn-1]` the row-major strides are `s_k = d_{k+1} · … · d_{n-1}`, and
//! the flat position of `[i0, …, in-1]` is `Σ i_k · s_k` ([`ravel_index`]); [`unravel_index`]
//! inverts it. The lesson uses the pair to follow one element from `[64, 3, 32, 32]` to
//! `[64, 3072]`: reshape keeps the flat position, so
//! `unravel_index(ravel_index(i, old), new)` is where it lands.

use super::Tensor;
use crate::error::{Error, Result};

/// The flat row-major position of the multi-index `index` in `shape`:
/// `ravel_index(&[1, 2], &[4, 3]) == 5`.
///
/// Pure arithmetic, no bounds checks (use [`Tensor::get`] for checked access): entries are
/// paired with `shape` from the left, extra ones are ignored, and the sum saturates instead of
/// overflowing. Never panics.
pub fn ravel_index(index: &[usize], shape: &[usize]) -> usize {
    let mut flat = 0usize;
    let mut stride = 1usize;
    for (k, &size) in shape.iter().enumerate().rev() {
        let i = index.get(k).copied().unwrap_or(0);
        flat = flat.saturating_add(i.saturating_mul(stride));
        stride = stride.saturating_mul(size);
    }
    flat
}

/// The multi-index (one entry per dimension of `shape`) of the flat row-major position `flat`:
/// `unravel_index(5, &[4, 3]) == [1, 2]`; the inverse of [`ravel_index`] for
/// `flat < product(shape)`.
///
/// Never panics: a `flat` past the end overflows into the first coordinate (which then exceeds
/// `shape[0]`), size-0 dimensions get coordinate 0, and a 0-d `shape` gives `[]`.
pub fn unravel_index(flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    let mut rest = flat;
    for (k, &size) in shape.iter().enumerate().rev() {
        if k == 0 {
            index[0] = rest;
        } else if size > 0 {
            index[k] = rest % size;
            rest /= size;
        }
    }
    index
}

impl Tensor {
    /// `t[index].item()`: the element at `index`, negative entries counting from the end of
    /// their dimension. `index` may be shorter than the shape if the remaining dimensions hold a
    /// single element (`[4, 1]` at `[2]`); a 0-d tensor takes `[]`.
    ///
    /// # Errors
    /// In PyTorch's order:
    /// - [`Error::IndexZeroDim`] (IndexError) for a non-empty index into a 0-d tensor;
    /// - [`Error::TooManyIndices`] (IndexError) for more entries than dimensions;
    /// - [`Error::IndexOutOfBounds`] (IndexError) for the first entry outside
    ///   `[-size, size - 1]`: `index 5 is out of bounds for dimension 0 with size 4`;
    /// - `RuntimeError` `a Tensor with 3 elements cannot be converted to Scalar` when a short
    ///   index leaves more than one element.
    pub fn get(&self, index: &[i64]) -> Result<f32> {
        const OP: &str = "index";
        let shape = self.shape();
        if self.ndim() == 0 && !index.is_empty() {
            return Err(Error::IndexZeroDim { op: OP });
        }
        if index.len() > shape.len() {
            return Err(Error::TooManyIndices {
                op: OP,
                ndim: shape.len(),
            });
        }
        let mut full = vec![0usize; shape.len()];
        for (dim, (&i, &size)) in index.iter().zip(shape).enumerate() {
            let n = size as i64;
            if i < -n || i >= n {
                return Err(Error::IndexOutOfBounds {
                    op: OP,
                    index: i,
                    dim,
                    size,
                });
            }
            full[dim] = if i < 0 { (i + n) as usize } else { i as usize };
        }
        let remaining: usize = shape[index.len()..].iter().product();
        if remaining != 1 {
            return Err(Error::runtime(
                OP,
                format!("a Tensor with {remaining} elements cannot be converted to Scalar"),
            ));
        }
        Ok(self.data()[ravel_index(&full, shape)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ravel_and_unravel_small_cases() {
        assert_eq!(ravel_index(&[1, 2], &[4, 3]), 5);
        assert_eq!(unravel_index(5, &[4, 3]), vec![1, 2]);
        assert_eq!(unravel_index(0, &[]), Vec::<usize>::new());
        assert_eq!(unravel_index(7, &[2, 0, 3]), vec![2, 0, 1]);
        assert_eq!(unravel_index(13, &[4, 3]), vec![4, 1]);
        assert_eq!(ravel_index(&[usize::MAX, 1], &[4, 3]), usize::MAX);
    }
}
