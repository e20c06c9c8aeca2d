//! Spatial transformer cases: `affine_grid` and `affine_grid+grid_sample`.

use super::fixture::Case;
use super::{op_err, Computed, Ctx};
use crate::ops::affine_grid::{affine_grid_backward, affine_grid_forward};
use crate::ops::grid_sample::{
    grid_sample_backward, grid_sample_forward, GridSampleMode, GridSampleOptions, PaddingMode,
};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AffineGridParams {
    size: [usize; 4],
    align_corners: bool,
}

/// `grid = F.affine_grid(theta, size, align_corners)`, grad of `L = sum(grid * g_grid)`.
pub(super) fn affine_grid(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: AffineGridParams = case.params()?;
    let (theta, g) = (case.input("theta")?, case.input("g_grid")?);
    let grid = affine_grid_forward(&theta, p.size, p.align_corners)
        .map_err(|e| op_err("affine_grid_forward", e))?;
    let dtheta = affine_grid_backward(&g, p.size, p.align_corners)
        .map_err(|e| op_err("affine_grid_backward", e))?;
    let mut c = Computed::default();
    c.output("grid", &grid);
    c.grad("theta", &dtheta);
    Ok(c)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GridSampleParams {
    size: [usize; 4],
    align_corners: bool,
    mode: String,
    padding_mode: String,
}

/// `grid = F.affine_grid(theta, size, align_corners)`;
/// `y = F.grid_sample(x, grid, mode, padding_mode, align_corners)`; grads of
/// `L = sum(y * g)` for `x`, `grid` and (through the grid) `theta`. `kink_sensitive` cases
/// do not compare the `theta` and `grid` gradients.
pub(super) fn affine_grid_grid_sample(case: &Case, _: &mut Ctx) -> Result<Computed, String> {
    let p: GridSampleParams = case.params()?;
    let opts = GridSampleOptions {
        mode: GridSampleMode::parse(&p.mode).map_err(|e| op_err("GridSampleMode::parse", e))?,
        padding_mode: PaddingMode::parse(&p.padding_mode)
            .map_err(|e| op_err("PaddingMode::parse", e))?,
        align_corners: p.align_corners,
    };
    let (x, theta, g) = (case.input("x")?, case.input("theta")?, case.input("g")?);
    let grid = affine_grid_forward(&theta, p.size, p.align_corners)
        .map_err(|e| op_err("affine_grid_forward", e))?;
    let y = grid_sample_forward(&x, &grid, opts).map_err(|e| op_err("grid_sample_forward", e))?;
    let (dx, dgrid) =
        grid_sample_backward(&x, &grid, &g, opts).map_err(|e| op_err("grid_sample_backward", e))?;
    let dtheta = affine_grid_backward(&dgrid, p.size, p.align_corners)
        .map_err(|e| op_err("affine_grid_backward", e))?;
    let mut c = Computed::default();
    c.output("y", &y);
    c.output("grid", &grid);
    c.grad("x", &dx);
    c.grad("grid", &dgrid);
    c.grad("theta", &dtheta);
    if case.kink_sensitive {
        c.skip_grads = vec!["theta".into(), "grid".into()];
    }
    Ok(c)
}
