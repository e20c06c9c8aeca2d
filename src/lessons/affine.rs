//! One affine transform of an image, as a spatial transformer applies it, for the STN figures.
//!
//! `theta` is the 2×3 matrix `F.affine_grid` takes. It maps each **output** pixel's normalised
//! coordinate `(x, y, 1)` to the **input** coordinate that is sampled, so `scale = 2` shows twice
//! as much of the input and the digit looks half as large. From the sliders:
//!
//! ```text
//! A = scale · R(rotation) · [[1, shear], [0, 1]]      R(a) = [[cos a, −sin a], [sin a, cos a]]
//! theta = [[A00, A01, tx],
//!          [A10, A11, ty]]
//! ```
//!
//! [`theta_gradient`] differentiates `L = ½·Σ (grid_sample(x, affine_grid(theta)) − x)²` (how far
//! the transformed image is from the upright one) with respect to `theta`, through
//! `grid_sample_backward` and `affine_grid_backward`: exactly zero in `nearest` mode.

use crate::error::{Error, Result};
use crate::ops::affine_grid::{affine_grid_backward, affine_grid_forward};
use crate::ops::grid_sample::{
    grid_sample_backward, grid_sample_forward, sample_point_detail, GridSampleOptions,
};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// The sliders of the transform figure. `rotation` is in degrees.
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AffineParams {
    pub tx: f32,
    pub ty: f32,
    pub scale: f32,
    pub rotation: f32,
    pub shear: f32,
}

impl Default for AffineParams {
    /// The identity: no shift, scale 1, no rotation, no shear.
    fn default() -> Self {
        AffineParams {
            tx: 0.0,
            ty: 0.0,
            scale: 1.0,
            rotation: 0.0,
            shear: 0.0,
        }
    }
}

impl AffineParams {
    /// `theta` as 6 row-major numbers (`[2, 3]`), see the module docs.
    pub fn theta(&self) -> [f32; 6] {
        let (s, c) = self.rotation.to_radians().sin_cos();
        let k = self.shear;
        // scale · R · [[1, k], [0, 1]]
        let a = [c, c * k - s, s, s * k + c].map(|v| v * self.scale);
        [a[0], a[1], self.tx, a[2], a[3], self.ty]
    }
}

/// `[1, 2, 3]` tensor of one `theta`.
fn theta_tensor(theta: &[f32; 6]) -> Result<Tensor> {
    Tensor::from_vec(&[1, 2, 3], theta.to_vec())
}

/// `[1, C, H, W]` size of a single image, checked.
fn single(image: &Tensor) -> Result<[usize; 4]> {
    match *image.shape() {
        [1, c, h, w] => Ok([1, c, h, w]),
        _ => Err(Error::value(
            "transform",
            format!(
                "expected one image of shape [1, C, H, W], got {}",
                crate::error::fmt_shape(image.shape())
            ),
        )),
    }
}

/// `(y, grid)`: `grid = F.affine_grid(theta, image.size(), align_corners)` (`[1, H, W, 2]`) and
/// `y = F.grid_sample(image, grid, ...)` (`[1, C, H, W]`) for one image `[1, C, H, W]`.
///
/// # Errors
/// A batch of more than one image; the ops' errors.
pub fn transform(
    image: &Tensor,
    theta: &[f32; 6],
    opts: GridSampleOptions,
) -> Result<(Tensor, Tensor)> {
    let size = single(image)?;
    let grid = affine_grid_forward(&theta_tensor(theta)?, size, opts.align_corners)?;
    let y = grid_sample_forward(image, &grid, opts)?;
    Ok((y, grid))
}

/// `(L, dL/dtheta)` for `L = ½·Σ (transform(image, theta) − image)²`, one image `[1, C, H, W]`.
///
/// # Errors
/// As [`transform`].
pub fn theta_gradient(
    image: &Tensor,
    theta: &[f32; 6],
    opts: GridSampleOptions,
) -> Result<(f32, [f32; 6])> {
    let size = single(image)?;
    let (y, grid) = transform(image, theta, opts)?;
    let diff: Vec<f32> = y
        .data()
        .iter()
        .zip(image.data())
        .map(|(a, b)| a - b)
        .collect();
    let loss = 0.5 * diff.iter().map(|d| (d * d) as f64).sum::<f64>();
    let grad_y = Tensor::from_vec(y.shape(), diff)?;
    let (_, dgrid) = grid_sample_backward(image, &grid, &grad_y, opts)?;
    let dtheta = affine_grid_backward(&dgrid, size, opts.align_corners)?;
    let mut out = [0.0f32; 6];
    out.copy_from_slice(dtheta.data());
    Ok((loss as f32, out))
}

/// Normalised grid points `(x, y)` (flat pairs) as input pixel coordinates `(column, row)` of
/// an `in_hw = [H, W]` image, before any padding:
/// `((g + 1) / 2) · (W − 1)` with `align_corners`, `((g + 1) · W − 1) / 2` without.
pub fn grid_to_pixels(grid: &[f32], in_hw: [usize; 2], align_corners: bool) -> Vec<f32> {
    let un = |g: f32, size: usize| {
        if align_corners {
            (g + 1.0) / 2.0 * (size as f32 - 1.0)
        } else {
            ((g + 1.0) * size as f32 - 1.0) / 2.0
        }
    };
    grid.chunks_exact(2)
        .flat_map(|p| [un(p[0], in_hw[1]), un(p[1], in_hw[0])])
        .collect()
}

