//! `torchvision.datasets.CIFAR10` / `MNIST`, `torchvision.transforms.ToTensor` / `Normalize` /
//! `Compose`, and `torch.utils.data.DataLoader` / `TensorDataset`, backed by the NNBD files the
//! host registered ([`super::Notebook::register_dataset`]).
//!
//! - A torchvision dataset reads `<name>-train.nnbd` or `<name>-test.nnbd` (`train=`); `root` and
//!   `download` are accepted and ignored, as with a dataset that is already downloaded. The
//!   files are nnbook's subsets (CIFAR-10: 10,000 training and 1,000 test images).
//!   `ds[i]` is `(tensor [C, H, W], label)` once a transform made a tensor of the image;
//!   without one it raises `NotImplementedError` (nnbook has no PIL images).
//! - `DataLoader(ds, batch_size=1, shuffle=False, drop_last=False)` yields
//!   `[images [B, C, H, W] float32, labels [B] int64]` (`TensorDataset`: one stacked tensor
//!   per component). It draws from the global generator exactly as PyTorch's single-process
//!   loader does: one 64-bit draw when an iterator is created (its base seed), and, with
//!   `shuffle=True`, one more at the first batch seeding a private generator whose
//!   `randperm(len(ds))` is the order. So a seeded notebook visits the same images in the same
//!   order as PyTorch.
use super::args::{to_float, to_int, Args};
use super::error::{PyErr, PyResult};
use super::interp::{no_attr, Interp};
use super::value::{DType, IterObj, TensorVal, Value};
use crate::data::Dataset;
use crate::rng::{with_global, Rng};
use crate::tensor::Tensor;
use std::rc::Rc;

/// `torchvision.datasets.*` names nnbook provides.
pub const DATASETS: &[&str] = &["CIFAR10", "MNIST"];
/// `torchvision.transforms.*` names nnbook provides.
pub const TRANSFORMS: &[&str] = &["ToTensor", "Normalize", "Compose"];
/// `torch.utils.data.*` names nnbook provides.
pub const DATA: &[&str] = &["DataLoader", "TensorDataset"];

/// A torchvision transform.
#[derive(Debug)]
pub enum Transform {
    /// uint8 `[C, H, W]` image → float32 in `[0, 1]` (`x / 255`).
    ToTensor,
    /// `(x - mean[c]) / std[c]` per channel, in float32.
    Normalize { mean: Vec<f32>, std: Vec<f32> },
    /// Applies each in turn.
    Compose(Vec<Rc<Transform>>),
}

impl Transform {
    /// `type(t).__name__`.
    pub fn class_name(&self) -> &'static str {
        match self {
            Transform::ToTensor => "ToTensor",
            Transform::Normalize { .. } => "Normalize",
            Transform::Compose(_) => "Compose",
        }
    }

    /// torchvision's `repr(t)`.
    pub fn repr(&self) -> String {
        let list = |v: &[f32]| {
            let items: Vec<String> = v
                .iter()
                .map(|&x| crate::optim::pyfmt::py_float_repr(x as f64))
                .collect();
            format!("[{}]", items.join(", "))
        };
        match self {
            Transform::ToTensor => "ToTensor()".into(),
            Transform::Normalize { mean, std } => {
                format!("Normalize(mean={}, std={})", list(mean), list(std))
            }
            Transform::Compose(ts) => {
                let mut s = "Compose(\n".to_string();
                for t in ts {
                    s += &format!("    {}\n", t.repr());
                }
                s + ")"
            }
        }
    }
}

/// An image on its way through a transform pipeline.
enum Img {
    /// The raw uint8 `[C, H, W]` image (what a PIL image is in torchvision).
    Pil(Vec<u8>),
    Tensor(Tensor),
}

