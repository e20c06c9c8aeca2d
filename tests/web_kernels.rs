//! The kernel harness in a real browser, on the simd128 build:
//! `wasm-pack test --headless --chrome --release . --config .cargo/wasm-st.toml -- --test web_kernels`
//!
//! Fails if the build runs without SIMD128 (the kernel name would be `"scalar"`).
#![cfg(target_arch = "wasm32")]

use nnbook::kernels::{self, bench, harness, Isa};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn simd128_kernel_is_the_one_in_use() {
    assert_eq!(nnbook::kernels::gemm_kernel_name(), "simd128");
    const { assert!(kernels::SIMD128) };
    assert_eq!(Isa::available(), vec![Isa::Scalar, Isa::Simd128]);
}

#[wasm_bindgen_test]
fn simd128_gemm_passes_the_harness() {
    harness::check_gemm(Isa::Simd128);
}

#[wasm_bindgen_test]
fn scalar_gemm_passes_the_harness() {
    harness::check_gemm(Isa::Scalar);
}

#[wasm_bindgen_test]
fn elementwise_kernels_match_their_twins() {
    harness::check_elementwise(Isa::Simd128);
    harness::check_elementwise(Isa::Scalar);
}

/// Prints GFLOP/s (best / median of several runs) in the test log (`-- --nocapture` shows it);
/// asserts nothing about speed (headless timings on a shared machine are too noisy).
#[wasm_bindgen_test]
fn gemm_throughput() {
    for n in [256, 512, 1024] {
        let mut line = format!("gemm {n}³ GFLOP/s (best/median):");
        for isa in [Isa::Scalar, Isa::Simd128] {
            let reps = if n == 1024 { 3 } else { 9 };
            let ms = bench::gemm_times_ms(isa, n, reps, &performance_now);
            let best = bench::gflops(n, ms[0]);
            let median = bench::gflops(n, ms[ms.len() / 2]);
            line += &format!(" {} {best:.1}/{median:.1}", isa.name());
        }
        console_log!("{line}");
    }
    let g = bench::gemm_gflops(64, 3, &performance_now);
    assert!(g.is_finite() && g > 0.0);
}

/// `performance.now()` in milliseconds (window or worker), via `js_sys` only.
fn performance_now() -> f64 {
    use wasm_bindgen::JsCast;
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let now = js_sys::Reflect::get(&perf, &"now".into()).unwrap();
    let now: js_sys::Function = now.dyn_into().unwrap();
    now.call0(&perf).unwrap().as_f64().unwrap()
}
