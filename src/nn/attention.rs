//! `nn.MultiheadAttention(embed_dim, num_heads, bias=True, batch_first=False)` (forward and
//! backward, no dropout, `kdim = vdim = embed_dim`).
//!
//! Parameters (state_dict names, PyTorch's order): `in_proj_weight` `[3E, E]`,
//! `in_proj_bias` `[3E]`, `out_proj.weight` `[E, E]`, `out_proj.bias` `[E]`. Initialised as
//! PyTorch does, from the global generator: `out_proj` is built as a `Linear(E, E)` (kaiming
//! weight, then a bias draw), then `xavier_uniform_(in_proj_weight)`, and both biases are set
//! to zero. The formulas are in [`crate::ops::attention`].
//!
//! ```
//! use nnbook::nn::{Module, MultiheadAttention};
//! use nnbook::Tensor;
//! let mut mha = MultiheadAttention::new(8, 2, false).unwrap();
//! let x = Tensor::zeros(&[5, 3, 8]).unwrap(); // [L, N, E]
//! let (y, w) = mha.forward_qkv(&x, &x, &x, None, true, true).unwrap();
//! assert_eq!((y.shape(), w.unwrap().shape()), (&[5, 3, 8][..], &[3, 5, 5][..]));
//! ```

use crate::error::{Error, PyKind, Result};
use crate::nn::linear::{accumulate, no_forward};
use crate::nn::{init, Linear, Module, Param};
use crate::ops::attention::{
    average_heads, multi_head_attention_backward, multi_head_attention_forward_cached,
    AttentionCache, AttentionDims, AttentionWeights,
};
use crate::tensor::{guard, Tensor};

/// Multi-head attention. `query` `[L, N, E]`, `key`/`value` `[S, N, E]` (`[N, L, E]` /
/// `[N, S, E]` with `batch_first`; `[L, E]` / `[S, E]` unbatched) → `attn_output` like
/// `query`, `attn_weights` `[N, L, S]` (averaged over heads) or `[N, heads, L, S]`.
#[derive(Clone, Debug)]
pub struct MultiheadAttention {
    pub embed_dim: usize,
    pub num_heads: usize,
    pub batch_first: bool,
    /// `[3E, E]`.
    pub in_proj_weight: Param,
    /// `[3E]`.
    pub in_proj_bias: Option<Param>,
    /// `out_proj.weight` `[E, E]`, `out_proj.bias` `[E]`.
    pub out_proj: Linear,
    /// The head-averaged attention weights of the last [`Module::forward`], `[N, L, S]`
    /// (`[L, S]` unbatched).
    pub last_attn_weights: Option<Tensor>,
    /// The last forward's record and its inputs' shapes (query, key, value).
    cache: Option<(AttentionCache, [Vec<usize>; 3])>,
}

fn assertion(msg: String) -> Error {
    Error::msg("MultiheadAttention", PyKind::AssertionError, msg)
}

/// `torch.Size([4, 2, 8])`.
fn torch_size(s: &[usize]) -> String {
    let v: Vec<String> = s.iter().map(|d| d.to_string()).collect();
    format!("torch.Size([{}])", v.join(", "))
}

impl MultiheadAttention {
    /// `nn.MultiheadAttention(embed_dim, num_heads, batch_first=batch_first)` with PyTorch's
    /// initialisation from the global generator.
    ///
    /// # Errors
    /// `AssertionError: embed_dim must be divisible by num_heads`; [`Error::TooLarge`].
    pub fn new(embed_dim: usize, num_heads: usize, batch_first: bool) -> Result<Self> {
        if num_heads == 0 || !embed_dim.is_multiple_of(num_heads) {
            return Err(assertion("embed_dim must be divisible by num_heads".into()));
        }
        let e = embed_dim;
        guard::check_numel("MultiheadAttention", &[3 * e, e])?;
        let mut out_proj = Linear::new(e, e, true);
        let in_proj_weight = Param::new(init::xavier_uniform(3 * e, e)?);
        let in_proj_bias = Some(Param::new(Tensor::zeros(&[3 * e])?));
        if let Some(b) = out_proj.bias.as_mut() {
            b.value.data_mut().fill(0.0);
        }
        Ok(MultiheadAttention {
            embed_dim,
            num_heads,
            batch_first,
            in_proj_weight,
            in_proj_bias,
            out_proj,
            last_attn_weights: None,
            cache: None,
        })
    }