fn apply(t: &Transform, img: Img, dims: [usize; 3]) -> PyResult<Img> {
    match (t, img) {
        (Transform::ToTensor, Img::Pil(px)) => Ok(Img::Tensor(Tensor::from_vec(
            &dims,
            px.iter().map(|&b| b as f32 / 255.0).collect(),
        )?)),
        (Transform::ToTensor, Img::Tensor(_)) => Err(PyErr::type_error(
            "pic should be PIL Image or ndarray. Got <class 'torch.Tensor'>",
        )),
        (Transform::Normalize { .. }, Img::Pil(_)) => Err(PyErr::type_error(
            "img should be Tensor Image. Got <class 'PIL.Image.Image'>",
        )),
        (Transform::Normalize { mean, std }, Img::Tensor(x)) => {
            Ok(Img::Tensor(normalize(&x, mean, std)?))
        }
        (Transform::Compose(ts), mut img) => {
            for t in ts {
                img = apply(t, img, dims)?;
            }
            Ok(img)
        }
    }
}

/// `Normalize(mean, std)(x)` for `x` of shape `[C, H, W]` (in place in torchvision, so the
/// per-channel lists must broadcast to `x`'s own shape).
fn normalize(x: &Tensor, mean: &[f32], std: &[f32]) -> PyResult<Tensor> {
    if x.ndim() < 3 {
        return Err(PyErr::value_error(format!(
            "Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = torch.Size([{}])",
            join(x.shape())
        )));
    }
    let c = x.shape()[x.ndim() - 3];
    let hw: usize = x.shape()[x.ndim() - 2..].iter().product();
    for (v, name) in [(mean, "mean"), (std, "std")] {
        if v.len() != 1 && v.len() != c {
            let mut want = x.shape().to_vec();
            want[x.ndim() - 3] = v.len();
            return Err(PyErr::runtime(format!(
                "output with shape [{}] doesn't match the broadcast shape [{}] ({name})",
                join(x.shape()),
                join(&want)
            )));
        }
    }
    let data = x
        .data()
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let ch = (i / hw) % c;
            let pick = |l: &[f32]| if l.len() == 1 { l[0] } else { l[ch] };
            (v - pick(mean)) / pick(std)
        })
        .collect();
    Ok(Tensor::from_vec(x.shape(), data)?)
}

fn join(s: &[usize]) -> String {
    s.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A dataset object.
#[derive(Debug)]
pub enum DatasetObj {
    /// `torchvision.datasets.CIFAR10(...)` / `MNIST(...)`.
    Vision {
        class: &'static str,
        data: Rc<Dataset>,
        root: String,
        train: bool,
        transform: Option<Rc<Transform>>,
    },
    /// `TensorDataset(*tensors)`: item `i` is `(t[i] for t in tensors)`.
    Tensors(Vec<Rc<TensorVal>>),
}

impl DatasetObj {
    /// `type(ds).__name__`.
    pub fn class_name(&self) -> &'static str {
        match self {
            DatasetObj::Vision { class, .. } => class,
            DatasetObj::Tensors(_) => "TensorDataset",
        }
    }

    /// `len(ds)`.
    pub fn len(&self) -> usize {
        match self {
            DatasetObj::Vision { data, .. } => data.len(),
            DatasetObj::Tensors(ts) => ts[0].t.shape()[0],
        }
    }

    /// `len(ds) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// torchvision's `repr(ds)`.
    pub fn repr(&self) -> String {
        match self {
            DatasetObj::Vision {
                class,
                data,
                root,
                train,
                transform,
            } => {
                let mut s = format!(
                    "Dataset {class}\n    Number of datapoints: {}\n    Root location: {root}\n    Split: {}",
                    data.len(),
                    if *train { "Train" } else { "Test" }
                );
                if let Some(t) = transform {
                    let body = t.repr().replace('\n', "\n                 ");
                    s += &format!("\n    StandardTransform\nTransform: {body}");
                }
                s
            }
            DatasetObj::Tensors(_) => "<torch.utils.data.dataset.TensorDataset object>".into(),
        }
    }

    /// `ds[i]` for `0 <= i < len(ds)`.
    fn item_at(&self, i: usize) -> PyResult<Value> {
        match self {
            DatasetObj::Vision {
                data, transform, ..
            } => {
                let img = image_tensor(data, transform.as_deref(), i)?;
                Ok(Value::tuple(vec![
                    Value::tensor(img),
                    Value::Int(data.labels[i] as i64),
                ]))
            }
            DatasetObj::Tensors(ts) => Ok(Value::tuple(
                ts.iter()
                    .map(|t| super::torch_api::index_tensor(t, &Value::Int(i as i64)))
                    .collect::<PyResult<_>>()?,
            )),
        }
    }
}

