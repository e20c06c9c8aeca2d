//! One training step and evaluation, shared by the browser worker and the native CLI so both
//! train the same model the same way: `zero_grad; loss = cross_entropy(model(x), y); backward;
//! step` with mean reduction.

use crate::error::{Error, Result};
use crate::nn::{Module, Sequential};
use crate::ops::{cross_entropy_backward, cross_entropy_forward, Reduction};
use crate::optim::{Adam, AdamConfig, Sgd, SgdConfig};
use crate::tensor::Tensor;

/// PyTorch's default `ignore_index` for `cross_entropy`.
pub const IGNORE_INDEX: i64 = -100;

/// Either optimizer, stepped over a model's named parameters.
#[derive(Debug)]
pub enum Optimizer {
    Sgd(Sgd),
    Adam(Adam),
}

impl Optimizer {
    /// `torch.optim.SGD(params, **config)`.
    pub fn sgd(config: SgdConfig) -> Result<Optimizer> {
        Ok(Optimizer::Sgd(Sgd::new(config)?))
    }

    /// `torch.optim.Adam(params, **config)`.
    pub fn adam(config: AdamConfig) -> Result<Optimizer> {
        Ok(Optimizer::Adam(Adam::new(config)?))
    }

    /// `optimizer.step()` over `model`'s parameters (state is kept per state_dict name).
    pub fn step(&mut self, model: &mut dyn Module) -> Result<()> {
        match self {
            Optimizer::Sgd(o) => o.step_module(model),
            Optimizer::Adam(o) => o.step_module(model),
        }
    }

    /// Changes the learning rate (for schedules and the page's control).
    pub fn set_lr(&mut self, lr: f64) -> Result<()> {
        match self {
            Optimizer::Sgd(o) => o.set_lr(lr),
            Optimizer::Adam(o) => o.set_lr(lr),
        }
    }
}

/// [`Trainer::predict`] runs inputs below this many multiply-adds on one thread (~1.5 ms on
/// one browser core).
pub const SERIAL_MAX_MULT_ADDS: u64 = 32_000_000;

/// Samples per part when [`Trainer::predict`] cuts a batch over the pool: several parts per
/// thread, so a thread slowed down by other work on its core takes fewer of them (the
/// pool's work stealing) instead of holding the whole batch back.
pub const PREDICT_PART_SAMPLES: usize = 8;

/// A model and its optimizer.
#[derive(Debug)]
pub struct Trainer {
    pub model: Sequential,
    pub optimizer: Optimizer,
}

/// Loss and number of correct predictions over a batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvalResult {
    /// Mean cross-entropy.
    pub loss: f32,
    pub correct: usize,
    pub count: usize,
}

impl Trainer {
    pub fn new(model: Sequential, optimizer: Optimizer) -> Trainer {
        Trainer { model, optimizer }
    }

    /// One training step on `x: [N, ...]` with `labels: [N]`; returns the loss *before* the
    /// step (what PyTorch's `loss.item()` shows in a training loop).
    ///
    /// # Errors
    /// Shape errors from the model (PyTorch's text), a label out of range, a non-finite loss.
    pub fn train_step(&mut self, x: &Tensor, labels: &[i64]) -> Result<f32> {
        self.model.set_training(true);
        self.model.zero_grad();
        let logits = self.model.forward(x)?;
        let loss = cross_entropy_forward(&logits, labels, Reduction::Mean, Some(IGNORE_INDEX))?;
        let loss_value = loss.item()?;
        if !loss_value.is_finite() {
            return Err(Error::runtime(
                "train_step",
                format!(
                    "the loss is {loss_value}: training diverged (try a smaller learning rate)"
                ),
            ));
        }
        let grad_logits = cross_entropy_backward(
            &logits,
            labels,
            Reduction::Mean,
            Some(IGNORE_INDEX),
            &Tensor::scalar(1.0),
        )?;
        self.model.backward(&grad_logits)?;
        self.optimizer.step(&mut self.model)?;
        Ok(loss_value)
    }

