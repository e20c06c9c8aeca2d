//! The resumable training run the browser worker drives: real CIFAR-10 images, the loss
//! falls, it equals the CLI's loop (Trainer + DataLoader) step for step, checkpoints resume
//! bit-exactly, evaluation is consistent. Needs `make data` (www/data).

use nnbook::data::{DataLoader, Dataset};
use nnbook::training::{RunConfig, TrainRun};

fn load(name: &str) -> Dataset {
    let path = format!("{}/www/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run `make data`)"));
    Dataset::decode(&bytes, name).unwrap()
}

fn config(optimizer: &str) -> RunConfig {
    RunConfig {
        optimizer: optimizer.into(),
        lr: if optimizer == "adam" { 2e-3 } else { 0.05 },
        momentum: if optimizer == "sgd" { 0.9 } else { 0.0 },
        batch_size: 16,
        train_size: 64,
        epochs: 3,
        seed: 3,
        normalize: true,
        ..RunConfig::default()
    }
}

fn run(cfg: RunConfig) -> TrainRun {
    let mut r = TrainRun::new(cfg).unwrap();
    r.set_train(load("cifar10-train.nnbd"), false).unwrap();
    let test = load("cifar10-test.nnbd");
    let small = test.select("test", &(0..100).collect::<Vec<_>>()).unwrap();
    r.set_test(small).unwrap();
    r
}

#[test]
fn losses_equal_the_cli_loop_and_fall() {
    // Augmentation on: the crops and flips must match the DataLoader's too.
    let cfg = RunConfig {
        augment: true,
        lr: 3e-3,
        ..config("adam")
    };
    let mut r = run(cfg.clone());
    let mut got = Vec::new();
    for _ in 0..3 {
        loop {
            let rep = r.steps(3).unwrap();
            got.extend(rep.losses);
            if rep.epoch_done {
                break;
            }
        }
        let rec = r.finish_epoch().unwrap();
        assert!((0.0..=1.0).contains(&rec.test_accuracy));
    }
    assert!(r.finished());
    assert_eq!(r.steps(5).unwrap().losses.len(), 0);
    // The CLI's loop: first train_size images, a DataLoader per epoch, Trainer::train_step.
    let train = load("cifar10-train.nnbd")
        .select("cifar10-train", &(0..64).collect::<Vec<_>>())
        .unwrap();
    let mut trainer = cfg.train_config().build_cifar10_trainer().unwrap();
    let mut want = Vec::new();
    for epoch in 0..3 {
        let mut loader = DataLoader::new(&train, cfg.loader_config()).unwrap();
        loader.set_epoch(epoch);
        for b in loader {
            let b = b.unwrap();
            want.push(trainer.train_step(&b.x, &b.labels).unwrap());
        }
    }
    assert_eq!(got, want);
    let first: f32 = got[..4].iter().sum::<f32>() / 4.0;
    let last: f32 = got[got.len() - 4..].iter().sum::<f32>() / 4.0;
    assert!(last < first - 0.1, "loss {first} -> {last}");
    assert_eq!(r.history().len(), 3);
}

#[test]
fn checkpoints_resume_bit_exactly_for_sgd_and_adam() {
    for opt in ["sgd", "adam"] {
        let mut a = run(config(opt));
        a.steps(2).unwrap();
        let state = a.export_state();
        let cont_a = a.steps(3).unwrap().losses;
        let mut b = run(RunConfig {
            seed: 99,
            relu: true,
            ..config(opt)
        });
        b.import_state(&state, "ckpt").unwrap();
        assert_eq!(b.config(), a.config());
        let cont_b = b.steps(3).unwrap().losses;
        assert_eq!(cont_a, cont_b, "{opt}");
        assert!(a.export_state() == b.export_state(), "{opt}: states differ");
    }
}

