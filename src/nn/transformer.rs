//! `nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1,
//! activation=relu, layer_norm_eps=1e-05, batch_first=False, norm_first=False)` (forward and
//! backward).
//!
//! Post-norm (`norm_first=False`): `x = norm1(x + sa(x))`, `x = norm2(x + ff(x))`;
//! pre-norm: `x = x + sa(norm1(x))`, `x = x + ff(norm2(x))`, with
//! `sa(x) = dropout1(self_attn(x, x, x))` and `ff(x) = dropout2(linear2(dropout(relu(linear1(x)))))`.
//! In eval mode the dropouts are the identity, and the numbers are PyTorch's; in training
//! they draw from nnbook's generator (same statistics, different masks than PyTorch).
//!
//! Children and state_dict names as PyTorch: `self_attn.in_proj_weight`, `self_attn.in_proj_bias`,
//! `self_attn.out_proj.{weight,bias}`, `linear1.{weight,bias}`, `linear2.{weight,bias}`,
//! `norm1.{weight,bias}`, `norm2.{weight,bias}`; initialised in that order from the global
//! generator (`self_attn` as [`MultiheadAttention::new`], then `linear1`, `linear2`).
//!
//! ```
//! use nnbook::nn::{Module, TransformerEncoderLayer, TransformerEncoderLayerConfig};
//! use nnbook::Tensor;
//! let cfg = TransformerEncoderLayerConfig::new(8, 2).with_dim_feedforward(16).with_batch_first(true);
//! let mut layer = TransformerEncoderLayer::new(cfg).unwrap();
//! layer.set_training(false);
//! let y = layer.forward(&Tensor::zeros(&[3, 5, 8]).unwrap()).unwrap();
//! assert_eq!(y.shape(), &[3, 5, 8]);
//! assert_eq!(layer.last_attn_weights().unwrap().shape(), &[3, 5, 5]);
//! ```

use crate::error::Result;
use crate::nn::linear::no_forward;
use crate::nn::{Dropout, LayerNorm, Linear, Module, MultiheadAttention, Param};
use crate::ops::activation::{relu_backward, relu_forward};
use crate::tensor::Tensor;

/// Hyper-parameters with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransformerEncoderLayerConfig {
    pub d_model: usize,
    pub nhead: usize,
    pub dim_feedforward: usize,
    pub dropout: f32,
    pub layer_norm_eps: f32,
    pub batch_first: bool,
    pub norm_first: bool,
}

impl TransformerEncoderLayerConfig {
    /// `(d_model, nhead)` with `dim_feedforward=2048, dropout=0.1, layer_norm_eps=1e-05,
    /// batch_first=False, norm_first=False`.
    pub fn new(d_model: usize, nhead: usize) -> Self {
        TransformerEncoderLayerConfig {
            d_model,
            nhead,
            dim_feedforward: 2048,
            dropout: 0.1,
            layer_norm_eps: 1e-5,
            batch_first: false,
            norm_first: false,
        }
    }
    /// Sets `dim_feedforward`.
    pub fn with_dim_feedforward(self, dim_feedforward: usize) -> Self {
        Self {
            dim_feedforward,
            ..self
        }
    }
    /// Sets `dropout`.
    pub fn with_dropout(self, dropout: f32) -> Self {
        Self { dropout, ..self }
    }
    /// Sets `batch_first`.
    pub fn with_batch_first(self, batch_first: bool) -> Self {
        Self {
            batch_first,
            ..self
        }
    }
    /// Sets `norm_first`.
    pub fn with_norm_first(self, norm_first: bool) -> Self {
        Self { norm_first, ..self }
    }
}

/// One encoder block. `x`: `[S, N, E]` (`[N, S, E]` with `batch_first`, `[S, E]` unbatched)
/// → same shape.
#[derive(Clone, Debug)]
pub struct TransformerEncoderLayer {
    pub config: TransformerEncoderLayerConfig,
    pub self_attn: MultiheadAttention,
    pub linear1: Linear,
    pub dropout: Dropout,
    pub linear2: Linear,
    pub norm1: LayerNorm,
    pub norm2: LayerNorm,
    pub dropout1: Dropout,
    pub dropout2: Dropout,
    pub training: bool,
    /// `linear1`'s output (before the ReLU) of the last forward.
    pre_relu: Option<Tensor>,
}

impl TransformerEncoderLayer {
    /// `nn.TransformerEncoderLayer.__init__`'s arguments nnbook accepts, in PyTorch's order.
    pub const ARGS: &'static [&'static str] = &[
        "d_model",
        "nhead",
        "dim_feedforward",
        "dropout",
        "batch_first",
        "norm_first",
    ];

    /// Builds the layer with PyTorch's initialisation (training mode).
    ///
    /// # Errors
    /// `AssertionError: embed_dim must be divisible by num_heads`; `ValueError` for a dropout
    /// outside `[0, 1]`.
    pub fn new(config: TransformerEncoderLayerConfig) -> Result<Self> {
        let c = config;
        let self_attn = MultiheadAttention::new(c.d_model, c.nhead, c.batch_first)?;
        let linear1 = Linear::new(c.d_model, c.dim_feedforward, true);
        let dropout = Dropout::new(c.dropout)?;
        let linear2 = Linear::new(c.dim_feedforward, c.d_model, true);
        let norm = || LayerNorm::with_options(&[c.d_model], c.layer_norm_eps, true, true);
        Ok(TransformerEncoderLayer {
            config,
            self_attn,
            linear1,
            dropout,
            linear2,
            norm1: norm(),
            norm2: norm(),
            dropout1: Dropout::new(c.dropout)?,
            dropout2: Dropout::new(c.dropout)?,
            training: true,
            pre_relu: None,
        })
    }

    /// The self-attention weights (averaged over heads) of the last forward: `[N, S, S]`
    /// (`[S, S]` unbatched).
    pub fn last_attn_weights(&self) -> Option<&Tensor> {
        self.self_attn.last_attn_weights.as_ref()
    }

    fn sa_block(&mut self, x: &Tensor) -> Result<Tensor> {
        let y = self.self_attn.forward(x)?;
        self.dropout1.forward(&y)
    }

    fn ff_block(&mut self, x: &Tensor) -> Result<Tensor> {
        let pre = self.linear1.forward(x)?;
        let h = relu_forward(&pre);
        self.pre_relu = Some(pre);
        let h = self.dropout.forward(&h)?;
        let y = self.linear2.forward(&h)?;
        self.dropout2.forward(&y)
    }
}

