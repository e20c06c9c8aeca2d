//! The "other layers" of `torch.nn` in cells: `LayerNorm`, `BatchNorm1d`, `Embedding`,
//! `RNN` / `LSTM` / `GRU`, `MultiheadAttention` and `TransformerEncoderLayer`.
//!
//! - `nn.Embedding(n, d, padding_idx=None)(idx)`: `idx` an integer tensor of any shape →
//!   `[*idx.shape, d]` (a float tensor raises PyTorch's `Expected tensor for argument #1
//!   'indices' ...`).
//! - `rnn(x, h0=None)` → `(output, h_n)`; `lstm(x, (h0, c0)=None)` → `(output, (h_n, c_n))`.
//! - `mha(query, key, value, need_weights=True, attn_mask=None, average_attn_weights=True)` →
//!   `(attn_output, attn_weights or None)`.
//! - `layer.self_attn`, `layer.linear1`, … of a `TransformerEncoderLayer` (and `mha.out_proj`)
//!   are copies of the submodule taken when read: they compute what the submodule computes,
//!   but changing them does not change the layer.
//!
//! `loss.backward()` flows through the first output of every one of them (the sequence output
//! of a recurrent layer, the attention output of a self-attention `mha(x, x, x)`); through
//! `h_n`, `c_n`, attention weights or `mha(q, k, v)` with different tensors it raises
//! `not supported in nnbook yet`.
use super::args::{to_int, to_int_list, Args};
use super::error::{PyErr, PyResult};
use super::interp::Interp;
use super::value::{DType, ModKind, ModRef, ModuleObj, Origin, TensorVal, Value};
use crate::nn::{
    BatchNorm1d, Embedding, LayerNorm, Module, MultiheadAttention, RnnConfig,
    TransformerEncoderLayer, TransformerEncoderLayerConfig, GRU, LSTM, RNN,
};
use crate::tensor::Tensor;
use std::cell::RefCell;
use std::rc::Rc;

/// The `torch.nn` classes this file builds.
pub const LAYER_CLASSES: &[&str] = &[
    "LayerNorm",
    "BatchNorm1d",
    "Embedding",
    "RNN",
    "LSTM",
    "GRU",
    "MultiheadAttention",
    "TransformerEncoderLayer",
];

fn module(m: impl Module + 'static, name: &'static str) -> Value {
    Value::Module(Rc::new(RefCell::new(ModuleObj {
        kind: ModKind::Native(Box::new(m), name),
        training: true,
        gen: 0,
    })))
}

fn count(args: &Args, i: usize, name: &str, func: &str) -> PyResult<usize> {
    let v = to_int(args.req(i, name, func)?, name)?;
    usize::try_from(v).map_err(|_| {
        PyErr::runtime(format!(
            "Trying to create tensor with negative dimension {v}: [{v}]"
        ))
    })
}

fn rnn_config(name: &str, args: &Args) -> PyResult<RnnConfig> {
    let init = format!("{name}.__init__");
    let relu = name == "RNN";
    let mut allowed = vec![
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
    ];
    if relu {
        allowed.push("nonlinearity");
    }
    args.check_kw(name, &allowed)?;
    // RNN has `nonlinearity` before `bias` positionally.
    let shift = usize::from(relu);
    let relu = match args.get(3, "nonlinearity").filter(|_| relu) {
        None => false,
        Some(Value::Str(s)) if s.as_ref() == "tanh" => false,
        Some(Value::Str(s)) if s.as_ref() == "relu" => true,
        Some(other) => {
            return Err(PyErr::value_error(format!(
                "Unknown nonlinearity '{}'. Select from 'tanh' or 'relu'.",
                super::repr::py_str(other)
            )))
        }
    };
    Ok(RnnConfig::new(
        count(args, 0, "input_size", &init)?,
        count(args, 1, "hidden_size", &init)?,
    )
    .with_num_layers(args.int_or(2, "num_layers", 1)?.max(0) as usize)
    .with_bias(args.bool_or(3 + shift, "bias", true)?)
    .with_batch_first(args.bool_or(4 + shift, "batch_first", false)?)
    .with_relu(relu))
}

