//! Whole-model cases on the lessons' CIFAR-10 model (`fixture`, `cifar_model`,
//! `cifar_model_sgd`, `cifar_model_adam`) and `default_init`.
//!
//! The model is nnbook's own builder ([`crate::nn::models::cifar10_model`]), so the fixtures
//! also check that it is the schema's model. Its weights are loaded from the `fixture` case (a
//! file beside the case's file), then it runs forward and backward with mean cross-entropy;
//! optimizer cases repeat `zero_grad; loss; backward; step`.

use super::compare::{compare, Actual};
use super::fixture::{self, Case, Distribution, Tol};
use super::{op_err, Computed, Ctx};
use crate::nn::{self, Conv2d, Linear, Module, Sequential};
use crate::ops::loss::{cross_entropy_backward, cross_entropy_forward, Reduction};
use crate::optim::{Adam, AdamConfig, Sgd, SgdConfig};
use crate::{rng, Tensor};
use serde::Deserialize;
use std::path::Path;
use std::rc::Rc;

/// The model every whole-model case names, as the fixtures write it.
pub const CIFAR_MODEL: &str = "nn.Sequential(Conv2d(3,32,5,1,2), MaxPool2d(2), Conv2d(32,32,5,1,2), MaxPool2d(2), Conv2d(32,64,5,1,2), MaxPool2d(2), Flatten(), Linear(1024,64), Linear(64,10))";

/// The CIFAR-10 model of the lessons (nnbook's own builder, without ReLUs), freshly
/// initialised from the global generator.
pub fn build_cifar_model() -> Sequential {
    nn::models::cifar10_model(false)
}