impl TransformerEncoderLayer {
    fn sa_backward(&mut self, g: &Tensor) -> Result<Tensor> {
        let g = self.dropout1.backward(g)?;
        self.self_attn.backward(&g)
    }

    fn ff_backward(&mut self, g: &Tensor) -> Result<Tensor> {
        let g = self.dropout2.backward(g)?;
        let g = self.linear2.backward(&g)?;
        let g = self.dropout.backward(&g)?;
        let pre = self
            .pre_relu
            .as_ref()
            .ok_or_else(|| no_forward("TransformerEncoderLayer"))?;
        let g = relu_backward(pre, &g)?;
        self.linear1.backward(&g)
    }
}

fn add(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    a.expect_shape("add", b.shape())?;
    let v = a.data().iter().zip(b.data()).map(|(x, y)| x + y).collect();
    Tensor::from_vec(a.shape(), v)
}

impl Module for TransformerEncoderLayer {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        if self.config.norm_first {
            let n1 = self.norm1.forward(x)?;
            let x = add(x, &self.sa_block(&n1)?)?;
            let n2 = self.norm2.forward(&x)?;
            add(&x, &self.ff_block(&n2)?)
        } else {
            let sa = self.sa_block(x)?;
            let x = self.norm1.forward(&add(x, &sa)?)?;
            let ff = self.ff_block(&x)?;
            self.norm2.forward(&add(&x, &ff)?)
        }
    }

    /// Through both residual blocks, in reverse (each child's backward uses its own cache).
    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        if self.config.norm_first {
            // y = x1 + ff(norm2(x1)), x1 = x + sa(norm1(x)).
            let g_ff = self.ff_backward(grad_y)?;
            let dx1 = add(grad_y, &self.norm2.backward(&g_ff)?)?;
            let g_sa = self.sa_backward(&dx1)?;
            add(&dx1, &self.norm1.backward(&g_sa)?)
        } else {
            // y = norm2(x1 + ff(x1)), x1 = norm1(x + sa(x)).
            let d2 = self.norm2.backward(grad_y)?;
            let dx1 = add(&d2, &self.ff_backward(&d2)?)?;
            let d1 = self.norm1.backward(&dx1)?;
            add(&d1, &self.sa_backward(&d1)?)
        }
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        let children: [(&str, &dyn Module); 5] = [
            ("self_attn", &self.self_attn),
            ("linear1", &self.linear1),
            ("linear2", &self.linear2),
            ("norm1", &self.norm1),
            ("norm2", &self.norm2),
        ];
        children
            .into_iter()
            .flat_map(|(name, m)| {
                m.named_parameters()
                    .into_iter()
                    .map(move |(k, p)| (format!("{name}.{k}"), p))
            })
            .collect()
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        fn prefixed<'a>(
            name: &str,
            ps: Vec<(String, &'a mut Param)>,
        ) -> Vec<(String, &'a mut Param)> {
            ps.into_iter()
                .map(|(k, p)| (format!("{name}.{k}"), p))
                .collect()
        }
        let mut v = prefixed("self_attn", self.self_attn.named_parameters_mut());
        v.extend(prefixed("linear1", self.linear1.named_parameters_mut()));
        v.extend(prefixed("linear2", self.linear2.named_parameters_mut()));
        v.extend(prefixed("norm1", self.norm1.named_parameters_mut()));
        v.extend(prefixed("norm2", self.norm2.named_parameters_mut()));
        v
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
        for d in [&mut self.dropout, &mut self.dropout1, &mut self.dropout2] {
            d.set_training(training);
        }
        self.self_attn.set_training(training);
    }

    fn repr(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent + 1);
        let children: [(&str, &dyn Module); 8] = [
            ("self_attn", &self.self_attn),
            ("linear1", &self.linear1),
            ("dropout", &self.dropout),
            ("linear2", &self.linear2),
            ("norm1", &self.norm1),
            ("norm2", &self.norm2),
            ("dropout1", &self.dropout1),
            ("dropout2", &self.dropout2),
        ];
        let mut s = "TransformerEncoderLayer(\n".to_string();
        for (name, m) in children {
            s += &format!("{pad}({name}): {}\n", m.repr(indent + 1));
        }
        s + &"  ".repeat(indent) + ")"
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        self.self_attn.output_shape(input)
    }

    fn mult_adds(&self, input: &[usize]) -> u64 {
        let rows: usize = input.iter().rev().skip(1).product();
        let c = &self.config;
        self.self_attn.mult_adds(input) + 2 * (rows * c.d_model * c.dim_feedforward) as u64
    }
}
