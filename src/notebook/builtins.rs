//! Python's builtins and plain-value semantics: `print`, `len`, `range`, `isinstance`, …,
//! numeric operators with Python's exact rules (`//` and `%` floor), comparisons, indexing of
//! lists/tuples/strings/dicts, iteration, f-strings and format specs.
use super::args::{to_float, to_int, Args};
use super::error::{PyErr, PyResult};
use super::interp::{no_attr, Frame, Interp};
use super::repr::{py_repr, py_str, sci};
use super::torch_api;
use super::value::{range_len, Value};
use crate::optim::pyfmt::py_float_repr;
use rustpython_ruff_python_ast::{self as ast, CmpOp, Operator};
use std::rc::Rc;

/// The namespace an import path names.
pub fn namespace(path: &str) -> Option<&'static str> {
    match path {
        "torch" => Some("torch"),
        "torch.nn" => Some("torch.nn"),
        "torch.nn.functional" => Some("torch.nn.functional"),
        "torch.optim" => Some("torch.optim"),
        "torch.utils" => Some("torch.utils"),
        "torch.utils.data" => Some("torch.utils.data"),
        "torchvision" => Some("torchvision"),
        "torchvision.datasets" => Some("torchvision.datasets"),
        "torchvision.transforms" => Some("torchvision.transforms"),
        "torchvision.utils" => Some("torchvision.utils"),
        "matplotlib" => Some("matplotlib"),
        "matplotlib.pyplot" => Some("matplotlib.pyplot"),
        _ => None,
    }
}

const BUILTINS: &[&str] = &[
    "print",
    "len",
    "range",
    "int",
    "float",
    "str",
    "bool",
    "abs",
    "min",
    "max",
    "sum",
    "list",
    "tuple",
    "enumerate",
    "zip",
    "isinstance",
    "type",
    "round",
    "repr",
    "super",
    "ValueError",
    "TypeError",
    "RuntimeError",
    "IndexError",
    "KeyError",
    "NotImplementedError",
    "Exception",
    "AssertionError",
    "dict",
    "sorted",
    "reversed",
    "iter",
    "next",
    "show",
    "StopIteration",
    "KeyboardInterrupt",
];

/// A Python builtin by name.
pub fn builtin(name: &str) -> Option<Value> {
    BUILTINS
        .iter()
        .find(|b| **b == name)
        .map(|b| Value::Native("", b))
}

/// `torch.x`, `torch.nn.X`, `F.x`, `torch.optim.X`.
pub fn namespace_attr(ns: &str, name: &str) -> PyResult<Value> {
    let missing = || no_attr(&Value::Namespace(leak_ns(ns)), name);
    match ns {
        "torch" => match name {
            "nn" => Ok(Value::Namespace("torch.nn")),
            "optim" => Ok(Value::Namespace("torch.optim")),
            "utils" => Ok(Value::Namespace("torch.utils")),
            "float32" | "float" => Ok(Value::DType(super::value::DType::Float32)),
            "int64" | "long" => Ok(Value::DType(super::value::DType::Int64)),
            "bool" => Ok(Value::DType(super::value::DType::Bool)),
            _ => torch_api::TORCH_FUNCS
                .iter()
                .find(|f| **f == name)
                .map(|f| Value::Native("torch", f))
                .ok_or_else(missing),
        },
        "torch.nn" => match name {
            "functional" => Ok(Value::Namespace("torch.nn.functional")),
            _ => super::nn_api::NN_CLASSES
                .iter()
                .chain(super::layers_api::LAYER_CLASSES)
                .find(|f| **f == name)
                .map(|f| Value::Native("nn", f))
                .ok_or_else(missing),
        },
        "torch.nn.functional" => super::nn_api::F_FUNCS
            .iter()
            .find(|f| **f == name)
            .map(|f| Value::Native("F", f))
            .ok_or_else(missing),
        "torch.optim" => super::nn_api::OPTIMS
            .iter()
            .find(|f| **f == name)
            .map(|f| Value::Native("optim", f))
            .ok_or_else(missing),
        "torch.utils" if name == "data" => Ok(Value::Namespace("torch.utils.data")),
        "torch.utils.data" => find(super::data_api::DATA, "data", name).ok_or_else(missing),
        "torchvision" => match name {
            "datasets" | "transforms" | "utils" => Ok(Value::Namespace(
                namespace(&format!("torchvision.{name}")).unwrap_or("torchvision"),
            )),
            _ => Err(missing()),
        },
        "torchvision.datasets" => {
            find(super::data_api::DATASETS, "datasets", name).ok_or_else(missing)
        }
        "torchvision.transforms" => {
            find(super::data_api::TRANSFORMS, "transforms", name).ok_or_else(missing)
        }
        "torchvision.utils" => find(&["make_grid"], "tvutils", name).ok_or_else(missing),
        "matplotlib" if name == "pyplot" => Ok(Value::Namespace("matplotlib.pyplot")),
        "matplotlib.pyplot" => find(super::image_api::PLT, "plt", name).ok_or_else(missing),
        _ => Err(missing()),
    }
}

fn find(names: &[&'static str], ns: &'static str, name: &str) -> Option<Value> {
    names
        .iter()
        .find(|f| **f == name)
        .map(|f| Value::Native(ns, f))
}

fn leak_ns(ns: &str) -> &'static str {
    namespace(ns).unwrap_or("torch")
}

/// An exception value raised with `raise`.
pub fn raise_value(v: Value) -> PyErr {
    match v {
        Value::Native("", class) => PyErr::new(class, ""),
        Value::Method(recv, _) => match *recv {
            Value::Tuple(t) if t.len() == 2 => {
                let class = py_str(&t[0]);
                PyErr::new(&class, py_str(&t[1]))
            }
            _ => PyErr::type_error("exceptions must derive from BaseException"),
        },
        _ => PyErr::type_error("exceptions must derive from BaseException"),
    }
}

