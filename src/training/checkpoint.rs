//! Checkpoints of a [`TrainRun`]: the model's state_dict, the optimizer's state and the
//! progress, as one `.safetensors` file (so any safetensors reader can open it).
//!
//! Tensors: `model.<state_dict name>` (e.g. `model.0.weight`); for SGD with momentum
//! `optim.<name>.momentum_buffer`; for Adam `optim.<name>.exp_avg`, `optim.<name>.exp_avg_sq`
//! (and `optim.<name>.max_exp_avg_sq` with amsgrad). `__metadata__`: `nnbook_checkpoint`
//! (`"1"`), `config` (the [`RunConfig`] as JSON) and `progress` (JSON: step, epoch, batch,
//! the running epoch loss, the epoch history and Adam's step counts).

use super::{EpochRecord, RunConfig, TrainRun};
use crate::error::{Error, PyKind, Result};
use crate::nn::safetensors::{read_safetensors, write_safetensors};
use crate::nn::{load_state_dict, state_dict, Module};
use crate::optim::AdamState;
use crate::tensor::Tensor;
use crate::train::Optimizer;
use std::collections::{BTreeMap, HashMap};

/// The format version written in `nnbook_checkpoint`.
pub const CHECKPOINT_VERSION: &str = "1";

#[derive(serde::Serialize, serde::Deserialize)]
struct Progress {
    step: u64,
    epoch: u64,
    batch: usize,
    epoch_loss_sum: f64,
    epoch_loss_count: usize,
    history: Vec<EpochRecord>,
    adam_steps: BTreeMap<String, u64>,
}

fn bad(message: impl Into<String>) -> Error {
    Error::msg("load_checkpoint", PyKind::NnbookError, message)
}

impl TrainRun {
    /// The whole run (model, optimizer, progress, config) as `.safetensors` bytes.
    pub fn export_state(&self) -> Vec<u8> {
        let mut tensors: Vec<(String, Tensor)> = state_dict(&self.trainer.model)
            .into_iter()
            .map(|(k, t)| (format!("model.{k}"), t))
            .collect();
        let mut adam_steps = BTreeMap::new();
        let params = self.trainer.model.named_parameters();
        for (name, p) in &params {
            let shape = p.value.shape();
            let mut push = |suffix: &str, v: &[f32]| {
                if let Ok(t) = Tensor::from_vec(shape, v.to_vec()) {
                    tensors.push((format!("optim.{name}.{suffix}"), t));
                }
            };
            match &self.trainer.optimizer {
                Optimizer::Sgd(o) => {
                    if let Some(b) = o.momentum_buffer(name) {
                        push("momentum_buffer", b);
                    }
                }
                Optimizer::Adam(o) => {
                    if let Some(s) = o.state(name) {
                        push("exp_avg", &s.exp_avg);
                        push("exp_avg_sq", &s.exp_avg_sq);
                        if !s.max_exp_avg_sq.is_empty() {
                            push("max_exp_avg_sq", &s.max_exp_avg_sq);
                        }
                        adam_steps.insert(name.clone(), s.step);
                    }
                }
            }
        }
        let progress = Progress {
            step: self.step,
            epoch: self.cursor.epoch(),
            batch: self.cursor.batch_index(),
            epoch_loss_sum: self.epoch_loss.0,
            epoch_loss_count: self.epoch_loss.1,
            history: self.history.clone(),
            adam_steps,
        };
        let metadata = vec![
            (
                "nnbook_checkpoint".to_string(),
                CHECKPOINT_VERSION.to_string(),
            ),
            (
                "config".to_string(),
                serde_json::to_string(&self.config).unwrap_or_default(),
            ),
            (
                "progress".to_string(),
                serde_json::to_string(&progress).unwrap_or_default(),
            ),
        ];
        write_safetensors(&tensors, &metadata)
    }

