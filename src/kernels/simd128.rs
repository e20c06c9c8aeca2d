//! wasm SIMD128 kernels (no FMA in wasm SIMD: multiply then add).

use super::MatRef;
use core::arch::wasm32::*;

/// `C (m×n, row-major) = A (m×k) · B (k×n)`, or `+=` when `accumulate`. Same contract as
/// [`super::scalar::sgemm`].
pub fn sgemm(a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    // Rows of B contiguous: pack once when B is strided.
    let packed;
    let b_rows: &[f32] = if b.cs == 1 && b.rs == n {
        &b.data[..k * n]
    } else {
        packed = (0..k * n)
            .map(|idx| b.at(idx / n, idx % n))
            .collect::<Vec<f32>>();
        &packed
    };
    if !accumulate {
        c[..m * n].iter_mut().for_each(|x| *x = 0.0);
    }
    let n4 = n / 4 * 4;
    for i in 0..m {
        let c_row = &mut c[i * n..(i + 1) * n];
        for p in 0..k {
            let aip = a.at(i, p);
            let av = f32x4_splat(aip);
            let b_row = &b_rows[p * n..(p + 1) * n];
            let mut j = 0;
            while j < n4 {
                // SAFETY: j + 4 <= n4 <= n = len of both rows; v128 loads/stores are unaligned.
                unsafe {
                    let bp = b_row.as_ptr().add(j) as *const v128;
                    let cp = c_row.as_mut_ptr().add(j) as *mut v128;
                    v128_store(cp, f32x4_add(v128_load(cp), f32x4_mul(av, v128_load(bp))));
                }
                j += 4;
            }
            for jj in n4..n {
                c_row[jj] += aip * b_row[jj];
            }
        }
    }
}
