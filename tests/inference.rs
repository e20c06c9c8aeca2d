//! `Module::infer` (the inference path: Winograd convolutions, nothing cached) agrees with
//! `forward` in eval mode on the CIFAR-10 model, follows weight updates, and reports the same
//! errors.
#![cfg(not(target_arch = "wasm32"))]

use nnbook::nn::Module;
use nnbook::train::TrainConfig;
use nnbook::Tensor;

fn images(n: usize, seed: u32) -> Tensor {
    let mut s = seed.wrapping_mul(747796405).wrapping_add(2891336453);
    let data = (0..n * 3 * 32 * 32)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s % 1000) as f32 / 500.0 - 1.0
        })
        .collect();
    Tensor::from_vec(&[n, 3, 32, 32], data).unwrap()
}

fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
    assert_eq!(a.shape(), b.shape());
    a.data()
        .iter()
        .zip(b.data())
        .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()))
}

fn eval_forward(t: &mut nnbook::train::Trainer, x: &Tensor) -> Tensor {
    t.model.set_training(false);
    let y = t.model.forward(x).unwrap();
    t.model.set_training(true);
    y
}

#[test]
fn predict_matches_eval_forward_for_any_batch_size() {
    let mut t = TrainConfig::default().build_cifar10_trainer().unwrap();
    for n in [1, 3, 17, 64] {
        let x = images(n, n as u32);
        let want = eval_forward(&mut t, &x);
        let got = t.predict(&x).unwrap();
        let scale = want.data().iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let d = max_diff(&got, &want);
        assert!(
            d <= 1e-4 * scale.max(1.0),
            "batch {n}: max diff {d} (scale {scale})"
        );
    }
}

#[test]
fn predict_follows_weight_updates() {
    let mut t = TrainConfig::default().build_cifar10_trainer().unwrap();
    let x = images(8, 7);
    let labels: Vec<i64> = (0..8).collect();
    let before = t.predict(&x).unwrap();
    for _ in 0..3 {
        t.train_step(&x, &labels).unwrap();
    }
    let after = t.predict(&x).unwrap();
    let want = eval_forward(&mut t, &x);
    assert!(
        max_diff(&after, &before) > 1e-4,
        "the update changed nothing"
    );
    assert!(max_diff(&after, &want) <= 1e-4, "stale transformed weights");
}

#[test]
fn infer_reports_forwards_errors() {
    let mut t = TrainConfig::default().build_cifar10_trainer().unwrap();
    let x = Tensor::zeros(&[2, 1, 32, 32]).unwrap();
    let want = t.model.forward(&x).unwrap_err().to_string();
    let got = t.predict(&x).unwrap_err().to_string();
    assert_eq!(got, want);
    assert!(
        got.contains("expected input[2, 1, 32, 32] to have 3 channels"),
        "{got}"
    );
    // a wrong size only the second convolution (the Winograd one) sees
    let x = Tensor::zeros(&[2, 3, 4, 4]).unwrap();
    assert_eq!(
        t.predict(&x).unwrap_err().to_string(),
        t.model.forward(&x).unwrap_err().to_string()
    );
}

#[test]
fn batches_split_over_a_pool_give_the_same_logits_and_errors() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    pool.install(|| {
        let mut t = TrainConfig {
            relu: true,
            ..TrainConfig::default()
        }
        .build_cifar10_trainer()
        .unwrap();
        // 3 threads: parts of 22, 22 and 20 images
        let x = images(64, 11);
        let want = eval_forward(&mut t, &x);
        let got = t.predict(&x).unwrap();
        assert!(max_diff(&got, &want) <= 1e-4, "{}", max_diff(&got, &want));
        // the same on one thread, bit for bit: the parts run the same kernels
        let serial = nnbook::parallel::serial(|| t.predict(&x).unwrap());
        assert_eq!(got.data(), serial.data());
        // a bad batch names the whole batch, as forward does
        let bad = Tensor::zeros(&[64, 1, 32, 32]).unwrap();
        assert_eq!(
            t.predict(&bad).unwrap_err().to_string(),
            t.model.forward(&bad).unwrap_err().to_string()
        );
    });
}

#[test]
fn a_model_that_mixes_the_batch_is_not_split() {
    use nnbook::nn::{Conv2d, Flatten, Linear, Sequential};
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        nnbook::rng::manual_seed(0);
        // a convolution (enough work for predict to consider splitting), then the "flatten
        // the whole batch" mistake: Flatten(0) and a Linear over all 16 images at once
        let model = Sequential::new(vec![
            Box::new(Conv2d::new(3, 32, [5, 5], [1, 1], [2, 2], true)),
            Box::new(Flatten::new(0, -1)),
            Box::new(Linear::new(16 * 32 * 32 * 32, 2, true)),
        ]);
        let opt = nnbook::train::Optimizer::sgd(nnbook::optim::SgdConfig::default()).unwrap();
        let mut t = nnbook::train::Trainer::new(model, opt);
        let x = images(16, 3);
        assert!(t.model.mult_adds(x.shape()) >= nnbook::train::SERIAL_MAX_MULT_ADDS);
        let want = eval_forward(&mut t, &x);
        let got = t.predict(&x).unwrap();
        assert_eq!(got.shape(), &[2]);
        assert!(max_diff(&got, &want) <= 1e-4, "{}", max_diff(&got, &want));
    });
}
