//! Winograd convolution `F(m×m, r×r)` for inference: the same `y` as
//! [`conv2d_forward`](super::conv2d_forward) (stride 1, any zero padding), with far fewer
//! multiplies.
//!
//! The output is cut into `m×m` tiles; each reads an `α×α` input tile `d` (`α = m + r − 1`).
//! With the Toom-Cook matrices `Aᵀ` `[m, α]`, `G` `[α, r]`, `Bᵀ` `[α, α]` built from the
//! points `0, 1, −1, 2, −2, ½, −½` and ∞:
//!
//! `Y[o] = Aᵀ · ( Σ_c U[o, c] ⊙ V[c] ) · A`, with `U = G · g[o, c] · Gᵀ`, `V = Bᵀ · d[c] · B`.
//!
//! The sum over `c` is, for each of the `α²` positions, one GEMM `U_pos [O, C] · V_pos [C, T]`
//! over `T` tiles. For the CIFAR-10 model's 5×5 kernels `F(4×4, 5×5)` does 64 multiplies per
//! 16 outputs and input channel instead of 400. Rounding differs from the direct sum: on
//! random data the error is ~1e-5 of the output's magnitude (tested), so this is used for
//! inference only (`Module::infer`); training keeps the im2col path.

use super::{geometry, Conv2dParams, Geom};
use crate::error::Result;
use crate::kernels::{sgemm_serial, sgemm_serial_packed, MatRef, PackedA};
use crate::parallel::for_each_chunk_mut;
use crate::tensor::Tensor;
use std::cell::RefCell;

mod program;
use program::Program;

/// Fewest input channels for which [`WinogradPlan::for_conv`] picks Winograd.
pub const MIN_CHANNELS: usize = 8;
/// Largest tile side `α` (one more than the finite interpolation points below).
const MAX_ALPHA: usize = 8;
/// Interpolation points of the Toom-Cook construction, in order of use (∞ is implicit).
const POINTS: [f64; MAX_ALPHA - 1] = [0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5];
/// Tiles transformed and multiplied together (per thread): the `α²` GEMMs are
/// `[O, C] · [C, T]` with `T` about this, and `V`/`M` stay cache-sized.
const TILES_PER_CHUNK: usize = 64;
/// Floats between consecutive positions' `V`/`M` blocks beyond `C·T`/`O·T`, so the `α²`
/// streams a transform reads or writes at once are not a power of two apart (cache-set
/// aliasing). Not measured on its own: with it the V layout below ran conv2's Winograd in
/// 8.74 ms natively (batch 64, 1 thread) against 9.85 ms for an unpadded transposing layout.
const M_PAD: usize = 16;

/// Distance between positions in the `M` buffer for `o` channels and `t` tiles.
fn m_stride(o: usize, t: usize) -> usize {
    o * t + M_PAD
}

/// Distance between positions in the `V` buffer for `c` channels and `t` tiles (padded: the
/// input transform writes all `α²` positions of a tile at once).
fn v_stride(c: usize, t: usize) -> usize {
    c * t + M_PAD
}

/// Output tile side `m` for a square kernel side `r`, or `None` when Winograd does not apply.
fn tile_for_kernel(r: usize) -> Option<usize> {
    match r {
        2..=5 => Some(4),
        6 | 7 => Some(2),
        _ => None,
    }
}

/// The transforms of one `F(m×m, r×r)`: `G` row-major (weights, transformed once), `Bᵀ` and
/// `Aᵀ` compiled to butterfly programs (inputs and outputs, on every call).
#[derive(Clone, Debug, PartialEq)]
pub struct WinogradPlan {
    m: usize,
    r: usize,
    alpha: usize,
    /// `G` `[α, r]`.
    g: Vec<f32>,
    /// `Bᵀ` `[α, α]` as a program (input transform, applied down columns then along rows).
    bt: Program,
    /// `Aᵀ` `[m, α]` as a program (output transform).
    at_prog: Program,
}

/// Coefficients (ascending powers) of `Π (x − p)` over `points`.
fn poly_from_roots(points: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut poly = vec![1.0];
    for p in points {
        let mut next = vec![0.0; poly.len() + 1];
        for (i, &c) in poly.iter().enumerate() {
            next[i] -= p * c;
            next[i + 1] += c;
        }
        poly = next;
    }
    poly
}

