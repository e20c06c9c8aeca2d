//! Checks shared by the optimizers.

use crate::error::{Error, Result};
use crate::nn::Param;

/// Checks that every gradient has its parameter's shape.
pub(crate) fn check_grads(op: &'static str, params: &[(String, &mut Param)]) -> Result<()> {
    for (_, p) in params {
        p.grad.expect_shape(op, p.value.shape())?;
    }
    Ok(())
}

/// Checks that state kept under `name` has as many elements as the parameter.
pub(crate) fn check_state_len(
    op: &'static str,
    name: &str,
    p: &Param,
    state: Option<&Vec<f32>>,
) -> Result<()> {
    match state {
        Some(s) if s.len() != p.value.numel() => Err(Error::runtime(
            op,
            format!(
                "{op}: the state of parameter {name} has {} elements, but the parameter has {}",
                s.len(),
                p.value.numel()
            ),
        )),
        _ => Ok(()),
    }
}
