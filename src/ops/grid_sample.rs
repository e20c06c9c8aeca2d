//! `F.grid_sample` (2-D): read `x` at the points a sampling grid names, bilinear or nearest,
//! with PyTorch's padding modes, `align_corners` and numbers.
//!
//! Shapes: `x: [N, C, Hin, Win]`, `grid: [N, Hout, Wout, 2]` with the last dimension `(x, y)`
//! in normalised coordinates (`-1` = left/top, `+1` = right/bottom), `y: [N, C, Hout, Wout]`.
//!
//! ## From a normalised coordinate `c` to a pixel coordinate (per axis, `size` = Win or Hin)
//! ```text
//! align_corners = true :  -1 and +1 are the CENTRES of the corner pixels
//!     pix = ((c + 1) / 2) * (size - 1)            computed as (c + 1) * ((size - 1) / 2)
//! align_corners = false:  -1 and +1 are the outer EDGES of the corner pixels
//!     pix = ((c + 1) * size - 1) / 2              computed as (c + 1) * (size / 2) - 0.5
//! ```
//! The right-hand forms are the ones PyTorch's CPU kernel evaluates (same maths, its rounding).
//! PyTorch's AVX2 build also fuses some multiply-adds (here and in the interpolation sum) into
//! FMAs; nnbook uses plain operations (the same on every target, wasm included), so a result
//! can differ from PyTorch's in the last bit or two.
//! `d pix / d c` is the scale factor: `(size - 1) / 2` or `size / 2`.
//!
//! ## Padding: what a coordinate outside the image reads
//! - `Zeros`: nothing is moved; any neighbour outside `[0, size-1]` reads 0 (and receives no
//!   gradient). Checks are on the integer neighbour index: `0 <= i < size`.
//! - `Border`: `pix = clip(pix, 0, size-1)`; derivative 1 strictly inside, 0 at or beyond the
//!   borders (PyTorch counts the borders themselves as outside for the gradient).
//! - `Reflection`: reflect about the bounds, then clip. The bounds are the corner-pixel centres
//!   `[0, size-1]` when `align_corners = true` and the image edges `[-0.5, size-0.5]` when
//!   `false`. With `span2 = 2 * (high - low)`: `t = |pix - low|`,
//!   `extra = t - trunc(t / span2) * span2`, `pix = min(extra, span2 - extra) + low`; the
//!   derivative is `-1` when exactly one of (`pix < low`, the `span2 - extra` branch) holds, else
//!   `+1`, then times the clip derivative. A one-pixel axis with `align_corners = true` reflects
//!   everything to 0 (derivative 0).
//!
//! ## Interpolation
//! - `Bilinear`: `x_w = floor(pix_x)`, `y_n = floor(pix_y)`, `w = pix_x - x_w`, `e = 1 - w`,
//!   `n = pix_y - y_n`, `s = 1 - n`; the weights of the north-west, north-east, south-west and
//!   south-east neighbours are `s*e`, `s*w`, `n*e`, `n*w`.
//! - `Nearest`: `round(pix)` with ties to even (`std::nearbyint`), so `2.5 -> 2`, `3.5 -> 4`.
//!   The gradient with respect to the grid is exactly zero.
//!
//! ## Backward (for `L` with `dL/dy = grad_y`)
//! - `dx[n, c, neighbour] += weight * grad_y[n, c, p]` for each in-bounds neighbour;
//! - `dgrid_x = mult_x * sum_c grad_y * ((v_ne - v_nw) * s + (v_se - v_sw) * n)`,
//!   `dgrid_y = mult_y * sum_c grad_y * ((v_sw - v_nw) * e + (v_se - v_ne) * w)`, where `v_*`
//!   are the neighbour values (0 outside for `Zeros`) and `mult` is the scale factor times the
//!   padding derivative above.

use crate::error::{fmt_shape, Error, PyKind, Result};
use crate::parallel;
use crate::tensor::{guard, Tensor};

const OP: &str = "grid_sample";

/// How `grid_sample` combines the pixels around a sample point (`mode=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GridSampleMode {
    /// `'bilinear'`: weighted mean of the four neighbours.
    Bilinear,
    /// `'nearest'`: the closest pixel (ties to even).
    Nearest,
}

