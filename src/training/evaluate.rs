//! Evaluation of a [`super::TrainRun`]'s model: test accuracy, per-class accuracy, the
//! confusion matrix, a gallery of test images (mistakes first) and one user image.

use super::TrainRun;
use crate::data::augment::{write_image, Placement};
use crate::data::{Dataset, Normalize};
use crate::error::{Error, Result};
use crate::ops::softmax_forward;
use crate::tensor::Tensor;
use crate::train::{argmax, Trainer};

/// Images per forward pass when evaluating (as `nnbook train`): small enough that the
/// activations of one pass stay a few tens of MB (the worker's wasm memory never shrinks).
pub const EVAL_BATCH: usize = 100;

/// One gallery entry: a test image, its label and the model's prediction.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GalleryItem {
    /// Position in the test set.
    pub index: usize,
    pub label: usize,
    pub predicted: usize,
    /// Softmax probability of the predicted class.
    pub confidence: f32,
}

/// The model on the test set.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// Fraction correct, `[0, 1]`.
    pub accuracy: f64,
    /// Mean cross-entropy.
    pub loss: f64,
    pub count: usize,
    pub class_names: Vec<String>,
    /// `[K]` accuracy of each true class.
    pub per_class: Vec<f64>,
    /// `[K][K]`: `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<u32>>,
    /// Up to the requested number of test images, mistakes first (then correct ones), each
    /// group in test-set order.
    pub gallery: Vec<GalleryItem>,
}

/// The first `n` images of `ds` as `[n, C, H, W]` in `[0, 1]`, normalised if asked.
fn images(ds: &Dataset, start: usize, n: usize, norm: Option<&Normalize>) -> Result<Tensor> {
    let dims = ds.dims();
    let len = ds.image_len();
    let mut buf = vec![0.0f32; n * len];
    for (k, dst) in buf.chunks_mut(len).enumerate() {
        write_image(ds.image(start + k), dims, 0, Placement::identity(0), dst);
        if let Some(norm) = norm {
            norm.apply(dst, dims[1] * dims[2]);
        }
    }
    Tensor::from_vec(&[n, dims[0], dims[1], dims[2]], buf)
}

/// Runs `f(start, logits)` over the first `n` images of `ds` in batches, in eval mode.
fn for_logits(
    trainer: &mut Trainer,
    ds: &Dataset,
    n: usize,
    norm: Option<&Normalize>,
    mut f: impl FnMut(usize, &Tensor) -> Result<()>,
) -> Result<()> {
    let mut start = 0;
    while start < n {
        let b = (n - start).min(EVAL_BATCH);
        let x = images(ds, start, b, norm)?;
        let logits = trainer.predict(&x)?;
        f(start, &logits)?;
        start += b;
    }
    Ok(())
}

/// Accuracy of `trainer` on the first `n` images of `ds` (eval mode).
pub(crate) fn accuracy_on(
    trainer: &mut Trainer,
    ds: &Dataset,
    n: usize,
    norm: Option<&Normalize>,
) -> Result<f64> {
    let mut correct = 0usize;
    for_logits(trainer, ds, n, norm, |start, logits| {
        let k = logits.shape()[1];
        for (j, row) in logits.data().chunks(k).enumerate() {
            correct += (argmax(row) == ds.labels[start + j] as usize) as usize;
        }
        Ok(())
    })?;
    Ok(correct as f64 / n.max(1) as f64)
}

impl TrainRun {
    fn normalizer(&self) -> Option<Normalize> {
        self.config().normalize.then(Normalize::cifar10)
    }

    /// Evaluates on the whole test set; `gallery` test images are listed, mistakes first.
    ///
    /// # Errors
    /// No test set loaded; errors of the model.
    pub fn evaluate(&mut self, gallery: usize) -> Result<Evaluation> {
        let norm = self.normalizer();
        let ds = self.test.as_ref().ok_or_else(|| {
            Error::value(
                "evaluate",
                "no test images loaded (load cifar10-test.nnbd or test_batch.bin)",
            )
        })?;
        let k = ds.class_names.len();
        let mut confusion = vec![vec![0u32; k]; k];
        let mut loss_sum = 0.0f64;
        let mut items = Vec::with_capacity(ds.len());
        let trainer = &mut self.trainer;
        for_logits(trainer, ds, ds.len(), norm.as_ref(), |start, logits| {
            let probs = softmax_forward(logits, 1)?;
            for (j, row) in probs.data().chunks(k).enumerate() {
                let label = ds.labels[start + j] as usize;
                let predicted = argmax(row);
                confusion[label][predicted] += 1;
                loss_sum -= (row[label].max(f32::MIN_POSITIVE) as f64).ln();
                items.push(GalleryItem {
                    index: start + j,
                    label,
                    predicted,
                    confidence: row[predicted],
                });
            }
            Ok(())
        })?;
        let count = ds.len();
        let correct: u32 = (0..k).map(|c| confusion[c][c]).sum();
        let per_class = confusion
            .iter()
            .enumerate()
            .map(|(c, row)| row[c] as f64 / row.iter().sum::<u32>().max(1) as f64)
            .collect();
        let (mut wrong, right): (Vec<_>, Vec<_>) =
            items.into_iter().partition(|i| i.label != i.predicted);
        wrong.extend(right);
        wrong.truncate(gallery);
        Ok(Evaluation {
            accuracy: correct as f64 / count.max(1) as f64,
            loss: loss_sum / count.max(1) as f64,
            count,
            class_names: ds.class_names.clone(),
            per_class,
            confusion,
            gallery: wrong,
        })
    }

    /// The test images at `indices`, each `[3, 32, 32]` uint8 CHW, one after another.
    ///
    /// # Errors
    /// No test set; an index out of range.
    pub fn test_images(&self, indices: &[usize]) -> Result<Vec<u8>> {
        let ds = self
            .test
            .as_ref()
            .ok_or_else(|| Error::value("test_images", "no test images loaded"))?;
        let mut out = Vec::with_capacity(indices.len() * ds.image_len());
        for &i in indices {
            let img = ds.get_image(i).ok_or_else(|| {
                Error::msg(
                    "test_images",
                    crate::PyKind::IndexError,
                    format!("index {i} is out of bounds for {} test images", ds.len()),
                )
            })?;
            out.extend_from_slice(img);
        }
        Ok(out)
    }

    /// Class probabilities `[10]` for one 32×32 RGB image given as `32*32*3` bytes in HWC
    /// order (what a canvas gives, alpha dropped), scaled and normalised as in training.
    ///
    /// # Errors
    /// `ValueError` when `rgb` is not 3,072 bytes.
    pub fn predict_rgb(&mut self, rgb: &[u8]) -> Result<Vec<f32>> {
        if rgb.len() != 32 * 32 * 3 {
            return Err(Error::value(
                "predict",
                format!("expected 3072 bytes (32x32 RGB), got {}", rgb.len()),
            ));
        }
        let mut x = vec![0.0f32; 3 * 32 * 32];
        for (p, px) in rgb.chunks(3).enumerate() {
            for c in 0..3 {
                x[c * 1024 + p] = px[c] as f32 / 255.0;
            }
        }
        if let Some(norm) = self.normalizer() {
            norm.apply(&mut x, 1024);
        }
        let logits = self
            .trainer
            .predict(&Tensor::from_vec(&[1, 3, 32, 32], x)?)?;
        Ok(softmax_forward(&logits, 1)?.into_vec())
    }
}
