//! The CIFAR-10 training session exported to the worker.

use super::{now_ms, to_js};
use crate::nn::Module;
use crate::tensor::Tensor;
use crate::train::{TrainConfig, Trainer};
use wasm_bindgen::prelude::*;

/// A CIFAR-10 model and its optimizer, living in the worker. Images cross as one
/// `Float32Array` of `N×3×32×32` values (CHW planar, one image after another), labels as an
/// `Int32Array` of `N`.
#[wasm_bindgen]
pub struct ModelSession {
    trainer: Trainer,
}

const IMAGE_SHAPE: [usize; 3] = [3, 32, 32];

fn images(x: &[f32], n: Option<usize>) -> Result<Tensor, JsError> {
    let per: usize = IMAGE_SHAPE.iter().product();
    let n = n.unwrap_or(x.len() / per);
    if n == 0 || x.len() != n * per {
        return Err(JsError::new(&format!(
            "ValueError: expected {} values for a batch of {n} images of shape [3, 32, 32], got {}",
            n.max(1) * per,
            x.len()
        )));
    }
    Tensor::from_vec(&[n, 3, 32, 32], x.to_vec()).map_err(to_js)
}

#[wasm_bindgen]
impl ModelSession {
    /// `config`: `{seed, relu, optimizer: "sgd"|"adam", lr, momentum, weight_decay}` (all optional).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<ModelSession, JsError> {
        let config: TrainConfig = if config.is_undefined() || config.is_null() {
            TrainConfig::default()
        } else {
            serde_wasm_bindgen::from_value(config)
                .map_err(|e| JsError::new(&format!("ValueError: bad training config: {e}")))?
        };
        Ok(ModelSession {
            trainer: config.build_cifar10_trainer().map_err(to_js)?,
        })
    }

    /// One SGD/Adam step on a batch; returns the loss before the step.
    #[wasm_bindgen(js_name = trainStep)]
    pub fn train_step(&mut self, x: &[f32], labels: &[i32]) -> Result<f32, JsError> {
        let x = images(x, Some(labels.len()))?;
        let labels: Vec<i64> = labels.iter().map(|&l| l as i64).collect();
        self.trainer.train_step(&x, &labels).map_err(to_js)
    }

    /// Logits `[N, 10]` (flat) for a batch, in eval mode.
    pub fn predict(&mut self, x: &[f32]) -> Result<Vec<f32>, JsError> {
        let x = images(x, None)?;
        Ok(self.trainer.predict(&x).map_err(to_js)?.into_vec())
    }

    /// `print(model)`.
    #[wasm_bindgen(js_name = printModel)]
    pub fn print_model(&self) -> String {
        self.trainer.model.to_string()
    }

    /// Times each layer's forward and backward on `x` (best of `reps`):
    /// `[{name, fwd_ms, bwd_ms}]`.
    #[wasm_bindgen(js_name = profileLayers)]
    pub fn profile_layers(&mut self, x: &[f32], reps: u32) -> Result<JsValue, JsError> {
        #[derive(serde::Serialize)]
        struct LayerTime {
            name: String,
            fwd_ms: f64,
            bwd_ms: f64,
        }
        let mut act = images(x, None)?;
        let mut out = Vec::new();
        for layer in self.trainer.model.layers_mut() {
            let (mut fwd, mut bwd) = (f64::INFINITY, f64::INFINITY);
            let mut y = None;
            for _ in 0..reps.max(1) {
                let t0 = now_ms();
                let yy = layer.forward(&act).map_err(to_js)?;
                fwd = fwd.min(now_ms() - t0);
                let g = Tensor::ones(yy.shape()).map_err(to_js)?;
                let t0 = now_ms();
                layer.backward(&g).map_err(to_js)?;
                bwd = bwd.min(now_ms() - t0);
                y = Some(yy);
            }
            out.push(LayerTime {
                name: layer.repr(0),
                fwd_ms: fwd,
                bwd_ms: bwd,
            });
            act = y.expect("at least one rep");
        }
        self.trainer.model.zero_grad();
        serde_wasm_bindgen::to_value(&out).map_err(|e| JsError::new(&e.to_string()))
    }
}
