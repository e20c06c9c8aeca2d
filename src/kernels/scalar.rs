//! Scalar twins of the SIMD kernels: the reference every other kernel is tested against.
//!
//! Every function here has a SIMD twin with the same signature in `simd128.rs` (wasm) and
//! `avx2.rs` (x86-64), and the same per-element arithmetic (the SIMD twins of the elementwise
//! kernels are bit-identical; the simd128 GEMM tile too, the AVX2 one uses FMA).

use super::gemm::MicroKernel;
use super::params::scalar as p;
use super::MatRef;

/// Naive reference GEMM: `C (m×n, row-major) = A (m×k) · B (k×n)`, or `+=` when `accumulate`.
/// Sums straight into C in `p` order; used by tests and benchmarks as the plain baseline.
///
/// # Panics
/// If `c` is shorter than `m·n` or a view is out of bounds.
pub fn sgemm(a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if !accumulate {
        c[..m * n].iter_mut().for_each(|x| *x = 0.0);
    }
    for i in 0..m {
        let c_row = &mut c[i * n..(i + 1) * n];
        for p in 0..k {
            let aip = a.at(i, p);
            for (j, cij) in c_row.iter_mut().enumerate() {
                *cij += aip * b.at(p, j);
            }
        }
    }
}

/// The scalar `MR × NR` micro-kernel (plain loops; the compiler may vectorise them).
pub(crate) struct Kernel;

impl MicroKernel for Kernel {
    const MR: usize = p::MR;
    const NR: usize = p::NR;
    const MC: usize = p::MC;
    const KC: usize = p::KC;
    const NC: usize = p::NC;

    // Not inlined, like the simd128 tile (V8 tiers small hot functions up sooner).
    #[inline(never)]
    unsafe fn tile(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, load_c: bool) {
        // SAFETY: the caller guarantees kc·MR and kc·NR readable floats.
        let a = std::slice::from_raw_parts(a, kc * p::MR);
        let b = std::slice::from_raw_parts(b, kc * p::NR);
        let mut acc = [[0.0f32; p::NR]; p::MR];
        for (ap, bp) in a.chunks_exact(p::MR).zip(b.chunks_exact(p::NR)) {
            for i in 0..p::MR {
                for j in 0..p::NR {
                    acc[i][j] += ap[i] * bp[j];
                }
            }
        }
        for (i, acc_row) in acc.iter().enumerate() {
            // SAFETY: row i of the MR×NR tile is writable (caller's contract).
            let row = std::slice::from_raw_parts_mut(c.add(i * ldc), p::NR);
            for (cij, &s) in row.iter_mut().zip(acc_row) {
                *cij = if load_c { *cij + s } else { s };
            }
        }
    }
}

/// `x = max(x, 0)` elementwise, PyTorch's `relu`: NaN stays NaN and `-0.0` stays `-0.0`.
pub fn relu(x: &mut [f32]) {
    for v in x {
        *v = if *v < 0.0 { 0.0 } else { *v };
    }
}

/// `y += alpha · x` elementwise (multiply, then add: no fused multiply-add).
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    assert_eq!(x.len(), y.len(), "axpy lengths");
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// Partial sums of [`dot`]: element `k` of the first `DOT_LANES·⌊n/DOT_LANES⌋` goes to sum
/// `k % DOT_LANES` (two AVX2 or four SIMD128 registers).
pub const DOT_LANES: usize = 16;

/// `Σ x[k]·y[k]` in a fixed order every twin follows (multiply, then add; no fused
/// multiply-add): [`DOT_LANES`] partial sums over the whole blocks, folded in halves
/// (`s[i] += s[i + h]` for `h` = 8, 4, 2, 1), then the remaining elements added one by one.
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn dot(x: &[f32], y: &[f32]) -> f32 {
    assert_eq!(x.len(), y.len(), "dot lengths");
    let mut s = [0.0f32; DOT_LANES];
    let mut xs = x.chunks_exact(DOT_LANES);
    let mut ys = y.chunks_exact(DOT_LANES);
    for (xc, yc) in (&mut xs).zip(&mut ys) {
        for i in 0..DOT_LANES {
            s[i] += xc[i] * yc[i];
        }
    }
    let mut h = DOT_LANES / 2;
    while h > 0 {
        for i in 0..h {
            s[i] += s[i + h];
        }
        h /= 2;
    }
    dot_tail(s[0], xs.remainder(), ys.remainder())
}

/// `sum` plus the products of the elements after the last whole block, one by one.
pub fn dot_tail(mut sum: f32, x: &[f32], y: &[f32]) -> f32 {
    for (a, b) in x.iter().zip(y) {
        sum += a * b;
    }
    sum
}

/// `y += s` elementwise.
pub fn add_scalar(s: f32, y: &mut [f32]) {
    for v in y {
        *v += s;
    }
}
