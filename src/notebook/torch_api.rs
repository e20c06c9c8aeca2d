//! `torch.*` functions and tensor methods and operators, on the nnbook core.
//!
//! Every tensor is stored as f32; [`DType`] records what PyTorch's dtype would be (`arange` and
//! integer `tensor([...])` are int64, comparisons are bool), which decides printing and
//! promotion.
use super::args::{shape_args, sizes, to_float, to_int, to_int_list, Args};
use super::builtins::slice_indices;
use super::error::{PyErr, PyResult};
use super::interp::{no_attr, Interp};
use super::value::{range_len, DType, Origin, TensorVal, Value};
use crate::tensor::shape::wrap_dim;
use crate::tensor::Tensor;
use rustpython_ruff_python_ast::{CmpOp, Operator};
use std::rc::Rc;

/// The `torch.*` names nnbook provides.
pub const TORCH_FUNCS: &[&str] = &[
    "ones",
    "zeros",
    "randn",
    "rand",
    "arange",
    "tensor",
    "reshape",
    "flatten",
    "manual_seed",
    "cat",
    "Tensor",
    "no_grad",
    "argmax",
    "sum",
    "mean",
    "max",
    "permute",
    "transpose",
    "squeeze",
    "unsqueeze",
    "numel",
    "zeros_like",
    "ones_like",
    "relu",
    "softmax",
    "exp",
    "Size",
    "matmul",
];

fn want_tensor(v: Option<&Value>, func: &str, what: &str) -> PyResult<Rc<TensorVal>> {
    match v {
        Some(Value::Tensor(t)) => Ok(t.clone()),
        Some(other) => Err(PyErr::type_error(format!(
            "{func}(): argument '{what}' (position 1) must be Tensor, not {}",
            other.type_name()
        ))),
        None => Err(PyErr::type_error(format!(
            "{func}() missing 1 required positional arguments: \"{what}\""
        ))),
    }
}

/// A result tensor that keeps `src`'s dtype and gets `grad_fn` when `src` requires grad.
fn derived(src: &TensorVal, t: Tensor, grad_fn: &'static str, no_grad: bool) -> Value {
    Value::Tensor(Rc::new(TensorVal {
        t,
        dtype: src.dtype,
        grad_fn: (!no_grad && src.requires_grad()).then_some(grad_fn),
        is_param: false,
        origin: None,
    }))
}

/// A shape change of `src` (`view`, `reshape`, `flatten`): back-propagates by reshaping.
fn reshaped(src: &Rc<TensorVal>, t: Tensor, no_grad: bool) -> Value {
    let g = !no_grad && src.requires_grad();
    Value::Tensor(Rc::new(TensorVal {
        t,
        dtype: src.dtype,
        grad_fn: g.then_some("ViewBackward0"),
        is_param: false,
        origin: g.then(|| Rc::new(Origin::Reshape { input: src.clone() })),
    }))
}

fn dtype_kw(args: &Args, default: DType) -> PyResult<DType> {
    match args.kwarg("dtype") {
        None | Some(Value::None) => Ok(default),
        Some(Value::DType(d)) => Ok(*d),
        Some(other) => Err(PyErr::type_error(format!(
            "dtype must be torch.dtype, not {}",
            other.type_name()
        ))),
    }
}

fn cast(t: Tensor, dtype: DType) -> Tensor {
    match dtype {
        DType::Float32 => t,
        DType::Int64 => t.map(|x| x.trunc()),
        DType::Bool => t.map(|x| (x != 0.0) as i32 as f32),
    }
}

