//! `nn.RNN`, `nn.LSTM`, `nn.GRU` (unidirectional, any `num_layers`, `batch_first` both ways,
//! batched `[T, B, I]` / `[B, T, I]` or unbatched `[T, I]` input), forward and backward
//! (backpropagation through time, [`RnnBase::backward_states`]).
//!
//! Parameters per layer `k` (state_dict names, PyTorch's order): `weight_ih_lk` `[G, I_k]`,
//! `weight_hh_lk` `[G, H]`, `bias_ih_lk` `[G]`, `bias_hh_lk` `[G]` with `G = H` (RNN), `4H`
//! (LSTM, gates i, f, g, o) or `3H` (GRU, gates r, z, n); `I_0 = input_size`, `I_k = H` above.
//! All are initialised as PyTorch does: `uniform_(-1/√H, 1/√H)` from the global generator in
//! that order. The cell formulas are in [`crate::ops::rnn_cells`].
//!
//! ```
//! use nnbook::nn::{Module, RnnConfig, LSTM};
//! use nnbook::Tensor;
//! let mut lstm = LSTM::new(RnnConfig::new(4, 5).with_num_layers(2).with_batch_first(true)).unwrap();
//! assert_eq!(lstm.repr(0), "LSTM(4, 5, num_layers=2, batch_first=True)");
//! let (out, (h_n, c_n)) = lstm.forward_with(&Tensor::zeros(&[3, 7, 4]).unwrap(), None).unwrap();
//! assert_eq!((out.shape(), h_n.shape(), c_n.shape()), (&[3, 7, 5][..], &[2, 3, 5][..], &[2, 3, 5][..]));
//! ```

use crate::error::{fmt_shape, Error, Result};
use crate::nn::layer_norm::py_bool;
use crate::nn::linear::no_forward;
use crate::nn::rnn_bptt::LayerCache;
pub use crate::nn::rnn_bptt::RnnCache;
use crate::nn::{init, Module, Param};
use crate::ops::rnn_cells::{affine_rows, gru_step, lstm_step, rnn_step};
use crate::tensor::{guard, Tensor};

/// Which recurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RnnMode {
    /// `nn.RNN(nonlinearity='tanh')`.
    RnnTanh,
    /// `nn.RNN(nonlinearity='relu')`.
    RnnRelu,
    /// `nn.LSTM`.
    Lstm,
    /// `nn.GRU`.
    Gru,
}

impl RnnMode {
    /// Gates per hidden unit: 1, 4 or 3.
    pub fn gates(self) -> usize {
        match self {
            RnnMode::RnnTanh | RnnMode::RnnRelu => 1,
            RnnMode::Lstm => 4,
            RnnMode::Gru => 3,
        }
    }

    /// The class name PyTorch prints: `RNN`, `LSTM`, `GRU`.
    pub fn name(self) -> &'static str {
        match self {
            RnnMode::RnnTanh | RnnMode::RnnRelu => "RNN",
            RnnMode::Lstm => "LSTM",
            RnnMode::Gru => "GRU",
        }
    }
}

/// Hyper-parameters shared by RNN, LSTM and GRU, with PyTorch's defaults
/// (`num_layers=1`, `bias=True`, `batch_first=False`, `nonlinearity='tanh'`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RnnConfig {
    pub input_size: usize,
    pub hidden_size: usize,
    pub num_layers: usize,
    pub bias: bool,
    pub batch_first: bool,
    /// `nonlinearity='relu'` (RNN only; ignored by LSTM and GRU).
    pub relu: bool,
}

impl RnnConfig {
    /// `(input_size, hidden_size)` with the defaults.
    pub fn new(input_size: usize, hidden_size: usize) -> RnnConfig {
        RnnConfig {
            input_size,
            hidden_size,
            num_layers: 1,
            bias: true,
            batch_first: false,
            relu: false,
        }
    }
    /// Sets `num_layers`.
    pub fn with_num_layers(self, num_layers: usize) -> Self {
        RnnConfig { num_layers, ..self }
    }
    /// Sets `bias`.
    pub fn with_bias(self, bias: bool) -> Self {
        RnnConfig { bias, ..self }
    }
    /// Sets `batch_first`.
    pub fn with_batch_first(self, batch_first: bool) -> Self {
        RnnConfig {
            batch_first,
            ..self
        }
    }
    /// Sets `nonlinearity='relu'` (true) or `'tanh'` (false).
    pub fn with_relu(self, relu: bool) -> Self {
        RnnConfig { relu, ..self }
    }
}

