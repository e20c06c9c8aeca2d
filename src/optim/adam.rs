//! `torch.optim.Adam`, with PyTorch's default (single-tensor, CPU) update. For parameter `p`
//! with gradient `g`, at step `t = 1, 2, …` (f32 tensors, hyper-parameters rounded to f32
//! where they multiply a tensor, bias corrections in f64 as Python computes them):
//!
//! ```text
//! g   = g + weight_decay * p                       (if weight_decay != 0; L2, not AdamW)
//! m   = lerp(m, g, 1 - beta1)                      (= beta1*m + (1-beta1)*g)
//! v   = beta2 * v + (1 - beta2) * g * g
//! bc1 = 1 - beta1**t,  bc2 = 1 - beta2**t,  step_size = lr / bc1
//! vmax = max(vmax, v); use vmax for v below       (if amsgrad)
//! denom = sqrt(v) / sqrt(bc2) + eps
//! p   = p - step_size * m / denom
//! ```
//!
//! State is kept per parameter name (see [`AdamState`]); every parameter given is stepped.

use super::common::{check_grads, check_state_len, check_step};
use super::pyfmt::py_float_repr;
use crate::error::{Error, Result};
use crate::nn::{Module, Param};
use std::collections::HashMap;

/// Hyper-parameters of [`Adam`], PyTorch's names and defaults
/// (`lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AdamConfig {
    pub lr: f64,
    pub betas: (f64, f64),
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
        }
    }
}

impl AdamConfig {
    /// PyTorch's constructor checks, in its order, with its `ValueError` texts
    /// (`not 0.0 <= x` also refuses NaN).
    fn validate(&self) -> Result<()> {
        let bad = |what: &str, x: f64| {
            Err(Error::value(
                "Adam",
                format!("{what}: {}", py_float_repr(x)),
            ))
        };
        let (b0, b1) = self.betas;
        if !(0.0..).contains(&self.lr) {
            return bad("Invalid learning rate", self.lr);
        }
        if !(0.0..).contains(&self.eps) {
            return bad("Invalid epsilon value", self.eps);
        }
        if !(0.0..1.0).contains(&b0) {
            return bad("Invalid beta parameter at index 0", b0);
        }
        if !(0.0..1.0).contains(&b1) {
            return bad("Invalid beta parameter at index 1", b1);
        }
        if !(0.0..).contains(&self.weight_decay) {
            return bad("Invalid weight_decay value", self.weight_decay);
        }
        Ok(())
    }
}

/// Per-parameter state, as `optimizer.state[p]`: tensors flat in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamState {
    /// Steps taken (`state["step"]`).
    pub step: u64,
    /// First moment `m` (`exp_avg`).
    pub exp_avg: Vec<f32>,
    /// Second moment `v` (`exp_avg_sq`).
    pub exp_avg_sq: Vec<f32>,
    /// Running maximum of `v` (`max_exp_avg_sq`); empty unless `amsgrad`.
    pub max_exp_avg_sq: Vec<f32>,
}

/// Adam, as `torch.optim.Adam`.
#[derive(Clone, Debug)]
pub struct Adam {
    config: AdamConfig,
    state: HashMap<String, AdamState>,
    /// Reused buffer for parameter names in [`Adam::step_module`].
    names: String,
}

/// `torch.lerp(a, b, w)` for one element, with ATen's two-sided formula.
fn lerp(a: f32, b: f32, w: f32) -> f32 {
    if w.abs() < 0.5 {
        a + w * (b - a)
    } else {
        b - (b - a) * (1.0 - w)
    }
}

