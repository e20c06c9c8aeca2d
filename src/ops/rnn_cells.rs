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

/// Backward of one step of any cell, given the step's pre-activations. Writes the gradients
/// of the step's pre-activation inputs into `dgi` and `dgh` (`[B, G]`, `G = gates·H`) and the
/// gradient flowing straight to the previous states into `dh_prev` (GRU's `z⊙h` path; zero
/// for the others) and `dc_prev` (LSTM). `dh` is `dL/dh_t`, `dc` is `dL/dc_t` (LSTM; ignored
/// otherwise). `h_prev`, `c_prev`, `c` are the states around the step (`[B, H]`).
pub struct StepGrads<'a> {
    pub dgi: &'a mut [f32],
    pub dgh: &'a mut [f32],
    pub dh_prev: &'a mut [f32],
    pub dc_prev: &'a mut [f32],
}

/// RNN step backward: `h = act(gi + gh)`; `h` the step's output.
pub fn rnn_step_backward(h: &[f32], dh: &[f32], relu: bool, out: StepGrads) {
    for (j, (&hv, &d)) in h.iter().zip(dh).enumerate() {
        let da = if relu {
            if hv > 0.0 {
                d
            } else {
                0.0
            }
        } else {
            d * (1.0 - hv * hv)
        };
        out.dgi[j] = da;
        out.dgh[j] = da;
        out.dh_prev[j] = 0.0;
    }
}

/// LSTM step backward (gates i, f, g, o recomputed from `gi + gh`).
#[allow(clippy::too_many_arguments)]
pub fn lstm_step_backward(
    gi: &[f32],
    gh: &[f32],
    c_prev: &[f32],
    c: &[f32],
    dh: &[f32],
    dc: &[f32],
    hidden: usize,
    out: StepGrads,
) {
    let hs = hidden;
    for bj in 0..dh.len() {
        let (bi, j) = (bj / hs, bj % hs);
        let (a, b) = (&gi[bi * 4 * hs..], &gh[bi * 4 * hs..]);
        let i = sigmoid(a[j] + b[j]);
        let f = sigmoid(a[hs + j] + b[hs + j]);
        let g = (a[2 * hs + j] + b[2 * hs + j]).tanh();
        let o = sigmoid(a[3 * hs + j] + b[3 * hs + j]);
        let tc = c[bj].tanh();
        let d_o = dh[bj] * tc;
        let dct = dc[bj] + dh[bj] * o * (1.0 - tc * tc);
        let pre = [
            dct * g * i * (1.0 - i),
            dct * c_prev[bj] * f * (1.0 - f),
            dct * i * (1.0 - g * g),
            d_o * o * (1.0 - o),
        ];
        for (k, v) in pre.into_iter().enumerate() {
            out.dgi[bi * 4 * hs + k * hs + j] = v;
            out.dgh[bi * 4 * hs + k * hs + j] = v;
        }
        out.dc_prev[bj] = dct * f;
        out.dh_prev[bj] = 0.0;
    }
}

/// GRU step backward (gates r, z, n recomputed from `gi`, `gh`).
pub fn gru_step_backward(
    gi: &[f32],
    gh: &[f32],
    h_prev: &[f32],
    dh: &[f32],
    hidden: usize,
    out: StepGrads,
) {
    let hs = hidden;
    for bj in 0..dh.len() {
        let (bi, j) = (bj / hs, bj % hs);
        let (a, b) = (&gi[bi * 3 * hs..], &gh[bi * 3 * hs..]);
        let r = sigmoid(a[j] + b[j]);
        let z = sigmoid(a[hs + j] + b[hs + j]);
        let n = (a[2 * hs + j] + r * b[2 * hs + j]).tanh();
        let d = dh[bj];
        let dan = d * (1.0 - z) * (1.0 - n * n);
        let daz = d * (h_prev[bj] - n) * z * (1.0 - z);
        let dar = dan * b[2 * hs + j] * r * (1.0 - r);
        let o = bi * 3 * hs;
        out.dgi[o + j] = dar;
        out.dgh[o + j] = dar;
        out.dgi[o + hs + j] = daz;
        out.dgh[o + hs + j] = daz;
        out.dgi[o + 2 * hs + j] = dan;
        out.dgh[o + 2 * hs + j] = dan * r;
        out.dh_prev[bj] = d * z;
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