/// What one output pixel reads: its grid point, source pixel coordinate, the four bilinear
/// neighbours `(row, col)` (NW, NE, SW, SE) with their weights and values (0 outside the image),
/// the nearest pixel, and the sampled value in each mode (channel 0).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PixelSource {
    pub grid: [f32; 2],
    pub source: [f32; 2],
    pub corners: [[i64; 2]; 4],
    pub weights: [f32; 4],
    pub in_bounds: [bool; 4],
    pub values: [f32; 4],
    pub nearest: [i64; 2],
    pub nearest_value: f32,
    pub bilinear_value: f32,
}

/// Where output pixel `(row, col)` of `transform(image, theta)` reads from (channel 0).
///
/// # Errors
/// As [`transform`]; `IndexError` for a pixel outside the output.
pub fn pixel_source(
    image: &Tensor,
    theta: &[f32; 6],
    opts: GridSampleOptions,
    row: usize,
    col: usize,
) -> Result<PixelSource> {
    let [_, _, h, w] = single(image)?;
    if row >= h || col >= w {
        return Err(Error::msg(
            "pixel_source",
            crate::PyKind::IndexError,
            format!("pixel ({row}, {col}) is outside the {h}x{w} output"),
        ));
    }
    let grid = affine_grid_forward(&theta_tensor(theta)?, [1, 1, h, w], opts.align_corners)?;
    let g = &grid.data()[(row * w + col) * 2..(row * w + col) * 2 + 2];
    let pt = sample_point_detail([h, w], g[0], g[1], opts);
    let plane = &image.data()[..h * w];
    let read = |(r, c): (i64, i64), ok: bool| {
        if ok {
            plane[r as usize * w + c as usize]
        } else {
            0.0
        }
    };
    let values = [0, 1, 2, 3].map(|k| read(pt.corners[k], pt.in_bounds[k]));
    let nearest_value = read(pt.nearest, pt.nearest_in_bounds);
    let bilinear_value = (0..4).map(|k| values[k] * pt.weights[k]).sum();
    Ok(PixelSource {
        grid: [g[0], g[1]],
        source: [pt.x, pt.y],
        corners: pt.corners.map(|(r, c)| [r, c]),
        weights: pt.weights,
        in_bounds: pt.in_bounds,
        values,
        nearest: [pt.nearest.0, pt.nearest.1],
        nearest_value,
        bilinear_value,
    })
}

/// Ranges of the random distortions of the STN lesson's training digits.
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Distortion {
    /// Rotation drawn from `±max_rotation` degrees.
    pub max_rotation: f32,
    /// `theta`'s scale drawn from `[min_scale, max_scale]` (above 1 makes the digit smaller).
    pub min_scale: f32,
    pub max_scale: f32,
    /// Shifts drawn from `±max_shift` (normalised units: 1 is half the image).
    pub max_shift: f32,
}

impl Default for Distortion {
    fn default() -> Self {
        Distortion {
            max_rotation: 45.0,
            min_scale: 0.9,
            max_scale: 1.4,
            max_shift: 0.25,
        }
    }
}

impl Distortion {
    /// One random `theta` (rotation, then scale, then shifts drawn from `rng`).
    pub fn sample(&self, rng: &mut Rng) -> [f32; 6] {
        let rotation = rng.uniform_range(-self.max_rotation, self.max_rotation);
        let scale = rng.uniform_range(self.min_scale, self.max_scale);
        let tx = rng.uniform_range(-self.max_shift, self.max_shift);
        let ty = rng.uniform_range(-self.max_shift, self.max_shift);
        AffineParams {
            tx,
            ty,
            scale,
            rotation,
            shear: 0.0,
        }
        .theta()
    }

    /// `x: [N, C, H, W]` with each image resampled on its own random `theta` (bilinear, zeros
    /// padding, `align_corners=False`).
    ///
    /// # Errors
    /// A non-4-D `x`; the ops' errors.
    pub fn apply(&self, x: &Tensor, rng: &mut Rng) -> Result<Tensor> {
        let size: [usize; 4] = x.shape().try_into().map_err(|_| {
            Error::value(
                "distort",
                format!(
                    "expected images [N, C, H, W], got {}",
                    crate::error::fmt_shape(x.shape())
                ),
            )
        })?;
        let thetas: Vec<f32> = (0..size[0]).flat_map(|_| self.sample(rng)).collect();
        let theta = Tensor::from_vec(&[size[0], 2, 3], thetas)?;
        let opts = GridSampleOptions::default();
        let grid = affine_grid_forward(&theta, size, opts.align_corners)?;
        grid_sample_forward(x, &grid, opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliders_make_the_expected_theta() {
        assert_eq!(
            AffineParams::default().theta(),
            [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        );
        let t = AffineParams {
            rotation: 90.0,
            scale: 2.0,
            tx: 0.5,
            ..Default::default()
        }
        .theta();
        let want = [0.0, -2.0, 0.5, 2.0, 0.0, 0.0];
        for (a, b) in t.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{t:?}");
        }
        let t = AffineParams {
            shear: 0.5,
            ..Default::default()
        }
        .theta();
        assert_eq!(t, [1.0, 0.5, 0.0, 0.0, 1.0, 0.0]);
    }
}
