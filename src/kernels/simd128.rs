//! wasm SIMD128 kernels (no FMA in wasm SIMD: multiply then add). Same signatures as the
//! scalar twins in `scalar.rs`, and the same per-element arithmetic, so results are
//! bit-identical to the twins (the GEMM tile included).

use super::gemm::MicroKernel;
use super::params::simd128 as p;
use core::arch::wasm32::*;

const _: () = assert!(p::NR == 8, "the simd128 tile holds two v128 per row");

/// The SIMD128 `MR × 8` micro-kernel.
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

// Not inlined: V8 tiers a function up from its baseline compiler after it has run for a while,
// so the hot loop lives in a small function called once per tile, not in the driver (called
// once per product).
#[inline(never)]
unsafe fn tile<const R: usize>(
    kc: usize,
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    ldc: usize,
    load_c: bool,
) {
    let mut acc = [[f32x4_splat(0.0); 2]; R];
    let (mut ap, mut bp) = (a, b);
    for _ in 0..kc {
        // SAFETY (whole function): the caller guarantees kc·R floats at `a`, kc·8 at `b` and a
        // writable R×8 tile at `c`; v128 loads/stores have no alignment requirement.
        let b0 = v128_load(bp as *const v128);
        let b1 = v128_load(bp.add(4) as *const v128);
        for (i, acc_i) in acc.iter_mut().enumerate() {
            let ai = v128_load32_splat(ap.add(i) as *const u32);
            acc_i[0] = f32x4_add(acc_i[0], f32x4_mul(ai, b0));
            acc_i[1] = f32x4_add(acc_i[1], f32x4_mul(ai, b1));
        }
        ap = ap.add(R);
        bp = bp.add(8);
    }
    for (i, acc_i) in acc.iter().enumerate() {
        let row = c.add(i * ldc);
        for (h, &v) in acc_i.iter().enumerate() {
            let dst = row.add(4 * h) as *mut v128;
            let v = if load_c {
                f32x4_add(v128_load(dst), v)
            } else {
                v
            };
            v128_store(dst, v);
        }
    }
}

/// SIMD128 twin of [`super::scalar::relu`].
pub fn relu(x: &mut [f32]) {
    let zero = f32x4_splat(0.0);
    let mut chunks = x.chunks_exact_mut(4);
    for ch in &mut chunks {
        let ptr = ch.as_mut_ptr() as *mut v128;
        // SAFETY: `ch` holds exactly 4 floats; v128 loads/stores are unaligned.
        // pmax(v, 0) = v < 0 ? 0 : v, so NaN and -0.0 pass through like the twin.
        unsafe { v128_store(ptr, f32x4_pmax(v128_load(ptr), zero)) };
    }
    super::scalar::relu(chunks.into_remainder());
}

/// SIMD128 twin of [`super::scalar::axpy`].
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    assert_eq!(x.len(), y.len(), "axpy lengths");
    let av = f32x4_splat(alpha);
    let mut ys = y.chunks_exact_mut(4);
    let mut xs = x.chunks_exact(4);
    for (yc, xc) in (&mut ys).zip(&mut xs) {
        let yp = yc.as_mut_ptr() as *mut v128;
        // SAFETY: both chunks hold exactly 4 floats.
        unsafe {
            let prod = f32x4_mul(av, v128_load(xc.as_ptr() as *const v128));
            v128_store(yp, f32x4_add(v128_load(yp), prod));
        }
    }
    super::scalar::axpy(alpha, xs.remainder(), ys.into_remainder());
}

/// SIMD128 twin of [`super::scalar::dot`] (the same partial sums and folding order).
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn dot(x: &[f32], y: &[f32]) -> f32 {
    assert_eq!(x.len(), y.len(), "dot lengths");
    const _: () = assert!(super::scalar::DOT_LANES == 16, "four v128 partial sums");
    // acc[r] holds partial sums 4r..4r+4.
    let mut acc = [f32x4_splat(0.0); 4];
    let mut xs = x.chunks_exact(16);
    let mut ys = y.chunks_exact(16);
    for (xc, yc) in (&mut xs).zip(&mut ys) {
        for (r, a) in acc.iter_mut().enumerate() {
            // SAFETY: both chunks hold 16 floats; v128 loads are unaligned.
            let (xv, yv) = unsafe {
                (
                    v128_load(xc.as_ptr().add(4 * r) as *const v128),
                    v128_load(yc.as_ptr().add(4 * r) as *const v128),
                )
            };
            *a = f32x4_add(*a, f32x4_mul(xv, yv));
        }
    }
    // Fold by 8 (sums i and i+8), by 4, by 2, by 1, as the twin.
    let s8 = [f32x4_add(acc[0], acc[2]), f32x4_add(acc[1], acc[3])];
    let s4 = f32x4_add(s8[0], s8[1]);
    let s2 = f32x4_add(s4, i32x4_shuffle::<2, 3, 2, 3>(s4, s4));
    let s1 = f32x4_extract_lane::<0>(s2) + f32x4_extract_lane::<1>(s2);
    super::scalar::dot_tail(s1, xs.remainder(), ys.remainder())
}

/// SIMD128 twin of [`super::scalar::add_scalar`].
pub fn add_scalar(s: f32, y: &mut [f32]) {
    let sv = f32x4_splat(s);
    let mut ys = y.chunks_exact_mut(4);
    for yc in &mut ys {
        let yp = yc.as_mut_ptr() as *mut v128;
        // SAFETY: the chunk holds exactly 4 floats.
        unsafe { v128_store(yp, f32x4_add(v128_load(yp), sv)) };
    }
    super::scalar::add_scalar(s, ys.into_remainder());
}