/// One layer's parameters.
#[derive(Clone, Debug)]
pub struct RnnLayer {
    /// `[G, I_k]`.
    pub weight_ih: Param,
    /// `[G, H]`.
    pub weight_hh: Param,
    /// `[G]`.
    pub bias_ih: Option<Param>,
    /// `[G]`.
    pub bias_hh: Option<Param>,
}

/// The shared implementation of RNN, LSTM and GRU (PyTorch's `RNNBase`).
#[derive(Clone, Debug)]
pub struct RnnBase {
    pub mode: RnnMode,
    pub config: RnnConfig,
    /// `num_layers` layers, bottom first.
    pub layers: Vec<RnnLayer>,
}

/// What a forward returns besides the output: `h_n` (and `c_n` for LSTM), each
/// `[num_layers, B, H]` (`[num_layers, H]` unbatched).
type Finals = (Tensor, Option<Tensor>);

impl RnnBase {
    /// Parameters of `mode` with PyTorch's initialisation from the global generator.
    ///
    /// # Errors
    /// `ValueError` for `num_layers == 0` or `hidden_size == 0` (PyTorch's texts);
    /// [`Error::TooLarge`] past the size guard.
    pub fn new(mode: RnnMode, config: RnnConfig) -> Result<RnnBase> {
        let c = config;
        if c.hidden_size == 0 {
            return Err(Error::value(
                "RNNBase",
                "hidden_size must be greater than zero",
            ));
        }
        if c.num_layers == 0 {
            return Err(Error::value(
                "RNNBase",
                "num_layers must be greater than zero",
            ));
        }
        let g = mode.gates() * c.hidden_size;
        let bound = 1.0 / (c.hidden_size as f64).sqrt();
        let mut layers = Vec::with_capacity(c.num_layers);
        for k in 0..c.num_layers {
            let inp = if k == 0 { c.input_size } else { c.hidden_size };
            guard::check_numel("RNNBase", &[g, inp.max(c.hidden_size)])?;
            let weight_ih = Param::new(init::uniform(&[g, inp], bound)?);
            let weight_hh = Param::new(init::uniform(&[g, c.hidden_size], bound)?);
            let (bias_ih, bias_hh) = if c.bias {
                let bi = Param::new(init::uniform(&[g], bound)?);
                let bh = Param::new(init::uniform(&[g], bound)?);
                (Some(bi), Some(bh))
            } else {
                (None, None)
            };
            layers.push(RnnLayer {
                weight_ih,
                weight_hh,
                bias_ih,
                bias_hh,
            });
        }
        Ok(RnnBase {
            mode,
            config,
            layers,
        })
    }

    /// `(T, B, batched)` of `x` after PyTorch's input checks.
    fn input_dims(&self, x: &[usize]) -> Result<(usize, usize, bool)> {
        let c = &self.config;
        let (t, b, batched) = match *x {
            [t, _] => (t, 1, false),
            [a, bb, _] if c.batch_first => (bb, a, true),
            [t, bb, _] => (t, bb, true),
            _ => {
                return Err(Error::value(
                    self.mode.name(),
                    format!(
                        "{}: Expected input to be 2D or 3D, got {}D {}instead",
                        self.mode.name(),
                        x.len(),
                        // PyTorch 2.15's RNN says "tensor", LSTM and GRU do not.
                        if self.mode.gates() == 1 {
                            "tensor "
                        } else {
                            ""
                        }
                    ),
                ));
            }
        };
        Ok((t, b, batched))
    }

    fn check_input_size(&self, x: &[usize]) -> Result<()> {
        let got = x.last().copied().unwrap_or(0);
        if got != self.config.input_size {
            return Err(Error::runtime(
                self.mode.name(),
                format!(
                    "input.size(-1) must be equal to input_size. Expected {}, got {}",
                    self.config.input_size, got
                ),
            ));
        }
        Ok(())
    }

