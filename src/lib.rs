//! # nnbook
//!
//! The core of a deep-learning notebook that runs in the browser: tensors, ops, layers,
//! losses and optimizers with PyTorch's names, shapes, numbers and error messages, compiled
//! to WebAssembly (SIMD128; a rayon pool in the threaded package).
//!
//! Layout: [`tensor`] (storage and shape semantics), [`ops`] (forward/backward pairs),
//! [`nn`] (modules), [`optim`], [`data`], [`kernels`] (the only `unsafe`), [`parallel`] (the one
//! parallelism shim), `wasm` (the only `#[wasm_bindgen]` boundary, wasm32 only).

pub mod data;
pub mod error;
pub mod golden;
pub mod kernels;
pub mod nn;
pub mod notebook;
pub mod ops;
pub mod optim;
pub mod parallel;
pub mod rng;
pub mod tensor;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, PyKind, Result};
pub use tensor::Tensor;

/// What this build can do: reported by the capability panel.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BuildInfo {
    /// Crate version.
    pub version: &'static str,
    /// `true` when compiled with wasm SIMD128.
    pub simd128: bool,
    /// `true` for builds with a thread pool (native, `pkg-parallel`).
    pub parallel_build: bool,
    /// Threads the pool runs (1 in `pkg`).
    pub threads: usize,
    /// The GEMM kernel in use.
    pub gemm_kernel: &'static str,
}

/// Describes this build.
pub fn build_info() -> BuildInfo {
    BuildInfo {
        version: env!("CARGO_PKG_VERSION"),
        simd128: kernels::SIMD128,
        parallel_build: parallel::IS_PARALLEL_BUILD,
        threads: parallel::current_num_threads(),
        gemm_kernel: kernels::gemm_kernel_name(),
    }
}
