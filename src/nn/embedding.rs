//! `nn.Embedding(num_embeddings, embedding_dim, padding_idx=None)`: a learnable table of
//! `num_embeddings` rows of size `embedding_dim`; the input holds row numbers.
//!
//! Parameter (state_dict name): `weight` `[V, D]`, initialised as PyTorch does:
//! `normal_(weight)` from the global generator (N(0, 1), drawn as [`crate::rng::randn`]), then
//! the `padding_idx` row set to zero. The `padding_idx` row gets no gradient.
//!
//! nnbook tensors are float32, so [`Module::forward`] takes the indices as a float tensor of
//! whole numbers (a fractional value is refused with PyTorch's text for a float index
//! tensor); [`Embedding::forward_indices`] takes them as `i64`.
//!
//! ```
//! use nnbook::nn::{Embedding, Module};
//! use nnbook::Tensor;
//! let mut emb = Embedding::new(10, 3, Some(0)).unwrap();
//! assert_eq!(emb.repr(0), "Embedding(10, 3, padding_idx=0)");
//! let y = emb.forward_indices(&[0, 4, 4], &[3]).unwrap();
//! assert_eq!(y.shape(), &[3, 3]);
//! assert_eq!(&y.data()[..3], &[0.0, 0.0, 0.0]);
//! ```

use crate::error::{Error, PyKind, Result};
use crate::nn::linear::{accumulate, no_forward};
use crate::nn::{Module, Param};
use crate::ops::embedding::{embedding_backward, embedding_forward};
use crate::tensor::{guard, Tensor};

/// A lookup table. `indices`: any shape `[*]` → `y`: `[*, embedding_dim]`.
#[derive(Clone, Debug)]
pub struct Embedding {
    pub num_embeddings: usize,
    pub embedding_dim: usize,
    /// The row that stays zero and gets no gradient (a negative `padding_idx` given to
    /// [`Embedding::new`] is stored as `num_embeddings + padding_idx`, as PyTorch does).
    pub padding_idx: Option<usize>,
    /// `[num_embeddings, embedding_dim]`.
    pub weight: Param,
    indices: Option<Vec<i64>>,
}

impl Embedding {
    /// `nn.Embedding(num_embeddings, embedding_dim, padding_idx)` with PyTorch's default
    /// initialisation from the global generator.
    ///
    /// # Errors
    /// `AssertionError: Padding_idx must be within num_embeddings` when `padding_idx` is not
    /// in `[-num_embeddings, num_embeddings)`; [`Error::TooLarge`] past the size guard.
    pub fn new(
        num_embeddings: usize,
        embedding_dim: usize,
        padding_idx: Option<i64>,
    ) -> Result<Embedding> {
        let v = num_embeddings as i64;
        let padding_idx = match padding_idx {
            None => None,
            Some(p) if (-v..v).contains(&p) => Some(if p < 0 { p + v } else { p } as usize),
            Some(_) => {
                return Err(Error::msg(
                    "Embedding",
                    PyKind::AssertionError,
                    "Padding_idx must be within num_embeddings",
                ))
            }
        };
        guard::check_numel("Embedding", &[num_embeddings, embedding_dim])?;
        let mut weight = crate::rng::randn(&[num_embeddings, embedding_dim])?;
        if let Some(p) = padding_idx {
            let d = embedding_dim;
            weight.data_mut()[p * d..(p + 1) * d].fill(0.0);
        }
        Ok(Embedding {
            num_embeddings,
            embedding_dim,
            padding_idx,
            weight: Param::new(weight),
            indices: None,
        })
    }

    /// `y = embedding(indices)` for `i64` indices of shape `shape`: `[*shape, embedding_dim]`.
    ///
    /// # Errors
    /// `IndexError: index out of range in self` for an index outside `[0, num_embeddings)`.
    pub fn forward_indices(&mut self, indices: &[i64], shape: &[usize]) -> Result<Tensor> {
        let y = embedding_forward(indices, shape, &self.weight.value)?;
        self.indices = Some(indices.to_vec());
        Ok(y)
    }
}

/// The indices held by a float tensor, refusing fractional values with PyTorch's text for a
/// float index tensor.
///
/// # Errors
/// `RuntimeError: Expected tensor for argument #1 'indices' to have one of the following
/// scalar types: Long, Int; but got torch.FloatTensor instead (while checking arguments for
/// embedding)`.
pub fn indices_of(x: &Tensor) -> Result<Vec<i64>> {
    if x.data().iter().any(|v| v.fract() != 0.0 || !v.is_finite()) {
        return Err(Error::runtime(
            "embedding",
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.FloatTensor instead (while checking arguments for embedding)",
        ));
    }
    Ok(x.data().iter().map(|&v| v as i64).collect())
}

impl Module for Embedding {
    /// `x`: whole numbers (row indices), any shape.
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let idx = indices_of(x)?;
        self.forward_indices(&idx, x.shape())
    }

    /// Accumulates `weight.grad` and returns zeros of the index shape (indices have no
    /// gradient).
    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let idx = self
            .indices
            .as_ref()
            .ok_or_else(|| no_forward("Embedding"))?;
        let dw = embedding_backward(
            idx,
            grad_y,
            self.num_embeddings,
            self.embedding_dim,
            self.padding_idx,
        )?;
        accumulate(&mut self.weight.grad, &dw);
        let s = grad_y.shape();
        Tensor::zeros(&s[..s.len().saturating_sub(1)])
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        vec![("weight".into(), &self.weight)]
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        vec![("weight".into(), &mut self.weight)]
    }

    /// `Embedding(10, 3)` or `Embedding(10, 3, padding_idx=0)`.
    fn repr(&self, _indent: usize) -> String {
        let pad = self
            .padding_idx
            .map_or(String::new(), |p| format!(", padding_idx={p}"));
        format!(
            "Embedding({}, {}{pad})",
            self.num_embeddings, self.embedding_dim
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let mut s = input.to_vec();
        s.push(self.embedding_dim);
        Ok(s)
    }
}