impl WinogradPlan {
    /// `F(m×m, r×r)`; `None` unless `2 ≤ m + r − 1 ≤ 8`, `m ≥ 1`, `r ≥ 1`.
    pub fn new(m: usize, r: usize) -> Option<WinogradPlan> {
        let alpha = m + r - 1;
        if m == 0 || r == 0 || !(2..=MAX_ALPHA).contains(&alpha) {
            return None;
        }
        let pts = &POINTS[..alpha - 1];
        let mut at = vec![0.0f32; m * alpha];
        for i in 0..m {
            for (j, &p) in pts.iter().enumerate() {
                at[i * alpha + j] = p.powi(i as i32) as f32;
            }
            at[i * alpha + alpha - 1] = if i == m - 1 { 1.0 } else { 0.0 };
        }
        let mut g = vec![0.0f32; alpha * r];
        for (j, &p) in pts.iter().enumerate() {
            let den: f64 = pts
                .iter()
                .enumerate()
                .filter(|&(l, _)| l != j)
                .map(|(_, &q)| p - q)
                .product();
            for k in 0..r {
                g[j * r + k] = (p.powi(k as i32) / den) as f32;
            }
        }
        g[(alpha - 1) * r + r - 1] = 1.0;
        let mut bt = vec![0.0f32; alpha * alpha];
        for j in 0..alpha {
            let poly = if j + 1 < alpha {
                poly_from_roots(
                    pts.iter()
                        .enumerate()
                        .filter(|&(l, _)| l != j)
                        .map(|(_, &q)| q),
                )
            } else {
                poly_from_roots(pts.iter().copied())
            };
            for (i, &c) in poly.iter().enumerate() {
                bt[j * alpha + i] = c as f32;
            }
        }
        Some(WinogradPlan {
            m,
            r,
            alpha,
            bt: Program::with_row_pairs(&bt, alpha, alpha),
            at_prog: Program::with_column_pairs(&at, m, alpha),
            g,
        })
    }

    /// The plan nnbook uses for a `kernel` with `params` on `in_channels` channels, or `None`
    /// when the im2col path is used instead: non-square kernel, stride ≠ 1, 1×1 or larger
    /// than 7×7 kernels, or fewer than [`MIN_CHANNELS`] input channels (there the output
    /// transform costs more than the multiplies it saves: measured on the CIFAR-10 model's
    /// first layer, 3 channels).
    pub fn for_conv(
        kernel: [usize; 2],
        params: Conv2dParams,
        in_channels: usize,
    ) -> Option<WinogradPlan> {
        if params.stride != [1, 1] || kernel[0] != kernel[1] || in_channels < MIN_CHANNELS {
            return None;
        }
        WinogradPlan::new(tile_for_kernel(kernel[0])?, kernel[0])
    }

    /// Output tile side `m`.
    pub fn tile(&self) -> usize {
        self.m
    }
}

/// The transformed weights of one layer for its plan (and for `F(2×2)`), and the weights they
/// came from.
#[derive(Clone, Debug, PartialEq)]
pub struct WinogradWeights {
    main: PlanWeights,
    /// `[O, C, r, r]`: the weights the `U`s were computed from.
    source: Tensor,
    /// `F(2×2, r×r)` when `main`'s tiles are larger.
    small: Option<PlanWeights>,
}

/// One plan's `U` `[α², O, C]`: each position's `U_pos` `[O, C]` packed for the GEMM once
/// (every inference multiplies by the same `U`, and packing it took ~40 % of the small GEMMs of
/// a batch-1 inference), or kept plain when `C` is too deep to pack whole.
#[derive(Clone, Debug, PartialEq)]
struct PlanWeights {
    plan: WinogradPlan,
    u: TransformedU,
    /// `(O, C)`.
    oc: (usize, usize),
}

#[derive(Clone, Debug, PartialEq)]
enum TransformedU {
    /// One per position.
    Packed(Vec<PackedA>),
    /// `[α², O, C]`.
    Plain(Vec<f32>),
}

