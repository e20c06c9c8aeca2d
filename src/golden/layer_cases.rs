//! Cases of the "other layers": `layer_norm`, `batch_norm1d`, `embedding`, `rnn`, `lstm`,
//! `gru`, `multihead_attention`, `transformer_encoder_layer` (the module is built from the
//! constructor arguments in `params`, its weights loaded from the inputs by state_dict name),
//! `module_init` (default initialisation after a seed, and the `print()` text) and
//! `layer_error` (PyTorch's exception class and exact message).

use super::fixture::Case;
use super::layer_build::{build, load_weights, Built};
use super::{op_err, Computed, Ctx};
use crate::nn::attention::square_subsequent_mask;
use crate::nn::Module;
use serde_json::{Map, Value};

/// The constructor arguments: `params` without the call options `extras`.
fn ctor_args(case: &Case, extras: &[&str]) -> Map<String, Value> {
    let mut m = case.params.clone();
    for k in extras {
        m.remove(*k);
    }
    m
}

fn bool_param(case: &Case, k: &str) -> Result<bool, String> {
    case.params
        .get(k)
        .and_then(Value::as_bool)
        .ok_or_else(|| format!("params.{k} is missing or not a boolean"))
}

/// Builds `class` from the case's params and loads its weights.
fn built(case: &Case, class: &str, extras: &[&str], call: &[&str]) -> Result<Built, String> {
    let mut b = build(class, &ctor_args(case, extras))?
        .map_err(|e| op_err(&format!("nn::{class}::new"), e))?;
    load_weights(b.module(), case, call)?;
    Ok(b)
}

/// Adds the grads of every parameter the fixture lists.
fn param_grads(c: &mut Computed, m: &mut dyn Module, case: &Case) {
    for (name, p) in m.named_parameters() {
        if case.expected_grads.iter().any(|e| e.name == name) {
            c.grad(&name, &p.grad);
        }
    }
}

