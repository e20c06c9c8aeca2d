//! `.safetensors` files: the format `safetensors.torch.save_file(model.state_dict(), path)`
//! writes and `load_file` reads, for float32 tensors.
//!
//! # Layout (all integers little-endian)
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 8 | `n`, the header's byte length (u64) |
//! | 8 | n | UTF-8 JSON object: `{"0.weight": {"dtype": "F32", "shape": [32, 3, 5, 5], "data_offsets": [begin, end]}, ..., "__metadata__": {"k": "v"}}` (may end with spaces) |
//! | 8 + n | … | the data buffer; tensor `t` is `buffer[begin..end]`, row-major, little-endian |
//!
//! The reader is strict, as the reference implementation is: the header must be a JSON object
//! of entries with exactly those three fields; each tensor's byte length must be
//! `numel * 4`; the tensors must tile the buffer exactly (no gap, no overlap, nothing after the
//! last). nnbook reads and writes `F32` only (what `state_dict()` of a float32 model holds);
//! another dtype is an error naming the tensor.
//!
//! ```
//! use nnbook::nn::safetensors::{read_safetensors, write_safetensors};
//! use nnbook::Tensor;
//! let t = Tensor::from_vec(&[2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
//! let bytes = write_safetensors(&[("0.weight".to_string(), t.clone())], &[]);
//! let back = read_safetensors(&bytes, "w.safetensors").unwrap();
//! assert_eq!(back.tensors, vec![("0.weight".to_string(), t)]);
//! ```

use crate::error::{Error, PyKind, Result};
use crate::nn::{load_state_dict, Module};
use crate::tensor::Tensor;
use serde_json::{Map, Value};

/// Largest header a reader accepts (100 MB, as the reference implementation).
pub const MAX_HEADER_BYTES: u64 = 100_000_000;

/// The tensors of a file in header order, and its `__metadata__` (string to string).
#[derive(Clone, Debug, PartialEq)]
pub struct SafeTensors {
    /// `(name, tensor)` in the order of their data in the file.
    pub tensors: Vec<(String, Tensor)>,
    /// The `__metadata__` entries, sorted by key (empty when absent).
    pub metadata: Vec<(String, String)>,
}

fn bad(file: &str, message: impl std::fmt::Display) -> Error {
    Error::msg(
        "safetensors",
        PyKind::NnbookError,
        format!("{file}: not a valid .safetensors file: {message}"),
    )
}

/// Writes `tensors` (float32, in the given order) and `metadata` as a `.safetensors` file.
/// The header is padded with spaces so the data starts at a multiple of 8 bytes.
pub fn write_safetensors(tensors: &[(String, Tensor)], metadata: &[(String, String)]) -> Vec<u8> {
    let mut header = Map::new();
    if !metadata.is_empty() {
        let m: Map<String, Value> = metadata
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        header.insert("__metadata__".into(), Value::Object(m));
    }
    let mut offset = 0usize;
    for (name, t) in tensors {
        let len = t.numel() * 4;
        let mut entry = Map::new();
        entry.insert("dtype".into(), Value::String("F32".into()));
        entry.insert("shape".into(), t.shape().iter().copied().collect());
        entry.insert(
            "data_offsets".into(),
            Value::Array(vec![offset.into(), (offset + len).into()]),
        );
        header.insert(name.clone(), Value::Object(entry));
        offset += len;
    }
    let mut json = Value::Object(header).to_string().into_bytes();
    while !(8 + json.len()).is_multiple_of(8) {
        json.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    for (_, t) in tensors {
        for v in t.data() {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// One header entry, checked.
struct Entry {
    name: String,
    shape: Vec<usize>,
    begin: usize,
    end: usize,
}

fn parse_entry(file: &str, name: &str, v: &Value) -> Result<Entry> {
    let obj = v
        .as_object()
        .ok_or_else(|| bad(file, format!("tensor '{name}': entry is not an object")))?;
    for key in obj.keys() {
        if !matches!(key.as_str(), "dtype" | "shape" | "data_offsets") {
            return Err(bad(file, format!("tensor '{name}': unknown field '{key}'")));
        }
    }
    let dtype = obj
        .get("dtype")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(file, format!("tensor '{name}': missing dtype")))?;
    if dtype != "F32" {
        return Err(Error::msg(
            "safetensors",
            PyKind::NnbookError,
            format!(
                "{file}: tensor '{name}' has dtype {dtype}; nnbook loads float32 (F32) weights only \
                 (save with model.float().state_dict())"
            ),
        ));
    }
    let shape: Vec<usize> = obj
        .get("shape")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                .collect::<Option<Vec<usize>>>()
        })
        .ok_or_else(|| {
            bad(
                file,
                format!("tensor '{name}': shape is not a list of sizes"),
            )
        })?;
    let offsets: Vec<usize> = obj
        .get("data_offsets")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                .collect::<Option<Vec<usize>>>()
        })
        .filter(|o| o.len() == 2)
        .ok_or_else(|| {
            bad(
                file,
                format!("tensor '{name}': data_offsets is not [begin, end]"),
            )
        })?;
    let (begin, end) = (offsets[0], offsets[1]);
    let numel = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad(file, format!("tensor '{name}': shape {shape:?} overflows")))?;
    if end < begin || Some(end - begin) != numel.checked_mul(4) {
        return Err(bad(
            file,
            format!(
                "tensor '{name}': data_offsets [{begin}, {end}] hold {} bytes, but shape {shape:?} of F32 needs {}",
                end.saturating_sub(begin),
                numel.saturating_mul(4)
            ),
        ));
    }
    Ok(Entry {
        name: name.to_string(),
        shape,
        begin,
        end,
    })
}