/// The values `for x in v` visits.
pub fn iter_values(v: &Value) -> PyResult<Box<dyn Iterator<Item = Value>>> {
    Ok(match v {
        Value::Range(a, b, s) => {
            let (a, s) = (*a, *s);
            let n = range_len(a, *b, s);
            Box::new((0..n).map(move |i| Value::Int(a + i * s)))
        }
        Value::List(l) => Box::new(l.borrow().clone().into_iter()),
        Value::Tuple(t) => Box::new(t.as_ref().clone().into_iter()),
        Value::Size(s) => Box::new(s.as_ref().clone().into_iter().map(|d| Value::Int(d as i64))),
        Value::Str(s) => Box::new(
            s.chars()
                .map(|c| Value::str(c.to_string()))
                .collect::<Vec<_>>()
                .into_iter(),
        ),
        Value::Dict(d) => Box::new(
            d.borrow()
                .iter()
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
                .into_iter(),
        ),
        Value::Method(recv, name) if name.as_ref() == "__params__" => {
            let mut ps = Vec::new();
            if let Value::Module(m) = recv.as_ref() {
                super::nn_api::named_params(m, "", &mut ps);
            }
            Box::new(ps.into_iter().map(|(_, p)| p))
        }
        Value::Module(m) => Box::new(super::nn_api::module_iter(m)?.into_iter()),
        Value::Dataset(d) => super::data_api::dataset_iter(d)?,
        Value::Loader(l) => super::data_api::loader_iter(l)?,
        Value::Iter(it) => {
            let it = it.clone();
            Box::new(std::iter::from_fn(move || it.it.borrow_mut().next()))
        }
        Value::Tensor(t) => {
            if t.t.ndim() == 0 {
                return Err(PyErr::type_error("iteration over a 0-d tensor"));
            }
            let n = t.t.shape()[0];
            let t = t.clone();
            Box::new(
                (0..n).filter_map(move |i| torch_api::index_tensor(&t, &Value::Int(i as i64)).ok()),
            )
        }
        other => {
            return Err(PyErr::type_error(format!(
                "'{}' object is not iterable",
                other.type_name()
            )))
        }
    })
}

fn seq_index(i: i64, len: usize, what: &str) -> PyResult<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(PyErr::index_error(format!("{what} index out of range")));
    }
    Ok(j as usize)
}

/// Python's slice indices for a sequence of `len`: (start, stop, step).
pub fn slice_indices(
    lo: Option<i64>,
    hi: Option<i64>,
    st: Option<i64>,
    len: usize,
) -> PyResult<(i64, i64, i64)> {
    let step = st.unwrap_or(1);
    if step == 0 {
        return Err(PyErr::value_error("slice step cannot be zero"));
    }
    let n = len as i64;
    let clamp = |x: Option<i64>, default: i64| -> i64 {
        match x {
            None => default,
            Some(v) => {
                let v = if v < 0 { v + n } else { v };
                if step > 0 {
                    v.clamp(0, n)
                } else {
                    v.clamp(-1, n - 1)
                }
            }
        }
    };
    if step > 0 {
        Ok((clamp(lo, 0), clamp(hi, n), step))
    } else {
        Ok((clamp(lo, n - 1), clamp(hi, -1), step))
    }
}

fn slice_vec(
    v: &[Value],
    lo: Option<i64>,
    hi: Option<i64>,
    st: Option<i64>,
) -> PyResult<Vec<Value>> {
    let (a, b, s) = slice_indices(lo, hi, st, v.len())?;
    let n = range_len(a, b, s);
    Ok((0..n).map(|i| v[(a + i * s) as usize].clone()).collect())
}

/// `v[idx]`.
pub fn get_item(v: &Value, idx: &Value) -> PyResult<Value> {
    match (v, idx) {
        (Value::Tensor(t), _) => torch_api::index_tensor(t, idx),
        (Value::List(l), Value::Slice(a, b, s)) => {
            Ok(Value::list(slice_vec(&l.borrow(), *a, *b, *s)?))
        }
        (Value::Tuple(t), Value::Slice(a, b, s)) => Ok(Value::tuple(slice_vec(t, *a, *b, *s)?)),
        (Value::Size(sz), Value::Slice(a, b, s)) => {
            let items: Vec<Value> = sz.iter().map(|&d| Value::Int(d as i64)).collect();
            let out = slice_vec(&items, *a, *b, *s)?;
            Ok(Value::Size(Rc::new(
                out.iter()
                    .map(|x| to_int(x, "").unwrap_or(0) as usize)
                    .collect(),
            )))
        }
        (Value::List(l), i) => {
            let l = l.borrow();
            let i = index_int(i, "list")?;
            Ok(l[seq_index(i, l.len(), "list")?].clone())
        }
        (Value::Tuple(t), i) => {
            let i = index_int(i, "tuple")?;
            Ok(t[seq_index(i, t.len(), "tuple")?].clone())
        }
        (Value::Size(s), i) => {
            let i = index_int(i, "tuple")?;
            Ok(Value::Int(s[seq_index(i, s.len(), "tuple")?] as i64))
        }
        (Value::Str(s), Value::Slice(a, b, st)) => {
            let chars: Vec<Value> = s.chars().map(|c| Value::str(c.to_string())).collect();
            let out = slice_vec(&chars, *a, *b, *st)?;
            Ok(Value::str(out.iter().map(py_str).collect::<String>()))
        }
        (Value::Str(s), i) => {
            let chars: Vec<char> = s.chars().collect();
            let i = index_int(i, "string")?;
            Ok(Value::str(
                chars[seq_index(i, chars.len(), "string")?].to_string(),
            ))
        }
        (Value::Range(a, b, s), i) => {
            let i = index_int(i, "range")?;
            let n = range_len(*a, *b, *s) as usize;
            let i = seq_index(i, n, "range object")?;
            Ok(Value::Int(a + i as i64 * s))
        }
        (Value::Dict(d), k) => {
            let d = d.borrow();
            d.iter()
                .find(|(key, _)| values_equal(key, k))
                .map(|(_, v)| v.clone())
                .ok_or_else(|| PyErr::new("KeyError", py_repr(k)))
        }
        (Value::Module(m), i) => super::nn_api::sequential_item(m, i),
        (Value::Dataset(d), i) => super::data_api::dataset_item(d, i),
        (other, _) => Err(PyErr::type_error(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        ))),
    }
}

