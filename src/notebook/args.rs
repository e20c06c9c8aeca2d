//! Call arguments (positional and keyword) and their conversion to Rust values, with Python's
//! `TypeError` texts.
use super::error::{PyErr, PyResult};
use super::value::Value;

/// The arguments of one call.
#[derive(Debug, Default, Clone)]
pub struct Args {
    pub pos: Vec<Value>,
    pub kw: Vec<(String, Value)>,
}

impl Args {
    /// Positional arguments only.
    pub fn positional(pos: Vec<Value>) -> Args {
        Args {
            pos,
            kw: Vec::new(),
        }
    }
    /// Argument `i` by position, or by keyword `name`.
    pub fn get(&self, i: usize, name: &str) -> Option<&Value> {
        self.pos.get(i).or_else(|| self.kwarg(name))
    }
    /// Keyword argument `name`.
    pub fn kwarg(&self, name: &str) -> Option<&Value> {
        self.kw.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    /// Required argument, with Python's missing-argument text for `func`.
    pub fn req(&self, i: usize, name: &str, func: &str) -> PyResult<&Value> {
        self.get(i, name).ok_or_else(|| {
            PyErr::type_error(format!(
                "{func}() missing 1 required positional argument: '{name}'"
            ))
        })
    }
    /// Refuses keyword arguments other than `allowed`, as Python does.
    pub fn check_kw(&self, func: &str, allowed: &[&str]) -> PyResult<()> {
        for (k, _) in &self.kw {
            if !allowed.contains(&k.as_str()) {
                return Err(PyErr::type_error(format!(
                    "{func}() got an unexpected keyword argument '{k}'"
                )));
            }
        }
        Ok(())
    }
    /// Optional int argument with a default.
    pub fn int_or(&self, i: usize, name: &str, default: i64) -> PyResult<i64> {
        match self.get(i, name) {
            None | Some(Value::None) => Ok(default),
            Some(v) => to_int(v, name),
        }
    }
    /// Optional float argument with a default.
    pub fn float_or(&self, i: usize, name: &str, default: f64) -> PyResult<f64> {
        match self.get(i, name) {
            None | Some(Value::None) => Ok(default),
            Some(v) => to_float(v, name),
        }
    }
    /// Optional bool argument with a default.
    pub fn bool_or(&self, i: usize, name: &str, default: bool) -> PyResult<bool> {
        match self.get(i, name) {
            None | Some(Value::None) => Ok(default),
            Some(v) => v
                .truthy()
                .ok_or_else(|| PyErr::type_error(format!("{name} must be a bool"))),
        }
    }
}

/// A Python int (or bool, or a one-element integer tensor) as `i64`.
pub fn to_int(v: &Value, what: &str) -> PyResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        Value::Tensor(t) if t.t.numel() == 1 && t.dtype != super::value::DType::Float32 => {
            Ok(t.t.data()[0] as i64)
        }
        other => Err(PyErr::type_error(format!(
            "{what} must be int, not {}",
            other.type_name()
        ))),
    }
}

/// A Python number (or a one-element tensor) as `f64`.
pub fn to_float(v: &Value, what: &str) -> PyResult<f64> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(*b as i64 as f64),
        Value::Float(f) => Ok(*f),
        Value::Tensor(t) if t.t.numel() == 1 => Ok(t.t.data()[0] as f64),
        other => Err(PyErr::type_error(format!(
            "{what} must be a real number, not {}",
            other.type_name()
        ))),
    }
}

/// A sequence of ints: a tuple, list or `torch.Size`.
pub fn to_int_list(v: &Value, what: &str) -> PyResult<Vec<i64>> {
    match v {
        Value::Tuple(t) => t.iter().map(|x| to_int(x, what)).collect(),
        Value::List(l) => l.borrow().iter().map(|x| to_int(x, what)).collect(),
        Value::Size(s) => Ok(s.iter().map(|&d| d as i64).collect()),
        other => Err(PyErr::type_error(format!(
            "{what} must be tuple of ints, not {}",
            other.type_name()
        ))),
    }
}

/// A shape given as varargs (`reshape(2, 3)`) or one sequence (`reshape((2, 3))`), starting at
/// positional argument `from`.
pub fn shape_args(args: &Args, from: usize, name: &str, what: &str) -> PyResult<Vec<i64>> {
    match args.pos.get(from..) {
        Some([one]) if !matches!(one, Value::Int(_) | Value::Bool(_)) => to_int_list(one, what),
        Some(rest) if !rest.is_empty() => rest.iter().map(|x| to_int(x, what)).collect(),
        _ => match args.kwarg(name) {
            Some(v) => to_int_list(v, what),
            None => Ok(Vec::new()),
        },
    }
}

/// Non-negative sizes (`torch.ones(64, 3, 32, 32)`), with PyTorch's text for a negative one.
pub fn sizes(shape: &[i64]) -> PyResult<Vec<usize>> {
    shape
        .iter()
        .map(|&d| {
            usize::try_from(d).map_err(|_| {
                PyErr::runtime(format!(
                    "Trying to create tensor with negative dimension {d}: {}",
                    crate::error::fmt_shape(shape)
                ))
            })
        })
        .collect()
}
