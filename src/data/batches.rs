//! [`DataLoader`]: a seeded, per-epoch shuffled batch iterator over a [`Dataset`], like
//! `torch.utils.data.DataLoader(ds, batch_size, shuffle=True, drop_last=...)` with a
//! `transforms.Compose([RandomCrop, RandomHorizontalFlip, ToTensor, Normalize])`.
//!
//! It holds the dataset by reference and an index permutation; each [`Batch`] is built when it
//! is asked for (`[B, C, H, W]` f32), so the whole set is never copied. The order of epoch `e`
//! depends only on `(seed, e)`: the same seed gives the same orders, each epoch a new one.
//! Give a finished batch back with [`DataLoader::recycle`] to reuse its buffer.

use super::augment::{write_image, Augment, Normalize};
use super::error::DataError;
use super::format::Dataset;
use super::Rng;
use crate::Tensor;

/// How a [`DataLoader`] batches, shuffles and transforms.
#[derive(Clone, Debug, PartialEq)]
pub struct LoaderConfig {
    /// Images per batch, `B` (> 0).
    pub batch_size: usize,
    /// Shuffle each epoch (else the dataset order).
    pub shuffle: bool,
    /// Drop the last batch when it has fewer than `batch_size` images.
    pub drop_last: bool,
    /// Seed of the shuffles and augmentations.
    pub seed: u64,
    /// Random crop / flip.
    pub augment: Augment,
    /// Per-channel normalisation after scaling to `[0, 1]`.
    pub normalize: Option<Normalize>,
}

impl LoaderConfig {
    /// `batch_size`, shuffled, last batch kept, seed 0, no augmentation, no normalisation.
    pub fn new(batch_size: usize) -> LoaderConfig {
        LoaderConfig {
            batch_size,
            shuffle: true,
            drop_last: false,
            seed: 0,
            augment: Augment::NONE,
            normalize: None,
        }
    }

    /// With shuffling on or off.
    pub fn with_shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// With `drop_last`.
    pub fn with_drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// With a seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// With augmentation.
    pub fn with_augment(mut self, augment: Augment) -> Self {
        self.augment = augment;
        self
    }

    /// With normalisation (or none).
    pub fn with_normalize(mut self, normalize: Option<Normalize>) -> Self {
        self.normalize = normalize;
        self
    }
}

/// One batch: `x` is `[B, C, H, W]` f32, `labels` has `B` class indices (as
/// `cross_entropy` takes them), `indices` the dataset positions of the images.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// `[B, C, H, W]` images.
    pub x: Tensor,
    /// `[B]` labels.
    pub labels: Vec<i64>,
    /// `[B]` positions in the dataset.
    pub indices: Vec<usize>,
}

/// A per-epoch shuffled batch iterator over a borrowed [`Dataset`].
///
/// `next_batch` (or `Iterator::next`) yields the batches of the current epoch, then `None`;
/// [`DataLoader::next_epoch`] or [`DataLoader::set_epoch`] starts another.
pub struct DataLoader<'a> {
    ds: &'a Dataset,
    cfg: LoaderConfig,
    epoch: u64,
    order: Vec<usize>,
    pos: usize,
    rng: Rng,
    spare: Vec<f32>,
}

/// The generator of epoch `epoch`: a SplitMix-style mix of seed and epoch.
fn epoch_rng(seed: u64, epoch: u64) -> Rng {
    Rng::new(seed ^ epoch.wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03))
}

impl<'a> DataLoader<'a> {
    /// A loader at epoch 0.
    ///
    /// # Errors
    /// `InvalidRequest` for `batch_size == 0` or a normalisation whose channel count differs
    /// from the dataset's.
    pub fn new(ds: &'a Dataset, cfg: LoaderConfig) -> Result<DataLoader<'a>, DataError> {
        if cfg.batch_size == 0 {
            return Err(DataError::request(&ds.name, "batch_size must be positive"));
        }
        if let Some(n) = &cfg.normalize {
            n.check(ds.channels, &ds.name)?;
        }
        let mut loader = DataLoader {
            ds,
            order: Vec::with_capacity(ds.len()),
            rng: epoch_rng(cfg.seed, 0),
            cfg,
            epoch: 0,
            pos: 0,
            spare: Vec::new(),
        };
        loader.set_epoch(0);
        Ok(loader)
    }

    /// Restarts at epoch `epoch` with its own order (the same for the same seed and epoch).
    pub fn set_epoch(&mut self, epoch: u64) {
        self.epoch = epoch;
        self.pos = 0;
        self.rng = epoch_rng(self.cfg.seed, epoch);
        self.order.clear();
        self.order.extend(0..self.ds.len());
        if self.cfg.shuffle {
            self.rng.shuffle(&mut self.order);
        }
    }

    /// Starts the next epoch.
    pub fn next_epoch(&mut self) {
        self.set_epoch(self.epoch + 1);
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The index order of the current epoch.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Batches per epoch (`ceil(N / B)`, or `floor` with `drop_last`).
    pub fn len(&self) -> usize {
        let (n, b) = (self.ds.len(), self.cfg.batch_size);
        if self.cfg.drop_last {
            n / b
        } else {
            n.div_ceil(b)
        }
    }

    /// `true` when an epoch has no batches.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Gives a batch's buffer back for the next batch to reuse.
    pub fn recycle(&mut self, batch: Batch) {
        let v = batch.x.into_vec();
        if v.capacity() > self.spare.capacity() {
            self.spare = v;
        }
    }

    /// The next batch of this epoch, or `None` when the epoch is over.
    ///
    /// # Errors
    /// [`crate::Error::TooLarge`] if the batch tensor exceeds the size guard.
    pub fn next_batch(&mut self) -> Option<crate::Result<Batch>> {
        let remaining = self.order.len() - self.pos;
        let b = remaining.min(self.cfg.batch_size);
        if b == 0 || (self.cfg.drop_last && b < self.cfg.batch_size) {
            return None;
        }
        let indices = self.order[self.pos..self.pos + b].to_vec();
        self.pos += b;
        let dims = self.ds.dims();
        let image_len = self.ds.image_len();
        let plane = dims[1] * dims[2];
        let mut buf = std::mem::take(&mut self.spare);
        buf.clear();
        buf.resize(b * image_len, 0.0);
        let pad = self.cfg.augment.crop_padding;
        for (k, &i) in indices.iter().enumerate() {
            let dst = &mut buf[k * image_len..(k + 1) * image_len];
            let place = self.cfg.augment.draw(&mut self.rng);
            write_image(self.ds.image(i), dims, pad, place, dst);
            if let Some(n) = &self.cfg.normalize {
                n.apply(dst, plane);
            }
        }
        let labels = indices.iter().map(|&i| self.ds.labels[i] as i64).collect();
        let shape = [b, dims[0], dims[1], dims[2]];
        Some(Tensor::from_vec(&shape, buf).map(|x| Batch { x, labels, indices }))
    }
}

impl Iterator for DataLoader<'_> {
    type Item = crate::Result<Batch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch()
    }
}
