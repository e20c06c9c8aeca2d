//! `torch.nn` modules (core layers, `Sequential`, `class Net(nn.Module)`), `torch.nn.functional`
//! and `torch.optim`, with nnbook's module-level autograd behind `loss.backward()`.
//!
//! `loss.backward()` runs over the graph recorded during the forward ([`super::autograd`]):
//! core layers, `nn.Sequential`, `class Net(nn.Module)` forwards mixing submodules with
//! `F.relu`, `F.max_pool2d`, `view` / `reshape` / `flatten`, and `F.cross_entropy` /
//! `nn.CrossEntropyLoss`. Other operations between the parameters and the loss raise
//! `not supported in nnbook yet: backward() through <grad_fn>`.
use super::args::{to_float, to_int, to_int_list, Args};
use super::error::{PyErr, PyResult};
use super::interp::{no_attr, Interp};
use super::value::{
    module_class_name, ClassObj, DType, ModKind, ModRef, ModuleObj, OptimKind, OptimObj, Origin,
    TensorVal, Value,
};
use crate::nn::{
    BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Module, Param, ReLU, Size2,
};
use crate::ops::grid_sample::{GridSampleMode, GridSampleOptions, PaddingMode};
use crate::ops::loss::Reduction;
use crate::optim::{Adam, AdamConfig, Sgd, SgdConfig};
use crate::tensor::Tensor;
use std::cell::{RefCell, RefMut};
use std::collections::HashMap;
use std::rc::Rc;

/// `torch.nn.*` names nnbook provides (with [`super::layers_api::LAYER_CLASSES`]).
pub const NN_CLASSES: &[&str] = &[
    "Linear",
    "Conv2d",
    "MaxPool2d",
    "Flatten",
    "ReLU",
    "Dropout",
    "BatchNorm2d",
    "Sequential",
    "CrossEntropyLoss",
    "Module",
];
/// `torch.nn.functional.*` names nnbook provides.
pub const F_FUNCS: &[&str] = &[
    "relu",
    "softmax",
    "log_softmax",
    "cross_entropy",
    "affine_grid",
    "grid_sample",
    "max_pool2d",
];
/// `torch.optim.*` names nnbook provides.
pub const OPTIMS: &[&str] = &["SGD", "Adam"];

fn new_module(kind: ModKind) -> Value {
    Value::Module(Rc::new(RefCell::new(ModuleObj {
        kind,
        training: true,
        gen: 0,
    })))
}

fn native(m: impl Module + 'static, name: &'static str) -> Value {
    new_module(ModKind::Native(Box::new(m), name))
}

fn usize_arg(v: &Value, what: &str) -> PyResult<usize> {
    let i = to_int(v, what)?;
    usize::try_from(i).map_err(|_| PyErr::runtime(format!("{what} must be non-negative, got {i}")))
}

/// An int or an `(h, w)` pair.
fn size2(v: &Value, what: &str) -> PyResult<Size2> {
    match v {
        Value::Tuple(_) | Value::List(_) => {
            let l = to_int_list(v, what)?;
            match l.as_slice() {
                [a, b] if *a >= 0 && *b >= 0 => Ok(Size2::Two([*a as usize, *b as usize])),
                _ => Err(PyErr::value_error(format!(
                    "{what} must be an int or a pair of ints"
                ))),
            }
        }
        other => Ok(Size2::One(usize_arg(other, what)?)),
    }
}

fn tensor_arg(args: &Args, i: usize, name: &str, func: &str) -> PyResult<Rc<TensorVal>> {
    match args.req(i, name, func)? {
        Value::Tensor(t) => Ok(t.clone()),
        other => Err(PyErr::type_error(format!(
            "{func}(): argument '{name}' (position {}) must be Tensor, not {}",
            i + 1,
            other.type_name()
        ))),
    }
}

