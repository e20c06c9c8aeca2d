//! `nn.Sequential`: children run in order; backward runs their backwards in reverse.
//!
//! Names follow PyTorch: child `i`'s parameter `weight` is `"i.weight"` (children without
//! parameters keep their index, so the CIFAR model has `0.weight`, `2.weight`, … `8.bias`),
//! and `print(net)` ([`fmt::Display`]) gives PyTorch's text:
//!
//! ```text
//! Sequential(
//!   (0): Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
//!   (1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
//!   (2): Sequential(
//!     (0): Linear(in_features=2, out_features=2, bias=True)
//!   )
//! )
//! ```
//!
//! Errors from a child (forward, backward, [`Module::output_shape`]) keep PyTorch's text and
//! are wrapped in [`Error::InLayer`] carrying the child's index and one-line repr: `Display`
//! prints exactly what PyTorch prints, [`Error::layer_path`] says which layer it was.

use crate::error::{Error, Result};
use crate::nn::{Module, Param};
use crate::tensor::Tensor;
use std::fmt;

/// An ordered container of modules, as `torch.nn.Sequential`.
#[derive(Debug, Default)]
pub struct Sequential {
    layers: Vec<Box<dyn Module>>,
}

/// One row of a shape trace ([`Sequential::shape_trace`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LayerShape {
    /// The child's index (its state_dict prefix).
    pub index: usize,
    /// The child's repr at depth 0 (multi-line for a nested container).
    pub repr: String,
    /// The child's output shape for the traced input.
    pub output_shape: Vec<usize>,
    /// The child's number of learnable scalars.
    pub num_params: usize,
    /// The child's multiply-adds for its input shape.
    pub mult_adds: u64,
}

/// Wraps a child's error with its index and one-line repr.
fn in_layer(index: usize, layer: &dyn Module, source: Error) -> Error {
    let repr = layer.repr(0);
    let first_line = repr.lines().next().unwrap_or("").to_string();
    Error::InLayer {
        index,
        layer: first_line,
        source: Box::new(source),
    }
}

impl Sequential {
    /// `nn.Sequential(*layers)`.
    pub fn new(layers: Vec<Box<dyn Module>>) -> Sequential {
        Sequential { layers }
    }

    /// `net.append(layer)`: adds a child with the next index.
    pub fn push(&mut self, layer: Box<dyn Module>) {
        self.layers.push(layer);
    }

    /// `len(net)`.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// `len(net) == 0`.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The children in order (`net[i]`).
    pub fn layers(&self) -> &[Box<dyn Module>] {
        &self.layers
    }

    /// The children in order, mutable.
    pub fn layers_mut(&mut self) -> &mut [Box<dyn Module>] {
        &mut self.layers
    }

    /// Each child's output shape, parameter count and multiply-adds for an input of shape
    /// `input` (e.g. `[64, 3, 32, 32]`), without computing anything.
    ///
    /// # Errors
    /// The first child whose input shape does not fit, as [`Error::InLayer`] around PyTorch's
    /// error for that layer.
    pub fn shape_trace(&self, input: &[usize]) -> Result<Vec<LayerShape>> {
        let mut shape = input.to_vec();
        let mut rows = Vec::with_capacity(self.layers.len());
        for (index, layer) in self.layers.iter().enumerate() {
            let out = layer
                .output_shape(&shape)
                .map_err(|e| in_layer(index, layer.as_ref(), e))?;
            rows.push(LayerShape {
                index,
                repr: layer.repr(0),
                output_shape: out.clone(),
                num_params: layer.num_parameters(),
                mult_adds: layer.mult_adds(&shape),
            });
            shape = out;
        }
        Ok(rows)
    }
}

