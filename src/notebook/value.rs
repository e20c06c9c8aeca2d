//! Python values of the notebook interpreter: `None`, `bool`, `int`, `float`, `str`, tuples,
//! lists, a small ordered dict, `range`, tensors (with their dtype), `torch.Size`, modules,
//! optimizers, functions, classes and the `torch` namespaces.
//!
//! Containers are `Rc` (cells run on one thread; lists and modules are shared and mutable as
//! in Python).
use crate::nn::Module;
use crate::ops::loss::Reduction;
use crate::optim::{Adam, Sgd};
use crate::tensor::Tensor;
use rustpython_ruff_python_ast as ast;
use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The element type a tensor has in PyTorch (nnbook stores every tensor as f32; int64 values
/// are exact up to 2^24).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    Float32,
    Int64,
    Bool,
}

impl DType {
    /// `torch.float32`, `torch.int64`, `torch.bool`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Float32 => "torch.float32",
            DType::Int64 => "torch.int64",
            DType::Bool => "torch.bool",
        }
    }
    /// The dtype of `a op b` for arithmetic (PyTorch's promotion for these three types).
    pub fn promote(a: DType, b: DType) -> DType {
        match (a, b) {
            (DType::Float32, _) | (_, DType::Float32) => DType::Float32,
            (DType::Int64, _) | (_, DType::Int64) => DType::Int64,
            _ => DType::Bool,
        }
    }
}

/// The operation that made a tensor that needs a gradient, with its inputs: the graph
/// `backward()` walks (see [`super::autograd`]).
#[derive(Debug)]
pub enum Origin {
    /// `layer(input)` for a core layer, its forward numbered `gen`.
    Layer {
        module: ModRef,
        gen: u64,
        input: Rc<TensorVal>,
    },
    /// `view`, `reshape`, `flatten`, `nn.Flatten`: the gradient is reshaped back.
    Reshape { input: Rc<TensorVal> },
    /// `F.relu`, `torch.relu`, `t.relu()`.
    Relu { input: Rc<TensorVal> },
    /// `F.max_pool2d(input, ...)` with the flat argmax index of each output.
    MaxPool {
        input: Rc<TensorVal>,
        indices: Vec<usize>,
    },
    /// `F.cross_entropy(input, labels)` / `nn.CrossEntropyLoss()(input, labels)`.
    CrossEntropy {
        input: Rc<TensorVal>,
        labels: Vec<i64>,
        reduction: Reduction,
        ignore_index: Option<i64>,
    },
}

/// A tensor value: data, dtype and what printing and `backward()` need.
#[derive(Debug, Clone)]
pub struct TensorVal {
    pub t: Tensor,
    pub dtype: DType,
    /// `grad_fn=<...>` shown when printed (outputs of ops on parameters).
    pub grad_fn: Option<&'static str>,
    /// A module parameter (`Parameter containing:` … `requires_grad=True`).
    pub is_param: bool,
    pub origin: Option<Rc<Origin>>,
}

impl TensorVal {
    /// A plain float32 tensor.
    pub fn float(t: Tensor) -> TensorVal {
        TensorVal::with_dtype(t, DType::Float32)
    }
    /// A plain tensor of `dtype`.
    pub fn with_dtype(t: Tensor, dtype: DType) -> TensorVal {
        TensorVal {
            t,
            dtype,
            grad_fn: None,
            is_param: false,
            origin: None,
        }
    }
    /// `True` when PyTorch would track gradients through it.
    pub fn requires_grad(&self) -> bool {
        self.is_param || self.grad_fn.is_some()
    }
}

