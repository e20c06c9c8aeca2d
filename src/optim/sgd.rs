//! `torch.optim.SGD`, with PyTorch's (single-tensor, CPU) update for each parameter `p` with
//! gradient `g`, in f32 with the hyper-parameters rounded to f32:
//!
//! ```text
//! g = g + weight_decay * p                    (if weight_decay != 0)
//! if momentum != 0:
//!     buf = g                                 (first step: a copy, no dampening)
//!     buf = momentum * buf + (1 - dampening) * g   (later steps)
//!     g = g + momentum * buf  if nesterov  else  buf
//! p = p - lr * g
//! ```
//!
//! State (the momentum buffer) is kept per parameter name, so the names passed to
//! [`Sgd::step`] must be stable (state_dict names). Every parameter given is stepped: nnbook
//! gradients are never `None`, so a zero gradient still applies weight decay and momentum.

use super::common::{check_grads, check_state_len, check_step};
use super::pyfmt::py_float_repr;
use crate::error::{Error, Result};
use crate::nn::{Module, Param};
use std::collections::HashMap;

/// Hyper-parameters of [`Sgd`], PyTorch's names and defaults (`lr=1e-3`, the rest 0/false).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SgdConfig {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
}

impl Default for SgdConfig {
    fn default() -> Self {
        SgdConfig {
            lr: 1e-3,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
        }
    }
}

impl SgdConfig {
    /// PyTorch's constructor checks, in its order, with its `ValueError` texts.
    fn validate(&self) -> Result<()> {
        if self.lr < 0.0 {
            let msg = format!("Invalid learning rate: {}", py_float_repr(self.lr));
            return Err(Error::value("SGD", msg));
        }
        if self.momentum < 0.0 {
            let msg = format!("Invalid momentum value: {}", py_float_repr(self.momentum));
            return Err(Error::value("SGD", msg));
        }
        if self.weight_decay < 0.0 {
            let msg = format!(
                "Invalid weight_decay value: {}",
                py_float_repr(self.weight_decay)
            );
            return Err(Error::value("SGD", msg));
        }
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(Error::value(
                "SGD",
                "Nesterov momentum requires a momentum and zero dampening",
            ));
        }
        Ok(())
    }
}

/// Stochastic gradient descent with optional momentum, as `torch.optim.SGD`.
#[derive(Clone, Debug)]
pub struct Sgd {
    config: SgdConfig,
    momentum_buffers: HashMap<String, Vec<f32>>,
    /// Reused buffer for parameter names in [`Sgd::step_module`].
    names: String,
}

impl Sgd {
    /// `torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov)`.
    ///
    /// # Errors
    /// `ValueError` (op `"SGD"`) with PyTorch's text: `Invalid learning rate: -0.1`,
    /// `Invalid momentum value: …`, `Invalid weight_decay value: …`,
    /// `Nesterov momentum requires a momentum and zero dampening`.
    pub fn new(config: SgdConfig) -> Result<Sgd> {
        config.validate()?;
        Ok(Sgd {
            config,
            momentum_buffers: HashMap::new(),
            names: String::new(),
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }

    /// Changes the learning rate (`param_group["lr"] = lr`), keeping the state.
    ///
    /// # Errors
    /// `Invalid learning rate: …` when `lr < 0`.
    pub fn set_lr(&mut self, lr: f64) -> Result<()> {
        let config = SgdConfig { lr, ..self.config };
        config.validate()?;
        self.config = config;
        Ok(())
    }

    /// The momentum buffer of parameter `name` (`optimizer.state[p]["momentum_buffer"]`),
    /// flat in row-major order; `None` before its first step or without momentum.
    pub fn momentum_buffer(&self, name: &str) -> Option<&[f32]> {
        self.momentum_buffers.get(name).map(Vec::as_slice)
    }

    /// Sets the momentum buffer of parameter `name` (restoring a checkpoint); the next step
    /// checks its length against the parameter.
    pub fn set_momentum_buffer(&mut self, name: &str, buffer: Vec<f32>) {
        self.momentum_buffers.insert(name.to_string(), buffer);
    }

    /// `optimizer.step()` on `params` (name, parameter), using each `Param::grad`.
    ///
    /// # Errors
    /// When a gradient's shape differs from its parameter's, or a parameter's size differs
    /// from the state kept under its name; nothing is updated then.
    pub fn step(&mut self, params: &mut [(String, &mut Param)]) -> Result<()> {
        check_grads("SGD", params)?;
        for (name, p) in params.iter() {
            check_state_len("SGD", name, p, self.momentum_buffers.get(name))?;
        }
        for (name, p) in params.iter_mut() {
            self.update(name, p);
        }
        Ok(())
    }

    /// [`Sgd::step`] over `model`'s parameters (named as [`Module::named_parameters`]); once
    /// every parameter has its state this allocates nothing.
    ///
    /// # Errors
    /// As [`Sgd::step`]; nothing is updated then.
    pub fn step_module(&mut self, model: &mut dyn Module) -> Result<()> {
        let mut names = std::mem::take(&mut self.names);
        let buffers = &self.momentum_buffers;
        let result = check_step("SGD", model, &mut names, |name| buffers.get(name));
        if result.is_ok() {
            model.visit_parameters_mut(&mut names, &mut |name, p| self.update(name, p));
        }
        self.names = names;
        result
    }

    /// The update of one (checked) parameter, element by element:
    /// `g = grad + wd·w; buf = g | momentum·buf + (1 − dampening)·g;
    /// g = g + momentum·buf | buf; w = w − lr·g`.
    fn update(&mut self, name: &str, p: &mut Param) {
        let c = self.config;
        let (lr, wd, momentum) = (c.lr as f32, c.weight_decay as f32, c.momentum as f32);
        let one_minus_damp = (1.0 - c.dampening) as f32;
        let grad = p.grad.data();
        let value = p.value.data_mut();
        let mut buf: &mut [f32] = &mut [];
        let mut first = false;
        if c.momentum != 0.0 {
            if !self.momentum_buffers.contains_key(name) {
                self.momentum_buffers
                    .insert(name.to_string(), vec![0.0; value.len()]);
                first = true;
            }
            if let Some(b) = self.momentum_buffers.get_mut(name) {
                buf = b.as_mut_slice();
            }
        }
        for (i, (w, &g0)) in value.iter_mut().zip(grad).enumerate() {
            let mut g = g0;
            if c.weight_decay != 0.0 {
                g += wd * *w;
            }
            if c.momentum != 0.0 {
                let b = if first {
                    g
                } else {
                    buf[i] * momentum + one_minus_damp * g
                };
                buf[i] = b;
                g = if c.nesterov { g + momentum * b } else { b };
            }
            *w += -lr * g;
        }
    }
}
