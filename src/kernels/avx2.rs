//! x86-64 AVX2 + FMA kernels, chosen at run time when the CPU has both features
//! (`is_x86_feature_detected!`). Same signatures as the scalar twins in `scalar.rs`.
//!
//! The GEMM tile uses fused multiply-add (one rounding per step, so it differs from the scalar
//! twin within float32 tolerance); the elementwise kernels are bit-identical to their twins.

use super::gemm::MicroKernel;
use super::params::avx2 as p;
use core::arch::x86_64::*;

const _: () = assert!(p::NR == 16, "the AVX2 tile holds two __m256 per row");

/// The AVX2 `MR × 16` micro-kernel.
pub(crate) struct Kernel;

impl MicroKernel for Kernel {
    const MR: usize = p::MR;
    const NR: usize = p::NR;
    const MC: usize = p::MC;
    const KC: usize = p::KC;
    const NC: usize = p::NC;

    unsafe fn tile(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, load_c: bool) {
        tile::<{ p::MR }>(kc, a, b, c, ldc, load_c)
    }
}

#[target_feature(enable = "avx2,fma")]
unsafe fn tile<const R: usize>(
    kc: usize,
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    ldc: usize,
    load_c: bool,
) {
    let mut acc = [[_mm256_setzero_ps(); 2]; R];
    let (mut ap, mut bp) = (a, b);
    for _ in 0..kc {
        // SAFETY (whole function): the caller guarantees kc·R floats at `a`, kc·16 at `b` and
        // a writable R×16 tile at `c`; all loads/stores are unaligned.
        let b0 = _mm256_loadu_ps(bp);
        let b1 = _mm256_loadu_ps(bp.add(8));
        for (i, acc_i) in acc.iter_mut().enumerate() {
            let ai = _mm256_broadcast_ss(&*ap.add(i));
            acc_i[0] = _mm256_fmadd_ps(ai, b0, acc_i[0]);
            acc_i[1] = _mm256_fmadd_ps(ai, b1, acc_i[1]);
        }
        ap = ap.add(R);
        bp = bp.add(16);
    }
    for (i, acc_i) in acc.iter().enumerate() {
        let row = c.add(i * ldc);
        for (h, &v) in acc_i.iter().enumerate() {
            let dst = row.add(8 * h);
            let v = if load_c {
                _mm256_add_ps(_mm256_loadu_ps(dst), v)
            } else {
                v
            };
            _mm256_storeu_ps(dst, v);
        }
    }
}

/// AVX2 twin of [`super::scalar::dot`] (the same partial sums and folding order; multiply
/// then add, like the twin).
///
/// # Safety
/// The CPU must support AVX2 and FMA.
///
/// # Panics
/// If `x.len() != y.len()`.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn dot(x: &[f32], y: &[f32]) -> f32 {
    assert_eq!(x.len(), y.len(), "dot lengths");
    const _: () = assert!(super::scalar::DOT_LANES == 16, "two __m256 partial sums");
    let (mut lo, mut hi) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    let mut xs = x.chunks_exact(16);
    let mut ys = y.chunks_exact(16);
    for (xc, yc) in (&mut xs).zip(&mut ys) {
        let (xp, yp) = (xc.as_ptr(), yc.as_ptr());
        lo = _mm256_add_ps(lo, _mm256_mul_ps(_mm256_loadu_ps(xp), _mm256_loadu_ps(yp)));
        hi = _mm256_add_ps(
            hi,
            _mm256_mul_ps(_mm256_loadu_ps(xp.add(8)), _mm256_loadu_ps(yp.add(8))),
        );
    }
    // Fold by 8 (sums i and i+8), by 4, by 2, by 1, as the twin.
    let s8 = _mm256_add_ps(lo, hi);
    let s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps::<1>(s8));
    let s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    let s1 = _mm_cvtss_f32(s2) + _mm_cvtss_f32(_mm_shuffle_ps::<1>(s2, s2));
    super::scalar::dot_tail(s1, xs.remainder(), ys.remainder())
}

/// AVX2 twin of [`super::scalar::relu`].
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn relu(x: &mut [f32]) {
    let zero = _mm256_setzero_ps();
    let mut chunks = x.chunks_exact_mut(8);
    for ch in &mut chunks {
        let ptr = ch.as_mut_ptr();
        // max(0, v) returns its second operand for NaN and for ±0: v < 0 ? 0 : v.
        _mm256_storeu_ps(ptr, _mm256_max_ps(zero, _mm256_loadu_ps(ptr)));
    }
    super::scalar::relu(chunks.into_remainder());
}

/// AVX2 twin of [`super::scalar::axpy`] (multiply then add, like the twin).
///
/// # Safety
/// The CPU must support AVX2 and FMA.
///
/// # Panics
/// If `x.len() != y.len()`.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    assert_eq!(x.len(), y.len(), "axpy lengths");
    let av = _mm256_set1_ps(alpha);
    let mut ys = y.chunks_exact_mut(8);
    let mut xs = x.chunks_exact(8);
    for (yc, xc) in (&mut ys).zip(&mut xs) {
        let yp = yc.as_mut_ptr();
        let prod = _mm256_mul_ps(av, _mm256_loadu_ps(xc.as_ptr()));
        _mm256_storeu_ps(yp, _mm256_add_ps(_mm256_loadu_ps(yp), prod));
    }
    super::scalar::axpy(alpha, xs.remainder(), ys.into_remainder());
}

/// AVX2 twin of [`super::scalar::add_scalar`].
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn add_scalar(s: f32, y: &mut [f32]) {
    let sv = _mm256_set1_ps(s);
    let mut ys = y.chunks_exact_mut(8);
    for yc in &mut ys {
        let yp = yc.as_mut_ptr();
        _mm256_storeu_ps(yp, _mm256_add_ps(_mm256_loadu_ps(yp), sv));
    }
    super::scalar::add_scalar(s, ys.into_remainder());
}