/// Calls `torch.<name>(...)`.
pub fn call_torch(interp: &mut Interp, name: &str, args: Args) -> PyResult<Value> {
    let ng = interp.no_grad;
    match name {
        "ones" | "zeros" | "rand" | "randn" => {
            let shape = sizes(&shape_args(&args, 0, "size", "size")?)?;
            let dtype = dtype_kw(&args, DType::Float32)?;
            let t = match name {
                "ones" => Tensor::ones(&shape)?,
                "zeros" => Tensor::zeros(&shape)?,
                "rand" => crate::rng::rand(&shape)?,
                _ => crate::rng::randn(&shape)?,
            };
            Ok(Value::tensor_of(cast(t, dtype), dtype))
        }
        "zeros_like" | "ones_like" => {
            let t = want_tensor(args.get(0, "input"), name, "input")?;
            let v = if name == "zeros_like" { 0.0 } else { 1.0 };
            Ok(Value::tensor_of(Tensor::full(t.t.shape(), v)?, t.dtype))
        }
        "arange" => arange(&args),
        "tensor" => {
            let data = args.req(0, "data", "tensor")?;
            let (shape, values, is_float, is_bool) = nested(data)?;
            let default = if is_float {
                DType::Float32
            } else if is_bool {
                DType::Bool
            } else {
                DType::Int64
            };
            let dtype = dtype_kw(&args, default)?;
            let t = Tensor::from_vec(&shape, values.iter().map(|&x| x as f32).collect())?;
            Ok(Value::tensor_of(cast(t, dtype), dtype))
        }
        "manual_seed" => {
            let seed = to_int(args.req(0, "seed", "manual_seed")?, "seed")?;
            crate::rng::manual_seed(seed as u64);
            Ok(Value::None)
        }
        "no_grad" => Ok(Value::NoGrad),
        "Size" => {
            let dims = match args.pos.first() {
                Some(v) => to_int_list(v, "Size")?,
                None => Vec::new(),
            };
            Ok(Value::Size(Rc::new(sizes(&dims)?)))
        }
        "Tensor" => Err(PyErr::unsupported("torch.Tensor(...) (use torch.tensor)")),
        "cat" => {
            let items: Vec<Value> = match args.req(0, "tensors", "cat")? {
                v @ (Value::List(_) | Value::Tuple(_)) => super::builtins::iter_values(v)?.collect(),
                other => {
                    return Err(PyErr::type_error(format!(
                        "cat() received an invalid combination of arguments - got ({}), but expected (tuple of Tensors tensors, int dim = 0)",
                        other.type_name()
                    )))
                }
            };
            let dim = args.int_or(1, "dim", 0)?;
            let mut ts = Vec::new();
            for v in &items {
                match v {
                    Value::Tensor(t) => ts.push(t.clone()),
                    other => {
                        return Err(PyErr::type_error(format!(
                            "expected Tensor as element 0 in argument 0, but got {}",
                            other.type_name()
                        )))
                    }
                }
            }
            let refs: Vec<&Tensor> = ts.iter().map(|t| &t.t).collect();
            let out = crate::tensor::cat::cat(&refs, dim)?;
            let dtype = ts.iter().map(|t| t.dtype).fold(DType::Bool, DType::promote);
            let grad = !ng && ts.iter().any(|t| t.requires_grad());
            Ok(Value::Tensor(Rc::new(TensorVal {
                t: out,
                dtype,
                grad_fn: grad.then_some("CatBackward0"),
                is_param: false,
                origin: None,
            })))
        }
        _ => {
            // torch.f(t, ...) is t.f(...) for the remaining names.
            let t = want_tensor(args.pos.first(), name, "input")?;
            let rest = Args {
                pos: args.pos[1..].to_vec(),
                kw: args.kw.clone(),
            };
            call_tensor_method(interp, &t, name, rest)
        }
    }
}

fn arange(args: &Args) -> PyResult<Value> {
    let nums: Vec<&Value> = args.pos.iter().collect();
    let is_float = nums.iter().any(|v| matches!(v, Value::Float(_)));
    let f: PyResult<Vec<f64>> = nums.iter().map(|v| to_float(v, "arange")).collect();
    let f = f?;
    let (start, end, step) = match f.as_slice() {
        [e] => (0.0, *e, 1.0),
        [s, e] => (*s, *e, 1.0),
        [s, e, st] => (*s, *e, *st),
        _ => {
            return Err(PyErr::type_error(
                "arange() received an invalid combination of arguments",
            ))
        }
    };
    if step == 0.0 {
        return Err(PyErr::runtime("step must be nonzero"));
    }
    if (step > 0.0 && start > end) || (step < 0.0 && start < end) {
        return Err(PyErr::runtime(
            "upper bound and larger bound inconsistent with step sign",
        ));
    }
    let n = ((end - start) / step).ceil().max(0.0) as usize;
    crate::tensor::guard::check_numel("arange", &[n])?;
    let data: Vec<f32> = (0..n).map(|i| (start + i as f64 * step) as f32).collect();
    let dtype = dtype_kw(
        args,
        if is_float {
            DType::Float32
        } else {
            DType::Int64
        },
    )?;
    Ok(Value::tensor_of(Tensor::from_vec(&[n], data)?, dtype))
}

