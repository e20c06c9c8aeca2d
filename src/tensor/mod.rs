//! `Tensor`: an f32, row-major (C-contiguous) n-d array on `ndarray`, with PyTorch's shape
//! semantics. Shape-changing ops (`reshape`, `flatten`, `view`, `permute`, …) live in
//! [`shape`]; the storage is always contiguous, so kernels see plain `&[f32]` slices.

pub mod cat;
pub mod guard;
pub mod index;
pub mod permute;
pub mod shape;

use crate::error::{Error, Result};
use ndarray::{ArrayD, IxDyn};

/// An f32 tensor with a row-major, contiguous storage.
///
/// Invariant: `array` is in standard (C) layout, so [`Tensor::data`] is its whole storage in
/// row-major order.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    array: ArrayD<f32>,
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
        Tensor::from_vec(shape, vec![value; numel])
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
        Tensor {
            array: ArrayD::from_elem(IxDyn(&[]), value),
        }
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
    pub fn into_vec(self) -> Vec<f32> {
        let (v, _offset) = self.array.into_raw_vec_and_offset();
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
        Tensor {
            array: self.array.mapv(f),
        }
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
