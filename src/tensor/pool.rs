//! A per-thread recycling pool of `f32` buffers, so a warm training step allocates nothing.
//!
//! A dropped [`Tensor`](super::Tensor) hands its storage to the pool of the thread dropping
//! it ([`recycle`]); tensor constructors and ops take their output buffers from it
//! ([`empty`], [`zeroed`], [`filled`], [`copied`]). A buffer is reused only for a request of
//! exactly its capacity, and always comes back with length 0: callers fill it completely
//! (`resize`, `extend`), so stale contents can never be observed.
//!
//! The pool is bounded: at most [`MAX_ENTRIES`] buffers and [`limit_bytes`] bytes per thread
//! (default [`DEFAULT_LIMIT_BYTES`]); the oldest buffers are freed first to make room, so
//! buffers of sizes no longer used (an earlier batch size) are evicted as new ones arrive.
//! [`set_limit_bytes`]`(0)` turns pooling off.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Default limit on the bytes one thread's pool keeps: 32 MiB (a CIFAR-10 training step at
/// batch 64 keeps 18–28 MB between steps; every pool thread of `pkg-parallel` has its own
/// pool in the one wasm memory, so the limit is paid per thread).
pub const DEFAULT_LIMIT_BYTES: usize = 32 << 20;

/// Most buffers one thread's pool keeps.
pub const MAX_ENTRIES: usize = 128;

static LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_LIMIT_BYTES);

/// Free buffers, oldest first, and their total capacity in bytes.
struct Pool {
    free: VecDeque<Vec<f32>>,
    bytes: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = const {
        RefCell::new(Pool {
            free: VecDeque::new(),
            bytes: 0,
        })
    };
}

fn bytes_of(v: &Vec<f32>) -> usize {
    v.capacity() * std::mem::size_of::<f32>()
}

/// The per-thread byte limit (process-wide setting).
pub fn limit_bytes() -> usize {
    LIMIT.load(Ordering::Relaxed)
}

/// Sets the byte limit of every thread's pool (0 disables pooling). Pools already above it
/// shrink on their next [`recycle`]; call [`clear`] to free this thread's buffers now.
pub fn set_limit_bytes(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed)
}

/// Frees every buffer in this thread's pool.
pub fn clear() {
    let _ = POOL.try_with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            p.free.clear();
            p.bytes = 0;
        }
    });
}

/// Bytes held by this thread's pool.
pub fn pooled_bytes() -> usize {
    POOL.try_with(|p| p.try_borrow().map(|p| p.bytes).unwrap_or(0))
        .unwrap_or(0)
}

/// An empty `Vec` with capacity for exactly `len` floats (a pooled one when available, else a
/// fresh allocation). Its length is 0: the caller writes every element (`extend`, `resize`).
pub fn empty(len: usize) -> Vec<f32> {
    if len == 0 {
        return Vec::new();
    }
    let found = POOL
        .try_with(|p| {
            let mut p = p.try_borrow_mut().ok()?;
            let i = p.free.iter().rposition(|v| v.capacity() == len)?;
            let v = p.free.remove(i)?;
            p.bytes -= bytes_of(&v);
            Some(v)
        })
        .ok()
        .flatten();
    found.unwrap_or_else(|| Vec::with_capacity(len))
}

/// `len` floats, all `value`.
pub fn filled(len: usize, value: f32) -> Vec<f32> {
    let mut v = empty(len);
    v.resize(len, value);
    v
}

/// `len` zeros.
pub fn zeroed(len: usize) -> Vec<f32> {
    filled(len, 0.0)
}

/// A copy of `src`.
pub fn copied(src: &[f32]) -> Vec<f32> {
    let mut v = empty(src.len());
    v.extend_from_slice(src);
    v
}

/// Gives `v`'s storage back to this thread's pool (or frees it when it does not fit the
/// limits; older buffers are freed first to make room).
pub fn recycle(mut v: Vec<f32>) {
    let bytes = bytes_of(&v);
    let limit = limit_bytes();
    if bytes == 0 || bytes > limit {
        return;
    }
    v.clear();
    let _ = POOL.try_with(|p| {
        let Ok(mut p) = p.try_borrow_mut() else {
            return;
        };
        if p.free.capacity() < MAX_ENTRIES {
            p.free.reserve_exact(MAX_ENTRIES);
        }
        while p.free.len() >= MAX_ENTRIES || p.bytes + bytes > limit {
            match p.free.pop_front() {
                Some(old) => p.bytes -= bytes_of(&old),
                None => break,
            }
        }
        p.bytes += bytes;
        p.free.push_back(v);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_exact_sizes_and_never_shows_stale_data() {
        clear();
        let mut a = filled(1000, 7.0);
        a[3] = 1.0;
        let ptr = a.as_ptr();
        recycle(a);
        assert_eq!(pooled_bytes(), 4000);
        let b = zeroed(1000);
        assert_eq!(b.as_ptr(), ptr, "the same storage is reused");
        assert!(b.iter().all(|&x| x == 0.0));
        assert_eq!(pooled_bytes(), 0);
        let c = empty(999);
        assert_eq!((c.len(), c.capacity()), (0, 999));
        recycle(b);
        let d = copied(&[1.0; 1000]);
        assert_eq!(d.as_ptr(), ptr);
        assert_eq!(d, vec![1.0; 1000]);
        clear();
        assert_eq!(pooled_bytes(), 0);
    }

    #[test]
    fn stays_within_its_limits() {
        clear();
        for i in 0..(MAX_ENTRIES + 10) {
            recycle(vec![0.0; 10 + i]);
        }
        // The 10 oldest (smallest) were evicted.
        let kept: usize = (10..MAX_ENTRIES + 10).map(|i| (10 + i) * 4).sum();
        assert_eq!(pooled_bytes(), kept);
        clear();
        // A buffer over the byte limit is not kept.
        recycle(Vec::with_capacity(limit_bytes() / 4 + 1));
        assert_eq!(pooled_bytes(), 0);
    }
}