/// Calls `nn.X(...)`, `F.x(...)` or `optim.X(...)`.
pub fn call_nn(interp: &mut Interp, ns: &str, name: &str, args: Args) -> PyResult<Value> {
    match (ns, name) {
        ("nn", "Linear") => {
            args.check_kw("Linear", &["in_features", "out_features", "bias"])?;
            let i = usize_arg(
                args.req(0, "in_features", "Linear.__init__")?,
                "in_features",
            )?;
            let o = usize_arg(
                args.req(1, "out_features", "Linear.__init__")?,
                "out_features",
            )?;
            crate::tensor::guard::check_numel("Linear", &[o, i])?;
            Ok(native(
                Linear::new(i, o, args.bool_or(2, "bias", true)?),
                "Linear",
            ))
        }
        ("nn", "Conv2d") => {
            args.check_kw("Conv2d", crate::nn::Conv2d::ARGS)?;
            let i = usize_arg(
                args.req(0, "in_channels", "Conv2d.__init__")?,
                "in_channels",
            )?;
            let o = usize_arg(
                args.req(1, "out_channels", "Conv2d.__init__")?,
                "out_channels",
            )?;
            let k = size2(
                args.req(2, "kernel_size", "Conv2d.__init__")?,
                "kernel_size",
            )?
            .pair();
            let s = match args.get(3, "stride") {
                Some(v) => size2(v, "stride")?.pair(),
                None => [1, 1],
            };
            let p = match args.get(4, "padding") {
                Some(Value::Str(_)) => return Err(PyErr::unsupported("string padding in Conv2d")),
                Some(v) => size2(v, "padding")?.pair(),
                None => [0, 0],
            };
            crate::tensor::guard::check_numel("Conv2d", &[o, i, k[0], k[1]])?;
            Ok(native(
                Conv2d::new(i, o, k, s, p, args.bool_or(7, "bias", true)?),
                "Conv2d",
            ))
        }
        ("nn", "MaxPool2d") => {
            let k = size2(
                args.req(0, "kernel_size", "MaxPool2d.__init__")?,
                "kernel_size",
            )?;
            let s = match args.get(1, "stride") {
                None | Some(Value::None) => k,
                Some(v) => size2(v, "stride")?,
            };
            let p = match args.get(2, "padding") {
                None => Size2::One(0),
                Some(v) => size2(v, "padding")?,
            };
            Ok(native(MaxPool2d::new(k, s, p), "MaxPool2d"))
        }
        ("nn", "Flatten") => Ok(native(
            Flatten::new(
                args.int_or(0, "start_dim", 1)?,
                args.int_or(1, "end_dim", -1)?,
            ),
            "Flatten",
        )),
        ("nn", "ReLU") => Ok(native(ReLU::new(), "ReLU")),
        ("nn", "Dropout") => Ok(native(
            Dropout::new(args.float_or(0, "p", 0.5)? as f32)?,
            "Dropout",
        )),
        ("nn", "BatchNorm2d") => {
            let n = usize_arg(
                args.req(0, "num_features", "BatchNorm2d.__init__")?,
                "num_features",
            )?;
            let bn = BatchNorm2d::new(n)
                .with_eps(args.float_or(1, "eps", 1e-5)? as f32)
                .with_momentum(args.float_or(2, "momentum", 0.1)? as f32);
            Ok(native(bn, "BatchNorm2d"))
        }
        ("nn", n) if super::layers_api::LAYER_CLASSES.contains(&n) => {
            super::layers_api::construct(n, &args)
        }
        ("nn", "Sequential") => {
            let mut children = Vec::new();
            for a in args.pos.iter() {
                match a {
                    Value::Module(m) => children.push(m.clone()),
                    other => {
                        return Err(PyErr::type_error(format!(
                            "{} is not a Module subclass",
                            other.type_name()
                        )))
                    }
                }
            }
            Ok(new_module(ModKind::Sequential(children)))
        }
        ("nn", "CrossEntropyLoss") => {
            if !args.pos.is_empty() {
                return Err(PyErr::unsupported(
                    "positional arguments to nn.CrossEntropyLoss (use reduction=..., ignore_index=...)",
                ));
            }
            args.check_kw("CrossEntropyLoss", &["reduction", "ignore_index"])?;
            Ok(new_module(ModKind::Loss(args.kw)))
        }
        ("nn", "Module") => Err(PyErr::unsupported("nn.Module() on its own (subclass it)")),
        ("F", _) => call_functional(interp, name, args),
        ("optim", _) => make_optimizer(name, args),
        _ => Err(PyErr::unsupported(format!("{ns}.{name}"))),
    }
}

