//! The threaded package in a dedicated worker: `initThreadPool(2)` starts a real pool of two
//! threads, work really runs on both at once, and results equal the serial kernel's.
//! (Its own test binary: no rayon call may run before the pool starts.)
#![cfg(all(target_arch = "wasm32", target_feature = "atomics"))]

use nnbook::kernels::{self, MatRef};
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn pool_of_two_threads_runs_concurrently_and_matches_serial() {
    JsFuture::from(nnbook::wasm::init_thread_pool(2))
        .await
        .expect("initThreadPool(2)");
    const { assert!(nnbook::parallel::IS_PARALLEL_BUILD) };
    assert_eq!(nnbook::parallel::current_num_threads(), 2);

    // Two tasks that each wait (bounded) until both have arrived: only a real second thread
    // can make both see the other.
    let arrived = AtomicUsize::new(0);
    let saw_other = nnbook::parallel::map_range(2, |_| {
        arrived.fetch_add(1, Ordering::SeqCst);
        let t0 = js_sys::Date::now();
        while arrived.load(Ordering::SeqCst) < 2 {
            if js_sys::Date::now() - t0 > 5000.0 {
                return (false, nnbook::parallel::thread_index());
            }
        }
        (true, nnbook::parallel::thread_index())
    });
    assert!(
        saw_other.iter().all(|(ok, _)| *ok),
        "tasks did not run concurrently: {saw_other:?}"
    );
    assert_ne!(saw_other[0].1, saw_other[1].1, "both tasks on one thread");

    // The pooled GEMM equals the serial kernel (rows are split, never the sums).
    let (m, k, n) = (97, 61, 45);
    let a: Vec<f32> = (0..m * k)
        .map(|i| ((i * 37 % 101) as f32) / 50.0 - 1.0)
        .collect();
    let b: Vec<f32> = (0..k * n)
        .map(|i| ((i * 53 % 89) as f32) / 40.0 - 1.0)
        .collect();
    let mut pooled = vec![0.0; m * n];
    kernels::sgemm(
        MatRef::row_major(&a, m, k),
        MatRef::row_major(&b, k, n),
        &mut pooled,
        false,
    );
    let mut serial = vec![0.0; m * n];
    kernels::sgemm_serial(
        MatRef::row_major(&a, m, k),
        MatRef::row_major(&b, k, n),
        &mut serial,
        false,
    );
    assert_eq!(pooled, serial);
}
