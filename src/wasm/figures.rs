//! Exports for the lessons' figures (Linear shapes, reshape/flatten, the spatial transformer).
//! All computing is in [`crate::lessons`]; this file converts types and errors.
//!
//! Images cross as `Float32Array`s in `0..1` (CHW planar) or, for display, as RGBA
//! `Uint8Array`s; small results as plain objects (serde).

use super::to_js;
use crate::data::Dataset;
use crate::lessons::affine::{self, AffineParams, Distortion};
use crate::lessons::digits::batch;
use crate::lessons::shapes::{index_table, input_shape, shape_view, ShapeOp};
use crate::nn::{Linear, Module};
use crate::ops::grid_sample::{GridSampleMode, GridSampleOptions, PaddingMode};
use crate::rng::Rng;
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// Largest `Linear` these figures build (weights + bias), 16 Mi parameters (64 MiB).
pub const MAX_LINEAR_PARAMS: u128 = 1 << 24;
/// Largest tensor the reshape figure draws cell by cell.
pub const MAX_DRAWN_CELLS: usize = 1024;

fn ser<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn de<T: for<'a> Deserialize<'a>>(v: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(v)
        .map_err(|e| JsError::new(&format!("ValueError: bad {what} options: {e}")))
}

/// The size guard of these figures: refuses a `Linear(in, out)` whose parameters would not
/// fit [`MAX_LINEAR_PARAMS`], with a message saying how large it would be.
fn check_linear(in_f: usize, out_f: usize, bias: bool) -> Result<u64, JsError> {
    let params = in_f as u128 * out_f as u128 + if bias { out_f as u128 } else { 0 };
    if params > MAX_LINEAR_PARAMS {
        return Err(JsError::new(&format!(
            "ValueError: nn.Linear({in_f}, {out_f}) would have {params} parameters ({:.1} MB of float32); this page builds layers of up to {MAX_LINEAR_PARAMS} parameters",
            params as f64 * 4.0 / 1e6
        )));
    }
    Ok(params as u64)
}

#[derive(Serialize)]
struct LinearFigure {
    repr: String,
    params: u64,
    x_shape: [usize; 2],
    weight_shape: [usize; 2],
    y_shape: [usize; 2],
    /// `[out, in]` row-major, when at most 4096 values.
    weight: Option<Vec<f32>>,
    bias: Option<Vec<f32>>,
    weight_bound: f64,
    /// `x = torch.randn(N, in)` and `y = fc(x)`, when each is at most 4096 values.
    x: Option<Vec<f32>>,
    y: Option<Vec<f32>>,
}

/// `torch.manual_seed(seed); fc = nn.Linear(in_f, out_f, bias); x = torch.randn(n, in_f);
/// y = fc(x)` → `{repr, params, x_shape, weight_shape, y_shape, weight, bias, weight_bound, x, y}`
/// (values only when small enough to draw).
///
/// # Errors
/// The size guard's `ValueError` (see [`MAX_LINEAR_PARAMS`]); the size guard of `randn`.
#[wasm_bindgen(js_name = linearLayer)]
pub fn linear_layer(
    n: usize,
    in_f: usize,
    out_f: usize,
    bias: bool,
    seed: u32,
) -> Result<JsValue, JsError> {
    let params = check_linear(in_f, out_f, bias)?;
    crate::rng::manual_seed(seed as u64);
    let mut fc = Linear::new(in_f, out_f, bias);
    let small = |len: usize| len <= 4096;
    let (x, y) = if small(n * in_f) && small(n * out_f) {
        let x = crate::rng::randn(&[n, in_f]).map_err(to_js)?;
        let y = fc.forward(&x).map_err(to_js)?;
        (Some(x.into_vec()), Some(y.into_vec()))
    } else {
        (None, None)
    };
    ser(&LinearFigure {
        repr: fc.repr(0),
        params,
        x_shape: [n, in_f],
        weight_shape: [out_f, in_f],
        y_shape: [n, out_f],
        weight: small(in_f * out_f).then(|| fc.weight.value.data().to_vec()),
        bias: fc.bias.as_ref().map(|b| b.value.data().to_vec()),
        weight_bound: crate::nn::init::kaiming_uniform_bound(in_f),
        x,
        y,
    })
}

