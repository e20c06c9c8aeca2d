//! A resumable CIFAR-10 training run over datasets it owns: what the browser worker drives
//! chunk by chunk (`steps(k)`), with per-epoch summaries, evaluation, and checkpoints.
//!
//! One step is [`crate::train::Trainer::train_step`], the batches are those of
//! [`crate::data::DataLoader`] (see [`cursor`]), so a run with the same [`RunConfig`] gives
//! the same losses as `nnbook train` (the native CLI).
//!
//! - [`cursor`]: the position in an epoch, resumable after any batch;
//! - [`evaluate`]: test accuracy, per-class accuracy, confusion matrix, gallery, one image;
//! - [`checkpoint`]: model + optimizer + progress as one `.safetensors` file.

pub mod checkpoint;
pub mod cursor;
pub mod evaluate;

pub use cursor::EpochCursor;
pub use evaluate::{Evaluation, GalleryItem};

use crate::data::{Augment, Dataset, LoaderConfig, Normalize};
use crate::error::{Error, Result};
use crate::nn::Module;
use crate::train::{TrainConfig, Trainer};

/// Everything the page's controls choose; `nnbook train`'s flags have the same meaning.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// `torch.manual_seed(seed)` before the model is built; also seeds shuffles and crops.
    pub seed: u64,
    /// ReLU after each conv.
    pub relu: bool,
    /// `"sgd"` or `"adam"`.
    pub optimizer: String,
    pub lr: f64,
    /// SGD only.
    pub momentum: f64,
    pub weight_decay: f64,
    /// Images per step (> 0).
    pub batch_size: usize,
    /// Epochs to train (> 0).
    pub epochs: usize,
    /// Train on the first `train_size` images (0 = all).
    pub train_size: usize,
    /// Random crop (4-pixel padding) and horizontal flip.
    pub augment: bool,
    /// Per-channel normalisation with the CIFAR-10 mean and std.
    pub normalize: bool,
    /// The model as a layer spec (the layer editor's "train this model"); `None`: the
    /// lessons' CIFAR-10 model (`relu` chooses its variant). It must map `[N, 3, 32, 32]`
    /// images to `[N, 10]` class scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<crate::nn::spec::LayerSpec>>,
}

impl Default for RunConfig {
    fn default() -> Self {
        let t = TrainConfig::default();
        RunConfig {
            seed: t.seed,
            relu: t.relu,
            optimizer: t.optimizer,
            lr: t.lr,
            momentum: t.momentum,
            weight_decay: t.weight_decay,
            batch_size: 64,
            epochs: 1,
            train_size: 0,
            augment: false,
            normalize: false,
            layers: None,
        }
    }
}

impl RunConfig {
    /// The model and its optimizer, seeded: the CIFAR-10 model, or `layers`.
    ///
    /// # Errors
    /// The optimizer's; for `layers`, a layer that cannot be built and a model whose output
    /// is not `[N, 10]` (one score per CIFAR-10 class).
    pub fn build_trainer(&self) -> Result<Trainer> {
        let t = self.train_config();
        let Some(layers) = &self.layers else {
            return t.build_cifar10_trainer();
        };
        let trace = crate::nn::spec::trace_spec(layers, &[1, 3, 32, 32])?;
        if let Some(e) = &trace.error {
            return Err(Error::value(
                "train",
                format!(
                    "the model cannot run on CIFAR-10 images: layer {} ({}: {})",
                    e.index, e.kind, e.message
                ),
            ));
        }
        let out = trace
            .rows
            .last()
            .map_or(trace.input.clone(), |r| r.output_shape.clone());
        if out != [1, 10] {
            return Err(Error::value(
                "train",
                format!(
                    "the model's output for a batch of 1 image is {out:?}, but training on CIFAR-10 needs [1, 10] (one score per class): end with nn.Linear(…, 10)"
                ),
            ));
        }
        let optimizer = t.build_optimizer()?;
        crate::rng::manual_seed(self.seed);
        Ok(Trainer::new(
            crate::nn::spec::build_sequential(layers)?,
            optimizer,
        ))
    }