fn grad_of(ts: &[&TensorVal], ng: bool) -> bool {
    !ng && ts.iter().any(|t| t.requires_grad())
}

fn out(t: Tensor, grad_fn: Option<&'static str>, origin: Option<Origin>) -> Value {
    Value::Tensor(Rc::new(TensorVal {
        t,
        dtype: DType::Float32,
        grad_fn,
        is_param: false,
        origin: origin.map(Rc::new),
    }))
}

fn call_functional(interp: &mut Interp, name: &str, args: Args) -> PyResult<Value> {
    let ng = interp.no_grad;
    match name {
        "relu" => {
            let x = tensor_arg(&args, 0, "input", "relu")?;
            let g = grad_of(&[&x], ng).then_some("ReluBackward0");
            Ok(Value::Tensor(Rc::new(TensorVal {
                t: crate::ops::relu_forward(&x.t),
                dtype: x.dtype,
                grad_fn: g,
                is_param: false,
                origin: g.map(|_| Rc::new(Origin::Relu { input: x.clone() })),
            })))
        }
        "softmax" | "log_softmax" => {
            let x = tensor_arg(&args, 0, "input", name)?;
            let dim = match args.get(1, "dim") {
                Some(v) => to_int(v, "dim")?,
                None => return Err(PyErr::unsupported(format!("F.{name} without dim="))),
            };
            let (t, g) = if name == "softmax" {
                (crate::ops::softmax_forward(&x.t, dim)?, "SoftmaxBackward0")
            } else {
                (
                    crate::ops::log_softmax_forward(&x.t, dim)?,
                    "LogSoftmaxBackward0",
                )
            };
            Ok(out(t, grad_of(&[&x], ng).then_some(g), None))
        }
        "max_pool2d" => {
            let x = tensor_arg(&args, 0, "input", name)?;
            let k = size2(args.req(1, "kernel_size", name)?, "kernel_size")?;
            let s = match args.get(2, "stride") {
                None | Some(Value::None) => k,
                Some(v) => size2(v, "stride")?,
            };
            let p = match args.get(3, "padding") {
                None => Size2::One(0),
                Some(v) => size2(v, "padding")?,
            };
            let (y, indices) =
                crate::ops::max_pool2d_forward(&x.t, MaxPool2d::new(k, s, p).params())?;
            let g = grad_of(&[&x], ng);
            Ok(out(
                y,
                g.then_some("MaxPool2DWithIndicesBackward0"),
                g.then(|| Origin::MaxPool {
                    input: x.clone(),
                    indices,
                }),
            ))
        }
        "cross_entropy" => {
            args.check_kw(
                "cross_entropy",
                &["input", "target", "reduction", "ignore_index"],
            )?;
            let x = tensor_arg(&args, 0, "input", name)?;
            let y = tensor_arg(&args, 1, "target", name)?;
            if y.dtype == DType::Float32 {
                return Err(PyErr::unsupported(
                    "cross_entropy with probability (float) targets",
                ));
            }
            let labels: Vec<i64> = y.t.data().iter().map(|&v| v as i64).collect();
            let reduction = match args.kwarg("reduction") {
                None => Reduction::Mean,
                Some(Value::Str(s)) => match s.as_ref() {
                    "mean" => Reduction::Mean,
                    "sum" => Reduction::Sum,
                    "none" => Reduction::None,
                    other => {
                        return Err(PyErr::value_error(format!(
                            "{other} is not a valid value for reduction"
                        )))
                    }
                },
                Some(other) => {
                    return Err(PyErr::type_error(format!(
                        "reduction must be str, not {}",
                        other.type_name()
                    )))
                }
            };
            let ignore_index = Some(args.int_or(3, "ignore_index", -100)?);
            let loss = crate::ops::cross_entropy_forward(&x.t, &labels, reduction, ignore_index)?;
            let origin = grad_of(&[&x], ng).then(|| Origin::CrossEntropy {
                input: x.clone(),
                labels,
                reduction,
                ignore_index,
            });
            Ok(out(
                loss,
                grad_of(&[&x], ng).then_some("NllLossBackward0"),
                origin,
            ))
        }
        "affine_grid" => {
            let theta = tensor_arg(&args, 0, "theta", name)?;
            let size = to_int_list(args.req(1, "size", name)?, "size")?;
            let size: [usize; 4] = match size.as_slice() {
                [a, b, c, d] => [*a as usize, *b as usize, *c as usize, *d as usize],
                _ => {
                    return Err(PyErr::unsupported(
                        "affine_grid for sizes other than [N, C, H, W]",
                    ))
                }
            };
            let ac = args.bool_or(2, "align_corners", false)?;
            let g = crate::ops::affine_grid::affine_grid_forward(&theta.t, size, ac)?;
            Ok(out(
                g,
                grad_of(&[&theta], ng).then_some("AffineGridGeneratorBackward0"),
                None,
            ))
        }
        "grid_sample" => {
            let x = tensor_arg(&args, 0, "input", name)?;
            let grid = tensor_arg(&args, 1, "grid", name)?;
            let mode = match args.get(2, "mode") {
                Some(Value::Str(s)) => GridSampleMode::parse(s)?,
                _ => GridSampleMode::Bilinear,
            };
            let padding_mode = match args.get(3, "padding_mode") {
                Some(Value::Str(s)) => PaddingMode::parse(s)?,
                _ => PaddingMode::Zeros,
            };
            let align_corners = args.bool_or(4, "align_corners", false)?;
            let opts = GridSampleOptions {
                mode,
                padding_mode,
                align_corners,
            };
            let y = crate::ops::grid_sample::grid_sample_forward(&x.t, &grid.t, opts)?;
            Ok(out(
                y,
                grad_of(&[&x, &grid], ng).then_some("GridSampler2DBackward0"),
                None,
            ))
        }
        _ => Err(PyErr::unsupported(format!("F.{name}"))),
    }
}