/// Shape and values of nested lists/tuples of numbers: (shape, values, any float, all bool).
fn nested(v: &Value) -> PyResult<(Vec<usize>, Vec<f64>, bool, bool)> {
    match v {
        Value::Int(i) => Ok((vec![], vec![*i as f64], false, false)),
        Value::Bool(b) => Ok((vec![], vec![*b as i64 as f64], false, true)),
        Value::Float(x) => Ok((vec![], vec![*x], true, false)),
        Value::Tensor(t) if t.t.ndim() == 0 => Ok((
            vec![],
            vec![t.t.data()[0] as f64],
            t.dtype == DType::Float32,
            t.dtype == DType::Bool,
        )),
        Value::List(_) | Value::Tuple(_) => {
            let items: Vec<Value> = super::builtins::iter_values(v)?.collect();
            let mut shape: Option<Vec<usize>> = None;
            let mut vals = Vec::new();
            let (mut fl, mut bo) = (false, true);
            for it in &items {
                let (s, vs, f, b) = nested(it)?;
                if let Some(prev) = &shape {
                    if *prev != s {
                        return Err(PyErr::value_error(format!(
                            "expected sequence of length {} at dim 1 (got {})",
                            prev.first().copied().unwrap_or(0),
                            s.first().copied().unwrap_or(0)
                        )));
                    }
                }
                shape = Some(s);
                vals.extend(vs);
                fl |= f;
                bo &= b;
            }
            let mut full = vec![items.len()];
            full.extend(shape.unwrap_or_default());
            Ok((full, vals, fl, bo && !items.is_empty()))
        }
        other => Err(PyErr::type_error(format!(
            "Could not infer dtype of {}",
            other.type_name()
        ))),
    }
}

/// `t.<name>` (attributes and bound methods).
pub fn tensor_attr(t: &Rc<TensorVal>, name: &str, obj: &Value) -> PyResult<Value> {
    match name {
        "shape" => Ok(Value::Size(Rc::new(t.t.shape().to_vec()))),
        "ndim" => Ok(Value::Int(t.t.ndim() as i64)),
        "dtype" => Ok(Value::DType(t.dtype)),
        "requires_grad" => Ok(Value::Bool(t.requires_grad())),
        "is_leaf" => Ok(Value::Bool(t.grad_fn.is_none())),
        // Shown as its name (PyTorch prints `<NllLossBackward0 object at 0x...>`).
        "grad_fn" => Ok(match t.grad_fn {
            Some(name) => Value::str(format!("<{name} object>")),
            None => Value::None,
        }),
        "T" => {
            if t.t.ndim() != 2 {
                return Err(PyErr::unsupported(".T on tensors that are not 2-D"));
            }
            Ok(derived(t, t.t.transpose(0, 1)?, "PermuteBackward0", false))
        }
        "grad" => Err(PyErr::unsupported(
            "reading .grad (nnbook keeps gradients inside the model's layers)",
        )),
        _ if TENSOR_METHODS.contains(&name) => {
            Ok(Value::Method(Box::new(obj.clone()), name.into()))
        }
        _ => Err(no_attr(obj, name)),
    }
}

const TENSOR_METHODS: &[&str] = &[
    "size",
    "reshape",
    "view",
    "flatten",
    "permute",
    "transpose",
    "t",
    "squeeze",
    "unsqueeze",
    "sum",
    "mean",
    "argmax",
    "max",
    "min",
    "item",
    "numel",
    "dim",
    "tolist",
    "float",
    "long",
    "abs",
    "exp",
    "relu",
    "softmax",
    "clone",
    "detach",
    "backward",
    "matmul",
    "pow",
    "sqrt",
    "add",
    "mul",
    "view_as",
    "contiguous",
    "std",
    "var",
];

fn dims_arg(args: &Args, func: &str) -> PyResult<Vec<i64>> {
    shape_args(args, 0, "dims", func)
}

