//! A model as data: a JSON list of layer specs → an [`nn::Sequential`](Sequential), and a
//! shape trace of it (what the layer editor and the graph view show).
//!
//! ```json
//! [{"type": "Conv2d", "in_channels": 3, "out_channels": 32, "kernel_size": 5, "stride": 1, "padding": 2},
//!  {"type": "MaxPool2d", "kernel_size": 2}, {"type": "ReLU"}, {"type": "BatchNorm2d", "num_features": 32},
//!  {"type": "Dropout", "p": 0.5}, {"type": "Flatten"}, {"type": "Linear", "in_features": 1024, "out_features": 64}]
//! ```
//!
//! Optional fields take PyTorch's defaults (`stride=1, padding=0, bias=True` for Conv2d,
//! `stride=kernel_size, padding=0` for MaxPool2d, `p=0.5`, `start_dim=1, end_dim=-1`).
//!
//! [`trace_spec`] computes shapes analytically (each layer's [`Module::output_shape`]): no
//! activation is ever allocated, so `[100000, 3, 4096, 4096]` costs nothing; an activation
//! past the size guard is reported as the guard's error at that layer. Parameters are built
//! (for the repr and the count), within [`MAX_SPEC_PARAMS`] in total.
//!
//! Multiply-adds are per batch, counting one multiply-add per weight use and no bias adds:
//! Conv2d `N·Cout·Hout·Wout·Cin·k·k`, Linear `rows·in·out` (`rows` = product of all dims but
//! the last), 0 for the other layers.
//!
//! ```
//! use nnbook::nn::spec::{cifar10_spec, trace_spec};
//! let t = trace_spec(&cifar10_spec(false), &[64, 3, 32, 32]).unwrap();
//! assert_eq!(t.rows.last().unwrap().output_shape, vec![64, 10]);
//! assert_eq!(t.total_params, 145_578);
//! assert!(t.error.is_none());
//! ```

use crate::error::{Error, Result};
use crate::nn::{
    BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential,
};
use crate::tensor::guard;
use serde::{Deserialize, Serialize};

/// Largest model (in learnable scalars) built from a spec: 16,777,216 (64 MiB of float32 plus
/// as much again for gradients), so an edited model can never stall the page.
pub const MAX_SPEC_PARAMS: usize = 1 << 24;

fn one() -> usize {
    1
}
fn yes() -> bool {
    true
}
fn half() -> f32 {
    0.5
}
fn start_dim() -> i64 {
    1
}
fn end_dim() -> i64 {
    -1
}

/// One layer, with PyTorch's constructor arguments (square kernels, strides and paddings).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type")]
pub enum LayerSpec {
    /// `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True)`.
    Conv2d {
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        #[serde(default = "one")]
        stride: usize,
        #[serde(default)]
        padding: usize,
        #[serde(default = "yes")]
        bias: bool,
    },
    /// `nn.MaxPool2d(kernel_size, stride=None, padding=0)` (`stride` defaults to the kernel).
    MaxPool2d {
        kernel_size: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stride: Option<usize>,
        #[serde(default)]
        padding: usize,
    },
    /// `nn.ReLU()`.
    ReLU,
    /// `nn.BatchNorm2d(num_features)`.
    BatchNorm2d { num_features: usize },
    /// `nn.Dropout(p=0.5)`.
    Dropout {
        #[serde(default = "half")]
        p: f32,
    },
    /// `nn.Flatten(start_dim=1, end_dim=-1)`.
    Flatten {
        #[serde(default = "start_dim")]
        start_dim: i64,
        #[serde(default = "end_dim")]
        end_dim: i64,
    },
    /// `nn.Linear(in_features, out_features, bias=True)`.
    Linear {
        in_features: usize,
        out_features: usize,
        #[serde(default = "yes")]
        bias: bool,
    },
}

fn spec_error(message: String) -> Error {
    Error::value("layer spec", message)
}

/// Parses a JSON array of layer specs.
///
/// # Errors
/// `ValueError` naming the layer (0-based) and the problem: not JSON, not an array, unknown
/// `type`, a missing or ill-typed argument, an unknown argument.
pub fn parse_spec(json: &str) -> Result<Vec<LayerSpec>> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| spec_error(format!("the layer spec is not valid JSON: {e}")))?;
    parse_spec_value(value)
}

