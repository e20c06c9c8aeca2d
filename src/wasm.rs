//! The wasm boundary: the only module with `#[wasm_bindgen]`. Bulk data crosses as typed
//! arrays (`Vec<f32>` / `Float32Array`), small configs and results as serde values; typed
//! errors become `JsError` here, as `"RuntimeError: <PyTorch's text>"`.

use crate::kernels::{self, MatRef};
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