impl Module for Sequential {
    /// Runs the children in order on `x`.
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let mut y: Option<Tensor> = None;
        for (index, layer) in self.layers.iter_mut().enumerate() {
            let out = layer.forward(y.as_ref().unwrap_or(x));
            y = match out {
                Ok(y) => Some(y),
                Err(e) => return Err(in_layer(index, layer.as_ref(), e)),
            };
        }
        Ok(y.unwrap_or_else(|| x.clone()))
    }

    /// Runs the children's `infer` in order (nothing cached for backward).
    fn infer(&mut self, x: &Tensor) -> Result<Tensor> {
        let mut y = x.clone();
        for (index, layer) in self.layers.iter_mut().enumerate() {
            y = match layer.infer(&y) {
                Ok(y) => y,
                Err(e) => return Err(in_layer(index, layer.as_ref(), e)),
            };
        }
        Ok(y)
    }

    /// The children's `infer_shared` in order; `None` if a child does not support it.
    fn infer_shared(&self, x: &Tensor) -> Option<Result<Tensor>> {
        let mut y: Option<Tensor> = None;
        for (index, layer) in self.layers.iter().enumerate() {
            let input = y.as_ref().unwrap_or(x);
            match layer.infer_shared(input)? {
                Ok(out) => y = Some(out),
                Err(e) => return Some(Err(in_layer(index, layer.as_ref(), e))),
            }
        }
        Some(Ok(y.unwrap_or_else(|| x.clone())))
    }

    fn prepare_infer(&mut self) -> Result<()> {
        self.layers.iter_mut().try_for_each(|l| l.prepare_infer())
    }

    /// Runs the children's backwards in reverse order.
    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let mut g: Option<Tensor> = None;
        for (index, layer) in self.layers.iter_mut().enumerate().rev() {
            let out = layer.backward(g.as_ref().unwrap_or(grad_y));
            g = match out {
                Ok(g) => Some(g),
                Err(e) => return Err(in_layer(index, layer.as_ref(), e)),
            };
        }
        Ok(g.unwrap_or_else(|| grad_y.clone()))
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            for (name, p) in layer.named_parameters() {
                out.push((format!("{i}.{name}"), p));
            }
        }
        out
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            for (name, p) in layer.named_parameters_mut() {
                out.push((format!("{i}.{name}"), p));
            }
        }
        out
    }

    /// Children's parameters as `"{i}.{name}"`, built in `prefix` (no allocation once it is
    /// long enough).
    fn visit_parameters_mut(&mut self, prefix: &mut String, f: &mut dyn FnMut(&str, &mut Param)) {
        use std::fmt::Write;
        let len = prefix.len();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            let _ = write!(prefix, "{i}.");
            layer.visit_parameters_mut(prefix, f);
            prefix.truncate(len);
        }
    }

    /// Each child's `zero_grad` (no allocation).
    fn zero_grad(&mut self) {
        self.layers.iter_mut().for_each(|l| l.zero_grad());
    }

    fn named_buffers(&self) -> Vec<(String, &Tensor)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            for (name, b) in layer.named_buffers() {
                out.push((format!("{i}.{name}"), b));
            }
        }
        out
    }

    fn named_buffers_mut(&mut self) -> Vec<(String, &mut Tensor)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            for (name, b) in layer.named_buffers_mut() {
                out.push((format!("{i}.{name}"), b));
            }
        }
        out
    }

    fn set_training(&mut self, training: bool) {
        self.layers
            .iter_mut()
            .for_each(|l| l.set_training(training));
    }

    /// `Sequential()` when empty, else one `(i): child` line per child, indented two spaces per
    /// nesting level, and `)` at this module's own indentation.
    fn repr(&self, indent: usize) -> String {
        if self.layers.is_empty() {
            return "Sequential()".to_string();
        }
        let pad = "  ".repeat(indent + 1);
        let mut s = String::from("Sequential(\n");
        for (i, layer) in self.layers.iter().enumerate() {
            s.push_str(&format!("{pad}({i}): {}\n", layer.repr(indent + 1)));
        }
        s.push_str(&"  ".repeat(indent));
        s.push(')');
        s
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let mut shape = input.to_vec();
        for (index, layer) in self.layers.iter().enumerate() {
            shape = layer
                .output_shape(&shape)
                .map_err(|e| in_layer(index, layer.as_ref(), e))?;
        }
        Ok(shape)
    }

    /// Sum of the children's multiply-adds along the shape chain (0 if the shapes do not fit).
    fn mult_adds(&self, input: &[usize]) -> u64 {
        let mut shape = input.to_vec();
        let mut total = 0u64;
        for layer in &self.layers {
            total = total.saturating_add(layer.mult_adds(&shape));
            match layer.output_shape(&shape) {
                Ok(s) => shape = s,
                Err(_) => return 0,
            }
        }
        total
    }
}

/// `print(net)`: the same text as [`Module::repr`] at depth 0.
impl fmt::Display for Sequential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr(0))
    }
}