/// [`parse_spec`] from an already parsed JSON value.
///
/// # Errors
/// As [`parse_spec`].
pub fn parse_spec_value(value: serde_json::Value) -> Result<Vec<LayerSpec>> {
    let serde_json::Value::Array(items) = value else {
        return Err(spec_error(
            "the layer spec must be a JSON array of layers".into(),
        ));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| parse_layer(i, item))
        .collect()
}

const ARGS: [(&str, &[&str]); 7] = [
    ("Conv2d", super::Conv2d::ARGS),
    ("MaxPool2d", &["kernel_size", "stride", "padding"]),
    ("ReLU", &[]),
    ("BatchNorm2d", &["num_features"]),
    ("Dropout", &["p"]),
    ("Flatten", &["start_dim", "end_dim"]),
    ("Linear", &["in_features", "out_features", "bias"]),
];

fn parse_layer(i: usize, item: serde_json::Value) -> Result<LayerSpec> {
    let Some(obj) = item.as_object() else {
        return Err(spec_error(format!(
            "layer {i}: expected an object like {{\"type\": \"ReLU\"}}, got {item}"
        )));
    };
    let ty = match obj.get("type") {
        Some(serde_json::Value::String(t)) => t.clone(),
        _ => return Err(spec_error(format!("layer {i}: missing \"type\""))),
    };
    let Some((_, allowed)) = ARGS.iter().find(|(name, _)| *name == ty) else {
        let known: Vec<&str> = ARGS.iter().map(|(n, _)| *n).collect();
        return Err(spec_error(format!(
            "layer {i}: unknown layer type '{ty}' (expected one of {})",
            known.join(", ")
        )));
    };
    if let Some(extra) = obj
        .keys()
        .find(|k| *k != "type" && !allowed.contains(&k.as_str()))
    {
        return Err(spec_error(format!(
            "layer {i} ({ty}): unexpected argument '{extra}'"
        )));
    }
    let spec: LayerSpec =
        serde_json::from_value(item).map_err(|e| spec_error(format!("layer {i} ({ty}): {e}")))?;
    spec.check()
        .map_err(|m| spec_error(format!("layer {i} ({ty}): {m}")))?;
    Ok(spec)
}

