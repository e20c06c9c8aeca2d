//! The sprite PNGs of `../shared/data` (the ConvNetJS demo layout) and their label JSON.
//!
//! A sprite PNG holds one image per PNG row: CIFAR-10 rows are 1024 RGB pixels (the 32×32
//! image row-major, each pixel R, G, B interleaved), MNIST rows are 784 greyscale pixels
//! (28×28 row-major). The readers return images CHW planar, as NNBD and the official CIFAR-10
//! binary store them: pixel (y, x) of channel c of an image is at `c*H*W + y*W + x`.
//! The labels file is `{"labels": [int, ...]}`.

use super::error::{DataError, DataErrorKind};
use std::io::Cursor;

/// The image size of one sprite row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpriteLayout {
    /// 3 (PNG colour type RGB) or 1 (greyscale).
    pub channels: usize,
    /// Image height.
    pub height: usize,
    /// Image width.
    pub width: usize,
}

impl SpriteLayout {
    /// CIFAR-10: RGB 32×32, rows of 1024 pixels.
    pub const CIFAR10: SpriteLayout = SpriteLayout {
        channels: 3,
        height: 32,
        width: 32,
    };
    /// MNIST: greyscale 28×28, rows of 784 pixels.
    pub const MNIST: SpriteLayout = SpriteLayout {
        channels: 1,
        height: 28,
        width: 28,
    };

    /// Bytes per image, `C * H * W`.
    pub fn image_len(&self) -> usize {
        self.channels * self.height * self.width
    }
}

fn bad_png(file: &str, message: impl Into<String>) -> DataError {
    DataError::in_file(
        file,
        DataErrorKind::BadPng {
            message: message.into(),
        },
    )
}

/// Every image of a sprite PNG, `[rows, C, H, W]` uint8 (CHW planar), in row order.
///
/// # Errors
/// See [`decode_sprite_rows`].
pub fn decode_sprite(bytes: &[u8], file: &str, layout: SpriteLayout) -> Result<Vec<u8>, DataError> {
    decode_rows(bytes, file, layout, None)
}

/// The images at `rows` (strictly increasing row indices) of a sprite PNG,
/// `[rows.len(), C, H, W]` uint8 (CHW planar), in the order given. Decoding stops after the last
/// row asked for.
///
/// # Errors
/// `BadPng` when the bytes are not a PNG, the PNG is cut or corrupt, or it is not 8-bit,
/// non-interlaced, of the layout's colour type (RGB for 3 channels, greyscale for 1) and
/// `H * W` pixels wide; `InvalidRequest` when `rows` is not increasing or asks for a row past
/// the PNG's height.
pub fn decode_sprite_rows(
    bytes: &[u8],
    file: &str,
    layout: SpriteLayout,
    rows: &[usize],
) -> Result<Vec<u8>, DataError> {
    if rows.windows(2).any(|w| w[0] >= w[1]) {
        return Err(DataError::request(
            file,
            "sprite rows must be strictly increasing",
        ));
    }
    decode_rows(bytes, file, layout, Some(rows))
}

fn decode_rows(
    bytes: &[u8],
    file: &str,
    layout: SpriteLayout,
    rows: Option<&[usize]>,
) -> Result<Vec<u8>, DataError> {
    let decoder = png::Decoder::new(Cursor::new(bytes));
    let mut reader = decoder
        .read_info()
        .map_err(|e| bad_png(file, e.to_string()))?;
    let info = reader.info();
    let (width, height) = (info.width as usize, info.height as usize);
    let expected_type = match layout.channels {
        3 => png::ColorType::Rgb,
        1 => png::ColorType::Grayscale,
        c => {
            return Err(DataError::request(
                file,
                format!("sprites have 1 or 3 channels, not {c}"),
            ))
        }
    };
    if info.color_type != expected_type || info.bit_depth != png::BitDepth::Eight {
        return Err(bad_png(
            file,
            format!(
                "expected 8-bit {expected_type:?}, found {:?} {:?}",
                info.bit_depth, info.color_type
            ),
        ));
    }
    if info.interlaced {
        return Err(bad_png(file, "interlaced sprites are not supported"));
    }
    let hw = layout.height * layout.width;
    if width != hw {
        return Err(bad_png(
            file,
            format!(
                "width {width}, expected {hw} (one {}x{} image per row)",
                layout.height, layout.width
            ),
        ));
    }
    if let Some(&last) = rows.and_then(|r| r.last()) {
        if last >= height {
            return Err(DataError::request(
                file,
                format!("row {last} requested, the sprite has {height} rows"),
            ));
        }
    }
    let n_out = rows.map_or(height, <[usize]>::len);
    let n_read = rows.map_or(height, |r| r.last().map_or(0, |&l| l + 1));
    let c = layout.channels;
    // Grown row by row: a header claiming a huge height fails when the data runs out, before
    // any large allocation.
    let mut out = Vec::with_capacity(n_out.min(4096) * layout.image_len());
    let mut next = 0; // index into `rows` / `out` of the next image to keep
    for r in 0..n_read {
        let row = reader
            .next_row()
            .map_err(|e| bad_png(file, format!("row {r}: {e}")))?
            .ok_or_else(|| bad_png(file, format!("image data ends at row {r} of {height}")))?;
        let keep = rows.is_none_or(|rs| rs.get(next) == Some(&r));
        if !keep {
            continue;
        }
        let data = row.data();
        if data.len() != hw * c {
            return Err(bad_png(file, format!("row {r} has {} bytes", data.len())));
        }
        out.resize((next + 1) * hw * c, 0);
        let img = &mut out[next * hw * c..];
        for (p, px) in data.chunks_exact(c).enumerate() {
            for (ch, &v) in px.iter().enumerate() {
                img[ch * hw + p] = v;
            }
        }
        next += 1;
    }
    Ok(out)
}

#[derive(serde::Deserialize)]
struct LabelsFile {
    labels: Vec<i64>,
}

/// The labels of a label JSON file (`{"labels": [...]}`), each checked to be `< classes`.
///
/// # Errors
/// `BadJson` at the byte offset where parsing failed; `LabelOutOfRange` naming the index of
/// the first label outside `0..classes`.
pub fn read_labels_json(bytes: &[u8], file: &str, classes: usize) -> Result<Vec<u8>, DataError> {
    let parsed: LabelsFile =
        serde_json::from_slice(bytes).map_err(|e| json_error(bytes, file, &e))?;
    let classes = classes.min(256);
    parsed
        .labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            if l < 0 || l as usize >= classes {
                Err(DataError::in_file(
                    file,
                    DataErrorKind::LabelOutOfRange {
                        index: i,
                        label: l,
                        classes,
                    },
                ))
            } else {
                Ok(l as u8)
            }
        })
        .collect()
}

/// The byte offset of 1-based `line`, `column` (serde_json's position; column 0 = line start).
/// A JSON parse error of `bytes` as a `BadJson` [`DataError`] at the byte it points to.
pub(crate) fn json_error(bytes: &[u8], file: &str, e: &serde_json::Error) -> DataError {
    DataError::at(
        file,
        byte_offset(bytes, e.line(), e.column()),
        DataErrorKind::BadJson {
            message: e.to_string(),
        },
    )
}

fn byte_offset(bytes: &[u8], line: usize, column: usize) -> u64 {
    let mut start = 0;
    for _ in 1..line {
        match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(p) => start += p + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(bytes.len()) as u64
}
