//! How values print: `repr()`/`str()` of Python values, PyTorch's tensor printing (default
//! print options: precision 4, threshold 1000, edgeitems 3, linewidth 80), `torch.Size([...])`
//! and `print(net)`.
//!
//! The tensor formatter follows `torch/_tensor_str.py`: one width for all elements, chosen from
//! the (summarised) nonzero finite values; integer mode (`1.`) when they are all whole, fixed
//! `{:.4f}`, or scientific `{:.4e}` when max/min > 1000, max > 1e8 or (non-integers) min < 1e-4.
use super::value::{module_class_name, DType, ModKind, ModuleObj, TensorVal, Value};
use crate::optim::pyfmt::py_float_repr;

const PRECISION: usize = 4;
const THRESHOLD: usize = 1000;
const EDGEITEMS: usize = 3;
const LINEWIDTH: usize = 80;

/// Python's `repr(v)`.
pub fn py_repr(v: &Value) -> String {
    match v {
        Value::Str(s) => str_repr(s),
        _ => py_str_inner(v, true),
    }
}

/// Python's `str(v)` (what `print` shows).
pub fn py_str(v: &Value) -> String {
    py_str_inner(v, false)
}

fn join_reprs(items: &[Value]) -> String {
    items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
}

fn py_str_inner(v: &Value, _repr: bool) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => py_float_repr(*f),
        Value::Str(s) => s.to_string(),
        Value::Tuple(t) => {
            if t.len() == 1 {
                format!("({},)", py_repr(&t[0]))
            } else {
                format!("({})", join_reprs(t))
            }
        }
        Value::List(l) => format!("[{}]", join_reprs(&l.borrow())),
        Value::Dict(d) => {
            let parts: Vec<String> = d
                .borrow()
                .iter()
                .map(|(k, v)| format!("{}: {}", py_repr(k), py_repr(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Range(a, b, s) => {
            if *s == 1 {
                format!("range({a}, {b})")
            } else {
                format!("range({a}, {b}, {s})")
            }
        }
        Value::Slice(a, b, s) => {
            let f = |x: &Option<i64>| x.map_or("None".to_string(), |v| v.to_string());
            format!("slice({}, {}, {})", f(a), f(b), f(s))
        }
        Value::Tensor(t) => tensor_repr(t),
        Value::Size(s) => size_repr(s),
        Value::Module(m) => module_repr(&m.borrow()),
        Value::Optim(_) => format!("<{} optimizer>", v.type_name()),
        Value::Func(f) => format!("<function {}>", f.name),
        Value::Class(c) => format!("<class '__main__.{}'>", c.name),
        Value::Native(ns, name) => {
            if ns.is_empty() {
                format!("<built-in function {name}>")
            } else {
                format!("<function {name}>")
            }
        }
        Value::Method(_, name) => format!("<bound method {name}>"),
        Value::BoundFunc(_, f) => format!("<bound method {}>", f.name),
        Value::Namespace(n) => format!("<module '{n}'>"),
        Value::Super(_) => "<super>".into(),
        Value::NoGrad => "<torch.autograd.grad_mode.no_grad>".into(),
        Value::Type(name) => format!("<class '{}'>", qualified_type_name(name)),
        Value::DType(d) => d.name().into(),
        Value::Dataset(d) => d.repr(),
        Value::Transform(t) => t.repr(),
        Value::Loader(_) => "<torch.utils.data.dataloader.DataLoader object>".into(),
        Value::Iter(i) => format!("<{} object>", i.kind),
    }
}

/// `repr(str)`: single quotes unless the text holds one and no double quote.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `torch.Size([64, 3, 32, 32])`.
pub fn size_repr(s: &[usize]) -> String {
    let parts: Vec<String> = s.iter().map(|d| d.to_string()).collect();
    format!("torch.Size([{}])", parts.join(", "))
}

/// `print(net)`: PyTorch's `Module.__repr__` (children indented by two spaces).
pub fn module_repr(m: &ModuleObj) -> String {
    let children: Vec<(String, String)> = match &m.kind {
        ModKind::Native(n, _) => return n.repr(0),
        ModKind::Loss(_) => Vec::new(),
        ModKind::Sequential(c) => c
            .iter()
            .enumerate()
            .map(|(i, c)| (i.to_string(), module_repr(&c.borrow())))
            .collect(),
        ModKind::User { children, .. } => children
            .iter()
            .map(|(n, c)| (n.clone(), module_repr(&c.borrow())))
            .collect(),
    };
    let name = module_class_name(m);
    if children.is_empty() {
        return format!("{name}()");
    }
    let mut s = format!("{name}(\n");
    for (n, r) in children {
        let r = r.replace('\n', "\n  ");
        s += &format!("  ({n}): {r}\n");
    }
    s + ")"
}

/// PyTorch's `repr(tensor)`: `tensor([[0., 1.],\n        [2., 3.]])` plus the suffixes
/// (`dtype=torch.bool`, `requires_grad=True`, `grad_fn=<...>`).
pub fn tensor_repr(tv: &TensorVal) -> String {
    let t = &tv.t;
    let prefix = "tensor(";
    let indent = prefix.len();
    let mut suffixes: Vec<String> = Vec::new();
    let body = if t.numel() == 0 {
        if t.ndim() != 1 {
            let dims: Vec<String> = t.shape().iter().map(|d| d.to_string()).collect();
            suffixes.push(format!(
                "size=({})",
                dims.join(", ") + if dims.len() == 1 { "," } else { "" }
            ));
        }
        "[]".to_string()
    } else {
        let summarize = t.numel() > THRESHOLD;
        let fmt = Formatter::new(&summarized_values(t.data(), t.shape(), summarize), tv.dtype);
        tensor_str(t.data(), t.shape(), indent, summarize, &fmt)
    };
    if tv.dtype == DType::Bool && t.numel() == 0 {
        suffixes.push("dtype=torch.bool".into());
    } else if tv.dtype == DType::Int64 && t.numel() == 0 {
        suffixes.push("dtype=torch.int64".into());
    }
    if tv.is_param {
        suffixes.push("requires_grad=True".into());
    } else if let Some(g) = tv.grad_fn {
        suffixes.push(format!("grad_fn=<{g}>"));
    }
    let mut s = format!("{prefix}{body}");
    for suf in suffixes {
        s += ", ";
        s += &suf;
    }
    s += ")";
    if tv.is_param {
        format!("Parameter containing:\n{s}")
    } else {
        s
    }
}

/// The values the formatter sees: all of them, or the edge items of every dimension.
fn summarized_values(data: &[f32], shape: &[usize], summarize: bool) -> Vec<f32> {
    if !summarize || shape.is_empty() {
        return data.to_vec();
    }
    let n = shape[0];
    let inner: usize = shape[1..].iter().product();
    let rows: Vec<usize> = if n > 2 * EDGEITEMS {
        (0..EDGEITEMS).chain(n - EDGEITEMS..n).collect()
    } else {
        (0..n).collect()
    };
    let mut out = Vec::new();
    for i in rows {
        let sub = &data[i * inner..(i + 1) * inner];
        if shape.len() == 1 {
            out.push(sub[0]);
        } else {
            out.extend(summarized_values(sub, &shape[1..], true));
        }
    }
    out
}

struct Formatter {
    dtype: DType,
    int_mode: bool,
    sci_mode: bool,
    max_width: usize,
}

/// Python's `'{:.4e}'` (exponent signed, at least two digits).
pub fn sci(v: f64, precision: usize) -> String {
    let s = format!("{:.*e}", precision, v);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

/// Formats a non-finite float as Python (`nan`, `inf`, `-inf`), or `None`.
fn non_finite(v: f64) -> Option<String> {
    if v.is_nan() {
        Some("nan".into())
    } else if v.is_infinite() {
        Some(if v > 0.0 { "inf" } else { "-inf" }.into())
    } else {
        None
    }
}

impl Formatter {
    fn new(values: &[f32], dtype: DType) -> Formatter {
        let mut f = Formatter {
            dtype,
            int_mode: true,
            sci_mode: false,
            max_width: 1,
        };
        if dtype != DType::Float32 {
            for &v in values {
                f.max_width = f.max_width.max(f.format_raw(v).len());
            }
            return f;
        }
        let nz: Vec<f64> = values
            .iter()
            .filter(|v| v.is_finite() && **v != 0.0)
            .map(|&v| v as f64)
            .collect();
        // Non-finite values are measured too, through `format` (PyTorch does this by width of
        // the nonzero finite values only; nan/inf are 3-4 chars, handled at format time).
        if nz.is_empty() {
            return f;
        }
        let min = nz.iter().fold(f64::INFINITY, |a, v| a.min(v.abs()));
        let max = nz.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        f.int_mode = nz.iter().all(|v| v.ceil() == *v);
        if f.int_mode {
            if max / min > 1000.0 || max > 1.0e8 {
                f.sci_mode = true;
                for v in &nz {
                    f.max_width = f.max_width.max(sci(*v, PRECISION).len());
                }
            } else {
                for v in &nz {
                    f.max_width = f.max_width.max(format!("{v:.0}").len() + 1);
                }
            }
        } else if max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4 {
            f.sci_mode = true;
            for v in &nz {
                f.max_width = f.max_width.max(sci(*v, PRECISION).len());
            }
        } else {
            for v in &nz {
                f.max_width = f.max_width.max(format!("{:.*}", PRECISION, v).len());
            }
        }
        f
    }

    fn format_raw(&self, v: f32) -> String {
        let v64 = v as f64;
        match self.dtype {
            DType::Bool => if v != 0.0 { "True" } else { "False" }.into(),
            DType::Int64 => (v64 as i64).to_string(),
            DType::Float32 => {
                if self.sci_mode {
                    non_finite(v64).unwrap_or_else(|| sci(v64, PRECISION))
                } else if self.int_mode {
                    match non_finite(v64) {
                        Some(s) => s,
                        None => format!("{v64:.0}."),
                    }
                } else {
                    non_finite(v64).unwrap_or_else(|| format!("{:.*}", PRECISION, v64))
                }
            }
        }
    }

    fn format(&self, v: f32) -> String {
        let s = self.format_raw(v);
        format!("{s:>width$}", width = self.max_width)
    }
}

fn vector_str(data: &[f32], indent: usize, summarize: bool, f: &Formatter) -> String {
    let element_length = f.max_width + 2;
    let per_line = ((LINEWIDTH.saturating_sub(indent)) / element_length).max(1);
    let n = data.len();
    let items: Vec<String> = if summarize && n > 2 * EDGEITEMS {
        data[..EDGEITEMS]
            .iter()
            .map(|&v| f.format(v))
            .chain(std::iter::once(" ...".to_string()))
            .chain(data[n - EDGEITEMS..].iter().map(|&v| f.format(v)))
            .collect()
    } else {
        data.iter().map(|&v| f.format(v)).collect()
    };
    let lines: Vec<String> = items.chunks(per_line).map(|c| c.join(", ")).collect();
    format!(
        "[{}]",
        lines.join(&format!(",\n{}", " ".repeat(indent + 1)))
    )
}

fn tensor_str(
    data: &[f32],
    shape: &[usize],
    indent: usize,
    summarize: bool,
    f: &Formatter,
) -> String {
    match shape.len() {
        0 => f.format(data[0]),
        1 => vector_str(data, indent, summarize, f),
        dim => {
            let n = shape[0];
            let inner: usize = shape[1..].iter().product();
            let sub = |i: usize| {
                tensor_str(
                    &data[i * inner..(i + 1) * inner],
                    &shape[1..],
                    indent + 1,
                    summarize,
                    f,
                )
            };
            let slices: Vec<String> = if summarize && n > 2 * EDGEITEMS {
                (0..EDGEITEMS)
                    .map(sub)
                    .chain(std::iter::once("...".to_string()))
                    .chain((n - EDGEITEMS..n).map(sub))
                    .collect()
            } else {
                (0..n).map(sub).collect()
            };
            let sep = format!(",{}{}", "\n".repeat(dim - 1), " ".repeat(indent + 1));
            format!("[{}]", slices.join(&sep))
        }
    }
}

/// The module path Python prints for a class nnbook names by `__name__` (`type(x)` repr):
/// PyTorch's layers live in `torch.nn.modules.<family>`.
fn qualified_type_name(name: &str) -> String {
    let family = match name {
        "Tensor" => return "torch.Tensor".into(),
        "Size" => return "torch.Size".into(),
        "Linear" => "linear",
        "Conv2d" => "conv",
        "MaxPool2d" | "AvgPool2d" | "AdaptiveAvgPool2d" => "pooling",
        "ReLU" | "Softmax" | "LogSoftmax" | "Sigmoid" | "Tanh" | "MultiheadAttention" => {
            "activation"
        }
        "Flatten" => "flatten",
        "Dropout" | "Dropout2d" => "dropout",
        "BatchNorm1d" | "BatchNorm2d" => "batchnorm",
        "LayerNorm" => "normalization",
        "Sequential" => "container",
        "Embedding" => "sparse",
        "RNN" | "LSTM" | "GRU" => "rnn",
        "TransformerEncoderLayer" => "transformer",
        "CrossEntropyLoss" | "MSELoss" | "NLLLoss" => "loss",
        _ => return name.into(),
    };
    format!("torch.nn.modules.{family}.{name}")
}
