//! Layers with PyTorch's names, parameters, state_dict names and `print(net)` text.
//!
//! Autograd is module-level: [`Module::forward`] caches what its backward needs (in training
//! and in eval mode alike), [`Module::backward`] takes `dL/dy` and returns `dL/dx`, adding the
//! parameter gradients into each [`Param::grad`]. It is exact and simple: a `Sequential` runs
//! its children's backwards in reverse order.

pub mod activation;
pub mod batch_norm;
pub mod conv2d;
pub mod dropout;
pub mod flatten;
pub mod init;
pub mod linear;
pub mod max_pool2d;
pub mod models;
pub mod module;
pub mod safetensors;
pub mod sequential;
pub mod spec;
pub mod state_dict;
pub mod stn;

pub use activation::ReLU;
pub use batch_norm::BatchNorm2d;
pub use conv2d::{Conv2d, Conv2dConfig};
pub use dropout::Dropout;
pub use flatten::Flatten;
pub use linear::Linear;
pub use max_pool2d::{MaxPool2d, Size2};
pub use module::{Module, Param};
pub use sequential::{LayerShape, Sequential};
pub use state_dict::{load_state_dict, state_dict};