impl PlanWeights {
    fn new(plan: WinogradPlan, weight: &Tensor) -> PlanWeights {
        let (o, c) = (weight.shape()[0], weight.shape()[1]);
        let u = transform_weights(&plan, weight);
        let packed = u
            .chunks_exact((o * c).max(1))
            .take(plan.alpha * plan.alpha)
            .map(|u_pos| PackedA::new(MatRef::row_major(u_pos, o, c)))
            .collect::<Option<Vec<_>>>();
        PlanWeights {
            plan,
            u: packed.map_or(TransformedU::Plain(u), TransformedU::Packed),
            oc: (o, c),
        }
    }

    /// Floats of `U` (`α²·O·C`).
    #[cfg(test)]
    fn u_len(&self) -> usize {
        self.plan.alpha * self.plan.alpha * self.oc.0 * self.oc.1
    }

    /// Output-channel groups must start at multiples of this (a packed `U`'s row step).
    fn row_step(&self) -> usize {
        match &self.u {
            TransformedU::Packed(p) => p.first().map_or(1, PackedA::row_step),
            TransformedU::Plain(_) => 1,
        }
    }

    /// `M = U_pos[o0..o0 + og, :] · V_pos` (`V_pos` `[C, T]`, `M` `[og, T]`; `o0` a multiple
    /// of [`PlanWeights::row_step`]).
    fn gemm(&self, pos: usize, o0: usize, og: usize, v_pos: MatRef, m: &mut [f32]) {
        match &self.u {
            TransformedU::Packed(p) => sgemm_serial_packed(&p[pos], o0, og, v_pos, m, false),
            TransformedU::Plain(u) => {
                let (o, c) = self.oc;
                let u = MatRef::row_major(&u[(pos * o + o0) * c..][..og * c], og, c);
                sgemm_serial(u, v_pos, m, false)
            }
        }
    }
}

/// `U` `[α², O, C]` of `weight` `[O, C, r, r]` for `plan` (shape checked by the caller).
fn transform_weights(plan: &WinogradPlan, weight: &Tensor) -> Vec<f32> {
    let s = weight.shape();
    let (r, alpha) = (plan.r, plan.alpha);
    let (o, c) = (s[0], s[1]);
    let mut u = vec![0.0f32; alpha * alpha * o * c];
    let mut gw = vec![0.0f32; alpha * r];
    for (oc, kernel) in weight.data().chunks_exact(r * r).enumerate() {
        // gw = G · kernel  [α, r]
        for (a, row) in gw.chunks_exact_mut(r).enumerate() {
            for (k, out) in row.iter_mut().enumerate() {
                *out = (0..r).map(|i| plan.g[a * r + i] * kernel[i * r + k]).sum();
            }
        }
        // U = gw · Gᵀ  [α, α]
        for a in 0..alpha {
            for b in 0..alpha {
                let v: f32 = (0..r).map(|k| gw[a * r + k] * plan.g[b * r + k]).sum();
                u[(b * alpha + a) * o * c + oc] = v;
            }
        }
    }
    u
}

impl WinogradWeights {
    /// `U[pos, o, c] = (G · weight[o, c] · Gᵀ)[pos]` for `weight` `[O, C, r, r]`, for `plan`
    /// and, when `plan`'s tiles are larger than 2×2, for `F(2×2, r×r)` too (used when a
    /// batch has too few large tiles, e.g. one 8×8 image).
    ///
    /// # Errors
    /// `weight` not `[O, C, r, r]` with the plan's `r` (a bug in the caller: PyTorch's checks
    /// run in [`conv2d_winograd`]).
    pub fn new(plan: WinogradPlan, weight: &Tensor) -> Result<WinogradWeights> {
        let s = weight.shape();
        let r = plan.r;
        if s.len() != 4 || s[2] != r || s[3] != r {
            return Err(crate::error::Error::runtime(
                "conv2d",
                format!("winograd plan for {r}x{r} kernels got weight {s:?}"),
            ));
        }
        let small = match plan.m {
            m if m > 2 => WinogradPlan::new(2, r).map(|p| PlanWeights::new(p, weight)),
            _ => None,
        };
        Ok(WinogradWeights {
            main: PlanWeights::new(plan, weight),
            small,
            source: weight.clone(),
        })
    }

