//! Layers with PyTorch's names, parameters, state_dict names and `print(net)` text.
//!
//! Autograd is module-level: [`Module::forward`] caches what its backward needs (in training
//! and in eval mode alike), [`Module::backward`] takes `dL/dy` and returns `dL/dx`, adding the
//! parameter gradients into each [`Param::grad`]. It is exact and simple: a `Sequential` runs
//! its children's backwards in reverse order.

pub mod init;
pub mod module;
pub mod sequential;
pub mod state_dict;
pub mod stn;

pub use module::{Module, Param};
pub use sequential::{LayerShape, Sequential};
pub use state_dict::{load_state_dict, state_dict};
