//! `nnbook bench`: the native reference figures of `make bench` — GEMM GFLOP/s, the CIFAR-10
//! model's training and inference speed and per-layer times, on one thread and on all threads,
//! and the peak memory of training at batch 64 with the 10,000-image subset loaded.
//!
//! Prints a readable report, then the same figures as one JSON line (`{"native": ...}`).
//! Speeds are medians of several timed runs after warm-up; on a shared machine compare ratios
//! within one run, not figures across runs.

use crate::data::{Augment, DataLoader, Dataset, LoaderConfig, Normalize};
use crate::kernels::{self, bench, Isa};
use crate::train::{TrainConfig, Trainer};
use crate::Tensor;
use serde::Serialize;
use std::time::Instant;

/// The usage text of `nnbook bench`.
pub const USAGE: &str = "usage: nnbook bench [--reps N] [--steps N] [--data PATH]
  --reps N     timed GEMM runs per size (default 7)
  --steps N    timed training/inference steps per thread count (default 10)
  --data PATH  CIFAR-10 .nnbd file (default www/data/cifar10-train.nnbd; run `make data`)";

/// What `nnbook bench` measures.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    pub reps: usize,
    pub steps: usize,
    pub data: std::path::PathBuf,
}

impl BenchOptions {
    /// Parses the arguments after `bench`.
    ///
    /// # Errors
    /// A message with the usage text for an unknown flag or a bad number.
    pub fn from_args(args: &[String]) -> Result<BenchOptions, String> {
        let mut o = BenchOptions {
            reps: 7,
            steps: 10,
            data: "www/data/cifar10-train.nnbd".into(),
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
            let count = || {
                value
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| (1..=10_000).contains(&n))
                    .ok_or_else(|| format!("{flag}: expected a count in 1..=10000, got '{value}'"))
            };
            match flag.as_str() {
                "--reps" => o.reps = count()?,
                "--steps" => o.steps = count()?,
                "--data" => o.data = value.into(),
                _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
            }
        }
        Ok(o)
    }
}

#[derive(Serialize)]
struct GemmRow {
    threads: usize,
    n: usize,
    kernel: &'static str,
    gflops_best: f64,
    gflops_median: f64,
}

#[derive(Serialize)]
struct LayerRow {
    layer: String,
    fwd_ms: f64,
    bwd_ms: f64,
    /// `Module::infer` (eval-mode inference path, e.g. Winograd convolutions).
    infer_ms: f64,
}

#[derive(Serialize)]
struct ModelRow {
    threads: usize,
    train_images_per_s: f64,
    infer_images_per_s: f64,
    latency_b1_ms: f64,
    layers: Vec<LayerRow>,
}

#[derive(Serialize)]
struct Report {
    kernel: &'static str,
    threads_available: usize,
    gemm: Vec<GemmRow>,
    model: Vec<ModelRow>,
    /// Peak resident memory (Linux `VmHWM`) after training on the loaded subset.
    peak_rss_bytes: Option<u64>,
    train_subset_images: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t0 = Instant::now();
    let v = f();
    (v, t0.elapsed().as_secs_f64() * 1e3)
}

fn gemm_rows(threads: usize, reps: usize) -> Vec<GemmRow> {
    let epoch = Instant::now();
    let now = move || epoch.elapsed().as_secs_f64() * 1e3;
    [256, 512, 1024]
        .into_iter()
        .map(|n| {
            let reps = if n == 1024 { reps.div_ceil(2) } else { reps };
            let ms = bench::gemm_times_ms(Isa::chosen(), n, reps, &now);
            GemmRow {
                threads,
                n,
                kernel: kernels::gemm_kernel_name(),
                gflops_best: bench::gflops(n, ms[0]),
                gflops_median: bench::gflops(n, ms[ms.len() / 2]),
            }
        })
        .collect()
}

fn model_row(threads: usize, x: &Tensor, labels: &[i64], steps: usize) -> crate::Result<ModelRow> {
    let mut t: Trainer = TrainConfig::default().build_cifar10_trainer()?;
    for _ in 0..2 {
        t.train_step(x, labels)?;
    }
    let mut train = Vec::new();
    for _ in 0..steps {
        let (r, ms) = timed(|| t.train_step(x, labels));
        r?;
        train.push(ms);
    }
    let mut infer = Vec::new();
    for _ in 0..steps {
        let (r, ms) = timed(|| t.predict(x));
        r?;
        infer.push(ms);
    }
    let one = Tensor::from_vec(&[1, 3, 32, 32], x.data()[..3 * 32 * 32].to_vec())?;
    let mut lat = Vec::new();
    for _ in 0..50 {
        let (r, ms) = timed(|| t.predict(&one));
        r?;
        lat.push(ms);
    }
    let mut layers = Vec::new();
    let mut act = x.clone();
    for layer in t.model.layers_mut() {
        let (mut fwd, mut bwd, mut inf) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
        let mut y = act.clone();
        for _ in 0..3 {
            layer.set_training(false);
            let (r, ms) = timed(|| layer.infer(&act));
            layer.set_training(true);
            r?;
            inf = inf.min(ms);
            let (r, ms) = timed(|| layer.forward(&act));
            y = r?;
            fwd = fwd.min(ms);
            let g = Tensor::ones(y.shape())?;
            let (r, ms) = timed(|| layer.backward(&g));
            r?;
            bwd = bwd.min(ms);
        }
        layers.push(LayerRow {
            layer: layer.repr(0),
            fwd_ms: fwd,
            infer_ms: inf,
            bwd_ms: bwd,
        });
        act = y;
    }
    let n = labels.len() as f64;
    Ok(ModelRow {
        threads,
        train_images_per_s: n / median(train) * 1e3,
        infer_images_per_s: n / median(infer) * 1e3,
        latency_b1_ms: median(lat),
        layers,
    })
}