/// What `grid_sample` reads outside the image (`padding_mode=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaddingMode {
    /// `'zeros'`: zeros outside.
    Zeros,
    /// `'border'`: the nearest border pixel.
    Border,
    /// `'reflection'`: the image mirrored at its borders.
    Reflection,
}

/// The keyword arguments of `F.grid_sample(x, grid, mode, padding_mode, align_corners)`.
///
/// `Default` is PyTorch's: bilinear, zeros, `align_corners=False`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GridSampleOptions {
    pub mode: GridSampleMode,
    pub padding_mode: PaddingMode,
    pub align_corners: bool,
}

impl Default for GridSampleOptions {
    fn default() -> Self {
        GridSampleOptions {
            mode: GridSampleMode::Bilinear,
            padding_mode: PaddingMode::Zeros,
            align_corners: false,
        }
    }
}

impl GridSampleMode {
    /// Parses PyTorch's name (`"bilinear"`, `"nearest"`).
    ///
    /// # Errors
    /// `ValueError` with PyTorch's text for an unknown name; `"bicubic"` (valid in PyTorch) is
    /// an nnbook error saying it is not implemented.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "bilinear" => Ok(GridSampleMode::Bilinear),
            "nearest" => Ok(GridSampleMode::Nearest),
            "bicubic" => Err(Error::msg(
                OP,
                PyKind::NnbookError,
                "grid_sample: mode 'bicubic' is not implemented in nnbook (use 'bilinear' or 'nearest')",
            )),
            other => Err(Error::value(
                OP,
                format!(
                    "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{other}'"
                ),
            )),
        }
    }

    /// PyTorch's name for the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            GridSampleMode::Bilinear => "bilinear",
            GridSampleMode::Nearest => "nearest",
        }
    }
}

impl PaddingMode {
    /// Parses PyTorch's name (`"zeros"`, `"border"`, `"reflection"`).
    ///
    /// # Errors
    /// `ValueError` with PyTorch's text for an unknown name.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "zeros" => Ok(PaddingMode::Zeros),
            "border" => Ok(PaddingMode::Border),
            "reflection" => Ok(PaddingMode::Reflection),
            other => Err(Error::value(
                OP,
                format!(
                    "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '{other}'"
                ),
            )),
        }
    }

    /// PyTorch's name for the padding mode.
    pub fn as_str(self) -> &'static str {
        match self {
            PaddingMode::Zeros => "zeros",
            PaddingMode::Border => "border",
            PaddingMode::Reflection => "reflection",
        }
    }
}

/// One axis of the input: maps a normalised coordinate to a pixel coordinate with padding.
#[derive(Clone, Copy, Debug)]
struct Axis {
    size: usize,
    max_val: f32,
    scale: f32,
    align_corners: bool,
    padding: PaddingMode,
}

impl Axis {
    fn new(size: usize, opts: GridSampleOptions) -> Axis {
        let (max_val, scale) = if opts.align_corners {
            ((size as f32) - 1.0, ((size as f32) - 1.0) / 2.0)
        } else {
            ((size as f32) - 1.0, (size as f32) / 2.0)
        };
        Axis {
            size,
            max_val,
            scale,
            align_corners: opts.align_corners,
            padding: opts.padding_mode,
        }
    }

    /// The pixel coordinate before padding (see the module docs for both formulas).
    fn unnormalize(&self, c: f32) -> f32 {
        if self.align_corners {
            (c + 1.0) * self.scale
        } else {
            (c + 1.0) * self.scale - 0.5
        }
    }

    /// `clip(pix, 0, size-1)` and its derivative (0 at and beyond the borders). NaN clips to 0.
    fn clip(&self, pix: f32) -> (f32, f32) {
        let lo = pix.max(0.0);
        let res = lo.min(self.max_val);
        let inside = lo != 0.0 && res != self.max_val;
        (res, if inside { 1.0 } else { 0.0 })
    }

