//! Cases of single ops with an upstream gradient: `linear`, `conv2d`, `max_pool2d`, `softmax`,
//! `log_softmax`, `cross_entropy`. Each runs the op's forward and backward from
//! [`crate::ops`] and reports the fixture's output and gradient names.

use super::compare::Actual;
use super::fixture::Case;
use super::{op_err, Computed, Ctx};
use crate::ops::{conv2d, linear, loss, max_pool2d, softmax};
use crate::Tensor;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinearParams {
    in_features: usize,
    out_features: usize,
    bias: bool,
}

/// Checks that `params.bias` agrees with the presence of a `bias` input.
fn check_bias(has_bias: bool, bias: &Option<Tensor>) -> Result<(), String> {
    match (has_bias, bias.is_some()) {
        (true, false) => Err("params.bias is true but there is no 'bias' input".into()),
        (false, true) => Err("params.bias is false but there is a 'bias' input".into()),
        _ => Ok(()),
    }
}

/// `y = F.linear(x, weight, bias)`, grads of `L = sum(y * g)`.
pub(super) fn linear(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: LinearParams = case.params()?;
    let (x, w, g) = (case.input("x")?, case.input("weight")?, case.input("g")?);
    let b = case.optional_input("bias")?;
    check_bias(p.bias, &b)?;
    if w.shape() != [p.out_features, p.in_features] {
        return Err(format!(
            "weight shape {:?} disagrees with params [out_features, in_features] = [{}, {}]",
            w.shape(),
            p.out_features,
            p.in_features
        ));
    }
    let y = linear::linear_forward(&x, &w, b.as_ref()).map_err(|e| op_err("linear_forward", e))?;
    let gr =
        linear::linear_backward(&x, &w, p.bias, &g).map_err(|e| op_err("linear_backward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    c.grad("x", &gr.x);
    c.grad("weight", &gr.weight);
    if let Some(db) = &gr.bias {
        c.grad("bias", db);
    }
    Ok(c)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Conv2dCaseParams {
    in_channels: usize,
    out_channels: usize,
    kernel_size: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    bias: bool,
}

/// `y = F.conv2d(x, weight, bias, stride, padding)`, grads of `L = sum(y * g)`.
pub(super) fn conv2d(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: Conv2dCaseParams = case.params()?;
    let (x, w, g) = (case.input("x")?, case.input("weight")?, case.input("g")?);
    let b = case.optional_input("bias")?;
    check_bias(p.bias, &b)?;
    let want_w = [
        p.out_channels,
        p.in_channels,
        p.kernel_size[0],
        p.kernel_size[1],
    ];
    if w.shape() != want_w {
        return Err(format!(
            "weight shape {:?} disagrees with params (out_channels, in_channels, kernel_size) = {:?}",
            w.shape(),
            want_w
        ));
    }
    let cp = conv2d::Conv2dParams {
        stride: p.stride,
        padding: p.padding,
    };
    let y =
        conv2d::conv2d_forward(&x, &w, b.as_ref(), cp).map_err(|e| op_err("conv2d_forward", e))?;
    let gr = conv2d::conv2d_backward(&x, &w, p.bias, &g, cp)
        .map_err(|e| op_err("conv2d_backward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    c.grad("x", &gr.x);
    c.grad("weight", &gr.weight);
    if let Some(db) = &gr.bias {
        c.grad("bias", db);
    }
    Ok(c)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MaxPoolParams {
    kernel_size: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
}

/// `y, indices = F.max_pool2d(x, kernel_size, stride, padding, return_indices=True)`,
/// grad of `L = sum(y * g)`.
pub(super) fn max_pool2d(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: MaxPoolParams = case.params()?;
    let (x, g) = (case.input("x")?, case.input("g")?);
    let mp = max_pool2d::MaxPool2dParams {
        kernel_size: p.kernel_size,
        stride: p.stride,
        padding: p.padding,
    };
    let (y, idx) =
        max_pool2d::max_pool2d_forward(&x, mp).map_err(|e| op_err("max_pool2d_forward", e))?;
    let dx = max_pool2d::max_pool2d_backward(x.shape(), &idx, &g)
        .map_err(|e| op_err("max_pool2d_backward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    c.outputs
        .insert("indices".into(), Actual::from_indices(y.shape(), &idx));
    c.grad("x", &dx);
    Ok(c)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DimParams {
    dim: i64,
}

/// `y = F.softmax(x, dim)`, grad of `L = sum(y * g)`.
pub(super) fn softmax(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: DimParams = case.params()?;
    let (x, g) = (case.input("x")?, case.input("g")?);
    let y = softmax::softmax_forward(&x, p.dim).map_err(|e| op_err("softmax_forward", e))?;
    let dx = softmax::softmax_backward(&y, &g, p.dim).map_err(|e| op_err("softmax_backward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    c.grad("x", &dx);
    Ok(c)
}

/// `y = F.log_softmax(x, dim)`, grad of `L = sum(y * g)`.
pub(super) fn log_softmax(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: DimParams = case.params()?;
    let (x, g) = (case.input("x")?, case.input("g")?);
    let y =
        softmax::log_softmax_forward(&x, p.dim).map_err(|e| op_err("log_softmax_forward", e))?;
    let dx = softmax::log_softmax_backward(&y, &g, p.dim)
        .map_err(|e| op_err("log_softmax_backward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    c.grad("x", &dx);
    Ok(c)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrossEntropyParams {
    reduction: String,
    /// An addition to the schema's params (PyTorch's default -100).
    #[serde(default = "default_ignore_index")]
    ignore_index: i64,
}

fn default_ignore_index() -> i64 {
    -100
}

/// PyTorch's `reduction=` name.
pub(super) fn parse_reduction(name: &str) -> Result<loss::Reduction, String> {
    match name {
        "mean" => Ok(loss::Reduction::Mean),
        "sum" => Ok(loss::Reduction::Sum),
        "none" => Ok(loss::Reduction::None),
        other => Err(format!("unknown reduction '{other}' (mean, sum or none)")),
    }
}

/// `loss = F.cross_entropy(logits, labels, reduction, ignore_index)`; the grad is of
/// `L = loss` (mean/sum) or `L = sum(loss * g_loss)` (none).
pub(super) fn cross_entropy(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: CrossEntropyParams = case.params()?;
    let red = parse_reduction(&p.reduction)?;
    let logits = case.input("logits")?;
    let labels = case.int_input("labels")?;
    let g = match red {
        loss::Reduction::None => case.input("g_loss")?,
        _ => Tensor::scalar(1.0),
    };
    let ii = Some(p.ignore_index);
    let l = loss::cross_entropy_forward(&logits, &labels, red, ii)
        .map_err(|e| op_err("cross_entropy_forward", e))?;
    let d = loss::cross_entropy_backward(&logits, &labels, red, ii, &g)
        .map_err(|e| op_err("cross_entropy_backward", e))?;
    let mut c = Computed::default();
    c.output("loss", &l);
    c.grad("logits", &d);
    Ok(c)
}
