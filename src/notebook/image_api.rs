//! Pictures as cell outputs: nnbook's `show(t)`, matplotlib's `plt.imshow(t)` subset and
//! `torchvision.utils.make_grid`.
//!
//! - `show(t, caption=None)`: `t` is `[H, W]` (gray), `[C, H, W]` with C = 1 or 3, or a batch
//!   `[N, C, H, W]` shown as `make_grid(t)` (8 per row, 2 pixels of black between).
//! - `plt.imshow(t, cmap=None, vmin=None, vmax=None)`: `[H, W, 3|4]` as matplotlib (e.g. after
//!   `img.permute(1, 2, 0)`), and also `[C, H, W]`. A 2-D `[H, W]` array is scaled from its
//!   minimum (black) to its maximum (white), or from `vmin` to `vmax`, as matplotlib's
//!   normalisation does, but always drawn in gray (nnbook has no colormaps; `cmap` is accepted
//!   and ignored). `plt.title(s)` sets the caption of the last picture; `plt.show()`,
//!   `plt.figure()`, `plt.axis()` and `plt.close()` do nothing.
//!
//! Float pixels are clipped to `[0, 1]` (as matplotlib and torchvision's `save_image` do) and
//! stored as `round(255·x)`; integer tensors are clipped to `0..=255`.
use super::args::{to_float, to_int, Args};
use super::error::{PyErr, PyResult};
use super::interp::Interp;
use super::value::{DType, TensorVal, Value};
use super::CellImage;
use crate::tensor::Tensor;
use std::rc::Rc;

/// `matplotlib.pyplot.*` names nnbook provides.
pub const PLT: &[&str] = &["imshow", "show", "title", "figure", "axis", "close"];

/// `make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
/// pad_value=0)` as torchvision: images `[N, C, H, W]` (a `[C, H, W]` or `[H, W]` tensor, or a
/// list of `[C, H, W]` tensors, is made a batch; one channel is repeated to three) laid out
/// `min(nrow, N)` per row on a `pad_value` canvas of
/// `[C, (H + padding)·rows + padding, (W + padding)·cols + padding]`, each image at
/// `(padding + row·(H + padding), padding + col·(W + padding))`. A single image comes back
/// as it is (no padding). `normalize=True` first maps `value_range` (default: the batch's
/// min and max) to `[0, 1]`, clamping.
pub fn make_grid(args: &Args) -> PyResult<Value> {
    args.check_kw(
        "make_grid",
        &[
            "tensor",
            "nrow",
            "padding",
            "normalize",
            "value_range",
            "scale_each",
            "pad_value",
        ],
    )?;
    let (x, dtype) = match args.req(0, "tensor", "make_grid")? {
        Value::Tensor(t) => (t.t.clone(), t.dtype),
        v @ (Value::List(_) | Value::Tuple(_)) => {
            let ts: Vec<Rc<TensorVal>> = super::builtins::iter_values(v)?
                .map(|x| match x {
                    Value::Tensor(t) => Ok(t),
                    other => Err(PyErr::type_error(format!(
                        "tensor or list of tensors expected, got {}",
                        other.type_name()
                    ))),
                })
                .collect::<PyResult<_>>()?;
            let parts: Vec<Tensor> = ts
                .iter()
                .map(|t| t.t.unsqueeze(0))
                .collect::<crate::Result<_>>()?;
            let refs: Vec<&Tensor> = parts.iter().collect();
            (crate::tensor::cat::cat(&refs, 0)?, ts[0].dtype)
        }
        other => {
            return Err(PyErr::type_error(format!(
                "tensor or list of tensors expected, got {}",
                other.type_name()
            )))
        }
    };
    let nrow = to_int(args.get(1, "nrow").unwrap_or(&Value::Int(8)), "nrow")?;
    let padding = to_int(args.get(2, "padding").unwrap_or(&Value::Int(2)), "padding")?;
    if nrow <= 0 || padding < 0 {
        return Err(PyErr::value_error(
            "make_grid: nrow must be positive and padding non-negative",
        ));
    }
    let normalize = args.bool_or(3, "normalize", false)?;
    if args.bool_or(5, "scale_each", false)? {
        return Err(PyErr::unsupported("make_grid(scale_each=True)"));
    }
    let range = match args.get(4, "value_range") {
        None | Some(Value::None) => None,
        Some(v) => {
            let r: Vec<f64> = super::builtins::iter_values(v)?
                .map(|x| to_float(&x, "value_range"))
                .collect::<PyResult<_>>()?;
            match r.as_slice() {
                [lo, hi] => Some((*lo as f32, *hi as f32)),
                _ => {
                    return Err(PyErr::new(
                        "AssertionError",
                        "value_range has to be a tuple (min, max) if specified. min and max are numbers",
                    ))
                }
            }
        }
    };
    let pad_value = args.float_or(6, "pad_value", 0.0)? as f32;
    let grid = grid(
        &x,
        nrow as usize,
        padding as usize,
        normalize.then_some(range),
        pad_value,
    )?;
    Ok(Value::tensor_of(grid, dtype))
}

