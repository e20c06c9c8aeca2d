//! PyTorch's default layer initialisation, drawn from the global generator ([`crate::rng`]) in
//! PyTorch's order, so that
//!
//! ```text
//! torch.manual_seed(0); nn.Linear(4, 3)     # weight, then bias
//! ```
//! equals `rng::manual_seed(0); kaiming_uniform(&[3, 4], 4); bias_uniform(3, 4)` bit for bit
//! (and likewise `Conv2d(3, 32, 5)` with `fan_in = 3·5·5 = 75`).
//!
//! `reset_parameters()` of `Linear` / `Conv2d` calls `kaiming_uniform_(weight, a=√5)`:
//! `gain = √(2 / (1 + a²))`, `bound = gain · √(3 / fan_in)` (which is `1/√fan_in`), then
//! `uniform_(bias, -1/√fan_in, 1/√fan_in)`. Bounds are computed in f64 as Python does and
//! rounded to f32 as the float32 `uniform_` kernel does.
//!
//! ```
//! use nnbook::{nn::init, rng};
//! rng::manual_seed(0);
//! let w = init::kaiming_uniform(&[3, 4], 4); // nn.Linear(4, 3).weight
//! let b = init::bias_uniform(3, 4);          // nn.Linear(4, 3).bias
//! assert_eq!(w.shape(), &[3, 4]);
//! assert_eq!(w.data()[0], -0.003_743_410_1); // torch: -0.0037
//! assert_eq!(b.shape(), &[3]);
//! ```

use crate::error::Result;
use crate::rng;
use crate::tensor::{guard, Tensor};

/// `bound` of `kaiming_uniform_(w, a=√5)` for `fan_in`, as PyTorch computes it in f64:
/// `gain = sqrt(2 / (1 + a**2))`, `std = gain / sqrt(fan_in)`, `bound = sqrt(3) * std`.
/// Returns 0 for `fan_in == 0` (PyTorch divides by zero there; such weights have no elements).
pub fn kaiming_uniform_bound(fan_in: usize) -> f64 {
    if fan_in == 0 {
        return 0.0;
    }
    let a = 5f64.sqrt();
    let gain = (2.0 / (1.0 + a * a)).sqrt();
    let std = gain / (fan_in as f64).sqrt();
    3f64.sqrt() * std
}

/// `bound` of the default bias init: `1 / sqrt(fan_in)` in f64, 0 when `fan_in == 0`
/// (PyTorch's `bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0`).
pub fn bias_bound(fan_in: usize) -> f64 {
    if fan_in == 0 {
        0.0
    } else {
        1.0 / (fan_in as f64).sqrt()
    }
}

/// `torch.empty(shape).uniform_(-bound, bound)` from the global generator, in row-major order.
///
/// # Errors
/// [`crate::Error::TooLarge`] (op `op`) past the size guard; nothing is drawn then.
fn uniform_symmetric(op: &'static str, shape: &[usize], bound: f64) -> Result<Tensor> {
    let numel = guard::check_numel(op, shape)?;
    let (low, high) = (-bound as f32, bound as f32);
    let data = rng::with_global(|g| (0..numel).map(|_| g.uniform_range(low, high)).collect());
    Tensor::from_vec(shape, data)
}

/// Fallible [`kaiming_uniform`]: a weight of `shape` (`[out, in]` for Linear,
/// `[out, in, kh, kw]` for Conv2d) drawn from `U(-b, b)`, `b = kaiming_uniform_bound(fan_in)`.
/// A zero-element shape draws nothing (PyTorch's no-op).
///
/// # Errors
/// [`crate::Error::TooLarge`] (op `"kaiming_uniform_"`) past the size guard.
pub fn try_kaiming_uniform(shape: &[usize], fan_in: usize) -> Result<Tensor> {
    uniform_symmetric("kaiming_uniform_", shape, kaiming_uniform_bound(fan_in))
}

/// Fallible [`bias_uniform`]: a bias of `[len]` drawn from `U(-1/√fan_in, 1/√fan_in)`.
///
/// # Errors
/// [`crate::Error::TooLarge`] (op `"uniform_"`) past the size guard.
pub fn try_bias_uniform(len: usize, fan_in: usize) -> Result<Tensor> {
    uniform_symmetric("uniform_", &[len], bias_bound(fan_in))
}

/// `nn.init.kaiming_uniform_(torch.empty(shape), a=math.sqrt(5))` with the given `fan_in`
/// (`in_features` for Linear, `in_channels·kh·kw` for Conv2d), from the global generator.
///
/// # Panics
/// Only if `shape` exceeds the size guard (a layer constructor should check its sizes first,
/// or call [`try_kaiming_uniform`]).
pub fn kaiming_uniform(shape: &[usize], fan_in: usize) -> Tensor {
    try_kaiming_uniform(shape, fan_in).expect("kaiming_uniform: shape within the size guard")
}

/// A bias of shape `[len]` initialised as `Linear`/`Conv2d` do:
/// `uniform_(bias, -1/√fan_in, 1/√fan_in)`, from the global generator.
///
/// # Panics
/// Only if `[len]` exceeds the size guard (see [`try_bias_uniform`]).
pub fn bias_uniform(len: usize, fan_in: usize) -> Tensor {
    try_bias_uniform(len, fan_in).expect("bias_uniform: length within the size guard")
}

/// `torch.empty(shape).uniform_(-bound, bound)` from the global generator (what
/// `nn.RNN`/`LSTM`/`GRU` do to every parameter with `bound = 1/√hidden_size`).
///
/// # Errors
/// [`crate::Error::TooLarge`] (op `"uniform_"`) past the size guard; nothing is drawn then.
pub fn uniform(shape: &[usize], bound: f64) -> Result<Tensor> {
    uniform_symmetric("uniform_", shape, bound)
}

/// `bound` of `xavier_uniform_(w, gain=1)` for a 2-D weight `[fan_out, fan_in]`, in f64 as
/// PyTorch computes it: `std = gain·√(2 / (fan_in + fan_out))`, `bound = √3·std`
/// (0 when both fans are 0).
pub fn xavier_uniform_bound(fan_in: usize, fan_out: usize) -> f64 {
    if fan_in + fan_out == 0 {
        return 0.0;
    }
    let std = (2.0 / (fan_in + fan_out) as f64).sqrt();
    3f64.sqrt() * std
}

/// `nn.init.xavier_uniform_(torch.empty([fan_out, fan_in]))` from the global generator
/// (`MultiheadAttention.in_proj_weight`, `[3E, E]`).
///
/// # Errors
/// [`crate::Error::TooLarge`] (op `"xavier_uniform_"`) past the size guard.
pub fn xavier_uniform(fan_out: usize, fan_in: usize) -> Result<Tensor> {
    uniform_symmetric(
        "xavier_uniform_",
        &[fan_out, fan_in],
        xavier_uniform_bound(fan_in, fan_out),
    )
}
