//! Ops as forward/backward pairs of plain functions, one op family per file. Shapes are
//! written on every argument (`x: [N, C, H, W]`).

pub mod affine_grid;
pub mod grid_sample;
