//! `nn.Flatten(start_dim=1, end_dim=-1)`: merges dims `start_dim..=end_dim` into one.
//!
//! ```
//! use nnbook::nn::{Flatten, Module};
//! let f = Flatten::default();
//! assert_eq!(f.output_shape(&[64, 64, 4, 4]).unwrap(), vec![64, 1024]);
//! assert_eq!(f.repr(0), "Flatten(start_dim=1, end_dim=-1)");
//! ```

use crate::error::{Error, Result};
use crate::nn::linear::no_forward;
use crate::nn::Module;
use crate::tensor::shape::{flatten_shape, flatten_shape_into};
use crate::tensor::{pool, Tensor};

/// Flattens a range of dims. `x`: `[N, C, H, W]` → `[N, C·H·W]` with the defaults.
#[derive(Clone, Debug)]
pub struct Flatten {
    pub start_dim: i64,
    pub end_dim: i64,
    in_shape: Option<Vec<usize>>,
    /// The last output shape (kept to reuse its storage).
    out_shape: Vec<usize>,
}

impl Default for Flatten {
    /// `nn.Flatten()`: `start_dim=1, end_dim=-1`.
    fn default() -> Self {
        Flatten::new(1, -1)
    }
}

impl Flatten {
    /// `nn.Flatten(start_dim, end_dim)` (negative dims count from the end).
    pub fn new(start_dim: i64, end_dim: i64) -> Flatten {
        Flatten {
            start_dim,
            end_dim,
            in_shape: None,
            out_shape: Vec::new(),
        }
    }
}

impl Module for Flatten {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        flatten_shape_into(x.shape(), self.start_dim, self.end_dim, &mut self.out_shape)?;
        let in_shape = self.in_shape.get_or_insert_with(Vec::new);
        in_shape.clear();
        in_shape.extend_from_slice(x.shape());
        Tensor::from_vec(&self.out_shape, pool::copied(x.data()))
    }

    fn infer_shared(&self, x: &Tensor) -> Option<Result<Tensor>> {
        let mut shape = Vec::new();
        Some(
            flatten_shape_into(x.shape(), self.start_dim, self.end_dim, &mut shape)
                .and_then(|()| Tensor::from_vec(&shape, pool::copied(x.data()))),
        )
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let shape = self
            .in_shape
            .as_ref()
            .ok_or_else(|| no_forward("Flatten"))?;
        if grad_y.numel() != shape.iter().product::<usize>() {
            return Err(Error::ShapeMismatch {
                op: "Flatten.backward",
                lhs: grad_y.shape().to_vec(),
                rhs: shape.clone(),
            });
        }
        Tensor::from_vec(shape, pool::copied(grad_y.data()))
    }

    fn repr(&self, _indent: usize) -> String {
        format!(
            "Flatten(start_dim={}, end_dim={})",
            self.start_dim, self.end_dim
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        flatten_shape(input, self.start_dim, self.end_dim)
    }
}
