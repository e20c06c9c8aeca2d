//! The official CIFAR-10 binary format ("CIFAR-10 binary version", Krizhevsky 2009).
//!
//! A batch file (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`) is a run of records
//! of 3073 bytes: one label byte (0..=9), then the 32×32 image as 1024 red bytes, 1024 green,
//! 1024 blue, each plane row-major. That is exactly NNBD's CHW pixel layout, so a record's 3072
//! pixel bytes are copied as they are. An official batch holds 10,000 records; any whole number
//! of records is accepted.
//!
//! The official archive `cifar-10-binary.tar.gz` holds `cifar-10-batches-bin/data_batch_1.bin`
//! … `data_batch_5.bin`, `test_batch.bin` and `batches.meta.txt` (the class names, one a line).
//! It is read with `flate2` (gzip) and `tar`, member by member, without unpacking to disk.

use super::error::{DataError, DataErrorKind};
use super::format::Dataset;
use std::cell::Cell;
use std::io::Read;

/// Pixel bytes per image: 3 × 32 × 32.
pub const IMAGE_BYTES: usize = 3 * 32 * 32;
/// Bytes per record: the label byte and the pixels.
pub const RECORD_BYTES: usize = 1 + IMAGE_BYTES;
/// The CIFAR-10 classes in label order.
pub const CLASS_NAMES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];
/// The folder every member of the official archive sits in.
pub const ARCHIVE_DIR: &str = "cifar-10-batches-bin";
/// Training members of the official archive, in the official order.
pub const TRAIN_MEMBERS: [&str; 5] = [
    "cifar-10-batches-bin/data_batch_1.bin",
    "cifar-10-batches-bin/data_batch_2.bin",
    "cifar-10-batches-bin/data_batch_3.bin",
    "cifar-10-batches-bin/data_batch_4.bin",
    "cifar-10-batches-bin/data_batch_5.bin",
];
/// The test member of the official archive.
pub const TEST_MEMBER: &str = "cifar-10-batches-bin/test_batch.bin";
/// The class-name member of the official archive (optional when reading).
pub const META_MEMBER: &str = "cifar-10-batches-bin/batches.meta.txt";
/// The MD5 published for `cifar-10-binary.tar.gz` on the CIFAR-10 page.
pub const ARCHIVE_MD5: &str = "c32a1d4ab5d03f1284b67883e8d87530";
/// Largest member read from an archive: an official batch is 30,730,000 bytes.
pub const MAX_MEMBER_BYTES: u64 = 64 << 20;

fn default_class_names() -> Vec<String> {
    CLASS_NAMES.iter().map(|s| s.to_string()).collect()
}

/// Reads one batch file (records of 1 label + 3072 CHW pixels) as a `[N, 3, 32, 32]`
/// [`Dataset`] named `name`, with the CIFAR-10 class names.
///
/// # Errors
/// `SizeMismatch` (at the start of the incomplete record) when the length is not a positive
/// multiple of 3073; `LabelOutOfRange` at the label byte of a record whose label is > 9.
pub fn decode_batch(bytes: &[u8], file: &str, name: &str) -> Result<Dataset, DataError> {
    let mut ds = empty(name);
    append_batch(&mut ds, bytes, file)?;
    Ok(ds)
}

/// Appends the records of one batch file to `ds` (a 3×32×32 dataset with 10 classes).
fn append_batch(ds: &mut Dataset, bytes: &[u8], file: &str) -> Result<(), DataError> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(RECORD_BYTES) {
        let whole = bytes.len() / RECORD_BYTES;
        return Err(DataError::at(
            file,
            (whole * RECORD_BYTES) as u64,
            DataErrorKind::SizeMismatch {
                expected: ((whole + 1) * RECORD_BYTES) as u64,
                actual: bytes.len() as u64,
            },
        ));
    }
    let n = bytes.len() / RECORD_BYTES;
    ds.pixels.reserve(n * IMAGE_BYTES);
    ds.labels.reserve(n);
    for (i, rec) in bytes.chunks_exact(RECORD_BYTES).enumerate() {
        let label = rec[0];
        if label as usize >= CLASS_NAMES.len() {
            return Err(DataError::at(
                file,
                (i * RECORD_BYTES) as u64,
                DataErrorKind::LabelOutOfRange {
                    index: i,
                    label: label as i64,
                    classes: CLASS_NAMES.len(),
                },
            ));
        }
        ds.labels.push(label);
        ds.pixels.extend_from_slice(&rec[1..]);
    }
    Ok(())
}

/// The training and test sets of the official archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CifarArchive {
    /// `data_batch_1` … `data_batch_5` in order, `[50000, 3, 32, 32]` for the official archive.
    pub train: Dataset,
    /// `test_batch`, `[10000, 3, 32, 32]` for the official archive.
    pub test: Dataset,
}

/// Counts the compressed bytes read, so gzip/tar errors can name an offset.
struct Counting<'a, R> {
    inner: R,
    count: &'a Cell<u64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Reads the official archive (`cifar-10-binary.tar.gz`) from memory. See [`read_archive_from`].