    /// The plan (with its weights) for `n` samples of `out_hw` outputs: the first with at
    /// least [`MIN_TILES`] tiles in all, or `None` (im2col).
    fn plan_for(&self, n: usize, out_hw: [usize; 2]) -> Option<&PlanWeights> {
        let tiles =
            |plan: &WinogradPlan| n * out_hw[0].div_ceil(plan.m) * out_hw[1].div_ceil(plan.m);
        std::iter::once(&self.main)
            .chain(self.small.as_ref())
            .find(|w| tiles(&w.plan) >= MIN_TILES)
    }

    /// Whether these were computed from exactly `weight`, bit for bit (so they can be reused).
    /// Checked on every batch-1 inference, so written to vectorise: no early exit inside a
    /// block (the float `==` of two slices took ~10 % of such an inference).
    pub fn matches(&self, weight: &Tensor) -> bool {
        const BLOCK: usize = 256;
        let (a, b) = (self.source.data(), weight.data());
        self.source.shape() == weight.shape()
            && a.chunks(BLOCK).zip(b.chunks(BLOCK)).all(|(x, y)| {
                x.iter()
                    .zip(y)
                    .fold(0u32, |diff, (p, q)| diff | (p.to_bits() ^ q.to_bits()))
                    == 0
            })
    }
}

thread_local! {
    /// Per-thread `V` and row buffers, grown on first use and reused.
    static SCRATCH_V: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// Per-thread `M` buffer (separate: a batch-1 call fills `V` on the calling thread and
    /// then runs output-channel groups, possibly on that same thread).
    static SCRATCH_M: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's buffer from `key`, of at least `len` floats (contents stale).
fn with_buf<R>(
    key: &'static std::thread::LocalKey<RefCell<Vec<f32>>>,
    len: usize,
    f: impl FnOnce(&mut [f32]) -> R,
) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < len {
                buf.resize(len, 0.0);
            }
            f(&mut buf[..len])
        }
        Err(_) => f(&mut vec![0.0f32; len]),
    })
}

/// Fewest tiles in a batch for which a Winograd plan is used: below it the `α²` GEMMs are too
/// narrow to pay for themselves (the CIFAR-10 model's third convolution on one image, 4 tiles
/// of `F(4×4, 5×5)`, measured slower than im2col). `conv2d_winograd` then tries `F(2×2, r×r)`
/// (that convolution: 16 tiles), and runs `conv2d_forward` when that has too few tiles too.
const MIN_TILES: usize = 16;

