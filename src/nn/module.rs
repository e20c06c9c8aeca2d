//! The [`Module`] trait and [`Param`].

use crate::error::Result;
use crate::tensor::Tensor;
use std::fmt;

/// A learnable tensor and its accumulated gradient (same shape).
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub value: Tensor,
    pub grad: Tensor,
}

impl Param {
    /// A parameter holding `value`, with a zero gradient.
    pub fn new(value: Tensor) -> Param {
        let grad = Tensor::zeros(value.shape()).expect("same size as an existing tensor");
        Param { value, grad }
    }

    /// Sets the gradient to zero (`optimizer.zero_grad()` with `set_to_none=False`).
    pub fn zero_grad(&mut self) {
        self.grad.data_mut().iter_mut().for_each(|g| *g = 0.0);
    }
}

/// A layer or a container of layers, as `torch.nn.Module`.
pub trait Module: fmt::Debug + Send + Sync {
    /// `y = module(x)`. Caches what [`Module::backward`] needs.
    ///
    /// # Errors
    /// PyTorch's error (with its text) when `x` has the wrong shape for this module.
    fn forward(&mut self, x: &Tensor) -> Result<Tensor>;

    /// Given `dL/dy` for the last forward, adds parameter gradients into `Param::grad` and
    /// returns `dL/dx`.
    ///
    /// # Errors
    /// When called before `forward`, or with a gradient of the wrong shape.
    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor>;

    /// `y = module(x)` for inference only (call it in eval mode): the same `y` as
    /// [`Module::forward`] within float32 rounding, but layers may use faster algorithms
    /// (Winograd convolution) and need not cache anything for `backward`. By default it is
    /// `forward`.
    ///
    /// # Errors
    /// As [`Module::forward`].
    fn infer(&mut self, x: &Tensor) -> Result<Tensor> {
        self.forward(x)
    }

    /// [`Module::infer`] through a shared reference, so several threads can run disjoint parts
    /// of one batch at once; `None` when this module does not support it (callers then use
    /// `infer`). Call [`Module::prepare_infer`] first so that caches are warm.
    fn infer_shared(&self, _x: &Tensor) -> Option<Result<Tensor>> {
        None
    }

    /// Fills the caches [`Module::infer_shared`] reads (e.g. transformed weights). Nothing by
    /// default.
    ///
    /// # Errors
    /// When a cache cannot be built from the current parameters.
    fn prepare_infer(&mut self) -> Result<()> {
        Ok(())
    }

    /// Direct parameters and children's, with state_dict names relative to this module
    /// (`"weight"`, `"0.bias"`, `"localization.0.weight"`), in PyTorch's registration order.
    /// None by default (pooling, activations, `Flatten`, `Dropout`).
    fn named_parameters(&self) -> Vec<(String, &Param)> {
        Vec::new()
    }

    /// Mutable version of [`Module::named_parameters`], same names and order.
    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        Vec::new()
    }

    /// Calls `f(name, param)` for each parameter, with the names and order of
    /// [`Module::named_parameters_mut`], each name prefixed by `prefix`. `prefix` is the buffer
    /// the names are built in (it is restored on return), so containers and the common layers
    /// (which override this) allocate nothing once it has grown to the longest name; the
    /// default collects [`Module::named_parameters_mut`].
    fn visit_parameters_mut(&mut self, prefix: &mut String, f: &mut dyn FnMut(&str, &mut Param)) {
        let len = prefix.len();
        for (name, p) in self.named_parameters_mut() {
            prefix.push_str(&name);
            f(prefix, p);
            prefix.truncate(len);
        }
    }

    /// Non-learnable state saved in the state_dict (BatchNorm's running statistics), by name.
    fn named_buffers(&self) -> Vec<(String, &Tensor)> {
        Vec::new()
    }

    /// Mutable version of [`Module::named_buffers`].
    fn named_buffers_mut(&mut self) -> Vec<(String, &mut Tensor)> {
        Vec::new()
    }

    /// `module.train(mode)`; `train(false)` is `module.eval()`.
    fn set_training(&mut self, _training: bool) {}

    /// The text PyTorch's `print(module)` shows, at nesting depth `indent` (children are
    /// indented by two spaces per level), e.g. `Linear(in_features=1024, out_features=64, bias=True)`.
    fn repr(&self, indent: usize) -> String;

    /// Output shape for an input shape, without computing (for shape traces and the layer
    /// editor), with PyTorch's error where the shapes do not fit.
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>>;

    /// Multiply-adds of one forward pass for an input of `input` shape (0 where negligible).
    fn mult_adds(&self, _input: &[usize]) -> u64 {
        0
    }

    /// Number of learnable scalars (`sum(p.numel() for p in m.parameters())`).
    fn num_parameters(&self) -> usize {
        self.named_parameters()
            .iter()
            .map(|(_, p)| p.value.numel())
            .sum()
    }

    /// `optimizer.zero_grad()` on every parameter.
    fn zero_grad(&mut self) {
        for (_, p) in self.named_parameters_mut() {
            p.zero_grad();
        }
    }
}

/// `[("weight", w), ("bias", b)?]`: the parameters of a layer with a weight and an optional
/// bias (`Linear`, `Conv2d`), in PyTorch's order.
pub(crate) fn weight_and_bias<'a>(
    weight: &'a Param,
    bias: Option<&'a Param>,
) -> Vec<(String, &'a Param)> {
    let mut v = vec![("weight".to_string(), weight)];
    v.extend(bias.map(|b| ("bias".to_string(), b)));
    v
}

/// [`Module::visit_parameters_mut`] for a layer with a weight and an optional bias.
pub(crate) fn visit_weight_and_bias(
    weight: &mut Param,
    bias: Option<&mut Param>,
    prefix: &mut String,
    f: &mut dyn FnMut(&str, &mut Param),
) {
    let len = prefix.len();
    prefix.push_str("weight");
    f(prefix, weight);
    prefix.truncate(len);
    if let Some(b) = bias {
        prefix.push_str("bias");
        f(prefix, b);
        prefix.truncate(len);
    }
}

/// Mutable version of [`weight_and_bias`].
pub(crate) fn weight_and_bias_mut<'a>(
    weight: &'a mut Param,
    bias: Option<&'a mut Param>,
) -> Vec<(String, &'a mut Param)> {
    let mut v = vec![("weight".to_string(), weight)];
    v.extend(bias.map(|b| ("bias".to_string(), b)));
    v
}
