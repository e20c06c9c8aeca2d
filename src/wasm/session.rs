//! The CIFAR-10 training session exported to the worker.

use super::{now_ms, to_js};
use crate::nn::Module;
use crate::tensor::Tensor;
use crate::training::{RunConfig, TrainRun};
use wasm_bindgen::prelude::*;

/// A CIFAR-10 model, its optimizer and (optionally) the training and test images, living in
/// the worker. Images cross as one `Float32Array` of `N×3×32×32` values (CHW planar, one image
/// after another), labels as an `Int32Array` of `N`; data files cross as `Uint8Array` bytes.
#[wasm_bindgen]
pub struct ModelSession {
    run: TrainRun,
}

fn config_from(config: JsValue) -> Result<RunConfig, JsError> {
    if config.is_undefined() || config.is_null() {
        return Ok(RunConfig::default());
    }
    serde_wasm_bindgen::from_value(config)
        .map_err(|e| JsError::new(&format!("ValueError: bad training config: {e}")))
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
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
    /// `config`: `{seed, relu, optimizer: "sgd"|"adam", lr, momentum, weight_decay,
    /// batch_size, epochs, train_size, augment, normalize}` (all optional; see
    /// [`RunConfig`]).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<ModelSession, JsError> {
        Ok(ModelSession {
            run: TrainRun::new(config_from(config)?).map_err(to_js)?,
        })
    }

    /// Starts over with a new config (a fresh model from its seed), keeping the loaded data.
    pub fn configure(&mut self, config: JsValue) -> Result<(), JsError> {
        self.run.configure(config_from(config)?).map_err(to_js)
    }

    /// Loads a data file: `.nnbd`, the official `cifar-10-binary.tar.gz` (train + test) or one
    /// `data_batch_N.bin` / `test_batch.bin`. `role`: `"train"`, `"test"`, `"append"` (add to
    /// the training set) or `"auto"` (`test_batch*` / names with "test" → test). Returns
    /// `[{role, name, count, class_counts}]`. Errors name the file, problem and byte offset.
    #[wasm_bindgen(js_name = loadData)]
    pub fn load_data(&mut self, bytes: &[u8], file: &str, role: &str) -> Result<JsValue, JsError> {
        let sets = crate::data::decode_any(bytes, file).map_err(|e| to_js(e.into()))?;
        let archive = sets.len() == 2;
        let mut out = Vec::new();
        for (i, ds) in sets.into_iter().enumerate() {
            let lower = file.to_ascii_lowercase();
            let r = match role {
                _ if archive => ["train", "test"][i],
                "auto" if lower.contains("test") => "test",
                "auto" => "train",
                other => other,
            };
            let info = serde_json::json!({
                "role": r, "name": ds.name, "count": ds.len(), "class_counts": ds.class_counts(),
            });
            match r {
                "train" => self.run.set_train(ds, false),
                "append" => self.run.set_train(ds, true),
                "test" => self.run.set_test(ds),
                other => {
                    return Err(JsError::new(&format!(
                        "ValueError: unknown data role '{other}' (expected train, test, append or auto)"
                    )))
                }
            }
            .map_err(to_js)?;
            out.push(info);
        }
        to_value(&out)
    }

    /// Up to `k` training steps (stopping at the end of an epoch): `{losses, images, step,
    /// epoch, batch, batches_per_epoch, epoch_done}`.
    #[wasm_bindgen(js_name = trainSteps)]
    pub fn train_steps(&mut self, k: u32) -> Result<JsValue, JsError> {
        to_value(&self.run.steps(k as usize).map_err(to_js)?)
    }

    /// Ends a finished epoch: `{epoch, train_loss, train_accuracy, test_accuracy}`.
    #[wasm_bindgen(js_name = finishEpoch)]
    pub fn finish_epoch(&mut self) -> Result<JsValue, JsError> {
        to_value(&self.run.finish_epoch().map_err(to_js)?)
    }

    /// `{config, step, epoch, batch, batches_per_epoch, train_len, test_len, train_name,
    /// test_name, history, finished, parameters}`.
    pub fn status(&self) -> Result<JsValue, JsError> {
        to_value(&self.run.status())
    }

    /// The test set: `{accuracy, loss, count, class_names, per_class, confusion, gallery:
    /// [{index, label, predicted, confidence}]}` (gallery: `gallery` images, mistakes first).
    pub fn evaluate(&mut self, gallery: u32) -> Result<JsValue, JsError> {
        to_value(&self.run.evaluate(gallery as usize).map_err(to_js)?)
    }

    /// Test images at `indices`, `[3, 32, 32]` uint8 CHW each, concatenated.
    #[wasm_bindgen(js_name = testImages)]
    pub fn test_images(&self, indices: &[u32]) -> Result<Vec<u8>, JsError> {
        let idx: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
        self.run.test_images(&idx).map_err(to_js)
    }

    /// Class probabilities `[10]` for one 32×32 RGB image (`3072` bytes, HWC).
    #[wasm_bindgen(js_name = predictImage)]
    pub fn predict_image(&mut self, rgb: &[u8]) -> Result<Vec<f32>, JsError> {
        self.run.predict_rgb(rgb).map_err(to_js)
    }

    /// Model + optimizer + progress as `.safetensors` bytes (an nnbook checkpoint).
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> Vec<u8> {
        self.run.export_state()
    }

    /// Restores [`ModelSession::export_state`] bytes; the session is unchanged on error.
    #[wasm_bindgen(js_name = importState)]
    pub fn import_state(&mut self, bytes: &[u8], file: &str) -> Result<(), JsError> {
        self.run.import_state(bytes, file).map_err(to_js)
    }

    /// The weights as a PyTorch `.safetensors` state_dict (`0.weight`, `0.bias`, ...).
    #[wasm_bindgen(js_name = exportSafetensors)]
    pub fn export_safetensors(&self) -> Vec<u8> {
        self.run.export_weights()
    }

    /// Loads a `.safetensors` state_dict into the model (strict); untouched on error.
    #[wasm_bindgen(js_name = importSafetensors)]
    pub fn import_safetensors(&mut self, bytes: &[u8], file: &str) -> Result<(), JsError> {
        self.run.import_weights(bytes, file).map_err(to_js)
    }

    /// One SGD/Adam step on a batch; returns the loss before the step.
    #[wasm_bindgen(js_name = trainStep)]
    pub fn train_step(&mut self, x: &[f32], labels: &[i32]) -> Result<f32, JsError> {
        let x = images(x, Some(labels.len()))?;
        let labels: Vec<i64> = labels.iter().map(|&l| l as i64).collect();
        self.run.trainer.train_step(&x, &labels).map_err(to_js)
    }

    /// Logits `[N, 10]` (flat) for a batch, in eval mode.
    pub fn predict(&mut self, x: &[f32]) -> Result<Vec<f32>, JsError> {
        let x = images(x, None)?;
        Ok(self.run.trainer.predict(&x).map_err(to_js)?.into_vec())
    }

    /// `print(model)`.
    #[wasm_bindgen(js_name = printModel)]
    pub fn print_model(&self) -> String {
        self.run.trainer.model.to_string()
    }

    /// Times each layer's forward, backward and inference (`Module::infer`, in eval mode) on
    /// `x` (best of `reps`): `[{name, fwd_ms, bwd_ms, infer_ms}]`.
    #[wasm_bindgen(js_name = profileLayers)]
    pub fn profile_layers(&mut self, x: &[f32], reps: u32) -> Result<JsValue, JsError> {
        #[derive(serde::Serialize)]
        struct LayerTime {
            name: String,
            fwd_ms: f64,
            bwd_ms: f64,
            infer_ms: f64,
        }
        let mut act = images(x, None)?;
        let mut out = Vec::new();
        for layer in self.run.trainer.model.layers_mut() {
            let (mut fwd, mut bwd, mut inf) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
            let mut y = None;
            for _ in 0..reps.max(1) {
                layer.set_training(false);
                let t0 = now_ms();
                let inferred = layer.infer(&act);
                inf = inf.min(now_ms() - t0);
                layer.set_training(true);
                inferred.map_err(to_js)?;
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
                infer_ms: inf,
            });
            act = y.expect("at least one rep");
        }
        self.run.trainer.model.zero_grad();
        serde_wasm_bindgen::to_value(&out).map_err(|e| JsError::new(&e.to_string()))
    }
}
