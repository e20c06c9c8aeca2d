//! `torch.nn.functional.embedding`: a table lookup. Row `i` of `y` is row `indices[i]` of
//! `weight`; the backward scatters `dL/dy` back into the rows it came from (summing repeats),
//! leaving the `padding_idx` row at zero.

use crate::error::{Error, PyKind, Result};
use crate::tensor::{guard, Tensor};

/// PyTorch's `IndexError: index out of range in self`.
fn out_of_range() -> Error {
    Error::msg(
        "embedding",
        PyKind::IndexError,
        "index out of range in self",
    )
}

/// Checks every index against `num_embeddings` (negative indices are out of range, as in
/// PyTorch's embedding).
///
/// # Errors
/// `IndexError: index out of range in self`.
pub fn check_indices(indices: &[i64], num_embeddings: usize) -> Result<()> {
    if indices
        .iter()
        .any(|&i| i < 0 || i as u64 >= num_embeddings as u64)
    {
        return Err(out_of_range());
    }
    Ok(())
}

/// `y = embedding(indices, weight)`.
///
/// * `indices`: `prod(shape)` integers in `[0, V)`, `shape` any (`[]` for one index)
/// * `weight`: `[V, D]`
///
/// Returns `y`: `[*shape, D]`.
///
/// # Errors
/// `IndexError: index out of range in self`; [`Error::ShapeMismatch`] when `indices` does not
/// hold `prod(shape)` values; an error when `weight` is not 2-D.
pub fn embedding_forward(indices: &[i64], shape: &[usize], weight: &Tensor) -> Result<Tensor> {
    if weight.ndim() != 2 {
        return Err(Error::runtime("embedding", "'weight' must be 2-D"));
    }
    if shape.iter().product::<usize>() != indices.len() {
        return Err(Error::ShapeMismatch {
            op: "embedding",
            lhs: shape.to_vec(),
            rhs: vec![indices.len()],
        });
    }
    let (v, d) = (weight.shape()[0], weight.shape()[1]);
    check_indices(indices, v)?;
    let mut out_shape = shape.to_vec();
    out_shape.push(d);
    guard::check_numel("embedding", &out_shape)?;
    let w = weight.data();
    let mut y = Vec::with_capacity(indices.len() * d);
    for &i in indices {
        y.extend_from_slice(&w[i as usize * d..(i as usize + 1) * d]);
    }
    Tensor::from_vec(&out_shape, y)
}

/// `dL/dweight` of [`embedding_forward`]: `[V, D]`, row `r` the sum of the rows of `grad_y`
/// whose index is `r`; the `padding_idx` row stays zero.
///
/// * `indices`: as given to the forward; `grad_y`: `[*shape, D]`
///
/// # Errors
/// `IndexError` for an index out of range; [`Error::ShapeMismatch`] when `grad_y` does not
/// hold `indices.len()` rows of `D`.
pub fn embedding_backward(
    indices: &[i64],
    grad_y: &Tensor,
    num_embeddings: usize,
    embedding_dim: usize,
    padding_idx: Option<usize>,
) -> Result<Tensor> {
    check_indices(indices, num_embeddings)?;
    let d = embedding_dim;
    if grad_y.numel() != indices.len() * d || grad_y.shape().last().copied() != Some(d) {
        return Err(Error::ShapeMismatch {
            op: "embedding_backward",
            lhs: vec![indices.len(), d],
            rhs: grad_y.shape().to_vec(),
        });
    }
    let mut dw = vec![0.0f32; num_embeddings * d];
    for (&i, g) in indices.iter().zip(grad_y.data().chunks(d.max(1))) {
        let i = i as usize;
        if Some(i) == padding_idx {
            continue;
        }
        dw[i * d..(i + 1) * d]
            .iter_mut()
            .zip(g)
            .for_each(|(a, &b)| *a += b);
    }
    Tensor::from_vec(&[num_embeddings, d], dw)
}
