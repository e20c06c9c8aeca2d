//! Every way a data file can be bad gives a typed error naming the file, the problem and the
//! byte offset. (In-memory only: runs on every target.)

use nnbook::data::cifar_bin::decode_batch;
use nnbook::data::sprite::{decode_sprite, decode_sprite_rows, read_labels_json, SpriteLayout};
use nnbook::data::{DataError, DataErrorKind, Dataset};

/// `t.nnbd`: 3 images of 1×2×2, classes "a", "bc"; header 20 + name 2+1 + names 3+4 = 30 bytes,
/// then 12 pixel bytes (30..42) and 3 labels (42..45).
fn sample() -> Vec<u8> {
    let ds = Dataset::new(
        "t",
        [1, 2, 2],
        vec!["a".into(), "bc".into()],
        (0..12).collect(),
        vec![0, 1, 1],
    )
    .unwrap();
    ds.encode()
}

fn err(bytes: &[u8]) -> DataError {
    Dataset::decode(bytes, "t.nnbd").unwrap_err()
}

#[test]
fn sample_layout_is_as_documented() {
    let b = sample();
    assert_eq!(b.len(), 45);
    assert_eq!(&b[..8], b"NNBD\x01\x00\x00\x00");
    assert_eq!(&b[8..20], &[3, 0, 0, 0, 1, 0, 2, 0, 2, 0, 2, 0]);
    assert_eq!(&b[20..30], b"\x01\x00t\x01\x00a\x02\x00bc");
    assert_eq!(&b[42..], &[0, 1, 1]);
    assert_eq!(
        Dataset::decode(&b, "t.nnbd").unwrap().image(2),
        &[8, 9, 10, 11]
    );
}

#[test]
fn truncated_files() {
    let b = sample();
    // Cut in the count field (4 bytes at 8, 2 left).
    let e = err(&b[..10]);
    assert_eq!((e.file.as_str(), e.offset), ("t.nnbd", Some(8)));
    assert_eq!(
        e.kind,
        DataErrorKind::Truncated {
            needed: 4,
            available: 2
        }
    );
    // Cut inside the class name "bc" (2 bytes at 28, 1 left).
    let e = err(&b[..29]);
    assert_eq!(e.offset, Some(28));
    assert_eq!(
        e.kind,
        DataErrorKind::Truncated {
            needed: 2,
            available: 1
        }
    );
    // Cut in the body: the body no longer matches the header.
    let e = err(&b[..44]);
    assert_eq!(e.offset, Some(30));
    assert_eq!(
        e.kind,
        DataErrorKind::SizeMismatch {
            expected: 15,
            actual: 14
        }
    );
    assert_eq!(
        e.to_string(),
        "t.nnbd: size does not match the header: expected 15 bytes, found 14 (at byte 30)"
    );
}

#[test]
fn wrong_magic_version_and_flags() {
    let mut b = sample();
    b[0] = b'X';
    let e = err(&b);
    assert_eq!(e.offset, Some(0));
    assert_eq!(
        e.kind,
        DataErrorKind::BadMagic {
            expected: b"NNBD".to_vec(),
            found: b"XNBD".to_vec()
        }
    );
    let e = err(b"NN");
    assert_eq!(
        e.kind,
        DataErrorKind::BadMagic {
            expected: b"NNBD".to_vec(),
            found: b"NN".to_vec()
        }
    );
    let e = err(b"");
    assert_eq!(e.offset, Some(0));

    let mut b = sample();
    b[4] = 2;
    let e = err(&b);
    assert_eq!(e.offset, Some(4));
    assert_eq!(
        e.kind,
        DataErrorKind::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );

    let mut b = sample();
    b[6] = 1;
    let e = err(&b);
    assert_eq!(
        (e.offset, e.kind),
        (Some(6), DataErrorKind::UnsupportedFlags { flags: 1 })
    );
}

#[test]
fn label_out_of_range_names_the_label_byte() {
    let mut b = sample();
    b[43] = 2; // image 1, 2 classes
    let e = err(&b);
    assert_eq!(e.offset, Some(43));
    assert_eq!(
        e.kind,
        DataErrorKind::LabelOutOfRange {
            index: 1,
            label: 2,
            classes: 2
        }
    );
    assert_eq!(
        e.to_string(),
        "t.nnbd: label 2 of image 1 is out of range for 2 classes (at byte 43)"
    );
}