/// The layout of [`make_grid`]; `normalize` is `Some(value_range)` when asked.
fn grid(
    x: &Tensor,
    nrow: usize,
    padding: usize,
    normalize: Option<Option<(f32, f32)>>,
    pad_value: f32,
) -> PyResult<Tensor> {
    let mut x = match x.ndim() {
        2 => x.unsqueeze(0)?.unsqueeze(0)?,
        3 => x.unsqueeze(0)?,
        4 => x.clone(),
        _ => {
            return Err(PyErr::value_error(format!(
                "make_grid expects a 4D mini-batch Tensor of shape (B x C x H x W), got {}-D",
                x.ndim()
            )))
        }
    };
    if x.shape()[1] == 1 {
        let refs = [&x, &x, &x];
        x = crate::tensor::cat::cat(&refs, 1)?;
    }
    if let Some(range) = normalize {
        let (lo, hi) = range.unwrap_or_else(|| {
            let d = x.data();
            let lo = d.iter().copied().fold(f32::INFINITY, f32::min);
            let hi = d.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            (lo, hi)
        });
        let span = (hi - lo).max(1e-5);
        x = x.map(|v| (v.clamp(lo, hi) - lo) / span);
    }
    let (n, c, h, w) = (x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]);
    if n == 1 {
        return Ok(x.squeeze(Some(0))?);
    }
    let cols = nrow.min(n);
    let rows = n.div_ceil(cols);
    let (gh, gw) = (
        (h + padding) * rows + padding,
        (w + padding) * cols + padding,
    );
    crate::tensor::guard::check_numel("make_grid", &[c, gh, gw])?;
    let mut out = vec![pad_value; c * gh * gw];
    let src = x.data();
    for k in 0..n {
        let (r, col) = (k / cols, k % cols);
        let (y0, x0) = (r * (h + padding) + padding, col * (w + padding) + padding);
        for ch in 0..c {
            for y in 0..h {
                let s = ((k * c + ch) * h + y) * w;
                let d = (ch * gh + y0 + y) * gw + x0;
                out[d..d + w].copy_from_slice(&src[s..s + w]);
            }
        }
    }
    Ok(Tensor::from_vec(&[c, gh, gw], out)?)
}

/// One pixel value to a byte: floats clipped to `[0, 1]` and rounded from `255·x`, others
/// clipped to `0..=255`.
fn to_byte(v: f32, dtype: DType) -> u8 {
    match dtype {
        DType::Float32 => {
            if v.is_nan() {
                0
            } else {
                (v.clamp(0.0, 1.0) * 255.0 + 0.5).floor() as u8
            }
        }
        DType::Int64 => v.clamp(0.0, 255.0) as u8,
        DType::Bool => {
            if v != 0.0 {
                255
            } else {
                0
            }
        }
    }
}

/// An RGBA picture of channel planes `[C, H, W]` (C = 1, 3 or 4), values mapped by `px`.
fn planes_to_image(x: &Tensor, px: impl Fn(f32) -> u8, caption: String) -> PyResult<CellImage> {
    let (c, h, w) = (x.shape()[0], x.shape()[1], x.shape()[2]);
    let d = x.data();
    let mut rgba = vec![255u8; h * w * 4];
    for i in 0..h * w {
        for k in 0..3 {
            let ch = if c == 1 { 0 } else { k };
            rgba[i * 4 + k] = px(d[ch * h * w + i]);
        }
        if c == 4 {
            rgba[i * 4 + 3] = px(d[3 * h * w + i]);
        }
    }
    Ok(CellImage {
        width: w,
        height: h,
        rgba,
        caption,
    })
}