/// A core layer the notebook can also reach as its concrete type (for calls that are not
/// `Module::forward`, e.g. `lstm(x, (h0, c0))` or `mha(q, k, v)`).
pub trait NbLayer: Module {
    /// The layer as `Any`, to downcast to its type.
    fn as_any(&self) -> &dyn Any;
    /// The layer as `Any`, mutably.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Module + 'static> NbLayer for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// What a module is made of.
#[derive(Debug)]
pub enum ModKind {
    /// A core layer (`Linear`, `Conv2d`, `LSTM`, …), with its PyTorch class name.
    Native(Box<dyn NbLayer>, &'static str),
    /// `nn.Sequential(*children)`.
    Sequential(Vec<ModRef>),
    /// `nn.CrossEntropyLoss(...)`, with the keyword arguments it passes to `F.cross_entropy`.
    Loss(Vec<(String, Value)>),
    /// An instance of a `class Net(nn.Module)` written in the cell.
    User {
        class: Rc<ClassObj>,
        /// Submodules in registration order (`self.conv1 = ...`).
        children: Vec<(String, ModRef)>,
        /// Other attributes.
        attrs: HashMap<String, Value>,
        /// `super().__init__()` has run.
        initialized: bool,
    },
}

/// A module object (shared, mutable).
#[derive(Debug)]
pub struct ModuleObj {
    pub kind: ModKind,
    pub training: bool,
    /// The number of the forward whose cache a core layer holds
    /// ([`super::autograd::next_gen`]), so `backward()` can tell whether it is the loss's.
    pub gen: u64,
}

/// A shared module handle.
pub type ModRef = Rc<RefCell<ModuleObj>>;

/// An optimizer and the model whose parameters it updates.
#[derive(Debug)]
pub enum OptimKind {
    Sgd(Sgd),
    Adam(Adam),
}

/// `torch.optim.SGD(model.parameters(), ...)` / `Adam(...)`.
#[derive(Debug)]
pub struct OptimObj {
    pub kind: OptimKind,
    pub module: ModRef,
}

/// A function written with `def` (defaults evaluated at definition, as in Python).
#[derive(Debug)]
pub struct FuncObj {
    /// Shared with the traceback context of each call (no copy per call).
    pub name: Rc<str>,
    pub def: Rc<ast::StmtFunctionDef>,
    /// The source of the cell that defined it and that cell's execution count (tracebacks).
    pub src: Rc<str>,
    pub cell: u64,
    pub defaults: Vec<Option<Value>>,
    pub kwonly_defaults: Vec<Option<Value>>,
}

/// A class written with `class` (only `nn.Module` subclasses can be instantiated).
#[derive(Debug)]
pub struct ClassObj {
    pub name: String,
    pub is_module: bool,
    pub methods: HashMap<String, Value>,
}

/// A Python value.
#[derive(Debug, Clone)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Tuple(Rc<Vec<Value>>),
    List(Rc<RefCell<Vec<Value>>>),
    /// Insertion-ordered key/value pairs.
    Dict(Rc<RefCell<Vec<(Value, Value)>>>),
    Range(i64, i64, i64),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    Tensor(Rc<TensorVal>),
    /// `torch.Size([...])`.
    Size(Rc<Vec<usize>>),
    Module(ModRef),
    Optim(Rc<RefCell<OptimObj>>),
    Func(Rc<FuncObj>),
    Class(Rc<ClassObj>),
    /// A built-in function: namespace (`""` for Python builtins, `"torch"`, `"nn"`, `"F"`,
    /// `"optim"`) and name.
    Native(&'static str, &'static str),
    /// A method bound to its receiver, e.g. `t.reshape`, `model.parameters`, `lst.append`.
    Method(Box<Value>, Rc<str>),
    /// A `def` method bound to a module instance.
    BoundFunc(ModRef, Rc<FuncObj>),
    /// An imported module: `"torch"`, `"torch.nn"`, `"torch.nn.functional"`, `"torch.optim"`.
    Namespace(&'static str),
    /// `super()` inside a module method.
    Super(ModRef),
    /// `torch.no_grad()`.
    NoGrad,
    DType(DType),
    /// A torchvision dataset or a `TensorDataset` (see [`super::data_api`]).
    Dataset(Rc<super::data_api::DatasetObj>),
    /// `torchvision.transforms.ToTensor()`, `Normalize(...)`, `Compose([...])`.
    Transform(Rc<super::data_api::Transform>),
    /// `torch.utils.data.DataLoader(...)`.
    Loader(Rc<super::data_api::LoaderObj>),
    /// An iterator (`iter(loader)`, `enumerate(...)`, `zip(...)`): consumed as it is read.
    Iter(Rc<IterObj>),
    /// `type(v)`: the class, by its `__name__` (see [`Value::type_of`]).
    Type(Rc<str>),
}

/// A lazily evaluated iterator shared by every reference to it (as Python's iterators are).
pub struct IterObj {
    /// The Python type name (`"enumerate"`, `"_SingleProcessDataLoaderIter"`, …).
    pub kind: &'static str,
    pub it: RefCell<Box<dyn Iterator<Item = Value>>>,
}

impl std::fmt::Debug for IterObj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} object>", self.kind)
    }
}

