//! `F.affine_grid` (2-D): the sampling grid of an affine map, for `F.grid_sample`.
//!
//! Shapes: `theta: [N, 2, 3]`, `size = [N, C, H, W]` (the output image size), `grid: [N, H, W, 2]`
//! with the last dimension `(x, y)` in normalised coordinates.
//!
//! ```text
//! grid[n, h, w, :] = theta[n] @ (x_w, y_h, 1)
//! x_w = linspace(-1, 1, W)[w]                 align_corners = true  (pixel centres at ±1)
//! x_w = linspace(-1, 1, W)[w] * (W - 1) / W   align_corners = false (image edges at ±1)
//! ```
//! and the same for `y_h` with `H`. A one-pixel axis has the single coordinate 0.
//!
//! Backward: `grad_theta[n, j, k] = sum_{h, w} grad_grid[n, h, w, j] * (x_w, y_h, 1)[k]`.

use crate::error::{fmt_shape, Error, Result};
use crate::tensor::{guard, Tensor};

const OP: &str = "affine_grid";

/// PyTorch's base coordinates along one axis of `steps` pixels (`linspace_from_neg_one`):
/// `linspace(-1, 1, steps)`, scaled by `(steps - 1) / steps` when `align_corners` is false;
/// `[0]` for `steps <= 1`. Equal to PyTorch's values up to 1 ulp (its vectorised `linspace` fills
/// runs of 8 from a base, which can round differently).
pub fn base_coordinates(steps: usize, align_corners: bool) -> Vec<f32> {
    if steps <= 1 {
        return vec![0.0; steps];
    }
    // torch.linspace fills the first half from the start and the second half from the end.
    let step = 2.0f32 / (steps - 1) as f32;
    let half = steps / 2;
    (0..steps)
        .map(|i| {
            let v = if i < half {
                -1.0 + step * i as f32
            } else {
                1.0 - step * (steps - 1 - i) as f32
            };
            if align_corners {
                v
            } else {
                v * (steps - 1) as f32 / steps as f32
            }
        })
        .collect()
}

/// The size checks of `F.affine_grid` (the part that does not depend on `theta`).
fn check_size(size: [usize; 4], align_corners: bool) -> Result<()> {
    let unit_span = align_corners && size[2].min(size[3]) == 1;
    // PyTorch only warns for a unit axis with align_corners=True and then skips this check.
    if !unit_span && size.contains(&0) {
        return Err(Error::value(
            OP,
            format!(
                "Expected non-zero, positive output size. Got {}",
                fmt_shape(&size)
            ),
        ));
    }
    Ok(())
}

/// `grid = F.affine_grid(theta, size, align_corners)` for 2-D images.
///
/// `theta: [N, 2, 3]`, `size = [N, C, H, W]` → `grid: [N, H, W, 2]`, last dim `(x, y)`.
///
/// # Errors
/// PyTorch's texts: `ValueError` `Expected a batch of 2D affine matrices of shape Nx2x3 for size
/// [N, C, H, W]. Got torch.Size([...]).` for a wrong `theta` shape (`size` is printed as the
/// Python list form); `ValueError` `Expected non-zero, positive output size. Got [...]`;
/// `RuntimeError` `Expected size for first two dimensions of batch2 tensor to be: [N, 3] but
/// got: [M, 3].` when `theta` holds `M != N` matrices; [`Error::TooLarge`] past the size guard.
pub fn affine_grid_forward(
    theta: &Tensor,
    size: [usize; 4],
    align_corners: bool,
) -> Result<Tensor> {
    let ts = theta.shape();
    if ts.len() != 3 || ts[1] != 2 || ts[2] != 3 {
        return Err(Error::value(
            OP,
            format!(
                "Expected a batch of 2D affine matrices of shape Nx2x3 for size {}. Got torch.Size({}).",
                fmt_shape(&size),
                fmt_shape(ts)
            ),
        ));
    }
    check_size(size, align_corners)?;
    let [n, _, h, w] = size;
    if ts[0] != n {
        return Err(Error::runtime(
            OP,
            format!(
                "Expected size for first two dimensions of batch2 tensor to be: [{n}, 3] but got: [{}, 3].",
                ts[0]
            ),
        ));
    }
    let shape = [n, h, w, 2];
    let numel = guard::check_numel(OP, &shape)?;
    let (xs, ys) = (
        base_coordinates(w, align_corners),
        base_coordinates(h, align_corners),
    );
    let mut out = Vec::with_capacity(numel);
    for t in theta.data().chunks_exact(6) {
        for &y in &ys {
            for &x in &xs {
                out.push(x * t[0] + y * t[1] + t[2]);
                out.push(x * t[3] + y * t[4] + t[5]);
            }
        }
    }
    Tensor::from_vec(&shape, out)
}

/// `grad_theta: [N, 2, 3]` of `grid = affine_grid(theta, size, align_corners)` for
/// `grad_grid = dL/dgrid: [N, H, W, 2]` (it does not depend on `theta`).
///
/// # Errors
/// The forward's size error; [`Error::ShapeMismatch`] if `grad_grid` is not `[N, H, W, 2]`.
pub fn affine_grid_backward(
    grad_grid: &Tensor,
    size: [usize; 4],
    align_corners: bool,
) -> Result<Tensor> {
    check_size(size, align_corners)?;
    let [n, _, h, w] = size;
    grad_grid.expect_shape("affine_grid_backward", &[n, h, w, 2])?;
    let (xs, ys) = (
        base_coordinates(w, align_corners),
        base_coordinates(h, align_corners),
    );
    let mut out = Vec::with_capacity(n * 6);
    for g in grad_grid.data().chunks_exact((h * w * 2).max(1)).take(n) {
        // Sums in f64, rounded once: [j][k] with k over (x, y, 1).
        let mut acc = [[0.0f64; 3]; 2];
        let mut i = 0;
        for &y in &ys {
            for &x in &xs {
                for (j, row) in acc.iter_mut().enumerate() {
                    let gv = g[i + j] as f64;
                    row[0] += gv * x as f64;
                    row[1] += gv * y as f64;
                    row[2] += gv;
                }
                i += 2;
            }
        }
        out.extend(acc.iter().flatten().map(|&v| v as f32));
    }
    // An empty grid (H*W == 0) has no chunks: its gradient is zero.
    out.resize(n * 6, 0.0);
    Tensor::from_vec(&[n, 2, 3], out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_coordinates_match_linspace() {
        assert_eq!(base_coordinates(3, true), vec![-1.0, 0.0, 1.0]);
        assert_eq!(base_coordinates(1, true), vec![0.0]);
        assert_eq!(base_coordinates(2, false), vec![-0.5, 0.5]);
        // torch: F.affine_grid(torch.eye(2, 3)[None], [1, 1, 1, W], align_corners=False)[0, 0, :, 0]
        assert_eq!(
            base_coordinates(4, false),
            vec![-0.75, -0.24999999, 0.24999999, 0.75]
        );
        let nine = [
            -0.8888889,
            -0.6666667,
            -0.44444445,
            -0.22222222,
            0.0,
            0.22222222,
            0.44444445,
            0.6666667,
            0.8888889,
        ];
        assert_eq!(base_coordinates(9, false), nine);
        let nine_ac = [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0];
        assert_eq!(base_coordinates(9, true), nine_ac);
    }
}