/// `nn.<name>(...)` for the classes of [`LAYER_CLASSES`].
pub fn construct(name: &str, args: &Args) -> PyResult<Value> {
    match name {
        "LayerNorm" => {
            args.check_kw(
                "LayerNorm",
                &["normalized_shape", "eps", "elementwise_affine", "bias"],
            )?;
            let shape: Vec<usize> = match args.req(0, "normalized_shape", "LayerNorm.__init__")? {
                v @ (Value::Tuple(_) | Value::List(_) | Value::Size(_)) => {
                    to_int_list(v, "normalized_shape")?
                        .into_iter()
                        .map(|d| d.max(0) as usize)
                        .collect()
                }
                v => vec![to_int(v, "normalized_shape")?.max(0) as usize],
            };
            crate::tensor::guard::check_numel("LayerNorm", &shape)?;
            Ok(module(
                LayerNorm::with_options(
                    &shape,
                    args.float_or(1, "eps", 1e-5)? as f32,
                    args.bool_or(2, "elementwise_affine", true)?,
                    args.bool_or(3, "bias", true)?,
                ),
                "LayerNorm",
            ))
        }
        "BatchNorm1d" => {
            args.check_kw("BatchNorm1d", &["num_features", "eps", "momentum"])?;
            let n = count(args, 0, "num_features", "BatchNorm1d.__init__")?;
            crate::tensor::guard::check_numel("BatchNorm1d", &[n])?;
            let bn = BatchNorm1d::new(n)
                .with_eps(args.float_or(1, "eps", 1e-5)? as f32)
                .with_momentum(args.float_or(2, "momentum", 0.1)? as f32);
            Ok(module(bn, "BatchNorm1d"))
        }
        "Embedding" => {
            args.check_kw(
                "Embedding",
                &["num_embeddings", "embedding_dim", "padding_idx"],
            )?;
            let n = count(args, 0, "num_embeddings", "Embedding.__init__")?;
            let d = count(args, 1, "embedding_dim", "Embedding.__init__")?;
            let p = match args.get(2, "padding_idx") {
                None | Some(Value::None) => None,
                Some(v) => Some(to_int(v, "padding_idx")?),
            };
            Ok(module(Embedding::new(n, d, p)?, "Embedding"))
        }
        "RNN" => Ok(module(RNN::new(rnn_config(name, args)?)?, "RNN")),
        "LSTM" => Ok(module(LSTM::new(rnn_config(name, args)?)?, "LSTM")),
        "GRU" => Ok(module(GRU::new(rnn_config(name, args)?)?, "GRU")),
        "MultiheadAttention" => {
            args.check_kw(
                "MultiheadAttention",
                &["embed_dim", "num_heads", "batch_first"],
            )?;
            let e = count(args, 0, "embed_dim", "MultiheadAttention.__init__")?;
            let h = count(args, 1, "num_heads", "MultiheadAttention.__init__")?;
            let bf = match args.kwarg("batch_first") {
                Some(v) => v.truthy().unwrap_or(false),
                None => false,
            };
            Ok(module(
                MultiheadAttention::new(e, h, bf)?,
                "MultiheadAttention",
            ))
        }
        "TransformerEncoderLayer" => {
            args.check_kw("TransformerEncoderLayer", TransformerEncoderLayer::ARGS)?;
            let f = "TransformerEncoderLayer.__init__";
            let d = count(args, 0, "d_model", f)?;
            let h = count(args, 1, "nhead", f)?;
            let ff = args.int_or(2, "dim_feedforward", 2048)?.max(0) as usize;
            crate::tensor::guard::check_numel("TransformerEncoderLayer", &[d, ff])?;
            let kw_bool = |k: &str| args.kwarg(k).and_then(Value::truthy).unwrap_or(false);
            let cfg = TransformerEncoderLayerConfig::new(d, h)
                .with_dim_feedforward(ff)
                .with_dropout(args.float_or(3, "dropout", 0.1)? as f32)
                .with_batch_first(kw_bool("batch_first"))
                .with_norm_first(kw_bool("norm_first"));
            Ok(module(
                TransformerEncoderLayer::new(cfg)?,
                "TransformerEncoderLayer",
            ))
        }
        _ => Err(PyErr::unsupported(format!("nn.{name}"))),
    }
}

/// The `grad_fn` PyTorch shows on the (first) output of these layers.
pub fn grad_fn(name: &str) -> Option<&'static str> {
    Some(match name {
        "LayerNorm" | "TransformerEncoderLayer" => "NativeLayerNormBackward0",
        "BatchNorm1d" => "NativeBatchNormBackward0",
        "Embedding" => "EmbeddingBackward0",
        "RNN" | "GRU" => "StackBackward0",
        "LSTM" => "MkldnnRnnLayerBackward0",
        "MultiheadAttention" => "ViewBackward0",
        _ => return None,
    })
}