/// `y = conv2d(x, weight, bias, stride 1, padding)` by Winograd, `weights` from
/// [`WinogradWeights::new`].
///
/// * `x`: `[N, C, H, W]` (or `[C, H, W]`)
/// * `bias`: `[O]`, optional
///
/// Returns `[N, O, Ho, Wo]` (`[O, Ho, Wo]` unbatched). Chunks of samples run in parallel; a
/// single image is split over output channels instead. Batches with fewer than `MIN_TILES`
/// tiles use `F(2×2, r×r)`, or the im2col path when that has too few as well.
///
/// # Errors
/// The same shape errors, with the same texts, as [`conv2d_forward`](super::conv2d_forward).
pub fn conv2d_winograd(
    x: &Tensor,
    weights: &WinogradWeights,
    bias: Option<&Tensor>,
    padding: [usize; 2],
) -> Result<Tensor> {
    let p = Conv2dParams {
        stride: [1, 1],
        padding,
    };
    let g = geometry(
        x.shape(),
        weights.source.shape(),
        bias.map(|b| b.shape()),
        p,
    )?;
    let Some(u) = weights.plan_for(g.n, [g.ho, g.wo]) else {
        return super::conv2d_forward(x, &weights.source, bias, p);
    };
    let plan = &u.plan;
    let tiles_per_sample = g.ho.div_ceil(plan.m) * g.wo.div_ceil(plan.m);
    let samples_per_chunk = (TILES_PER_CHUNK / tiles_per_sample.max(1)).max(1);
    let hw = g.ho * g.wo;
    let plane_out = g.o * hw;
    let mut y = crate::tensor::pool::zeroed(g.n * plane_out);
    let xs = x.data();
    let chw = g.c * g.h * g.w;
    let bias = bias.map(|b| b.data());
    let threads = crate::parallel::current_num_threads();
    if g.n == 1 && threads > 1 && g.o >= 2 * MIN_GROUP {
        // One image: transform it once, then groups of output channels in parallel.
        let chunk = Chunk {
            g: &g,
            plan,
            tiles: tiles_per_sample,
        };
        let step = u.row_step();
        let group = g.o.div_ceil(threads).max(MIN_GROUP).div_ceil(step) * step;
        chunk.with_input_transformed(xs, |v| {
            for_each_chunk_mut(&mut y, group * hw, |gi, ygroup| {
                let og = ygroup.len() / hw;
                chunk.gemms_and_output(u, v, bias, ygroup, gi * group, og);
            });
        });
        return Tensor::from_vec(&g.y_shape(), y);
    }
    for_each_chunk_mut(&mut y, samples_per_chunk * plane_out, |ci, ychunk| {
        let n0 = ci * samples_per_chunk;
        let ns = ychunk.len() / plane_out.max(1);
        let chunk = Chunk {
            g: &g,
            plan,
            tiles: ns * tiles_per_sample,
        };
        chunk.with_input_transformed(&xs[n0 * chw..(n0 + ns) * chw], |v| {
            chunk.gemms_and_output(u, v, bias, ychunk, 0, g.o);
        });
    });
    Tensor::from_vec(&g.y_shape(), y)
}

/// Smallest output-channel group of the batch-1 split.
const MIN_GROUP: usize = 8;

/// One chunk of consecutive samples, `tiles` tiles in all.
struct Chunk<'a> {
    g: &'a Geom,
    plan: &'a WinogradPlan,
    tiles: usize,
}