#[test]
fn size_mismatch_with_header() {
    let mut b = sample();
    b.push(0);
    let e = err(&b);
    assert_eq!(
        (e.offset, e.kind),
        (
            Some(30),
            DataErrorKind::SizeMismatch {
                expected: 15,
                actual: 16
            }
        )
    );
    // A header claiming a huge count against a small body: no allocation, a mismatch.
    let mut b = sample();
    b[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    b[12..18].copy_from_slice(&[0xff, 0xff, 0x00, 0x01, 0x00, 0x01]);
    let e = err(&b);
    assert!(matches!(e.kind, DataErrorKind::InvalidHeader { .. }), "{e}");
    let mut b = sample();
    b[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = err(&b);
    assert!(
        matches!(
            e.kind,
            DataErrorKind::SizeMismatch {
                expected: 21_474_836_475,
                actual: 15
            }
        ),
        "{e}"
    );
}

#[test]
fn impossible_headers() {
    let mut b = sample();
    b[14] = 0; // height 0
    let e = err(&b);
    assert_eq!(e.offset, Some(12));
    assert!(matches!(e.kind, DataErrorKind::InvalidHeader { .. }));
    let mut b = sample();
    b[18..20].copy_from_slice(&0u16.to_le_bytes()); // 0 classes, 3 images
    let e = err(&b);
    assert_eq!(e.offset, Some(18));
    let mut b = sample();
    b[25] = 0xff; // class name "a" -> invalid UTF-8
    let e = err(&b);
    assert_eq!(
        (e.offset, e.kind),
        (
            Some(25),
            DataErrorKind::BadUtf8 {
                what: "class name 0".into()
            }
        )
    );
}

#[test]
fn dataset_new_checks_invariants() {
    let names = || vec!["a".to_string()];
    assert!(matches!(
        Dataset::new("d", [1, 1, 1], names(), vec![0; 2], vec![0])
            .unwrap_err()
            .kind,
        DataErrorKind::SizeMismatch {
            expected: 1,
            actual: 2
        }
    ));
    assert!(matches!(
        Dataset::new("d", [1, 1, 1], names(), vec![0], vec![1])
            .unwrap_err()
            .kind,
        DataErrorKind::LabelOutOfRange {
            index: 0,
            label: 1,
            classes: 1
        }
    ));
    assert!(Dataset::new("d", [0, 1, 1], names(), vec![], vec![]).is_err());
    let d = Dataset::new("d", [1, 1, 1], names(), vec![7], vec![0]).unwrap();
    assert!(d.select("s", &[0, 1]).is_err());
    assert_eq!(d.select("s", &[0, 0]).unwrap().pixels, vec![7, 7]);
}

#[test]
fn official_batch_errors() {
    let mut rec = vec![3u8; 2 * 3073];
    rec[0] = 1;
    assert_eq!(decode_batch(&rec, "b.bin", "b").unwrap().labels, vec![1, 3]);
    let e = decode_batch(&rec[..3073 + 5], "b.bin", "b").unwrap_err();
    assert_eq!(
        (e.offset, e.kind),
        (
            Some(3073),
            DataErrorKind::SizeMismatch {
                expected: 6146,
                actual: 3078
            }
        )
    );
    let e = decode_batch(&[], "b.bin", "b").unwrap_err();
    assert_eq!(e.offset, Some(0));
    rec[3073] = 10;
    let e = decode_batch(&rec, "b.bin", "b").unwrap_err();
    assert_eq!(
        (e.offset, e.kind),
        (
            Some(3073),
            DataErrorKind::LabelOutOfRange {
                index: 1,
                label: 10,
                classes: 10
            }
        )
    );
}

/// A PNG of `rows` rows, `width` pixels of `color`.
fn png_bytes(width: u32, rows: u32, color: png::ColorType) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, rows);
    enc.set_color(color);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().unwrap();
    let per = if color == png::ColorType::Rgb { 3 } else { 1 };
    let data: Vec<u8> = (0..width * rows * per).map(|i| (i % 251) as u8).collect();
    w.write_image_data(&data).unwrap();
    w.finish().unwrap();
    out
}

