//! Weights the site ships trained, so a figure is usable at once: the STN lesson's digit CNN
//! (the tutorial's classifier without its spatial transformer, [`super::digits`]) trained on the
//! upright MNIST digits of `www/data/mnist-train.nnbd`. `nnbook data` (and so `make data`)
//! writes it natively beside the datasets; the confidence figure loads it.
//!
//! Outputs in the data folder: `digits-cnn.safetensors` (state_dict names `classifier.0.weight`,
//! …; the training parameters and test accuracy in its metadata) and `digits-cnn.json` (the
//! same facts, and the digest of the training file, to tell when it is up to date). Training is
//! deterministic: the seed fixes the initial weights and the batch order.

use super::digits::{batch, train_steps, BatchOrder, DigitTrainer};
use crate::data::md5::md5_hex;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::nn::safetensors::save_safetensors;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The weights file, in the data folder.
pub const DIGITS_CNN_FILE: &str = "digits-cnn.safetensors";
/// What it was built from and how well it does, in the data folder.
pub const DIGITS_CNN_INFO: &str = "digits-cnn.json";

/// How the digit CNN is trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigitsCnnParams {
    /// Adam steps (default 640: four passes over 10,000 digits).
    pub steps: usize,
    pub batch_size: usize,
    /// `torch.manual_seed(seed)` before the model is built; also seeds the batch order.
    pub seed: u64,
    pub lr: f64,
    /// MD5 of the training file the weights were trained on.
    pub train_md5: String,
}

/// `digits-cnn.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigitsCnnInfo {
    pub params: DigitsCnnParams,
    /// Accuracy on the test digits (`mnist-test.nnbd`, all of them).
    pub test_accuracy: f64,
    pub test_count: usize,
    /// Size of `digits-cnn.safetensors`.
    pub bytes: u64,
}

/// What [`ensure_digits_cnn`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct DigitsCnnReport {
    pub up_to_date: bool,
    /// The weights file written (or found up to date).
    pub path: std::path::PathBuf,
    pub info: DigitsCnnInfo,
}

impl std::fmt::Display for DigitsCnnReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.info.params;
        writeln!(
            f,
            "{} {}: the STN lesson's digit CNN, {} Adam steps of {} digits (seed {}), {:.1} % on {} test digits, {} bytes",
            if self.up_to_date { "up to date" } else { "wrote" },
            self.path.display(),
            p.steps,
            p.batch_size,
            p.seed,
            100.0 * self.info.test_accuracy,
            self.info.test_count,
            self.info.bytes
        )
    }
}

/// Trains the digit CNN on `train` (upright digits) as the lesson's live training does.
///
/// # Errors
/// Shape errors, an empty dataset, a diverged loss.
pub fn train_digits_cnn(train: &Dataset, p: &DigitsCnnParams) -> Result<DigitTrainer> {
    if train.is_empty() {
        return Err(Error::value("digits-cnn", "no training digits"));
    }
    let mut trainer = DigitTrainer::new(false, p.seed, p.lr)?;
    let mut order = BatchOrder::new(train.len(), p.seed);
    train_steps(
        &mut trainer,
        &mut order,
        train,
        p.steps,
        p.batch_size,
        false,
    )?;
    Ok(trainer)
}

/// Accuracy of `trainer` on all of `test`, 500 digits at a time.
///
/// # Errors
/// Shape errors.
pub fn test_accuracy(trainer: &mut DigitTrainer, test: &Dataset) -> Result<f64> {
    let mut correct = 0;
    let all: Vec<usize> = (0..test.len()).collect();
    for chunk in all.chunks(500) {
        let (x, labels) = batch(test, chunk)?;
        correct += trainer.correct(&x, &labels)?;
    }
    Ok(correct as f64 / test.len().max(1) as f64)
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::msg(
        "digits-cnn",
        crate::PyKind::NnbookError,
        format!("{}: {e}", path.display()),
    )
}

fn read_dataset(path: &Path) -> Result<(Dataset, Vec<u8>)> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let ds = Dataset::decode(&bytes, name.as_deref().unwrap_or("mnist.nnbd"))
        .map_err(|e| Error::msg("digits-cnn", crate::PyKind::NnbookError, e.to_string()))?;
    Ok((ds, bytes))
}

/// Writes [`DIGITS_CNN_FILE`] and [`DIGITS_CNN_INFO`] into `dir` from its `mnist-train.nnbd`
/// and `mnist-test.nnbd` with `steps`/`batch_size`/`seed`/`lr`, unless the info there records
/// the same parameters and training file and the weights file has its recorded size (or
/// `force`).
///
/// # Errors
/// A missing or malformed data file; training errors; `OSError` when writing fails.
pub fn ensure_digits_cnn(
    dir: &Path,
    steps: usize,
    batch_size: usize,
    seed: u64,
    lr: f64,
    force: bool,
) -> Result<DigitsCnnReport> {
    let (train, train_bytes) = read_dataset(&dir.join("mnist-train.nnbd"))?;
    let params = DigitsCnnParams {
        steps,
        batch_size,
        seed,
        lr,
        train_md5: md5_hex(&train_bytes),
    };
    drop(train_bytes);
    if !force {
        let current = std::fs::read(dir.join(DIGITS_CNN_INFO))
            .ok()
            .and_then(|b| serde_json::from_slice::<DigitsCnnInfo>(&b).ok())
            .filter(|i| i.params == params)
            .filter(|i| {
                std::fs::metadata(dir.join(DIGITS_CNN_FILE)).is_ok_and(|m| m.len() == i.bytes)
            });
        if let Some(info) = current {
            return Ok(DigitsCnnReport {
                up_to_date: true,
                path: dir.join(DIGITS_CNN_FILE),
                info,
            });
        }
    }
    let (test, _) = read_dataset(&dir.join("mnist-test.nnbd"))?;
    let mut trainer = train_digits_cnn(&train, &params)?;
    let accuracy = test_accuracy(&mut trainer, &test)?;
    let metadata = [
        ("format".to_string(), "pt".to_string()),
        (
            "nnbook".to_string(),
            format!(
                "STN lesson digit CNN: {} Adam steps (lr {}) of {} upright MNIST digits, seed {}; test accuracy {:.4} on {} digits",
                params.steps, params.lr, params.batch_size, params.seed, accuracy, test.len()
            ),
        ),
    ];
    let bytes = save_safetensors(&trainer.net, &metadata);
    let info = DigitsCnnInfo {
        params,
        test_accuracy: accuracy,
        test_count: test.len(),
        bytes: bytes.len() as u64,
    };
    write_atomic(&dir.join(DIGITS_CNN_FILE), &bytes)?;
    let json = serde_json::to_vec_pretty(&info).unwrap_or_default();
    write_atomic(&dir.join(DIGITS_CNN_INFO), &json)?;
    Ok(DigitsCnnReport {
        up_to_date: false,
        path: dir.join(DIGITS_CNN_FILE),
        info,
    })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}
