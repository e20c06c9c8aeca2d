//! The kernel harness through the public API (native build: scalar twin and, where the CPU has
//! it, AVX2+FMA), plus the properties callers rely on: thread-count independence, the
//! elementwise contracts and the benchmark helper. Native only (uses a rayon pool); the browser
//! runs the same harness in `tests/web_kernels.rs`.
#![cfg(not(target_arch = "wasm32"))]

use nnbook::kernels::{self, bench, harness, Isa, MatRef};

#[test]
fn dispatched_kernel_is_the_best_available() {
    let best = *Isa::available().last().unwrap();
    assert_eq!(kernels::gemm_kernel_name(), best.name());
    const { assert!(!kernels::SIMD128) };
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        assert_eq!(kernels::gemm_kernel_name(), "avx2");
    }
}

#[test]
fn every_gemm_kernel_passes_the_harness() {
    for isa in Isa::available() {
        harness::check_gemm(isa);
    }
}

#[test]
fn every_elementwise_kernel_matches_its_twin() {
    for isa in Isa::available() {
        harness::check_elementwise(isa);
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let (m, k, n) = (190, 300, 150);
    let a: Vec<f32> = (0..m * k)
        .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5)
        .collect();
    let b: Vec<f32> = (0..k * n)
        .map(|i| ((i * 104729) % 997) as f32 / 997.0 - 0.5)
        .collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut c = vec![0.0f32; m * n];
        let bm = MatRef::row_major(&b, k, n);
        pool.install(|| kernels::sgemm(MatRef::row_major(&a, m, k), bm, &mut c, false));
        c
    };
    let one = run(1);
    for threads in [2, 3, 5] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
    // Wide C (m < n) is split by columns instead: also identical.
    let (m2, n2) = (20, 700);
    let a2 = &a[..m2 * k];
    let b2: Vec<f32> = (0..k * n2).map(|i| (i % 17) as f32 - 8.0).collect();
    let wide = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut c = vec![0.0f32; m2 * n2];
        pool.install(|| {
            kernels::sgemm(
                MatRef::row_major(a2, m2, k),
                MatRef::row_major(&b2, k, n2),
                &mut c,
                false,
            )
        });
        c
    };
    let w1 = wide(1);
    assert_eq!(wide(2), w1);
    assert_eq!(wide(4), w1);
}

#[test]
fn sgemm_matches_hand_computed_values() {
    // [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]]; then += the same again.
    let a = [1.0, 2.0, 3.0, 4.0];
    let b = [5.0, 6.0, 7.0, 8.0];
    let mut c = [0.0f32; 4];
    let (am, bm) = (MatRef::row_major(&a, 2, 2), MatRef::row_major(&b, 2, 2));
    kernels::sgemm(am, bm, &mut c, false);
    assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
    kernels::sgemm_serial(am, bm, &mut c, true);
    assert_eq!(c, [38.0, 44.0, 86.0, 100.0]);
    // Aᵀ·B through a view: [[1, 3], [2, 4]] · B = [[26, 30], [38, 44]].
    kernels::sgemm(am.t(), bm, &mut c, false);
    assert_eq!(c, [26.0, 30.0, 38.0, 44.0]);
    // k = 0: C = 0, or unchanged when accumulating.
    let empty: [f32; 0] = [];
    let mut c = [7.0f32; 6];
    let (a0, b0) = (
        MatRef::row_major(&empty, 2, 0),
        MatRef::row_major(&empty, 0, 3),
    );
    kernels::sgemm(a0, b0, &mut c, true);
    assert_eq!(c, [7.0; 6]);
    kernels::sgemm(a0, b0, &mut c, false);
    assert_eq!(c, [0.0; 6]);
}

#[test]
fn elementwise_contracts() {
    let mut x = [-1.0, 0.5, -0.0, f32::NAN, 3.0];
    kernels::relu_inplace(&mut x);
    assert_eq!(&x[..3], &[0.0, 0.5, 0.0]);
    assert!(x[2].is_sign_negative() && x[3].is_nan() && x[4] == 3.0);

    let mut y = [1.0, 2.0, 3.0];
    kernels::axpy(2.0, &[10.0, 20.0, 30.0], &mut y);
    assert_eq!(y, [21.0, 42.0, 63.0]);

    // (2, 3) + bias over columns.
    let mut c = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    kernels::add_bias_rows(&mut c, &[10.0, 20.0, 30.0]);
    assert_eq!(c, [10.0, 21.0, 32.0, 13.0, 24.0, 35.0]);
    // (2 channels, 3 positions) + bias per channel.
    let mut c = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    kernels::add_bias_channels(&mut c, &[10.0, 20.0]);
    assert_eq!(c, [10.0, 11.0, 12.0, 23.0, 24.0, 25.0]);
}

#[test]
fn bench_reports_positive_throughput() {
    let t0 = std::time::Instant::now();
    let now = move || t0.elapsed().as_secs_f64() * 1e3;
    let g = bench::gemm_gflops(48, 3, &now);
    assert!(g.is_finite() && g > 0.0);
    assert_eq!(bench::gemm_gflops(0, 3, &now), 0.0);
    assert_eq!(bench::gemm_times_ms(Isa::Scalar, 16, 4, &now).len(), 4);
}