fn image_tensor(data: &Dataset, tf: Option<&Transform>, i: usize) -> PyResult<Tensor> {
    let Some(tf) = tf else {
        return Err(no_pil());
    };
    match apply(tf, Img::Pil(data.image(i).to_vec()), data.dims())? {
        Img::Tensor(t) => Ok(t),
        Img::Pil(_) => Err(no_pil()),
    }
}

fn no_pil() -> PyErr {
    PyErr::new(
        "NotImplementedError",
        "not supported in nnbook yet: PIL images; give the dataset transform=torchvision.transforms.ToTensor() to get tensors",
    )
}

/// A `DataLoader`.
#[derive(Debug)]
pub struct LoaderObj {
    pub dataset: Rc<DatasetObj>,
    pub batch_size: usize,
    pub shuffle: bool,
    pub drop_last: bool,
}

impl LoaderObj {
    /// `len(loader)`: the number of batches.
    pub fn len(&self) -> usize {
        let n = self.dataset.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }

    /// No batches at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Calls `torchvision.datasets.X`, `torchvision.transforms.X` or `torch.utils.data.X`.
pub fn call(interp: &mut Interp, ns: &str, name: &str, args: Args) -> PyResult<Value> {
    match (ns, name) {
        ("datasets", "CIFAR10") => vision_dataset(interp, "CIFAR10", args),
        ("datasets", "MNIST") => vision_dataset(interp, "MNIST", args),
        ("transforms", "ToTensor") => {
            if !args.pos.is_empty() || !args.kw.is_empty() {
                return Err(PyErr::type_error("ToTensor() takes no arguments"));
            }
            Ok(Value::Transform(Rc::new(Transform::ToTensor)))
        }
        ("transforms", "Normalize") => {
            args.check_kw("Normalize", &["mean", "std", "inplace"])?;
            let mean = float_list(args.req(0, "mean", "Normalize.__init__")?, "mean")?;
            let std = float_list(args.req(1, "std", "Normalize.__init__")?, "std")?;
            if std.contains(&0.0) {
                return Err(PyErr::value_error(
                    "std evaluated to zero after conversion to torch.float32, leading to division by zero.",
                ));
            }
            Ok(Value::Transform(Rc::new(Transform::Normalize {
                mean,
                std,
            })))
        }
        ("transforms", "Compose") => {
            let list = args.req(0, "transforms", "Compose.__init__")?;
            let mut ts = Vec::new();
            for v in super::builtins::iter_values(list)? {
                match v {
                    Value::Transform(t) => ts.push(t),
                    other => {
                        return Err(PyErr::unsupported(format!(
                            "transforms.Compose with a {} (only ToTensor and Normalize)",
                            other.type_name()
                        )))
                    }
                }
            }
            Ok(Value::Transform(Rc::new(Transform::Compose(ts))))
        }
        ("data", "TensorDataset") => {
            let mut ts = Vec::new();
            for a in &args.pos {
                match a {
                    Value::Tensor(t) if t.t.ndim() > 0 => ts.push(t.clone()),
                    other => {
                        return Err(PyErr::type_error(format!(
                            "TensorDataset expects tensors with at least one dimension, got {}",
                            other.type_name()
                        )))
                    }
                }
            }
            let Some(first) = ts.first() else {
                return Err(PyErr::unsupported("TensorDataset() without tensors"));
            };
            let n = first.t.shape()[0];
            if ts.iter().any(|t| t.t.shape()[0] != n) {
                return Err(PyErr::new(
                    "AssertionError",
                    "Size mismatch between tensors",
                ));
            }
            Ok(Value::Dataset(Rc::new(DatasetObj::Tensors(ts))))
        }
        ("data", "DataLoader") => loader(args),
        _ => Err(PyErr::unsupported(format!("{ns}.{name}"))),
    }
}

fn float_list(v: &Value, what: &str) -> PyResult<Vec<f32>> {
    match v {
        Value::List(_) | Value::Tuple(_) => super::builtins::iter_values(v)?
            .map(|x| to_float(&x, what).map(|f| f as f32))
            .collect(),
        other => Ok(vec![to_float(other, what)? as f32]),
    }
}

fn vision_dataset(interp: &mut Interp, class: &'static str, args: Args) -> PyResult<Value> {
    let func = format!("{class}.__init__");
    args.check_kw(
        &func,
        &["root", "train", "transform", "target_transform", "download"],
    )?;
    let root = match args.req(0, "root", &func)? {
        Value::Str(s) => s.to_string(),
        other => super::repr::py_str(other),
    };
    let train = args.bool_or(1, "train", true)?;
    let transform = match args.get(2, "transform") {
        None | Some(Value::None) => None,
        Some(Value::Transform(t)) => Some(t.clone()),
        Some(other) => {
            return Err(PyErr::unsupported(format!(
                "a transform that is a {} (use torchvision.transforms)",
                other.type_name()
            )))
        }
    };
    if !matches!(args.get(3, "target_transform"), None | Some(Value::None)) {
        return Err(PyErr::unsupported("target_transform"));
    }
    let stem = if class == "CIFAR10" {
        "cifar10"
    } else {
        "mnist"
    };
    let file = format!("{stem}-{}", if train { "train" } else { "test" });
    let data = interp.datasets.get(&file).cloned().ok_or_else(|| {
        PyErr::runtime(format!(
            "dataset file {file}.nnbd is not loaded (nnbook fetches it before running a cell that mentions {class}; natively, call Notebook::load_datasets_from)"
        ))
    })?;
    Ok(Value::Dataset(Rc::new(DatasetObj::Vision {
        class,
        data,
        root,
        train,
        transform,
    })))
}

fn loader(args: Args) -> PyResult<Value> {
    args.check_kw(
        "DataLoader.__init__",
        &[
            "dataset",
            "batch_size",
            "shuffle",
            "num_workers",
            "drop_last",
            "pin_memory",
        ],
    )?;
    let dataset = match args.req(0, "dataset", "DataLoader.__init__")? {
        Value::Dataset(d) => d.clone(),
        other => {
            return Err(PyErr::unsupported(format!(
                "a DataLoader over a {} (use a torchvision dataset or TensorDataset)",
                other.type_name()
            )))
        }
    };
    let bs = match args.get(1, "batch_size") {
        None => 1,
        Some(Value::None) => return Err(PyErr::unsupported("batch_size=None")),
        Some(v) => to_int(v, "batch_size")?,
    };
    if bs <= 0 {
        return Err(PyErr::value_error(format!(
            "batch_size should be a positive integer value, but got batch_size={bs}"
        )));
    }
    let shuffle = args.bool_or(2, "shuffle", false)?;
    let workers = args.int_or(5, "num_workers", 0)?;
    if workers < 0 {
        return Err(PyErr::value_error(
            "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.",
        ));
    }
    Ok(Value::Loader(Rc::new(LoaderObj {
        dataset,
        batch_size: bs as usize,
        shuffle,
        drop_last: args.bool_or(8, "drop_last", false)?,
    })))
}

/// `ds.name`.
pub fn dataset_attr(d: &Rc<DatasetObj>, name: &str, obj: &Value) -> PyResult<Value> {
    let DatasetObj::Vision {
        class,
        data,
        root,
        train,
        transform,
    } = d.as_ref()
    else {
        return match (d.as_ref(), name) {
            (DatasetObj::Tensors(ts), "tensors") => Ok(Value::tuple(
                ts.iter().map(|t| Value::Tensor(t.clone())).collect(),
            )),
            _ => Err(no_attr(obj, name)),
        };
    };
    match name {
        "classes" => Ok(Value::list(
            class_names(class, data)
                .into_iter()
                .map(Value::str)
                .collect(),
        )),
        "class_to_idx" => Ok(Value::Dict(Rc::new(std::cell::RefCell::new(
            class_names(class, data)
                .into_iter()
                .enumerate()
                .map(|(i, n)| (Value::str(n), Value::Int(i as i64)))
                .collect(),
        )))),
        "targets" => {
            let labels: Vec<i64> = data.labels.iter().map(|&l| l as i64).collect();
            if *class == "MNIST" {
                let t =
                    Tensor::from_vec(&[labels.len()], labels.iter().map(|&l| l as f32).collect())?;
                Ok(Value::tensor_of(t, DType::Int64))
            } else {
                Ok(Value::list(labels.into_iter().map(Value::Int).collect()))
            }
        }
        "root" => Ok(Value::str(root.as_str())),
        "train" => Ok(Value::Bool(*train)),
        "transform" => Ok(match transform {
            Some(t) => Value::Transform(t.clone()),
            None => Value::None,
        }),
        _ => Err(no_attr(obj, name)),
    }
}

/// torchvision's class names (MNIST's are `"0 - zero"`, …; the NNBD file stores the digits).
fn class_names(class: &str, data: &Dataset) -> Vec<String> {
    if class == "MNIST" {
        const WORDS: [&str; 10] = [
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        ];
        return WORDS
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{i} - {w}"))
            .collect();
    }
    data.class_names.clone()
}

/// `ds[i]` (negative `i` counts from the end).
pub fn dataset_item(d: &DatasetObj, idx: &Value) -> PyResult<Value> {
    let i = match idx {
        Value::Int(_) | Value::Bool(_) => to_int(idx, "index")?,
        other => {
            return Err(PyErr::unsupported(format!(
                "indexing a dataset with {} (only ints)",
                other.type_name()
            )))
        }
    };
    let n = d.len() as i64;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        return Err(PyErr::index_error(format!(
            "index {i} is out of bounds for axis 0 with size {n}"
        )));
    }
    d.item_at(j as usize)
}