    /// Logits `[N, classes]` in eval mode (dropout off, BatchNorm on running statistics), by
    /// [`Module::infer`] (Winograd convolutions: equal to `forward` within float32 rounding).
    ///
    /// Inputs costing under [`SERIAL_MAX_MULT_ADDS`] (one or two CIFAR-10 images) run on the
    /// calling thread only (`parallel::serial`): waking the pool would cost more than it saves,
    /// and a pool thread kept spinning beside the caller to share each layer's loops (tried)
    /// made a batch-1 inference in Chromium 0.43–0.45 ms in most worker sessions but 0.7–1.0 ms
    /// in about one in four, against a steady 0.53 ms on the calling thread.
    /// Larger batches, on a pool, are cut into parts of about [`PREDICT_PART_SAMPLES`]
    /// samples (at least one per thread) that each run the whole model on one thread
    /// ([`Module::infer_shared`]): a few hand-offs to the pool per batch instead of one per
    /// layer.
    pub fn predict(&mut self, x: &Tensor) -> Result<Tensor> {
        self.model.set_training(false);
        let y = self.predict_eval(x);
        self.model.set_training(true);
        y
    }

    fn predict_eval(&mut self, x: &Tensor) -> Result<Tensor> {
        if self.model.mult_adds(x.shape()) < SERIAL_MAX_MULT_ADDS {
            return crate::parallel::serial(|| self.model.infer(x));
        }
        let threads = crate::parallel::current_num_threads();
        let n = x.shape().first().copied().unwrap_or(0);
        // Bad shapes take the plain path, whose errors name the whole batch; so does a model
        // whose output does not keep the batch dimension per part (e.g. `Flatten(0)` then
        // `Linear`), which parts of the batch would change.
        let parts = n.div_ceil(PREDICT_PART_SAMPLES).max(threads);
        if threads > 1
            && x.ndim() >= 2
            && n >= 2 * threads
            && splits_by_batch(&self.model, x.shape(), parts)
        {
            self.model.prepare_infer()?;
            if let Some(y) = infer_in_parts(&self.model, x, parts) {
                return y;
            }
        }
        self.model.infer(x)
    }

    /// Mean loss and accuracy on a batch, in eval mode.
    pub fn evaluate(&mut self, x: &Tensor, labels: &[i64]) -> Result<EvalResult> {
        let logits = self.predict(x)?;
        let loss =
            cross_entropy_forward(&logits, labels, Reduction::Mean, Some(IGNORE_INDEX))?.item()?;
        let classes = logits.shape()[1];
        let correct = logits
            .data()
            .chunks(classes)
            .zip(labels)
            .filter(|(row, &label)| argmax(row) == label as usize)
            .count();
        Ok(EvalResult {
            loss,
            correct,
            count: labels.len(),
        })
    }
}

/// Whether `model` maps `x_shape` `[N, ...]` to `[N, ...]` and each of the `parts` slices
/// `infer_in_parts` would cut to `[part, ...]` (checked on shapes, nothing computed).
fn splits_by_batch(model: &Sequential, x_shape: &[usize], parts: usize) -> bool {
    let n = x_shape[0];
    let per = n.div_ceil(parts);
    let keeps = |rows: usize| {
        let mut s = x_shape.to_vec();
        s[0] = rows;
        matches!(model.output_shape(&s), Ok(y) if y.first() == Some(&rows))
    };
    keeps(n) && keeps(per) && (n.is_multiple_of(per) || keeps(n % per))
}