    /// The model/optimizer part.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            seed: self.seed,
            relu: self.relu,
            optimizer: self.optimizer.clone(),
            lr: self.lr,
            momentum: self.momentum,
            weight_decay: self.weight_decay,
        }
    }

    /// The loader part (shuffled, last batch kept), as `nnbook train` builds it.
    pub fn loader_config(&self) -> LoaderConfig {
        LoaderConfig::new(self.batch_size)
            .with_seed(self.seed)
            .with_augment(if self.augment {
                Augment::CIFAR10
            } else {
                Augment::NONE
            })
            .with_normalize(self.normalize.then(Normalize::cifar10))
    }

    fn validate(&self) -> Result<()> {
        if self.batch_size == 0 || self.epochs == 0 {
            return Err(Error::value(
                "train",
                "batch_size and epochs must be at least 1",
            ));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(Error::value(
                "train",
                format!("lr must be a positive number, got {}", self.lr),
            ));
        }
        Ok(())
    }
}

/// One finished epoch.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct EpochRecord {
    /// 1-based.
    pub epoch: usize,
    /// Mean training loss over the epoch's steps.
    pub train_loss: f64,
    /// Accuracy on (up to) the first 1,000 training images, eval mode, no augmentation.
    pub train_accuracy: f64,
    /// Accuracy on the test set.
    pub test_accuracy: f64,
}

/// What a chunk of steps did.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StepsReport {
    /// The loss of each step taken (before its update).
    pub losses: Vec<f32>,
    /// Images trained on in this chunk.
    pub images: usize,
    /// Steps taken in the whole run.
    pub step: u64,
    /// The current epoch (0-based; equals `epochs` when the run is finished).
    pub epoch: usize,
    /// Batches taken in the current epoch.
    pub batch: usize,
    pub batches_per_epoch: usize,
    /// This chunk ended an epoch (call [`TrainRun::finish_epoch`] next).
    pub epoch_done: bool,
}

/// A model, its optimizer, the data and where training is.
pub struct TrainRun {
    config: RunConfig,
    pub trainer: Trainer,
    train: Option<Dataset>,
    test: Option<Dataset>,
    cursor: EpochCursor,
    step: u64,
    epoch_loss: (f64, usize),
    history: Vec<EpochRecord>,
}

/// Checks a dataset fits the CIFAR-10 model: `[3, 32, 32]` images, 10 classes.
fn check_cifar(ds: &Dataset) -> Result<()> {
    if ds.dims() != [3, 32, 32] || ds.class_names.len() != 10 {
        return Err(Error::value(
            "train",
            format!(
                "{}: the CIFAR-10 model needs 3x32x32 images in 10 classes, this file has {}x{}x{} images in {} classes",
                ds.name,
                ds.channels,
                ds.height,
                ds.width,
                ds.class_names.len()
            ),
        ));
    }
    if ds.is_empty() {
        return Err(Error::value("train", format!("{}: no images", ds.name)));
    }
    Ok(())
}

impl TrainRun {
    /// A fresh model and optimizer for `config`, with no data yet.
    ///
    /// # Errors
    /// Bad hyper-parameters (PyTorch's optimizer texts), zero batch size or epochs.
    pub fn new(config: RunConfig) -> Result<TrainRun> {
        config.validate()?;
        let trainer = config.build_trainer()?;
        Ok(TrainRun {
            cursor: EpochCursor::new(config.loader_config(), 0, 0),
            config,
            trainer,
            train: None,
            test: None,
            step: 0,
            epoch_loss: (0.0, 0),
            history: Vec::new(),
        })
    }

