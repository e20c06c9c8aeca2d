//! PyTorch's default initialisation.
//!
//! PLACEHOLDER (ops branch only): API-identical stand-in so the layers compile; the lead
//! replaces this file with the init helper's version on merge.

use crate::tensor::Tensor;

fn uniform(n: usize, bound: f32) -> Vec<f32> {
    crate::rng::with_global(|r| {
        (0..n)
            .map(|_| (2.0 * r.uniform_f32() - 1.0) * bound)
            .collect()
    })
}

/// `kaiming_uniform_(w, a=sqrt(5))`: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) of `shape`.
pub fn kaiming_uniform(shape: &[usize], fan_in: usize) -> Tensor {
    let n: usize = shape.iter().product();
    let bound = if fan_in > 0 {
        1.0 / (fan_in as f32).sqrt()
    } else {
        0.0
    };
    Tensor::from_vec(shape, uniform(n, bound)).expect("layer shapes fit the size guard")
}

/// Bias init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) of `[len]`.
pub fn bias_uniform(len: usize, fan_in: usize) -> Tensor {
    kaiming_uniform(&[len], fan_in)
}