fn index_int(i: &Value, what: &str) -> PyResult<i64> {
    match i {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        other => Err(PyErr::type_error(format!(
            "{what} indices must be integers or slices, not {}",
            other.type_name()
        ))),
    }
}

/// `obj[idx] = v`.
pub fn set_item(obj: &Value, idx: Value, v: Value) -> PyResult<()> {
    match obj {
        Value::List(l) => {
            let mut l = l.borrow_mut();
            let i = index_int(&idx, "list")?;
            let len = l.len();
            let i = seq_index(i, len, "list assignment")?;
            l[i] = v;
            Ok(())
        }
        Value::Dict(d) => {
            let mut d = d.borrow_mut();
            if let Some(slot) = d.iter_mut().find(|(k, _)| values_equal(k, &idx)) {
                slot.1 = v;
            } else {
                d.push((idx, v));
            }
            Ok(())
        }
        Value::Tensor(_) => Err(PyErr::unsupported("assigning into a tensor (t[i] = ...)")),
        Value::Tuple(_) => Err(PyErr::type_error(
            "'tuple' object does not support item assignment",
        )),
        other => Err(PyErr::type_error(format!(
            "'{}' object does not support item assignment",
            other.type_name()
        ))),
    }
}

/// Python `==` for plain values.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| values_equal(p, q))
        }
        (Value::List(x), Value::List(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| values_equal(p, q))
        }
        (Value::Size(x), Value::Size(y)) => x == y,
        (Value::Size(x), Value::Tuple(_)) | (Value::Tuple(_), Value::Size(x)) => {
            let other = if let Value::Tuple(t) = a {
                t
            } else if let Value::Tuple(t) = b {
                t
            } else {
                unreachable!()
            };
            x.len() == other.len()
                && x.iter()
                    .zip(other.iter())
                    .all(|(d, v)| matches!(v, Value::Int(i) if *i == *d as i64))
        }
        (Value::Module(x), Value::Module(y)) => Rc::ptr_eq(x, y),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

enum Num {
    I(i64),
    F(f64),
}

fn num(v: &Value) -> Option<f64> {
    match num2(v)? {
        Num::I(i) => Some(i as f64),
        Num::F(f) => Some(f),
    }
}

fn num2(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::I(*i)),
        Value::Bool(b) => Some(Num::I(*b as i64)),
        Value::Float(f) => Some(Num::F(*f)),
        _ => None,
    }
}

/// `a <cmp> b`.
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> PyResult<Value> {
    if (matches!(a, Value::Tensor(_)) || matches!(b, Value::Tensor(_)))
        && !matches!(op, CmpOp::Is | CmpOp::IsNot | CmpOp::In | CmpOp::NotIn)
    {
        return torch_api::tensor_compare(op, a, b);
    }
    let r = match op {
        CmpOp::Eq => values_equal(a, b),
        CmpOp::NotEq => !values_equal(a, b),
        CmpOp::Is => match (a, b) {
            (Value::None, Value::None) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Module(x), Value::Module(y)) => Rc::ptr_eq(x, y),
            (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
            (Value::Tensor(x), Value::Tensor(y)) => Rc::ptr_eq(x, y),
            _ => false,
        },
        CmpOp::IsNot => {
            let is = compare(CmpOp::Is, a, b)?;
            !matches!(is, Value::Bool(true))
        }
        CmpOp::In | CmpOp::NotIn => {
            let found = match b {
                Value::Str(s) => match a {
                    Value::Str(x) => s.contains(x.as_ref()),
                    other => {
                        return Err(PyErr::type_error(format!(
                            "'in <string>' requires string as left operand, not {}",
                            other.type_name()
                        )))
                    }
                },
                Value::Dict(d) => d.borrow().iter().any(|(k, _)| values_equal(k, a)),
                other => iter_values(other)?.any(|x| values_equal(&x, a)),
            };
            found == (op == CmpOp::In)
        }
        _ => {
            let ord = match (a, b) {
                (Value::Str(x), Value::Str(y)) => x.partial_cmp(y),
                _ => match (num(a), num(b)) {
                    (Some(x), Some(y)) => x.partial_cmp(&y),
                    _ => {
                        return Err(PyErr::type_error(format!(
                            "'{}' not supported between instances of '{}' and '{}'",
                            op.as_str(),
                            a.type_name(),
                            b.type_name()
                        )))
                    }
                },
            };
            let Some(o) = ord else {
                return Ok(Value::Bool(false));
            };
            use std::cmp::Ordering::*;
            match op {
                CmpOp::Lt => o == Less,
                CmpOp::LtE => o != Greater,
                CmpOp::Gt => o == Greater,
                _ => o != Less,
            }
        }
    };
    Ok(Value::Bool(r))
}

/// `-v`.
pub fn neg(v: Value) -> PyResult<Value> {
    match v {
        Value::Int(i) => i
            .checked_neg()
            .map(Value::Int)
            .ok_or_else(|| PyErr::new("OverflowError", "integer overflow")),
        Value::Bool(b) => Ok(Value::Int(-(b as i64))),
        Value::Float(f) => Ok(Value::Float(-f)),
        Value::Tensor(_) => torch_api::tensor_binop(Operator::Mult, &v, &Value::Int(-1), false),
        other => Err(PyErr::type_error(format!(
            "bad operand type for unary -: '{}'",
            other.type_name()
        ))),
    }
}

fn overflow() -> PyErr {
    PyErr::new(
        "OverflowError",
        "integers beyond 64 bits are not supported in nnbook yet",
    )
}