/// `y = nn.LayerNorm(**params)(x)`, grads of `L = sum(y * g)` for x, weight, bias.
pub(super) fn layer_norm(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let mut b = built(case, "LayerNorm", &[], &["x", "g"])?;
    let m = b.module();
    let (x, g) = (case.input("x")?, case.input("g")?);
    let y = m.forward(&x).map_err(|e| op_err("LayerNorm::forward", e))?;
    let dx = m
        .backward(&g)
        .map_err(|e| op_err("LayerNorm::backward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    c.grad("x", &dx);
    param_grads(&mut c, m, case);
    Ok(c)
}

/// `y = nn.BatchNorm1d(**args).train(training)(x)`; outputs the running buffers after it.
pub(super) fn batch_norm1d(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let training = bool_param(case, "training")?;
    let mut b = built(case, "BatchNorm1d", &["training"], &["x", "g"])?;
    let m = b.module();
    m.set_training(training);
    let (x, g) = (case.input("x")?, case.input("g")?);
    let y = m
        .forward(&x)
        .map_err(|e| op_err("BatchNorm1d::forward", e))?;
    let dx = m
        .backward(&g)
        .map_err(|e| op_err("BatchNorm1d::backward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    for (name, t) in m.named_buffers() {
        if name != "num_batches_tracked" {
            c.output(&name, t);
        }
    }
    c.grad("x", &dx);
    param_grads(&mut c, m, case);
    Ok(c)
}

/// The int64 `indices` input and its shape.
fn indices(case: &Case) -> Result<(Vec<i64>, Vec<usize>), String> {
    let idx = case.int_input("indices")?;
    let shape = case.inputs["indices"].shape.clone();
    Ok((idx, shape))
}

/// `y = nn.Embedding(**params)(indices)`, grad of `L = sum(y * g)` for the weight.
pub(super) fn embedding(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let Built::Embedding(mut m) = built(case, "Embedding", &[], &["indices", "g"])? else {
        unreachable!("built Embedding")
    };
    let (idx, shape) = indices(case)?;
    let g = case.input("g")?;
    let y = m
        .forward_indices(&idx, &shape)
        .map_err(|e| op_err("Embedding::forward_indices", e))?;
    m.backward(&g)
        .map_err(|e| op_err("Embedding::backward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    c.grad("weight", &m.weight.grad);
    Ok(c)
}

/// `output, h_n = nn.RNN(**params)(x, h0)`.
pub(super) fn rnn(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    recurrent(case, "RNN")
}

/// `output, (h_n, c_n) = nn.LSTM(**params)(x, (h0, c0))`.
pub(super) fn lstm(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    recurrent(case, "LSTM")
}

/// `output, h_n = nn.GRU(**params)(x, h0)`.
pub(super) fn gru(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    recurrent(case, "GRU")
}

fn recurrent(case: &Case, class: &str) -> Result<Computed, String> {
    let call = ["x", "h0", "c0", "g_output", "g_h_n", "g_c_n"];
    let mut b = built(case, class, &[], &call)?;
    let x = case.input("x")?;
    let (h0, c0) = (case.optional_input("h0")?, case.optional_input("c0")?);
    let base = match &mut b {
        Built::Rnn(m) => &mut m.base,
        Built::Lstm(m) => &mut m.base,
        Built::Gru(m) => &mut m.base,
        _ => unreachable!("built a recurrent layer"),
    };
    let (out, (h_n, c_n), cache) = base
        .forward_cached(&x, h0.as_ref(), c0.as_ref())
        .map_err(|e| op_err(&format!("{class}::forward_with"), e))?;
    let mut c = Computed::default();
    c.output("output", &out);
    c.output("h_n", &h_n);
    if let Some(c_n) = &c_n {
        c.output("c_n", c_n);
    }
    // Grads of L = sum(output * g_output) + sum(h_n * g_h_n) (+ sum(c_n * g_c_n)).
    if let Some(g) = case.optional_input("g_output")? {
        let (gh, gc) = (case.optional_input("g_h_n")?, case.optional_input("g_c_n")?);
        let (dx, dh0, dc0) = base
            .backward_states(&cache, &g, gh.as_ref(), gc.as_ref())
            .map_err(|e| op_err(&format!("{class}::backward_states"), e))?;
        c.grad("x", &dx);
        c.grad("h0", &dh0);
        if let Some(dc0) = &dc0 {
            c.grad("c0", dc0);
        }
        for (name, p) in base.named_parameters() {
            c.grad(&name, &p.grad);
        }
    }
    Ok(c)
}

/// `attn_output, attn_weights = nn.MultiheadAttention(**args)(query, key, value,
/// need_weights=True, attn_mask=causal mask or None, average_attn_weights)`.
pub(super) fn multihead_attention(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let extras = ["average_attn_weights", "causal"];
    let (avg, causal) = (bool_param(case, extras[0])?, bool_param(case, extras[1])?);
    let Built::Mha(mut m) = built(
        case,
        "MultiheadAttention",
        &extras,
        &["query", "key", "value", "g"],
    )?
    else {
        unreachable!("built MultiheadAttention")
    };
    let (q, k, v) = (
        case.input("query")?,
        case.input("key")?,
        case.input("value")?,
    );
    let mask = if causal {
        let l = q.shape()[if m.batch_first && q.ndim() == 3 { 1 } else { 0 }];
        Some(square_subsequent_mask(l).map_err(|e| op_err("square_subsequent_mask", e))?)
    } else {
        None
    };
    let (y, w) = m
        .forward_qkv(&q, &k, &v, mask.as_ref(), true, avg)
        .map_err(|e| op_err("MultiheadAttention::forward_qkv", e))?;
    let mut c = Computed::default();
    c.output("attn_output", &y);
    if let Some(w) = w {
        c.output("attn_weights", &w);
    }
    // Grads of L = sum(attn_output * g).
    if let Some(g) = case.optional_input("g")? {
        let (dq, dk, dv) = m
            .backward_qkv(&g)
            .map_err(|e| op_err("MultiheadAttention::backward_qkv", e))?;
        c.grad("query", &dq);
        c.grad("key", &dk);
        c.grad("value", &dv);
        param_grads(&mut c, m.as_mut(), case);
    }
    Ok(c)
}

/// `y = nn.TransformerEncoderLayer(**params).eval()(x)` and its self-attention weights.
pub(super) fn transformer_encoder_layer(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let Built::Tel(mut m) = built(case, "TransformerEncoderLayer", &[], &["x", "g"])? else {
        unreachable!("built TransformerEncoderLayer")
    };
    m.set_training(false);
    let y = m
        .forward(&case.input("x")?)
        .map_err(|e| op_err("TransformerEncoderLayer::forward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    if let Some(w) = m.last_attn_weights() {
        c.output("attn_weights", w);
    }
    // Grads of L = sum(y * g).
    if let Some(g) = case.optional_input("g")? {
        let dx = m
            .backward(&g)
            .map_err(|e| op_err("TransformerEncoderLayer::backward", e))?;
        c.grad("x", &dx);
        param_grads(&mut c, m.as_mut(), case);
    }
    Ok(c)
}

/// `params.module` (the class name) and `params.args` (its constructor arguments).
fn module_and_args(case: &Case) -> Result<(&str, &serde_json::Map<String, Value>), String> {
    let class = case
        .params
        .get("module")
        .and_then(Value::as_str)
        .ok_or("params.module is missing")?;
    let args = case
        .params
        .get("args")
        .and_then(Value::as_object)
        .ok_or("params.args is missing")?;
    Ok((class, args))
}

/// `torch.manual_seed(seed); m = nn.CLASS(**args)`: every parameter and buffer (outputs
/// `state_dict.NAME`) and `repr(m)`.
pub(super) fn module_init(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let (class, args) = module_and_args(case)?;
    let seed = case
        .params
        .get("seed")
        .and_then(Value::as_u64)
        .ok_or("params.seed is missing")?;
    crate::rng::manual_seed(seed);
    let mut b = build(class, args)?.map_err(|e| op_err(&format!("nn::{class}::new"), e))?;
    let m = b.module();
    let want = case.repr.as_deref().ok_or("module_init needs 'repr'")?;
    let got = m.repr(0);
    if got != want {
        return Err(format!("repr differs:\n got: {got}\nwant: {want}"));
    }
    let mut c = Computed::default();
    for (name, p) in m.named_parameters() {
        c.output(&format!("state_dict.{name}"), &p.value);
    }
    for (name, t) in m.named_buffers() {
        if name != "num_batches_tracked" {
            c.output(&format!("state_dict.{name}"), t);
        }
    }
    let mut extra: Vec<&String> = c
        .outputs
        .keys()
        .filter(|k| !case.expected_outputs.iter().any(|e| &e.name == *k))
        .collect();
    if let Some(k) = extra.pop() {
        return Err(format!(
            "nnbook has {k}, which PyTorch's state_dict does not"
        ));
    }
    Ok(c)
}

/// Builds `nn.CLASS(**args)` and calls it on the case's inputs; the error must be PyTorch's.
pub(super) fn layer_error(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let (class, args) = module_and_args(case)?;
    let result = match build(class, args)? {
        Err(e) => Err(e),
        Ok(mut b) => call(&mut b, case)?,
    };
    match result {
        Ok(shape) => Err(format!(
            "expected {}: {}, got a result of shape {shape:?}",
            case.error_type.as_deref().unwrap_or("?"),
            case.error_message.as_deref().unwrap_or("?")
        )),
        Err(e) => super::shape_cases::check_error(case, &e).map(|_| Computed::default()),
    }
}

/// Calls a built module as the `layer_error` generator does: the outer `Err` is a malformed
/// case, the inner result nnbook's (the output shape, or the error).
fn call(b: &mut Built, case: &Case) -> Result<crate::Result<Vec<usize>>, String> {
    let opt = |k: &str| case.optional_input(k);
    Ok(match b {
        Built::Rnn(m) => {
            let h0 = opt("h0")?;
            m.forward_with(&case.input("x")?, h0.as_ref())
                .map(|r| r.0.shape().to_vec())
        }
        Built::Gru(m) => {
            let h0 = opt("h0")?;
            m.forward_with(&case.input("x")?, h0.as_ref())
                .map(|r| r.0.shape().to_vec())
        }
        Built::Lstm(m) => {
            let (h0, c0) = (opt("h0")?, opt("c0")?);
            let hx = h0.as_ref().zip(c0.as_ref());
            m.forward_with(&case.input("x")?, hx)
                .map(|r| r.0.shape().to_vec())
        }
        Built::Mha(m) => {
            let mask = opt("attn_mask")?;
            let (q, k, v) = (
                case.input("query")?,
                case.input("key")?,
                case.input("value")?,
            );
            m.forward_qkv(&q, &k, &v, mask.as_ref(), true, true)
                .map(|r| r.0.shape().to_vec())
        }
        Built::Embedding(m) => {
            let (idx, shape) = indices(case)?;
            m.forward_indices(&idx, &shape).map(|y| y.shape().to_vec())
        }
        other => {
            let x = case.input("x")?;
            other.module().forward(&x).map(|y| y.shape().to_vec())
        }
    })
}

/// `torch.manual_seed(seed); y = F.dropout(x, p, training)` through `nn::Dropout` and the
/// global generator: the same mask as PyTorch's non-MKL kernel (see `ops::dropout`).
pub(super) fn dropout(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p = case
        .params
        .get("p")
        .and_then(Value::as_f64)
        .ok_or("params.p is missing")? as f32;
    let training = bool_param(case, "training")?;
    let seed = case
        .params
        .get("seed")
        .and_then(Value::as_u64)
        .ok_or("params.seed is missing")?;
    let x = case.input("x")?;
    let mut m = crate::nn::Dropout::new(p).map_err(|e| op_err("nn::Dropout::new", e))?;
    m.set_training(training);
    crate::rng::manual_seed(seed);
    let y = m.forward(&x).map_err(|e| op_err("Dropout::forward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    Ok(c)
}