/// The reshape figure's request: the input shape and one shape op.
#[derive(Deserialize)]
pub(crate) struct ShapeArgs {
    pub in_shape: Vec<i64>,
    op: String,
    #[serde(default)]
    target: Vec<i64>,
    #[serde(default = "one")]
    start_dim: i64,
    #[serde(default = "minus_one")]
    end_dim: i64,
}

impl ShapeArgs {
    pub(crate) fn parse(args: JsValue) -> Result<ShapeArgs, JsError> {
        de(args, "shapeView")
    }

    /// The op asked for; `ValueError` for an unknown name.
    pub(crate) fn shape_op(&self) -> Result<ShapeOp, JsError> {
        Ok(match self.op.as_str() {
            "reshape" => ShapeOp::Reshape(self.target.clone()),
            "view" => ShapeOp::View(self.target.clone()),
            "flatten" => ShapeOp::Flatten {
                start_dim: self.start_dim,
                end_dim: self.end_dim,
            },
            "nn.Flatten" => ShapeOp::NnFlatten {
                start_dim: self.start_dim,
                end_dim: self.end_dim,
            },
            other => {
                return Err(JsError::new(&format!(
                    "ValueError: unknown shape op '{other}'"
                )))
            }
        })
    }
}

fn one() -> i64 {
    1
}

fn minus_one() -> i64 {
    -1
}

#[derive(Serialize)]
struct ShapeFigure {
    in_shape: Vec<usize>,
    out_shape: Vec<usize>,
    numel: usize,
    inferred: Option<usize>,
    /// Each element's index in the input / output shape (`numel × ndim`), when drawable.
    in_index: Option<Vec<u32>>,
    out_index: Option<Vec<u32>>,
}

/// `{in_shape, op: "reshape"|"view"|"flatten"|"nn.Flatten", target, start_dim, end_dim}` →
/// `{in_shape, out_shape, numel, inferred, in_index, out_index}`.
///
/// # Errors
/// PyTorch's texts (see [`crate::lessons::shapes::shape_view`]); an unknown `op`.
#[wasm_bindgen(js_name = shapeView)]
pub fn shape_view_js(args: JsValue) -> Result<JsValue, JsError> {
    let a = ShapeArgs::parse(args)?;
    let in_shape = input_shape(&a.in_shape).map_err(to_js)?;
    let op = a.shape_op()?;
    let v = shape_view(&in_shape, &op).map_err(to_js)?;
    ser(&ShapeFigure {
        in_index: index_table(&v.in_shape, MAX_DRAWN_CELLS),
        out_index: index_table(&v.out_shape, MAX_DRAWN_CELLS),
        in_shape: v.in_shape,
        out_shape: v.out_shape,
        numel: v.numel,
        inferred: v.inferred,
    })
}

/// A decoded `.nnbd` dataset living in the worker (`www/data/*.nnbd`).
#[wasm_bindgen]
pub struct LessonData {
    pub(crate) ds: Dataset,
}

#[derive(Serialize)]
struct Predictions {
    x_shape: Vec<usize>,
    flat_shape: Vec<usize>,
    repr: String,
    params: u64,
    y_shape: Vec<usize>,
    /// Predicted class name per output row (an untrained layer: the point is the count).
    predictions: Vec<String>,
}