    /// `attn_output, attn_weights = mha(query, key, value, need_weights=need_weights,
    /// attn_mask=attn_mask, average_attn_weights=average_attn_weights)`.
    ///
    /// * `attn_mask`: float `[L, S]`, added to the scaled scores (`-inf` hides a key)
    ///
    /// Returns the output (`query`'s shape) and, if `need_weights`, the weights `[N, L, S]`
    /// averaged over heads or `[N, heads, L, S]` (without the `N` dim for unbatched input).
    ///
    /// # Errors
    /// PyTorch's texts: `AssertionError: query should be unbatched 2D or batched 3D tensor but
    /// received 4-D query tensor`, `AssertionError: was expecting embedding dimension of 8, but
    /// got 7`, `AssertionError: key shape torch.Size([4, 2, 8]) does not match value shape
    /// torch.Size([5, 2, 8])`, `RuntimeError: The shape of the 2D attn_mask is
    /// torch.Size([3, 3]), but should be (3, 4).`
    pub fn forward_qkv(
        &mut self,
        query: &Tensor,
        key: &Tensor,
        value: &Tensor,
        attn_mask: Option<&Tensor>,
        need_weights: bool,
        average_attn_weights: bool,
    ) -> Result<(Tensor, Option<Tensor>)> {
        let batched = query.ndim() == 3;
        // Time-major copies [L, N, E] (unbatched input gets N = 1).
        let tm = |t: &Tensor| -> Result<Tensor> {
            match (t.ndim(), self.batch_first) {
                (3, true) if batched => t.transpose(0, 1),
                (2, _) if !batched => t.unsqueeze(1),
                _ => Ok(t.clone()),
            }
        };
        let (q, k, v) = (tm(query)?, tm(key)?, tm(value)?);
        match query.ndim() {
            3 if key.ndim() != 3 || value.ndim() != 3 => {
                return Err(assertion(format!(
                    "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found {}-D and {}-D tensors respectively",
                    key.ndim(),
                    value.ndim()
                )))
            }
            2 if key.ndim() != 2 || value.ndim() != 2 => {
                return Err(assertion(format!(
                    "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found {}-D and {}-D tensors respectively",
                    key.ndim(),
                    value.ndim()
                )))
            }
            2 | 3 => {}
            nd => {
                return Err(assertion(format!(
                    "query should be unbatched 2D or batched 3D tensor but received {nd}-D query tensor"
                )))
            }
        }
        let e = self.embed_dim;
        let (l, n, qe) = (q.shape()[0], q.shape()[1], q.shape()[2]);
        if qe != e {
            return Err(assertion(format!(
                "was expecting embedding dimension of {e}, but got {qe}"
            )));
        }
        // PyTorch prints the (time-major, unbatched-unsqueezed) shapes it compares.
        let shown = |t: &Tensor| torch_size(t.shape());
        if k.shape() != v.shape() {
            return Err(assertion(format!(
                "key shape {} does not match value shape {}",
                shown(&k),
                shown(&v)
            )));
        }
        let s = k.shape()[0];
        if k.shape()[1] != n || k.shape()[2] != e {
            return Err(Error::ShapeMismatch {
                op: "multi_head_attention_forward",
                lhs: q.shape().to_vec(),
                rhs: k.shape().to_vec(),
            });
        }
        if let Some(m) = attn_mask {
            if m.shape() != [l, s] {
                return Err(Error::runtime(
                    "multi_head_attention_forward",
                    format!(
                        "The shape of the 2D attn_mask is {}, but should be ({l}, {s}).",
                        torch_size(m.shape())
                    ),
                ));
            }
        }
        guard::check_numel("multi_head_attention_forward", &[n, self.num_heads, l, s])?;
        let w = AttentionWeights {
            in_proj_weight: self.in_proj_weight.value.data(),
            in_proj_bias: self.in_proj_bias.as_ref().map(|p| p.value.data()),
            out_proj_weight: self.out_proj.weight.value.data(),
            out_proj_bias: self.out_proj.bias.as_ref().map(|p| p.value.data()),
        };
        let dims = AttentionDims {
            l,
            s,
            n,
            e,
            heads: self.num_heads,
        };
        let (out, cache) = multi_head_attention_forward_cached(
            q.data(),
            k.data(),
            v.data(),
            dims,
            w,
            attn_mask.map(|m| m.data()),
        );
        let shapes = [query, key, value].map(|t| t.shape().to_vec());
        let weights = cache.weights.clone();
        self.cache = Some((cache, shapes));
        let mut out = Tensor::from_vec(&[l, n, e], out)?;
        out = match (batched, self.batch_first) {
            (true, true) => out.transpose(0, 1)?,
            (true, false) => out,
            (false, _) => out.squeeze(Some(1))?,
        };
        if !need_weights {
            return Ok((out, None));
        }
        let h = self.num_heads;
        let weights = if average_attn_weights {
            let avg = average_heads(&weights, n, h, l * s);
            let shape: Vec<usize> = if batched { vec![n, l, s] } else { vec![l, s] };
            Tensor::from_vec(&shape, avg)?
        } else {
            let shape: Vec<usize> = if batched {
                vec![n, h, l, s]
            } else {
                vec![h, l, s]
            };
            Tensor::from_vec(&shape, weights)?
        };
        Ok((out, Some(weights)))
    }
}

