//! Real CIFAR-10 and MNIST images from `../shared/data` (or `NNBOOK_DATA_SRC`; `tests/common`
//! says how to get them), checked against the source PNGs.
//!
//! Expected pixel values come from an independent decode of the same PNGs (a 30-line pure
//! Python zlib + PNG-unfilter script, no imaging library), e.g. for the first training image:
//! `row[(y*32+x)*3+c]` of `cifar10_batch_0.png` row 0. They also match the published first
//! image of `data_batch_1` (a frog whose red plane starts 59, 43, ...).
#![cfg(not(target_arch = "wasm32"))]

use nnbook::data::cifar_bin::CLASS_NAMES;
use nnbook::data::make::{make_data, MakeOptions};
use nnbook::data::sprite::{decode_sprite, decode_sprite_rows, read_labels_json, SpriteLayout};
use nnbook::data::{DataLoader, Dataset, LoaderConfig, Normalize};
use std::path::PathBuf;

mod common;
use common::data_src as src;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(src().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn tmp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nnbook-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn first_cifar_training_images_are_the_official_ones() {
    let labels = read_labels_json(&read("cifar10/cifar10_labels.json"), "labels", 10).unwrap();
    assert_eq!(labels.len(), 51_000);
    assert_eq!(&labels[..10], &[6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    assert_eq!(CLASS_NAMES[labels[0] as usize], "frog");

    let px = decode_sprite_rows(
        &read("cifar10/cifar10_batch_0.png"),
        "b0",
        SpriteLayout::CIFAR10,
        &[0, 1],
    )
    .unwrap();
    assert_eq!(px.len(), 2 * 3072);
    let img0 = &px[..3072];
    let at = |c: usize, y: usize, x: usize| img0[c * 1024 + y * 32 + x];
    // (c, y, x, value) from the independent Python decode.
    for (c, y, x, v) in [
        (0, 0, 0, 59),
        (1, 0, 0, 62),
        (2, 0, 0, 63),
        (0, 0, 1, 43),
        (0, 5, 7, 119),
        (1, 31, 31, 92),
        (2, 16, 3, 51),
    ] {
        assert_eq!(at(c, y, x), v, "pixel c={c} y={y} x={x}");
    }
    let sum = |s: &[u8]| s.iter().map(|&v| v as u64).sum::<u64>();
    assert_eq!(sum(img0), 317_790);
    assert_eq!(sum(&px[3072..]), 400_427);
}

#[test]
fn sprite_rows_become_planar_chw() {
    // Independent check of the conversion with the png crate directly: pixel (y, x) of image r
    // is at column y*32+x of row r, interleaved R, G, B.
    let bytes = read("cifar10/cifar10_batch_3.png");
    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes[..]))
        .read_info()
        .unwrap();
    let mut rows = Vec::new();
    for _ in 0..3 {
        rows.push(reader.next_row().unwrap().unwrap().data().to_vec());
    }
    let ours = decode_sprite_rows(&bytes, "b3", SpriteLayout::CIFAR10, &[0, 2]).unwrap();
    for (k, r) in [0usize, 2].into_iter().enumerate() {
        for c in 0..3 {
            for p in 0..1024 {
                assert_eq!(ours[k * 3072 + c * 1024 + p], rows[r][p * 3 + c]);
            }
        }
    }
}

#[test]
fn first_cifar_test_image_is_a_cat() {
    let labels = read_labels_json(&read("cifar10/cifar10_labels.json"), "labels", 10).unwrap();
    assert_eq!(CLASS_NAMES[labels[50_000] as usize], "cat");
    let px = decode_sprite_rows(
        &read("cifar10/cifar10_batch_50.png"),
        "b50",
        SpriteLayout::CIFAR10,
        &[0],
    )
    .unwrap();
    assert_eq!((px[0], px[1024], px[2048]), (158, 112, 49));
    assert_eq!(px.iter().map(|&v| v as u64).sum::<u64>(), 332_962);
}

#[test]
fn first_mnist_digits() {
    let labels = read_labels_json(&read("mnist/mnist_labels.json"), "labels", 10).unwrap();
    assert_eq!(labels.len(), 70_000);
    assert_eq!(&labels[..8], &[5, 0, 4, 1, 9, 2, 1, 3]);
    assert_eq!(&labels[60_000..60_008], &[7, 2, 1, 0, 4, 1, 4, 9]);
    let px = decode_sprite(&read("mnist/mnist_batch_0.png"), "m0", SpriteLayout::MNIST).unwrap();
    assert_eq!(px.len(), 3000 * 784);
    let d0 = &px[..784];
    assert_eq!(d0.iter().map(|&v| v as u64).sum::<u64>(), 27_525);
    assert_eq!(d0.iter().filter(|&&v| v != 0).count(), 166);
    assert_eq!((d0[14 * 28 + 14], d0[5 * 28 + 12]), (240, 3));
}

fn small_options(out: PathBuf) -> MakeOptions {
    MakeOptions {
        src: Some(src()),
        out,
        cifar_train: 100,
        cifar_test: 1000,
        mnist_train: Some(50),
        mnist_test: 10,
        ..MakeOptions::default()
    }
}

#[test]
fn make_data_writes_balanced_subsets_and_skips_when_up_to_date() {
    let out = tmp_dir("make");
    let opts = small_options(out.clone());
    let report = make_data(&opts).unwrap();
    assert!(!report.up_to_date);
    let files: Vec<&str> = report
        .manifest
        .files
        .iter()
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(
        files,
        [
            "cifar10-train.nnbd",
            "cifar10-test.nnbd",
            "mnist-train.nnbd",
            "mnist-test.nnbd"
        ]
    );

    let load = |f: &str| {
        let bytes = std::fs::read(out.join(f)).unwrap();
        Dataset::decode(&bytes, f).unwrap()
    };
    let train = load("cifar10-train.nnbd");
    assert_eq!(train.len(), 100);
    assert_eq!(train.class_counts(), vec![10; 10]);
    assert_eq!(&train.labels[..10], &[6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    let first = decode_sprite_rows(
        &read("cifar10/cifar10_batch_0.png"),
        "b0",
        SpriteLayout::CIFAR10,
        &[0],
    )
    .unwrap();
    assert_eq!(train.image(0), &first[..]);
    // The README's class counts of the 1,000 test images.
    let test = load("cifar10-test.nnbd");
    assert_eq!(
        test.class_counts(),
        vec![103, 89, 100, 103, 90, 86, 112, 102, 106, 109]
    );
    assert_eq!(test.class_names[3], "cat");
    let mnist = load("mnist-train.nnbd");
    assert_eq!((mnist.len(), mnist.dims()), (50, [1, 28, 28]));
    assert_eq!(mnist.class_counts(), vec![5; 10]);
    assert_eq!(&mnist.labels[..8], &[5, 0, 4, 1, 9, 2, 1, 3]);
    let mt = load("mnist-test.nnbd");
    assert_eq!(&mt.labels[..8], &[7, 2, 1, 0, 4, 1, 4, 9]);

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format_version"], 1);
    assert_eq!(manifest["files"][0]["class_counts"][6], 10);
    assert_eq!(
        manifest["files"][0]["bytes"],
        std::fs::metadata(out.join("cifar10-train.nnbd"))
            .unwrap()
            .len()
    );

    // Same parameters: nothing rewritten. Other parameters, or --force: rebuilt.
    assert!(make_data(&opts).unwrap().up_to_date);
    let more = MakeOptions {
        mnist_train: Some(30),
        ..opts.clone()
    };
    assert!(!make_data(&more).unwrap().up_to_date);
    assert_eq!(load("mnist-train.nnbd").len(), 30);
    assert!(
        !make_data(&MakeOptions {
            force: true,
            ..more.clone()
        })
        .unwrap()
        .up_to_date
    );
    // A damaged output is noticed.
    std::fs::write(out.join("mnist-test.nnbd"), b"NNBD").unwrap();
    assert!(!make_data(&more).unwrap().up_to_date);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn make_data_refuses_impossible_requests() {
    let out = tmp_dir("refuse");
    let e = make_data(&MakeOptions {
        cifar_test: 1001,
        ..small_options(out.clone())
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("1001 CIFAR-10 test images asked for"),
        "{e}"
    );
    let e = make_data(&MakeOptions {
        src: Some(out.join("nowhere")),
        ..small_options(out.clone())
    })
    .unwrap_err();
    assert!(
        matches!(e.kind, nnbook::data::DataErrorKind::Io { .. }),
        "{e}"
    );
    assert!(e.file.ends_with("cifar10_labels.json"), "{e}");
    assert!(e.to_string().contains("unset NNBOOK_DATA_SRC"), "{e}");
}

#[test]
fn cli_arguments_parse_and_reject_unknown_flags() {
    let args: Vec<String> = [
        "--src",
        "/s",
        "--out",
        "/o",
        "--cifar-train",
        "500",
        "--mnist-test",
        "7",
        "--force",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let o = MakeOptions::from_args(&args).unwrap();
    assert_eq!(
        (o.src, o.out, o.cifar_train, o.mnist_test, o.force),
        (Some("/s".into()), "/o".into(), 500, 7, true)
    );
    assert!(MakeOptions::from_args(&["--bogus".to_string()]).is_err());
    assert!(MakeOptions::from_args(&["--cifar-train".to_string(), "ten".to_string()]).is_err());
    assert!(MakeOptions::from_args(&["--out".to_string()]).is_err());
}

#[test]
fn normalised_real_cifar_batches_are_roughly_centred() {
    let labels = read_labels_json(&read("cifar10/cifar10_labels.json"), "labels", 10).unwrap();
    let px = decode_sprite(
        &read("cifar10/cifar10_batch_0.png"),
        "b0",
        SpriteLayout::CIFAR10,
    )
    .unwrap();
    let names = CLASS_NAMES.iter().map(|s| s.to_string()).collect();
    let ds = Dataset::new("b0", [3, 32, 32], names, px, labels[..1000].to_vec()).unwrap();
    let cfg = LoaderConfig::new(1000).with_normalize(Some(Normalize::cifar10()));
    let batch = DataLoader::new(&ds, cfg)
        .unwrap()
        .next_batch()
        .unwrap()
        .unwrap();
    assert_eq!(batch.x.shape(), &[1000, 3, 32, 32]);
    let x = batch.x.data();
    for c in 0..3 {
        let (mut s, mut s2, mut n) = (0f64, 0f64, 0f64);
        for img in x.chunks(3072) {
            for &v in &img[c * 1024..(c + 1) * 1024] {
                s += v as f64;
                s2 += (v as f64) * (v as f64);
                n += 1.0;
            }
        }
        let mean = s / n;
        let std = (s2 / n - mean * mean).sqrt();
        assert!(
            mean.abs() < 0.1 && (std - 1.0).abs() < 0.1,
            "channel {c}: mean {mean}, std {std}"
        );
    }
}
