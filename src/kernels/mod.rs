//! Compute kernels: the only module with `unsafe` and `core::arch`.
//!
//! Each SIMD kernel sits beside a scalar twin with the same signature, and one test harness
//! (`tests` below and `tests/kernels.rs`) runs every kernel against the scalar twin. The kernel
//! is chosen once per build/CPU by [`sgemm`].

pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

/// A read-only strided matrix view: element `(i, j)` is `data[i * rs + j * cs]`.
///
/// Transposes are free: swap `rows`/`cols` and `rs`/`cs`.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        MatRef {
            data,
            rows,
            cols,
            rs: cols,
            cs: 1,
        }
    }

    /// The transpose view (no copy).
    pub fn t(self) -> Self {
        MatRef {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
        }
    }

    /// Element `(i, j)`.
    #[inline(always)]
    pub fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.rs + j * self.cs]
    }

    /// Panics unless every element lies inside `data` (checked once, before any kernel runs).
    pub(crate) fn assert_in_bounds(&self) {
        if self.rows > 0 && self.cols > 0 {
            let last = (self.rows - 1) * self.rs + (self.cols - 1) * self.cs;
            assert!(last < self.data.len(), "MatRef out of bounds");
        }
    }
}

/// Which GEMM kernel this build runs.
pub fn gemm_kernel_name() -> &'static str {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        "simd128"
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        "scalar"
    }
}

/// `true` when the wasm SIMD128 kernels are compiled in.
pub const SIMD128: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));

/// `C = A·B` (or `C += A·B` when `accumulate`), `A` is `m×k`, `B` is `k×n`, `C` is `m×n`
/// row-major. Rows of `C` are split over the thread pool.
///
/// # Panics
/// If the inner dimensions differ or `c.len() != m * n` (callers check shapes first and return
/// typed errors; a mismatch here is a bug).
pub fn sgemm(a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool) {
    assert_eq!(a.cols, b.rows, "sgemm inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "sgemm output size");
    a.assert_in_bounds();
    b.assert_in_bounds();
    let n = b.cols;
    if n == 0 || a.rows == 0 {
        return;
    }
    // Rows per task: enough work per task to amortise scheduling.
    let rows_per_task = (a.rows / (4 * crate::parallel::current_num_threads())).max(1);
    crate::parallel::for_each_chunk_mut(c, rows_per_task * n, |t, c_rows| {
        let r0 = t * rows_per_task;
        let rows = c_rows.len() / n;
        let a_sub = MatRef {
            data: &a.data[r0 * a.rs..],
            rows,
            ..a
        };
        sgemm_serial(a_sub, b, c_rows, accumulate);
    });
}

/// The chosen kernel on the calling thread only.
pub fn sgemm_serial(a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd128::sgemm(a, b, c, accumulate)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        scalar::sgemm(a, b, c, accumulate)
    }
}

#[cfg(test)]
pub(crate) mod harness {
    //! One harness for every GEMM kernel: identities, size sweeps and strided/transposed views,
    //! each compared against the scalar twin.
    use super::MatRef;

    pub type Kernel = fn(MatRef, MatRef, &mut [f32], bool);

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }

    pub fn check_kernel(kernel: Kernel) {
        let mut seed = 7u64;
        for &(m, k, n) in &[
            (1, 1, 1),
            (3, 5, 7),
            (4, 4, 4),
            (17, 9, 33),
            (64, 31, 10),
            (5, 100, 65),
        ] {
            let a: Vec<f32> = (0..m * k).map(|_| lcg(&mut seed)).collect();
            let b: Vec<f32> = (0..k * n).map(|_| lcg(&mut seed)).collect();
            let bt: Vec<f32> = (0..n * k).map(|idx| b[(idx % k) * n + idx / k]).collect();
            let am = MatRef::row_major(&a, m, k);
            let mut want = vec![0.0; m * n];
            super::scalar::sgemm(am, MatRef::row_major(&b, k, n), &mut want, false);
            // plain, transposed B, accumulate
            for (bm, acc) in [
                (MatRef::row_major(&b, k, n), false),
                (MatRef::row_major(&bt, n, k).t(), false),
                (MatRef::row_major(&b, k, n), true),
            ] {
                let mut got = vec![if acc { 1.0 } else { 0.0 }; m * n];
                kernel(am, bm, &mut got, acc);
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    let w = if acc { w + 1.0 } else { *w };
                    assert!(
                        (g - w).abs() <= 1e-4 * (1.0 + w.abs()),
                        "{m}x{k}x{n} [{i}]: {g} vs {w}"
                    );
                }
            }
            // A · I = A
            if k == n {
                let eye: Vec<f32> = (0..k * k)
                    .map(|i| if i / k == i % k { 1.0 } else { 0.0 })
                    .collect();
                let mut got = vec![0.0; m * n];
                kernel(am, MatRef::row_major(&eye, k, k), &mut got, false);
                assert_eq!(got, a);
            }
        }
    }

    #[test]
    fn scalar_kernel() {
        check_kernel(super::scalar::sgemm);
    }

    #[test]
    fn dispatching_kernel() {
        check_kernel(super::sgemm);
    }
}
