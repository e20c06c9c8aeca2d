//! Browser tests of the build itself, run for both packages by `make test`:
//! SIMD128 is compiled in and selected; the single-thread package has no pool.
#![cfg(target_arch = "wasm32")]

use nnbook::kernels::{self, MatRef};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
fn simd128_kernels_are_compiled_in_and_chosen() {
    const { assert!(kernels::SIMD128, "built without +simd128") };
    assert_eq!(kernels::gemm_kernel_name(), "simd128");
    assert!(nnbook::build_info().simd128);
}

#[wasm_bindgen_test]
fn self_test_checksum_is_exact() {
    // Same inputs as the page's self-test: small integers, so the checksum is exact in f32.
    let n = 64;
    let (a, b) = nnbook::wasm::self_test_inputs(n);
    let mut c = vec![0.0f32; n * n];
    kernels::sgemm(
        MatRef::row_major(&a, n, n),
        MatRef::row_major(&b, n, n),
        &mut c,
        false,
    );
    let mut want = vec![0.0f32; n * n];
    kernels::scalar::sgemm(
        MatRef::row_major(&a, n, n),
        MatRef::row_major(&b, n, n),
        &mut want,
        false,
    );
    assert_eq!(c, want);
    let sum: f64 = c.iter().map(|&x| x as f64).sum();
    assert_eq!(nnbook::wasm::gemm_self_test(n).ok(), Some(sum));
}

#[cfg(not(target_feature = "atomics"))]
#[wasm_bindgen_test]
fn single_thread_package_has_no_pool() {
    const { assert!(!nnbook::parallel::IS_PARALLEL_BUILD) };
    assert_eq!(nnbook::parallel::current_num_threads(), 1);
    assert_eq!(nnbook::parallel::thread_index(), None);
}
