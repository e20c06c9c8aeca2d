//! Backpropagation through time for [`RnnBase`] (`nn.RNN`, `nn.LSTM`, `nn.GRU`).
//!
//! Per layer, from the top layer down and from the last step back: `dh_t` collects the
//! output's gradient at `t` and the gradient from step `t + 1`; each cell's pointwise backward
//! ([`crate::ops::rnn_cells`]) gives the gradients of `gi = x·W_ihᵀ + b_ih` and
//! `gh = h·W_hhᵀ + b_hh`; then `dh_{t−1} = dgh·W_hh (+ GRU's z⊙dh)`, `dW_hh += dghᵀ·h_{t−1}`,
//! and after the loop `dX = dGI·W_ih`, `dW_ih += dGIᵀ·X`, which is the layer below's output
//! gradient.

use crate::error::Result;
use crate::kernels::{sgemm, MatRef};
use crate::nn::rnn::{RnnBase, RnnMode};
use crate::ops::rnn_cells::{gru_step_backward, lstm_step_backward, rnn_step_backward, StepGrads};
use crate::tensor::Tensor;

/// What [`RnnBase::backward_states`] needs from a forward.
#[derive(Clone, Debug)]
pub struct RnnCache {
    pub(crate) x_shape: Vec<usize>,
    pub(crate) state_shape: Vec<usize>,
    pub(crate) t: usize,
    pub(crate) b: usize,
    pub(crate) layers: Vec<LayerCache>,
}

/// One layer's forward record (time-major): its input `[T, B, I_k]`, `gi`/`gh` `[T, B, G]`,
/// the hidden (and LSTM cell) states `[T + 1, B, H]` (index 0 the initial state).
#[derive(Clone, Debug)]
pub(crate) struct LayerCache {
    pub(crate) x: Vec<f32>,
    pub(crate) gi: Vec<f32>,
    pub(crate) gh: Vec<f32>,
    pub(crate) h: Vec<f32>,
    pub(crate) c: Vec<f32>,
}

fn accumulate_slice(a: &mut [f32], b: &[f32]) {
    a.iter_mut().zip(b).for_each(|(x, &y)| *x += y);
}

