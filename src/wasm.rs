//! The wasm boundary: the only module with `#[wasm_bindgen]`. Bulk data crosses as typed
//! arrays (`Vec<f32>` / `Float32Array`), small configs and results as serde values; typed
//! errors become `JsError` here, as `"RuntimeError: <PyTorch's text>"`.

use crate::kernels::{self, MatRef};
use crate::nn::Module;
use crate::tensor::Tensor;
use crate::train::{TrainConfig, Trainer};
use wasm_bindgen::prelude::*;

#[cfg(target_feature = "atomics")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// Converts a core error to a JS `Error` whose message is Python's last line.
pub fn to_js(e: crate::Error) -> JsError {
    JsError::new(&e.to_python_string())
}

/// Runs once when the module is instantiated: panics go to the console, never silently.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// `{version, simd128, parallel_build, threads, gemm_kernel}` for the capability panel.
#[wasm_bindgen(js_name = buildInfo)]
pub fn build_info() -> Result<JsValue, JsError> {
    serde_wasm_bindgen::to_value(&crate::build_info()).map_err(|e| JsError::new(&e.to_string()))
}

/// Multiplies two deterministic `n×n` matrices and returns the sum of `C` (a checksum the
/// page shows; the caller times the call). Refuses `n` above 2048.
#[wasm_bindgen(js_name = gemmSelfTest)]
pub fn gemm_self_test(n: usize) -> Result<f64, JsError> {
    if n == 0 || n > 2048 {
        return Err(JsError::new(&format!(
            "gemmSelfTest: n must be in 1..=2048, got {n}"
        )));
    }
    let (a, b) = self_test_inputs(n);
    let mut c = vec![0.0f32; n * n];
    kernels::sgemm(
        MatRef::row_major(&a, n, n),
        MatRef::row_major(&b, n, n),
        &mut c,
        false,
    );
    Ok(c.iter().map(|&x| x as f64).sum())
}

/// Inputs of [`gemm_self_test`]: small exact values so the checksum is exact in f32.
pub fn self_test_inputs(n: usize) -> (Vec<f32>, Vec<f32>) {
    let a = (0..n * n).map(|i| ((i % 7) as f32) - 3.0).collect();
    let b = (0..n * n).map(|i| ((i % 5) as f32) - 2.0).collect();
    (a, b)
}

/// `performance.now()` in the worker (ms), for timings measured inside wasm.
fn now_ms() -> f64 {
    let perf = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("performance")).ok();
    perf.and_then(|p| {
        let now = js_sys::Reflect::get(&p, &JsValue::from_str("now")).ok()?;
        let f: js_sys::Function = now.dyn_into().ok()?;
        f.call0(&p).ok()?.as_f64()
    })
    .unwrap_or_else(js_sys::Date::now)
}

/// Bytes of wasm linear memory in use (grows only: this is the peak).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
    buffer.byte_length() as f64
}

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