/// Calls `t.<name>(...)`.
pub fn call_tensor_method(
    interp: &mut Interp,
    t: &Rc<TensorVal>,
    name: &str,
    args: Args,
) -> PyResult<Value> {
    let ng = interp.no_grad;
    let x = &t.t;
    match name {
        "size" => match args.get(0, "dim") {
            None => Ok(Value::Size(Rc::new(x.shape().to_vec()))),
            Some(d) => {
                let d = wrap_dim("size", to_int(d, "dim")?, x.ndim())?;
                Ok(Value::Int(x.shape()[d] as i64))
            }
        },
        "reshape" => {
            let s = shape_args(&args, 0, "shape", "reshape")?;
            Ok(reshaped(t, x.reshape(&s)?, ng))
        }
        "view" => {
            let s = shape_args(&args, 0, "size", "view")?;
            Ok(reshaped(t, x.view(&s)?, ng))
        }
        "view_as" => {
            let o = want_tensor(args.pos.first(), "view_as", "other")?;
            let s: Vec<i64> = o.t.shape().iter().map(|&d| d as i64).collect();
            Ok(reshaped(t, x.view(&s)?, ng))
        }
        "flatten" => {
            let s = args.int_or(0, "start_dim", 0)?;
            let e = args.int_or(1, "end_dim", -1)?;
            Ok(reshaped(t, x.flatten(s, e)?, ng))
        }
        "permute" => Ok(derived(
            t,
            x.permute(&dims_arg(&args, "permute")?)?,
            "PermuteBackward0",
            ng,
        )),
        "transpose" => {
            let a = to_int(args.req(0, "dim0", "transpose")?, "dim0")?;
            let b = to_int(args.req(1, "dim1", "transpose")?, "dim1")?;
            Ok(derived(t, x.transpose(a, b)?, "TransposeBackward0", ng))
        }
        "t" => {
            if x.ndim() > 2 {
                return Err(PyErr::runtime(format!(
                    "t() expects a tensor with <= 2 dimensions, but self is {}D",
                    x.ndim()
                )));
            }
            let y = if x.ndim() == 2 {
                x.transpose(0, 1)?
            } else {
                x.clone()
            };
            Ok(derived(t, y, "TBackward0", ng))
        }
        "squeeze" => {
            let d = match args.get(0, "dim") {
                None | Some(Value::None) => None,
                Some(v) => Some(to_int(v, "dim")?),
            };
            Ok(derived(t, x.squeeze(d)?, "SqueezeBackward0", ng))
        }
        "unsqueeze" => {
            let d = to_int(args.req(0, "dim", "unsqueeze")?, "dim")?;
            Ok(derived(t, x.unsqueeze(d)?, "UnsqueezeBackward0", ng))
        }
        "contiguous" | "clone" => Ok(Value::Tensor(t.clone())),
        "detach" => Ok(Value::tensor_of(x.clone(), t.dtype)),
        "item" => {
            let v = x.item()?;
            Ok(match t.dtype {
                DType::Float32 => Value::Float(v as f64),
                DType::Int64 => Value::Int(v as i64),
                DType::Bool => Value::Bool(v != 0.0),
            })
        }
        "numel" => Ok(Value::Int(x.numel() as i64)),
        "dim" => Ok(Value::Int(x.ndim() as i64)),
        "tolist" => Ok(tolist(x.data(), x.shape(), t.dtype)),
        "float" => Ok(Value::tensor_of(x.clone(), DType::Float32)),
        "long" => Ok(Value::tensor_of(
            cast(x.clone(), DType::Int64),
            DType::Int64,
        )),
        "abs" => Ok(derived(t, x.map(f32::abs), "AbsBackward0", ng)),
        "sqrt" => Ok(derived(t, x.map(f32::sqrt), "SqrtBackward0", ng)),
        "exp" => Ok(float_result(t, x.map(f32::exp), "ExpBackward0", ng)),
        "relu" => {
            let g = !ng && t.requires_grad();
            Ok(Value::Tensor(Rc::new(TensorVal {
                t: crate::ops::relu_forward(x),
                dtype: t.dtype,
                grad_fn: g.then_some("ReluBackward0"),
                is_param: false,
                origin: g.then(|| Rc::new(Origin::Relu { input: t.clone() })),
            })))
        }
        "softmax" => {
            let d = to_int(args.req(0, "dim", "softmax")?, "dim")?;
            Ok(float_result(
                t,
                crate::ops::softmax_forward(x, d)?,
                "SoftmaxBackward0",
                ng,
            ))
        }
        "sum" | "mean" | "max" | "min" | "argmax" | "std" | "var" => reduce(t, name, &args, ng),
        "pow" => tensor_binop(
            Operator::Pow,
            &Value::Tensor(t.clone()),
            args.req(0, "exponent", "pow")?,
            ng,
        ),
        "add" => tensor_binop(
            Operator::Add,
            &Value::Tensor(t.clone()),
            args.req(0, "other", "add")?,
            ng,
        ),
        "mul" => tensor_binop(
            Operator::Mult,
            &Value::Tensor(t.clone()),
            args.req(0, "other", "mul")?,
            ng,
        ),
        "matmul" => tensor_binop(
            Operator::MatMult,
            &Value::Tensor(t.clone()),
            args.req(0, "other", "matmul")?,
            ng,
        ),
        "backward" => super::nn_api::backward(t),
        _ => Err(PyErr::unsupported(format!("Tensor.{name}()"))),
    }
}

