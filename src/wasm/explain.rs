//! Exports of [`crate::lessons::explain`]: a figure's own words for a failed shape op, which
//! the worker attaches to PyTorch's error (`error.explain`).

use super::figures::ShapeArgs;
use crate::lessons::explain::{explain_flatten_linear, explain_shape};
use wasm_bindgen::prelude::*;

/// Why the reshape figure's request (`shapeView`'s arguments) fails, or `undefined`.
///
/// # Errors
/// Malformed arguments or an unknown op (as `shapeView`).
#[wasm_bindgen(js_name = explainShape)]
pub fn explain_shape_js(args: JsValue) -> Result<Option<String>, JsError> {
    let a = ShapeArgs::parse(args)?;
    Ok(explain_shape(&a.in_shape, &a.shape_op()?))
}

/// Why `nn.Linear(in_features, _)` cannot take `torch.flatten(x, start_dim, end_dim)` of a
/// batch of shape `x_shape`, or `undefined`.
#[wasm_bindgen(js_name = explainFlattenLinear)]
pub fn explain_flatten_linear_js(
    x_shape: Vec<u32>,
    start_dim: i32,
    end_dim: i32,
    in_features: usize,
) -> Option<String> {
    let shape: Vec<usize> = x_shape.into_iter().map(|d| d as usize).collect();
    explain_flatten_linear(&shape, start_dim as i64, end_dim as i64, in_features)
}