/// `model.infer_shared` on `parts` contiguous slices of the batch `x` `[N, ...]`, run on the
/// pool, concatenated along dim 0; `None` if the model does not support shared inference.
fn infer_in_parts(model: &Sequential, x: &Tensor, parts: usize) -> Option<Result<Tensor>> {
    let n = x.shape()[0];
    let per = n.div_ceil(parts);
    let row = x.numel() / n;
    let outs = crate::parallel::map_range(n.div_ceil(per), |i| {
        let (lo, hi) = (i * per, ((i + 1) * per).min(n));
        let mut shape = x.shape().to_vec();
        shape[0] = hi - lo;
        let part = match Tensor::from_vec(&shape, x.data()[lo * row..hi * row].to_vec()) {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        };
        crate::parallel::serial(|| model.infer_shared(&part))
    });
    let mut data = Vec::new();
    let mut shape = Vec::new();
    for out in outs {
        let y = match out? {
            Ok(y) => y,
            Err(e) => return Some(Err(e)),
        };
        if shape.is_empty() {
            shape = y.shape().to_vec();
            shape[0] = 0;
        }
        shape[0] += y.shape()[0];
        data.extend_from_slice(y.data());
    }
    Some(Tensor::from_vec(&shape, data))
}

/// Index of the first maximum (PyTorch's `argmax` tie rule).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] || (v.is_nan() && !row[best].is_nan()) {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Linear, Module};

    #[test]
    fn loss_falls_on_a_separable_toy_problem() {
        crate::rng::manual_seed(0);
        let model = Sequential::new(vec![Box::new(Linear::new(2, 2, true)) as Box<dyn Module>]);
        let opt = Optimizer::sgd(SgdConfig {
            lr: 0.5,
            ..SgdConfig::default()
        })
        .unwrap();
        let mut t = Trainer::new(model, opt);
        let x = Tensor::from_vec(&[4, 2], vec![1.0, 0.0, 0.9, 0.1, 0.0, 1.0, 0.1, 0.9]).unwrap();
        let labels = [0, 0, 1, 1];
        let first = t.train_step(&x, &labels).unwrap();
        let mut last = first;
        for _ in 0..50 {
            last = t.train_step(&x, &labels).unwrap();
        }
        assert!(last < first * 0.5, "{first} -> {last}");
        let e = t.evaluate(&x, &labels).unwrap();
        assert_eq!(e.correct, 4);
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
    }
}

/// What the page's controls and the CLI's flags choose (a small serde config).
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// `torch.manual_seed(seed)` before the model is built.
    pub seed: u64,
    /// ReLU after each conv of the CIFAR-10 model.
    pub relu: bool,
    /// `"sgd"` or `"adam"`.
    pub optimizer: String,
    pub lr: f64,
    /// SGD only.
    pub momentum: f64,
    pub weight_decay: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            seed: 0,
            relu: false,
            optimizer: "sgd".into(),
            lr: 0.01,
            momentum: 0.0,
            weight_decay: 0.0,
        }
    }
}

impl TrainConfig {
    /// The optimizer this config names.
    ///
    /// # Errors
    /// `ValueError` for an unknown optimizer name or PyTorch's invalid-hyper-parameter texts.
    pub fn build_optimizer(&self) -> Result<Optimizer> {
        match self.optimizer.as_str() {
            "sgd" => Optimizer::sgd(SgdConfig {
                lr: self.lr,
                momentum: self.momentum,
                weight_decay: self.weight_decay,
                ..SgdConfig::default()
            }),
            "adam" => Optimizer::adam(AdamConfig {
                lr: self.lr,
                weight_decay: self.weight_decay,
                ..AdamConfig::default()
            }),
            other => Err(Error::value(
                "optimizer",
                format!("unknown optimizer '{other}' (expected 'sgd' or 'adam')"),
            )),
        }
    }

    /// Seeds the global generator and builds the CIFAR-10 model and its optimizer.
    pub fn build_cifar10_trainer(&self) -> Result<Trainer> {
        let optimizer = self.build_optimizer()?;
        crate::rng::manual_seed(self.seed);
        Ok(Trainer::new(
            crate::nn::models::cifar10_model(self.relu),
            optimizer,
        ))
    }
}