fn float_result(src: &TensorVal, t: Tensor, grad_fn: &'static str, no_grad: bool) -> Value {
    Value::Tensor(Rc::new(TensorVal {
        t,
        dtype: DType::Float32,
        grad_fn: (!no_grad && src.requires_grad()).then_some(grad_fn),
        is_param: false,
        origin: None,
    }))
}

fn tolist(data: &[f32], shape: &[usize], dtype: DType) -> Value {
    let scalar = |v: f32| match dtype {
        DType::Float32 => Value::Float(v as f64),
        DType::Int64 => Value::Int(v as i64),
        DType::Bool => Value::Bool(v != 0.0),
    };
    match shape.split_first() {
        None => scalar(data[0]),
        Some((&n, rest)) => {
            let inner: usize = rest.iter().product();
            Value::list(
                (0..n)
                    .map(|i| tolist(&data[i * inner..(i + 1) * inner], rest, dtype))
                    .collect(),
            )
        }
    }
}

/// `(outer, n, inner)` for reducing `shape` over `dim`.
fn lanes(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    let outer: usize = shape[..dim].iter().product();
    let inner: usize = shape[dim + 1..].iter().product();
    (outer, shape[dim], inner)
}

fn reduce(t: &Rc<TensorVal>, name: &str, args: &Args, ng: bool) -> PyResult<Value> {
    let x = &t.t;
    if (name == "mean" || name == "std" || name == "var") && t.dtype != DType::Float32 {
        // torch 2.15 raises NotImplementedError here.
        return Err(PyErr::new("NotImplementedError", format!(
            "{name}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
            if t.dtype == DType::Int64 { "Long" } else { "Bool" }
        )));
    }
    // `var(dim, unbiased=False)` / `var(dim, correction=0)`: the divisor is `n - correction`.
    let correction = match (args.kwarg("unbiased"), args.kwarg("correction")) {
        (Some(u), _) => f64::from(u8::from(u.truthy().unwrap_or(true))),
        (None, Some(c)) => to_float(c, "correction")?,
        (None, None) => 1.0,
    };
    let keepdim = args.bool_or(1, "keepdim", false)?;
    let dim = match args.get(0, "dim") {
        None | Some(Value::None) => None,
        Some(v) => Some(wrap_dim("reduce", to_int(v, "dim")?, x.ndim())?),
    };
    if x.numel() == 0 && matches!(name, "max" | "min" | "argmax") {
        return Err(PyErr::runtime(format!(
            "{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
        )));
    }
    let lane = |v: Vec<f32>, n: usize| -> (f64, usize) {
        match name {
            "sum" => (v.iter().map(|&a| a as f64).sum(), 0),
            "mean" => (v.iter().map(|&a| a as f64).sum::<f64>() / n as f64, 0),
            "std" | "var" => {
                let m = v.iter().map(|&a| a as f64).sum::<f64>() / n as f64;
                let var = v.iter().map(|&a| (a as f64 - m).powi(2)).sum::<f64>()
                    / (n as f64 - correction);
                (if name == "std" { var.sqrt() } else { var }, 0)
            }
            _ => {
                let mut best = 0;
                for (i, &a) in v.iter().enumerate() {
                    let better = if name == "min" {
                        a < v[best]
                    } else {
                        a > v[best]
                    };
                    if better || (a.is_nan() && !v[best].is_nan()) {
                        best = i;
                    }
                }
                (v[best] as f64, best)
            }
        }
    };
    let out_dtype = match name {
        "sum" if t.dtype != DType::Float32 => DType::Int64,
        "argmax" => DType::Int64,
        "max" | "min" => t.dtype,
        _ => DType::Float32,
    };
    let grad_fn = match name {
        "sum" => "SumBackward0",
        "mean" => "MeanBackward0",
        "std" => "StdBackward0",
        "var" => "VarBackward0",
        "max" => "MaxBackward1",
        _ => "MinBackward1",
    };
    let grad = !ng && t.requires_grad() && name != "argmax";
    let mk = |tensor: Tensor, dtype: DType, g: Option<&'static str>| {
        Value::Tensor(Rc::new(TensorVal {
            t: tensor,
            dtype,
            grad_fn: g,
            is_param: false,
            origin: None,
        }))
    };
    match dim {
        None => {
            let n = x.numel();
            let (v, idx) = lane(x.data().to_vec(), n);
            let v = if name == "argmax" {
                idx as f32
            } else {
                v as f32
            };
            Ok(mk(Tensor::scalar(v), out_dtype, grad.then_some(grad_fn)))
        }
        Some(d) => {
            let (outer, n, inner) = lanes(x.shape(), d);
            let mut vals = Vec::with_capacity(outer * inner);
            let mut idxs = Vec::with_capacity(outer * inner);
            for o in 0..outer {
                for i in 0..inner {
                    let base = o * n * inner + i;
                    let (v, idx) = lane((0..n).map(|k| x.data()[base + k * inner]).collect(), n);
                    vals.push(v as f32);
                    idxs.push(idx as f32);
                }
            }
            let mut shape = x.shape().to_vec();
            if keepdim {
                shape[d] = 1;
            } else {
                shape.remove(d);
            }
            let gf = match name {
                "max" => "MaxBackward0",
                "min" => "MinBackward0",
                _ => grad_fn,
            };
            match name {
                "argmax" => Ok(mk(Tensor::from_vec(&shape, idxs)?, DType::Int64, None)),
                "max" | "min" => Ok(Value::tuple(vec![
                    mk(
                        Tensor::from_vec(&shape, vals)?,
                        out_dtype,
                        grad.then_some(gf),
                    ),
                    mk(Tensor::from_vec(&shape, idxs)?, DType::Int64, None),
                ])),
                _ => Ok(mk(
                    Tensor::from_vec(&shape, vals)?,
                    out_dtype,
                    grad.then_some(gf),
                )),
            }
        }
    }
}

