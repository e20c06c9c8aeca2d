//! The packed GEMM driver shared by every micro-kernel (matrixmultiply's loop nest).
//!
//! `C (m×n) = [C +] A (m×k) · B (k×n)` is computed as
//! ```text
//! for jc in 0..n step NC            B block  KC×NC  packed into NR-wide column panels
//!   for pc in 0..k step KC
//!     pack B[pc.., jc..]
//!     for ic in 0..m step MC        A block  MC×KC  packed into MR-high row panels
//!       pack A[ic.., pc..]
//!       for jr in 0..NC step NR
//!         for ir in 0..MC step MR   one micro-kernel call: an MR×NR tile of C
//! ```
//! Packed panels are zero-padded to whole tiles, so micro-kernels never see edges; partial tiles
//! of C go through a small stack tile. Each element of C is summed in the same order (`p`
//! ascending inside each `KC` slice, slices added to C in order) whatever the tile position or
//! the thread split, so results never depend on the number of threads.

use super::MatRef;
use std::cell::RefCell;

/// A register-blocked micro-kernel and its block sizes (from `params.rs`).
pub(crate) trait MicroKernel {
    const MR: usize;
    const NR: usize;
    const MC: usize;
    const KC: usize;
    const NC: usize;

    /// `tile = (load_c ? tile : 0) + Σ_p a[p] ⊗ b[p]` for `p` in `0..kc`, where `a` is a packed
    /// panel (`kc` groups of `MR` floats), `b` one of `kc` groups of `NR` floats and `tile` the
    /// `MR × NR` block at `c` with row stride `ldc`. Per element: `acc = 0; acc += a·b` for each
    /// `p` in order, then `c = c + acc` (or `c = acc`).
    ///
    /// # Safety
    /// `a` and `b` are readable for `kc·MR` and `kc·NR` floats, the tile at `c` is readable and
    /// writable, and the CPU supports the kernel's instructions.
    unsafe fn tile(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, load_c: bool);
}

/// Largest `MR × NR` of any kernel (size of the stack tile used for partial tiles).
const MAX_TILE: usize = 128;

/// Per-thread packing buffers, grown on first use and then reused: no allocation per call.
#[derive(Default)]
struct PackBuffers {
    a: Vec<f32>,
    b: Vec<f32>,
}

thread_local! {
    static BUFFERS: RefCell<PackBuffers> = RefCell::new(PackBuffers::default());
}

/// A 64-byte aligned window of `len` floats inside `v` (grows `v` when needed).
fn aligned(v: &mut Vec<f32>, len: usize) -> &mut [f32] {
    const PAD: usize = 16;
    if v.len() < len + PAD {
        v.resize(len + PAD, 0.0);
    }
    let off = v.as_ptr().align_offset(64).min(PAD);
    &mut v[off..off + len]
}

fn round_up(x: usize, to: usize) -> usize {
    x.div_ceil(to) * to
}

/// Where the driver gets `A`'s `MR`-high panels from.
#[derive(Clone, Copy)]
pub(crate) enum APanels<'a> {
    /// Packed block by block from this view.
    Pack(MatRef<'a>),
    /// Already packed whole by [`pack_all_a`] (`k ≤ KC`, so one block deep), starting at a
    /// panel: rows, columns.
    Packed(&'a [f32], usize, usize),
}

impl<'a> From<MatRef<'a>> for APanels<'a> {
    fn from(a: MatRef<'a>) -> Self {
        APanels::Pack(a)
    }
}

impl APanels<'_> {
    fn shape(&self) -> (usize, usize) {
        match *self {
            APanels::Pack(a) => (a.rows, a.cols),
            APanels::Packed(_, m, k) => (m, k),
        }
    }
}