    /// Restores a run from [`TrainRun::export_state`] bytes, keeping the loaded data. On any
    /// error the run is left exactly as it was.
    ///
    /// # Errors
    /// An `NnbookError` (op `"load_checkpoint"`) for a file that is not an nnbook checkpoint
    /// or whose config/progress do not parse; the `.safetensors` reader's errors; PyTorch's
    /// `load_state_dict` texts when the weights do not fit the configured model.
    pub fn import_state(&mut self, bytes: &[u8], file: &str) -> Result<()> {
        let st = read_safetensors(bytes, file)?;
        let meta: HashMap<&str, &str> = st
            .metadata
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if meta.get("nnbook_checkpoint") != Some(&CHECKPOINT_VERSION) {
            return Err(bad(format!(
                "{file}: not an nnbook checkpoint (use import weights for a .safetensors state_dict)"
            )));
        }
        let config: RunConfig = serde_json::from_str(meta.get("config").copied().unwrap_or(""))
            .map_err(|e| bad(format!("{file}: bad config ({e})")))?;
        let progress: Progress = serde_json::from_str(meta.get("progress").copied().unwrap_or(""))
            .map_err(|e| bad(format!("{file}: bad progress ({e})")))?;
        let mut fresh = TrainRun::new(config)?;
        let mut model_sd = Vec::new();
        let mut optim: HashMap<String, HashMap<String, Vec<f32>>> = HashMap::new();
        for (k, t) in st.tensors {
            if let Some(name) = k.strip_prefix("model.") {
                model_sd.push((name.to_string(), t));
            } else if let Some(rest) = k.strip_prefix("optim.") {
                let (param, slot) = rest
                    .rsplit_once('.')
                    .ok_or_else(|| bad(format!("{file}: unexpected tensor '{k}'")))?;
                optim
                    .entry(param.to_string())
                    .or_default()
                    .insert(slot.to_string(), t.into_vec());
            } else {
                return Err(bad(format!("{file}: unexpected tensor '{k}'")));
            }
        }
        load_state_dict(&mut fresh.trainer.model, &model_sd)?;
        let names: Vec<(String, usize)> = fresh
            .trainer
            .model
            .named_parameters()
            .into_iter()
            .map(|(k, p)| (k, p.value.numel()))
            .collect();
        for (param, slots) in &optim {
            let Some((_, numel)) = names.iter().find(|(k, _)| k == param) else {
                return Err(bad(format!(
                    "{file}: optimizer state for unknown parameter '{param}'"
                )));
            };
            for (slot, v) in slots {
                if v.len() != *numel {
                    return Err(bad(format!(
                        "{file}: optimizer state {param}.{slot} has {} values, the parameter has {numel}",
                        v.len()
                    )));
                }
            }
        }
        for (param, mut slots) in optim {
            match &mut fresh.trainer.optimizer {
                Optimizer::Sgd(o) => {
                    if let Some(b) = slots.remove("momentum_buffer") {
                        o.set_momentum_buffer(&param, b);
                    }
                }
                Optimizer::Adam(o) => o.set_state(
                    &param,
                    AdamState {
                        step: progress.adam_steps.get(&param).copied().unwrap_or(0),
                        exp_avg: slots.remove("exp_avg").unwrap_or_default(),
                        exp_avg_sq: slots.remove("exp_avg_sq").unwrap_or_default(),
                        max_exp_avg_sq: slots.remove("max_exp_avg_sq").unwrap_or_default(),
                    },
                ),
            }
        }
        fresh.train = self.train.take();
        fresh.test = self.test.take();
        fresh.step = progress.step;
        fresh.epoch_loss = (progress.epoch_loss_sum, progress.epoch_loss_count);
        fresh.history = progress.history;
        fresh.restart_cursor(progress.epoch, progress.batch);
        *self = fresh;
        Ok(())
    }

    /// The model's weights as a PyTorch-loadable `.safetensors` state_dict
    /// (`model.load_state_dict(safetensors.torch.load_file(path))`).
    pub fn export_weights(&self) -> Vec<u8> {
        crate::nn::safetensors::save_safetensors(
            &self.trainer.model,
            &[("format".to_string(), "pt".to_string())],
        )
    }

    /// Loads a `.safetensors` state_dict into the model (optimizer state and progress are
    /// kept). The model is untouched on any error.
    ///
    /// # Errors
    /// Those of [`crate::nn::safetensors::load_safetensors`].
    pub fn import_weights(&mut self, bytes: &[u8], file: &str) -> Result<()> {
        crate::nn::safetensors::load_safetensors(&mut self.trainer.model, bytes, file)
    }
}
