//! The official CIFAR-10 binary format, tested on a small `cifar-10-binary.tar.gz` that this test
//! builds in exactly that format (members `cifar-10-batches-bin/data_batch_1.bin` … `_5.bin`,
//! `test_batch.bin`, `batches.meta.txt`; records of 1 label byte + 1024 R + 1024 G + 1024 B) from
//! the real images of `../shared/data` (or `NNBOOK_DATA_SRC`; `tests/common` says how to get them).
#![cfg(not(target_arch = "wasm32"))]

use nnbook::data::cifar_bin::{self, read_archive};
use nnbook::data::make::{make_data, MakeOptions};
use nnbook::data::sprite::{decode_sprite_rows, SpriteLayout};
use nnbook::data::{decode_any, DataErrorKind, Dataset};
use std::path::PathBuf;

mod common;
use common::{data_src as src, fixture, tar_gz, PER_BATCH};

#[test]
fn archive_built_from_real_images_reads_back_pixel_for_pixel() {
    let fx = fixture();
    let archive = read_archive(&tar_gz(&fx.members), "tiny.tar.gz").unwrap();
    assert_eq!(archive.train.len(), 5 * PER_BATCH);
    assert_eq!(archive.test.len(), 20);
    assert_eq!(archive.train.labels, fx.train_labels);
    assert_eq!(archive.test.labels, fx.test_labels);
    assert_eq!(archive.train.class_names[6], "frog");
    assert_eq!(archive.train.dims(), [3, 32, 32]);
    // Pixels equal the sprite reader's planar images, image for image.
    let rows: Vec<usize> = (0..5 * PER_BATCH).collect();
    let sprite_bytes = std::fs::read(src().join("cifar10/cifar10_batch_0.png")).unwrap();
    let sprite = decode_sprite_rows(&sprite_bytes, "b0", SpriteLayout::CIFAR10, &rows).unwrap();
    assert_eq!(archive.train.pixels, sprite);
    // The first record of data_batch_1 is the frog: red plane starts 59, 43.
    assert_eq!(&archive.train.image(0)[..2], &[59, 43]);
    let test_bytes = std::fs::read(src().join("cifar10/cifar10_batch_50.png")).unwrap();
    let rows: Vec<usize> = (0..20).collect();
    let test = decode_sprite_rows(&test_bytes, "b50", SpriteLayout::CIFAR10, &rows).unwrap();
    assert_eq!(archive.test.pixels, test);
}

#[test]
fn single_batch_files_and_drop_in_detection() {
    let fx = fixture();
    let (_, batch1) = &fx.members[1];
    let ds = cifar_bin::decode_batch(batch1, "data_batch_1.bin", "data_batch_1").unwrap();
    assert_eq!(ds.len(), PER_BATCH);
    assert_eq!(ds.labels, fx.train_labels[..PER_BATCH]);
    assert_eq!(ds.image(0), &batch1[1..3073]);

    let from_bin = decode_any(batch1, "dir/data_batch_1.bin").unwrap();
    assert_eq!(from_bin[0].name, "data_batch_1");
    assert_eq!(from_bin[0], ds);
    let from_nnbd = decode_any(&ds.encode(), "x.nnbd").unwrap();
    assert_eq!(from_nnbd, vec![ds]);
    let from_gz = decode_any(&tar_gz(&fx.members), "c.tar.gz").unwrap();
    assert_eq!(from_gz.len(), 2);
    assert_eq!(from_gz[0].len(), 5 * PER_BATCH);
}

#[test]
fn member_order_dot_prefix_and_missing_meta_are_accepted() {
    let fx = fixture();
    let mut members: Vec<(String, Vec<u8>)> = fx.members[1..]
        .iter()
        .rev()
        .map(|(n, d)| (format!("./{n}"), d.clone()))
        .collect();
    members.push(("README".into(), b"other member".to_vec()));
    let a = read_archive(&tar_gz(&members), "a.tgz").unwrap();
    assert_eq!(a.train.labels, fx.train_labels);
    assert_eq!(
        a.train.class_names,
        cifar_bin::CLASS_NAMES.map(String::from).to_vec()
    );
}