/// Reads a `.safetensors` file (`file` names it in errors).
///
/// # Errors
/// An `NnbookError` (op `"safetensors"`) naming `file` and, where it applies, the tensor: a
/// file shorter than its header, a header that is not a JSON object of valid entries, a dtype
/// other than `F32`, offsets that disagree with the shape, tensors that do not tile the data
/// buffer exactly, a size over the tensor size guard.
pub fn read_safetensors(bytes: &[u8], file: &str) -> Result<SafeTensors> {
    if bytes.len() < 8 {
        return Err(bad(
            file,
            format!(
                "{} bytes, shorter than the 8-byte header length",
                bytes.len()
            ),
        ));
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[..8]);
    let n = u64::from_le_bytes(len);
    if n > MAX_HEADER_BYTES || n > (bytes.len() - 8) as u64 {
        return Err(bad(
            file,
            format!(
                "header length {n} exceeds the file ({} bytes after the length)",
                bytes.len() - 8
            ),
        ));
    }
    let n = n as usize;
    let header = &bytes[8..8 + n];
    if header.first() != Some(&b'{') {
        return Err(bad(file, "the header does not start with '{'"));
    }
    let header: Value = serde_json::from_slice(header)
        .map_err(|e| bad(file, format!("the header is not valid JSON ({e})")))?;
    let obj = header
        .as_object()
        .ok_or_else(|| bad(file, "the header is not a JSON object"))?;
    let data = &bytes[8 + n..];
    let mut metadata = Vec::new();
    let mut entries = Vec::new();
    for (name, v) in obj {
        if name == "__metadata__" {
            let m = v
                .as_object()
                .ok_or_else(|| bad(file, "__metadata__ is not an object"))?;
            for (k, v) in m {
                let v = v
                    .as_str()
                    .ok_or_else(|| bad(file, format!("__metadata__ '{k}' is not a string")))?;
                metadata.push((k.clone(), v.to_string()));
            }
        } else {
            entries.push(parse_entry(file, name, v)?);
        }
    }
    // The tensors must tile the buffer: sorted by begin, each starts where the last ended.
    let mut by_begin: Vec<&Entry> = entries.iter().collect();
    by_begin.sort_by_key(|e| (e.begin, e.end));
    let mut at = 0usize;
    for e in &by_begin {
        if e.begin != at {
            return Err(bad(
                file,
                format!(
                    "tensor '{}' starts at byte {} of the data, expected {at} (tensors must tile the data without gaps or overlaps)",
                    e.name, e.begin
                ),
            ));
        }
        at = e.end;
    }
    if at != data.len() {
        let what = if at > data.len() {
            "the file is truncated"
        } else {
            "extra bytes after the last tensor"
        };
        return Err(bad(
            file,
            format!(
                "the tensors need {at} data bytes, the file has {} ({what})",
                data.len()
            ),
        ));
    }
    entries.sort_by_key(|e| e.begin);
    let mut tensors = Vec::with_capacity(entries.len());
    for e in entries {
        crate::tensor::guard::check_numel("safetensors", &e.shape)?;
        let values: Vec<f32> = data[e.begin..e.end]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        tensors.push((e.name, Tensor::from_vec(&e.shape, values)?));
    }
    Ok(SafeTensors { tensors, metadata })
}