/// `C = [C +] A·B` with kernel `K` on the calling thread. `C` is `a.rows × b.cols` at `c` with
/// row stride `ldc` (column stride 1). A pre-packed `A` runs the same tiles in the same order
/// as packing it here, so the results are bit-identical.
///
/// # Safety
/// `a` and `b` are in bounds (`MatRef::assert_in_bounds`; a packed `A` holds
/// `round_up(m, MR) · k` floats and `k ≤ KC`), `a`'s columns equal `b.rows`, the `C` block is
/// writable and not aliased by `a`/`b`, and the CPU supports `K`.
pub(crate) unsafe fn gemm<K: MicroKernel>(
    a: APanels,
    b: MatRef,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
) {
    let ((m, k), n) = (a.shape(), b.cols);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            for i in 0..m {
                std::ptr::write_bytes(c.add(i * ldc), 0, n);
            }
        }
        return;
    }
    debug_assert!(match a {
        APanels::Packed(p, ..) => k <= K::KC && p.len() >= round_up(m, K::MR) * k,
        APanels::Pack(_) => true,
    });
    let run = |bufs: &mut PackBuffers| {
        let b_pack = aligned(&mut bufs.b, K::KC * round_up(n.min(K::NC), K::NR));
        let a_pack = aligned(&mut bufs.a, round_up(m.min(K::MC), K::MR) * K::KC);
        for jc in (0..n).step_by(K::NC) {
            let nc = K::NC.min(n - jc);
            for pc in (0..k).step_by(K::KC) {
                let kc = K::KC.min(k - pc);
                pack_b::<K>(b, pc, kc, jc, nc, b_pack);
                let load_c = accumulate || pc > 0;
                for ic in (0..m).step_by(K::MC) {
                    let mc = K::MC.min(m - ic);
                    let panels: &[f32] = match a {
                        APanels::Pack(view) => {
                            pack_a::<K>(view, ic, mc, pc, kc, a_pack);
                            a_pack
                        }
                        APanels::Packed(p, ..) => &p[ic * k..],
                    };
                    // SAFETY: the block (ic.., jc..) of size mc×nc lies inside C.
                    macro_kernel::<K>(
                        mc,
                        nc,
                        kc,
                        panels,
                        b_pack,
                        c.add(ic * ldc + jc),
                        ldc,
                        load_c,
                    );
                }
            }
        }
    };
    BUFFERS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut bufs) => run(&mut bufs),
        // Re-entered on this thread (not done today): use fresh buffers rather than fail.
        Err(_) => run(&mut PackBuffers::default()),
    });
}

/// The whole of `A` (`m × k`, `k ≤ KC`) packed as by `pack_a`, for [`APanels::Packed`].
pub(crate) fn pack_all_a<K: MicroKernel>(a: MatRef) -> Vec<f32> {
    debug_assert!(a.cols <= K::KC);
    let mut out = vec![0.0; round_up(a.rows, K::MR) * a.cols];
    pack_a::<K>(a, 0, a.rows, 0, a.cols, &mut out);
    out
}

/// All `MR × NR` tiles of one `mc × nc` block of C.
#[allow(clippy::too_many_arguments)]
unsafe fn macro_kernel<K: MicroKernel>(
    mc: usize,
    nc: usize,
    kc: usize,
    a_pack: &[f32],
    b_pack: &[f32],
    c: *mut f32,
    ldc: usize,
    load_c: bool,
) {
    debug_assert!(K::MR * K::NR <= MAX_TILE);
    for jr in (0..nc).step_by(K::NR) {
        let nr = K::NR.min(nc - jr);
        let bp = b_pack[jr * kc..][..kc * K::NR].as_ptr();
        for ir in (0..mc).step_by(K::MR) {
            let mr = K::MR.min(mc - ir);
            let ap = a_pack[ir * kc..][..kc * K::MR].as_ptr();
            let ct = c.add(ir * ldc + jr);
            if mr == K::MR && nr == K::NR {
                K::tile(kc, ap, bp, ct, ldc, load_c);
            } else {
                let mut tmp = [0.0f32; MAX_TILE];
                if load_c {
                    for i in 0..mr {
                        for j in 0..nr {
                            tmp[i * K::NR + j] = *ct.add(i * ldc + j);
                        }
                    }
                }
                K::tile(kc, ap, bp, tmp.as_mut_ptr(), K::NR, load_c);
                for i in 0..mr {
                    for j in 0..nr {
                        *ct.add(i * ldc + j) = tmp[i * K::NR + j];
                    }
                }
            }
        }
    }
}