/// A scalar operand: its value and dtype class.
fn operand(v: &Value) -> PyResult<(Tensor, DType, bool, bool)> {
    // (tensor, dtype, is_python_scalar, requires_grad)
    match v {
        Value::Tensor(t) => Ok((t.t.clone(), t.dtype, false, t.requires_grad())),
        Value::Int(i) => Ok((Tensor::scalar(*i as f32), DType::Int64, true, false)),
        Value::Bool(b) => Ok((Tensor::scalar(*b as i32 as f32), DType::Bool, true, false)),
        Value::Float(f) => Ok((Tensor::scalar(*f as f32), DType::Float32, true, false)),
        other => Err(PyErr::type_error(format!(
            "unsupported operand type for a Tensor operation: '{}'",
            other.type_name()
        ))),
    }
}

/// The broadcast shape of `a` and `b`, with PyTorch's error text.
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> PyResult<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(PyErr::runtime(format!(
                "The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i}"
            )));
        };
    }
    Ok(out)
}

fn broadcast_zip(a: &Tensor, b: &Tensor, f: impl Fn(f32, f32) -> f32) -> PyResult<Tensor> {
    if a.shape() == b.shape() {
        let data = a
            .data()
            .iter()
            .zip(b.data())
            .map(|(&x, &y)| f(x, y))
            .collect();
        return Ok(Tensor::from_vec(a.shape(), data)?);
    }
    let shape = broadcast_shape(a.shape(), b.shape())?;
    let numel = crate::tensor::guard::check_numel("broadcast", &shape)?;
    let strides = |s: &[usize]| -> Vec<usize> {
        let n = shape.len();
        let mut st = vec![0; n];
        let mut acc = 1;
        for i in (0..s.len()).rev() {
            let j = i + n - s.len();
            st[j] = if s[i] == 1 { 0 } else { acc };
            acc *= s[i];
        }
        st
    };
    let (sa, sb) = (strides(a.shape()), strides(b.shape()));
    let mut data = Vec::with_capacity(numel);
    for flat in 0..numel {
        let idx = crate::tensor::index::unravel_index(flat, &shape);
        let ia: usize = idx.iter().zip(&sa).map(|(i, s)| i * s).sum();
        let ib: usize = idx.iter().zip(&sb).map(|(i, s)| i * s).sum();
        data.push(f(a.data()[ia], b.data()[ib]));
    }
    Ok(Tensor::from_vec(&shape, data)?)
}

