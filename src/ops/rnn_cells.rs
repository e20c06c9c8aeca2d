//! The recurrent cells of `nn.RNN`, `nn.LSTM` and `nn.GRU`, split as PyTorch computes them:
//! the two affine maps `gi = x·W_ihᵀ + b_ih` and `gh = h·W_hhᵀ + b_hh` ([`affine_rows`], one
//! GEMM each; `gi` for all time steps at once), then a pointwise step per cell.
//!
//! Gate layouts along the `G` axis (`H` = hidden size), as in PyTorch's weights:
//! - RNN (`G = H`): `h' = tanh(gi + gh)` (or `relu`).
//! - LSTM (`G = 4H`, order i, f, g, o): `i = σ(gi_i + gh_i)`, `f = σ(gi_f + gh_f)`,
//!   `g = tanh(gi_g + gh_g)`, `o = σ(gi_o + gh_o)`, `c' = f⊙c + i⊙g`, `h' = o⊙tanh(c')`.
//! - GRU (`G = 3H`, order r, z, n): `r = σ(gi_r + gh_r)`, `z = σ(gi_z + gh_z)`,
//!   `n = tanh(gi_n + r⊙gh_n)` (the reset gate multiplies `W_hn·h + b_hn`, bias included),
//!   `h' = (1 − z)⊙n + z⊙h`.

use crate::kernels::{sgemm, MatRef};

/// `out = x·wᵀ + b` for `rows` rows: `x` `[rows, in]`, `w` `[g, in]`, `b` `[g]` (optional)
/// → `[rows, g]` row-major.
///
/// # Panics
/// If the slices are shorter than the sizes say (callers check shapes first).
pub fn affine_rows(x: &[f32], rows: usize, w: &[f32], g: usize, b: Option<&[f32]>) -> Vec<f32> {
    let inp = w.len().checked_div(g).unwrap_or(0);
    let mut out = vec![0.0f32; rows * g];
    if let Some(b) = b {
        for row in out.chunks_mut(g.max(1)) {
            row.copy_from_slice(&b[..g]);
        }
    }
    if rows > 0 && g > 0 && inp > 0 {
        let a = MatRef::row_major(&x[..rows * inp], rows, inp);
        let wt = MatRef::row_major(&w[..g * inp], g, inp).t();
        sgemm(a, wt, &mut out, b.is_some());
    }
    out
}

fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + (-v).exp())
}

/// One RNN step for a batch: `h ← act(gi + gh)`; `gi`, `gh`, `h`: `[B, H]`.
pub fn rnn_step(gi: &[f32], gh: &[f32], h: &mut [f32], relu: bool) {
    for ((hv, &a), &b) in h.iter_mut().zip(gi).zip(gh) {
        let s = a + b;
        *hv = if relu { s.max(0.0) } else { s.tanh() };
    }
}

/// One LSTM step for a batch: `gi`, `gh`: `[B, 4H]`; `h`, `c`: `[B, H]`, updated in place.
pub fn lstm_step(gi: &[f32], gh: &[f32], h: &mut [f32], c: &mut [f32], hidden: usize) {
    let hs = hidden;
    for (bi, (hb, cb)) in h
        .chunks_mut(hs.max(1))
        .zip(c.chunks_mut(hs.max(1)))
        .enumerate()
    {
        let (a, b) = (&gi[bi * 4 * hs..], &gh[bi * 4 * hs..]);
        for j in 0..hs {
            let i = sigmoid(a[j] + b[j]);
            let f = sigmoid(a[hs + j] + b[hs + j]);
            let g = (a[2 * hs + j] + b[2 * hs + j]).tanh();
            let o = sigmoid(a[3 * hs + j] + b[3 * hs + j]);
            cb[j] = f * cb[j] + i * g;
            hb[j] = o * cb[j].tanh();
        }
    }
}

/// One GRU step for a batch: `gi`, `gh`: `[B, 3H]`; `h`: `[B, H]`, updated in place.
pub fn gru_step(gi: &[f32], gh: &[f32], h: &mut [f32], hidden: usize) {
    let hs = hidden;
    for (bi, hb) in h.chunks_mut(hs.max(1)).enumerate() {
        let (a, b) = (&gi[bi * 3 * hs..], &gh[bi * 3 * hs..]);
        for j in 0..hs {
            let r = sigmoid(a[j] + b[j]);
            let z = sigmoid(a[hs + j] + b[hs + j]);
            let n = (a[2 * hs + j] + r * b[2 * hs + j]).tanh();
            hb[j] = (1.0 - z) * n + z * hb[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_rows_is_x_wt_plus_b() {
        // x [2,3], w [2,3]: rows of x·wᵀ + b.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let w = [1.0, 0.0, -1.0, 0.5, 0.5, 0.5];
        let out = affine_rows(&x, 2, &w, 2, Some(&[10.0, 20.0]));
        assert_eq!(out, vec![8.0, 23.0, 8.0, 27.5]);
    }

    #[test]
    fn gru_keeps_h_when_z_saturates() {
        let mut h = [0.25f32];
        gru_step(&[0.0, 50.0, 1.0], &[0.0, 50.0, 1.0], &mut h, 1);
        assert!((h[0] - 0.25).abs() < 1e-6);
    }
}
