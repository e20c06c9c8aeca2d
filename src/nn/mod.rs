//! Layers with PyTorch's names, parameters, state_dict names and `print(net)` text.
//!
//! Autograd is module-level: [`Module::forward`] caches what its backward needs (in training
//! and in eval mode alike), [`Module::backward`] takes `dL/dy` and returns `dL/dx`, adding the
//! parameter gradients into each [`Param::grad`]. It is exact and simple: a `Sequential` runs
//! its children's backwards in reverse order.

pub mod activation;
pub mod attention;
pub mod batch_norm;
pub mod batch_norm1d;
pub mod conv2d;
pub mod dropout;
pub mod embedding;
pub mod flatten;
pub mod init;
pub mod layer_norm;
pub mod linear;
pub mod max_pool2d;
pub mod models;
pub mod module;
pub mod rnn;
pub mod rnn_bptt;
pub mod safetensors;
pub mod sequential;
pub mod spec;
pub mod state_dict;
pub mod stn;
pub mod transformer;

pub use activation::ReLU;
pub use attention::MultiheadAttention;
pub use batch_norm::BatchNorm2d;
pub use batch_norm1d::BatchNorm1d;
pub use conv2d::{Conv2d, Conv2dConfig};
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use flatten::Flatten;
pub use layer_norm::LayerNorm;
pub use linear::Linear;
pub use max_pool2d::{MaxPool2d, Size2};
pub use module::{Module, Param};
pub use rnn::{RnnConfig, RnnMode, GRU, LSTM, RNN};
pub use sequential::{LayerShape, Sequential};
pub use state_dict::{load_state_dict, state_dict};
pub use transformer::{TransformerEncoderLayer, TransformerEncoderLayerConfig};
