//! `Tensor`: an f32, row-major (C-contiguous) n-d array on `ndarray`, with PyTorch's shape
//! semantics. Shape-changing ops (`reshape`, `flatten`, `view`, `permute`, …) live in
//! [`shape`]; the storage is always contiguous, so kernels see plain `&[f32]` slices.

pub mod cat;
pub mod guard;
pub mod index;
pub mod permute;
pub mod pool;
pub mod shape;

use crate::error::{Error, Result};
use ndarray::{ArrayD, IxDyn};

/// An f32 tensor with a row-major, contiguous storage.
///
/// Invariant: `array` is in standard (C) layout, so [`Tensor::data`] is its whole storage in
/// row-major order.
///
/// Storage is recycled: a dropped tensor gives its buffer to this thread's [`pool`], and
/// constructors, `clone` and ops take their buffers from it (always fully written).
#[derive(Debug, PartialEq)]
pub struct Tensor {
    array: ArrayD<f32>,
}

/// An empty array that owns no heap storage (what a consumed or dropped tensor is left with).
fn empty_array() -> ArrayD<f32> {
    ArrayD::zeros(IxDyn(&[0]))
}

impl Drop for Tensor {
    fn drop(&mut self) {
        let array = std::mem::replace(&mut self.array, empty_array());
        pool::recycle(array.into_raw_vec_and_offset().0);
    }
}

impl Clone for Tensor {
    /// A copy in a pooled buffer.
    fn clone(&self) -> Tensor {
        let array = ArrayD::from_shape_vec(self.array.raw_dim(), pool::copied(self.data()))
            .expect("same shape and length as an existing tensor");
        Tensor { array }
    }

    /// Copies `source` into `self`'s storage when the shapes match (no allocation).
    fn clone_from(&mut self, source: &Tensor) {
        if self.shape() == source.shape() {
            self.data_mut().copy_from_slice(source.data());
        } else {
            *self = source.clone();
        }
    }
}

impl Tensor {
    /// A tensor of `shape` holding `data` in row-major order.
    ///
    /// # Errors
    /// `RuntimeError` if `data.len()` is not the product of `shape`; [`Error::TooLarge`] past the
    /// size guard.
    pub fn from_vec(shape: &[usize], data: Vec<f32>) -> Result<Tensor> {
        let numel = guard::check_numel("tensor", shape)?;
        if data.len() != numel {
            return Err(Error::runtime(
                "tensor",
                format!(
                    "shape {} needs {} elements, but {} were given",
                    crate::error::fmt_shape(shape),
                    numel,
                    data.len()
                ),
            ));
        }
        let array = ArrayD::from_shape_vec(IxDyn(shape), data)
            .map_err(|e| Error::runtime("tensor", e.to_string()))?;
        Ok(Tensor { array })
    }

    /// A tensor of `shape` filled with `value`.
    ///
    /// # Errors
    /// [`Error::TooLarge`] past the size guard.
    pub fn full(shape: &[usize], value: f32) -> Result<Tensor> {
        let numel = guard::check_numel("full", shape)?;
        Tensor::from_vec(shape, pool::filled(numel, value))
    }

    /// `torch.zeros(shape)`.
    pub fn zeros(shape: &[usize]) -> Result<Tensor> {
        Tensor::full(shape, 0.0)
    }

    /// `torch.ones(shape)`.
    pub fn ones(shape: &[usize]) -> Result<Tensor> {
        Tensor::full(shape, 1.0)
    }

    /// `torch.arange(n)` as f32, reshaped to `shape` (n = product of `shape`).
    pub fn arange(shape: &[usize]) -> Result<Tensor> {
        let numel = guard::check_numel("arange", shape)?;
        Tensor::from_vec(shape, (0..numel).map(|i| i as f32).collect())
    }

    /// A 0-d tensor holding `value`.
    pub fn scalar(value: f32) -> Tensor {
        let array = ArrayD::from_shape_vec(IxDyn(&[]), pool::filled(1, value))
            .expect("one element for a 0-d shape");
        Tensor { array }
    }

    /// Wraps an ndarray array (copied into standard layout if it is not already).
    pub fn from_array(array: ArrayD<f32>) -> Tensor {
        let array = if array.is_standard_layout() {
            array
        } else {
            array.as_standard_layout().into_owned()
        };
        Tensor { array }
    }

    /// The shape, e.g. `[64, 3, 32, 32]`.
    pub fn shape(&self) -> &[usize] {
        self.array.shape()
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.array.ndim()
    }

    /// Number of elements (product of the shape; 1 for a 0-d tensor).
    pub fn numel(&self) -> usize {
        self.array.len()
    }

    /// The elements in row-major order.
    pub fn data(&self) -> &[f32] {
        self.array
            .as_slice()
            .expect("Tensor storage is always standard layout")
    }

    /// The elements in row-major order, mutable.
    pub fn data_mut(&mut self) -> &mut [f32] {
        self.array
            .as_slice_mut()
            .expect("Tensor storage is always standard layout")
    }

    /// The storage as a `Vec`, in row-major order.
    pub fn into_vec(mut self) -> Vec<f32> {
        let array = std::mem::replace(&mut self.array, empty_array());
        let (v, _offset) = array.into_raw_vec_and_offset();
        v
    }

    /// The ndarray view of this tensor.
    pub fn as_array(&self) -> &ArrayD<f32> {
        &self.array
    }

    /// The single value of a one-element tensor (`tensor.item()`).
    ///
    /// # Errors
    /// `RuntimeError` (PyTorch's text) if the tensor has more than one element.
    pub fn item(&self) -> Result<f32> {
        if self.numel() != 1 {
            return Err(Error::runtime(
                "item",
                format!(
                    "a Tensor with {} elements cannot be converted to Scalar",
                    self.numel()
                ),
            ));
        }
        Ok(self.data()[0])
    }

    /// Same shape, every element mapped by `f`.
    pub fn map(&self, f: impl Fn(f32) -> f32) -> Tensor {
        let mut v = pool::empty(self.numel());
        v.extend(self.data().iter().map(|&x| f(x)));
        let array = ArrayD::from_shape_vec(self.array.raw_dim(), v)
            .expect("same shape and length as an existing tensor");
        Tensor { array }
    }

    /// Checks that `self` has exactly `shape`, naming `op` otherwise.
    pub fn expect_shape(&self, op: &'static str, shape: &[usize]) -> Result<()> {
        if self.shape() != shape {
            return Err(Error::ShapeMismatch {
                op,
                lhs: self.shape().to_vec(),
                rhs: shape.to_vec(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_vec_checks_length() {
        assert!(Tensor::from_vec(&[2, 3], vec![0.0; 5]).is_err());
        let t = Tensor::arange(&[2, 3]).unwrap();
        assert_eq!(t.data(), &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(t.numel(), 6);
        assert_eq!(Tensor::scalar(2.5).item().unwrap(), 2.5);
        assert!(t.item().is_err());
    }
}