/// `model.load_state_dict(safetensors.torch.load_file(file))`: reads `bytes` and loads every
/// tensor into `model` (strict). The model is left untouched on any error.
///
/// # Errors
/// Those of [`read_safetensors`], then [`load_state_dict`]'s PyTorch texts (missing and
/// unexpected keys, `size mismatch for 0.weight: ...`).
pub fn load_safetensors(model: &mut dyn Module, bytes: &[u8], file: &str) -> Result<()> {
    let st = read_safetensors(bytes, file)?;
    load_state_dict(model, &st.tensors)
}

/// `safetensors.torch.save_file(model.state_dict(), path, metadata)` as bytes.
pub fn save_safetensors(model: &dyn Module, metadata: &[(String, String)]) -> Vec<u8> {
    write_safetensors(&crate::nn::state_dict(model), metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let a = Tensor::from_vec(&[2, 3], vec![1.0, -2.0, 3.5, 0.0, 1e-8, -0.0]).unwrap();
        let b = Tensor::from_vec(&[3], vec![7.0, 8.0, 9.0]).unwrap();
        write_safetensors(
            &[("0.weight".into(), a), ("0.bias".into(), b)],
            &[("format".into(), "pt".into())],
        )
    }

    #[test]
    fn round_trip_keeps_names_order_values_and_metadata() {
        let bytes = sample();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!((8 + n) % 8, 0);
        let st = read_safetensors(&bytes, "s").unwrap();
        assert_eq!(st.tensors[0].0, "0.weight");
        assert_eq!(st.tensors[0].1.shape(), &[2, 3]);
        assert_eq!(st.tensors[0].1.data()[2], 3.5);
        assert_eq!(st.tensors[1].1.data(), &[7.0, 8.0, 9.0]);
        assert_eq!(st.metadata, vec![("format".into(), "pt".into())]);
    }

    fn err(bytes: &[u8]) -> String {
        read_safetensors(bytes, "w.safetensors")
            .unwrap_err()
            .to_string()
    }

    fn with_header(json: &str, data: &[u8]) -> Vec<u8> {
        let mut b = (json.len() as u64).to_le_bytes().to_vec();
        b.extend_from_slice(json.as_bytes());
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn corrupt_files_are_typed_errors_naming_the_problem() {
        let good = sample();
        assert!(err(&good[..good.len() - 1]).contains("truncated"));
        assert!(err(&good[..5]).contains("shorter than the 8-byte"));
        let mut huge = good.clone();
        huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(err(&huge).contains("exceeds the file"));
        assert!(err(&with_header("[1]", &[])).contains("does not start with '{'"));
        assert!(err(&with_header("{\"a\":", &[])).contains("not valid JSON"));
        let f64h = r#"{"0.weight":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#;
        assert!(err(&with_header(f64h, &[0; 8])).contains("tensor '0.weight' has dtype F64"));
        let short = r#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#;
        assert!(err(&with_header(short, &[0; 4])).contains("tensor 'w': data_offsets [0, 4]"));
        let gap = r#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#;
        assert!(err(&with_header(gap, &[0; 8])).contains("tensor 'w' starts at byte 4"));
        let extra = r#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
        assert!(err(&with_header(extra, &[0; 9])).contains("extra bytes"));
        let unknown = r#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}"#;
        assert!(err(&with_header(unknown, &[0; 4])).contains("unknown field 'x'"));
        let e = read_safetensors(&good[..good.len() - 1], "w.safetensors").unwrap_err();
        assert_eq!(e.op(), "safetensors");
        assert!(e
            .to_python_string()
            .starts_with("NnbookError: w.safetensors: "));
    }
}