pub fn read_archive(bytes: &[u8], file: &str) -> Result<CifarArchive, DataError> {
    read_archive_from(bytes, file)
}

/// Reads the official archive from `reader`: the gzip stream of a tar holding the members
/// [`TRAIN_MEMBERS`], [`TEST_MEMBER`] and optionally [`META_MEMBER`] (a leading `./` on member
/// names is accepted; other members are skipped). Class names come from the meta member when
/// present, else [`CLASS_NAMES`].
///
/// # Errors
/// `BadArchive` with the compressed byte offset reached when the gzip or tar layer is broken or
/// truncated (the offset is in the compressed stream); `MemberTooLarge` (at the member's tar
/// header, an offset in the uncompressed tar) for a member over [`MAX_MEMBER_BYTES`]; `MissingMember` naming
/// the first required member absent; the errors of [`decode_batch`] for a member, with `file`
/// set to `archive:member`; `InvalidHeader` when the meta member does not list 10 names.
pub fn read_archive_from<R: Read>(reader: R, file: &str) -> Result<CifarArchive, DataError> {
    let consumed = Cell::new(0u64);
    let counting = Counting {
        inner: reader,
        count: &consumed,
    };
    let bad = |e: std::io::Error| bad_archive(file, consumed.get(), &e);
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    {
        let gz = flate2::read::GzDecoder::new(counting);
        let mut archive = tar::Archive::new(gz);
        let entries = archive.entries().map_err(bad)?;
        for entry in entries {
            let mut entry = entry.map_err(bad)?;
            let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let path = path.strip_prefix("./").unwrap_or(&path).to_string();
            let wanted = TRAIN_MEMBERS.contains(&path.as_str())
                || path == TEST_MEMBER
                || path == META_MEMBER;
            if !wanted || !entry.header().entry_type().is_file() {
                continue;
            }
            let size = entry.size();
            if size > MAX_MEMBER_BYTES {
                return Err(DataError::at(
                    file,
                    entry.raw_header_position(),
                    DataErrorKind::MemberTooLarge {
                        member: path,
                        size,
                        limit: MAX_MEMBER_BYTES,
                    },
                ));
            }
            let mut data = Vec::with_capacity(size.min(1 << 20) as usize);
            (&mut entry)
                .take(MAX_MEMBER_BYTES)
                .read_to_end(&mut data)
                .map_err(bad)?;
            members.retain(|(p, _)| *p != path);
            members.push((path, data));
        }
    }
    // Members are moved out as they are consumed, so each buffer is freed once copied.
    fn take(members: &mut Vec<(String, Vec<u8>)>, name: &str) -> Option<Vec<u8>> {
        let i = members.iter().position(|(p, _)| p == name)?;
        Some(members.swap_remove(i).1)
    }
    for m in TRAIN_MEMBERS
        .into_iter()
        .chain(std::iter::once(TEST_MEMBER))
    {
        if !members.iter().any(|(p, _)| p == m) {
            let member = m.to_string();
            return Err(DataError::in_file(
                file,
                DataErrorKind::MissingMember { member },
            ));
        }
    }
    let meta = take(&mut members, META_MEMBER);
    let class_names = match meta {
        Some(meta) => parse_meta(&meta, &format!("{file}:{META_MEMBER}"))?,
        None => default_class_names(),
    };
    let mut train = empty("cifar10-train");
    train.class_names = class_names.clone();
    for m in TRAIN_MEMBERS {
        let data = take(&mut members, m).unwrap_or_default();
        append_batch(&mut train, &data, &format!("{file}:{m}"))?;
    }
    let data = take(&mut members, TEST_MEMBER).unwrap_or_default();
    let mut test = decode_batch(&data, &format!("{file}:{TEST_MEMBER}"), "cifar10-test")?;
    test.class_names = class_names;
    Ok(CifarArchive { train, test })
}

fn empty(name: &str) -> Dataset {
    Dataset {
        name: name.to_string(),
        channels: 3,
        height: 32,
        width: 32,
        class_names: default_class_names(),
        pixels: Vec::new(),
        labels: Vec::new(),
    }
}

fn bad_archive(file: &str, offset: u64, e: &std::io::Error) -> DataError {
    DataError::at(
        file,
        offset,
        DataErrorKind::BadArchive {
            message: e.to_string(),
        },
    )
}

/// The 10 class names of `batches.meta.txt`: non-empty lines, trimmed.
fn parse_meta(bytes: &[u8], file: &str) -> Result<Vec<String>, DataError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        DataError::at(
            file,
            e.valid_up_to() as u64,
            DataErrorKind::BadUtf8 {
                what: "batches.meta.txt".into(),
            },
        )
    })?;
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if names.len() != CLASS_NAMES.len() {
        return Err(DataError::at(
            file,
            0,
            DataErrorKind::InvalidHeader {
                message: format!("{} class names, expected 10", names.len()),
            },
        ));
    }
    Ok(names)
}