fn shape_caption(s: &[usize]) -> String {
    let dims: Vec<String> = s.iter().map(|d| d.to_string()).collect();
    format!("torch.Size([{}])", dims.join(", "))
}

fn tensor_arg(args: &Args, func: &str) -> PyResult<Rc<TensorVal>> {
    match args.req(0, "X", func)? {
        Value::Tensor(t) => Ok(t.clone()),
        other => Err(PyErr::unsupported(format!(
            "{func} of a {} (give it a tensor)",
            other.type_name()
        ))),
    }
}

/// `show(t, caption=None)`: adds the picture of `t` to the cell's outputs.
pub fn show(interp: &mut Interp, args: Args) -> PyResult<Value> {
    args.check_kw("show", &["t", "caption"])?;
    let t = tensor_arg(&args, "show")?;
    let x = &t.t;
    let s = x.shape();
    let planes = match s.len() {
        2 => x.unsqueeze(0)?,
        3 if s[0] == 1 || s[0] == 3 => x.clone(),
        4 if s[1] == 1 || s[1] == 3 => grid(x, 8, 2, None, 0.0)?,
        _ => {
            return Err(PyErr::value_error(format!(
                "show() expects [H, W], [C, H, W] or [N, C, H, W] with C = 1 or 3, got {}",
                shape_caption(s)
            )))
        }
    };
    let caption = match args.get(1, "caption") {
        None | Some(Value::None) => shape_caption(s),
        Some(v) => super::repr::py_str(v),
    };
    let dtype = t.dtype;
    interp
        .images
        .push(planes_to_image(&planes, |v| to_byte(v, dtype), caption)?);
    Ok(Value::None)
}

/// Calls `plt.<name>(...)`.
pub fn call_plt(interp: &mut Interp, name: &str, args: Args) -> PyResult<Value> {
    match name {
        "imshow" => imshow(interp, args),
        "title" => {
            let s = super::repr::py_str(args.req(0, "label", "title")?);
            if let Some(img) = interp.images.last_mut() {
                img.caption = s;
            }
            Ok(Value::None)
        }
        _ => Ok(Value::None),
    }
}

fn imshow(interp: &mut Interp, args: Args) -> PyResult<Value> {
    let t = tensor_arg(&args, "imshow")?;
    let x = &t.t;
    let s = x.shape().to_vec();
    let invalid = || {
        let dims: Vec<String> = s.iter().map(|d| d.to_string()).collect();
        PyErr::type_error(format!(
            "Invalid shape ({}) for image data",
            dims.join(", ")
        ))
    };
    let caption = shape_caption(&s);
    let img = match s.len() {
        2 => gray_autoscaled(x.unsqueeze(0)?, &args, caption)?,
        3 if s[2] == 3 || s[2] == 4 => {
            let planes = x.permute(&[2, 0, 1])?;
            let dtype = t.dtype;
            planes_to_image(&planes, |v| to_byte(v, dtype), caption)?
        }
        3 if s[2] == 1 => gray_autoscaled(x.permute(&[2, 0, 1])?, &args, caption)?,
        // nnbook also takes PyTorch's channel-first layout.
        3 if s[0] == 3 => {
            let dtype = t.dtype;
            planes_to_image(x, |v| to_byte(v, dtype), caption)?
        }
        3 if s[0] == 1 => gray_autoscaled(x.clone(), &args, caption)?,
        _ => return Err(invalid()),
    };
    interp.images.push(img);
    Ok(Value::None)
}

/// A one-channel picture scaled from `vmin` (default: the minimum) to `vmax` (the maximum).
fn gray_autoscaled(plane: Tensor, args: &Args, caption: String) -> PyResult<CellImage> {
    let d = plane.data();
    let lo = match args.kwarg("vmin") {
        None | Some(Value::None) => d.iter().copied().fold(f32::INFINITY, f32::min),
        Some(v) => to_float(v, "vmin")? as f32,
    };
    let hi = match args.kwarg("vmax") {
        None | Some(Value::None) => d.iter().copied().fold(f32::NEG_INFINITY, f32::max),
        Some(v) => to_float(v, "vmax")? as f32,
    };
    let span = hi - lo;
    planes_to_image(
        &plane,
        |v| {
            let u = if span > 0.0 { (v - lo) / span } else { 0.0 };
            to_byte(u, DType::Float32)
        },
        caption,
    )
}