impl MultiheadAttention {
    /// Backward of the last [`MultiheadAttention::forward_qkv`] (or [`Module::forward`]) for
    /// `dL/dattn_output` (the output's shape; the attention weights are not differentiated):
    /// adds the gradients of `in_proj_weight`, `in_proj_bias`, `out_proj.*` and returns
    /// `(dquery, dkey, dvalue)` in the inputs' shapes.
    ///
    /// # Errors
    /// When there was no forward, or `grad` does not have the output's shape.
    pub fn backward_qkv(&mut self, grad: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
        let (cache, shapes) = self
            .cache
            .as_ref()
            .ok_or_else(|| no_forward("MultiheadAttention"))?;
        grad.expect_shape("multi_head_attention_backward", &shapes[0])?;
        let batched = shapes[0].len() == 3;
        let AttentionDims { l, n, e, .. } = cache.dims;
        let g_tm = if batched && self.batch_first {
            grad.transpose(0, 1)?
        } else {
            Tensor::from_vec(&[l, n, e], grad.data().to_vec())?
        };
        let w = AttentionWeights {
            in_proj_weight: self.in_proj_weight.value.data(),
            in_proj_bias: self.in_proj_bias.as_ref().map(|p| p.value.data()),
            out_proj_weight: self.out_proj.weight.value.data(),
            out_proj_bias: self.out_proj.bias.as_ref().map(|p| p.value.data()),
        };
        let g = multi_head_attention_backward(cache, w, g_tm.data());
        let back = |data: Vec<f32>, shape: &[usize]| -> Result<Tensor> {
            if batched && self.batch_first {
                Tensor::from_vec(&[shape[1], shape[0], shape[2]], data)?.transpose(0, 1)
            } else {
                Tensor::from_vec(shape, data)
            }
        };
        let dq = back(g.query, &shapes[0])?;
        let dk = back(g.key, &shapes[1])?;
        let dv = back(g.value, &shapes[2])?;
        let add = |p: &mut Param, v: Vec<f32>| -> Result<()> {
            let t = Tensor::from_vec(p.grad.shape(), v)?;
            accumulate(&mut p.grad, &t);
            Ok(())
        };
        add(&mut self.in_proj_weight, g.in_proj_weight)?;
        if let Some(b) = self.in_proj_bias.as_mut() {
            add(b, g.in_proj_bias)?;
        }
        add(&mut self.out_proj.weight, g.out_proj_weight)?;
        if let Some(b) = self.out_proj.bias.as_mut() {
            add(b, g.out_proj_bias)?;
        }
        Ok((dq, dk, dv))
    }
}

