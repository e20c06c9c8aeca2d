//! `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True)`
//! (groups 1, dilation 1, zero padding).
//!
//! Parameters (state_dict names): `weight` `[O, C, kh, kw]`, `bias` `[O]`, initialised as
//! PyTorch does with `fan_in = C·kh·kw`.
//!
//! ```
//! use nnbook::nn::{Conv2d, Conv2dConfig, Module};
//! let conv = Conv2d::new(3, 32, [5, 5], [1, 1], [2, 2], true);
//! assert_eq!(conv.repr(0), "Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))");
//! assert_eq!(conv.output_shape(&[64, 3, 32, 32]).unwrap(), vec![64, 32, 32, 32]);
//! let conv = Conv2dConfig::new(3, 8, [3, 3]).with_stride([2, 2]).with_bias(false).init();
//! assert_eq!(conv.repr(0), "Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), bias=False)");
//! ```

use crate::error::Result;
use crate::nn::linear::{accumulate, cache_input, no_forward};
use crate::nn::module::{visit_weight_and_bias, weight_and_bias, weight_and_bias_mut};
use crate::nn::{init, Module, Param};
use crate::ops::conv2d::winograd::{conv2d_winograd, WinogradPlan, WinogradWeights};
use crate::ops::conv2d::{conv2d_backward_with, conv2d_forward, conv2d_output_shape, Conv2dParams};
use crate::tensor::Tensor;

/// A 2-d convolution. `x`: `[N, C, H, W]` (or `[C, H, W]`) → `y`: `[N, O, Ho, Wo]`.
#[derive(Clone, Debug)]
pub struct Conv2d {
    pub in_channels: usize,
    pub out_channels: usize,
    pub kernel_size: [usize; 2],
    pub params: Conv2dParams,
    /// `[O, C, kh, kw]`.
    pub weight: Param,
    /// `[O]`.
    pub bias: Option<Param>,
    /// Whether `backward` computes `dL/dx` (default `true`). Set it to `false` on a layer whose
    /// input needs no gradient (a model's first layer on images, like an input tensor without
    /// `requires_grad` in PyTorch): `backward` then returns zeros and skips a third of its work.
    pub input_grad: bool,
    x: Option<Tensor>,
    /// Winograd-transformed weights for [`Module::infer`], recomputed when `weight` changes.
    winograd: Option<WinogradWeights>,
}

impl Conv2d {
    /// The Winograd plan `infer` uses for this layer's weights, if any.
    fn winograd_plan(&self) -> Option<WinogradPlan> {
        match self.weight.value.shape() {
            [_, c, kh, kw] => WinogradPlan::for_conv([*kh, *kw], self.params, *c),
            _ => None,
        }
    }

    /// `nn.Conv2d.__init__`'s arguments nnbook accepts, in PyTorch's order (shared by the
    /// notebook, the layer-spec parser and the golden runner).
    pub const ARGS: &'static [&'static str] = &[
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "bias",
    ];

    /// `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, bias=bias)`, with
    /// PyTorch's default initialisation from the global generator (weight, then bias).
    /// Bad hyper-parameters (zero stride, kernel larger than the input) are reported by
    /// `forward`/`output_shape`, as PyTorch does.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel_size: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
        bias: bool,
    ) -> Conv2d {
        let fan_in = in_channels * kernel_size[0] * kernel_size[1];
        let weight = Param::new(init::kaiming_uniform(
            &[out_channels, in_channels, kernel_size[0], kernel_size[1]],
            fan_in,
        ));
        let bias = bias.then(|| Param::new(init::bias_uniform(out_channels, fan_in)));
        Conv2d {
            in_channels,
            out_channels,
            kernel_size,
            params: Conv2dParams { stride, padding },
            weight,
            bias,
            input_grad: true,
            x: None,
            winograd: None,
        }
    }
}

/// Builder for [`Conv2d`]: `Conv2dConfig::new(3, 32, [5, 5]).with_padding([2, 2]).init()`
/// (defaults: stride 1, padding 0, bias).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv2dConfig {
    pub in_channels: usize,
    pub out_channels: usize,
    pub kernel_size: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub bias: bool,
}

impl Conv2dConfig {
    /// Stride `[1, 1]`, padding `[0, 0]`, with bias.
    pub fn new(in_channels: usize, out_channels: usize, kernel_size: [usize; 2]) -> Self {
        Conv2dConfig {
            in_channels,
            out_channels,
            kernel_size,
            stride: [1, 1],
            padding: [0, 0],
            bias: true,
        }
    }
    /// Sets the stride.
    pub fn with_stride(self, stride: [usize; 2]) -> Self {
        Conv2dConfig { stride, ..self }
    }
    /// Sets the zero padding.
    pub fn with_padding(self, padding: [usize; 2]) -> Self {
        Conv2dConfig { padding, ..self }
    }
    /// With or without bias.
    pub fn with_bias(self, bias: bool) -> Self {
        Conv2dConfig { bias, ..self }
    }
    /// Builds the layer (initialising its parameters).
    pub fn init(self) -> Conv2d {
        Conv2d::new(
            self.in_channels,
            self.out_channels,
            self.kernel_size,
            self.stride,
            self.padding,
            self.bias,
        )
    }
}

