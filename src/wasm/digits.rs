//! The digit networks of the spatial-transformer lesson, living in the worker: trained a few
//! steps per call ([`crate::lessons::digits`]), or loaded from the weights `nnbook data`
//! pre-trains ([`crate::lessons::pretrained`]).

use super::figures::LessonData;
use super::to_js;
use crate::lessons::affine::Distortion;
use crate::lessons::digits::{batch, train_steps, BatchOrder, DigitTrainer};
use crate::rng::Rng;
use crate::tensor::Tensor;
use serde::Serialize;
use wasm_bindgen::prelude::*;

fn ser<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// The STN tutorial's digit classifier (with or without its spatial transformer), trained in
/// the worker a few steps per call so the page stays responsive.
#[wasm_bindgen]
pub struct DigitSession {
    trainer: DigitTrainer,
    order: Option<BatchOrder>,
    seed: u64,
}

#[derive(Serialize)]
struct Progress {
    steps: u64,
    epoch: u64,
    loss: f32,
}

#[wasm_bindgen]
impl DigitSession {
    /// A fresh network seeded with `seed` (`with_stn`: the STN in front), Adam with `lr`.
    #[wasm_bindgen(constructor)]
    pub fn new(with_stn: bool, seed: u32, lr: f64) -> Result<DigitSession, JsError> {
        Ok(DigitSession {
            trainer: DigitTrainer::new(with_stn, seed as u64, lr).map_err(to_js)?,
            order: None,
            seed: seed as u64,
        })
    }

    /// `steps` optimiser steps on batches of `batch_size` from `data` (shuffled each epoch;
    /// `distort`: randomly distorted first) → `{steps, epoch, loss}` (mean loss of these steps).
    #[wasm_bindgen(js_name = trainSteps)]
    pub fn train_steps(
        &mut self,
        data: &LessonData,
        steps: u32,
        batch_size: usize,
        distort: bool,
    ) -> Result<JsValue, JsError> {
        let order = self
            .order
            .get_or_insert_with(|| BatchOrder::new(data.ds.len(), self.seed));
        let loss = train_steps(
            &mut self.trainer,
            order,
            &data.ds,
            steps as usize,
            batch_size,
            distort,
        )
        .map_err(to_js)?;
        ser(&Progress {
            steps: self.trainer.steps,
            epoch: order.epoch,
            loss,
        })
    }

    /// Accuracy (`0..1`) on images `start..start+count` of `data`; with `distort`, each image
    /// is distorted first with a generator seeded by `seed` (the same images for every model).
    pub fn accuracy(
        &mut self,
        data: &LessonData,
        start: usize,
        count: usize,
        distort: bool,
        seed: u32,
    ) -> Result<f64, JsError> {
        let (x, labels) = batch(&data.ds, &data.range(start, count)).map_err(to_js)?;
        let x = if distort {
            Distortion::default()
                .apply(&x, &mut Rng::new(seed as u64))
                .map_err(to_js)?
        } else {
            x
        };
        let correct = self.trainer.correct(&x, &labels).map_err(to_js)?;
        Ok(correct as f64 / count.max(1) as f64)
    }

    /// Class probabilities (`[N, 10]` flat) for images `x` (`N × 1 × 28 × 28` floats).
    pub fn probabilities(&mut self, x: &[f32]) -> Result<Vec<f32>, JsError> {
        let n = x.len() / 784;
        if n == 0 || n * 784 != x.len() {
            return Err(JsError::new(&format!(
                "ValueError: {} values are not a batch of 28x28 digits",
                x.len()
            )));
        }
        let x = Tensor::from_vec(&[n, 1, 28, 28], x.to_vec()).map_err(to_js)?;
        Ok(self.trainer.probabilities(&x).map_err(to_js)?.into_vec())
    }

    /// The STN's output for images `x` (`N × 784` floats), followed by the `N × 6` thetas;
    /// empty without an STN.
    pub fn transformed(&mut self, x: &[f32]) -> Result<Vec<f32>, JsError> {
        let n = x.len() / 784;
        let x = Tensor::from_vec(&[n, 1, 28, 28], x.to_vec()).map_err(to_js)?;
        Ok(match self.trainer.transformed(&x).map_err(to_js)? {
            Some((y, theta)) => {
                let mut v = y.into_vec();
                v.extend_from_slice(theta.data());
                v
            }
            None => Vec::new(),
        })
    }

    /// Loads trained weights (a `.safetensors` state_dict such as `digits-cnn.safetensors`,
    /// written by `nnbook data`); the network is untouched on error.
    ///
    /// # Errors
    /// A malformed file; missing, unexpected or mis-shaped tensors (PyTorch's texts).
    #[wasm_bindgen(js_name = loadSafetensors)]
    pub fn load_safetensors(&mut self, bytes: &[u8], file: &str) -> Result<(), JsError> {
        crate::nn::safetensors::load_safetensors(&mut self.trainer.net, bytes, file).map_err(to_js)
    }

    /// Optimiser steps taken.
    pub fn steps(&self) -> f64 {
        self.trainer.steps as f64
    }
}