    /// Reflection about `[0, size-1]` (align_corners) or `[-0.5, size-0.5]`, and its derivative.
    fn reflect(&self, pix: f32) -> (f32, f32) {
        let (low, span2) = if self.align_corners {
            if self.size <= 1 {
                return (0.0, 0.0);
            }
            (0.0, ((self.size as f32) - 1.0) * 2.0)
        } else {
            (-0.5, (self.size as f32) * 2.0)
        };
        let shifted = pix - low;
        let t = shifted.abs();
        let extra = t - (t / span2).trunc() * span2;
        let reflected = span2 - extra;
        let one_more_flip = extra > reflected;
        let value = if one_more_flip { reflected } else { extra } + low;
        let negative = shifted < 0.0;
        (value, if one_more_flip != negative { -1.0 } else { 1.0 })
    }

    /// The padded pixel coordinate of normalised `c`, and `d pixel / d c`.
    fn source(&self, c: f32) -> (f32, f32) {
        let pix = self.unnormalize(c);
        match self.padding {
            PaddingMode::Zeros => (pix, self.scale),
            PaddingMode::Border => {
                let (v, g) = self.clip(pix);
                (v, g * self.scale)
            }
            PaddingMode::Reflection => {
                let (r, gr) = self.reflect(pix);
                let (v, gc) = self.clip(r);
                (v, gc * (gr * self.scale))
            }
        }
    }

    /// `0 <= i < size`.
    fn contains(&self, i: i64) -> bool {
        i >= 0 && i < self.size as i64
    }
}

/// A float pixel coordinate as an index: NaN becomes `i64::MIN` (always out of bounds), huge
/// values saturate (also out of bounds).
fn to_index(v: f32) -> i64 {
    if v.is_nan() {
        i64::MIN
    } else {
        v as i64
    }
}

/// Everything `grid_sample` computes for one sample point: useful to explain the op.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SamplePoint {
    /// Source x coordinate in pixels after unnormalisation and padding (column, `0..Win`).
    pub x: f32,
    /// Source y coordinate in pixels after unnormalisation and padding (row, `0..Hin`).
    pub y: f32,
    /// `d x / d gx` and `d y / d gy`: scale factor times the padding derivative.
    pub grad_mult: [f32; 2],
    /// `(y, x)` indices of the north-west, north-east, south-west, south-east neighbours.
    pub corners: [(i64, i64); 4],
    /// Bilinear weights of those neighbours (`s*e`, `s*w`, `n*e`, `n*w`).
    pub weights: [f32; 4],
    /// Whether each neighbour is read (inside the image; outside ones read 0).
    pub in_bounds: [bool; 4],
    /// `(y, x)` of the pixel `nearest` mode reads (round half to even).
    pub nearest: (i64, i64),
    /// Whether the nearest pixel is inside the image.
    pub nearest_in_bounds: bool,
}

/// Where a grid point `(gx, gy)` reads an input of spatial size `in_hw = [Hin, Win]`, with
/// both bilinear and nearest details (the `mode` in `opts` is not needed for either).
///
/// Never fails; for an empty axis every neighbour is out of bounds.
pub fn sample_point_detail(
    in_hw: [usize; 2],
    gx: f32,
    gy: f32,
    opts: GridSampleOptions,
) -> SamplePoint {
    let ax = Axis::new(in_hw[1], opts);
    let ay = Axis::new(in_hw[0], opts);
    point(&ax, &ay, gx, gy, opts.padding_mode)
}

