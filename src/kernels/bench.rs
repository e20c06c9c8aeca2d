//! GEMM throughput, with the clock injected so native code and the browser (which passes
//! `performance.now`) share one measurement.

use super::{sgemm_with, Isa, MatRef};

/// GFLOP/s of the chosen kernel ([`super::sgemm`], on the current thread pool) for an
/// `n × n × n` product: one warm-up call, then the **median** of `reps` timed calls
/// (`2·n³` flops each). `now` returns milliseconds (like `performance.now()`).
/// Returns 0 when `n == 0` or `reps == 0`.
pub fn gemm_gflops(n: usize, reps: usize, now: &dyn Fn() -> f64) -> f64 {
    gemm_gflops_with(Isa::chosen(), n, reps, now)
}

/// [`gemm_gflops`] with an explicit instruction set.
///
/// # Panics
/// If `isa` is not available here.
pub fn gemm_gflops_with(isa: Isa, n: usize, reps: usize, now: &dyn Fn() -> f64) -> f64 {
    let ms = gemm_times_ms(isa, n, reps, now);
    if ms.is_empty() {
        return 0.0;
    }
    gflops(n, ms[ms.len() / 2])
}

/// GFLOP/s of an `n × n × n` product that took `ms` milliseconds.
pub fn gflops(n: usize, ms: f64) -> f64 {
    2.0 * (n as f64).powi(3) / (ms.max(1e-6) * 1e-3) / 1e9
}

/// Times of `reps` calls of [`sgemm_with`]`(isa, ..)` on `n × n` inputs after one warm-up, in
/// milliseconds, sorted ascending (so `[0]` is the best, `[len / 2]` the median). Empty when
/// `n == 0` or `reps == 0`.
///
/// # Panics
/// If `isa` is not available here.
pub fn gemm_times_ms(isa: Isa, n: usize, reps: usize, now: &dyn Fn() -> f64) -> Vec<f64> {
    if n == 0 || reps == 0 {
        return Vec::new();
    }
    let a: Vec<f32> = (0..n * n).map(|i| ((i % 13) as f32 - 6.0) / 8.0).collect();
    let b: Vec<f32> = (0..n * n).map(|i| ((i % 11) as f32 - 5.0) / 8.0).collect();
    let mut c = vec![0.0f32; n * n];
    let run = |c: &mut [f32]| {
        sgemm_with(
            isa,
            MatRef::row_major(&a, n, n),
            MatRef::row_major(&b, n, n),
            c,
            false,
        )
    };
    run(&mut c);
    let mut ms: Vec<f64> = (0..reps)
        .map(|_| {
            let t0 = now();
            run(&mut c);
            now() - t0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    ms
}
