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
    let (out, cache) = multi_head_attention_forward_cached(query, key, value, dims, w, attn_mask);
    (out, cache.weights)
}

/// What [`multi_head_attention_backward`] needs: the inputs, the projections (`q` already
/// scaled by `1/√d`), the softmax weights `[N, heads, L, S]` and the concatenated heads.
#[derive(Clone, Debug)]
pub struct AttentionCache {
    pub dims: AttentionDims,
    pub query: Vec<f32>,
    pub key: Vec<f32>,
    pub value: Vec<f32>,
    pub q: Vec<f32>,
    pub k: Vec<f32>,
    pub v: Vec<f32>,
    pub weights: Vec<f32>,
    pub concat: Vec<f32>,
}

/// [`multi_head_attention_forward`] keeping the cache for the backward.
///
/// # Panics
/// As [`multi_head_attention_forward`].
pub fn multi_head_attention_forward_cached(
    query: &[f32],
    key: &[f32],
    value: &[f32],
    dims: AttentionDims,
    w: AttentionWeights,
    attn_mask: Option<&[f32]>,
) -> (Vec<f32>, AttentionCache) {
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
    let cache = AttentionCache {
        dims,
        query: query.to_vec(),
        key: key.to_vec(),
        value: value.to_vec(),
        q,
        k,
        v,
        weights,
        concat,
    };
    (out, cache)
}

/// Gradients of [`multi_head_attention_forward`], flat and time-major like its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionGrads {
    /// `[L, N, E]`.
    pub query: Vec<f32>,
    /// `[S, N, E]`.
    pub key: Vec<f32>,
    /// `[S, N, E]`.
    pub value: Vec<f32>,
    /// `[3E, E]`.
    pub in_proj_weight: Vec<f32>,
    /// `[3E]`.
    pub in_proj_bias: Vec<f32>,
    /// `[E, E]`.
    pub out_proj_weight: Vec<f32>,
    /// `[E]`.
    pub out_proj_bias: Vec<f32>,
}

/// `rows × cols` view at `off` with row stride `rs` (a head's columns of a `[T, N, E]` buffer).
fn strided(data: &[f32], off: usize, rows: usize, cols: usize, rs: usize) -> MatRef<'_> {
    MatRef {
        data: &data[off..],
        rows,
        cols,
        rs,
        cs: 1,
    }
}