/// A `fixture` case: the weights and the batch.
#[derive(Clone, Debug)]
pub struct ModelFixture {
    pub x: Tensor,
    pub labels: Vec<i64>,
    pub state_dict: Vec<(String, Tensor)>,
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

/// Fails unless `params.model` (when given) is the CIFAR-10 model this runner builds.
fn check_model_text(case: &Case) -> Result<(), String> {
    match case.params.get("model") {
        None => Ok(()),
        Some(m) if m.as_str().map(squash) == Some(squash(CIFAR_MODEL)) => Ok(()),
        Some(m) => Err(format!(
            "unsupported model {m} (this runner builds only {CIFAR_MODEL})"
        )),
    }
}

fn model_fixture_from(case: &Case) -> Result<ModelFixture, String> {
    let x = case.input("x")?;
    let labels = case.int_input("labels")?;
    let sd = case
        .state_dict
        .as_ref()
        .ok_or("malformed case: a 'fixture' case needs 'state_dict'")?;
    let state_dict = sd
        .iter()
        .map(|(k, t)| {
            Ok((
                k.clone(),
                t.to_tensor()
                    .map_err(|e| format!("state_dict '{k}': {e}"))?,
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(ModelFixture {
        x,
        labels,
        state_dict,
    })
}

fn read_model_fixture(path: &Path) -> Result<ModelFixture, String> {
    let label = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read fixture {label}: {e}"))?;
    let file =
        fixture::parse_file(&text).map_err(|e| format!("fixture {label}: malformed file: {e}"))?;
    let raw = file
        .cases
        .into_iter()
        .find(|c| c.get("op").and_then(|o| o.as_str()) == Some("fixture"))
        .ok_or_else(|| format!("fixture {label} has no case with op 'fixture'"))?;
    let case = fixture::parse_case(raw).map_err(|e| format!("fixture {label}: {e}"))?;
    model_fixture_from(&case).map_err(|e| format!("fixture {label}: {e}"))
}

/// The fixture a whole-model case names, read once per run.
fn load_fixture(case: &Case, ctx: &mut Ctx) -> Result<Rc<Result<ModelFixture, String>>, String> {
    let name = case
        .fixture
        .as_ref()
        .ok_or("malformed case: missing 'fixture' (the file holding the model's weights)")?;
    let path = ctx.dir.join(name);
    let key = path.canonicalize().unwrap_or(path.clone());
    Ok(ctx
        .fixtures
        .entry(key)
        .or_insert_with(|| Rc::new(read_model_fixture(&path)))
        .clone())
}

/// The model with the fixture's weights.
fn loaded_model(f: &ModelFixture) -> Result<Sequential, String> {
    let mut model = build_cifar_model();
    nn::load_state_dict(&mut model, &f.state_dict).map_err(|e| op_err("load_state_dict", e))?;
    Ok(model)
}

/// `loss = F.cross_entropy(model(x), labels)` then `loss.backward()`; returns logits and loss.
fn forward_backward(model: &mut Sequential, f: &ModelFixture) -> Result<(Tensor, Tensor), String> {
    let logits = model
        .forward(&f.x)
        .map_err(|e| op_err("Sequential::forward", e))?;
    let ii = Some(-100);
    let loss = cross_entropy_forward(&logits, &f.labels, Reduction::Mean, ii)
        .map_err(|e| op_err("cross_entropy_forward", e))?;
    let dlogits = cross_entropy_backward(
        &logits,
        &f.labels,
        Reduction::Mean,
        ii,
        &Tensor::scalar(1.0),
    )
    .map_err(|e| op_err("cross_entropy_backward", e))?;
    model
        .backward(&dlogits)
        .map_err(|e| op_err("Sequential::backward", e))?;
    Ok((logits, loss))
}

/// A `fixture` case: checks the batch and that the weights load into nnbook's model; when
/// `params.init` starts with `torch.manual_seed(S)`, also that nnbook's default initialisation
/// after `rng::manual_seed(S)` gives the same weights (within 1 float32 ulp).
pub(super) fn fixture(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    check_model_text(case)?;
    let f = model_fixture_from(case)?;
    if f.x.ndim() != 4 || f.x.shape()[1..] != [3, 32, 32] || f.labels.len() != f.x.shape()[0] {
        return Err(format!(
            "x has shape {:?} and labels {} entries; want [N, 3, 32, 32] and N",
            f.x.shape(),
            f.labels.len()
        ));
    }
    if let Some(l) = f.labels.iter().find(|&&l| !(0..10).contains(&l)) {
        return Err(format!("label {l} is not a CIFAR-10 class"));
    }
    loaded_model(&f)?;
    let init = case
        .params
        .get("init")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let seed = init
        .strip_prefix("torch.manual_seed(")
        .and_then(|r| r.split(')').next())
        .and_then(|s| s.trim().parse::<u64>().ok());
    if let Some(seed) = seed {
        rng::manual_seed(seed);
        let fresh = nn::state_dict(&build_cifar_model());
        let ulp = Tol {
            rtol: f32::EPSILON as f64,
            atol: 0.0,
            exceptions: None,
        };
        let raw = case.state_dict.as_ref().ok_or("no state_dict")?;
        let mut bad = Vec::new();
        for (k, t) in &fresh {
            let want = raw
                .get(k)
                .ok_or_else(|| format!("state_dict has no '{k}'"))?;
            let name = format!("init {k} (manual_seed({seed}))");
            bad.extend(compare(&name, &Actual::from_tensor(t), want, &ulp).err());
        }
        if !bad.is_empty() {
            return Err(bad.join("; "));
        }
    }
    Ok(Computed::default())
}

/// `cifar_model`: logits, mean cross-entropy loss and every parameter's gradient.
pub(super) fn cifar_model(case: &Case, ctx: &mut Ctx) -> Result<Computed, String> {
    check_model_text(case)?;
    let fx = load_fixture(case, ctx)?;
    let f = fx.as_ref().as_ref().map_err(Clone::clone)?;
    let mut model = loaded_model(f)?;
    model.zero_grad();
    let (logits, loss) = forward_backward(&mut model, f)?;
    let mut c = Computed::default();
    c.output("logits", &logits);
    c.output("loss", &loss);
    for (name, p) in model.named_parameters() {
        c.grad(&name, &p.grad);
    }
    Ok(c)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SgdParams {
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
    steps: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdamParams {
    lr: f64,
    betas: [f64; 2],
    eps: f64,
    weight_decay: f64,
    amsgrad: bool,
    steps: usize,
}

/// `steps` × (`zero_grad; loss = CE(model(x), labels); backward; step`), recording each loss.
fn train(
    case: &Case,
    ctx: &mut Ctx,
    steps: usize,
    mut step: impl FnMut(&mut [(String, &mut nn::Param)]) -> crate::Result<()>,
) -> Result<Computed, String> {
    let fx = load_fixture(case, ctx)?;
    let f = fx.as_ref().as_ref().map_err(Clone::clone)?;
    let mut model = loaded_model(f)?;
    let mut losses = Vec::with_capacity(steps);
    for _ in 0..steps {
        model.zero_grad();
        let (_, loss) = forward_backward(&mut model, f)?;
        losses.push(loss.item().map_err(|e| op_err("item", e))?);
        let mut params = model.named_parameters_mut();
        step(&mut params).map_err(|e| op_err("optimizer step", e))?;
    }
    let mut c = Computed::default();
    let losses = Tensor::from_vec(&[steps], losses).map_err(|e| op_err("Tensor::from_vec", e))?;
    c.output("losses_before_each_step", &losses);
    for (name, t) in nn::state_dict(&model) {
        c.output(&format!("state_dict_after.{name}"), &t);
    }
    Ok(c)
}

/// `cifar_model_sgd`: `torch.optim.SGD` steps.
pub(super) fn cifar_model_sgd(case: &Case, ctx: &mut Ctx) -> Result<Computed, String> {
    let p: SgdParams = case.params()?;
    let mut opt = Sgd::new(SgdConfig {
        lr: p.lr,
        momentum: p.momentum,
        dampening: p.dampening,
        weight_decay: p.weight_decay,
        nesterov: p.nesterov,
    })
    .map_err(|e| op_err("Sgd::new", e))?;
    train(case, ctx, p.steps, |params| opt.step(params))
}

/// `cifar_model_adam`: `torch.optim.Adam` steps.
pub(super) fn cifar_model_adam(case: &Case, ctx: &mut Ctx) -> Result<Computed, String> {
    let p: AdamParams = case.params()?;
    let mut opt = Adam::new(AdamConfig {
        lr: p.lr,
        betas: (p.betas[0], p.betas[1]),
        eps: p.eps,
        weight_decay: p.weight_decay,
        amsgrad: p.amsgrad,
    })
    .map_err(|e| op_err("Adam::new", e))?;
    train(case, ctx, p.steps, |params| opt.step(params))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultInitParams {
    module: String,
    weight_shape: Vec<usize>,
    bias_shape: Vec<usize>,
    fan_in: usize,
}

/// Standard errors allowed between a sample statistic and the distribution's value.
const SIGMAS: f64 = 5.0;

/// Checks `values` statistically against a uniform distribution: every value inside
/// `[low, high]` (as float32), the mean within `5·σ/√n` and the standard deviation within
/// `5·σ·√(0.2/n)` (the standard error of a uniform sample's std, kurtosis 9/5).
pub fn check_uniform(what: &str, values: &[f32], d: &Distribution) -> Result<(), String> {
    if d.distribution != "uniform" {
        return Err(format!(
            "{what}: unsupported distribution '{}'",
            d.distribution
        ));
    }
    let n = values.len();
    if n == 0 {
        return Err(format!("{what}: no elements"));
    }
    let (lo, hi) = (d.low as f32, d.high as f32);
    let min = values.iter().copied().fold(f32::INFINITY, f32::min);
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if min < lo || max > hi || values.iter().any(|v| v.is_nan()) {
        return Err(format!(
            "{what}: values span [{min}, {max}], outside [{lo}, {hi}]"
        ));
    }
    let nf = n as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / nf;
    let var = values
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / nf;
    let std = var.sqrt();
    let sigma = d.expected_std;
    let mean_tol = SIGMAS * sigma / nf.sqrt();
    if (mean - d.expected_mean).abs() > mean_tol {
        return Err(format!(
            "{what}: mean {mean:.4e} differs from {:.4e} by more than {SIGMAS}σ/√n = {mean_tol:.3e} (n = {n})",
            d.expected_mean
        ));
    }
    let std_tol = SIGMAS * sigma * (0.2 / nf).sqrt();
    if (std - sigma).abs() > std_tol {
        return Err(format!(
            "{what}: std {std:.4e} differs from {sigma:.4e} by more than {SIGMAS}·σ·√(0.2/n) = {std_tol:.3e} (n = {n})"
        ));
    }
    Ok(())
}

/// The layer a `default_init` case describes: `Linear` for a 2-d weight, `Conv2d` (stride 1,
/// no padding) for a 4-d one.
fn fresh_layer(p: &DefaultInitParams) -> Result<Box<dyn Module>, String> {
    let ws = &p.weight_shape;
    let fan_in: usize = ws.iter().skip(1).product();
    if fan_in != p.fan_in || p.bias_shape != [ws[0]] {
        return Err(format!(
            "malformed case: weight_shape {ws:?}, bias_shape {:?} and fan_in {} disagree",
            p.bias_shape, p.fan_in
        ));
    }
    match ws.len() {
        2 => Ok(Box::new(Linear::new(ws[1], ws[0], true))),
        4 => Ok(Box::new(Conv2d::new(
            ws[1],
            ws[0],
            [ws[2], ws[3]],
            [1, 1],
            [0, 0],
            true,
        ))),
        _ => Err(format!(
            "unsupported weight_shape {ws:?} (2-d Linear or 4-d Conv2d)"
        )),
    }
}

/// `default_init`: a freshly initialised layer (after `rng::manual_seed(0)`) prints as
/// `params.module` and its weight and bias follow the case's distributions.
pub(super) fn default_init(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: DefaultInitParams = case.params()?;
    if p.weight_shape.is_empty() {
        return Err("malformed case: empty weight_shape".into());
    }
    rng::manual_seed(0);
    let layer = fresh_layer(&p)?;
    if layer.repr(0) != p.module {
        return Err(format!(
            "the layer prints as {}, want {}",
            layer.repr(0),
            p.module
        ));
    }
    let mut failures = Vec::new();
    for (name, d) in [("weight", &case.weight), ("bias", &case.bias)] {
        let d = d
            .as_ref()
            .ok_or_else(|| format!("malformed case: missing '{name}' distribution"))?;
        let params = layer.named_parameters();
        let (_, param) = params
            .iter()
            .find(|(k, _)| k == name)
            .ok_or_else(|| format!("the layer has no parameter '{name}'"))?;
        let want = if name == "weight" {
            &p.weight_shape
        } else {
            &p.bias_shape
        };
        if param.value.shape() != want.as_slice() {
            failures.push(format!(
                "{name} has shape {:?}, want {want:?}",
                param.value.shape()
            ));
            continue;
        }
        failures.extend(check_uniform(name, param.value.data(), d).err());
    }
    if failures.is_empty() {
        Ok(Computed::default())
    } else {
        Err(failures.join("; "))
    }
}
