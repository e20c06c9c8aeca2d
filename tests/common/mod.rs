//! Helpers shared by the data tests: where the real images are, and a small
//! `cifar-10-binary.tar.gz` built from them in exactly the official format.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

/// The sprite PNGs of real CIFAR-10 and MNIST images: `NNBOOK_DATA_SRC`, else `../shared/data`
/// beside the repository. Panics with what to do when they are not there.
pub fn data_src() -> PathBuf {
    let dir = std::env::var_os("NNBOOK_DATA_SRC")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let labels = dir.join("cifar10/cifar10_labels.json");
    assert!(
        labels.is_file() && dir.join("mnist/mnist_labels.json").is_file(),
        "this test reads the real CIFAR-10 and MNIST sprite PNGs, and {} is missing. \
         Set NNBOOK_DATA_SRC=DIR to a folder with cifar10/ (cifar10_batch_0..50.png, \
         cifar10_labels.json) and mnist/ (mnist_batch_0..20.png, mnist_labels.json), \
         the ConvNetJS demo sprites (the project keeps them in ../shared/data beside the repository)",
        labels.display()
    );
    dir
}

/// Training images per batch member of the small archive.
pub const PER_BATCH: usize = 20;

/// Official records for interleaved RGB sprite rows: label, then the R plane, G plane, B plane.
pub fn records(rows: &[Vec<u8>], labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (row, &l) in rows.iter().zip(labels) {
        out.push(l);
        for c in 0..3 {
            out.extend((0..1024).map(|p| row[p * 3 + c]));
        }
    }
    out
}

/// The first `n` rows of a CIFAR-10 sprite PNG as raw interleaved RGB rows (png crate, not
/// nnbook's reader).
pub fn raw_rows(file: &str, n: usize) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(data_src().join("cifar10").join(file)).unwrap();
    let mut r = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    (0..n)
        .map(|_| r.next_row().unwrap().unwrap().data().to_vec())
        .collect()
}

/// The members of a small official-format archive and the labels it holds.
pub struct Fixture {
    /// (member name, bytes) in archive order.
    pub members: Vec<(String, Vec<u8>)>,
    pub train_labels: Vec<u8>,
    pub test_labels: Vec<u8>,
}

/// `5 × per_batch` real training images (the first of `cifar10_batch_0.png`) over the five
/// training members, and the first `test` real test images.
pub fn fixture_sized(per_batch: usize, test: usize) -> Fixture {
    use nnbook::data::cifar_bin::{CLASS_NAMES, TEST_MEMBER, TRAIN_MEMBERS};
    use nnbook::data::sprite::read_labels_json;
    let labels_bytes = std::fs::read(data_src().join("cifar10/cifar10_labels.json")).unwrap();
    let labels = read_labels_json(&labels_bytes, "labels", 10).unwrap();
    let train_rows = raw_rows("cifar10_batch_0.png", 5 * per_batch);
    let test_rows = raw_rows("cifar10_batch_50.png", test);
    let mut members = vec![(
        "cifar-10-batches-bin/batches.meta.txt".to_string(),
        CLASS_NAMES.join("\n").into_bytes(),
    )];
    for (b, name) in TRAIN_MEMBERS.iter().enumerate() {
        let r = b * per_batch..(b + 1) * per_batch;
        members.push((
            name.to_string(),
            records(&train_rows[r.clone()], &labels[r]),
        ));
    }
    members.push((
        TEST_MEMBER.to_string(),
        records(&test_rows, &labels[50_000..50_000 + test]),
    ));
    Fixture {
        members,
        train_labels: labels[..5 * per_batch].to_vec(),
        test_labels: labels[50_000..50_000 + test].to_vec(),
    }
}

/// [`fixture_sized`] with [`PER_BATCH`] training images per member and 20 test images.
pub fn fixture() -> Fixture {
    fixture_sized(PER_BATCH, 20)
}

/// A gzip'd tar of `members` (with the folder entry first), as the official archive is laid out.
pub fn tar_gz(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_size(0);
    dir.set_mode(0o755);
    dir.set_cksum();
    tar.append_data(&mut dir, "cifar-10-batches-bin/", &[][..])
        .unwrap();
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, &data[..]).unwrap();
    }
    let mut gz = tar.into_inner().unwrap();
    gz.flush().unwrap();
    gz.finish().unwrap()
}

/// A fresh, empty folder under the system's temp folder for one test.
pub fn tmp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nnbook-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