    /// Starts over with `config` (a new model from its seed), keeping the data.
    pub fn configure(&mut self, config: RunConfig) -> Result<()> {
        let mut fresh = TrainRun::new(config)?;
        fresh.train = self.train.take();
        fresh.test = self.test.take();
        fresh.restart_cursor(0, 0);
        *self = fresh;
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// The training images used: `train_size` (or all) of the training set.
    pub fn train_len(&self) -> usize {
        let n = self.train.as_ref().map_or(0, Dataset::len);
        if self.config.train_size == 0 {
            n
        } else {
            n.min(self.config.train_size)
        }
    }

    fn restart_cursor(&mut self, epoch: u64, batch: usize) {
        self.cursor = EpochCursor::new(self.config.loader_config(), self.train_len(), epoch);
        self.cursor.seek(epoch, batch);
    }

    /// Replaces (or, with `append`, extends) the training set; training restarts at the
    /// current epoch's first batch.
    ///
    /// # Errors
    /// A dataset that is not 3×32×32 in 10 classes; appending one with other class names.
    pub fn set_train(&mut self, ds: Dataset, append: bool) -> Result<()> {
        check_cifar(&ds)?;
        let ds = match (append, self.train.take()) {
            (true, Some(mut cur)) => {
                if cur.class_names != ds.class_names {
                    self.train = Some(cur);
                    return Err(Error::value(
                        "train",
                        format!(
                            "{}: its class names differ from the training set's",
                            ds.name
                        ),
                    ));
                }
                cur.pixels.extend_from_slice(&ds.pixels);
                cur.labels.extend_from_slice(&ds.labels);
                cur.name = format!("{}+{}", cur.name, ds.name);
                cur
            }
            _ => ds,
        };
        self.train = Some(ds);
        let epoch = self.cursor.epoch();
        self.restart_cursor(epoch, 0);
        Ok(())
    }

    /// Replaces the test set.
    ///
    /// # Errors
    /// A dataset that is not 3×32×32 in 10 classes.
    pub fn set_test(&mut self, ds: Dataset) -> Result<()> {
        check_cifar(&ds)?;
        self.test = Some(ds);
        Ok(())
    }

    /// The training set, if loaded.
    pub fn train_set(&self) -> Option<&Dataset> {
        self.train.as_ref()
    }

    /// The test set, if loaded.
    pub fn test_set(&self) -> Option<&Dataset> {
        self.test.as_ref()
    }

    /// Epochs finished so far.
    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// `true` once `epochs` epochs are done.
    pub fn finished(&self) -> bool {
        self.history.len() >= self.config.epochs
    }

    /// Runs up to `k` steps, stopping early at the end of the epoch.
    ///
    /// # Errors
    /// No training set; a diverged loss (the step is not applied); errors of the model.
    pub fn steps(&mut self, k: usize) -> Result<StepsReport> {
        let ds = self.train.as_ref().ok_or_else(|| {
            Error::value(
                "train",
                "no training images loaded (load cifar10-train.nnbd or a CIFAR-10 .bin file first)",
            )
        })?;
        let mut losses = Vec::with_capacity(k);
        let mut images = 0;
        if !self.finished() {
            for _ in 0..k {
                let Some(batch) = self.cursor.next_batch(ds) else {
                    break;
                };
                let batch = batch?;
                let loss = self.trainer.train_step(&batch.x, &batch.labels)?;
                losses.push(loss);
                images += batch.labels.len();
                self.step += 1;
                self.epoch_loss.0 += loss as f64;
                self.epoch_loss.1 += 1;
                if self.cursor.epoch_done() {
                    break;
                }
            }
        }
        Ok(StepsReport {
            losses,
            images,
            step: self.step,
            epoch: self.history.len(),
            batch: self.cursor.batch_index(),
            batches_per_epoch: self.cursor.batches_per_epoch(),
            epoch_done: self.cursor.epoch_done() && !self.finished(),
        })
    }

    /// Closes the current epoch: measures train and test accuracy, records them, and moves
    /// the cursor to the next epoch.
    ///
    /// # Errors
    /// No test set; the epoch's batches are not all taken yet.
    pub fn finish_epoch(&mut self) -> Result<EpochRecord> {
        if !self.cursor.epoch_done() || self.finished() {
            return Err(Error::value(
                "train",
                "finish_epoch: the current epoch has batches left",
            ));
        }
        let test_accuracy = self.evaluate(0)?.accuracy;
        let n = self.train_len().min(1000);
        let train_accuracy = match &self.train {
            Some(ds) => evaluate::accuracy_on(
                &mut self.trainer,
                ds,
                n,
                self.config.normalize.then(Normalize::cifar10).as_ref(),
            )?,
            None => 0.0,
        };
        let record = EpochRecord {
            epoch: self.history.len() + 1,
            train_loss: self.epoch_loss.0 / self.epoch_loss.1.max(1) as f64,
            train_accuracy,
            test_accuracy,
        };
        self.history.push(record.clone());
        self.epoch_loss = (0.0, 0);
        let next = self.cursor.epoch() + 1;
        self.restart_cursor(next, 0);
        Ok(record)
    }

    /// A small status for the page: `{config, step, epoch, batch, batches_per_epoch,
    /// train_len, test_len, train_name, test_name, history, finished}`.
    pub fn status(&self) -> serde_json::Value {
        serde_json::json!({
            "config": self.config,
            "step": self.step,
            "epoch": self.history.len(),
            "batch": self.cursor.batch_index(),
            "batches_per_epoch": self.cursor.batches_per_epoch(),
            "train_len": self.train_len(),
            "test_len": self.test.as_ref().map_or(0, Dataset::len),
            "train_name": self.train.as_ref().map(|d| d.name.clone()),
            "test_name": self.test.as_ref().map(|d| d.name.clone()),
            "history": self.history,
            "finished": self.finished(),
            "parameters": self.trainer.model.num_parameters(),
        })
    }
}