fn matmul(a: &Tensor, b: &Tensor) -> PyResult<Tensor> {
    if a.ndim() != 2 || b.ndim() != 2 {
        return Err(PyErr::unsupported(
            "@ / matmul on tensors that are not both 2-D",
        ));
    }
    let (m, k, k2, n) = (a.shape()[0], a.shape()[1], b.shape()[0], b.shape()[1]);
    if k != k2 {
        return Err(PyErr::runtime(format!(
            "mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n})"
        )));
    }
    let mut out = vec![0f32; m * n];
    for i in 0..m {
        for p in 0..k {
            let av = a.data()[i * k + p];
            for j in 0..n {
                out[i * n + j] += av * b.data()[p * n + j];
            }
        }
    }
    Ok(Tensor::from_vec(&[m, n], out)?)
}

/// `a <op> b` where at least one side is a tensor (PyTorch's promotion and broadcasting).
pub fn tensor_binop(op: Operator, a: &Value, b: &Value, no_grad: bool) -> PyResult<Value> {
    let (ta, da, sa, ga) = operand(a)?;
    let (tb, db, sb, gb) = operand(b)?;
    // A Python scalar does not raise a tensor's integer dtype unless it is a float.
    let dtype = match (sa, sb) {
        (true, false) if !(da == DType::Float32 && db != DType::Float32) => {
            if db == DType::Bool && da == DType::Int64 {
                DType::Int64
            } else {
                db
            }
        }
        (false, true) if !(db == DType::Float32 && da != DType::Float32) => {
            if da == DType::Bool && db == DType::Int64 {
                DType::Int64
            } else {
                da
            }
        }
        _ => DType::promote(da, db),
    };
    let int = dtype != DType::Float32;
    let (t, dtype, gf) = match op {
        Operator::Add => (
            broadcast_zip(&ta, &tb, |x, y| x + y)?,
            dtype,
            "AddBackward0",
        ),
        Operator::Sub => (
            broadcast_zip(&ta, &tb, |x, y| x - y)?,
            dtype,
            "SubBackward0",
        ),
        Operator::Mult => (
            broadcast_zip(&ta, &tb, |x, y| x * y)?,
            dtype,
            "MulBackward0",
        ),
        Operator::Div => (
            broadcast_zip(&ta, &tb, |x, y| x / y)?,
            DType::Float32,
            "DivBackward0",
        ),
        Operator::FloorDiv => {
            if int && tb.data().contains(&0.0) {
                return Err(PyErr::runtime("ZeroDivisionError"));
            }
            (
                broadcast_zip(&ta, &tb, |x, y| (x / y).floor())?,
                dtype,
                "FloorDivideBackward0",
            )
        }
        Operator::Mod => {
            if int && tb.data().contains(&0.0) {
                return Err(PyErr::runtime("ZeroDivisionError"));
            }
            (
                broadcast_zip(&ta, &tb, |x, y| {
                    let r = x % y;
                    if r != 0.0 && ((r < 0.0) != (y < 0.0)) {
                        r + y
                    } else {
                        r
                    }
                })?,
                dtype,
                "RemainderBackward0",
            )
        }
        Operator::Pow => (
            broadcast_zip(&ta, &tb, |x, y| x.powf(y))?,
            dtype,
            "PowBackward0",
        ),
        Operator::MatMult => (matmul(&ta, &tb)?, dtype, "MmBackward0"),
        _ => {
            return Err(PyErr::type_error(format!(
                "unsupported operand type(s) for {}: '{}' and '{}'",
                op.as_str(),
                a.type_name(),
                b.type_name()
            )))
        }
    };
    let grad = !no_grad && (ga || gb);
    Ok(Value::Tensor(Rc::new(TensorVal {
        t,
        dtype,
        grad_fn: grad.then_some(gf),
        is_param: false,
        origin: None,
    })))
}