    /// `hx` checked against the expected `[num_layers, B, H]` (`[num_layers, H]` unbatched),
    /// with PyTorch's text naming it `hidden` (RNN, GRU) or `hidden[0]` / `hidden[1]` (LSTM).
    fn check_hidden(&self, h: &Tensor, what: &str, b: usize, batched: bool) -> Result<()> {
        let c = &self.config;
        let want: Vec<usize> = if batched {
            vec![c.num_layers, b, c.hidden_size]
        } else {
            vec![c.num_layers, c.hidden_size]
        };
        if h.shape() != want.as_slice() {
            // PyTorch unsqueezes an unbatched state to [num_layers, 1, H] before this check.
            let (want, got) = if batched {
                (want, h.shape().to_vec())
            } else {
                let mut g = h.shape().to_vec();
                g.insert(1.min(g.len()), 1);
                (vec![c.num_layers, 1, c.hidden_size], g)
            };
            let tuple = format!(
                "({})",
                want.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Err(Error::runtime(
                self.mode.name(),
                format!("Expected {what} size {tuple}, got {}", fmt_shape(&got)),
            ));
        }
        Ok(())
    }

    /// The dimension check PyTorch makes on `hx` before the size check.
    fn check_hidden_ndim(&self, hs: &[&Tensor], batched: bool) -> Result<()> {
        let (want, input) = if batched {
            (3, "batched 3-D")
        } else {
            (2, "unbatched 2-D")
        };
        if hs.iter().all(|h| h.ndim() == want) {
            return Ok(());
        }
        let msg = if let [h, c] = hs {
            format!(
                "For {input} input, hx and cx should also be {want}-D but got ({}-D, {}-D) tensors",
                h.ndim(),
                c.ndim()
            )
        } else {
            format!(
                "For {input} input, hx should also be {want}-D but got {}-D tensor",
                hs[0].ndim()
            )
        };
        Err(Error::runtime(self.mode.name(), msg))
    }

    /// The forward of every mode: `x` and optional initial states (`h0`, and `c0` for LSTM,
    /// each `[num_layers, B, H]`, or `[num_layers, H]` unbatched) → output `[T, B, H]`
    /// (`[B, T, H]` with `batch_first`, `[T, H]` unbatched) and the final states.
    ///
    /// # Errors
    /// PyTorch's texts for the input's rank, its last dim and the states' shapes.
    pub fn forward_states(
        &self,
        x: &Tensor,
        h0: Option<&Tensor>,
        c0: Option<&Tensor>,
    ) -> Result<(Tensor, Finals)> {
        self.run(x, h0, c0, false).map(|(y, f, _)| (y, f))
    }

    /// [`RnnBase::forward_states`] that also returns what [`RnnBase::backward_states`] needs.
    ///
    /// # Errors
    /// As [`RnnBase::forward_states`].
    pub fn forward_cached(
        &self,
        x: &Tensor,
        h0: Option<&Tensor>,
        c0: Option<&Tensor>,
    ) -> Result<(Tensor, Finals, RnnCache)> {
        let (y, f, cache) = self.run(x, h0, c0, true)?;
        let cache = cache.ok_or_else(|| no_backward(self.mode.name()))?;
        Ok((y, f, cache))
    }

    fn run(
        &self,
        x: &Tensor,
        h0: Option<&Tensor>,
        c0: Option<&Tensor>,
        keep: bool,
    ) -> Result<(Tensor, Finals, Option<RnnCache>)> {
        let (t, b, batched) = self.input_dims(x.shape())?;
        let hs: Vec<&Tensor> = h0.into_iter().chain(c0).collect();
        if !hs.is_empty() {
            self.check_hidden_ndim(&hs, batched)?;
        }
        self.check_input_size(x.shape())?;
        let lstm = self.mode == RnnMode::Lstm;
        for (k, h) in hs.iter().enumerate() {
            let what = if lstm {
                format!("hidden[{k}]")
            } else {
                "hidden".into()
            };
            self.check_hidden(h, &what, b, batched)?;
        }
        let c = self.config;
        let (hsz, nl) = (c.hidden_size, c.num_layers);
        guard::check_numel(
            self.mode.name(),
            &[t, b, (self.mode.gates() * hsz).max(c.input_size)],
        )?;
        // Time-major input [T, B, I].
        let mut seq = if batched && c.batch_first {
            x.transpose(0, 1)?.into_vec()
        } else {
            x.data().to_vec()
        };
        let zeros = vec![0.0f32; nl * b * hsz];
        let mut h_n = h0.map_or_else(|| zeros.clone(), |h| h.data().to_vec());
        let mut c_n = lstm.then(|| c0.map_or_else(|| zeros.clone(), |c| c.data().to_vec()));
        let g = self.mode.gates() * hsz;
        let mut caches = Vec::new();
        for (k, layer) in self.layers.iter().enumerate() {
            let bias = |p: &Option<Param>| p.as_ref().map(|p| p.value.data().to_vec());
            let (bi, bh) = (bias(&layer.bias_ih), bias(&layer.bias_hh));
            let gi_all = affine_rows(&seq, t * b, layer.weight_ih.value.data(), g, bi.as_deref());
            let h = &mut h_n[k * b * hsz..(k + 1) * b * hsz];
            let mut lc = keep.then(|| LayerCache {
                x: seq.clone(),
                gh: Vec::with_capacity(t * b * g),
                h: h.to_vec(),
                c: c_n
                    .as_ref()
                    .map_or(Vec::new(), |c| c[k * b * hsz..(k + 1) * b * hsz].to_vec()),
                gi: Vec::new(),
            });
            let mut out = vec![0.0f32; t * b * hsz];
            for s in 0..t {
                let gh = affine_rows(h, b, layer.weight_hh.value.data(), g, bh.as_deref());
                let gi = &gi_all[s * b * g..(s + 1) * b * g];
                match self.mode {
                    RnnMode::RnnTanh => rnn_step(gi, &gh, h, false),
                    RnnMode::RnnRelu => rnn_step(gi, &gh, h, true),
                    RnnMode::Gru => gru_step(gi, &gh, h, hsz),
                    RnnMode::Lstm => {
                        let cs = c_n.as_mut().expect("LSTM has a cell state");
                        lstm_step(gi, &gh, h, &mut cs[k * b * hsz..(k + 1) * b * hsz], hsz);
                    }
                }
                out[s * b * hsz..(s + 1) * b * hsz].copy_from_slice(h);
                if let Some(lc) = lc.as_mut() {
                    lc.gh.extend_from_slice(&gh);
                    lc.h.extend_from_slice(h);
                    if let Some(cs) = c_n.as_ref() {
                        lc.c.extend_from_slice(&cs[k * b * hsz..(k + 1) * b * hsz]);
                    }
                }
            }
            if let Some(mut lc) = lc {
                lc.gi = gi_all;
                caches.push(lc);
            }
            seq = out;
        }
        let (out_shape, state_shape) = if batched {
            (vec![t, b, hsz], vec![nl, b, hsz])
        } else {
            (vec![t, hsz], vec![nl, hsz])
        };
        let mut output = Tensor::from_vec(&out_shape, seq)?;
        if batched && c.batch_first {
            output = output.transpose(0, 1)?;
        }
        let h_n = Tensor::from_vec(&state_shape, h_n)?;
        let c_n = c_n.map(|v| Tensor::from_vec(&state_shape, v)).transpose()?;
        let cache = keep.then(|| RnnCache {
            x_shape: x.shape().to_vec(),
            state_shape,
            t,
            b,
            layers: caches,
        });
        Ok((output, (h_n, c_n), cache))
    }

    /// Output shape for an input shape (PyTorch's errors where it does not fit).
    ///
    /// # Errors
    /// As [`RnnBase::forward_states`].
    pub fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let (t, b, batched) = self.input_dims(input)?;
        self.check_input_size(input)?;
        let h = self.config.hidden_size;
        Ok(match (batched, self.config.batch_first) {
            (false, _) => vec![t, h],
            (true, true) => vec![b, t, h],
            (true, false) => vec![t, b, h],
        })
    }

