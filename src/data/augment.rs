//! Standard CIFAR augmentation and per-channel normalisation, as torchvision's
//! `RandomCrop(32, padding=4)`, `RandomHorizontalFlip()`, `ToTensor()` and
//! `Normalize(mean, std)` compute them, each switchable.
//!
//! For an image `src` of `[C, H, W]` uint8 with crop padding `p`, a [`Placement`]
//! `(dy, dx, flip)` with `dy, dx ∈ 0..=2p` writes
//!
//! ```text
//! x' = if flip { W-1-x } else { x }
//! out[c, y, x] = padded[c, y+dy, x'+dx] / 255,   padded = src with p zero pixels on every side
//! ```
//!
//! so `(p, p, false)` is the identity. Normalisation then maps each channel `v -> (v - mean[c]) /
//! std[c]` (padding pixels included, as torchvision does after padding with 0).

use super::error::DataError;
use super::Rng;

/// Which random augmentations to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Augment {
    /// Random crop after zero-padding this many pixels on each side; 0 turns it off.
    pub crop_padding: usize,
    /// Mirror left-right with probability 1/2.
    pub hflip: bool,
}

impl Augment {
    /// No augmentation.
    pub const NONE: Augment = Augment {
        crop_padding: 0,
        hflip: false,
    };
    /// The standard CIFAR-10 recipe: 4-pixel padding crop and horizontal flip.
    pub const CIFAR10: Augment = Augment {
        crop_padding: 4,
        hflip: true,
    };

    /// Draws a placement: `dy`, `dx` uniform in `0..=2p`, `flip` with probability 1/2.
    pub(crate) fn draw(&self, rng: &mut Rng) -> Placement {
        let span = 2 * self.crop_padding + 1;
        let dy = rng.below(span);
        let dx = rng.below(span);
        let flip = self.hflip && rng.uniform_f32() < 0.5;
        Placement { dy, dx, flip }
    }
}

/// Where one crop is taken from the padded image, and whether it is mirrored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Top row of the crop in the padded image, `0..=2p`.
    pub dy: usize,
    /// Left column of the crop in the padded image, `0..=2p`.
    pub dx: usize,
    /// Mirror left-right after cropping.
    pub flip: bool,
}

impl Placement {
    /// The placement that copies the image unchanged for padding `p`.
    pub fn identity(padding: usize) -> Placement {
        Placement {
            dy: padding,
            dx: padding,
            flip: false,
        }
    }
}

/// Writes one `[C, H, W]` uint8 image `src` as f32 in `[0, 1]` into `dst` (`C*H*W` values),
/// cropped and flipped per `place` with `padding` zero pixels (see the module docs).
///
/// # Panics
/// If `src` or `dst` is not `C*H*W` long (callers size both from the dataset).
pub fn write_image(
    src: &[u8],
    dims: [usize; 3],
    padding: usize,
    place: Placement,
    dst: &mut [f32],
) {
    let [c, h, w] = dims;
    assert_eq!(src.len(), c * h * w, "write_image: src length");
    assert_eq!(dst.len(), c * h * w, "write_image: dst length");
    for ch in 0..c {
        let plane = &src[ch * h * w..(ch + 1) * h * w];
        let out = &mut dst[ch * h * w..(ch + 1) * h * w];
        for y in 0..h {
            let sy = (y + place.dy).wrapping_sub(padding); // wraps (out of range) above the image
            let out_row = &mut out[y * w..(y + 1) * w];
            if sy >= h {
                out_row.fill(0.0);
                continue;
            }
            let src_row = &plane[sy * w..(sy + 1) * w];
            for (x, o) in out_row.iter_mut().enumerate() {
                let xs = if place.flip { w - 1 - x } else { x };
                let sx = (xs + place.dx).wrapping_sub(padding);
                // Division, as torchvision's ToTensor (`float().div(255)`), for identical bits.
                *o = if sx < w {
                    src_row[sx] as f32 / 255.0
                } else {
                    0.0
                };
            }
        }
    }
}

/// Per-channel normalisation `v -> (v - mean[c]) / std[c]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalize {
    /// One mean per channel.
    pub mean: Vec<f32>,
    /// One standard deviation per channel.
    pub std: Vec<f32>,
}

impl Normalize {
    /// The published CIFAR-10 training-set statistics: mean (0.4914, 0.4822, 0.4465),
    /// std (0.2470, 0.2435, 0.2616).
    pub fn cifar10() -> Normalize {
        Normalize {
            mean: vec![0.4914, 0.4822, 0.4465],
            std: vec![0.2470, 0.2435, 0.2616],
        }
    }

    /// The MNIST statistics: mean 0.1307, std 0.3081.
    pub fn mnist() -> Normalize {
        Normalize {
            mean: vec![0.1307],
            std: vec![0.3081],
        }
    }

    /// Checks there is one positive, finite std and one finite mean for each of `channels`.
    ///
    /// # Errors
    /// `InvalidRequest` naming `file` otherwise.
    pub fn check(&self, channels: usize, file: &str) -> Result<(), DataError> {
        if self.mean.len() != channels || self.std.len() != channels {
            return Err(DataError::request(
                file,
                format!(
                    "normalisation has {} means and {} stds for {channels} channels",
                    self.mean.len(),
                    self.std.len()
                ),
            ));
        }
        if self.std.iter().any(|&s| !(s > 0.0 && s.is_finite()))
            || self.mean.iter().any(|m| !m.is_finite())
        {
            return Err(DataError::request(
                file,
                "normalisation std must be positive and finite",
            ));
        }
        Ok(())
    }

    /// Normalises one `[C, H*W]` image in place (`plane` = `H*W`), like torchvision's
    /// `sub_(mean).div_(std)`. Channels without a mean/std (see [`Normalize::check`]) are left
    /// as they are.
    pub fn apply(&self, img: &mut [f32], plane: usize) {
        for (ch, values) in img.chunks_mut(plane.max(1)).enumerate() {
            let (Some(&m), Some(&s)) = (self.mean.get(ch), self.std.get(ch)) else {
                continue;
            };
            for v in values {
                *v = (*v - m) / s;
            }
        }
    }
}