fn op_symbol(op: Operator) -> &'static str {
    op.as_str()
}

/// Python floor division and modulo on floats.
fn float_floordiv_mod(a: f64, b: f64) -> (f64, f64) {
    let m = a % b;
    let m = if m != 0.0 && ((m < 0.0) != (b < 0.0)) {
        m + b
    } else {
        m
    };
    let d = ((a - m) / b).round();
    (d, if m == 0.0 { 0.0f64.copysign(b) } else { m })
}

/// `a <op> b` for plain Python values.
pub fn binop(op: Operator, a: Value, b: Value) -> PyResult<Value> {
    let type_err = |a: &Value, b: &Value| {
        PyErr::type_error(format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            op_symbol(op),
            a.type_name(),
            b.type_name()
        ))
    };
    match (&a, &b) {
        (Value::Str(x), Value::Str(y)) if op == Operator::Add => {
            return Ok(Value::str(format!("{x}{y}")))
        }
        (Value::Str(x), Value::Int(n)) | (Value::Int(n), Value::Str(x)) if op == Operator::Mult => {
            return Ok(Value::str(x.repeat((*n).max(0) as usize)))
        }
        (Value::List(x), Value::List(y)) if op == Operator::Add => {
            let mut v = x.borrow().clone();
            v.extend(y.borrow().iter().cloned());
            return Ok(Value::list(v));
        }
        (Value::Tuple(x), Value::Tuple(y)) if op == Operator::Add => {
            let mut v = x.as_ref().clone();
            v.extend(y.iter().cloned());
            return Ok(Value::tuple(v));
        }
        (Value::List(x), Value::Int(n)) if op == Operator::Mult => {
            let x = x.borrow();
            let mut v = Vec::new();
            for _ in 0..(*n).max(0) {
                v.extend(x.iter().cloned());
            }
            return Ok(Value::list(v));
        }
        _ => {}
    }
    let (Some(x), Some(y)) = (num2(&a), num2(&b)) else {
        return Err(type_err(&a, &b));
    };
    match (x, y) {
        (Num::I(x), Num::I(y)) => {
            let r = match op {
                Operator::Add => x.checked_add(y),
                Operator::Sub => x.checked_sub(y),
                Operator::Mult => x.checked_mul(y),
                Operator::Div => {
                    if y == 0 {
                        return Err(PyErr::new("ZeroDivisionError", "division by zero"));
                    }
                    return Ok(Value::Float(x as f64 / y as f64));
                }
                Operator::FloorDiv => {
                    if y == 0 {
                        return Err(PyErr::new(
                            "ZeroDivisionError",
                            "integer division or modulo by zero",
                        ));
                    }
                    x.checked_div_euclid(y).map(|_| {
                        let d = x / y;
                        if (x % y != 0) && ((x < 0) != (y < 0)) {
                            d - 1
                        } else {
                            d
                        }
                    })
                }
                Operator::Mod => {
                    if y == 0 {
                        return Err(PyErr::new("ZeroDivisionError", "integer modulo by zero"));
                    }
                    x.checked_rem(y).map(|r| {
                        if r != 0 && ((r < 0) != (y < 0)) {
                            r + y
                        } else {
                            r
                        }
                    })
                }
                Operator::Pow => {
                    if y < 0 {
                        if x == 0 {
                            return Err(PyErr::new(
                                "ZeroDivisionError",
                                "0.0 cannot be raised to a negative power",
                            ));
                        }
                        return Ok(Value::Float((x as f64).powf(y as f64)));
                    }
                    u32::try_from(y).ok().and_then(|e| x.checked_pow(e))
                }
                Operator::LShift => u32::try_from(y).ok().and_then(|s| x.checked_shl(s)),
                Operator::RShift => Some(x >> y.clamp(0, 63)),
                Operator::BitAnd => Some(x & y),
                Operator::BitOr => Some(x | y),
                Operator::BitXor => Some(x ^ y),
                Operator::MatMult => return Err(type_err(&a, &b)),
            };
            r.map(Value::Int).ok_or_else(overflow)
        }
        (x, y) => {
            let x = match x {
                Num::I(i) => i as f64,
                Num::F(f) => f,
            };
            let y = match y {
                Num::I(i) => i as f64,
                Num::F(f) => f,
            };
            let r = match op {
                Operator::Add => x + y,
                Operator::Sub => x - y,
                Operator::Mult => x * y,
                Operator::Div => {
                    if y == 0.0 {
                        return Err(PyErr::new("ZeroDivisionError", "float division by zero"));
                    }
                    x / y
                }
                Operator::FloorDiv => {
                    if y == 0.0 {
                        return Err(PyErr::new(
                            "ZeroDivisionError",
                            "float floor division by zero",
                        ));
                    }
                    float_floordiv_mod(x, y).0
                }
                Operator::Mod => {
                    if y == 0.0 {
                        return Err(PyErr::new("ZeroDivisionError", "float modulo"));
                    }
                    float_floordiv_mod(x, y).1
                }
                Operator::Pow => {
                    if x == 0.0 && y < 0.0 {
                        return Err(PyErr::new(
                            "ZeroDivisionError",
                            "0.0 cannot be raised to a negative power",
                        ));
                    }
                    x.powf(y)
                }
                _ => return Err(type_err(&a, &b)),
            };
            Ok(Value::Float(r))
        }
    }
}

/// Methods of lists, dicts, strings, tuples and `torch.Size` (bound, not yet called).
pub fn method_of(obj: &Value, name: &str) -> PyResult<Value> {
    let ok = match obj {
        Value::List(_) => ["append", "extend", "pop", "index", "count", "insert"].contains(&name),
        Value::Dict(_) => ["items", "keys", "values", "get"].contains(&name),
        Value::Str(_) => [
            "join",
            "upper",
            "lower",
            "strip",
            "split",
            "format",
            "replace",
            "startswith",
            "endswith",
        ]
        .contains(&name),
        Value::Tuple(_) => ["index", "count"].contains(&name),
        Value::Size(_) => ["numel", "index", "count"].contains(&name),
        _ => false,
    };
    if ok {
        Ok(Value::Method(Box::new(obj.clone()), name.into()))
    } else {
        Err(no_attr(obj, name))
    }
}