impl RnnBase {
    /// Backpropagation through time for the forward that produced `cache`: adds every
    /// parameter's gradient into its `Param::grad` and returns `(dx, dh0, dc0)` (`dc0` for
    /// LSTM only), shaped as `x`, `h0`, `c0`.
    ///
    /// * `grad_output`: `dL/doutput`, the output's shape
    /// * `grad_h_n`, `grad_c_n`: `dL/dh_n`, `dL/dc_n` (`[num_layers, B, H]`), zero if `None`
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when a gradient does not have its tensor's shape.
    pub fn backward_states(
        &mut self,
        cache: &RnnCache,
        grad_output: &Tensor,
        grad_h_n: Option<&Tensor>,
        grad_c_n: Option<&Tensor>,
    ) -> Result<(Tensor, Tensor, Option<Tensor>)> {
        let c = self.config;
        let (t, b, hsz, nl) = (cache.t, cache.b, c.hidden_size, c.num_layers);
        let batched = cache.x_shape.len() == 3;
        let out_shape = self.output_shape(&cache.x_shape)?;
        grad_output.expect_shape("rnn_backward", &out_shape)?;
        for gs in [grad_h_n, grad_c_n].into_iter().flatten() {
            gs.expect_shape("rnn_backward", &cache.state_shape)?;
        }
        let mut d_seq = if batched && c.batch_first {
            grad_output.transpose(0, 1)?.into_vec()
        } else {
            grad_output.data().to_vec()
        };
        let lstm = self.mode == RnnMode::Lstm;
        let g = self.mode.gates() * hsz;
        let bh_len = b * hsz;
        let mut dh0 = vec![0.0f32; nl * bh_len];
        let mut dc0 = vec![0.0f32; nl * bh_len];
        for k in (0..nl).rev() {
            let lc = &cache.layers[k];
            let layer = &mut self.layers[k];
            let inp = lc.x.len().checked_div(t * b).unwrap_or(0);
            let slice = |o: Option<&Tensor>| {
                o.map_or(vec![0.0; bh_len], |v| {
                    v.data()[k * bh_len..(k + 1) * bh_len].to_vec()
                })
            };
            let (mut dh, mut dc) = (slice(grad_h_n), slice(grad_c_n));
            let mut dgi_all = vec![0.0f32; t * b * g];
            let mut dgh = vec![0.0f32; b * g];
            let mut dh_prev = vec![0.0f32; bh_len];
            let mut dc_prev = vec![0.0f32; bh_len];
            let mut dw_hh = vec![0.0f32; g * hsz];
            let whh = layer.weight_hh.value.data().to_vec();
            for s in (0..t).rev() {
                dh.iter_mut()
                    .zip(&d_seq[s * bh_len..(s + 1) * bh_len])
                    .for_each(|(a, &v)| *a += v);
                fn at(v: &[f32], i: usize, n: usize) -> &[f32] {
                    &v[i * n..(i + 1) * n]
                }
                let step = |v, i| at(v, i, bh_len);
                let gi = &lc.gi[s * b * g..(s + 1) * b * g];
                let gh = &lc.gh[s * b * g..(s + 1) * b * g];
                let out = StepGrads {
                    dgi: &mut dgi_all[s * b * g..(s + 1) * b * g],
                    dgh: &mut dgh,
                    dh_prev: &mut dh_prev,
                    dc_prev: &mut dc_prev,
                };
                match self.mode {
                    RnnMode::RnnTanh => rnn_step_backward(step(&lc.h, s + 1), &dh, false, out),
                    RnnMode::RnnRelu => rnn_step_backward(step(&lc.h, s + 1), &dh, true, out),
                    RnnMode::Lstm => lstm_step_backward(
                        gi,
                        gh,
                        step(&lc.c, s),
                        step(&lc.c, s + 1),
                        &dh,
                        &dc,
                        hsz,
                        out,
                    ),
                    RnnMode::Gru => gru_step_backward(gi, gh, step(&lc.h, s), &dh, hsz, out),
                }
                // dh_{t-1} = direct path + dgh · W_hh; dW_hh += dghᵀ · h_{t-1}.
                let dghm = MatRef::row_major(&dgh, b, g);
                sgemm(dghm, MatRef::row_major(&whh, g, hsz), &mut dh_prev, true);
                sgemm(
                    dghm.t(),
                    MatRef::row_major(step(&lc.h, s), b, hsz),
                    &mut dw_hh,
                    true,
                );
                if let Some(bh) = layer.bias_hh.as_mut() {
                    for row in dgh.chunks(g) {
                        bh.grad
                            .data_mut()
                            .iter_mut()
                            .zip(row)
                            .for_each(|(a, &v)| *a += v);
                    }
                }
                std::mem::swap(&mut dh, &mut dh_prev);
                if lstm {
                    std::mem::swap(&mut dc, &mut dc_prev);
                }
            }
            dh0[k * bh_len..(k + 1) * bh_len].copy_from_slice(&dh);
            dc0[k * bh_len..(k + 1) * bh_len].copy_from_slice(&dc);
            accumulate_slice(layer.weight_hh.grad.data_mut(), &dw_hh);
            // dX = dGI · W_ih; dW_ih += dGIᵀ · X; db_ih += Σ_rows dGI.
            let dgim = MatRef::row_major(&dgi_all, t * b, g);
            let mut dx = vec![0.0f32; t * b * inp];
            let mut dw_ih = vec![0.0f32; g * inp];
            if t * b > 0 && inp > 0 {
                sgemm(
                    dgim,
                    MatRef::row_major(layer.weight_ih.value.data(), g, inp),
                    &mut dx,
                    false,
                );
                sgemm(
                    dgim.t(),
                    MatRef::row_major(&lc.x, t * b, inp),
                    &mut dw_ih,
                    false,
                );
            }
            accumulate_slice(layer.weight_ih.grad.data_mut(), &dw_ih);
            if let Some(bi) = layer.bias_ih.as_mut() {
                for row in dgi_all.chunks(g) {
                    bi.grad
                        .data_mut()
                        .iter_mut()
                        .zip(row)
                        .for_each(|(a, &v)| *a += v);
                }
            }
            d_seq = dx;
        }
        let mut dx = if batched && c.batch_first {
            let (a, bb, i) = (cache.x_shape[0], cache.x_shape[1], cache.x_shape[2]);
            Tensor::from_vec(&[bb, a, i], d_seq)?.transpose(0, 1)?
        } else {
            Tensor::from_vec(&cache.x_shape, d_seq)?
        };
        if dx.shape() != cache.x_shape.as_slice() {
            dx = Tensor::from_vec(&cache.x_shape, dx.into_vec())?;
        }
        let dh0 = Tensor::from_vec(&cache.state_shape, dh0)?;
        let dc0 = lstm
            .then(|| Tensor::from_vec(&cache.state_shape, dc0))
            .transpose()?;
        Ok((dx, dh0, dc0))
    }
}