#[wasm_bindgen]
impl LessonData {
    /// Decodes `bytes` (an NNBD file named `file`).
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8], file: &str) -> Result<LessonData, JsError> {
        let ds =
            Dataset::decode(bytes, file).map_err(|e| JsError::new(&format!("OSError: {e}")))?;
        Ok(LessonData { ds })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.ds.len()
    }

    /// Whether there are no images.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.ds.is_empty()
    }

    /// `[C, H, W]`.
    pub fn dims(&self) -> Vec<u32> {
        self.ds.dims().map(|d| d as u32).to_vec()
    }

    /// Class names in label order.
    #[wasm_bindgen(js_name = classNames)]
    pub fn class_names(&self) -> Vec<String> {
        self.ds.class_names.clone()
    }

    pub(crate) fn range(&self, start: usize, count: usize) -> Vec<usize> {
        (start..start + count)
            .map(|i| i % self.ds.len().max(1))
            .collect()
    }

    /// Images `start..start+count` (wrapping) as `[count, C, H, W]` floats in `0..1`.
    pub fn images(&self, start: usize, count: usize) -> Result<Vec<f32>, JsError> {
        Ok(batch(&self.ds, &self.range(start, count))
            .map_err(to_js)?
            .0
            .into_vec())
    }

    /// Labels of images `start..start+count` (wrapping).
    pub fn labels(&self, start: usize, count: usize) -> Vec<i32> {
        self.range(start, count)
            .into_iter()
            .map(|i| self.ds.labels[i] as i32)
            .collect()
    }

    /// The classic mistake, on images `0..count` (`[count, C, H, W]`):
    /// `flat = torch.flatten(imgs, start_dim, end_dim)`, then
    /// `nn.Linear(in_features, out_features)(flat)` (seeded with `seed`) →
    /// `{x_shape, flat_shape, repr, params, y_shape, predictions}`.
    ///
    /// # Errors
    /// PyTorch's: `addmm: mat1 and mat2 shapes cannot be multiplied (64x3072 and 196608x10)`,
    /// flatten's dim errors; the size guard's `ValueError`.
    #[wasm_bindgen(js_name = flattenLinear)]
    pub fn flatten_linear(
        &self,
        count: usize,
        start_dim: i64,
        end_dim: i64,
        in_features: usize,
        out_features: usize,
        seed: u32,
    ) -> Result<JsValue, JsError> {
        let (x, _) = batch(&self.ds, &self.range(0, count)).map_err(to_js)?;
        let flat = x.flatten(start_dim, end_dim).map_err(to_js)?;
        let params = check_linear(in_features, out_features, true)?;
        crate::rng::manual_seed(seed as u64);
        let mut fc = Linear::new(in_features, out_features, true);
        let y = fc.forward(&flat).map_err(to_js)?;
        let classes = y.shape().last().copied().unwrap_or(1).max(1);
        let names = &self.ds.class_names;
        let predictions = y
            .data()
            .chunks(classes)
            .map(|row| {
                let k = crate::train::argmax(row);
                names
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| format!("class {k}"))
            })
            .collect();
        ser(&Predictions {
            x_shape: x.shape().to_vec(),
            flat_shape: flat.shape().to_vec(),
            repr: fc.repr(0),
            params,
            y_shape: y.shape().to_vec(),
            predictions,
        })
    }
}

