//! Optimizers with PyTorch's update formulas: `SGD` and `Adam`.
