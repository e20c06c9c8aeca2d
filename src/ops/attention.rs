//! Multi-head scaled dot-product attention, as `F.multi_head_attention_forward` computes it
//! (no dropout, no key padding mask).
//!
//! With `E = embed_dim`, `h` heads of `d = E/h`, sequences time-major (`query` `[L, N, E]`,
//! `key`/`value` `[S, N, E]`):
//! `Q = query·W_qᵀ + b_q`, `K = key·W_kᵀ + b_k`, `V = value·W_vᵀ + b_v` (`W_q, W_k, W_v` the
//! three `[E, E]` blocks of `in_proj_weight` `[3E, E]`); per batch item and head,
//! `P = softmax(Q_h·K_hᵀ / √d + mask)` `[L, S]`, `O_h = P·V_h` `[L, d]`; the heads are
//! concatenated and `out = O·W_oᵀ + b_o`.

use crate::kernels::{sgemm, MatRef};
use crate::ops::rnn_cells::affine_rows;

/// The projections of one attention block, as flat row-major slices.
#[derive(Clone, Copy, Debug)]
pub struct AttentionWeights<'a> {
    /// `[3E, E]`.
    pub in_proj_weight: &'a [f32],
    /// `[3E]`.
    pub in_proj_bias: Option<&'a [f32]>,
    /// `[E, E]`.
    pub out_proj_weight: &'a [f32],
    /// `[E]`.
    pub out_proj_bias: Option<&'a [f32]>,
}

/// Sizes of one call: `l` target length, `s` source length, `n` batch, `e` embed dim, `heads`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttentionDims {
    pub l: usize,
    pub s: usize,
    pub n: usize,
    pub e: usize,
    pub heads: usize,
}

/// `(out, weights)`: `out` `[L, N, E]` time-major; `weights` `[N, heads, L, S]` (the softmax
/// of every head, before any averaging).
///
/// * `query`: `[L, N, E]`, `key`, `value`: `[S, N, E]` (flat, time-major)
/// * `attn_mask`: `[L, S]`, added to the scaled scores (`-inf` masks a position)
///
/// # Panics
/// If a slice is shorter than `dims` says or `e` is not divisible by `heads` (callers check).
pub fn multi_head_attention_forward(
    query: &[f32],
    key: &[f32],
    value: &[f32],
    dims: AttentionDims,
    w: AttentionWeights,
    attn_mask: Option<&[f32]>,
) -> (Vec<f32>, Vec<f32>) {
    let AttentionDims { l, s, n, e, heads } = dims;
    let d = e / heads.max(1);
    let block = |k: usize| &w.in_proj_weight[k * e * e..(k + 1) * e * e];
    let bias = |k: usize| w.in_proj_bias.map(|b| &b[k * e..(k + 1) * e]);
    let mut q = affine_rows(query, l * n, block(0), e, bias(0));
    let k = affine_rows(key, s * n, block(1), e, bias(1));
    let v = affine_rows(value, s * n, block(2), e, bias(2));
    let scale = (1.0 / d as f64).sqrt() as f32;
    q.iter_mut().for_each(|x| *x *= scale);
    let mut weights = vec![0.0f32; n * heads * l * s];
    let mut concat = vec![0.0f32; l * n * e];
    fn view(data: &[f32], rows: usize, off: usize, cols: usize, rs: usize) -> MatRef<'_> {
        MatRef {
            data: &data[off..],
            rows,
            cols,
            rs,
            cs: 1,
        }
    }
    let mut o = vec![0.0f32; l * d];
    for b in 0..n {
        for h in 0..heads {
            let off = b * e + h * d;
            let p = &mut weights[(b * heads + h) * l * s..(b * heads + h + 1) * l * s];
            if l > 0 && s > 0 && d > 0 {
                sgemm(
                    view(&q, l, off, d, n * e),
                    view(&k, s, off, d, n * e).t(),
                    p,
                    false,
                );
            }
            for (i, row) in p.chunks_mut(s.max(1)).enumerate() {
                if let Some(m) = attn_mask {
                    row.iter_mut()
                        .zip(&m[i * s..(i + 1) * s])
                        .for_each(|(x, &mv)| *x += mv);
                }
                softmax_in_place(row);
            }
            if l > 0 && s > 0 && d > 0 {
                sgemm(
                    MatRef::row_major(p, l, s),
                    view(&v, s, off, d, n * e),
                    &mut o,
                    false,
                );
            }
            for i in 0..l {
                let dst = (i * n + b) * e + h * d;
                concat[dst..dst + d].copy_from_slice(&o[i * d..(i + 1) * d]);
            }
        }
    }
    let out = affine_rows(&concat, l * n, w.out_proj_weight, e, w.out_proj_bias);
    (out, weights)
}

/// Softmax of one row (max-subtracted; a row of all `-inf` becomes NaN, as in PyTorch).
fn softmax_in_place(row: &mut [f32]) {
    let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for x in row.iter_mut() {
        *x = (*x - m).exp();
        sum += *x;
    }
    row.iter_mut().for_each(|x| *x /= sum);
}

/// The mean over heads of `weights` `[N, heads, L, S]` → `[N, L, S]`.
pub fn average_heads(weights: &[f32], n: usize, heads: usize, ls: usize) -> Vec<f32> {
    let mut avg = vec![0.0f32; n * ls];
    for b in 0..n {
        for h in 0..heads {
            let src = &weights[(b * heads + h) * ls..(b * heads + h + 1) * ls];
            avg[b * ls..(b + 1) * ls]
                .iter_mut()
                .zip(src)
                .for_each(|(a, &x)| *a += x);
        }
    }
    let k = heads.max(1) as f32;
    avg.iter_mut().for_each(|a| *a /= k);
    avg
}