fn make_optimizer(name: &str, args: Args) -> PyResult<Value> {
    let module = match args.req(0, "params", name)? {
        Value::Method(recv, m) if m.as_ref() == "__params__" => match recv.as_ref() {
            Value::Module(m) => m.clone(),
            _ => unreachable_params()?,
        },
        _ => {
            return Err(PyErr::unsupported(format!(
                "optim.{name} over anything but model.parameters()"
            )))
        }
    };
    let kind = match name {
        "SGD" => {
            let d = SgdConfig::default();
            OptimKind::Sgd(Sgd::new(SgdConfig {
                lr: args.float_or(1, "lr", d.lr)?,
                momentum: args.float_or(2, "momentum", d.momentum)?,
                dampening: args.float_or(3, "dampening", d.dampening)?,
                weight_decay: args.float_or(4, "weight_decay", d.weight_decay)?,
                nesterov: args.bool_or(5, "nesterov", d.nesterov)?,
            })?)
        }
        _ => {
            let d = AdamConfig::default();
            let betas = match args.get(2, "betas") {
                Some(v) => {
                    let b: Vec<f64> = super::builtins::iter_values(v)?
                        .map(|x| to_float(&x, "betas"))
                        .collect::<PyResult<_>>()?;
                    match b.as_slice() {
                        [a, c] => (*a, *c),
                        _ => return Err(PyErr::value_error("betas must be a pair")),
                    }
                }
                None => d.betas,
            };
            OptimKind::Adam(Adam::new(AdamConfig {
                lr: args.float_or(1, "lr", d.lr)?,
                betas,
                eps: args.float_or(3, "eps", d.eps)?,
                weight_decay: args.float_or(4, "weight_decay", d.weight_decay)?,
                amsgrad: args.bool_or(5, "amsgrad", d.amsgrad)?,
            })?)
        }
    };
    Ok(Value::Optim(Rc::new(RefCell::new(OptimObj {
        kind,
        module,
    }))))
}