/// `for x in ds` (Python's old iteration protocol: `ds[0]`, `ds[1]`, … until `IndexError`).
pub fn dataset_iter(d: &Rc<DatasetObj>) -> PyResult<Box<dyn Iterator<Item = Value>>> {
    if let DatasetObj::Vision {
        transform: None, ..
    } = d.as_ref()
    {
        return Err(no_pil());
    }
    let d = d.clone();
    Ok(Box::new(
        (0..d.len()).filter_map(move |i| d.item_at(i).ok()),
    ))
}

/// `iter(loader)`: draws the iterator's base seed now (as PyTorch does), the shuffle order at
/// the first batch.
pub fn loader_iter(l: &Rc<LoaderObj>) -> PyResult<Box<dyn Iterator<Item = Value>>> {
    if let DatasetObj::Vision {
        transform: None, ..
    } = l.dataset.as_ref()
    {
        return Err(no_pil());
    }
    with_global(|g| g.next_u64());
    Ok(Box::new(LoaderIter {
        loader: l.clone(),
        order: None,
        pos: 0,
    }))
}

struct LoaderIter {
    loader: Rc<LoaderObj>,
    order: Option<Vec<usize>>,
    pos: usize,
}

impl Iterator for LoaderIter {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        let l = &self.loader;
        let n = l.dataset.len();
        let order = self.order.get_or_insert_with(|| {
            let mut order: Vec<usize> = (0..n).collect();
            if l.shuffle {
                // RandomSampler: seed = int64 random_() (a 64-bit draw mod 2^63).
                let seed = with_global(|g| g.next_u64()) & (u64::MAX >> 1);
                Rng::new(seed).shuffle(&mut order);
            }
            order
        });
        let left = order.len() - self.pos;
        if left == 0 || (l.drop_last && left < l.batch_size) {
            return None;
        }
        let take = left.min(l.batch_size);
        let idx = order[self.pos..self.pos + take].to_vec();
        self.pos += take;
        collate(&l.dataset, &idx).ok()
    }
}

