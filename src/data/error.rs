//! [`DataError`]: what went wrong while reading or writing a data file, naming the file, the
//! problem and (where one exists) the byte offset at which it was found.
//!
//! Every loader in [`crate::data`] returns these; they turn into [`crate::Error`] (an
//! `NnbookError` raised by op `"data"`) where the rest of the crate needs one.

use std::fmt;

/// The problem found in a data file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataErrorKind {
    /// The file ends before a field that must be there: `needed` bytes from the offset, only
    /// `available` left.
    Truncated { needed: u64, available: u64 },
    /// The first bytes are not the expected magic (`found` holds up to 4 bytes that were there).
    BadMagic { expected: Vec<u8>, found: Vec<u8> },
    /// A format version this build cannot read.
    UnsupportedVersion { found: u16, supported: u16 },
    /// Flag bits this build does not know.
    UnsupportedFlags { flags: u16 },
    /// A header field with an impossible value (zero image size, too many classes, ...).
    InvalidHeader { message: String },
    /// A text field (class name, dataset name) that is not UTF-8.
    BadUtf8 { what: String },
    /// Image `index` has label `label`, but there are only `classes` classes.
    LabelOutOfRange {
        index: usize,
        label: i64,
        classes: usize,
    },
    /// The body's byte count does not match what the header (or record size) implies.
    SizeMismatch { expected: u64, actual: u64 },
    /// An archive without a member the format requires.
    MissingMember { member: String },
    /// An archive member larger than any member of the format can be.
    MemberTooLarge {
        member: String,
        size: u64,
        limit: u64,
    },
    /// The gzip or tar layer could not be read.
    BadArchive { message: String },
    /// The PNG could not be decoded, or has the wrong size or colour type.
    BadPng { message: String },
    /// The label JSON could not be parsed.
    BadJson { message: String },
    /// An archive whose MD5 differs from the published one.
    ChecksumMismatch { expected: String, actual: String },
    /// Reading or writing the file failed.
    Io { message: String },
    /// A download failed before its body was complete (unreachable address, HTTP error
    /// status, a transfer that broke off or stalled).
    Download { message: String },
    /// A request that the data cannot satisfy (more images of a class than exist, ...).
    InvalidRequest { message: String },
}

/// An error while reading or writing a data file: which file, what problem, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    /// The file (or archive member, as `archive.tar.gz:member`) the problem was found in.
    pub file: String,
    /// Byte offset of the problem in that file, when the format has one.
    pub offset: Option<u64>,
    /// The problem.
    pub kind: DataErrorKind,
    /// What the user can do about it (which file to get, which variable to set), if known.
    pub hint: Option<String>,
}

impl DataError {
    /// An error in `file` at byte `offset`.
    pub fn at(file: &str, offset: u64, kind: DataErrorKind) -> DataError {
        DataError {
            file: file.to_string(),
            offset: Some(offset),
            kind,
            hint: None,
        }
    }

    /// An error in `file` with no meaningful byte offset (a missing member, a PNG decoder error).
    pub fn in_file(file: &str, kind: DataErrorKind) -> DataError {
        DataError {
            file: file.to_string(),
            offset: None,
            kind,
            hint: None,
        }
    }

    /// An I/O failure on `file`.
    pub fn io(file: &str, err: &std::io::Error) -> DataError {
        DataError::in_file(
            file,
            DataErrorKind::Io {
                message: err.to_string(),
            },
        )
    }

    /// The same error with `hint`, what to do next, shown on a line of its own.
    pub fn with_hint(mut self, hint: impl Into<String>) -> DataError {
        self.hint = Some(hint.into());
        self
    }

    /// A request the data cannot satisfy.
    pub fn request(file: &str, message: impl Into<String>) -> DataError {
        DataError::in_file(
            file,
            DataErrorKind::InvalidRequest {
                message: message.into(),
            },
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl fmt::Display for DataErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DataErrorKind::*;
        match self {
            Truncated { needed, available } => write!(
                f,
                "truncated: needed {needed} more bytes, only {available} available"
            ),
            BadMagic { expected, found } => write!(
                f,
                "bad magic: expected {} ({}), found {}",
                String::from_utf8_lossy(expected),
                hex(expected),
                hex(found)
            ),
            UnsupportedVersion { found, supported } => write!(
                f,
                "unsupported format version {found} (this build reads version {supported})"
            ),
            UnsupportedFlags { flags } => write!(f, "unsupported flags {flags:#06x}"),
            InvalidHeader { message } => write!(f, "invalid header: {message}"),
            BadUtf8 { what } => write!(f, "{what} is not valid UTF-8"),
            LabelOutOfRange {
                index,
                label,
                classes,
            } => write!(
                f,
                "label {label} of image {index} is out of range for {classes} classes"
            ),
            SizeMismatch { expected, actual } => write!(
                f,
                "size does not match the header: expected {expected} bytes, found {actual}"
            ),
            MissingMember { member } => write!(f, "archive has no member {member}"),
            MemberTooLarge {
                member,
                size,
                limit,
            } => write!(
                f,
                "archive member {member} has {size} bytes, more than the limit of {limit}"
            ),
            BadArchive { message } => write!(f, "bad archive: {message}"),
            BadPng { message } => write!(f, "bad PNG: {message}"),
            BadJson { message } => write!(f, "bad label JSON: {message}"),
            ChecksumMismatch { expected, actual } => {
                write!(f, "MD5 mismatch: expected {expected}, got {actual}")
            }
            Io { message } => write!(f, "I/O error: {message}"),
            Download { message } => write!(f, "download failed: {message}"),
            InvalidRequest { message } => f.write_str(message),
        }
    }
}

impl fmt::Display for DataError {
    /// `file: problem (at byte N)`, then `what to do: HINT` on the next line when there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.kind)?;
        if let Some(offset) = self.offset {
            write!(f, " (at byte {offset})")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\nwhat to do: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DataError {}

impl From<DataError> for crate::Error {
    /// An `NnbookError` raised by op `"data"`, with the [`DataError`]'s text.
    fn from(e: DataError) -> crate::Error {
        crate::Error::Msg {
            op: "data",
            kind: crate::PyKind::NnbookError,
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_problem_and_offset() {
        let e = DataError::at(
            "x.nnbd",
            4,
            DataErrorKind::UnsupportedVersion {
                found: 9,
                supported: 1,
            },
        );
        assert_eq!(
            e.to_string(),
            "x.nnbd: unsupported format version 9 (this build reads version 1) (at byte 4)"
        );
        let err: crate::Error = e.into();
        assert_eq!(err.op(), "data");
        assert!(err.to_python_string().starts_with("NnbookError: x.nnbd: "));
    }
}