/// Calls a method of a plain value.
pub fn call_value_method(
    interp: &mut Interp,
    recv: &Value,
    name: &str,
    args: Args,
) -> PyResult<Value> {
    let arg = |i: usize| {
        args.pos
            .get(i)
            .cloned()
            .ok_or_else(|| PyErr::type_error(format!("{name}() takes at least {} argument", i + 1)))
    };
    match (recv, name) {
        (Value::List(l), "append") => {
            l.borrow_mut().push(arg(0)?);
            Ok(Value::None)
        }
        (Value::List(l), "extend") => {
            let items: Vec<Value> = iter_values(&arg(0)?)?.collect();
            l.borrow_mut().extend(items);
            Ok(Value::None)
        }
        (Value::List(l), "insert") => {
            let i = to_int(&arg(0)?, "index")?;
            let mut l = l.borrow_mut();
            let n = l.len() as i64;
            let i = (if i < 0 { i + n } else { i }).clamp(0, n) as usize;
            l.insert(i, arg(1)?);
            Ok(Value::None)
        }
        (Value::List(l), "pop") => {
            let mut l = l.borrow_mut();
            let i = args.int_or(0, "index", -1)?;
            let i = seq_index(i, l.len(), "pop")?;
            Ok(l.remove(i))
        }
        (Value::List(_) | Value::Tuple(_) | Value::Size(_), "count") => {
            let x = arg(0)?;
            Ok(Value::Int(
                iter_values(recv)?.filter(|v| values_equal(v, &x)).count() as i64,
            ))
        }
        (Value::List(_) | Value::Tuple(_) | Value::Size(_), "index") => {
            let x = arg(0)?;
            iter_values(recv)?
                .position(|v| values_equal(&v, &x))
                .map(|i| Value::Int(i as i64))
                .ok_or_else(|| PyErr::value_error(format!("{} is not in list", py_repr(&x))))
        }
        (Value::Size(s), "numel") => Ok(Value::Int(s.iter().product::<usize>() as i64)),
        (Value::Dict(d), "items") => Ok(Value::list(
            d.borrow()
                .iter()
                .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
                .collect(),
        )),
        (Value::Dict(d), "keys") => Ok(Value::list(
            d.borrow().iter().map(|(k, _)| k.clone()).collect(),
        )),
        (Value::Dict(d), "values") => Ok(Value::list(
            d.borrow().iter().map(|(_, v)| v.clone()).collect(),
        )),
        (Value::Dict(d), "get") => {
            let k = arg(0)?;
            Ok(d.borrow()
                .iter()
                .find(|(key, _)| values_equal(key, &k))
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| args.pos.get(1).cloned().unwrap_or(Value::None)))
        }
        (Value::Str(s), "join") => {
            let parts: PyResult<Vec<String>> = iter_values(&arg(0)?)?
                .map(|v| match v {
                    Value::Str(x) => Ok(x.to_string()),
                    other => Err(PyErr::type_error(format!(
                        "sequence item 0: expected str instance, {} found",
                        other.type_name()
                    ))),
                })
                .collect();
            Ok(Value::str(parts?.join(s)))
        }
        (Value::Str(s), "upper") => Ok(Value::str(s.to_uppercase())),
        (Value::Str(s), "lower") => Ok(Value::str(s.to_lowercase())),
        (Value::Str(s), "strip") => Ok(Value::str(s.trim())),
        (Value::Str(s), "startswith") => Ok(Value::Bool(s.starts_with(py_str(&arg(0)?).as_str()))),
        (Value::Str(s), "endswith") => Ok(Value::Bool(s.ends_with(py_str(&arg(0)?).as_str()))),
        (Value::Str(s), "replace") => Ok(Value::str(
            s.replace(py_str(&arg(0)?).as_str(), py_str(&arg(1)?).as_str()),
        )),
        (Value::Str(s), "split") => {
            let parts: Vec<Value> = match args.pos.first() {
                None | Some(Value::None) => s.split_whitespace().map(Value::str).collect(),
                Some(sep) => s.split(py_str(sep).as_str()).map(Value::str).collect(),
            };
            Ok(Value::list(parts))
        }
        (Value::Str(s), "format") => {
            let _ = interp;
            let mut out = String::new();
            let mut rest: &str = s;
            let mut i = 0;
            while let Some(p) = rest.find("{}") {
                out.push_str(&rest[..p]);
                out.push_str(&py_str(args.pos.get(i).unwrap_or(&Value::None)));
                i += 1;
                rest = &rest[p + 2..];
            }
            out.push_str(rest);
            Ok(Value::str(out))
        }
        _ => Err(no_attr(recv, name)),
    }
}

