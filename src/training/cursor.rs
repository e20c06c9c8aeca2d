//! [`EpochCursor`]: where a resumable training run is in its epoch. It yields exactly the
//! batches [`crate::data::DataLoader`] yields for the same seed and epoch (same shuffle, same
//! crop/flip draws, same normalisation), but owns no borrow of the dataset, so a run can stop
//! after any batch, return to the page, and go on later — or restart from a checkpoint at
//! `(epoch, position)`.

use crate::data::augment::write_image;
use crate::data::{Batch, Dataset, LoaderConfig};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// The generator of epoch `epoch`, as `DataLoader` derives it (a test checks they agree).
fn epoch_rng(seed: u64, epoch: u64) -> Rng {
    Rng::new(seed ^ epoch.wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03))
}

/// A position in a seeded, per-epoch shuffled pass over the first `n` images of a dataset.
#[derive(Clone, Debug)]
pub struct EpochCursor {
    cfg: LoaderConfig,
    n: usize,
    epoch: u64,
    pos: usize,
    order: Vec<usize>,
    rng: Rng,
}

impl EpochCursor {
    /// At the start of epoch `epoch` over images `0..n`.
    pub fn new(cfg: LoaderConfig, n: usize, epoch: u64) -> EpochCursor {
        let mut c = EpochCursor {
            cfg,
            n,
            epoch,
            pos: 0,
            order: Vec::new(),
            rng: epoch_rng(0, 0),
        };
        c.set_epoch(epoch);
        c
    }

    /// Restarts at epoch `epoch`.
    pub fn set_epoch(&mut self, epoch: u64) {
        self.epoch = epoch;
        self.pos = 0;
        self.rng = epoch_rng(self.cfg.seed, epoch);
        self.order.clear();
        self.order.extend(0..self.n);
        if self.cfg.shuffle {
            self.rng.shuffle(&mut self.order);
        }
    }

    /// Moves to batch `batch` of epoch `epoch` (drawing the skipped images' augmentations, so
    /// the following batches are the ones an uninterrupted pass would give).
    pub fn seek(&mut self, epoch: u64, batch: usize) {
        self.set_epoch(epoch);
        let skip = (batch * self.cfg.batch_size).min(self.n);
        for _ in 0..skip {
            self.cfg.augment.draw(&mut self.rng);
        }
        self.pos = skip;
    }

    /// The current epoch (0-based).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Batches already taken in this epoch.
    pub fn batch_index(&self) -> usize {
        self.pos.div_ceil(self.cfg.batch_size.max(1))
    }

    /// Batches per epoch (`ceil(n / batch_size)`).
    pub fn batches_per_epoch(&self) -> usize {
        self.n.div_ceil(self.cfg.batch_size.max(1))
    }

    /// `true` when this epoch's batches are all taken.
    pub fn epoch_done(&self) -> bool {
        self.pos >= self.n
    }

    /// The next batch of this epoch from `ds` (`[B, C, H, W]` f32), or `None` at its end.
    ///
    /// # Errors
    /// The tensor size guard; `ds` must hold at least `n` images (else `IndexError`-free
    /// `ValueError` naming the dataset).
    pub fn next_batch(&mut self, ds: &Dataset) -> Option<crate::Result<Batch>> {
        if ds.len() < self.n {
            return Some(Err(crate::Error::value(
                "train",
                format!(
                    "{} has {} images, the run needs {}",
                    ds.name,
                    ds.len(),
                    self.n
                ),
            )));
        }
        let b = (self.n - self.pos).min(self.cfg.batch_size);
        if b == 0 {
            return None;
        }
        let indices = self.order[self.pos..self.pos + b].to_vec();
        self.pos += b;
        let dims = ds.dims();
        let image_len = ds.image_len();
        let mut buf = vec![0.0f32; b * image_len];
        for (k, &i) in indices.iter().enumerate() {
            let dst = &mut buf[k * image_len..(k + 1) * image_len];
            let place = self.cfg.augment.draw(&mut self.rng);
            write_image(ds.image(i), dims, self.cfg.augment.crop_padding, place, dst);
            if let Some(norm) = &self.cfg.normalize {
                norm.apply(dst, dims[1] * dims[2]);
            }
        }
        let labels = indices.iter().map(|&i| ds.labels[i] as i64).collect();
        let shape = [b, dims[0], dims[1], dims[2]];
        Some(Tensor::from_vec(&shape, buf).map(|x| Batch { x, labels, indices }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Augment, DataLoader, Normalize};

    fn dataset(n: usize) -> Dataset {
        let pixels = (0..n * 3 * 4 * 4).map(|i| (i * 37 % 251) as u8).collect();
        let labels = (0..n).map(|i| (i % 3) as u8).collect();
        let names = vec!["a".into(), "b".into(), "c".into()];
        Dataset::new("toy", [3, 4, 4], names, pixels, labels).unwrap()
    }

    #[test]
    fn same_batches_as_data_loader_across_epochs_and_seeks() {
        let ds = dataset(23);
        let norm = Normalize::cifar10();
        let cfg = LoaderConfig::new(5)
            .with_seed(7)
            .with_augment(Augment {
                crop_padding: 1,
                hflip: true,
            })
            .with_normalize(Some(norm));
        for epoch in 0..3u64 {
            let mut loader = DataLoader::new(&ds, cfg.clone()).unwrap();
            loader.set_epoch(epoch);
            let want: Vec<Batch> = loader.map(|b| b.unwrap()).collect();
            let mut cur = EpochCursor::new(cfg.clone(), ds.len(), epoch);
            assert_eq!(cur.batches_per_epoch(), 5);
            let mut got = Vec::new();
            while let Some(b) = cur.next_batch(&ds) {
                got.push(b.unwrap());
            }
            assert_eq!(got, want, "epoch {epoch}");
            assert!(cur.epoch_done());
            let mut resumed = EpochCursor::new(cfg.clone(), ds.len(), 0);
            resumed.seek(epoch, 2);
            assert_eq!(resumed.batch_index(), 2);
            assert_eq!(resumed.next_batch(&ds).unwrap().unwrap(), want[2]);
        }
    }
}
