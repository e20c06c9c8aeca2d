//! NNBD: nnbook's compact, versioned binary dataset format (`.nnbd`), and [`Dataset`], the
//! in-memory set of uint8 images and labels every loader produces.
//!
//! # Layout, version 1 (all integers little-endian)
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 4 | magic `b"NNBD"` |
//! | 4 | 2 | version, `1` |
//! | 6 | 2 | flags, `0` (reserved: a reader refuses bits it does not know) |
//! | 8 | 4 | `N`, the number of images |
//! | 12 | 2 | `C`, channels (3 for CIFAR-10, 1 for MNIST) |
//! | 14 | 2 | `H`, height |
//! | 16 | 2 | `W`, width |
//! | 18 | 2 | `K`, the number of classes (1..=256, or 0 when `N` is 0) |
//! | 20 | 2 + n | dataset name: byte length `n` (u16), then UTF-8 |
//! | … | K × (2 + n) | class names, in label order, each a u16 length then UTF-8 |
//! | … | N·C·H·W | pixels, uint8, image after image; each image **CHW planar** like the official CIFAR-10 binary: the whole first channel (R) row-major, then G, then B |
//! | … | N | labels, one u8 each, `< K` |
//!
//! The file ends right after the labels; any other length is a size mismatch.

use super::error::{DataError, DataErrorKind};

/// The four bytes every `.nnbd` file starts with.
pub const MAGIC: [u8; 4] = *b"NNBD";
/// The format version this build writes and reads.
pub const VERSION: u16 = 1;
/// Most classes a dataset may have (labels are one byte).
pub const MAX_CLASSES: usize = 256;
/// Bytes of the fixed part of the header (magic .. class count).
pub const FIXED_HEADER_BYTES: usize = 20;
/// Largest image, `C * H * W` bytes, a reader accepts (16 MiB).
pub const MAX_IMAGE_BYTES: u64 = 1 << 24;

/// A set of uint8 images of one size with their labels.
///
/// `pixels` holds `len() * channels * height * width` bytes, each image CHW planar;
/// `labels[i] < class_names.len()`. [`Dataset::new`] checks both; the loaders only produce
/// datasets that satisfy them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// A short name, e.g. `"cifar10-train"`.
    pub name: String,
    /// `C`.
    pub channels: usize,
    /// `H`.
    pub height: usize,
    /// `W`.
    pub width: usize,
    /// The class names in label order, e.g. `["airplane", ..., "truck"]`.
    pub class_names: Vec<String>,
    /// `[N, C, H, W]` uint8 pixels, row-major.
    pub pixels: Vec<u8>,
    /// `[N]` labels.
    pub labels: Vec<u8>,
}

