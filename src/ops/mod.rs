//! Ops as forward/backward pairs of plain functions, one op family per file. Shapes are
//! written on every argument (`x: [N, C, H, W]`).

pub mod activation;
pub mod affine_grid;
pub mod attention;
pub mod batch_norm;
pub mod conv2d;
pub mod dropout;
pub mod embedding;
pub mod grid_sample;
pub mod layer_norm;
pub mod linear;
pub mod loss;
pub mod max_pool2d;
pub mod rnn_cells;
pub mod softmax;

pub use activation::{relu_backward, relu_forward};
pub use batch_norm::{batch_norm2d_backward, batch_norm2d_forward, BatchNormCache};
pub use conv2d::{
    conv2d_backward, conv2d_backward_with, conv2d_forward, Conv2dGrads, Conv2dParams,
};
pub use dropout::{dropout_backward, dropout_forward};
pub use linear::{linear_backward, linear_forward, LinearGrads};
pub use loss::{cross_entropy_backward, cross_entropy_forward, Reduction};
pub use max_pool2d::{
    max_pool2d_backward, max_pool2d_forward, max_pool2d_forward_into, max_pool2d_infer,
    MaxPool2dParams,
};
pub use softmax::{log_softmax_backward, log_softmax_forward, softmax_backward, softmax_forward};