/// `default_collate` of `ds[i] for i in idx`: a list of stacked tensors.
fn collate(d: &DatasetObj, idx: &[usize]) -> PyResult<Value> {
    match d {
        DatasetObj::Vision {
            data, transform, ..
        } => {
            let [c, h, w] = data.dims();
            let mut px = Vec::with_capacity(idx.len() * c * h * w);
            let mut labels = Vec::with_capacity(idx.len());
            for &i in idx {
                px.extend_from_slice(image_tensor(data, transform.as_deref(), i)?.data());
                labels.push(data.labels[i] as f32);
            }
            let imgs = Tensor::from_vec(&[idx.len(), c, h, w], px)?;
            let labels = Tensor::from_vec(&[idx.len()], labels)?;
            Ok(Value::list(vec![
                Value::tensor(imgs),
                Value::tensor_of(labels, DType::Int64),
            ]))
        }
        DatasetObj::Tensors(ts) => {
            let mut out = Vec::new();
            for t in ts {
                let inner: usize = t.t.shape()[1..].iter().product();
                let mut v = Vec::with_capacity(idx.len() * inner);
                for &i in idx {
                    v.extend_from_slice(&t.t.data()[i * inner..(i + 1) * inner]);
                }
                let mut shape = vec![idx.len()];
                shape.extend_from_slice(&t.t.shape()[1..]);
                out.push(Value::tensor_of(Tensor::from_vec(&shape, v)?, t.dtype));
            }
            Ok(Value::list(out))
        }
    }
}