impl IterObj {
    /// Wraps an iterator as a Python iterator value.
    pub fn value(kind: &'static str, it: Box<dyn Iterator<Item = Value>>) -> Value {
        Value::Iter(Rc::new(IterObj {
            kind,
            it: RefCell::new(it),
        }))
    }
}

impl Value {
    /// A `str` value.
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }
    /// A `list` value.
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(v)))
    }
    /// A `tuple` value.
    pub fn tuple(v: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(v))
    }
    /// A float32 tensor value.
    pub fn tensor(t: Tensor) -> Value {
        Value::Tensor(Rc::new(TensorVal::float(t)))
    }
    /// A tensor value of `dtype`.
    pub fn tensor_of(t: Tensor, dtype: DType) -> Value {
        Value::Tensor(Rc::new(TensorVal::with_dtype(t, dtype)))
    }

    /// `type(v)`: a class written in a cell is itself; anything else is named by
    /// [`Value::type_name`].
    pub fn type_of(&self) -> Value {
        match self {
            Value::Module(m) => match &m.borrow().kind {
                ModKind::User { class, .. } => Value::Class(class.clone()),
                _ => Value::Type(self.type_name().into()),
            },
            _ => Value::Type(self.type_name().into()),
        }
    }

    /// The name `type(v).__name__` gives, as Python's error messages use it.
    pub fn type_name(&self) -> String {
        match self {
            Value::None => "NoneType".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::List(_) => "list".into(),
            Value::Dict(_) => "dict".into(),
            Value::Range(..) => "range".into(),
            Value::Slice(..) => "slice".into(),
            Value::Tensor(_) => "Tensor".into(),
            Value::Size(_) => "Size".into(),
            Value::Module(m) => module_class_name(&m.borrow()),
            Value::Optim(o) => match o.borrow().kind {
                OptimKind::Sgd(_) => "SGD".into(),
                OptimKind::Adam(_) => "Adam".into(),
            },
            Value::Func(_) => "function".into(),
            Value::Class(_) => "type".into(),
            Value::Native(..) => "builtin_function_or_method".into(),
            Value::Method(..) | Value::BoundFunc(..) => "method".into(),
            Value::Namespace(_) => "module".into(),
            Value::Super(_) => "super".into(),
            Value::NoGrad => "no_grad".into(),
            Value::Type(_) => "type".into(),
            Value::DType(_) => "dtype".into(),
            Value::Dataset(d) => d.class_name().into(),
            Value::Transform(t) => t.class_name().into(),
            Value::Loader(_) => "DataLoader".into(),
            Value::Iter(i) => i.kind.into(),
        }
    }

    /// Python truthiness (`bool(v)`); `None` for values whose truth is an error (tensors with
    /// more than one element).
    pub fn truthy(&self) -> Option<bool> {
        Some(match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Tuple(v) => !v.is_empty(),
            Value::List(v) => !v.borrow().is_empty(),
            Value::Dict(v) => !v.borrow().is_empty(),
            Value::Range(a, b, s) => range_len(*a, *b, *s) > 0,
            Value::Size(s) => !s.is_empty(),
            Value::Tensor(t) => {
                if t.t.numel() != 1 {
                    return None;
                }
                t.t.data()[0] != 0.0
            }
            _ => true,
        })
    }
}

/// `type(m).__name__` of a module.
pub fn module_class_name(m: &ModuleObj) -> String {
    match &m.kind {
        ModKind::Native(_, name) => (*name).to_string(),
        ModKind::Sequential(_) => "Sequential".into(),
        ModKind::Loss(_) => "CrossEntropyLoss".into(),
        ModKind::User { class, .. } => class.name.clone(),
    }
}

/// `len(range(start, stop, step))`.
pub fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    if step > 0 && stop > start {
        (stop - start + step - 1) / step
    } else if step < 0 && stop < start {
        (start - stop - step - 1) / (-step)
    } else {
        0
    }
}