fn unreachable_params() -> PyResult<ModRef> {
    Err(PyErr::runtime("parameters of a non-module"))
}

/// `Net(...)`: creates the instance and runs `__init__`.
pub fn instantiate(interp: &mut Interp, class: Rc<ClassObj>, args: Args) -> PyResult<Value> {
    let m = Rc::new(RefCell::new(ModuleObj {
        kind: ModKind::User {
            class: class.clone(),
            children: Vec::new(),
            attrs: HashMap::new(),
            initialized: false,
        },
        training: true,
        gen: 0,
    }));
    if let Some(Value::Func(init)) = class.methods.get("__init__") {
        interp.call_function(init, Some(Value::Module(m.clone())), args)?;
    } else if let ModKind::User { initialized, .. } = &mut m.borrow_mut().kind {
        *initialized = true;
    }
    Ok(Value::Module(m))
}

/// `module.name = v` (submodules are registered in order, as PyTorch does).
pub fn set_module_attr(m: &ModRef, name: &str, v: Value) -> PyResult<()> {
    let mut mb = m.borrow_mut();
    match &mut mb.kind {
        ModKind::User {
            children,
            attrs,
            initialized,
            ..
        } => {
            if !*initialized {
                return Err(PyErr::attribute_error(if matches!(v, Value::Module(_)) {
                    "cannot assign module before Module.__init__() call"
                } else {
                    "cannot assign attribute before Module.__init__() call"
                }));
            }
            if let Value::Module(child) = v {
                attrs.remove(name);
                if let Some(slot) = children.iter_mut().find(|(n, _)| n == name) {
                    slot.1 = child;
                } else {
                    children.push((name.to_string(), child));
                }
            } else {
                children.retain(|(n, _)| n != name);
                attrs.insert(name.to_string(), v);
            }
            Ok(())
        }
        _ => Err(PyErr::unsupported(format!(
            "setting attributes of nn.{} (e.g. .{name})",
            module_class_name(&mb)
        ))),
    }
}

const MODULE_METHODS: &[&str] = &[
    "parameters",
    "named_parameters",
    "train",
    "eval",
    "zero_grad",
    "forward",
    "children",
];

/// `module.name`.
pub fn module_attr(m: &ModRef, name: &str, obj: &Value) -> PyResult<Value> {
    let mb = m.borrow();
    match &mb.kind {
        ModKind::User {
            class,
            children,
            attrs,
            ..
        } => {
            if let Some((_, c)) = children.iter().find(|(n, _)| n == name) {
                return Ok(Value::Module(c.clone()));
            }
            if let Some(v) = attrs.get(name) {
                return Ok(v.clone());
            }
            if let Some(Value::Func(f)) = class.methods.get(name) {
                return Ok(Value::BoundFunc(m.clone(), f.clone()));
            }
        }
        ModKind::Native(n, _) => {
            let p = n.named_parameters().into_iter().find(|(k, _)| k == name);
            if let Some((_, p)) = p {
                return Ok(param_value(p));
            }
            if name == "weight" || name == "bias" {
                return Ok(Value::None);
            }
            if let Some(child) = super::layers_api::submodule(m, name) {
                return Ok(child);
            }
        }
        ModKind::Sequential(_) | ModKind::Loss(_) => {}
    }
    if name == "training" {
        return Ok(Value::Bool(mb.training));
    }
    if MODULE_METHODS.contains(&name) {
        return Ok(Value::Method(Box::new(obj.clone()), name.into()));
    }
    Err(no_attr(obj, name))
}

