//! The size guard: refuses tensors larger than a configurable limit (default 1 GiB) with an
//! error that says how many bytes they would need, instead of an out-of-memory abort.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// Default limit on one tensor's storage: 1 GiB.
pub const DEFAULT_LIMIT_BYTES: u64 = 1 << 30;

static LIMIT: AtomicU64 = AtomicU64::new(DEFAULT_LIMIT_BYTES);

/// The current per-tensor limit in bytes.
pub fn limit_bytes() -> u64 {
    LIMIT.load(Ordering::Relaxed)
}

/// Sets the per-tensor limit in bytes (process-wide; the worker sets it once).
pub fn set_limit_bytes(bytes: u64) {
    LIMIT.store(bytes, Ordering::Relaxed)
}

/// Checks that an f32 tensor of `shape` fits the limit and returns its element count.
///
/// # Errors
/// [`Error::TooLarge`] naming `op` when the tensor would need more bytes than the limit
/// (also when the element count overflows).
pub fn check_numel(op: &'static str, shape: &[usize]) -> Result<usize> {
    let numel: u128 = shape.iter().map(|&d| d as u128).product();
    let bytes = numel * 4;
    let limit = limit_bytes() as u128;
    if bytes > limit {
        return Err(Error::TooLarge {
            op,
            shape: shape.to_vec(),
            bytes,
            limit,
        });
    }
    Ok(numel as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_huge_tensors_with_byte_count() {
        let e = check_numel("zeros", &[1 << 20, 1 << 20]).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("4398046511104 bytes"), "{text}");
        assert_eq!(check_numel("zeros", &[2, 3]).unwrap(), 6);
    }
}
