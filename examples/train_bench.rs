//! Training-step speed of the CIFAR-10 model natively:
//! `cargo run --release --example train_bench [steps] [path.nnbd]`.
//!
//! With `NO_INPUT_GRAD=1` the model is built by hand (same layers, same seed, same weights)
//! with `input_grad = false` on the first conv, to show what skipping its unused `dx` saves.
//!
//! Builds `cifar10_model(false)` (seed 0, SGD lr 0.01), takes the first 64 images of a CIFAR-10
//! `.nnbd` file (default `www/data/cifar10-train.nnbd`, falling back to the test split),
//! normalised, and prints training images/s, inference images/s at batch 64, batch-1 latency
//! and per-layer forward/backward times (best of 3). Uses rayon's default pool (set
//! `RAYON_NUM_THREADS=1` for one thread).
//!
//! Native only: on wasm32 `main` does nothing.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use nnbook::data::{DataLoader, Dataset, LoaderConfig, Normalize};
    use nnbook::nn::{Conv2d, Flatten, Linear, MaxPool2d, Module, Sequential};
    use nnbook::train::TrainConfig;
    use nnbook::Tensor;
    use std::time::Instant;

    fn load(path: Option<String>) -> Dataset {
        let candidates = match path {
            Some(p) => vec![p],
            None => vec![
                "www/data/cifar10-train.nnbd".to_string(),
                "/work/main/www/data/cifar10-train.nnbd".to_string(),
                "www/data/cifar10-test.nnbd".to_string(),
                "/work/main/www/data/cifar10-test.nnbd".to_string(),
            ],
        };
        for p in &candidates {
            if let Ok(bytes) = std::fs::read(p) {
                println!("data: {p}");
                return Dataset::decode(&bytes, p).expect("a valid .nnbd file");
            }
        }
        panic!("no CIFAR-10 .nnbd file found (run `make data`): tried {candidates:?}");
    }

    /// `cifar10_model(false)` with `input_grad = false` on the first conv.
    fn first_conv_without_input_grad() -> Sequential {
        let mut layers: Vec<Box<dyn Module>> = Vec::new();
        for (i, (cin, cout)) in [(3, 32), (32, 32), (32, 64)].into_iter().enumerate() {
            let mut conv = Conv2d::new(cin, cout, [5, 5], [1, 1], [2, 2], true);
            conv.input_grad = i > 0;
            layers.push(Box::new(conv));
            layers.push(Box::new(MaxPool2d::from_kernel(2)));
        }
        layers.push(Box::new(Flatten::new(1, -1)));
        layers.push(Box::new(Linear::new(1024, 64, true)));
        layers.push(Box::new(Linear::new(64, 10, true)));
        Sequential::new(layers)
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    }

    pub fn main() {
        let mut args = std::env::args().skip(1);
        let steps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
        let ds = load(args.next());
        let cfg = LoaderConfig::new(64)
            .with_shuffle(false)
            .with_normalize(Some(Normalize::cifar10()));
        let mut loader = DataLoader::new(&ds, cfg).expect("loader");
        let batch = loader.next_batch().expect("one batch").expect("batch");
        let (x, labels) = (batch.x, batch.labels);
        let n = labels.len();
        println!(
            "threads: {}, kernel: {}, batch {n}",
            nnbook::parallel::current_num_threads(),
            nnbook::kernels::gemm_kernel_name()
        );

        let cfg = TrainConfig::default();
        let mut t = cfg.build_cifar10_trainer().expect("trainer");
        if std::env::var("NO_INPUT_GRAD").is_ok_and(|v| v == "1") {
            nnbook::rng::manual_seed(cfg.seed);
            t.model = first_conv_without_input_grad();
            println!("first conv: input_grad = false");
        }
        for _ in 0..2 {
            t.train_step(&x, &labels).expect("step");
        }
        let mut times = Vec::new();
        let mut losses = Vec::new();
        for _ in 0..steps {
            let t0 = Instant::now();
            losses.push(t.train_step(&x, &labels).expect("step"));
            times.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        let train_ms = median(times);
        let mut times = Vec::new();
        for _ in 0..steps {
            let t0 = Instant::now();
            t.predict(&x).expect("predict");
            times.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        let infer_ms = median(times);
        let one = Tensor::from_vec(&[1, 3, 32, 32], x.data()[..3 * 32 * 32].to_vec()).unwrap();
        let mut lat = Vec::new();
        for _ in 0..50 {
            let t0 = Instant::now();
            t.predict(&one).expect("predict");
            lat.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "train: {train_ms:.2} ms/step = {:.1} img/s; infer: {infer_ms:.2} ms = {:.1} img/s; \
             batch-1 latency {:.3} ms",
            n as f64 / train_ms * 1e3,
            n as f64 / infer_ms * 1e3,
            median(lat)
        );
        println!("losses: {losses:?}");

        let mut act = x.clone();
        let mut total = (0.0, 0.0);
        for layer in t.model.layers_mut() {
            let (mut fwd, mut bwd) = (f64::INFINITY, f64::INFINITY);
            let mut y = None;
            for _ in 0..3 {
                let t0 = Instant::now();
                let yy = layer.forward(&act).expect("forward");
                fwd = fwd.min(t0.elapsed().as_secs_f64() * 1e3);
                let g = Tensor::ones(yy.shape()).unwrap();
                let t0 = Instant::now();
                layer.backward(&g).expect("backward");
                bwd = bwd.min(t0.elapsed().as_secs_f64() * 1e3);
                y = Some(yy);
            }
            total = (total.0 + fwd, total.1 + bwd);
            println!("  {fwd:7.2} / {bwd:7.2} ms  {}", layer.repr(0));
            act = y.unwrap();
        }
        println!("  {:7.2} / {:7.2} ms  total", total.0, total.1);
        t.model.zero_grad();
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}