#[test]
fn archive_errors_are_typed() {
    let fx = fixture();
    // A missing member.
    let without3: Vec<_> = fx
        .members
        .iter()
        .filter(|(n, _)| !n.ends_with("data_batch_3.bin"))
        .cloned()
        .collect();
    let e = read_archive(&tar_gz(&without3), "no3.tar.gz").unwrap_err();
    assert_eq!(
        e.kind,
        DataErrorKind::MissingMember {
            member: "cifar-10-batches-bin/data_batch_3.bin".into()
        }
    );
    assert_eq!(e.file, "no3.tar.gz");
    // A label out of range inside a member: offset of its record in that member.
    let mut bad = fx.members.clone();
    bad[2].1[3 * 3073] = 10;
    let e = read_archive(&tar_gz(&bad), "bad.tar.gz").unwrap_err();
    assert_eq!(e.file, "bad.tar.gz:cifar-10-batches-bin/data_batch_2.bin");
    assert_eq!(e.offset, Some(3 * 3073));
    assert_eq!(
        e.kind,
        DataErrorKind::LabelOutOfRange {
            index: 3,
            label: 10,
            classes: 10
        }
    );
    // A member whose size is not whole records.
    let mut cut = fx.members.clone();
    cut[6].1.truncate(3073 + 100);
    let e = read_archive(&tar_gz(&cut), "cut.tar.gz").unwrap_err();
    assert_eq!(e.file, "cut.tar.gz:cifar-10-batches-bin/test_batch.bin");
    assert_eq!(e.offset, Some(3073));
    assert_eq!(
        e.kind,
        DataErrorKind::SizeMismatch {
            expected: 2 * 3073,
            actual: 3173
        }
    );
    // Meta with the wrong number of names.
    let mut meta = fx.members.clone();
    meta[0].1 = b"cat\ndog\n".to_vec();
    let e = read_archive(&tar_gz(&meta), "meta.tar.gz").unwrap_err();
    assert!(matches!(e.kind, DataErrorKind::InvalidHeader { .. }), "{e}");
    // A truncated archive: a gzip/tar error with the compressed offset reached.
    let gz = tar_gz(&fx.members);
    let e = read_archive(&gz[..gz.len() / 2], "half.tar.gz").unwrap_err();
    assert!(matches!(e.kind, DataErrorKind::BadArchive { .. }), "{e}");
    assert!(
        e.offset.is_some_and(|o| o > 0 && o <= gz.len() as u64 / 2),
        "{e:?}"
    );
    // Not gzip at all.
    let e = read_archive(b"plain text", "x.tar.gz").unwrap_err();
    assert!(matches!(e.kind, DataErrorKind::BadArchive { .. }), "{e}");
}

#[test]
fn make_data_from_the_archive_equals_make_data_from_the_sprites() {
    let fx = fixture();
    let base = std::env::temp_dir().join(format!("nnbook-archive-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let archive_path = base.join("cifar-10-binary.tar.gz");
    std::fs::write(&archive_path, tar_gz(&fx.members)).unwrap();
    // 40 = 4 per class from the first 100 training images, and the first 20 test images.
    let opts = |out: &str, archive: Option<PathBuf>| MakeOptions {
        src: Some(src()),
        out: base.join(out),
        cifar_train: 40,
        cifar_test: 20,
        mnist_train: Some(10),
        mnist_test: 5,
        cifar_archive: archive,
        check_md5: false,
        ..MakeOptions::default()
    };
    make_data(&opts("from-sprites", None)).unwrap();
    make_data(&opts("from-archive", Some(archive_path.clone()))).unwrap();
    for f in ["cifar10-train.nnbd", "cifar10-test.nnbd"] {
        let a = std::fs::read(base.join("from-sprites").join(f)).unwrap();
        let b = std::fs::read(base.join("from-archive").join(f)).unwrap();
        assert!(a == b, "{f} differs between sources");
        let ds = Dataset::decode(&a, f).unwrap();
        assert!(ds.len() == 40 || ds.len() == 20);
    }
    // The home-made archive is not the published one: with the MD5 check on, it is refused.
    let checked = MakeOptions {
        check_md5: true,
        ..opts("checked", Some(archive_path))
    };
    let e = make_data(&checked).unwrap_err();
    match e.kind {
        DataErrorKind::ChecksumMismatch { expected, .. } => {
            assert_eq!(expected, "c32a1d4ab5d03f1284b67883e8d87530")
        }
        other => panic!("expected a checksum mismatch, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&base);
}
