//! `reshape` and `flatten` cases: on `arange(numel)` of `input_shape`, either the result shape
//! and sampled elements, or PyTorch's exception class and exact message.

use super::fixture::Case;
use super::{Computed, Ctx};
use crate::{Error, Tensor};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReshapeParams {
    input_shape: Vec<usize>,
    shape: Vec<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlattenParams {
    input_shape: Vec<usize>,
    start_dim: i64,
    end_dim: i64,
}

/// `torch.arange(numel).reshape(input_shape).reshape(shape)`.
pub(super) fn reshape(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: ReshapeParams = case.params()?;
    let x = Tensor::arange(&p.input_shape).map_err(|e| super::op_err("Tensor::arange", e))?;
    check_result(case, x.reshape(&p.shape))
}

/// `torch.arange(numel).reshape(input_shape).flatten(start_dim, end_dim)`.
pub(super) fn flatten(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: FlattenParams = case.params()?;
    let x = Tensor::arange(&p.input_shape).map_err(|e| super::op_err("Tensor::arange", e))?;
    check_result(case, x.flatten(p.start_dim, p.end_dim))
}

/// Compares a result with the case's `error` / `expected_shape` / `expected_samples` or
/// `error_type` / `error_message` fields.
fn check_result(case: &Case, got: crate::Result<Tensor>) -> Result<Computed, String> {
    let want_error = case
        .error
        .ok_or("malformed case: missing the 'error' field (true or false)")?;
    match (want_error, got) {
        (true, Ok(t)) => Err(format!(
            "expected {}: {}, got a tensor of shape {:?}",
            case.error_type.as_deref().unwrap_or("?"),
            case.error_message.as_deref().unwrap_or("?"),
            t.shape()
        )),
        (true, Err(e)) => check_error(case, &e).map(|_| Computed::default()),
        (false, Err(e)) => Err(format!(
            "expected shape {:?}, got {}",
            case.expected_shape.as_deref().unwrap_or(&[]),
            e.to_python_string()
        )),
        (false, Ok(t)) => check_tensor(case, &t).map(|_| Computed::default()),
    }
}

pub(super) fn check_error(case: &Case, e: &Error) -> Result<(), String> {
    let (Some(kind), Some(msg)) = (&case.error_type, &case.error_message) else {
        return Err("malformed case: 'error': true needs 'error_type' and 'error_message'".into());
    };
    let got = (e.py_kind().as_str(), e.to_string());
    if got.0 != kind || got.1 != *msg {
        return Err(format!(
            "error text differs: got {}: {} want {kind}: {msg}",
            got.0, got.1
        ));
    }
    Ok(())
}

fn check_tensor(case: &Case, t: &Tensor) -> Result<(), String> {
    let want = case
        .expected_shape
        .as_ref()
        .ok_or("malformed case: 'error': false needs 'expected_shape'")?;
    if t.shape() != want.as_slice() {
        return Err(format!("got shape {:?}, want {:?}", t.shape(), want));
    }
    for s in case.expected_samples.iter().flatten() {
        if s.index.len() != want.len() || s.index.iter().zip(want).any(|(i, n)| i >= n) {
            return Err(format!(
                "malformed case: sample index {:?} is outside shape {:?}",
                s.index, want
            ));
        }
        let flat = s
            .index
            .iter()
            .zip(want)
            .fold(0usize, |acc, (i, n)| acc * n + i);
        let got = t.data()[flat] as f64;
        if got != s.value {
            return Err(format!("element {:?} is {got}, want {}", s.index, s.value));
        }
    }
    Ok(())
}