    /// `weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_ih_l1, …`.
    pub fn named_parameters(&self) -> Vec<(String, &Param)> {
        let mut v = Vec::new();
        for (k, l) in self.layers.iter().enumerate() {
            v.push((format!("weight_ih_l{k}"), &l.weight_ih));
            v.push((format!("weight_hh_l{k}"), &l.weight_hh));
            v.extend(l.bias_ih.as_ref().map(|p| (format!("bias_ih_l{k}"), p)));
            v.extend(l.bias_hh.as_ref().map(|p| (format!("bias_hh_l{k}"), p)));
        }
        v
    }

    /// Mutable version of [`RnnBase::named_parameters`].
    pub fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        let mut v = Vec::new();
        for (k, l) in self.layers.iter_mut().enumerate() {
            v.push((format!("weight_ih_l{k}"), &mut l.weight_ih));
            v.push((format!("weight_hh_l{k}"), &mut l.weight_hh));
            v.extend(l.bias_ih.as_mut().map(|p| (format!("bias_ih_l{k}"), p)));
            v.extend(l.bias_hh.as_mut().map(|p| (format!("bias_hh_l{k}"), p)));
        }
        v
    }

    /// `RNN(4, 5)`, `LSTM(4, 5, num_layers=2, bias=False, batch_first=True)`: non-default
    /// options only, in PyTorch's order (PyTorch 2.15 does not print `nonlinearity`).
    pub fn repr(&self) -> String {
        let c = &self.config;
        let mut s = format!("{}({}, {}", self.mode.name(), c.input_size, c.hidden_size);
        if c.num_layers != 1 {
            s += &format!(", num_layers={}", c.num_layers);
        }
        if !c.bias {
            s += &format!(", bias={}", py_bool(c.bias));
        }
        if c.batch_first {
            s += ", batch_first=True";
        }
        s + ")"
    }

    /// Multiply-adds of the GEMMs for an input shape.
    pub fn mult_adds(&self, input: &[usize]) -> u64 {
        let Ok((t, b, _)) = self.input_dims(input) else {
            return 0;
        };
        let c = &self.config;
        let g = (self.mode.gates() * c.hidden_size) as u64;
        let per_step: u64 = (0..c.num_layers)
            .map(|k| {
                let i = if k == 0 { c.input_size } else { c.hidden_size };
                g * (i + c.hidden_size) as u64
            })
            .sum();
        per_step * (t * b) as u64
    }
}

