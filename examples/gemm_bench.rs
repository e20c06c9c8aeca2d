//! GEMM throughput natively: `cargo run --release --example gemm_bench [reps]`.
//!
//! Prints GFLOP/s (best and median of `reps` runs, default 7) at 256³, 512³ and 1024³ for the naive
//! scalar loop, the packed scalar twin and the dispatched kernel, on 1 thread and on all
//! threads (each in its own rayon pool).
//!
//! Native only: on wasm32 (where `cargo test` also builds examples) `main` does nothing.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use nnbook::kernels::{self, bench, Isa, MatRef};
    use std::time::Instant;

    pub fn main() {
        let reps: usize = std::env::args()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(7)
            .max(1);
        let epoch = Instant::now();
        let now = move || epoch.elapsed().as_secs_f64() * 1e3;
        let all = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "dispatched kernel: {}, threads available: {all}",
            kernels::gemm_kernel_name()
        );
        println!("GFLOP/s from wall-clock time (best, median); `cpu`: from the pool thread's");
        println!("on-CPU time (mean; 1 thread, n >= 512, Linux /proc/thread-self/schedstat), i.e.");
        println!("the kernel's speed while other processes share the core.");
        println!(
            "{:>6} {:>8} {:>14} {:>8} {:>8} {:>8}",
            "n", "threads", "kernel", "best", "median", "cpu"
        );
        for threads in [1, all] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("rayon pool");
            pool.install(|| {
                for n in [256, 512, 1024] {
                    let reps_n = if n == 1024 { reps.div_ceil(2) } else { reps };
                    if threads == 1 && n <= 512 {
                        let g = naive_gflops(n, &now);
                        println!("{n:>6} {threads:>8} {:>14} {g:>8.2}", "naive scalar");
                    }
                    for isa in [Isa::Scalar, Isa::chosen()] {
                        let ms = bench::gemm_times_ms(isa, n, reps_n, &now);
                        let best = bench::gflops(n, ms[0]);
                        let median = bench::gflops(n, ms[ms.len() / 2]);
                        let name = format!("packed {}", isa.name());
                        let cpu = match thread_cpu_ms() {
                            Some(_) if threads == 1 && n >= 512 => {
                                let now = || thread_cpu_ms().unwrap_or(0.0);
                                let ms = bench::gemm_times_ms(isa, n, 2 * reps_n, &now);
                                let mean = ms.iter().sum::<f64>() / ms.len() as f64;
                                format!("{:>8.2}", bench::gflops(n, mean))
                            }
                            _ => String::new(),
                        };
                        println!("{n:>6} {threads:>8} {name:>14} {best:>8.2} {median:>8.2} {cpu}");
                    }
                }
            });
        }
    }

    /// On-CPU time of the calling thread in milliseconds (Linux only).
    fn thread_cpu_ms() -> Option<f64> {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
        Some(ns / 1e6)
    }

    /// The naive triple loop (`kernels::scalar::sgemm`), one timed run after a warm-up.
    fn naive_gflops(n: usize, now: &dyn Fn() -> f64) -> f64 {
        let a: Vec<f32> = (0..n * n).map(|i| (i % 13) as f32 / 8.0).collect();
        let b: Vec<f32> = (0..n * n).map(|i| (i % 11) as f32 / 8.0).collect();
        let mut c = vec![0.0; n * n];
        let (am, bm) = (MatRef::row_major(&a, n, n), MatRef::row_major(&b, n, n));
        kernels::scalar::sgemm(am, bm, &mut c, false);
        let t0 = now();
        kernels::scalar::sgemm(am, bm, &mut c, false);
        bench::gflops(n, now() - t0)
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
