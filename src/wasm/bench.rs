//! Exports for the landing page's GEMM self-test and `make bench`.

use crate::kernels::{self, MatRef};
use wasm_bindgen::prelude::*;

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