/// `[L, S]` with `-inf` above the diagonal and 0 elsewhere
/// (`nn.Transformer.generate_square_subsequent_mask(size)`).
///
/// # Errors
/// [`Error::TooLarge`] past the size guard.
pub fn square_subsequent_mask(size: usize) -> Result<Tensor> {
    guard::check_numel("generate_square_subsequent_mask", &[size, size])?;
    let data = (0..size * size)
        .map(|i| {
            if i % size > i / size {
                f32::NEG_INFINITY
            } else {
                0.0
            }
        })
        .collect();
    Tensor::from_vec(&[size, size], data)
}

impl Module for MultiheadAttention {
    /// Self-attention `mha(x, x, x)`: returns `attn_output` and keeps the head-averaged
    /// weights in [`MultiheadAttention::last_attn_weights`].
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let (y, w) = self.forward_qkv(x, x, x, None, true, true)?;
        self.last_attn_weights = w;
        Ok(y)
    }

    /// `dL/dx` of the self-attention `mha(x, x, x)`: `dquery + dkey + dvalue`.
    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let (dq, dk, dv) = self.backward_qkv(grad_y)?;
        // Only a self-attention forward has one input to sum into.
        dk.expect_shape("MultiheadAttention.backward", dq.shape())?;
        dv.expect_shape("MultiheadAttention.backward", dq.shape())?;
        let sum = dq
            .data()
            .iter()
            .zip(dk.data())
            .zip(dv.data())
            .map(|((a, b), c)| a + b + c)
            .collect();
        Tensor::from_vec(dq.shape(), sum)
    }

    /// `in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias`.
    fn named_parameters(&self) -> Vec<(String, &Param)> {
        let mut v = vec![("in_proj_weight".to_string(), &self.in_proj_weight)];
        v.extend(
            self.in_proj_bias
                .as_ref()
                .map(|p| ("in_proj_bias".into(), p)),
        );
        for (k, p) in self.out_proj.named_parameters() {
            v.push((format!("out_proj.{k}"), p));
        }
        v
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        let mut v = vec![("in_proj_weight".to_string(), &mut self.in_proj_weight)];
        v.extend(
            self.in_proj_bias
                .as_mut()
                .map(|p| ("in_proj_bias".into(), p)),
        );
        for (k, p) in self.out_proj.named_parameters_mut() {
            v.push((format!("out_proj.{k}"), p));
        }
        v
    }

    /// `MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(...)\n)`.
    fn repr(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent);
        format!(
            "MultiheadAttention(\n{pad}  (out_proj): NonDynamicallyQuantizable{}\n{pad})",
            self.out_proj.repr(indent + 1)
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input.len() {
            2 | 3 if input.last() == Some(&self.embed_dim) => Ok(input.to_vec()),
            2 | 3 => Err(assertion(format!(
                "was expecting embedding dimension of {}, but got {}",
                self.embed_dim,
                input.last().copied().unwrap_or(0)
            ))),
            nd => Err(assertion(format!(
                "query should be unbatched 2D or batched 3D tensor but received {nd}-D query tensor"
            ))),
        }
    }

    /// The four projections and the two attention products.
    fn mult_adds(&self, input: &[usize]) -> u64 {
        let e = self.embed_dim as u64;
        let (l, n) = match *input {
            [l, _] => (l as u64, 1),
            [a, b, _] if self.batch_first => (b as u64, a as u64),
            [l, n, _] => (l as u64, n as u64),
            _ => return 0,
        };
        4 * l * n * e * e + 2 * n * l * l * e
    }
}