/// Peak resident set size of this process (Linux), in bytes.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs the benchmark and prints the report.
///
/// # Errors
/// A message when the data file is missing or malformed, or a core error.
pub fn run(o: &BenchOptions) -> Result<(), String> {
    let file = o.data.display().to_string();
    let bytes =
        std::fs::read(&o.data).map_err(|e| format!("{file}: {e} (run `make data` first)"))?;
    let ds = Dataset::decode(&bytes, &file).map_err(|e| e.to_string())?;
    drop(bytes);
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "nnbook bench (native): kernel {}, {all} threads available, {} training images loaded",
        kernels::gemm_kernel_name(),
        ds.len()
    );
    let batch_cfg = LoaderConfig::new(64)
        .with_shuffle(false)
        .with_normalize(Some(Normalize::cifar10()));
    let mut loader = DataLoader::new(&ds, batch_cfg).map_err(|e| e.to_string())?;
    let batch = loader
        .next_batch()
        .ok_or("the data file has no images")?
        .map_err(|e| e.to_python_string())?;
    let mut report = Report {
        kernel: kernels::gemm_kernel_name(),
        threads_available: all,
        gemm: Vec::new(),
        model: Vec::new(),
        peak_rss_bytes: None,
        train_subset_images: ds.len(),
    };
    let mut thread_counts = vec![1];
    if all > 1 {
        thread_counts.push(all);
    }
    for &threads in &thread_counts {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| e.to_string())?;
        pool.install(|| -> Result<(), String> {
            report.gemm.extend(gemm_rows(threads, o.reps));
            let row = model_row(threads, &batch.x, &batch.labels, o.steps)
                .map_err(|e| e.to_python_string())?;
            report.model.push(row);
            Ok(())
        })?;
    }
    // Memory: one epoch-worth of steps over the loaded subset with augmentation, batch 64.
    let mut t = TrainConfig::default()
        .build_cifar10_trainer()
        .map_err(|e| e.to_python_string())?;
    let cfg = LoaderConfig::new(64)
        .with_seed(0)
        .with_augment(Augment::CIFAR10)
        .with_normalize(Some(Normalize::cifar10()));
    let mut loader = DataLoader::new(&ds, cfg).map_err(|e| e.to_string())?;
    for _ in 0..o.steps.min(loader.len()) {
        let Some(b) = loader.next_batch() else { break };
        let b = b.map_err(|e| e.to_python_string())?;
        t.train_step(&b.x, &b.labels)
            .map_err(|e| e.to_python_string())?;
        loader.recycle(b);
    }
    report.peak_rss_bytes = peak_rss_bytes();
    print_report(&report);
    println!(
        "{}",
        serde_json::json!({ "native": serde_json::to_value(&report).unwrap_or_default() })
    );
    Ok(())
}

fn print_report(r: &Report) {
    println!("GEMM GFLOP/s (best / median):");
    for g in &r.gemm {
        println!(
            "  {} thread(s) {:>4}³: {:6.1} / {:6.1}",
            g.threads, g.n, g.gflops_best, g.gflops_median
        );
    }
    for m in &r.model {
        println!(
            "CIFAR-10 model, {} thread(s), batch 64: training {:.0} img/s, inference {:.0} img/s, batch-1 latency {:.3} ms",
            m.threads, m.train_images_per_s, m.infer_images_per_s, m.latency_b1_ms
        );
        println!("  forward / backward / infer per layer:");
        for l in &m.layers {
            println!(
                "  {:7.2} / {:7.2} / {:7.2} ms  {}",
                l.fwd_ms, l.bwd_ms, l.infer_ms, l.layer
            );
        }
    }
    if let [one, all, ..] = &r.model[..] {
        println!(
            "{} threads ÷ 1 thread: training {:.2}×, inference {:.2}×",
            all.threads,
            all.train_images_per_s / one.train_images_per_s,
            all.infer_images_per_s / one.infer_images_per_s
        );
    }
    if let Some(b) = r.peak_rss_bytes {
        println!(
            "peak memory (VmHWM) training at batch 64 with {} images loaded: {:.1} MB",
            r.train_subset_images,
            b as f64 / 1e6
        );
    }
}