/// Images `[N, C, H, W]` in `0..1` → RGBA bytes, `N` images side by side in one row-major
/// strip `H × (N·W)` (grey for one channel). Values are clamped to `0..1`.
#[wasm_bindgen(js_name = imagesToRgba)]
pub fn images_to_rgba(
    x: &[f32],
    n: usize,
    c: usize,
    h: usize,
    w: usize,
) -> Result<Vec<u8>, JsError> {
    if n * c * h * w != x.len() || !(c == 1 || c == 3) {
        return Err(JsError::new(&format!(
            "ValueError: imagesToRgba: {} values are not {n} images of [{c}, {h}, {w}] (C must be 1 or 3)",
            x.len()
        )));
    }
    let mut out = vec![255u8; n * h * w * 4];
    let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    for i in 0..n {
        for r in 0..h {
            for col in 0..w {
                let o = ((r * n * w) + i * w + col) * 4;
                for k in 0..3 {
                    let ch = if c == 1 { 0 } else { k };
                    out[o + k] = byte(x[((i * c + ch) * h + r) * w + col]);
                }
            }
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(default)]
struct SampleArgs {
    /// Sliders (used when `theta` is absent).
    params: AffineParams,
    theta: Option<[f32; 6]>,
    mode: String,
    padding_mode: String,
    align_corners: bool,
}

impl Default for SampleArgs {
    fn default() -> Self {
        SampleArgs {
            params: AffineParams::default(),
            theta: None,
            mode: "bilinear".into(),
            padding_mode: "zeros".into(),
            align_corners: false,
        }
    }
}

impl SampleArgs {
    fn parse(v: JsValue) -> Result<(SampleArgs, [f32; 6], GridSampleOptions), JsError> {
        let a: SampleArgs = de(v, "transform")?;
        let opts = GridSampleOptions {
            mode: GridSampleMode::parse(&a.mode).map_err(to_js)?,
            padding_mode: PaddingMode::parse(&a.padding_mode).map_err(to_js)?,
            align_corners: a.align_corners,
        };
        let theta = a.theta.unwrap_or_else(|| a.params.theta());
        Ok((a, theta, opts))
    }
}

fn one_image(image: &[f32], h: usize, w: usize) -> Result<Tensor, JsError> {
    let c = image.len().checked_div(h * w).unwrap_or(0);
    if c == 0 || c * h * w != image.len() {
        return Err(JsError::new(&format!(
            "ValueError: {} values are not one image of {h}x{w} pixels",
            image.len()
        )));
    }
    Tensor::from_vec(&[1, c, h, w], image.to_vec()).map_err(to_js)
}

#[derive(Serialize)]
struct TransformFigure {
    theta: [f32; 6],
    output: Vec<f32>,
    /// `[H, W, 2]` grid, normalised `(x, y)`.
    grid: Vec<f32>,
    /// The same points in input pixel coordinates (column, row), before padding.
    grid_px: Vec<f32>,
    loss: f32,
    dtheta: [f32; 6],
}

/// One image `[C, H, W]` transformed by the sliders `{params: {tx, ty, scale, rotation, shear}}`
/// or an explicit `{theta: [6]}`, with `{mode, padding_mode, align_corners}` →
/// `{theta, output, grid, loss, dtheta}` where `loss = ½·Σ(output − image)²` and
/// `dtheta = ∂loss/∂theta` (exactly 0 in nearest mode).
///
/// # Errors
/// grid_sample's `ValueError` for an unknown mode or padding mode; a bad image size.
#[wasm_bindgen(js_name = stnTransform)]
pub fn stn_transform(image: &[f32], h: usize, w: usize, args: JsValue) -> Result<JsValue, JsError> {
    let x = one_image(image, h, w)?;
    let (_, theta, opts) = SampleArgs::parse(args)?;
    let (y, grid) = affine::transform(&x, &theta, opts).map_err(to_js)?;
    let (loss, dtheta) = affine::theta_gradient(&x, &theta, opts).map_err(to_js)?;
    let grid_px = affine::grid_to_pixels(grid.data(), [h, w], opts.align_corners);
    ser(&TransformFigure {
        theta,
        output: y.into_vec(),
        grid: grid.into_vec(),
        grid_px,
        loss,
        dtheta,
    })
}

/// Where output pixel `(row, col)` reads from (see [`affine::PixelSource`]), same arguments
/// as [`stn_transform`].
#[wasm_bindgen(js_name = stnPixel)]
pub fn stn_pixel(
    image: &[f32],
    h: usize,
    w: usize,
    args: JsValue,
    row: usize,
    col: usize,
) -> Result<JsValue, JsError> {
    let x = one_image(image, h, w)?;
    let (_, theta, opts) = SampleArgs::parse(args)?;
    ser(&affine::pixel_source(&x, &theta, opts, row, col).map_err(to_js)?)
}

/// Images `start..start+count` of `data`, each randomly rotated/scaled/shifted (the STN
/// lesson's distortions, drawn from a generator seeded with `seed`), `[count, C, H, W]`.
#[wasm_bindgen(js_name = distortedImages)]
pub fn distorted_images(
    data: &LessonData,
    start: usize,
    count: usize,
    seed: u32,
) -> Result<Vec<f32>, JsError> {
    let (x, _) = batch(&data.ds, &data.range(start, count)).map_err(to_js)?;
    let mut rng = Rng::new(seed as u64);
    Ok(Distortion::default()
        .apply(&x, &mut rng)
        .map_err(to_js)?
        .into_vec())
}