fn tensor_of(v: &Value, func: &str, pos: usize, name: &str) -> PyResult<Rc<TensorVal>> {
    match v {
        Value::Tensor(t) => Ok(t.clone()),
        other => Err(PyErr::type_error(format!(
            "{func}(): argument '{name}' (position {pos}) must be Tensor, not {}",
            other.type_name()
        ))),
    }
}

fn opt_tensor(v: Option<&Value>, func: &str, pos: usize, name: &str) -> PyResult<Option<Tensor>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => Ok(Some(tensor_of(v, func, pos, name)?.t.clone())),
    }
}

/// A tensor output; `first` carries the graph (`origin`) back to `m`'s forward `gen`.
struct Outs<'a> {
    m: &'a ModRef,
    gen: u64,
    input: Rc<TensorVal>,
    requires: bool,
}

impl Outs<'_> {
    fn first(&self, t: Tensor, grad_fn: Option<&'static str>, graph: bool) -> Value {
        Value::Tensor(Rc::new(TensorVal {
            t,
            dtype: DType::Float32,
            grad_fn: if self.requires { grad_fn } else { None },
            is_param: false,
            origin: (self.requires && graph).then(|| {
                Rc::new(Origin::Layer {
                    module: self.m.clone(),
                    gen: self.gen,
                    input: self.input.clone(),
                })
            }),
        }))
    }
    fn other(&self, t: Tensor, grad_fn: &'static str) -> Value {
        self.first(t, Some(grad_fn), false)
    }
}

/// `m(*args)` for the layers whose call is not one tensor in, one tensor out (RNN, LSTM,
/// GRU, MultiheadAttention) or that take integer tensors (Embedding). `None` for the others.
pub fn call(interp: &mut Interp, m: &ModRef, args: &Args) -> Option<PyResult<Value>> {
    let name = match &m.borrow().kind {
        ModKind::Native(_, n)
            if matches!(
                *n,
                "RNN" | "LSTM" | "GRU" | "MultiheadAttention" | "Embedding"
            ) =>
        {
            *n
        }
        _ => return None,
    };
    Some(call_layer(interp, m, name, args))
}