/// Cuts `s` to at most `u16::MAX` bytes at a character boundary.
fn clamp_u16(s: &str) -> &str {
    let mut end = s.len().min(u16::MAX as usize);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Dataset {
    /// A dataset after checking its invariants.
    ///
    /// # Errors
    /// `InvalidHeader` for a zero or > 65535 dimension, no classes for a non-empty set, more
    /// than 256 classes or names longer than 65535 bytes; `SizeMismatch` when `pixels` is not
    /// `labels.len() * C * H * W` bytes; `LabelOutOfRange` for a label `>= class_names.len()`.
    /// `file` names the dataset in the error.
    pub fn new(
        name: &str,
        dims: [usize; 3],
        class_names: Vec<String>,
        pixels: Vec<u8>,
        labels: Vec<u8>,
    ) -> Result<Dataset, DataError> {
        let ds = Dataset {
            name: name.to_string(),
            channels: dims[0],
            height: dims[1],
            width: dims[2],
            class_names,
            pixels,
            labels,
        };
        ds.validate(name)?;
        Ok(ds)
    }

    /// Checks the invariants listed on [`Dataset::new`], naming `file` in errors.
    pub fn validate(&self, file: &str) -> Result<(), DataError> {
        let bad = |m: String| DataError::in_file(file, DataErrorKind::InvalidHeader { message: m });
        for (what, d) in [
            ("channels", self.channels),
            ("height", self.height),
            ("width", self.width),
        ] {
            if d == 0 || d > u16::MAX as usize {
                return Err(bad(format!("{what} is {d}, must be in 1..=65535")));
            }
        }
        if self.channels as u64 * self.height as u64 * self.width as u64 > MAX_IMAGE_BYTES {
            return Err(bad(format!("images larger than {MAX_IMAGE_BYTES} bytes")));
        }
        let k = self.class_names.len();
        if k > MAX_CLASSES || (k == 0 && !self.labels.is_empty()) {
            return Err(bad(format!("{k} classes, must be in 1..={MAX_CLASSES}")));
        }
        if self.name.len() > u16::MAX as usize
            || self.class_names.iter().any(|n| n.len() > u16::MAX as usize)
        {
            return Err(bad("a name is longer than 65535 bytes".into()));
        }
        let expected = self.labels.len() as u64 * self.image_len() as u64;
        if self.pixels.len() as u64 != expected {
            return Err(DataError::in_file(
                file,
                DataErrorKind::SizeMismatch {
                    expected,
                    actual: self.pixels.len() as u64,
                },
            ));
        }
        if let Some(i) = self.labels.iter().position(|&l| l as usize >= k) {
            return Err(DataError::in_file(
                file,
                DataErrorKind::LabelOutOfRange {
                    index: i,
                    label: self.labels[i] as i64,
                    classes: k,
                },
            ));
        }
        Ok(())
    }

    /// Number of images `N`.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// `true` when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Bytes per image, `C * H * W`.
    pub fn image_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// `[C, H, W]`.
    pub fn dims(&self) -> [usize; 3] {
        [self.channels, self.height, self.width]
    }

    /// Image `i` as `C * H * W` CHW-planar bytes.
    ///
    /// # Panics
    /// If `i >= len()` (like slice indexing); use [`Dataset::get_image`] for a checked read.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.image_len();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// Image `i`, or `None` past the end.
    pub fn get_image(&self, i: usize) -> Option<&[u8]> {
        let n = self.image_len();
        self.pixels.get(i.checked_mul(n)?..(i + 1).checked_mul(n)?)
    }

    /// How many images each class has, indexed by label (`class_names.len()` entries).
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.class_names.len()];
        for &l in &self.labels {
            if let Some(c) = counts.get_mut(l as usize) {
                *c += 1;
            }
        }
        counts
    }

    /// A new dataset of the images at `indices` (in that order), named `name`.
    ///
    /// # Errors
    /// `InvalidRequest` if an index is `>= len()`.
    pub fn select(&self, name: &str, indices: &[usize]) -> Result<Dataset, DataError> {
        let n = self.image_len();
        let mut pixels = Vec::with_capacity(indices.len() * n);
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            let img = self.get_image(i).ok_or_else(|| {
                DataError::request(
                    &self.name,
                    format!("image {i} requested, the set has {}", self.len()),
                )
            })?;
            pixels.extend_from_slice(img);
            labels.push(self.labels[i]);
        }
        Ok(Dataset {
            name: name.to_string(),
            channels: self.channels,
            height: self.height,
            width: self.width,
            class_names: self.class_names.clone(),
            pixels,
            labels,
        })
    }

    /// The `.nnbd` bytes of this dataset (layout in the module docs). Names longer than 65535
    /// bytes are cut at a character boundary (a [`Dataset::new`]-checked set has none).
    pub fn encode(&self) -> Vec<u8> {
        let names: usize = self.class_names.iter().map(|n| 2 + n.len()).sum();
        let mut out = Vec::with_capacity(
            FIXED_HEADER_BYTES + 2 + self.name.len() + names + self.pixels.len() + self.len(),
        );
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        for d in [
            self.channels,
            self.height,
            self.width,
            self.class_names.len(),
        ] {
            out.extend_from_slice(&(d as u16).to_le_bytes());
        }
        for s in std::iter::once(&self.name).chain(&self.class_names) {
            let s = clamp_u16(s);
            out.extend_from_slice(&(s.len() as u16).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        out.extend_from_slice(&self.pixels);
        out.extend_from_slice(&self.labels);
        out
    }

    /// Reads `.nnbd` bytes; `file` names them in errors.
    ///
    /// # Errors
    /// `BadMagic` (offset 0), `UnsupportedVersion` (4), `UnsupportedFlags` (6), `Truncated`
    /// where the header or a name is cut, `InvalidHeader` for impossible dimensions or class
    /// count, `BadUtf8` for a name, `SizeMismatch` (at the start of the pixels) when the body is
    /// not `N·C·H·W + N` bytes, `LabelOutOfRange` at the offending label byte.
    pub fn decode(bytes: &[u8], file: &str) -> Result<Dataset, DataError> {
        let mut r = Reader {
            bytes,
            pos: 0,
            file,
        };
        let magic = r.take(4).map_err(|_| {
            DataError::at(
                file,
                0,
                DataErrorKind::BadMagic {
                    expected: MAGIC.to_vec(),
                    found: bytes[..bytes.len().min(4)].to_vec(),
                },
            )
        })?;
        if magic != MAGIC {
            return Err(DataError::at(
                file,
                0,
                DataErrorKind::BadMagic {
                    expected: MAGIC.to_vec(),
                    found: magic.to_vec(),
                },
            ));
        }
        let version = r.u16()?;
        if version != VERSION {
            return Err(DataError::at(
                file,
                4,
                DataErrorKind::UnsupportedVersion {
                    found: version,
                    supported: VERSION,
                },
            ));
        }
        let flags = r.u16()?;
        if flags != 0 {
            return Err(DataError::at(
                file,
                6,
                DataErrorKind::UnsupportedFlags { flags },
            ));
        }
        let count = r.u32()? as usize;
        let (c, h, w) = (r.u16()? as usize, r.u16()? as usize, r.u16()? as usize);
        let k = r.u16()? as usize;
        let invalid = |offset: u64, message: String| {
            DataError::at(file, offset, DataErrorKind::InvalidHeader { message })
        };
        if c == 0 || h == 0 || w == 0 {
            return Err(invalid(
                12,
                format!("image size {c}x{h}x{w} has a zero dimension"),
            ));
        }
        if c as u64 * h as u64 * w as u64 > MAX_IMAGE_BYTES {
            return Err(invalid(
                12,
                format!("images of {c}x{h}x{w} are larger than {MAX_IMAGE_BYTES} bytes"),
            ));
        }
        if k > MAX_CLASSES || (k == 0 && count > 0) {
            return Err(invalid(
                18,
                format!("{k} classes, must be in 1..={MAX_CLASSES}"),
            ));
        }
        let name = r.string("dataset name")?;
        let mut class_names = Vec::with_capacity(k);
        for i in 0..k {
            class_names.push(r.string(&format!("class name {i}"))?);
        }
        let body_start = r.pos as u64;
        // u128: N·(C·H·W + 1) can exceed u64 in a hostile header.
        let expected = count as u128 * ((c * h * w) as u128 + 1);
        let actual = (bytes.len() - r.pos) as u64;
        if expected != actual as u128 {
            return Err(DataError::at(
                file,
                body_start,
                DataErrorKind::SizeMismatch {
                    expected: u64::try_from(expected).unwrap_or(u64::MAX),
                    actual,
                },
            ));
        }
        let pixels = r.take(count * c * h * w)?.to_vec();
        let labels_start = r.pos;
        let labels = r.take(count)?.to_vec();
        if let Some(i) = labels.iter().position(|&l| l as usize >= k) {
            return Err(DataError::at(
                file,
                (labels_start + i) as u64,
                DataErrorKind::LabelOutOfRange {
                    index: i,
                    label: labels[i] as i64,
                    classes: k,
                },
            ));
        }
        Ok(Dataset {
            name,
            channels: c,
            height: h,
            width: w,
            class_names,
            pixels,
            labels,
        })
    }
}

/// A cursor over bytes that reports `Truncated` with the offset where a field was cut.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    file: &'a str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DataError> {
        let available = self.bytes.len() - self.pos;
        if n > available {
            return Err(DataError::at(
                self.file,
                self.pos as u64,
                DataErrorKind::Truncated {
                    needed: n as u64,
                    available: available as u64,
                },
            ));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u16(&mut self) -> Result<u16, DataError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, DataError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self, what: &str) -> Result<String, DataError> {
        let len = self.u16()? as usize;
        let start = self.pos as u64;
        let b = self.take(len)?;
        String::from_utf8(b.to_vec()).map_err(|_| {
            DataError::at(
                self.file,
                start,
                DataErrorKind::BadUtf8 { what: what.into() },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_header_bytes() {
        let ds = Dataset::new(
            "t",
            [1, 2, 2],
            vec!["a".into(), "b".into()],
            (0..8).collect(),
            vec![1, 0],
        )
        .unwrap();
        let bytes = ds.encode();
        assert_eq!(&bytes[..4], b"NNBD");
        assert_eq!(bytes.len(), 20 + 3 + 3 + 3 + 8 + 2);
        assert_eq!(Dataset::decode(&bytes, "t").unwrap(), ds);
        assert_eq!(ds.image(1), &[4, 5, 6, 7]);
        assert_eq!(ds.class_counts(), vec![1, 1]);
        assert_eq!(ds.get_image(2), None);
    }
}