impl Chunk<'_> {
    /// Floats of `V` `[α², C, T]` (positions padded apart).
    fn v_len(&self) -> usize {
        self.plan.alpha * self.plan.alpha * v_stride(self.g.c, self.tiles)
    }

    /// Floats of `M` `[α², og, T]` for `og` output channels (positions padded apart).
    fn m_len(&self, og: usize) -> usize {
        self.plan.alpha * self.plan.alpha * m_stride(og, self.tiles)
    }

    /// Floats of the input transform's scratch: a band of `α` padded input rows, then `D` and
    /// its column transform, `[α, α, T]` each.
    fn input_scratch_len(&self) -> usize {
        let wp = self.g.wo.div_ceil(self.plan.m) * self.plan.m + self.plan.r - 1;
        MAX_ALPHA * wp + 2 * self.plan.alpha * self.plan.alpha * self.tiles
    }

    /// Floats of the output transform's scratch: `[α, m, T]` then `[m, m, T]`.
    fn output_scratch_len(&self) -> usize {
        let (m, alpha) = (self.plan.m, self.plan.alpha);
        (alpha + m) * m * self.tiles
    }

    /// Runs `f` with `V` of the samples `x` `[ns, C, H, W]` (see `input_transform`), in this
    /// thread's buffer.
    fn with_input_transformed<R>(&self, x: &[f32], f: impl FnOnce(&[f32]) -> R) -> R {
        with_buf(&SCRATCH_V, self.v_len() + self.input_scratch_len(), |buf| {
            let (v, scratch) = buf.split_at_mut(self.v_len());
            self.input_transform(x, v, scratch);
            f(v)
        })
    }

    /// For output channels `o0..o0 + og`: `M_pos = U_pos[o0.., :] · V_pos` for every position,
    /// then the output transform into `y` `[ns, og, Ho, Wo]` (`og = O` unless one sample).
    /// `M` and the output transform's scratch live in this thread's buffer.
    fn gemms_and_output(
        &self,
        u: &PlanWeights,
        v: &[f32],
        bias: Option<&[f32]>,
        y: &mut [f32],
        o0: usize,
        og: usize,
    ) {
        let (g, t) = (self.g, self.tiles);
        let a2 = self.plan.alpha * self.plan.alpha;
        with_buf(
            &SCRATCH_M,
            self.m_len(og) + self.output_scratch_len(),
            |buf| {
                let (mbuf, scratch) = buf.split_at_mut(self.m_len(og));
                for pos in 0..a2 {
                    u.gemm(
                        pos,
                        o0,
                        og,
                        MatRef::row_major(&v[pos * v_stride(g.c, t)..][..g.c * t], g.c, t),
                        &mut mbuf[pos * m_stride(og, t)..][..og * t],
                    );
                }
                self.output_transform(mbuf, bias.map(|b| &b[o0..o0 + og]), og, y, scratch);
            },
        );
    }

    /// `V[pos, c, t] = (Bᵀ · d · B)[ξ, η]` (`pos = η·α + ξ`) for every input tile `d` of every
    /// channel, with the chunk's `T` tiles in lanes: per channel, the tiles are gathered into
    /// `D[i][j][t]` (through a zero-padded band of `α` input rows), then `Bᵀ` is applied down
    /// the columns (`[α, α·T]` rows) and along the rows (`[α, T]` rows, written straight into
    /// each position's contiguous `[C, T]` GEMM operand; positions padded apart, see
    /// `v_stride`).
    fn input_transform(&self, x: &[f32], v: &mut [f32], scratch: &mut [f32]) {
        let (g, plan, t_all) = (self.g, self.plan, self.tiles);
        let (m, alpha) = (plan.m, plan.alpha);
        let (th, tw) = (g.ho.div_ceil(m), g.wo.div_ceil(m));
        let wp = tw * m + plan.r - 1;
        let (ph, pw) = (g.p.padding[0], g.p.padding[1]);
        let a2 = alpha * alpha;
        let (band, rest) = scratch.split_at_mut(MAX_ALPHA * wp);
        let (d, rest) = rest.split_at_mut(a2 * t_all);
        let cols = &mut rest[..a2 * t_all];
        let vs = v_stride(g.c, t_all);
        let ns = x.len() / (g.c * g.h * g.w).max(1);
        for c in 0..g.c {
            for s in 0..ns {
                let plane = &x[(s * g.c + c) * g.h * g.w..][..g.h * g.w];
                for ty in 0..th {
                    // band[i][xp] = x[ty·m + i − ph, xp − pw] (0 outside)
                    for i in 0..alpha {
                        let row = &mut band[i * wp..(i + 1) * wp];
                        let ih = (ty * m + i).wrapping_sub(ph);
                        if ih >= g.h {
                            row.fill(0.0);
                            continue;
                        }
                        let src = &plane[ih * g.w..(ih + 1) * g.w];
                        let lo = pw.min(wp);
                        let hi = (pw + g.w).min(wp);
                        row[..lo].fill(0.0);
                        row[lo..hi].copy_from_slice(&src[..hi - lo]);
                        row[hi..].fill(0.0);
                    }
                    // D[i][j][t0 + tx] = band[i][tx·m + j] for this band's tiles
                    let t0 = (s * th + ty) * tw;
                    for (i, brow) in band.chunks_exact(wp).take(alpha).enumerate() {
                        let di = &mut d[i * alpha * t_all + t0..];
                        for (tx, win) in brow.windows(alpha).step_by(m).take(tw).enumerate() {
                            for (j, &val) in win.iter().enumerate() {
                                di[j * t_all + tx] = val;
                            }
                        }
                    }
                }
            }
            // cols[ξ][j][t] = Σ_i Bᵀ[ξ][i] · D[i][j][t]
            plan.bt
                .apply(d, alpha * t_all, cols, alpha * t_all, alpha * t_all);
            // V[η·α + ξ][c][t] = Σ_j Bᵀ[η][j] · cols[ξ][j][t]
            for xi in 0..alpha {
                plan.bt.apply(
                    &mut cols[xi * alpha * t_all..],
                    t_all,
                    &mut v[xi * vs + c * t_all..],
                    alpha * vs,
                    t_all,
                );
            }
        }
    }

    /// `y[s, o, tile] = (Aᵀ · M · A) + bias[o]` for `og` output channels (`M` `[α², og, T]`,
    /// overwritten; `y` `[ns, og, Ho, Wo]`), with the `T` tiles in lanes: `Aᵀ` over `η` into
    /// `[α, m, T]`, over `ξ` into `[m, m, T]`, then each tile is written out.
    fn output_transform(
        &self,
        mbuf: &mut [f32],
        bias: Option<&[f32]>,
        og: usize,
        y: &mut [f32],
        scratch: &mut [f32],
    ) {
        let (g, plan, t_all) = (self.g, self.plan, self.tiles);
        let (m, alpha) = (plan.m, plan.alpha);
        let (th, tw) = (g.ho.div_ceil(m), g.wo.div_ceil(m));
        let hw = g.ho * g.wo;
        let ms = m_stride(og, t_all);
        let (tmp, rest) = scratch.split_at_mut(alpha * m * t_all);
        let out = &mut rest[..m * m * t_all];
        for o in 0..og {
            let b = bias.map_or(0.0, |b| b[o]);
            // tmp[ξ][j][t] = Σ_η Aᵀ[j][η] · M[η·α + ξ][o][t]
            for xi in 0..alpha {
                plan.at_prog.apply(
                    &mut mbuf[xi * ms + o * t_all..],
                    alpha * ms,
                    &mut tmp[xi * m * t_all..],
                    t_all,
                    t_all,
                );
            }
            // out[i][j][t] = Σ_ξ Aᵀ[i][ξ] · tmp[ξ][j][t]
            plan.at_prog
                .apply(tmp, m * t_all, out, m * t_all, m * t_all);
            // y row ty·m + i of sample s = row i of the tile row's tiles, interleaved:
            // y[.., tx·m + j] = out[i][j][t0 + tx]
            let ns = t_all / (th * tw);
            for s in 0..ns {
                let plane = &mut y[(s * og + o) * hw..][..hw];
                for ty in 0..th {
                    let t0 = (s * th + ty) * tw;
                    for i in 0..m.min(g.ho - ty * m) {
                        let yrow = &mut plane[(ty * m + i) * g.wo..][..g.wo];
                        let src = |j: usize| &out[(i * m + j) * t_all + t0..][..tw];
                        if m == 4 && g.wo == 4 * tw {
                            let (r0, r1, r2, r3) = (src(0), src(1), src(2), src(3));
                            for (tx, dst) in yrow.chunks_exact_mut(4).enumerate() {
                                dst.copy_from_slice(&[
                                    r0[tx] + b,
                                    r1[tx] + b,
                                    r2[tx] + b,
                                    r3[tx] + b,
                                ]);
                            }
                        } else {
                            for j in 0..m {
                                let dst = yrow.iter_mut().skip(j).step_by(m);
                                for (d, &v) in dst.zip(src(j)) {
                                    *d = v + b;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::conv2d::conv2d_forward;

    fn pseudo(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2654435761).wrapping_add(12345);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s as f32 / u32::MAX as f32) * 2.0 - 1.0
            })
            .collect()
    }

    fn check(x_shape: &[usize], w_shape: [usize; 4], padding: usize, with_bias: bool) {
        let x = Tensor::from_vec(x_shape, pseudo(x_shape.iter().product(), 1)).unwrap();
        let w = Tensor::from_vec(&w_shape, pseudo(w_shape.iter().product(), 2)).unwrap();
        let b = Tensor::from_vec(&[w_shape[0]], pseudo(w_shape[0], 3)).unwrap();
        let bias = with_bias.then_some(&b);
        let p = Conv2dParams {
            stride: [1, 1],
            padding: [padding; 2],
        };
        let want = conv2d_forward(&x, &w, bias, p).unwrap();
        let plan = WinogradPlan::new(tile_for_kernel(w_shape[2]).unwrap(), w_shape[2]).unwrap();
        let ww = WinogradWeights::new(plan, &w).unwrap();
        let got = conv2d_winograd(&x, &ww, bias, [padding; 2]).unwrap();
        assert_eq!(got.shape(), want.shape());
        let scale = want.data().iter().fold(0.0f32, |a, v| a.max(v.abs()));
        let err = got
            .data()
            .iter()
            .zip(want.data())
            .fold(0.0f32, |a, (g, w)| a.max((g - w).abs()));
        assert!(
            err <= 2e-5 * scale.max(1.0),
            "{x_shape:?} {w_shape:?} pad {padding}: max error {err} (scale {scale})"
        );
    }

    #[test]
    fn matches_im2col_on_the_cifar10_layers() {
        check(&[2, 3, 32, 32], [32, 3, 5, 5], 2, true);
        check(&[3, 32, 16, 16], [32, 32, 5, 5], 2, true);
        check(&[5, 32, 8, 8], [64, 32, 5, 5], 2, false);
    }

    #[test]
    fn matches_im2col_on_ragged_sizes_and_other_kernels() {
        check(&[1, 2, 7, 9], [3, 2, 5, 5], 0, true);
        check(&[2, 1, 11, 6], [4, 1, 3, 3], 1, true);
        check(&[2, 3, 13, 10], [2, 3, 3, 3], 0, false);
        check(&[3, 9, 9], [5, 3, 7, 7], 3, true);
        check(&[1, 4, 5, 5], [2, 4, 2, 2], 1, true);
        check(&[1, 2, 5, 5], [2, 2, 5, 5], 0, true);
        // more samples than one chunk, and a last chunk that is partial
        check(&[37, 2, 6, 6], [3, 2, 5, 5], 2, true);
        // one image: output-channel groups (in parallel on a pool), an uneven last group
        check(&[1, 8, 16, 16], [40, 8, 5, 5], 2, true);
        check(&[8, 16, 16], [17, 8, 5, 5], 2, false);
        // fewer than MIN_TILES tiles of F(4×4): F(2×2) (the CIFAR-10 model's third
        // convolution on one image), then the im2col path (4 tiles of F(2×2))
        check(&[1, 32, 8, 8], [64, 32, 5, 5], 2, true);
        check(&[2, 8, 8, 8], [16, 8, 5, 5], 2, false);
        check(&[1, 8, 4, 4], [16, 8, 5, 5], 2, true);
    }

    #[test]
    fn small_batches_take_the_2x2_tiles_then_im2col() {
        let w = Tensor::zeros(&[64, 32, 5, 5]).unwrap();
        let ww = WinogradWeights::new(WinogradPlan::new(4, 5).unwrap(), &w).unwrap();
        let tile = |n, hw| ww.plan_for(n, [hw, hw]).map(|w| (w.plan.tile(), w.u_len()));
        assert_eq!(tile(64, 8), Some((4, 64 * 64 * 32)));
        assert_eq!(tile(1, 16), Some((4, 64 * 64 * 32)));
        assert_eq!(tile(1, 8), Some((2, 36 * 64 * 32)));
        assert_eq!(tile(1, 4), None);
    }

    #[test]
    fn shape_errors_are_pytorchs() {
        let w = Tensor::zeros(&[32, 3, 5, 5]).unwrap();
        let plan = WinogradPlan::new(4, 5).unwrap();
        let ww = WinogradWeights::new(plan, &w).unwrap();
        let x = Tensor::zeros(&[64, 1, 32, 32]).unwrap();
        let err = conv2d_winograd(&x, &ww, None, [2, 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Given groups=1, weight of size [32, 3, 5, 5], expected input[64, 1, 32, 32] to have 3 channels, but got 1 channels instead"
        );
    }

    #[test]
    fn plans_apply_only_to_stride_one_square_kernels() {
        let p = |s| Conv2dParams {
            stride: [s, s],
            padding: [0, 0],
        };
        assert!(WinogradPlan::for_conv([5, 5], p(1), 32).is_some());
        assert!(WinogradPlan::for_conv([5, 5], p(1), 3).is_none());
        assert!(WinogradPlan::for_conv([5, 5], p(2), 32).is_none());
        assert!(WinogradPlan::for_conv([5, 3], p(1), 32).is_none());
        assert!(WinogradPlan::for_conv([1, 1], p(1), 32).is_none());
        assert_eq!(WinogradPlan::for_conv([5, 5], p(1), 32).unwrap().tile(), 4);
    }
}
