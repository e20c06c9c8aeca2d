//! Checks shared by the optimizers.

use crate::error::{Error, Result};
use crate::nn::{Module, Param};

/// Checks that every gradient has its parameter's shape.
pub(crate) fn check_grads(op: &'static str, params: &[(String, &mut Param)]) -> Result<()> {
    for (_, p) in params {
        check_grad(op, p)?;
    }
    Ok(())
}

/// Checks that `p`'s gradient has its shape.
pub(crate) fn check_grad(op: &'static str, p: &Param) -> Result<()> {
    p.grad.expect_shape(op, p.value.shape())
}

/// Runs `check(name, param)` over `model`'s parameters (names built in `names`), stopping at
/// the first error.
pub(crate) fn check_all(
    model: &mut dyn Module,
    names: &mut String,
    mut check: impl FnMut(&str, &Param) -> Result<()>,
) -> Result<()> {
    let mut result = Ok(());
    model.visit_parameters_mut(names, &mut |name, p| {
        if result.is_ok() {
            result = check(name, p);
        }
    });
    result
}

/// The checks before an optimizer's step over `model`: every gradient has its parameter's
/// shape, then every state kept for a parameter (`state_of(name)`) has its number of elements.
/// `names` is the caller's reused name buffer (cleared here).
pub(crate) fn check_step<'s>(
    op: &'static str,
    model: &mut dyn Module,
    names: &mut String,
    state_of: impl Fn(&str) -> Option<&'s Vec<f32>>,
) -> Result<()> {
    names.clear();
    check_all(model, names, |_, p| check_grad(op, p))?;
    check_all(model, names, |name, p| {
        check_state_len(op, name, p, state_of(name))
    })
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
