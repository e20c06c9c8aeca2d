//! The wasm boundary: the only module with `#[wasm_bindgen]`. Bulk data crosses as typed
//! arrays (`Vec<f32>` / `Float32Array`), small configs and results as serde values; typed
//! errors become `JsError` here, as `"RuntimeError: <PyTorch's text>"`.

//!
//! Submodules group the exports by what uses them: [`bench`] (self-test and benchmarks),
//! [`notebook`] (the notebook kernel of a lesson page) and [`session`] (the CIFAR-10 training
//! session). Each JS method set in `www/worker/` calls one
//! of them.

pub mod bench;
pub mod digits;
pub mod explain;
pub mod figures;
pub mod model_spec;
pub mod notebook;
pub mod session;

pub use bench::{gemm_self_test, self_test_inputs};
pub use notebook::NotebookKernel;
pub use session::ModelSession;

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

/// `performance.now()` in the worker (ms), for timings measured inside wasm.
pub(crate) fn now_ms() -> f64 {
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
