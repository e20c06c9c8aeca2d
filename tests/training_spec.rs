//! The layer editor's "train this model": a run whose model is a layer spec trains on real
//! CIFAR-10 images with the same loop as the CIFAR-10 model (the loss falls), resumes from its
//! checkpoint with the spec inside, and refuses a model that cannot classify CIFAR-10 images
//! with a message that names the problem. Needs `make data` (www/data).

use nnbook::data::Dataset;
use nnbook::nn::spec::parse_spec;
use nnbook::training::{RunConfig, TrainRun};

fn load(name: &str) -> Dataset {
    let path = format!("{}/www/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run `make data`)"));
    Dataset::decode(&bytes, name).unwrap()
}

fn spec(json: &str) -> RunConfig {
    RunConfig {
        optimizer: "adam".into(),
        lr: 3e-3,
        batch_size: 16,
        train_size: 64,
        epochs: 2,
        seed: 1,
        normalize: true,
        layers: Some(parse_spec(json).unwrap()),
        ..RunConfig::default()
    }
}

const SMALL: &str = r#"[{"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1},
  {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 4}, {"type": "Flatten"},
  {"type": "Linear", "in_features": 512, "out_features": 10}]"#;

#[test]
fn a_spec_model_trains_and_resumes_from_its_checkpoint() {
    let mut r = TrainRun::new(spec(SMALL)).unwrap();
    r.set_train(load("cifar10-train.nnbd"), false).unwrap();
    let test = load("cifar10-test.nnbd");
    r.set_test(test.select("test", &(0..100).collect::<Vec<_>>()).unwrap())
        .unwrap();
    assert_eq!(r.status()["parameters"], 8 * 27 + 8 + 512 * 10 + 10);
    let mut losses = Vec::new();
    loop {
        let rep = r.steps(16).unwrap();
        losses.extend(rep.losses);
        if rep.epoch_done {
            break;
        }
    }
    let rec = r.finish_epoch().unwrap();
    assert!((0.0..=1.0).contains(&rec.test_accuracy));
    assert_eq!(losses.len(), 4);
    // The checkpoint carries the spec: a fresh run restored from it continues identically.
    let bytes = r.export_state();
    let mut again = TrainRun::new(RunConfig::default()).unwrap();
    again.set_train(load("cifar10-train.nnbd"), false).unwrap();
    again.import_state(&bytes, "checkpoint").unwrap();
    assert_eq!(again.config().layers, r.config().layers);
    assert_eq!(again.steps(2).unwrap().losses, r.steps(2).unwrap().losses);
    // A few epochs on 64 images: the loss falls.
    let mut more = TrainRun::new(RunConfig {
        epochs: 8,
        ..spec(SMALL)
    })
    .unwrap();
    more.set_train(load("cifar10-train.nnbd"), false).unwrap();
    let mut all = Vec::new();
    for _ in 0..8 {
        loop {
            let rep = more.steps(16).unwrap();
            all.extend(rep.losses);
            if rep.epoch_done {
                break;
            }
        }
        more.set_test(
            load("cifar10-test.nnbd")
                .select("t", &[0, 1, 2, 3])
                .unwrap(),
        )
        .unwrap();
        more.finish_epoch().unwrap();
    }
    let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len() as f32;
    assert!(
        mean(&all[all.len() - 4..]) < mean(&all[..4]) * 0.8,
        "{all:?}"
    );
}

#[test]
fn a_model_that_cannot_classify_cifar10_is_refused_by_name() {
    let wide =
        r#"[{"type": "Flatten"}, {"type": "Linear", "in_features": 3072, "out_features": 64}]"#;
    let e = TrainRun::new(spec(wide)).err().unwrap().to_python_string();
    assert_eq!(e, "ValueError: the model's output for a batch of 1 image is [1, 64], but training on CIFAR-10 needs [1, 10] (one score per class): end with nn.Linear(…, 10)");
    let broken = r#"[{"type": "Linear", "in_features": 3072, "out_features": 10}]"#;
    let e = TrainRun::new(spec(broken))
        .err()
        .unwrap()
        .to_python_string();
    assert!(
        e.starts_with(
            "ValueError: the model cannot run on CIFAR-10 images: layer 0 (RuntimeError: "
        ),
        "{e}"
    );
}