/// The error for the backward, which the recurrent layers do not have yet.
fn no_backward(name: &'static str) -> Error {
    Error::runtime(
        name,
        format!("{name}: backward is not implemented in nnbook yet"),
    )
}

macro_rules! recurrent_module {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Debug)]
        pub struct $name {
            pub base: RnnBase,
            cache: Option<RnnCache>,
        }

        impl $name {
            /// Backpropagation through time for the last forward ([`Module::forward`] or
            /// `forward_with`): adds the parameter gradients and returns `(dx, dh0, dc0)`
            /// (`dc0` only for LSTM). `grad_h_n` / `grad_c_n` default to zero.
            ///
            /// # Errors
            /// When there was no forward, or a gradient has the wrong shape.
            pub fn backward_states(
                &mut self,
                grad_output: &Tensor,
                grad_h_n: Option<&Tensor>,
                grad_c_n: Option<&Tensor>,
            ) -> Result<(Tensor, Tensor, Option<Tensor>)> {
                let name = self.base.mode.name();
                let cache = self.cache.take().ok_or_else(|| no_forward(name))?;
                let r = self
                    .base
                    .backward_states(&cache, grad_output, grad_h_n, grad_c_n);
                self.cache = Some(cache);
                r
            }
        }

        impl Module for $name {
            /// The output sequence, with zero initial states (see `forward_with` for the
            /// final states).
            fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
                let (y, _, cache) = self.base.forward_cached(x, None, None)?;
                self.cache = Some(cache);
                Ok(y)
            }

            /// `dL/dx` for `dL/doutput` (with `dL/dh_n = 0`).
            fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
                Ok(self.backward_states(grad_y, None, None)?.0)
            }

            fn named_parameters(&self) -> Vec<(String, &Param)> {
                self.base.named_parameters()
            }

            fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
                self.base.named_parameters_mut()
            }

            fn repr(&self, _indent: usize) -> String {
                self.base.repr()
            }

            fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
                self.base.output_shape(input)
            }

            fn mult_adds(&self, input: &[usize]) -> u64 {
                self.base.mult_adds(input)
            }
        }
    };
}