fn point(ax: &Axis, ay: &Axis, gx: f32, gy: f32, padding: PaddingMode) -> SamplePoint {
    let (x, mx) = ax.source(gx);
    let (y, my) = ay.source(gy);
    let x_w = x.floor();
    let y_n = y.floor();
    let w = x - x_w;
    let e = 1.0 - w;
    let n = y - y_n;
    let s = 1.0 - n;
    let (ix_w, iy_n) = (to_index(x_w), to_index(y_n));
    let (ix_e, iy_s) = (ix_w.saturating_add(1), iy_n.saturating_add(1));
    // Border and reflection keep the coordinate inside, so only the east/south neighbours can
    // fall outside (with weight 0); Zeros checks every neighbour.
    let zeros = padding == PaddingMode::Zeros;
    let (w_in, n_in) = if zeros {
        (ax.contains(ix_w), ay.contains(iy_n))
    } else {
        (true, true)
    };
    let e_in = if zeros {
        ax.contains(ix_e)
    } else {
        ix_e < ax.size as i64
    };
    let s_in = if zeros {
        ay.contains(iy_s)
    } else {
        iy_s < ay.size as i64
    };
    let (rx, ry) = (to_index(x.round_ties_even()), to_index(y.round_ties_even()));
    SamplePoint {
        x,
        y,
        grad_mult: [mx, my],
        corners: [(iy_n, ix_w), (iy_n, ix_e), (iy_s, ix_w), (iy_s, ix_e)],
        weights: [s * e, s * w, n * e, n * w],
        in_bounds: [w_in && n_in, e_in && n_in, w_in && s_in, e_in && s_in],
        nearest: (ry, rx),
        nearest_in_bounds: !zeros || (ax.contains(rx) && ay.contains(ry)),
    }
}

impl SamplePoint {
    /// Flat `h * Win + w` offsets of the four neighbours (`None` where out of bounds).
    fn offsets(&self, win: usize) -> [Option<usize>; 4] {
        let mut out = [None; 4];
        for (k, slot) in out.iter_mut().enumerate() {
            if self.in_bounds[k] {
                let (yy, xx) = self.corners[k];
                *slot = Some(yy as usize * win + xx as usize);
            }
        }
        out
    }

    fn nearest_offset(&self, win: usize) -> Option<usize> {
        self.nearest_in_bounds
            .then(|| self.nearest.0 as usize * win + self.nearest.1 as usize)
    }
}

/// PyTorch's shape checks for `grid_sampler`, in its order; returns `[N, C, Hin, Win]` and
/// `[Hout, Wout]`.
fn check_shapes(x: &Tensor, grid: &Tensor) -> Result<([usize; 4], [usize; 2])> {
    let (xs, gs) = (x.shape(), grid.shape());
    if xs.is_empty() || gs.is_empty() {
        return Err(Error::msg(
            OP,
            PyKind::IndexError,
            "Dimension specified as 0 but tensor has no dimensions",
        ));
    }
    if xs[0] != gs[0] {
        return Err(Error::runtime(
            OP,
            format!(
                "grid_sampler(): expected grid and input to have same batch size, but got input with sizes {} and grid with sizes {}",
                fmt_shape(xs),
                fmt_shape(gs)
            ),
        ));
    }
    let want_last = xs.len() as i64 - 2;
    if gs[gs.len() - 1] as i64 != want_last {
        return Err(Error::runtime(
            OP,
            format!(
                "grid_sampler(): expected grid to have size {} in last dimension, but got grid with sizes {}",
                want_last,
                fmt_shape(gs)
            ),
        ));
    }
    if let Some(i) = (2..xs.len()).find(|&i| xs[i] == 0) {
        return Err(Error::runtime(
            OP,
            format!(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes {} with dimension {} being empty",
                fmt_shape(xs),
                i
            ),
        ));
    }
    if xs.len() == 5 && gs.len() == 5 {
        return Err(Error::msg(
            OP,
            PyKind::NnbookError,
            "grid_sample: 3-D sampling (5-D input) is not implemented in nnbook",
        ));
    }
    if xs.len() != 4 || gs.len() != 4 {
        let d = if xs.len() == 4 { 4 } else { 5 };
        return Err(Error::runtime(
            OP,
            format!(
                "grid_sampler(): expected {}D input and grid with same number of dimensions, but got input with sizes {} and grid with sizes {}",
                d,
                fmt_shape(xs),
                fmt_shape(gs)
            ),
        ));
    }
    Ok(([xs[0], xs[1], xs[2], xs[3]], [gs[1], gs[2]]))
}