#[test]
fn sprite_errors() {
    let good = png_bytes(784, 3, png::ColorType::Grayscale);
    let px = decode_sprite(&good, "m.png", SpriteLayout::MNIST).unwrap();
    assert_eq!((px.len(), px[785]), (3 * 784, (785 % 251) as u8));
    let bad = |bytes: &[u8], layout| decode_sprite(bytes, "s.png", layout).unwrap_err();
    assert!(matches!(
        bad(b"not a png", SpriteLayout::MNIST).kind,
        DataErrorKind::BadPng { .. }
    ));
    assert!(matches!(
        bad(&good[..good.len() - 30], SpriteLayout::MNIST).kind,
        DataErrorKind::BadPng { .. }
    ));
    // Greyscale given for CIFAR, wrong width for MNIST.
    let e = bad(&good, SpriteLayout::CIFAR10);
    assert!(
        e.to_string()
            .starts_with("s.png: bad PNG: expected 8-bit Rgb"),
        "{e}"
    );
    let e = bad(
        &png_bytes(780, 2, png::ColorType::Grayscale),
        SpriteLayout::MNIST,
    );
    assert!(e.to_string().contains("width 780, expected 784"), "{e}");
    let e = decode_sprite_rows(&good, "s.png", SpriteLayout::MNIST, &[3]).unwrap_err();
    assert!(
        matches!(e.kind, DataErrorKind::InvalidRequest { .. }),
        "{e}"
    );
    let e = decode_sprite_rows(&good, "s.png", SpriteLayout::MNIST, &[1, 1]).unwrap_err();
    assert!(
        matches!(e.kind, DataErrorKind::InvalidRequest { .. }),
        "{e}"
    );
}

#[test]
fn label_json_errors() {
    assert_eq!(
        read_labels_json(br#"{"labels": [0, 9, 3]}"#, "l.json", 10).unwrap(),
        vec![0, 9, 3]
    );
    let e = read_labels_json(b"{\"labels\":\n [0, 1,, 2]}", "l.json", 10).unwrap_err();
    assert_eq!(e.offset, Some(18)); // the second comma
    assert!(matches!(e.kind, DataErrorKind::BadJson { .. }));
    let e = read_labels_json(br#"{"labels": [0, 10]}"#, "l.json", 10).unwrap_err();
    assert_eq!(
        e.kind,
        DataErrorKind::LabelOutOfRange {
            index: 1,
            label: 10,
            classes: 10
        }
    );
    let e = read_labels_json(br#"{"labels": [-1]}"#, "l.json", 10).unwrap_err();
    assert_eq!(
        e.kind,
        DataErrorKind::LabelOutOfRange {
            index: 0,
            label: -1,
            classes: 10
        }
    );
    assert!(read_labels_json(br#"{"other": []}"#, "l.json", 10).is_err());
}

#[test]
fn data_errors_become_nnbook_errors() {
    let e: nnbook::Error = err(b"XXXX").into();
    assert_eq!(e.op(), "data");
    assert_eq!(e.py_kind(), nnbook::PyKind::NnbookError);
    assert_eq!(
        e.to_python_string(),
        "NnbookError: t.nnbd: bad magic: expected NNBD (4e4e4244), found 58585858 (at byte 0)"
    );
}

/// CRC-32 (PNG chunk checksum), bitwise.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn png_claiming_a_huge_height_fails_without_allocating_it() {
    let mut b = png_bytes(784, 2, png::ColorType::Grayscale);
    // IHDR data is bytes 16..29 (width 16..20, height 20..24), its CRC 29..33.
    assert_eq!(&b[12..16], b"IHDR");
    b[20..24].copy_from_slice(&(1u32 << 30).to_be_bytes());
    let crc = crc32(&b[12..29]);
    b[29..33].copy_from_slice(&crc.to_be_bytes());
    let e = decode_sprite(&b, "huge.png", SpriteLayout::MNIST).unwrap_err();
    assert!(matches!(e.kind, DataErrorKind::BadPng { .. }), "{e}");
    assert!(
        !e.to_string().to_lowercase().contains("crc"),
        "the header itself is valid: {e}"
    );
}