recurrent_module!(
    RNN,
    "`nn.RNN`: `h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)` (or relu), stacked `num_layers` deep."
);
recurrent_module!(
    LSTM,
    "`nn.LSTM`: gates i, f, g, o; returns `(output, (h_n, c_n))` from [`LSTM::forward_with`]."
);
recurrent_module!(
    GRU,
    "`nn.GRU`: gates r, z, n with `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))`."
);

impl RNN {
    /// `nn.RNN(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first)`.
    ///
    /// # Errors
    /// As [`RnnBase::new`].
    pub fn new(config: RnnConfig) -> Result<RNN> {
        let mode = if config.relu {
            RnnMode::RnnRelu
        } else {
            RnnMode::RnnTanh
        };
        Ok(RNN {
            base: RnnBase::new(mode, config)?,
            cache: None,
        })
    }

    /// `output, h_n = rnn(x, h0)`: `x` `[T, B, I]` (`[B, T, I]` batch_first, `[T, I]`
    /// unbatched), `h0` `[num_layers, B, H]` (zeros if `None`) → output `[T, B, H]`
    /// (`[B, T, H]`), `h_n` `[num_layers, B, H]`.
    ///
    /// # Errors
    /// PyTorch's texts, e.g. `input.size(-1) must be equal to input_size. Expected 4, got 3`,
    /// `Expected hidden size (1, 2, 5), got [1, 3, 5]`.
    pub fn forward_with(&mut self, x: &Tensor, h0: Option<&Tensor>) -> Result<(Tensor, Tensor)> {
        let (out, (h_n, _), cache) = self.base.forward_cached(x, h0, None)?;
        self.cache = Some(cache);
        Ok((out, h_n))
    }
}

impl GRU {
    /// `nn.GRU(input_size, hidden_size, num_layers, bias, batch_first)`.
    ///
    /// # Errors
    /// As [`RnnBase::new`].
    pub fn new(config: RnnConfig) -> Result<GRU> {
        Ok(GRU {
            base: RnnBase::new(RnnMode::Gru, config)?,
            cache: None,
        })
    }

    /// `output, h_n = gru(x, h0)`, shapes as [`RNN::forward_with`].
    ///
    /// # Errors
    /// As [`RNN::forward_with`].
    pub fn forward_with(&mut self, x: &Tensor, h0: Option<&Tensor>) -> Result<(Tensor, Tensor)> {
        let (out, (h_n, _), cache) = self.base.forward_cached(x, h0, None)?;
        self.cache = Some(cache);
        Ok((out, h_n))
    }
}

impl LSTM {
    /// `nn.LSTM(input_size, hidden_size, num_layers, bias, batch_first)`.
    ///
    /// # Errors
    /// As [`RnnBase::new`].
    pub fn new(config: RnnConfig) -> Result<LSTM> {
        Ok(LSTM {
            base: RnnBase::new(RnnMode::Lstm, config)?,
            cache: None,
        })
    }

    /// `output, (h_n, c_n) = lstm(x, (h0, c0))`: shapes as [`RNN::forward_with`], `c0`/`c_n`
    /// like `h0`/`h_n`.
    ///
    /// # Errors
    /// PyTorch's texts, e.g. `Expected hidden[1] size (1, 2, 5), got [1, 3, 5]`.
    pub fn forward_with(
        &mut self,
        x: &Tensor,
        hx: Option<(&Tensor, &Tensor)>,
    ) -> Result<(Tensor, (Tensor, Tensor))> {
        let (h0, c0) = hx.unzip();
        let (out, (h_n, c_n), cache) = self.base.forward_cached(x, h0, c0)?;
        self.cache = Some(cache);
        let c_n = c_n.ok_or_else(|| Error::runtime("LSTM", "LSTM: no cell state"))?;
        Ok((out, (h_n, c_n)))
    }
}
