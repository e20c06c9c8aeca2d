//! Optimizers with PyTorch's update formulas: `SGD` and `Adam`.

pub mod adam;
mod common;
pub mod pyfmt;
pub mod sgd;

pub use adam::{Adam, AdamConfig, AdamState};
pub use sgd::{Sgd, SgdConfig};