impl Adam {
    /// `torch.optim.Adam(params, lr, betas, eps, weight_decay, amsgrad)`.
    ///
    /// # Errors
    /// `ValueError` (op `"Adam"`) with PyTorch's text: `Invalid learning rate: -0.1`,
    /// `Invalid epsilon value: …`, `Invalid beta parameter at index 0: …` (and 1),
    /// `Invalid weight_decay value: …`.
    pub fn new(config: AdamConfig) -> Result<Adam> {
        config.validate()?;
        Ok(Adam {
            config,
            state: HashMap::new(),
            names: String::new(),
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &AdamConfig {
        &self.config
    }

    /// Changes the learning rate (`param_group["lr"] = lr`), keeping the state.
    ///
    /// # Errors
    /// `Invalid learning rate: …` when `lr` is negative or NaN.
    pub fn set_lr(&mut self, lr: f64) -> Result<()> {
        let config = AdamConfig { lr, ..self.config };
        config.validate()?;
        self.config = config;
        Ok(())
    }

    /// The state of parameter `name`; `None` before its first step.
    pub fn state(&self, name: &str) -> Option<&AdamState> {
        self.state.get(name)
    }

    /// Sets the state of parameter `name` (restoring a checkpoint); the next step checks its
    /// length against the parameter.
    pub fn set_state(&mut self, name: &str, state: AdamState) {
        self.state.insert(name.to_string(), state);
    }

    /// `optimizer.step()` on `params` (name, parameter), using each `Param::grad`.
    ///
    /// # Errors
    /// When a gradient's shape differs from its parameter's, or a parameter's size differs
    /// from the state kept under its name; nothing is updated then.
    pub fn step(&mut self, params: &mut [(String, &mut Param)]) -> Result<()> {
        check_grads("Adam", params)?;
        for (name, p) in params.iter() {
            check_state_len("Adam", name, p, self.state.get(name).map(|s| &s.exp_avg))?;
        }
        for (name, p) in params.iter_mut() {
            self.update(name, p);
        }
        Ok(())
    }

    /// [`Adam::step`] over `model`'s parameters (named as [`Module::named_parameters`]); once
    /// every parameter has its state this allocates nothing.
    ///
    /// # Errors
    /// As [`Adam::step`]; nothing is updated then.
    pub fn step_module(&mut self, model: &mut dyn Module) -> Result<()> {
        let mut names = std::mem::take(&mut self.names);
        let state = &self.state;
        let result = check_step("Adam", model, &mut names, |name| {
            state.get(name).map(|s| &s.exp_avg)
        });
        if result.is_ok() {
            model.visit_parameters_mut(&mut names, &mut |name, p| self.update(name, p));
        }
        self.names = names;
        result
    }

    /// The update of one (checked) parameter (see the module docs).
    fn update(&mut self, name: &str, p: &mut Param) {
        let c = self.config;
        let (beta1, beta2) = c.betas;
        let wd = c.weight_decay as f32;
        let w1 = (1.0 - beta1) as f32;
        let (b2, one_minus_b2) = (beta2 as f32, (1.0 - beta2) as f32);
        let eps = c.eps as f32;
        let n = p.value.numel();
        if !self.state.contains_key(name) {
            let fresh = AdamState {
                step: 0,
                exp_avg: vec![0.0; n],
                exp_avg_sq: vec![0.0; n],
                max_exp_avg_sq: if c.amsgrad { vec![0.0; n] } else { Vec::new() },
            };
            self.state.insert(name.to_string(), fresh);
        }
        let Some(st) = self.state.get_mut(name) else {
            return;
        };
        if c.amsgrad && st.max_exp_avg_sq.len() != n {
            st.max_exp_avg_sq = vec![0.0; n];
        }
        st.step += 1;
        let t = st.step as f64;
        let bc1 = 1.0 - beta1.powf(t);
        let bc2 = 1.0 - beta2.powf(t);
        let neg_step_size = (-(c.lr / bc1)) as f32;
        let bc2_sqrt = bc2.sqrt() as f32;
        let grad = p.grad.data();
        let value = p.value.data_mut();
        for i in 0..n {
            let mut g = grad[i];
            if c.weight_decay != 0.0 {
                g += wd * value[i];
            }
            let m = lerp(st.exp_avg[i], g, w1);
            st.exp_avg[i] = m;
            let v = st.exp_avg_sq[i] * b2 + one_minus_b2 * g * g;
            st.exp_avg_sq[i] = v;
            let v = if c.amsgrad {
                // torch.maximum propagates NaN; f32::max would drop it.
                let old = st.max_exp_avg_sq[i];
                let vmax = if v.is_nan() || v > old { v } else { old };
                st.max_exp_avg_sq[i] = vmax;
                vmax
            } else {
                v
            };
            let denom = v.sqrt() / bc2_sqrt + eps;
            value[i] += neg_step_size * m / denom;
        }
    }
}
