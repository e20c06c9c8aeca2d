//! # nnbook
//!
//! The core of a deep-learning notebook that runs in the browser: tensors, ops, layers,
//! losses and optimizers with PyTorch's names, shapes, numbers and error messages, compiled
//! to WebAssembly (SIMD128; a rayon pool in the threaded package).
//!
//! Layout: [`tensor`] (storage and shape semantics), [`ops`] (forward/backward pairs),
//! [`nn`] (modules), [`optim`], [`data`], [`kernels`] (the only `unsafe`), [`parallel`] (the one
//! parallelism shim), `wasm` (the only `#[wasm_bindgen]` boundary, wasm32 only).
//!
//! # Example: the CIFAR-10 model of the lessons
//!
//! ```
//! use nnbook::nn::{models::cifar10_model, Module};
//! use nnbook::{rng, Tensor};
//!
//! rng::manual_seed(0); // the same weights as torch.manual_seed(0) in PyTorch
//! let mut net = cifar10_model(false);
//! println!("{net}"); // exactly what print(net) shows in PyTorch
//! assert!(net.to_string().starts_with("Sequential(\n  (0): Conv2d(3, 32, kernel_size=(5, 5)"));
//! assert_eq!(net.num_parameters(), 145_578);
//!
//! let imgs = Tensor::zeros(&[64, 3, 32, 32])?; // a batch: [N, C, H, W]
//! let logits = net.forward(&imgs)?;
//! assert_eq!(logits.shape(), &[64, 10]);
//!
//! // The famous mistake: flattening the whole batch gives one 196608-long vector.
//! assert_eq!(imgs.flatten(0, -1)?.shape(), &[196608]);
//! assert_eq!(imgs.flatten(1, -1)?.shape(), &[64, 3072]); // what nn.Flatten() does
//! let err = imgs.reshape(&[7, -1]).unwrap_err();
//! assert_eq!(
//!     err.to_python_string(),
//!     "RuntimeError: shape '[7, -1]' is invalid for input of size 196608"
//! );
//! # Ok::<(), nnbook::Error>(())
//! ```

#[cfg(not(target_arch = "wasm32"))]
pub mod bench_cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod compat;
pub mod data;
pub mod error;
pub mod golden;
pub mod kernels;
pub mod lessons;
pub mod nn;
pub mod notebook;
pub mod ops;
pub mod optim;
pub mod parallel;
pub mod rng;
pub mod tensor;
pub mod train;
#[cfg(not(target_arch = "wasm32"))]
pub mod train_cli;
pub mod training;

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
