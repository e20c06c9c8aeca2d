//! Scalar twins of the SIMD kernels: the reference every other kernel is tested against.

use super::MatRef;

/// `C (m×n, row-major) = A (m×k) · B (k×n)`, or `+=` when `accumulate`.
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
