//! The one parallelism shim: loops written once, run on rayon's pool where there is one
//! (native builds and the `pkg-parallel` wasm package) and serially in `pkg`.
//!
//! Kernels call these helpers instead of rayon directly, so the single-thread package is a
//! first-class build with no rayon in it at all.

#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
mod imp {
    use rayon::prelude::*;
    use std::cell::Cell;

    thread_local! {
        /// Set by [`serial`]: this thread's loops run on it alone.
        static SERIAL: Cell<bool> = const { Cell::new(false) };
    }

    /// Restores the flag when dropped (also when `f` panics).
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SERIAL.with(|s| s.set(self.0));
        }
    }

    pub fn serial<R>(f: impl FnOnce() -> R) -> R {
        let _restore = Restore(SERIAL.with(|s| s.replace(true)));
        f()
    }

    fn is_serial() -> bool {
        SERIAL.with(|s| s.get())
    }

    pub fn current_num_threads() -> usize {
        if is_serial() {
            1
        } else {
            rayon::current_num_threads()
        }
    }

    pub fn for_each_chunk_mut<T, F>(data: &mut [T], chunk_len: usize, f: F)
    where
        T: Send,
        F: Fn(usize, &mut [T]) + Sync + Send,
    {
        if data.is_empty() {
            return;
        }
        if data.len() <= chunk_len {
            // One chunk: run it here. Handing it to the pool would only add a thread wake-up
            // (tens of µs in browsers) to, e.g., every layer of a batch-1 inference.
            return f(0, data);
        }
        if is_serial() {
            return super::seq::for_each_chunk_mut(data, chunk_len, f);
        }
        data.par_chunks_mut(chunk_len.max(1))
            .enumerate()
            .for_each(|(i, c)| f(i, c));
    }

    pub fn for_each_chunk_pair_mut<A, B, F>(
        a: &mut [A],
        a_len: usize,
        b: &mut [B],
        b_len: usize,
        f: F,
    ) where
        A: Send,
        B: Send,
        F: Fn(usize, &mut [A], &mut [B]) + Sync + Send,
    {
        if is_serial() {
            return super::seq::for_each_chunk_pair_mut(a, a_len, b, b_len, f);
        }
        a.par_chunks_mut(a_len.max(1))
            .zip(b.par_chunks_mut(b_len.max(1)))
            .enumerate()
            .for_each(|(i, (x, y))| f(i, x, y));
    }

    pub fn map_range<R, F>(n: usize, f: F) -> Vec<R>
    where
        R: Send,
        F: Fn(usize) -> R + Sync + Send,
    {
        if n <= 1 || is_serial() {
            return super::seq::map_range(n, f);
        }
        (0..n).into_par_iter().map(f).collect()
    }

    pub fn thread_index() -> Option<usize> {
        rayon::current_thread_index()
    }
}

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod imp {
    pub use super::seq::{for_each_chunk_mut, for_each_chunk_pair_mut, map_range};

    pub fn serial<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    pub fn current_num_threads() -> usize {
        1
    }

    pub fn thread_index() -> Option<usize> {
        None
    }
}

/// The loops on the calling thread alone: the single-thread package's, and the pool's inside
/// [`serial`].
mod seq {
    pub fn for_each_chunk_mut<T, F>(data: &mut [T], chunk_len: usize, f: F)
    where
        F: Fn(usize, &mut [T]),
    {
        data.chunks_mut(chunk_len.max(1))
            .enumerate()
            .for_each(|(i, c)| f(i, c));
    }

    pub fn for_each_chunk_pair_mut<A, B, F>(
        a: &mut [A],
        a_len: usize,
        b: &mut [B],
        b_len: usize,
        f: F,
    ) where
        F: Fn(usize, &mut [A], &mut [B]),
    {
        a.chunks_mut(a_len.max(1))
            .zip(b.chunks_mut(b_len.max(1)))
            .enumerate()
            .for_each(|(i, (x, y))| f(i, x, y));
    }

    pub fn map_range<R, F>(n: usize, f: F) -> Vec<R>
    where
        F: Fn(usize) -> R,
    {
        (0..n).map(f).collect()
    }
}

/// Runs `f` with every loop (and GEMM split) it starts on the calling thread only: for work
/// too small to repay waking the pool's threads (a browser wakes a waiting worker in tens of
/// µs; a batch-1 inference of the CIFAR-10 model takes about a millisecond). Results are the
/// same: no loop's result depends on the thread count.
pub fn serial<R>(f: impl FnOnce() -> R) -> R {
    imp::serial(f)
}

/// Number of threads loops are split over (1 in the single-thread package, and inside
/// [`serial`]).
pub fn current_num_threads() -> usize {
    imp::current_num_threads()
}

/// Index of the pool thread running the caller, `None` outside a pool (or without one).
pub fn thread_index() -> Option<usize> {
    imp::thread_index()
}

/// `true` when this build can run loops on more than one thread.
pub const IS_PARALLEL_BUILD: bool =
    cfg!(any(not(target_arch = "wasm32"), target_feature = "atomics"));

/// Calls `f(i, chunk)` for each `chunk_len`-sized chunk of `data` (the last may be shorter),
/// in parallel where a pool exists. Chunks are disjoint, so results never depend on the order.
pub fn for_each_chunk_mut<T: Send, F>(data: &mut [T], chunk_len: usize, f: F)
where
    F: Fn(usize, &mut [T]) + Sync + Send,
{
    imp::for_each_chunk_mut(data, chunk_len, f)
}

/// Calls `f(i, a_chunk, b_chunk)` for the `i`-th `a_len`-sized chunk of `a` together with the
/// `i`-th `b_len`-sized chunk of `b` (as many pairs as the shorter side has chunks), in
/// parallel where a pool exists, without allocating.
pub fn for_each_chunk_pair_mut<A: Send, B: Send, F>(
    a: &mut [A],
    a_len: usize,
    b: &mut [B],
    b_len: usize,
    f: F,
) where
    F: Fn(usize, &mut [A], &mut [B]) + Sync + Send,
{
    imp::for_each_chunk_pair_mut(a, a_len, b, b_len, f)
}

/// `(0..n).map(f).collect()`, in parallel where a pool exists; the output keeps index order.
pub fn map_range<R: Send, F>(n: usize, f: F) -> Vec<R>
where
    F: Fn(usize) -> R + Sync + Send,
{
    imp::map_range(n, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_everything_once() {
        let mut v = vec![0u32; 103];
        for_each_chunk_mut(&mut v, 10, |i, c| {
            c.iter_mut().for_each(|x| *x += i as u32 + 1)
        });
        assert_eq!(v[0], 1);
        assert_eq!(v[102], 11);
        assert_eq!(map_range(5, |i| i * i), vec![0, 1, 4, 9, 16]);
        let (mut a, mut b) = (vec![0u32; 6], vec![0u32; 9]);
        for_each_chunk_pair_mut(&mut a, 2, &mut b, 3, |i, x, y| {
            x.fill(i as u32);
            y.fill(10 + i as u32);
        });
        assert_eq!(a, [0, 0, 1, 1, 2, 2]);
        assert_eq!(b, [10, 10, 10, 11, 11, 11, 12, 12, 12]);
    }
}