/// `a <cmp> b` elementwise (a bool tensor).
pub fn tensor_compare(op: CmpOp, a: &Value, b: &Value) -> PyResult<Value> {
    let (ta, _, _, _) = operand(a)?;
    let (tb, _, _, _) = operand(b)?;
    let f: fn(f32, f32) -> bool = match op {
        CmpOp::Eq => |x, y| x == y,
        CmpOp::NotEq => |x, y| x != y,
        CmpOp::Lt => |x, y| x < y,
        CmpOp::LtE => |x, y| x <= y,
        CmpOp::Gt => |x, y| x > y,
        _ => |x, y| x >= y,
    };
    let t = broadcast_zip(&ta, &tb, |x, y| f(x, y) as i32 as f32)?;
    Ok(Value::tensor_of(t, DType::Bool))
}

/// `t[idx]` for ints, slices (step > 0) and tuples of them; the result is a copy.
pub fn index_tensor(t: &Rc<TensorVal>, idx: &Value) -> PyResult<Value> {
    let parts: Vec<Value> = match idx {
        Value::Tuple(p) => p.as_ref().clone(),
        other => vec![other.clone()],
    };
    let x = &t.t;
    if x.ndim() == 0 && !parts.is_empty() {
        return Err(crate::Error::IndexZeroDim { op: "index" }.into());
    }
    if parts.len() > x.ndim() {
        return Err(crate::Error::TooManyIndices {
            op: "index",
            ndim: x.ndim(),
        }
        .into());
    }
    // Per input dim: the selected positions, and whether the dim is kept.
    let mut sel: Vec<(Vec<usize>, bool)> = Vec::new();
    let mut any_slice = false;
    for (d, p) in parts.iter().enumerate() {
        let size = x.shape()[d];
        match p {
            Value::Int(_) | Value::Bool(_) => {
                let i = to_int(p, "index")?;
                let j = if i < 0 { i + size as i64 } else { i };
                if j < 0 || j >= size as i64 {
                    return Err(crate::Error::IndexOutOfBounds {
                        op: "index",
                        index: i,
                        dim: d,
                        size,
                    }
                    .into());
                }
                sel.push((vec![j as usize], false));
            }
            Value::Slice(a, b, s) => {
                if s.is_some_and(|s| s <= 0) {
                    return Err(PyErr::value_error("step must be greater than zero"));
                }
                let (a, b, s) = slice_indices(*a, *b, *s, size)?;
                let n = range_len(a, b, s);
                sel.push(((0..n).map(|i| (a + i * s) as usize).collect(), true));
                any_slice = true;
            }
            other => {
                return Err(PyErr::unsupported(format!(
                    "indexing a tensor with {} (only ints and slices)",
                    other.type_name()
                )))
            }
        }
    }
    for d in parts.len()..x.ndim() {
        sel.push(((0..x.shape()[d]).collect(), true));
    }
    let out_shape: Vec<usize> = sel
        .iter()
        .filter(|(_, keep)| *keep)
        .map(|(v, _)| v.len())
        .collect();
    let counts: Vec<usize> = sel.iter().map(|(v, _)| v.len()).collect();
    let numel: usize = counts.iter().product();
    let mut data = Vec::with_capacity(numel);
    for flat in 0..numel {
        let pos = crate::tensor::index::unravel_index(flat, &counts);
        let src: Vec<usize> = pos.iter().zip(&sel).map(|(&p, (v, _))| v[p]).collect();
        data.push(x.data()[crate::tensor::index::ravel_index(&src, x.shape())]);
    }
    let gf = if any_slice {
        "SliceBackward0"
    } else {
        "SelectBackward0"
    };
    Ok(derived(t, Tensor::from_vec(&out_shape, data)?, gf, false))
}