fn param_value(p: &Param) -> Value {
    Value::Tensor(Rc::new(TensorVal {
        t: p.value.clone(),
        dtype: DType::Float32,
        grad_fn: None,
        is_param: true,
        origin: None,
    }))
}

/// `net[i]` for an `nn.Sequential`.
pub fn sequential_item(m: &ModRef, i: &Value) -> PyResult<Value> {
    let mb = m.borrow();
    match &mb.kind {
        ModKind::Sequential(c) => {
            let i = to_int(i, "index")?;
            let n = c.len() as i64;
            let j = if i < 0 { i + n } else { i };
            if j < 0 || j >= n {
                return Err(PyErr::index_error(format!("index {i} is out of range")));
            }
            Ok(Value::Module(c[j as usize].clone()))
        }
        _ => Err(PyErr::type_error(format!(
            "'{}' object is not subscriptable",
            module_class_name(&mb)
        ))),
    }
}

/// `for layer in net` for an `nn.Sequential`: its children in order (a snapshot, as
/// PyTorch's iterator over `_modules`).
pub fn module_iter(m: &ModRef) -> PyResult<Vec<Value>> {
    match &m.borrow().kind {
        ModKind::Sequential(c) => Ok(c.iter().map(|c| Value::Module(c.clone())).collect()),
        _ => Err(PyErr::type_error(format!(
            "'{}' object is not iterable",
            module_class_name(&m.borrow())
        ))),
    }
}

/// `len(net)` for an `nn.Sequential`.
pub fn module_len(m: &ModRef) -> PyResult<usize> {
    match &m.borrow().kind {
        ModKind::Sequential(c) => Ok(c.len()),
        _ => Err(PyErr::type_error(format!(
            "object of type '{}' has no len()",
            module_class_name(&m.borrow())
        ))),
    }
}

/// Parameters in PyTorch's order with state_dict names.
pub fn named_params(m: &ModRef, prefix: &str, out: &mut Vec<(String, Value)>) {
    let mb = m.borrow();
    match &mb.kind {
        ModKind::Native(n, _) => {
            for (k, p) in n.named_parameters() {
                out.push((format!("{prefix}{k}"), param_value(p)));
            }
        }
        ModKind::Sequential(c) => {
            for (i, c) in c.iter().enumerate() {
                named_params(c, &format!("{prefix}{i}."), out);
            }
        }
        ModKind::Loss(_) => {}
        ModKind::User { children, .. } => {
            for (n, c) in children {
                named_params(c, &format!("{prefix}{n}."), out);
            }
        }
    }
}

fn set_training(m: &ModRef, training: bool) {
    let mut mb = m.borrow_mut();
    mb.training = training;
    let kids: Vec<ModRef> = match &mut mb.kind {
        ModKind::Native(n, _) => {
            n.set_training(training);
            Vec::new()
        }
        ModKind::Sequential(c) => c.clone(),
        ModKind::Loss(_) => Vec::new(),
        ModKind::User { children, .. } => children.iter().map(|(_, c)| c.clone()).collect(),
    };
    drop(mb);
    for k in kids {
        set_training(&k, training);
    }
}

/// Every core layer under `m`, with its state_dict prefix (each module once).
fn leaves(m: &ModRef, prefix: &str, out: &mut Vec<(String, ModRef)>) {
    let kids: Vec<(String, ModRef)> = match &m.borrow().kind {
        ModKind::Native(..) => {
            if !out.iter().any(|(_, x)| Rc::ptr_eq(x, m)) {
                out.push((prefix.to_string(), m.clone()));
            }
            return;
        }
        ModKind::Loss(_) => return,
        ModKind::Sequential(c) => c
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("{prefix}{i}."), c.clone()))
            .collect(),
        ModKind::User { children, .. } => children
            .iter()
            .map(|(n, c)| (format!("{prefix}{n}."), c.clone()))
            .collect(),
    };
    for (p, k) in kids {
        leaves(&k, &p, out);
    }
}