impl LayerSpec {
    /// The PyTorch class name (`"Conv2d"`).
    pub fn type_name(&self) -> &'static str {
        match self {
            LayerSpec::Conv2d { .. } => "Conv2d",
            LayerSpec::MaxPool2d { .. } => "MaxPool2d",
            LayerSpec::ReLU => "ReLU",
            LayerSpec::BatchNorm2d { .. } => "BatchNorm2d",
            LayerSpec::Dropout { .. } => "Dropout",
            LayerSpec::Flatten { .. } => "Flatten",
            LayerSpec::Linear { .. } => "Linear",
        }
    }

    /// Argument checks nnbook makes at construction (sizes must be at least 1; PyTorch either
    /// agrees or fails later with an unhelpful backend message). Dropout's `p` is checked by
    /// [`Dropout::new`] with PyTorch's text.
    fn check(&self) -> std::result::Result<(), String> {
        let positive = |name: &str, v: usize| {
            if v == 0 {
                Err(format!("{name} must be at least 1"))
            } else {
                Ok(())
            }
        };
        match *self {
            LayerSpec::Conv2d {
                in_channels,
                out_channels,
                kernel_size,
                ..
            } => {
                positive("in_channels", in_channels)?;
                positive("out_channels", out_channels)?;
                positive("kernel_size", kernel_size)
            }
            LayerSpec::BatchNorm2d { num_features } => positive("num_features", num_features),
            LayerSpec::Linear {
                in_features,
                out_features,
                ..
            } => {
                positive("in_features", in_features)?;
                positive("out_features", out_features)
            }
            _ => Ok(()),
        }
    }

    /// The shapes of the learnable tensors this layer creates (weight, then bias).
    pub fn param_shapes(&self) -> Vec<Vec<usize>> {
        match *self {
            LayerSpec::Conv2d {
                in_channels: c,
                out_channels: o,
                kernel_size: k,
                bias,
                ..
            } => {
                let mut v = vec![vec![o, c, k, k]];
                if bias {
                    v.push(vec![o]);
                }
                v
            }
            LayerSpec::BatchNorm2d { num_features } => vec![vec![num_features]; 2],
            LayerSpec::Linear {
                in_features,
                out_features,
                bias,
            } => {
                let mut v = vec![vec![out_features, in_features]];
                if bias {
                    v.push(vec![out_features]);
                }
                v
            }
            _ => Vec::new(),
        }
    }

    /// Number of learnable scalars, computed without building (saturating).
    pub fn num_params(&self) -> usize {
        self.param_shapes()
            .iter()
            .map(|s| s.iter().fold(1usize, |a, &d| a.saturating_mul(d)))
            .fold(0usize, usize::saturating_add)
    }

    /// Multiply-adds for one forward pass on an input of shape `input` whose output has shape
    /// `output` (see the module docs for the convention), in u64, saturating.
    pub fn mult_adds(&self, input: &[usize], output: &[usize]) -> u64 {
        let prod = |s: &[usize]| s.iter().fold(1u64, |a, &d| a.saturating_mul(d as u64));
        match *self {
            LayerSpec::Conv2d {
                in_channels: c,
                kernel_size: k,
                ..
            } => prod(output).saturating_mul(prod(&[c, k, k])),
            LayerSpec::Linear {
                in_features,
                out_features,
                ..
            } => {
                let rows = prod(&input[..input.len().saturating_sub(1)]);
                rows.saturating_mul(prod(&[in_features, out_features]))
            }
            _ => 0,
        }
    }

    /// Builds the layer with PyTorch's initialisation from the global generator.
    ///
    /// # Errors
    /// The size guard's error for a parameter tensor past the limit; Dropout's
    /// `ValueError: dropout probability has to be between 0 and 1, but got 1.5`.
    pub fn build(&self) -> Result<Box<dyn Module>> {
        for shape in self.param_shapes() {
            guard::check_numel(self.type_name(), &shape)?;
        }
        Ok(match *self {
            LayerSpec::Conv2d {
                in_channels,
                out_channels,
                kernel_size: k,
                stride: s,
                padding: p,
                bias,
            } => Box::new(Conv2d::new(
                in_channels,
                out_channels,
                [k, k],
                [s, s],
                [p, p],
                bias,
            )),
            LayerSpec::MaxPool2d {
                kernel_size,
                stride,
                padding,
            } => Box::new(MaxPool2d::new(
                kernel_size,
                stride.unwrap_or(kernel_size),
                padding,
            )),
            LayerSpec::ReLU => Box::new(ReLU::new()),
            LayerSpec::BatchNorm2d { num_features } => Box::new(BatchNorm2d::new(num_features)),
            LayerSpec::Dropout { p } => Box::new(Dropout::new(p)?),
            LayerSpec::Flatten { start_dim, end_dim } => Box::new(Flatten::new(start_dim, end_dim)),
            LayerSpec::Linear {
                in_features,
                out_features,
                bias,
            } => Box::new(Linear::new(in_features, out_features, bias)),
        })
    }
}

/// The error of a model whose parameters would pass [`MAX_SPEC_PARAMS`].
fn too_many_params(layer: &LayerSpec, total: usize) -> Error {
    Error::value(
        "layer spec",
        format!(
            "this {} would bring the model to {total} parameters ({:.1} MB of float32); models built here are limited to {MAX_SPEC_PARAMS} parameters",
            layer.type_name(),
            total as f64 * 4.0 / 1e6
        ),
    )
}

/// Builds layer `index`, adding its parameters to `total` first (checked against
/// [`MAX_SPEC_PARAMS`]).
fn build_counted(spec: &LayerSpec, total: &mut usize) -> Result<Box<dyn Module>> {
    *total = total.saturating_add(spec.num_params());
    if *total > MAX_SPEC_PARAMS {
        return Err(too_many_params(spec, *total));
    }
    spec.build()
}

/// Builds the whole model, as `nn.Sequential(*layers)`.
///
/// # Errors
/// A layer that cannot be built ([`LayerSpec::build`]) or a model past [`MAX_SPEC_PARAMS`],
/// as [`Error::InLayer`] with the layer's index (its `layer` is the type name).
pub fn build_sequential(specs: &[LayerSpec]) -> Result<Sequential> {
    let mut total = 0usize;
    let mut net = Sequential::default();
    for (index, s) in specs.iter().enumerate() {
        let layer = build_counted(s, &mut total).map_err(|e| Error::InLayer {
            index,
            layer: s.type_name().to_string(),
            source: Box::new(e),
        })?;
        net.push(layer);
    }
    Ok(net)
}