/// Backward of [`multi_head_attention_forward`] for `dL/dout` (`grad_out`, `[L, N, E]`):
/// out-projection, `dP = dO·Vᵀ`, `dV = Pᵀ·dO`, the softmax backward
/// `dZ = P ⊙ (dP − Σ_row dP ⊙ P)`, `dQ = dZ·K / √d`, `dK = dZᵀ·Q/√d`, then the input
/// projections.
///
/// # Panics
/// If `grad_out` or the weights do not have the sizes of the forward (callers check).
pub fn multi_head_attention_backward(
    cache: &AttentionCache,
    w: AttentionWeights,
    grad_out: &[f32],
) -> AttentionGrads {
    let AttentionDims { l, s, n, e, heads } = cache.dims;
    let d = e / heads.max(1);
    let go = MatRef::row_major(&grad_out[..l * n * e], l * n, e);
    let mut d_concat = vec![0.0f32; l * n * e];
    let mut out_proj_weight = vec![0.0f32; e * e];
    if l * n > 0 && e > 0 {
        sgemm(
            go,
            MatRef::row_major(w.out_proj_weight, e, e),
            &mut d_concat,
            false,
        );
        sgemm(
            go.t(),
            MatRef::row_major(&cache.concat, l * n, e),
            &mut out_proj_weight,
            false,
        );
    }
    let mut out_proj_bias = vec![0.0f32; e];
    for row in grad_out.chunks(e.max(1)) {
        out_proj_bias
            .iter_mut()
            .zip(row)
            .for_each(|(a, &v)| *a += v);
    }
    let (mut dq, mut dk, mut dv) = (
        vec![0.0f32; l * n * e],
        vec![0.0f32; s * n * e],
        vec![0.0f32; s * n * e],
    );
    let scale = (1.0 / d as f64).sqrt() as f32;
    let mut dp = vec![0.0f32; l * s];
    let mut tmp_l = vec![0.0f32; l * d];
    let mut tmp_s = vec![0.0f32; s * d];
    let ne = n * e;
    for b in 0..n {
        for h in 0..heads {
            if l == 0 || s == 0 || d == 0 {
                continue;
            }
            let off = b * e + h * d;
            let p = &cache.weights[(b * heads + h) * l * s..(b * heads + h + 1) * l * s];
            let pm = MatRef::row_major(p, l, s);
            let dom = strided(&d_concat, off, l, d, ne);
            // dP = dO·Vᵀ [L, S]; dV = Pᵀ·dO [S, d].
            sgemm(dom, strided(&cache.v, off, s, d, ne).t(), &mut dp, false);
            sgemm(pm.t(), dom, &mut tmp_s, false);
            scatter(&mut dv, &tmp_s, off, s, d, ne);
            for (dpr, pr) in dp.chunks_mut(s).zip(p.chunks(s)) {
                let dot: f32 = dpr.iter().zip(pr).map(|(a, b)| a * b).sum();
                dpr.iter_mut()
                    .zip(pr)
                    .for_each(|(x, &pv)| *x = pv * (*x - dot));
            }
            let dz = MatRef::row_major(&dp, l, s);
            // scores = Qs·Kᵀ: dQs = dZ·K, dK = dZᵀ·Qs.
            sgemm(dz, strided(&cache.k, off, s, d, ne), &mut tmp_l, false);
            tmp_l.iter_mut().for_each(|x| *x *= scale);
            scatter(&mut dq, &tmp_l, off, l, d, ne);
            sgemm(dz.t(), strided(&cache.q, off, l, d, ne), &mut tmp_s, false);
            scatter(&mut dk, &tmp_s, off, s, d, ne);
        }
    }
    let mut in_proj_weight = vec![0.0f32; 3 * e * e];
    let mut in_proj_bias = vec![0.0f32; 3 * e];
    let mut grads_in = Vec::with_capacity(3);
    for (k, (dproj, x, rows)) in [
        (&dq, &cache.query, l * n),
        (&dk, &cache.key, s * n),
        (&dv, &cache.value, s * n),
    ]
    .into_iter()
    .enumerate()
    {
        let mut dx = vec![0.0f32; rows * e];
        if rows > 0 && e > 0 {
            let dm = MatRef::row_major(dproj, rows, e);
            let wk = &w.in_proj_weight[k * e * e..(k + 1) * e * e];
            sgemm(dm, MatRef::row_major(wk, e, e), &mut dx, false);
            sgemm(
                dm.t(),
                MatRef::row_major(x, rows, e),
                &mut in_proj_weight[k * e * e..(k + 1) * e * e],
                false,
            );
        }
        for row in dproj.chunks(e.max(1)) {
            in_proj_bias[k * e..(k + 1) * e]
                .iter_mut()
                .zip(row)
                .for_each(|(a, &v)| *a += v);
        }
        grads_in.push(dx);
    }
    let value = grads_in.pop().unwrap_or_default();
    let key = grads_in.pop().unwrap_or_default();
    let query = grads_in.pop().unwrap_or_default();
    AttentionGrads {
        query,
        key,
        value,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
    }
}

/// Adds `src` (`[rows, d]`) into the head columns at `off` of a `[T, N, E]` buffer.
fn scatter(dst: &mut [f32], src: &[f32], off: usize, rows: usize, d: usize, rs: usize) {
    for i in 0..rows {
        dst[off + i * rs..off + i * rs + d]
            .iter_mut()
            .zip(&src[i * d..(i + 1) * d])
            .for_each(|(a, &v)| *a += v);
    }
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