/// Calls a builtin function.
pub fn call_builtin(interp: &mut Interp, name: &'static str, args: Args) -> PyResult<Value> {
    let one = |args: &Args| -> PyResult<Value> {
        args.pos.first().cloned().ok_or_else(|| {
            PyErr::type_error(format!("{name}() takes exactly one argument (0 given)"))
        })
    };
    match name {
        "print" => {
            args.check_kw("print", &["sep", "end", "flush", "file"])?;
            let sep = match args.kwarg("sep") {
                None | Some(Value::None) => " ".to_string(),
                Some(v) => py_str(v),
            };
            let end = match args.kwarg("end") {
                None | Some(Value::None) => "\n".to_string(),
                Some(v) => py_str(v),
            };
            let parts: Vec<String> = args.pos.iter().map(py_str).collect();
            interp.stdout.push_str(&parts.join(&sep));
            interp.stdout.push_str(&end);
            Ok(Value::None)
        }
        "len" => {
            let v = one(&args)?;
            let n = match &v {
                Value::Str(s) => s.chars().count(),
                Value::List(l) => l.borrow().len(),
                Value::Tuple(t) => t.len(),
                Value::Dict(d) => d.borrow().len(),
                Value::Size(s) => s.len(),
                Value::Range(a, b, s) => range_len(*a, *b, *s) as usize,
                Value::Tensor(t) => {
                    if t.t.ndim() == 0 {
                        return Err(PyErr::type_error("len() of a 0-d tensor"));
                    }
                    t.t.shape()[0]
                }
                Value::Module(m) => super::nn_api::module_len(m)?,
                Value::Dataset(d) => d.len(),
                Value::Loader(l) => l.len(),
                other => {
                    return Err(PyErr::type_error(format!(
                        "object of type '{}' has no len()",
                        other.type_name()
                    )))
                }
            };
            Ok(Value::Int(n as i64))
        }
        "range" => {
            let ints: PyResult<Vec<i64>> = args
                .pos
                .iter()
                .map(|v| {
                    to_int(v, "").map_err(|_| {
                        PyErr::type_error(format!(
                            "'{}' object cannot be interpreted as an integer",
                            v.type_name()
                        ))
                    })
                })
                .collect();
            let ints = ints?;
            match ints.as_slice() {
                [b] => Ok(Value::Range(0, *b, 1)),
                [a, b] => Ok(Value::Range(*a, *b, 1)),
                [a, b, s] => {
                    if *s == 0 {
                        return Err(PyErr::value_error("range() arg 3 must not be zero"));
                    }
                    Ok(Value::Range(*a, *b, *s))
                }
                _ => Err(PyErr::type_error(format!(
                    "range expected at most 3 arguments, got {}",
                    ints.len()
                ))),
            }
        }
        "int" => match args.pos.first() {
            None => Ok(Value::Int(0)),
            Some(Value::Float(f)) => {
                if !f.is_finite() {
                    return Err(PyErr::value_error(
                        "cannot convert float NaN or infinity to integer",
                    ));
                }
                Ok(Value::Int(f.trunc() as i64))
            }
            Some(Value::Str(s)) => s.trim().parse::<i64>().map(Value::Int).map_err(|_| {
                PyErr::value_error(format!(
                    "invalid literal for int() with base 10: {}",
                    py_repr(&Value::Str(s.clone()))
                ))
            }),
            Some(Value::Tensor(t)) => Ok(Value::Int(t.t.item()? as i64)),
            Some(v) => Ok(Value::Int(to_int(v, "int() argument")?)),
        },
        "float" => match args.pos.first() {
            None => Ok(Value::Float(0.0)),
            Some(Value::Str(s)) => s.trim().parse::<f64>().map(Value::Float).map_err(|_| {
                PyErr::value_error(format!(
                    "could not convert string to float: {}",
                    py_repr(&Value::Str(s.clone()))
                ))
            }),
            Some(Value::Tensor(t)) => Ok(Value::Float(t.t.item()? as f64)),
            Some(v) => Ok(Value::Float(to_float(v, "float() argument")?)),
        },
        "str" => Ok(Value::str(args.pos.first().map(py_str).unwrap_or_default())),
        "repr" => Ok(Value::str(py_repr(&one(&args)?))),
        "bool" => match args.pos.first() {
            None => Ok(Value::Bool(false)),
            Some(v) => Ok(Value::Bool(interp.truth(v)?)),
        },
        "abs" => match one(&args)? {
            Value::Int(i) => Ok(Value::Int(i.abs())),
            Value::Float(f) => Ok(Value::Float(f.abs())),
            Value::Bool(b) => Ok(Value::Int(b as i64)),
            Value::Tensor(t) => torch_api::call_tensor_method(interp, &t, "abs", Args::default()),
            other => Err(PyErr::type_error(format!(
                "bad operand type for abs(): '{}'",
                other.type_name()
            ))),
        },
        "round" => {
            let v = one(&args)?;
            let x = to_float(&v, "round() argument")?;
            match args.pos.get(1) {
                None | Some(Value::None) => Ok(Value::Int(round_half_even(x) as i64)),
                Some(nd) => {
                    let nd = to_int(nd, "ndigits")?;
                    // Python rounds the exact binary value; formatting does the same.
                    let s = format!("{:.*}", nd.max(0) as usize, x);
                    Ok(Value::Float(s.parse().unwrap_or(x)))
                }
            }
        }
        "min" | "max" => {
            let items: Vec<Value> = if args.pos.len() == 1 {
                iter_values(&args.pos[0])?.collect()
            } else {
                args.pos.clone()
            };
            let mut best: Option<Value> = None;
            for v in items {
                best = Some(match best {
                    None => v,
                    Some(b) => {
                        let op = if name == "min" { CmpOp::Lt } else { CmpOp::Gt };
                        if interp.truth(&compare(op, &v, &b)?)? {
                            v
                        } else {
                            b
                        }
                    }
                });
            }
            best.ok_or_else(|| PyErr::value_error(format!("{name}() arg is an empty sequence")))
        }
        "sum" => {
            let mut acc = args.pos.get(1).cloned().unwrap_or(Value::Int(0));
            for v in iter_values(&one(&args)?)? {
                acc = interp.binop(Operator::Add, acc, v)?;
            }
            Ok(acc)
        }
        "list" => Ok(Value::list(match args.pos.first() {
            None => Vec::new(),
            Some(v) => iter_values(v)?.collect(),
        })),
        "tuple" => Ok(Value::tuple(match args.pos.first() {
            None => Vec::new(),
            Some(v) => iter_values(v)?.collect(),
        })),
        "dict" => Ok(Value::Dict(Rc::new(std::cell::RefCell::new(
            args.kw
                .iter()
                .map(|(k, v)| (Value::str(k.as_str()), v.clone()))
                .collect(),
        )))),
        "sorted" => {
            let mut items: Vec<Value> = iter_values(&one(&args)?)?.collect();
            let mut err = None;
            items.sort_by(|a, b| match compare(CmpOp::Lt, a, b) {
                Ok(Value::Bool(true)) => std::cmp::Ordering::Less,
                Ok(_) => match compare(CmpOp::Lt, b, a) {
                    Ok(Value::Bool(true)) => std::cmp::Ordering::Greater,
                    _ => std::cmp::Ordering::Equal,
                },
                Err(e) => {
                    err = Some(e);
                    std::cmp::Ordering::Equal
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
            Ok(Value::list(items))
        }
        "reversed" => {
            let mut items: Vec<Value> = iter_values(&one(&args)?)?.collect();
            items.reverse();
            Ok(Value::list(items))
        }
        "enumerate" => {
            let start = args.int_or(1, "start", 0)?;
            let items = iter_values(&one(&args)?)?;
            Ok(super::value::IterObj::value(
                "enumerate",
                Box::new(
                    items
                        .enumerate()
                        .map(move |(i, v)| Value::tuple(vec![Value::Int(start + i as i64), v])),
                ),
            ))
        }
        "zip" => {
            let mut iters: Vec<Box<dyn Iterator<Item = Value>>> = Vec::new();
            for a in &args.pos {
                iters.push(iter_values(a)?);
            }
            let empty = iters.is_empty();
            Ok(super::value::IterObj::value(
                "zip",
                Box::new(std::iter::from_fn(move || {
                    if empty {
                        return None;
                    }
                    let row: Option<Vec<Value>> = iters.iter_mut().map(|it| it.next()).collect();
                    row.map(Value::tuple)
                })),
            ))
        }
        "iter" => super::data_api::iter_value(&one(&args)?),
        "next" => {
            let it = match one(&args)? {
                Value::Iter(it) => it,
                other => {
                    return Err(PyErr::type_error(format!(
                        "'{}' object is not an iterator",
                        other.type_name()
                    )))
                }
            };
            let next = it.it.borrow_mut().next();
            match (next, args.pos.get(1)) {
                (Some(v), _) => Ok(v),
                (None, Some(default)) => Ok(default.clone()),
                (None, None) => Err(PyErr::new("StopIteration", "")),
            }
        }
        "show" => super::image_api::show(interp, args),
        "type" => {
            if args.pos.len() != 1 || !args.kw.is_empty() {
                return Err(PyErr::unsupported("type() with other than one argument"));
            }
            Ok(args.pos[0].type_of())
        }
        "isinstance" => {
            let v = args.req(0, "obj", "isinstance")?.clone();
            let cls = args.req(1, "class_or_tuple", "isinstance")?.clone();
            let classes: Vec<Value> = match &cls {
                Value::Tuple(t) => t.as_ref().clone(),
                other => vec![other.clone()],
            };
            for c in classes {
                if is_instance(&v, &c)? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        "super" => Err(PyErr::unsupported("super() with arguments")),
        "ValueError"
        | "TypeError"
        | "RuntimeError"
        | "IndexError"
        | "KeyError"
        | "NotImplementedError"
        | "Exception"
        | "StopIteration"
        | "KeyboardInterrupt"
        | "AssertionError" => {
            let msg = args.pos.first().map(py_str).unwrap_or_default();
            // An exception instance: (class, message), raised by `raise`.
            Ok(Value::Method(
                Box::new(Value::tuple(vec![Value::str(name), Value::str(msg)])),
                "__exception__".into(),
            ))
        }
        _ => Err(PyErr::unsupported(format!("{name}()"))),
    }
}

fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        2.0 * (x / 2.0).round()
    } else {
        r
    }
}

fn is_instance(v: &Value, c: &Value) -> PyResult<bool> {
    Ok(match c {
        Value::Native("", "int") => matches!(v, Value::Int(_) | Value::Bool(_)),
        Value::Native("", "float") => matches!(v, Value::Float(_)),
        Value::Native("", "str") => matches!(v, Value::Str(_)),
        Value::Native("", "bool") => matches!(v, Value::Bool(_)),
        Value::Native("", "list") => matches!(v, Value::List(_)),
        Value::Native("", "tuple") => matches!(v, Value::Tuple(_) | Value::Size(_)),
        Value::Native("", "dict") => matches!(v, Value::Dict(_)),
        Value::Native("torch", "Tensor") => matches!(v, Value::Tensor(_)),
        Value::Native("nn", "Module") => matches!(v, Value::Module(_)),
        Value::Native("nn", name) => {
            matches!(v, Value::Module(m) if super::value::module_class_name(&m.borrow()) == *name)
        }
        Value::Class(cls) => matches!(v, Value::Module(m)
            if matches!(&m.borrow().kind, super::value::ModKind::User { class, .. } if Rc::ptr_eq(class, cls))),
        other => {
            return Err(PyErr::type_error(format!(
                "isinstance() arg 2 must be a type, a tuple of types, or a union (got {})",
                other.type_name()
            )))
        }
    })
}

/// Evaluates an f-string.
pub fn eval_fstring(interp: &mut Interp, fs: &ast::ExprFString, f: &mut Frame) -> PyResult<Value> {
    let mut out = String::new();
    for part in fs.value.iter() {
        match part {
            ast::FStringPart::Literal(l) => out.push_str(&l.value),
            ast::FStringPart::FString(fstr) => {
                fstring_elements(interp, &fstr.elements, f, &mut out)?;
            }
        }
    }
    Ok(Value::str(out))
}

fn fstring_elements(
    interp: &mut Interp,
    elements: &ast::InterpolatedStringElements,
    f: &mut Frame,
    out: &mut String,
) -> PyResult<()> {
    for el in elements.iter() {
        match el {
            ast::InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
            ast::InterpolatedStringElement::Interpolation(i) => {
                let v = interp.eval(&i.expression, f)?;
                let mut spec = String::new();
                if let Some(fs) = &i.format_spec {
                    fstring_elements(interp, &fs.elements, f, &mut spec)?;
                }
                if let Some(d) = &i.debug_text {
                    out.push_str(&d.leading);
                    out.push_str(&d.trailing);
                }
                let v = match i.conversion {
                    ast::ConversionFlag::Repr => Value::str(py_repr(&v)),
                    ast::ConversionFlag::Str => Value::str(py_str(&v)),
                    _ if i.debug_text.is_some() && spec.is_empty() => Value::str(py_repr(&v)),
                    _ => v,
                };
                out.push_str(&format_value(&v, &spec)?);
            }
        }
    }
    Ok(())
}

/// `format(v, spec)`: Python's format mini-language for ints, floats and strings
/// (`[[fill]align][sign][0][width][,][.precision][type]`); tensors format their item.
pub fn format_value(v: &Value, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return Ok(py_str(v));
    }
    let v = match v {
        Value::Tensor(t) if t.t.numel() == 1 && t.t.ndim() == 0 => {
            if t.dtype == super::value::DType::Float32 {
                Value::Float(t.t.data()[0] as f64)
            } else {
                Value::Int(t.t.data()[0] as i64)
            }
        }
        Value::Tensor(_) => {
            return Err(PyErr::type_error(
                "unsupported format string passed to Tensor.__format__",
            ))
        }
        other => other.clone(),
    };
    let bad = || {
        PyErr::value_error(format!(
            "Invalid format specifier '{spec}' for object of type '{}'",
            v.type_name()
        ))
    };
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let (mut fill, mut align) = (' ', None);
    if chars.len() >= 2 && "<>^=".contains(chars[1]) {
        fill = chars[0];
        align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && "<>^=".contains(chars[0]) {
        align = Some(chars[0]);
        i = 1;
    }
    let mut sign = '-';
    if i < chars.len() && "+- ".contains(chars[i]) {
        sign = chars[i];
        i += 1;
    }
    if i < chars.len() && chars[i] == '0' {
        if align.is_none() {
            fill = '0';
            align = Some('=');
        }
        i += 1;
    }
    let mut width = 0usize;
    while i < chars.len() && chars[i].is_ascii_digit() {
        width = width * 10 + chars[i].to_digit(10).unwrap_or(0) as usize;
        i += 1;
    }
    let mut comma = false;
    if i < chars.len() && (chars[i] == ',' || chars[i] == '_') {
        comma = true;
        i += 1;
    }
    let mut precision = None;
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        let mut p = 0usize;
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            p = p * 10 + chars[i].to_digit(10).unwrap_or(0) as usize;
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        precision = Some(p);
    }
    let ty = chars.get(i).copied();
    if i + usize::from(ty.is_some()) != chars.len() {
        return Err(bad());
    }
    let (negative, body, numeric) = match (&v, ty) {
        (Value::Str(s), None | Some('s')) => {
            let s: String = match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s.to_string(),
            };
            (false, s, false)
        }
        (Value::Int(_) | Value::Bool(_), None | Some('d')) if precision.is_none() => {
            let n = to_int(&v, "")?;
            let mut s = n.unsigned_abs().to_string();
            if comma {
                s = group_thousands(&s);
            }
            (n < 0, s, true)
        }
        (
            Value::Int(_) | Value::Bool(_) | Value::Float(_),
            Some('f' | 'F' | 'e' | 'E' | '%' | 'g' | 'G') | None,
        ) => {
            let x = to_float(&v, "")?;
            let neg = x.is_sign_negative() && !x.is_nan();
            let a = x.abs();
            let p = precision.unwrap_or(6);
            let s = match ty {
                Some('f') | Some('F') => fixed(a, p, comma),
                Some('e') | Some('E') => sci(a, p),
                Some('%') => format!("{}%", fixed(a * 100.0, p, comma)),
                Some('g') | Some('G') => general(a, precision.unwrap_or(6)),
                _ => match precision {
                    Some(p) => general(a, p.max(1)),
                    None => py_float_repr(a),
                },
            };
            (neg, s, true)
        }
        _ => return Err(bad()),
    };
    let sign_str = if negative {
        "-"
    } else if numeric && sign == '+' {
        "+"
    } else if numeric && sign == ' ' {
        " "
    } else {
        ""
    };
    let len = sign_str.chars().count() + body.chars().count();
    let pad = width.saturating_sub(len);
    let fills = |n: usize| fill.to_string().repeat(n);
    let align = align.unwrap_or(if numeric { '>' } else { '<' });
    Ok(match align {
        '<' => format!("{sign_str}{body}{}", fills(pad)),
        '^' => format!("{}{sign_str}{body}{}", fills(pad / 2), fills(pad - pad / 2)),
        '=' => format!("{sign_str}{}{body}", fills(pad)),
        _ => format!("{}{sign_str}{body}", fills(pad)),
    })
}

fn group_thousands(digits: &str) -> String {
    let (int, frac) = match digits.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (digits, None),
    };
    let mut out = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{out}.{f}"),
        None => out,
    }
}

fn fixed(a: f64, p: usize, comma: bool) -> String {
    if !a.is_finite() {
        return if a.is_nan() {
            "nan".into()
        } else {
            "inf".into()
        };
    }
    let s = format!("{a:.p$}");
    if comma {
        group_thousands(&s)
    } else {
        s
    }
}

/// Python's `'{:.{p}g}'` for a non-negative value.
fn general(a: f64, p: usize) -> String {
    if !a.is_finite() {
        return if a.is_nan() {
            "nan".into()
        } else {
            "inf".into()
        };
    }
    let p = p.max(1);
    if a == 0.0 {
        return "0".into();
    }
    let e = sci(a, p - 1);
    let exp: i32 = e
        .split_once('e')
        .map(|(_, x)| x.parse().unwrap_or(0))
        .unwrap_or(0);
    if exp >= -4 && exp < p as i32 {
        let s = format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, a);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        let (m, x) = e.split_once('e').unwrap_or((&e, ""));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        format!("{m}e{x}")
    }
}