/// One layer of a [`SpecTrace`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceRow {
    pub index: usize,
    /// `"Conv2d"`.
    pub type_name: String,
    /// PyTorch's repr, e.g. `Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))`.
    pub repr: String,
    pub input_shape: Vec<usize>,
    pub output_shape: Vec<usize>,
    pub params: usize,
    pub mult_adds: u64,
}

/// Where a trace stopped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceError {
    /// The layer that breaks (0-based).
    pub index: usize,
    /// Python's exception class, e.g. `"RuntimeError"`.
    pub kind: String,
    /// PyTorch's message for that layer.
    pub message: String,
}

/// The shape trace of a spec on an input shape.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpecTrace {
    pub input: Vec<usize>,
    /// One row per layer up to (not including) the failing one.
    pub rows: Vec<TraceRow>,
    /// The repr of every layer that could be built (all of them unless a layer's arguments
    /// are invalid), so the rows after an error can still be shown.
    pub reprs: Vec<String>,
    pub error: Option<TraceError>,
    /// `print(model)`, when every layer could be built.
    pub model_text: Option<String>,
    /// Over all buildable layers.
    pub total_params: usize,
    /// Over the traced rows.
    pub total_mult_adds: u64,
}

/// Traces `specs` on an input of shape `input` (e.g. `[64, 3, 32, 32]`): each layer's repr,
/// output shape, parameters and multiply-adds, stopping at the first layer that fails with
/// PyTorch's error for that layer (also for a layer that cannot be built, or an activation
/// past the size guard).
///
/// # Errors
/// Only when the input shape itself is past the size guard (the guard's error).
pub fn trace_spec(specs: &[LayerSpec], input: &[usize]) -> Result<SpecTrace> {
    guard::check_numel("input", input)?;
    let mut net = Sequential::default();
    let mut build_error = None;
    let mut total = 0usize;
    for (index, s) in specs.iter().enumerate() {
        match build_counted(s, &mut total) {
            Ok(layer) => net.push(layer),
            Err(e) => {
                build_error = Some((index, e));
                break;
            }
        }
    }
    let model_text = build_error.is_none().then(|| net.to_string());
    let layers = net.layers();
    let reprs: Vec<String> = layers.iter().map(|l| l.repr(0)).collect();
    let total_params = layers.iter().map(|l| l.num_parameters()).sum();
    let mut rows = Vec::new();
    let mut error = None;
    let mut shape = input.to_vec();
    for (index, layer) in layers.iter().enumerate() {
        let out = layer
            .output_shape(&shape)
            .and_then(|out| guard::check_numel(specs[index].type_name(), &out).map(|_| out));
        match out {
            Ok(out) => {
                rows.push(TraceRow {
                    index,
                    type_name: specs[index].type_name().into(),
                    repr: reprs[index].clone(),
                    input_shape: shape.clone(),
                    params: layer.num_parameters(),
                    mult_adds: specs[index].mult_adds(&shape, &out),
                    output_shape: out.clone(),
                });
                shape = out;
            }
            Err(e) => {
                error = Some((index, e));
                break;
            }
        }
    }
    let error = error.or(build_error).map(|(index, e)| TraceError {
        index,
        kind: e.py_kind().as_str().into(),
        message: e.root().to_string(),
    });
    let total_mult_adds = rows.iter().fold(0u64, |a, r| a.saturating_add(r.mult_adds));
    Ok(SpecTrace {
        input: input.to_vec(),
        rows,
        reprs,
        error,
        model_text,
        total_params,
        total_mult_adds,
    })
}

/// The CIFAR-10 model of the lessons as a spec ([`crate::nn::models::cifar10_model`]).
pub fn cifar10_spec(relu: bool) -> Vec<LayerSpec> {
    let mut v = Vec::new();
    for (c, o) in [(3, 32), (32, 32), (32, 64)] {
        v.push(LayerSpec::Conv2d {
            in_channels: c,
            out_channels: o,
            kernel_size: 5,
            stride: 1,
            padding: 2,
            bias: true,
        });
        if relu {
            v.push(LayerSpec::ReLU);
        }
        v.push(LayerSpec::MaxPool2d {
            kernel_size: 2,
            stride: None,
            padding: 0,
        });
    }
    v.push(LayerSpec::Flatten {
        start_dim: 1,
        end_dim: -1,
    });
    v.push(LayerSpec::Linear {
        in_features: 1024,
        out_features: 64,
        bias: true,
    });
    v.push(LayerSpec::Linear {
        in_features: 64,
        out_features: 10,
        bias: true,
    });
    v
}
