//! Builds the nnbook module a layer case names from PyTorch's constructor arguments
//! (`params.args`, or the case's `params`), and loads weights by state_dict name.

use super::fixture::Case;
use crate::nn::{
    BatchNorm1d, Embedding, LayerNorm, Module, MultiheadAttention, RnnConfig,
    TransformerEncoderLayer, TransformerEncoderLayerConfig, GRU, LSTM, RNN,
};
use serde_json::{Map, Value};

/// A built layer (built once per case, so variant sizes do not matter).
#[allow(clippy::large_enum_variant)]
pub(super) enum Built {
    LayerNorm(LayerNorm),
    BatchNorm1d(BatchNorm1d),
    Embedding(Embedding),
    Rnn(RNN),
    Lstm(LSTM),
    Gru(GRU),
    Mha(Box<MultiheadAttention>),
    Tel(Box<TransformerEncoderLayer>),
}

impl Built {
    pub fn module(&mut self) -> &mut dyn Module {
        match self {
            Built::LayerNorm(m) => m,
            Built::BatchNorm1d(m) => m,
            Built::Embedding(m) => m,
            Built::Rnn(m) => m,
            Built::Lstm(m) => m,
            Built::Gru(m) => m,
            Built::Mha(m) => m.as_mut(),
            Built::Tel(m) => m.as_mut(),
        }
    }
}

/// Typed access to constructor arguments, refusing names the class does not know.
struct Args<'a> {
    map: &'a Map<String, Value>,
}

impl Args<'_> {
    fn known(&self, class: &str, names: &[&str]) -> Result<(), String> {
        match self.map.keys().find(|k| !names.contains(&k.as_str())) {
            Some(k) => Err(format!("unknown argument '{k}' for {class}")),
            None => Ok(()),
        }
    }
    fn usize(&self, k: &str, default: Option<usize>) -> Result<usize, String> {
        match self.map.get(k) {
            Some(v) => v
                .as_u64()
                .map(|v| v as usize)
                .ok_or_else(|| format!("argument '{k}' is not a non-negative integer")),
            None => default.ok_or_else(|| format!("missing argument '{k}'")),
        }
    }
    fn f32(&self, k: &str, default: f32) -> Result<f32, String> {
        match self.map.get(k) {
            Some(v) => v
                .as_f64()
                .map(|v| v as f32)
                .ok_or_else(|| format!("argument '{k}' is not a number")),
            None => Ok(default),
        }
    }
    fn bool(&self, k: &str, default: bool) -> Result<bool, String> {
        match self.map.get(k) {
            Some(v) => v
                .as_bool()
                .ok_or_else(|| format!("argument '{k}' is not a boolean")),
            None => Ok(default),
        }
    }
}

fn rnn_config(a: &Args, class: &str) -> Result<RnnConfig, String> {
    let mut names = vec![
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
    ];
    if class == "RNN" {
        names.push("nonlinearity");
    }
    a.known(class, &names)?;
    let relu = match a.map.get("nonlinearity").and_then(Value::as_str) {
        None | Some("tanh") => false,
        Some("relu") => true,
        Some(other) => return Err(format!("unknown nonlinearity '{other}'")),
    };
    Ok(
        RnnConfig::new(a.usize("input_size", None)?, a.usize("hidden_size", None)?)
            .with_num_layers(a.usize("num_layers", Some(1))?)
            .with_bias(a.bool("bias", true)?)
            .with_batch_first(a.bool("batch_first", false)?)
            .with_relu(relu),
    )
}