/// `loader.name`.
pub fn loader_attr(l: &Rc<LoaderObj>, name: &str, obj: &Value) -> PyResult<Value> {
    match name {
        "dataset" => Ok(Value::Dataset(l.dataset.clone())),
        "batch_size" => Ok(Value::Int(l.batch_size as i64)),
        "drop_last" => Ok(Value::Bool(l.drop_last)),
        _ => Err(no_attr(obj, name)),
    }
}

/// `transform(x)` on a tensor (`Normalize`, or a `Compose` of them).
pub fn call_transform(t: &Transform, args: Args) -> PyResult<Value> {
    let x = match args.pos.first() {
        Some(Value::Tensor(x)) if args.pos.len() == 1 => x.clone(),
        Some(other) => {
            return Err(PyErr::type_error(format!(
                "pic should be PIL Image or ndarray. Got <class '{}'>",
                other.type_name()
            )))
        }
        None => {
            return Err(PyErr::type_error(format!(
                "{}.__call__() missing 1 required positional argument",
                t.class_name()
            )))
        }
    };
    let dims = [0, 0, 0];
    match apply(t, Img::Tensor(x.t.clone()), dims)? {
        Img::Tensor(y) => Ok(Value::tensor(y)),
        Img::Pil(_) => Err(no_pil()),
    }
}

/// `IterObj` for `iter(x)`.
pub fn iter_value(v: &Value) -> PyResult<Value> {
    match v {
        Value::Iter(_) => Ok(v.clone()),
        Value::Loader(_) => Ok(IterObj::value(
            "_SingleProcessDataLoaderIter",
            super::builtins::iter_values(v)?,
        )),
        other => Ok(IterObj::value(
            iter_kind(other),
            super::builtins::iter_values(other)?,
        )),
    }
}

fn iter_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "list_iterator",
        Value::Tuple(_) => "tuple_iterator",
        Value::Range(..) => "range_iterator",
        Value::Str(_) => "str_ascii_iterator",
        _ => "iterator",
    }
}