/// `y = F.grid_sample(x, grid, mode, padding_mode, align_corners)`.
///
/// `x: [N, C, Hin, Win]`, `grid: [N, Hout, Wout, 2]` (last dim `(x, y)`, normalised) →
/// `y: [N, C, Hout, Wout]`.
///
/// # Errors
/// PyTorch's texts: `IndexError` for a 0-d tensor, `RuntimeError` for a batch-size mismatch
/// (`grid_sampler(): expected grid and input to have same batch size, ...`), a wrong last grid
/// dimension, an empty spatial input dimension or mismatched ranks; an nnbook error for 5-D
/// input; [`Error::TooLarge`] past the size guard.
pub fn grid_sample_forward(x: &Tensor, grid: &Tensor, opts: GridSampleOptions) -> Result<Tensor> {
    let ([n, c, hin, win], [hout, wout]) = check_shapes(x, grid)?;
    let out_shape = [n, c, hout, wout];
    let numel = guard::check_numel(OP, &out_shape)?;
    let (ax, ay) = (Axis::new(win, opts), Axis::new(hin, opts));
    let p_count = hout * wout;
    let (xd, gd) = (x.data(), grid.data());
    let mut out = vec![0.0f32; numel];
    parallel::for_each_chunk_mut(&mut out, c * p_count, |b, y_b| {
        let x_b = &xd[b * c * hin * win..(b + 1) * c * hin * win];
        let g_b = &gd[b * p_count * 2..(b + 1) * p_count * 2];
        for p in 0..p_count {
            let pt = point(&ax, &ay, g_b[2 * p], g_b[2 * p + 1], opts.padding_mode);
            match opts.mode {
                GridSampleMode::Bilinear => {
                    let offs = pt.offsets(win);
                    let wt = pt.weights;
                    for ch in 0..c {
                        let plane = &x_b[ch * hin * win..(ch + 1) * hin * win];
                        let v = |k: usize| offs[k].map_or(0.0, |o| plane[o]);
                        y_b[ch * p_count + p] =
                            v(0) * wt[0] + v(1) * wt[1] + v(2) * wt[2] + v(3) * wt[3];
                    }
                }
                GridSampleMode::Nearest => {
                    let off = pt.nearest_offset(win);
                    for ch in 0..c {
                        y_b[ch * p_count + p] = off.map_or(0.0, |o| x_b[ch * hin * win + o]);
                    }
                }
            }
        }
    });
    Tensor::from_vec(&out_shape, out)
}