/// Calls a module method (`parameters`, `train`, `eval`, `zero_grad`, `forward`).
pub fn call_module_method(
    interp: &mut Interp,
    m: &ModRef,
    name: &str,
    args: Args,
) -> PyResult<Value> {
    match name {
        "parameters" => Ok(Value::Method(
            Box::new(Value::Module(m.clone())),
            "__params__".into(),
        )),
        "named_parameters" => {
            let mut ps = Vec::new();
            named_params(m, "", &mut ps);
            Ok(Value::list(
                ps.into_iter()
                    .map(|(n, p)| Value::tuple(vec![Value::str(n), p]))
                    .collect(),
            ))
        }
        "children" => {
            let kids: Vec<Value> = match &m.borrow().kind {
                ModKind::Native(..) | ModKind::Loss(_) => Vec::new(),
                ModKind::Sequential(c) => c.iter().map(|c| Value::Module(c.clone())).collect(),
                ModKind::User { children, .. } => children
                    .iter()
                    .map(|(_, c)| Value::Module(c.clone()))
                    .collect(),
            };
            Ok(Value::list(kids))
        }
        "train" | "eval" => {
            let mode = name == "train" && args.bool_or(0, "mode", true)?;
            set_training(m, mode);
            Ok(Value::Module(m.clone()))
        }
        "zero_grad" => {
            let mut ls = Vec::new();
            leaves(m, "", &mut ls);
            for (_, l) in ls {
                if let ModKind::Native(n, _) = &mut l.borrow_mut().kind {
                    n.zero_grad();
                }
            }
            Ok(Value::None)
        }
        "forward" => call_module(interp, m, args),
        _ => Err(no_attr(&Value::Module(m.clone()), name)),
    }
}

fn native_grad_fn(name: &str, x: &Tensor, training: bool) -> Option<&'static str> {
    Some(match name {
        "Linear" => {
            if x.ndim() == 2 {
                "AddmmBackward0"
            } else {
                "ViewBackward0"
            }
        }
        "Conv2d" => "ConvolutionBackward0",
        "ReLU" => "ReluBackward0",
        "MaxPool2d" => "MaxPool2DWithIndicesBackward0",
        "Flatten" => "ViewBackward0",
        "BatchNorm2d" => "NativeBatchNormBackward0",
        "Dropout" if training => "MulBackward0",
        other => return super::layers_api::grad_fn(other),
    })
}

