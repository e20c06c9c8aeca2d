//! The STN lesson's pre-trained digit CNN (`nnbook data` → `digits-cnn.safetensors`): built
//! deterministically from the training file, skipped when up to date, rebuilt when its
//! parameters or data change, and loadable into the lesson's network with the same outputs.

use nnbook::data::Dataset;
use nnbook::lessons::digits::{batch, DigitTrainer};
use nnbook::lessons::pretrained::{ensure_digits_cnn, DIGITS_CNN_FILE, DIGITS_CNN_INFO};
use nnbook::nn::safetensors::load_safetensors;
use nnbook::rng::Rng;

/// `n` 28×28 "digits": class `k` is a bright square at a place of its own, plus noise.
fn digits(name: &str, n: usize, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let mut pixels = Vec::with_capacity(n * 784);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let k = i % 10;
        let (r0, c0) = (2 + (k / 5) * 12, 2 + (k % 5) * 5);
        for r in 0..28 {
            for c in 0..28 {
                let on = (r0..r0 + 10).contains(&r) && (c0..c0 + 4).contains(&c);
                let noise = (rng.uniform_f32() * 40.0) as u8;
                pixels.push(if on { 215 + noise } else { noise });
            }
        }
        labels.push(k as u8);
    }
    let names = (0..10).map(|d| d.to_string()).collect();
    Dataset::new(name, [1, 28, 28], names, pixels, labels).unwrap()
}

fn data_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nnbook-pretrained-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("mnist-train.nnbd"),
        digits("mnist-train", 200, 1).encode(),
    )
    .unwrap();
    std::fs::write(
        dir.join("mnist-test.nnbd"),
        digits("mnist-test", 50, 2).encode(),
    )
    .unwrap();
    dir
}

#[test]
fn builds_once_deterministically_and_loads_into_the_lesson_network() {
    let dir = data_dir("a");
    let first = ensure_digits_cnn(&dir, 30, 32, 0, 3e-3, false).unwrap();
    assert!(!first.up_to_date);
    let bytes = std::fs::read(dir.join(DIGITS_CNN_FILE)).unwrap();
    assert_eq!(first.info.bytes, bytes.len() as u64);
    assert_eq!(first.info.test_count, 50);
    assert!(
        first.info.test_accuracy > 0.5,
        "{}",
        first.info.test_accuracy
    );
    assert!(std::fs::read_to_string(dir.join(DIGITS_CNN_INFO))
        .unwrap()
        .contains("\"steps\": 30"));
    assert!(format!("{first}").contains("30 Adam steps of 32 digits (seed 0)"));

    // Up to date: nothing rewritten. Forced: the same bytes (the seed fixes everything).
    assert!(
        ensure_digits_cnn(&dir, 30, 32, 0, 3e-3, false)
            .unwrap()
            .up_to_date
    );
    assert!(
        !ensure_digits_cnn(&dir, 30, 32, 0, 3e-3, true)
            .unwrap()
            .up_to_date
    );
    assert_eq!(std::fs::read(dir.join(DIGITS_CNN_FILE)).unwrap(), bytes);

    // The lesson's fresh network with these weights classifies as the trained one did.
    let mut net = DigitTrainer::new(false, 5, 1e-3).unwrap();
    load_safetensors(&mut net.net, &bytes, DIGITS_CNN_FILE).unwrap();
    let test = digits("mnist-test", 50, 2);
    let (x, labels) = batch(&test, &(0..50).collect::<Vec<_>>()).unwrap();
    let correct = net.correct(&x, &labels).unwrap();
    assert_eq!(correct as f64 / 50.0, first.info.test_accuracy);

    // Other parameters, or other training data: rebuilt.
    assert!(
        !ensure_digits_cnn(&dir, 31, 32, 0, 3e-3, false)
            .unwrap()
            .up_to_date
    );
    std::fs::write(
        dir.join("mnist-train.nnbd"),
        digits("mnist-train", 210, 1).encode(),
    )
    .unwrap();
    assert!(
        !ensure_digits_cnn(&dir, 31, 32, 0, 3e-3, false)
            .unwrap()
            .up_to_date
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_data_file_is_a_clear_error() {
    let dir = data_dir("b");
    std::fs::remove_file(dir.join("mnist-train.nnbd")).unwrap();
    let e = ensure_digits_cnn(&dir, 3, 8, 0, 1e-3, false)
        .unwrap_err()
        .to_python_string();
    assert!(
        e.contains("mnist-train.nnbd") && e.starts_with("NnbookError"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
