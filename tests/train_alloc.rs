//! How much the CIFAR-10 training step allocates once warm: counted with a counting global
//! allocator around steps 3..6 of the same batch (batch 64, one rayon thread).
//!
//! Before the buffer pool a warm step made ~174 allocations (~38.6 MB): layer outputs, input
//! gradients, cached input clones, parameter-gradient temporaries, parameter names. Now tensor
//! storage is recycled through `nnbook::tensor::pool`, layers reuse their cached input's
//! storage and the optimizers step without temporaries, so a warm step allocates nothing, with
//! SGD (plain, or momentum + weight decay with ReLUs) and with Adam. The pool must not grow
//! across steps, and the losses must not depend on it (same bits with pooling off).
#![cfg(not(target_arch = "wasm32"))]

use nnbook::tensor::pool;
use nnbook::train::TrainConfig;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(l.size(), Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The counters are process-wide: the tests of this file run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn one_thread<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(f)
}

fn batch() -> (nnbook::Tensor, Vec<i64>) {
    let data = (0..64 * 3 * 32 * 32)
        .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5)
        .collect();
    let x = nnbook::Tensor::from_vec(&[64, 3, 32, 32], data).unwrap();
    (x, (0..64).map(|i| i % 10).collect())
}

/// Allocations and bytes per warm step, and the pool's size after steps 3 and 6.
fn warm_step_figures(config: &str) -> (usize, usize, usize, usize) {
    let config: TrainConfig = serde_json::from_str(config).unwrap();
    one_thread(|| {
        let mut t = config.build_cifar10_trainer().unwrap();
        let (x, labels) = batch();
        for _ in 0..3 {
            t.train_step(&x, &labels).unwrap();
        }
        let pooled_before = pool::pooled_bytes();
        let (a0, b0) = (ALLOCS.load(Ordering::SeqCst), BYTES.load(Ordering::SeqCst));
        for _ in 0..3 {
            t.train_step(&x, &labels).unwrap();
        }
        let (a, b) = (
            ALLOCS.load(Ordering::SeqCst) - a0,
            BYTES.load(Ordering::SeqCst) - b0,
        );
        (a / 3, b / 3, pooled_before, pool::pooled_bytes())
    })
}

#[test]
fn warm_training_step_allocates_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for config in [
        r#"{}"#,
        r#"{"optimizer":"sgd","lr":0.05,"momentum":0.9,"weight_decay":0.01,"relu":true}"#,
        r#"{"optimizer":"adam","lr":0.001}"#,
    ] {
        let (a, b, pooled_before, pooled_after) = warm_step_figures(config);
        println!(
            "{config}: per step {a} allocations, {b} bytes; pool {pooled_before} -> {pooled_after} bytes"
        );
        assert_eq!(a, 0, "{config}: a warm training step made {a} allocations");
        assert_eq!(b, 0, "{config}: a warm training step allocated {b} bytes");
        assert_eq!(pooled_before, pooled_after, "{config}: the pool grew");
        assert!(pooled_after <= pool::limit_bytes());
    }
}

#[test]
fn losses_do_not_depend_on_the_pool() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let config: TrainConfig =
        serde_json::from_str(r#"{"optimizer":"sgd","lr":0.05,"momentum":0.9,"relu":true}"#)
            .unwrap();
    let run = || {
        one_thread(|| {
            let mut t = config.build_cifar10_trainer().unwrap();
            let (x, labels) = batch();
            let losses: Vec<u32> = (0..3)
                .map(|_| t.train_step(&x, &labels).unwrap().to_bits())
                .collect();
            (losses, t.evaluate(&x, &labels).unwrap().loss.to_bits())
        })
    };
    let pooled = run();
    let limit = pool::limit_bytes();
    pool::set_limit_bytes(0);
    let unpooled = run();
    pool::set_limit_bytes(limit);
    assert_eq!(pooled, unpooled);
}