/// `nn.CLASS(**args)`. The outer `Err` is a malformed case; the inner one is nnbook's error
/// (what PyTorch's constructor raises).
pub(super) fn build(
    class: &str,
    args: &Map<String, Value>,
) -> Result<crate::Result<Built>, String> {
    let a = Args { map: args };
    Ok(match class {
        "LayerNorm" => {
            a.known(
                class,
                &["normalized_shape", "eps", "elementwise_affine", "bias"],
            )?;
            let ns: Vec<usize> = match args.get("normalized_shape") {
                Some(Value::Number(n)) => vec![n.as_u64().ok_or("bad normalized_shape")? as usize],
                Some(v) => serde_json::from_value(v.clone())
                    .map_err(|e| format!("normalized_shape: {e}"))?,
                None => return Err("missing argument 'normalized_shape'".into()),
            };
            Ok(Built::LayerNorm(LayerNorm::with_options(
                &ns,
                a.f32("eps", 1e-5)?,
                a.bool("elementwise_affine", true)?,
                a.bool("bias", true)?,
            )))
        }
        "BatchNorm1d" => {
            a.known(class, &["num_features", "eps", "momentum"])?;
            Ok(Built::BatchNorm1d(
                BatchNorm1d::new(a.usize("num_features", None)?)
                    .with_eps(a.f32("eps", 1e-5)?)
                    .with_momentum(a.f32("momentum", 0.1)?),
            ))
        }
        "Embedding" => {
            a.known(class, &["num_embeddings", "embedding_dim", "padding_idx"])?;
            let pad = match args.get("padding_idx") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_i64().ok_or("padding_idx is not an integer")?),
            };
            Embedding::new(
                a.usize("num_embeddings", None)?,
                a.usize("embedding_dim", None)?,
                pad,
            )
            .map(Built::Embedding)
        }
        "RNN" => RNN::new(rnn_config(&a, class)?).map(Built::Rnn),
        "LSTM" => LSTM::new(rnn_config(&a, class)?).map(Built::Lstm),
        "GRU" => GRU::new(rnn_config(&a, class)?).map(Built::Gru),
        "MultiheadAttention" => {
            a.known(class, &["embed_dim", "num_heads", "batch_first"])?;
            MultiheadAttention::new(
                a.usize("embed_dim", None)?,
                a.usize("num_heads", None)?,
                a.bool("batch_first", false)?,
            )
            .map(|m| Built::Mha(Box::new(m)))
        }
        "TransformerEncoderLayer" => {
            a.known(class, TransformerEncoderLayer::ARGS)?;
            let cfg = TransformerEncoderLayerConfig::new(
                a.usize("d_model", None)?,
                a.usize("nhead", None)?,
            )
            .with_dim_feedforward(a.usize("dim_feedforward", Some(2048))?)
            .with_dropout(a.f32("dropout", 0.1)?)
            .with_batch_first(a.bool("batch_first", false)?)
            .with_norm_first(a.bool("norm_first", false)?);
            TransformerEncoderLayer::new(cfg).map(|m| Built::Tel(Box::new(m)))
        }
        other => return Err(format!("unknown module class '{other}'")),
    })
}

/// Replaces every parameter and buffer of `m` by the case input of the same state_dict name,
/// and checks that every other input is one of `call_inputs`.
pub(super) fn load_weights(
    m: &mut dyn Module,
    case: &Case,
    call_inputs: &[&str],
) -> Result<(), String> {
    let mut used: Vec<String> = Vec::new();
    for (name, p) in m.named_parameters_mut() {
        let t = case.input(&name)?;
        if t.shape() != p.value.shape() {
            return Err(format!(
                "input '{name}' has shape {:?}, the module's parameter {:?}",
                t.shape(),
                p.value.shape()
            ));
        }
        p.value = t;
        used.push(name);
    }
    for (name, b) in m.named_buffers_mut() {
        if name == "num_batches_tracked" {
            continue;
        }
        let t = case.input(&name)?;
        if t.shape() != b.shape() {
            return Err(format!("input '{name}' has shape {:?}", t.shape()));
        }
        *b = t;
        used.push(name);
    }
    for k in case.inputs.keys() {
        if !used.contains(k) && !call_inputs.contains(&k.as_str()) {
            return Err(format!(
                "input '{k}' is neither a parameter of the module nor a call input"
            ));
        }
    }
    Ok(())
}