/// Packs `B[pc..pc+kc, jc..jc+nc]` as `NR`-wide panels: panel `q` holds columns
/// `jc + q·NR ..`, element `(p, j)` at `q·NR·kc + p·NR + j`, zero-padded to `NR` columns.
fn pack_b<K: MicroKernel>(b: MatRef, pc: usize, kc: usize, jc: usize, nc: usize, out: &mut [f32]) {
    let nr_ = K::NR;
    for (q, panel) in out[..round_up(nc, nr_) * kc]
        .chunks_exact_mut(nr_ * kc)
        .enumerate()
    {
        let j0 = jc + q * nr_;
        let w = nr_.min(jc + nc - j0);
        if b.rs == 1 && b.cs != 1 {
            // Column-major B (e.g. a transposed view): each column reads kc contiguous floats.
            for j in 0..w {
                let col = &b.data[(j0 + j) * b.cs + pc..][..kc];
                for (dst, &x) in panel.chunks_exact_mut(nr_).zip(col) {
                    dst[j] = x;
                }
            }
            if w < nr_ {
                for dst in panel.chunks_exact_mut(nr_) {
                    dst[w..].iter_mut().for_each(|d| *d = 0.0);
                }
            }
            continue;
        }
        for (p, dst) in panel.chunks_exact_mut(nr_).enumerate() {
            let row = (pc + p) * b.rs;
            if b.cs == 1 && w == nr_ {
                // Whole panel row: a fixed-size copy the compiler inlines (no memcpy call).
                dst.copy_from_slice(&b.data[row + j0..][..K::NR]);
            } else if b.cs == 1 {
                dst[..w].copy_from_slice(&b.data[row + j0..][..w]);
            } else {
                for (j, d) in dst[..w].iter_mut().enumerate() {
                    *d = b.data[row + (j0 + j) * b.cs];
                }
            }
            dst[w..].iter_mut().for_each(|d| *d = 0.0);
        }
    }
}

/// Packs `A[ic..ic+mc, pc..pc+kc]` as `MR`-high panels: panel `q` holds rows `ic + q·MR ..`,
/// element `(i, p)` at `q·MR·kc + p·MR + i`, zero-padded to `MR` rows.
fn pack_a<K: MicroKernel>(a: MatRef, ic: usize, mc: usize, pc: usize, kc: usize, out: &mut [f32]) {
    let mr_ = K::MR;
    for (q, panel) in out[..round_up(mc, mr_) * kc]
        .chunks_exact_mut(mr_ * kc)
        .enumerate()
    {
        let i0 = ic + q * mr_;
        let h = mr_.min(ic + mc - i0);
        if a.rs == 1 {
            // Column-major A (e.g. a transposed view): each p reads h contiguous floats.
            for (p, dst) in panel.chunks_exact_mut(mr_).enumerate() {
                dst[..h].copy_from_slice(&a.data[i0 + (pc + p) * a.cs..][..h]);
                dst[h..].iter_mut().for_each(|d| *d = 0.0);
            }
        } else {
            for i in 0..mr_ {
                if i < h {
                    let base = (i0 + i) * a.rs + pc * a.cs;
                    if a.cs == 1 {
                        let row = &a.data[base..][..kc];
                        for (dst, &x) in panel.chunks_exact_mut(mr_).zip(row) {
                            dst[i] = x;
                        }
                    } else {
                        for (p, dst) in panel.chunks_exact_mut(mr_).enumerate() {
                            dst[i] = a.data[base + p * a.cs];
                        }
                    }
                } else {
                    panel.chunks_exact_mut(mr_).for_each(|dst| dst[i] = 0.0);
                }
            }
        }
    }
}