/// Drives `r` as the page's trainer does (chunks of `k` steps, `finish_epoch` when a chunk
/// ends an epoch) until it has taken `until` steps or finished; returns the losses.
fn drive(r: &mut TrainRun, k: usize, until: u64) -> Vec<f32> {
    let mut losses = Vec::new();
    while !r.finished() && (r.status()["step"].as_u64().unwrap() < until) {
        let left = (until - r.status()["step"].as_u64().unwrap()) as usize;
        let rep = r.steps(k.min(left)).unwrap();
        losses.extend(rep.losses);
        if rep.epoch_done {
            r.finish_epoch().unwrap();
        }
    }
    losses
}

#[test]
fn a_checkpoint_taken_after_any_step_resumes_at_that_step_of_its_epoch() {
    // What the page does on a reload mid-epoch: the checkpoint written every N steps is
    // imported into a fresh session, which must continue at the same batch of the same epoch
    // (same shuffle, same crops and flips, same running epoch loss) as if never interrupted.
    // 60 images in batches of 16: 4 batches an epoch, the last one short.
    let cfg = RunConfig {
        augment: true,
        train_size: 60,
        ..config("sgd")
    };
    let total = 3 * 4;
    let mut whole = run(cfg.clone());
    let want = drive(&mut whole, 3, u64::MAX);
    assert_eq!(want.len(), total);
    for cut in 1..total as u64 {
        let mut a = run(cfg.clone());
        let mut got = drive(&mut a, 3, cut);
        let status = a.status();
        let state = a.export_state();
        let mut b = run(RunConfig::default());
        b.import_state(&state, "checkpoint").unwrap();
        let resumed = b.status();
        for key in ["step", "epoch", "batch", "history"] {
            assert_eq!(resumed[key], status[key], "cut after step {cut}: {key}");
        }
        assert_eq!(
            resumed["batch"].as_u64().unwrap(),
            cut % 4,
            "cut after step {cut}"
        );
        got.extend(drive(&mut b, 3, u64::MAX));
        assert_eq!(got, want, "cut after step {cut}");
        assert_eq!(b.history(), whole.history(), "cut after step {cut}");
    }
}

#[test]
fn bad_checkpoints_and_weights_leave_the_run_untouched() {
    let mut r = run(config("sgd"));
    r.steps(1).unwrap();
    let before = r.export_state();
    let e = r
        .import_state(&before[..before.len() - 1], "c")
        .unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
    let weights = r.export_weights();
    let e = r.import_state(&weights, "w.safetensors").unwrap_err();
    assert!(e.to_string().contains("not an nnbook checkpoint"), "{e}");
    let e = r.import_weights(&before, "c.safetensors").unwrap_err();
    assert!(e.to_string().contains("Unexpected key(s)"), "{e}");
    assert!(r.export_state() == before);
    r.import_weights(&weights, "w.safetensors").unwrap();
    assert!(r.export_state() == before);
}

#[test]
fn evaluation_is_consistent() {
    let mut r = run(config("adam"));
    r.steps(4).unwrap();
    let e = r.evaluate(30).unwrap();
    assert_eq!(e.count, 100);
    let total: u32 = e.confusion.iter().flatten().sum();
    assert_eq!(total, 100);
    let diag: u32 = (0..10).map(|c| e.confusion[c][c]).sum();
    assert!((e.accuracy - diag as f64 / 100.0).abs() < 1e-12);
    assert_eq!(e.gallery.len(), 30);
    let first_right = e.gallery.iter().position(|g| g.label == g.predicted);
    if let Some(p) = first_right {
        assert!(e.gallery[p..].iter().all(|g| g.label == g.predicted));
    }
    assert_eq!(e.class_names[6], "frog");
    let img = r.test_images(&[0, 5]).unwrap();
    assert_eq!(img.len(), 2 * 3072);
    let rgb: Vec<u8> = (0..3072).map(|i| (i % 256) as u8).collect();
    let p = r.predict_rgb(&rgb).unwrap();
    assert_eq!(p.len(), 10);
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    assert!(r.predict_rgb(&rgb[1..]).is_err());
}
