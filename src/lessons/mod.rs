//! The computations behind the lessons' interactive figures (Linear shapes, reshape versus
//! flatten, the spatial transformer). Everything a figure shows is computed here, with the same
//! ops the notebook runs; the wasm boundary (`crate::wasm::figures`) only converts types.
//!
//! - [`shapes`]: what `reshape`/`view`/`flatten`/`nn.Flatten` do to a shape, with the inferred
//!   `-1` and each element's index in both shapes;
//! - [`affine`]: `theta` from translation/scale/rotation/shear, one `affine_grid` +
//!   `grid_sample` transform, and `dL/dtheta` through both ops;
//! - [`digits`]: the MNIST classifier and the spatial-transformer network of PyTorch's STN
//!   tutorial, with a training step on randomly distorted digits;
//! - [`explain`]: a figure's own words for a shape op that fails, beside PyTorch's error;
//! - [`pretrained`]: the digit CNN that `nnbook data` trains for the STN lesson.

pub mod affine;
pub mod digits;
pub mod explain;
pub mod inspect;
pub mod pretrained;
pub mod shapes;
pub mod tiles;