fn call_layer(interp: &mut Interp, m: &ModRef, name: &'static str, args: &Args) -> PyResult<Value> {
    let first = match name {
        "MultiheadAttention" => "query",
        _ => "input",
    };
    let x = tensor_of(args.req(0, first, "forward")?, name, 1, first)?;
    let has_params = {
        let mb = m.borrow();
        match &mb.kind {
            ModKind::Native(n, _) => !n.named_parameters().is_empty(),
            _ => false,
        }
    };
    let gen = super::autograd::next_gen();
    let outs = Outs {
        m,
        gen,
        input: x.clone(),
        requires: !interp.no_grad && (x.requires_grad() || has_params),
    };
    let mut mb = m.borrow_mut();
    mb.gen = gen;
    let ModKind::Native(layer, _) = &mut mb.kind else {
        return Err(PyErr::runtime("not a core layer"));
    };
    let any = layer.as_any_mut();
    let g = grad_fn(name);
    match name {
        "Embedding" => {
            args.check_kw("forward", &["input"])?;
            if x.dtype == DType::Float32 {
                return Err(PyErr::runtime("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.FloatTensor instead (while checking arguments for embedding)"));
            }
            let emb = any.downcast_mut::<Embedding>().ok_or_else(wrong)?;
            let y = emb.forward(&x.t)?;
            let requires = !interp.no_grad;
            let outs = Outs { requires, ..outs };
            Ok(outs.first(y, g, true))
        }
        "RNN" | "GRU" => {
            args.check_kw("forward", &["input", "hx"])?;
            let h0 = opt_tensor(args.get(1, "hx"), name, 2, "hx")?;
            let (y, h) = if let Some(r) = any.downcast_mut::<RNN>() {
                r.forward_with(&x.t, h0.as_ref())?
            } else {
                let r = any.downcast_mut::<GRU>().ok_or_else(wrong)?;
                r.forward_with(&x.t, h0.as_ref())?
            };
            let graph = h0.is_none();
            Ok(Value::tuple(vec![
                outs.first(y, g, graph),
                outs.other(h, "StackBackward0"),
            ]))
        }
        "LSTM" => {
            args.check_kw("forward", &["input", "hx"])?;
            let hx = match args.get(1, "hx") {
                None | Some(Value::None) => None,
                Some(Value::Tuple(p)) if p.len() == 2 => Some((
                    tensor_of(&p[0], name, 2, "hx")?.t.clone(),
                    tensor_of(&p[1], name, 2, "hx")?.t.clone(),
                )),
                Some(_) => {
                    return Err(PyErr::runtime(
                        "lstm() received an invalid combination of arguments: hx must be a tuple (h_0, c_0)",
                    ))
                }
            };
            let r = any.downcast_mut::<LSTM>().ok_or_else(wrong)?;
            let (y, (h, c)) = r.forward_with(&x.t, hx.as_ref().map(|(h, c)| (h, c)))?;
            let graph = hx.is_none();
            Ok(Value::tuple(vec![
                outs.first(y, g, graph),
                Value::tuple(vec![
                    outs.other(h, "StackBackward0"),
                    outs.other(c, "StackBackward0"),
                ]),
            ]))
        }
        _ => {
            args.check_kw(
                "forward",
                &[
                    "query",
                    "key",
                    "value",
                    "key_padding_mask",
                    "need_weights",
                    "attn_mask",
                    "average_attn_weights",
                ],
            )?;
            let k = tensor_of(args.req(1, "key", "forward")?, name, 2, "key")?;
            let v = tensor_of(args.req(2, "value", "forward")?, name, 3, "value")?;
            if !matches!(args.get(3, "key_padding_mask"), None | Some(Value::None)) {
                return Err(PyErr::unsupported(
                    "key_padding_mask in nn.MultiheadAttention",
                ));
            }
            let need = args.bool_or(4, "need_weights", true)?;
            let mask = opt_tensor(args.get(5, "attn_mask"), name, 6, "attn_mask")?;
            let avg = args.bool_or(6, "average_attn_weights", true)?;
            let mha = any.downcast_mut::<MultiheadAttention>().ok_or_else(wrong)?;
            let (y, w) = mha.forward_qkv(&x.t, &k.t, &v.t, mask.as_ref(), need, avg)?;
            mha.last_attn_weights = w.clone();
            // Module::backward is the self-attention one: only then can the graph go through.
            let graph = Rc::ptr_eq(&x, &k) && Rc::ptr_eq(&x, &v) && mask.is_none();
            let w = match w {
                Some(w) => outs.other(
                    w,
                    if avg {
                        "MeanBackward1"
                    } else {
                        "ViewBackward0"
                    },
                ),
                None => Value::None,
            };
            Ok(Value::tuple(vec![outs.first(y, g, graph), w]))
        }
    }
}

fn wrong() -> PyErr {
    PyErr::runtime("a core layer of an unexpected type")
}

/// `layer.<child>` of a `TransformerEncoderLayer` / `MultiheadAttention` (a copy, see the
/// module docs), or `None` when `name` is not one.
pub fn submodule(m: &ModRef, name: &str) -> Option<Value> {
    let mb = m.borrow();
    let ModKind::Native(layer, _) = &mb.kind else {
        return None;
    };
    let any = layer.as_any();
    if let Some(t) = any.downcast_ref::<TransformerEncoderLayer>() {
        let v = match name {
            "self_attn" => module(t.self_attn.clone(), "MultiheadAttention"),
            "linear1" => module(t.linear1.clone(), "Linear"),
            "linear2" => module(t.linear2.clone(), "Linear"),
            "dropout" => module(t.dropout.clone(), "Dropout"),
            "dropout1" => module(t.dropout1.clone(), "Dropout"),
            "dropout2" => module(t.dropout2.clone(), "Dropout"),
            "norm1" => module(t.norm1.clone(), "LayerNorm"),
            "norm2" => module(t.norm2.clone(), "LayerNorm"),
            _ => return None,
        };
        if let Value::Module(c) = &v {
            let training = mb.training;
            let mut cb = c.borrow_mut();
            cb.training = training;
            if let ModKind::Native(n, _) = &mut cb.kind {
                n.set_training(training);
            }
        }
        return Some(v);
    }
    if let Some(a) = any.downcast_ref::<MultiheadAttention>() {
        if name == "out_proj" {
            return Some(module(a.out_proj.clone(), "Linear"));
        }
    }
    None
}