impl Module for Conv2d {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let b = self.bias.as_ref().map(|b| &b.value);
        let y = conv2d_forward(x, &self.weight.value, b, self.params)?;
        cache_input(&mut self.x, x);
        Ok(y)
    }

    /// Winograd (`WinogradPlan::for_conv`: square 2×2 to 7×7 kernels, stride 1, ≥ 8 input
    /// channels — the CIFAR-10 model's second and third convolutions); otherwise
    /// `conv2d_forward`. Nothing is cached for backward.
    fn infer(&mut self, x: &Tensor) -> Result<Tensor> {
        let b = self.bias.as_ref().map(|b| &b.value);
        let plan = self.winograd_plan();
        let Some(plan) = plan else {
            return conv2d_forward(x, &self.weight.value, b, self.params);
        };
        let weights = match self.winograd.take() {
            Some(w) if w.matches(&self.weight.value) => w,
            _ => WinogradWeights::new(plan, &self.weight.value)?,
        };
        let y = conv2d_winograd(x, &weights, b, self.params.padding);
        self.winograd = Some(weights);
        y
    }

    fn prepare_infer(&mut self) -> Result<()> {
        if let Some(plan) = self.winograd_plan() {
            if !self
                .winograd
                .as_ref()
                .is_some_and(|w| w.matches(&self.weight.value))
            {
                self.winograd = Some(WinogradWeights::new(plan, &self.weight.value)?);
            }
        }
        Ok(())
    }

    /// As `infer`, using the transformed weights from `prepare_infer` (computed afresh, not
    /// kept, when they are stale).
    fn infer_shared(&self, x: &Tensor) -> Option<Result<Tensor>> {
        let b = self.bias.as_ref().map(|b| &b.value);
        let Some(plan) = self.winograd_plan() else {
            return Some(conv2d_forward(x, &self.weight.value, b, self.params));
        };
        Some(match self.winograd.as_ref() {
            Some(w) if w.matches(&self.weight.value) => {
                conv2d_winograd(x, w, b, self.params.padding)
            }
            _ => WinogradWeights::new(plan, &self.weight.value)
                .and_then(|w| conv2d_winograd(x, &w, b, self.params.padding)),
        })
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let x = self.x.as_ref().ok_or_else(|| no_forward("Conv2d"))?;
        let has_bias = self.bias.is_some();
        let g = conv2d_backward_with(
            x,
            &self.weight.value,
            has_bias,
            grad_y,
            self.params,
            self.input_grad,
        )?;
        accumulate(&mut self.weight.grad, &g.weight);
        if let (Some(b), Some(gb)) = (self.bias.as_mut(), g.bias.as_ref()) {
            accumulate(&mut b.grad, gb);
        }
        Ok(g.x)
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        weight_and_bias(&self.weight, self.bias.as_ref())
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        weight_and_bias_mut(&mut self.weight, self.bias.as_mut())
    }

    fn visit_parameters_mut(&mut self, prefix: &mut String, f: &mut dyn FnMut(&str, &mut Param)) {
        visit_weight_and_bias(&mut self.weight, self.bias.as_mut(), prefix, f)
    }

    fn zero_grad(&mut self) {
        self.weight.zero_grad();
        if let Some(b) = self.bias.as_mut() {
            b.zero_grad();
        }
    }

    /// `Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))`: padding only when
    /// non-zero, `bias=False` only without bias (PyTorch's `extra_repr`).
    fn repr(&self, _indent: usize) -> String {
        let pair = |p: [usize; 2]| format!("({}, {})", p[0], p[1]);
        let mut s = format!(
            "Conv2d({}, {}, kernel_size={}, stride={}",
            self.in_channels,
            self.out_channels,
            pair(self.kernel_size),
            pair(self.params.stride)
        );
        if self.params.padding != [0, 0] {
            s += &format!(", padding={}", pair(self.params.padding));
        }
        if self.bias.is_none() {
            s += ", bias=False";
        }
        s + ")"
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        conv2d_output_shape(input, self.weight.value.shape(), self.params)
    }

    /// `N · O · Ho · Wo · C · kh · kw` (bias adds not counted).
    fn mult_adds(&self, input: &[usize]) -> u64 {
        match self.output_shape(input) {
            Ok(y) => {
                let per_out = self.in_channels * self.kernel_size[0] * self.kernel_size[1];
                (y.iter().product::<usize>() * per_out) as u64
            }
            Err(_) => 0,
        }
    }
}