/// `module(x)`: runs `forward` (a `def forward` for classes, each child in turn for
/// `nn.Sequential`, the core layer otherwise), recording the graph for `backward()`.
pub fn call_module(interp: &mut Interp, m: &ModRef, args: Args) -> PyResult<Value> {
    interp.step()?;
    enum Plan {
        User(Option<Value>),
        Seq(Vec<ModRef>),
        Loss(Vec<(String, Value)>),
        Native,
    }
    let plan = match &m.borrow().kind {
        ModKind::User { class, .. } => Plan::User(class.methods.get("forward").cloned()),
        ModKind::Sequential(c) => Plan::Seq(c.clone()),
        ModKind::Loss(kw) => Plan::Loss(kw.clone()),
        ModKind::Native(..) => Plan::Native,
    };
    match plan {
        Plan::User(Some(Value::Func(f))) => {
            return interp.call_function(&f, Some(Value::Module(m.clone())), args)
        }
        Plan::User(_) => {
            return Err(PyErr::new(
                "NotImplementedError",
                format!(
                    "Module [{}] is missing the required \"forward\" function",
                    module_class_name(&m.borrow())
                ),
            ))
        }
        Plan::Loss(kw) => {
            let mut a = args;
            a.kw.extend(kw);
            return call_functional(interp, "cross_entropy", a);
        }
        _ => {}
    }
    if let Some(r) = super::layers_api::call(interp, m, &args) {
        return r;
    }
    let x = match args.pos.first() {
        Some(Value::Tensor(t)) if args.pos.len() == 1 => t.clone(),
        Some(Value::Tensor(_)) => {
            return Err(PyErr::unsupported(
                "calling a layer with more than one input",
            ))
        }
        Some(other) => {
            return Err(PyErr::type_error(format!(
                "{}(): argument 'input' (position 1) must be Tensor, not {}",
                module_name_lower(m),
                other.type_name()
            )))
        }
        None => {
            return Err(PyErr::type_error(
                "forward() missing 1 required positional argument: 'input'",
            ))
        }
    };
    if let Plan::Seq(kids) = plan {
        let mut y = Value::Tensor(x);
        for k in kids {
            y = call_module(interp, &k, Args::positional(vec![y]))?;
        }
        return Ok(y);
    }
    let (y, gen, native_fn) = {
        let mut mb = m.borrow_mut();
        let training = mb.training;
        let gen = super::autograd::next_gen();
        mb.gen = gen;
        match &mut mb.kind {
            ModKind::Native(n, name) => {
                let g = native_grad_fn(name, &x.t, training);
                (n.forward(&x.t)?, gen, g)
            }
            _ => return Err(PyErr::runtime("not a core layer")),
        }
    };
    let requires = !interp.no_grad && (x.requires_grad() || has_params(m));
    Ok(Value::Tensor(Rc::new(TensorVal {
        t: y,
        dtype: DType::Float32,
        grad_fn: if requires {
            native_fn.or(x.grad_fn).or(Some("ViewBackward0"))
        } else {
            None
        },
        is_param: false,
        origin: requires.then(|| {
            Rc::new(Origin::Layer {
                module: m.clone(),
                gen,
                input: x.clone(),
            })
        }),
    })))
}

fn module_name_lower(m: &ModRef) -> String {
    match module_class_name(&m.borrow()).as_str() {
        "Linear" => "linear".into(),
        "Conv2d" => "conv2d".into(),
        other => other.to_lowercase(),
    }
}

fn has_params(m: &ModRef) -> bool {
    let mut ps = Vec::new();
    named_params(m, "", &mut ps);
    !ps.is_empty()
}

/// `loss.backward()`.
pub fn backward(t: &Rc<TensorVal>) -> PyResult<Value> {
    super::autograd::backward(t)?;
    Ok(Value::None)
}

/// `optimizer.step()` / `optimizer.zero_grad()`.
pub fn call_optim_method(o: &Rc<RefCell<OptimObj>>, name: &str, _args: Args) -> PyResult<Value> {
    let mut ob = o.borrow_mut();
    let module = ob.module.clone();
    let mut ls = Vec::new();
    leaves(&module, "", &mut ls);
    match name {
        "zero_grad" => {
            for (_, l) in ls {
                if let ModKind::Native(n, _) = &mut l.borrow_mut().kind {
                    n.zero_grad();
                }
            }
            Ok(Value::None)
        }
        "step" => {
            let mut guards: Vec<(String, RefMut<ModuleObj>)> = Vec::new();
            for (p, l) in &ls {
                let g = l
                    .try_borrow_mut()
                    .map_err(|_| PyErr::runtime("a layer is in use elsewhere"))?;
                guards.push((p.clone(), g));
            }
            let mut params: Vec<(String, &mut Param)> = Vec::new();
            for (prefix, g) in guards.iter_mut() {
                if let ModKind::Native(n, _) = &mut g.kind {
                    for (k, p) in n.named_parameters_mut() {
                        params.push((format!("{prefix}{k}"), p));
                    }
                }
            }
            match &mut ob.kind {
                OptimKind::Sgd(s) => s.step(&mut params)?,
                OptimKind::Adam(a) => a.step(&mut params)?,
            }
            Ok(Value::None)
        }
        _ => Err(PyErr::unsupported(format!("optimizer.{name}()"))),
    }
}
