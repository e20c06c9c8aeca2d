//! Block sizes of the packed GEMM, for every micro-kernel, in one place.
//!
//! The driver (`gemm.rs`) walks C in `NC`-column blocks, then the shared dimension in
//! `KC`-deep slices, then `MC`-row blocks; each block is cut into `MR × NR` tiles that one
//! micro-kernel call computes with its accumulators held in registers.
//!
//! - `MR × NR`: the register tile (accumulators plus one A broadcast and the B vectors must fit
//!   in the register file).
//! - `KC`: depth of one packed slice; an `MR × KC` A panel and a `KC × NR` B panel stay in L1.
//! - `MC`: rows of A packed at once (`MC × KC` floats stay in L2); a multiple of `MR`.
//! - `NC`: columns of B packed at once (`KC × NC` floats, shared by all `MC` blocks); a multiple
//!   of `NR`.

/// Scalar twin: plain Rust loops over a small tile.
pub mod scalar {
    pub const MR: usize = 4;
    pub const NR: usize = 4;
    pub const MC: usize = 64;
    pub const KC: usize = 256;
    pub const NC: usize = 1024;
}

/// x86-64 AVX2 + FMA: 6 rows × 2 `__m256` = 12 accumulators of the 16 `ymm` registers.
pub mod avx2 {
    pub const MR: usize = 6;
    pub const NR: usize = 16;
    pub const MC: usize = 96;
    pub const KC: usize = 256;
    pub const NC: usize = 2048;
}

/// wasm SIMD128: `MR` rows × 2 `v128` accumulators. V8 maps v128 onto 16 `xmm` registers
/// (one kept as scratch) and, without FMA, each multiply needs a temporary.
pub mod simd128 {
    pub const MR: usize = 4;
    pub const NR: usize = 8;
    pub const MC: usize = 64;
    pub const KC: usize = 256;
    pub const NC: usize = 1024;
}

/// Below this many multiply-adds (`m·k·n`) `sgemm` stays on the calling thread.
pub const PARALLEL_MIN_MULADDS: usize = 64 * 64 * 64;