/// Gradients of `y = grid_sample(x, grid, opts)`: `(dx: [N, C, Hin, Win], dgrid: [N, Hout, Wout, 2])`
/// for `grad_y = dL/dy: [N, C, Hout, Wout]`. In `Nearest` mode `dgrid` is exactly zero.
///
/// # Errors
/// The forward's shape errors; [`Error::ShapeMismatch`] if `grad_y` is not `[N, C, Hout, Wout]`.
pub fn grid_sample_backward(
    x: &Tensor,
    grid: &Tensor,
    grad_y: &Tensor,
    opts: GridSampleOptions,
) -> Result<(Tensor, Tensor)> {
    let ([n, c, hin, win], [hout, wout]) = check_shapes(x, grid)?;
    grad_y.expect_shape("grid_sample_backward", &[n, c, hout, wout])?;
    let (ax, ay) = (Axis::new(win, opts), Axis::new(hin, opts));
    let p_count = hout * wout;
    let plane = hin * win;
    let (xd, gd, gyd) = (x.data(), grid.data(), grad_y.data());
    // One batch item per task: its dx planes and dgrid rows are disjoint from the others'.
    let per_item = parallel::map_range(n, |b| {
        let x_b = &xd[b * c * plane..(b + 1) * c * plane];
        let g_b = &gd[b * p_count * 2..(b + 1) * p_count * 2];
        let gy_b = &gyd[b * c * p_count..(b + 1) * c * p_count];
        let mut dx = vec![0.0f32; c * plane];
        let mut dgrid = vec![0.0f32; p_count * 2];
        for p in 0..p_count {
            let pt = point(&ax, &ay, g_b[2 * p], g_b[2 * p + 1], opts.padding_mode);
            match opts.mode {
                GridSampleMode::Bilinear => {
                    let offs = pt.offsets(win);
                    let [nw, ne, sw, se] = pt.weights;
                    // Distances to the west and north neighbours, as in `point`.
                    let (w, nn) = (pt.x - pt.x.floor(), pt.y - pt.y.floor());
                    let (e, s) = (1.0 - w, 1.0 - nn);
                    let (mut gx, mut gyy) = (0.0f32, 0.0f32);
                    for ch in 0..c {
                        let go = gy_b[ch * p_count + p];
                        let xp = &x_b[ch * plane..(ch + 1) * plane];
                        let dxp = &mut dx[ch * plane..(ch + 1) * plane];
                        for (k, wt) in [nw, ne, sw, se].into_iter().enumerate() {
                            if let Some(o) = offs[k] {
                                dxp[o] += wt * go;
                            }
                        }
                        let v = |k: usize| offs[k].map_or(0.0, |o| xp[o]);
                        let (v_nw, v_ne, v_sw, v_se) = (v(0), v(1), v(2), v(3));
                        gx += ((v_ne - v_nw) * s + (v_se - v_sw) * nn) * go;
                        gyy += ((v_sw - v_nw) * e + (v_se - v_ne) * w) * go;
                    }
                    dgrid[2 * p] = gx * pt.grad_mult[0];
                    dgrid[2 * p + 1] = gyy * pt.grad_mult[1];
                }
                GridSampleMode::Nearest => {
                    if let Some(o) = pt.nearest_offset(win) {
                        for ch in 0..c {
                            dx[ch * plane + o] += gy_b[ch * p_count + p];
                        }
                    }
                }
            }
        }
        (dx, dgrid)
    });
    let mut dx = Vec::with_capacity(n * c * plane);
    let mut dgrid = Vec::with_capacity(n * p_count * 2);
    for (a, g) in per_item {
        dx.extend_from_slice(&a);
        dgrid.extend_from_slice(&g);
    }
    Ok((
        Tensor::from_vec(&[n, c, hin, win], dx)?,
        Tensor::from_vec(&[n, hout, wout, 2], dgrid)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(padding_mode: PaddingMode, align_corners: bool) -> GridSampleOptions {
        GridSampleOptions {
            mode: GridSampleMode::Bilinear,
            padding_mode,
            align_corners,
        }
    }

    #[test]
    fn unnormalize_both_conventions() {
        let a = Axis::new(4, opts(PaddingMode::Zeros, true));
        assert_eq!(a.unnormalize(-1.0), 0.0);
        assert_eq!(a.unnormalize(1.0), 3.0);
        let a = Axis::new(4, opts(PaddingMode::Zeros, false));
        assert_eq!(a.unnormalize(-1.0), -0.5);
        assert_eq!(a.unnormalize(1.0), 3.5);
    }

    #[test]
    fn reflection_bounds_and_signs() {
        // align_corners=true reflects about 0 and 3; false about -0.5 and 3.5, then clips.
        let a = Axis::new(4, opts(PaddingMode::Reflection, true));
        assert_eq!(a.reflect(-1.0), (1.0, -1.0));
        assert_eq!(a.reflect(4.0), (2.0, -1.0));
        assert_eq!(a.reflect(7.0), (1.0, 1.0));
        let a = Axis::new(4, opts(PaddingMode::Reflection, false));
        assert_eq!(a.reflect(-1.0), (0.0, -1.0));
        assert_eq!(a.reflect(4.0), (3.0, -1.0));
        let one = Axis::new(1, opts(PaddingMode::Reflection, true));
        assert_eq!(one.reflect(5.0), (0.0, 0.0));
    }

    #[test]
    fn nearest_rounds_half_to_even() {
        // Win = 8, align_corners=false: gx = -0.25 -> pix = 0.75*4 - 0.5 = 2.5 -> 2.
        let o = GridSampleOptions {
            mode: GridSampleMode::Nearest,
            ..opts(PaddingMode::Zeros, false)
        };
        let pt = sample_point_detail([1, 8], -0.25, 0.0, o);
        assert_eq!(pt.x, 2.5);
        assert_eq!(pt.nearest.1, 2);
        let pt = sample_point_detail([1, 8], 0.0, 0.0, o); // pix 3.5 -> 4
        assert_eq!(pt.nearest.1, 4);
    }
}
