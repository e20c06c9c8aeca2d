//! `affine_grid` and `grid_sample` against real PyTorch (2.15, CPU, float32), finite
//! differences of every backward, PyTorch's exact error texts.
//!
//! The expected tensors at the end of this file were printed by the script quoted above them
//! (`torch.set_num_threads(1)`); to regenerate after a change of inputs, run it with a CPU
//! PyTorch and paste its output over the `expected` module's constants.

use nnbook::ops::affine_grid::{affine_grid_backward, affine_grid_forward};
use nnbook::ops::grid_sample::{
    grid_sample_backward, grid_sample_forward, sample_point_detail, GridSampleMode,
    GridSampleOptions, PaddingMode,
};
use nnbook::{PyKind, Tensor};

use expected::*;

const MODES: [GridSampleMode; 2] = [GridSampleMode::Bilinear, GridSampleMode::Nearest];
const PADS: [PaddingMode; 3] = [
    PaddingMode::Zeros,
    PaddingMode::Border,
    PaddingMode::Reflection,
];

fn opts(mode: GridSampleMode, padding_mode: PaddingMode, align_corners: bool) -> GridSampleOptions {
    GridSampleOptions {
        mode,
        padding_mode,
        align_corners,
    }
}

/// The generator's exact dyadic inputs: `((i * a) % m) / d - off`.
fn formula(shape: &[usize], a: usize, m: usize, d: f32, off: f32) -> Tensor {
    let n: usize = shape.iter().product();
    let v = (0..n).map(|i| ((i * a) % m) as f32 / d - off).collect();
    Tensor::from_vec(shape, v).unwrap()
}

fn t(shape: &[usize], v: &[f32]) -> Tensor {
    Tensor::from_vec(shape, v.to_vec()).unwrap()
}

/// `|got - want| <= atol + rtol * |want|` elementwise, with the worst element in the message.
fn assert_close(what: &str, got: &[f32], want: &[f32], atol: f32, rtol: f32) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok = (g - w).abs() <= atol + rtol * w.abs() || (g.is_nan() && w.is_nan());
        assert!(
            ok,
            "{what}[{i}]: got {g}, torch {w} (atol {atol}, rtol {rtol})"
        );
    }
}

/// `L = sum(y * g)` accumulated in f64.
fn dot(y: &Tensor, g: &Tensor) -> f64 {
    y.data()
        .iter()
        .zip(g.data())
        .map(|(&a, &b)| a as f64 * b as f64)
        .sum()
}

/// A small deterministic generator of floats in `[lo, hi)`.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, lo: f32, hi: f32) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (self.0 >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * u
    }
}

/// Pixel coordinate before padding, from the formulas PyTorch documents (f64).
fn raw_pixel(c: f32, size: usize, align_corners: bool) -> f64 {
    let (c, s) = (c as f64, size as f64);
    if align_corners {
        (c + 1.0) / 2.0 * (s - 1.0)
    } else {
        ((c + 1.0) * s - 1.0) / 2.0
    }
}

/// Distance of a raw pixel coordinate to the nearest kink: every kink of bilinear sampling
/// (integer neighbours, clip bounds, both reflection bounds and their images) lies on a
/// multiple of 0.5.
fn kink_distance(c: f32, size: usize, align_corners: bool) -> f64 {
    let p = raw_pixel(c, size, align_corners) * 2.0;
    (p - p.round()).abs() / 2.0
}

// ---------------------------------------------------------------------------------------------
// Values against torch.

fn check_cases(cases: &[Case], x: &Tensor, grid: &Tensor) {
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let (ho, wo) = (grid.shape()[1], grid.shape()[2]);
    let g = formula(&[n, c, ho, wo], 5, 7, 4.0, 0.75);
    for &(mode, pad, align, y_want, dx_want, dgrid_want) in cases {
        let o = opts(mode, pad, align);
        let what = format!("{mode:?}/{pad:?}/align_corners={align}");
        let y = grid_sample_forward(x, grid, o).unwrap();
        assert_eq!(y.shape(), &[n, c, ho, wo]);
        assert_close(&format!("y {what}"), y.data(), y_want, 1e-6, 1e-5);
        let (dx, dgrid) = grid_sample_backward(x, grid, &g, o).unwrap();
        assert_eq!(dx.shape(), x.shape());
        assert_eq!(dgrid.shape(), grid.shape());
        assert_close(&format!("dx {what}"), dx.data(), dx_want, 1e-6, 1e-5);
        assert_close(
            &format!("dgrid {what}"),
            dgrid.data(),
            dgrid_want,
            1e-5,
            1e-4,
        );
    }
}

#[test]
fn grid_sample_matches_torch_every_mode_padding_and_align_corners() {
    // x [2,2,3,4]; grid [2,2,3,2] with in-range, out-of-range (|c| > 1) and far-out points
    // (3.3, -7.9, 11.0: several reflections), points near and on the ±1 corners.
    let x = formula(&[2, 2, 3, 4], 7, 13, 4.0, 1.5);
    check_cases(&CASES_A, &x, &t(&[2, 2, 3, 2], &GA));
}

#[test]
fn grid_sample_matches_torch_on_a_one_pixel_axis() {
    // x [1,1,1,3]: Hin = 1, where align_corners=True reflection maps everything to row 0.
    let x = t(&[1, 1, 1, 3], &[1.5, -2.0, 0.25]);
    check_cases(&CASES_B, &x, &t(&[1, 2, 3, 2], &GB));
}

#[test]
fn nearest_rounds_half_to_even() {
    // torch: F.grid_sample(torch.arange(8.).view(1,1,1,8), GN, mode="nearest",
    //                      align_corners=False) -> pixel 2.5 reads 2, 3.5 reads 4, 4.5 reads 4,
    //                      0.5 reads 0.
    let x = Tensor::arange(&[1, 1, 1, 8]).unwrap();
    let grid = t(
        &[1, 1, 4, 2],
        &[-0.25, 0.0, 0.0, 0.0, 0.25, 0.0, -0.75, 0.0],
    );
    let o = opts(GridSampleMode::Nearest, PaddingMode::Zeros, false);
    let y = grid_sample_forward(&x, &grid, o).unwrap();
    assert_eq!(y.data(), &N_Y);
    let pt = sample_point_detail([1, 8], -0.25, 0.0, o);
    assert_eq!((pt.x, pt.nearest), (2.5, (0, 2)));
}

#[test]
fn affine_grid_matches_torch() {
    // theta [2,2,3]; size [2,1,3,5] and a one-pixel-high size [2,1,1,4]; both align_corners.
    let theta = t(&[2, 2, 3], &TH);
    type AffineCase<'a> = (&'a [f32], &'a [f32], [usize; 4], bool);
    let cases: [AffineCase; 4] = [
        (&AG_S_F_GRID, &AG_S_F_DTHETA, [2, 1, 3, 5], false),
        (&AG_U_F_GRID, &AG_U_F_DTHETA, [2, 1, 1, 4], false),
        (&AG_S_T_GRID, &AG_S_T_DTHETA, [2, 1, 3, 5], true),
        (&AG_U_T_GRID, &AG_U_T_DTHETA, [2, 1, 1, 4], true),
    ];
    for (grid_want, dtheta_want, size, align) in cases {
        let grid = affine_grid_forward(&theta, size, align).unwrap();
        assert_eq!(grid.shape(), &[size[0], size[2], size[3], 2]);
        assert_close(
            &format!("grid {size:?} {align}"),
            grid.data(),
            grid_want,
            1e-6,
            1e-5,
        );
        let gg = formula(grid.shape(), 3, 11, 8.0, 0.6);
        let dtheta = affine_grid_backward(&gg, size, align).unwrap();
        assert_eq!(dtheta.shape(), &[2, 2, 3]);
        assert_close(
            &format!("dtheta {size:?} {align}"),
            dtheta.data(),
            dtheta_want,
            1e-5,
            1e-5,
        );
    }
}

#[test]
fn affine_grid_then_grid_sample_matches_torch() {
    // x [2,2,4,5] -> y [2,2,3,4] through grid = affine_grid(theta, [2,2,3,4]), bilinear,
    // every padding mode, both align_corners; dtheta = affine_grid_backward(dgrid).
    let x = formula(&[2, 2, 4, 5], 11, 17, 8.0, 1.0);
    let theta = t(&[2, 2, 3], &TC);
    let g = formula(&[2, 2, 3, 4], 5, 7, 4.0, 0.75);
    type ChainCase<'a> = (PaddingMode, bool, &'a [f32], &'a [f32], &'a [f32]);
    let cases: [ChainCase; 6] = [
        (
            PaddingMode::Zeros,
            false,
            &C_ZER_F_Y,
            &C_ZER_F_DX,
            &C_ZER_F_DTHETA,
        ),
        (
            PaddingMode::Zeros,
            true,
            &C_ZER_T_Y,
            &C_ZER_T_DX,
            &C_ZER_T_DTHETA,
        ),
        (
            PaddingMode::Border,
            false,
            &C_BOR_F_Y,
            &C_BOR_F_DX,
            &C_BOR_F_DTHETA,
        ),
        (
            PaddingMode::Border,
            true,
            &C_BOR_T_Y,
            &C_BOR_T_DX,
            &C_BOR_T_DTHETA,
        ),
        (
            PaddingMode::Reflection,
            false,
            &C_REF_F_Y,
            &C_REF_F_DX,
            &C_REF_F_DTHETA,
        ),
        (
            PaddingMode::Reflection,
            true,
            &C_REF_T_Y,
            &C_REF_T_DX,
            &C_REF_T_DTHETA,
        ),
    ];
    for (pad, align, y_want, dx_want, dtheta_want) in cases {
        let o = opts(GridSampleMode::Bilinear, pad, align);
        let grid = affine_grid_forward(&theta, [2, 2, 3, 4], align).unwrap();
        let y = grid_sample_forward(&x, &grid, o).unwrap();
        assert_close(&format!("y {pad:?} {align}"), y.data(), y_want, 2e-6, 1e-5);
        let (dx, dgrid) = grid_sample_backward(&x, &grid, &g, o).unwrap();
        assert_close(
            &format!("dx {pad:?} {align}"),
            dx.data(),
            dx_want,
            2e-6,
            1e-5,
        );
        let dtheta = affine_grid_backward(&dgrid, [2, 2, 3, 4], align).unwrap();
        assert_close(
            &format!("dtheta {pad:?} {align}"),
            dtheta.data(),
            dtheta_want,
            1e-4,
            1e-4,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Finite differences.

/// A grid of `n` points per batch item whose raw pixel coordinates all stay at least `margin`
/// away from any kink, for an input of `[hin, win]`.
fn kink_free_grid(
    rng: &mut Lcg,
    shape: [usize; 4],
    hw: [usize; 2],
    align: bool,
    margin: f64,
) -> Tensor {
    let n = shape.iter().product::<usize>();
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        let c = rng.next(-1.7, 1.7);
        let size = if v.len() % 2 == 0 { hw[1] } else { hw[0] };
        if kink_distance(c, size, align) >= margin {
            v.push(c);
        }
    }
    Tensor::from_vec(&shape, v).unwrap()
}

#[test]
fn finite_differences_of_dx_and_dgrid_every_mode() {
    let mut rng = Lcg(7);
    let (n, c, hin, win) = (2, 2, 3, 4);
    let x_vals: Vec<f32> = (0..n * c * hin * win)
        .map(|_| rng.next(-1.0, 1.0))
        .collect();
    let x = t(&[n, c, hin, win], &x_vals);
    let g_vals: Vec<f32> = (0..n * c * 2 * 3).map(|_| rng.next(-1.0, 1.0)).collect();
    let g = t(&[n, c, 2, 3], &g_vals);
    for mode in MODES {
        for pad in PADS {
            for align in [false, true] {
                let o = opts(mode, pad, align);
                let what = format!("{mode:?}/{pad:?}/{align}");
                let grid = kink_free_grid(&mut rng, [n, 2, 3, 2], [hin, win], align, 0.02);
                let (dx, dgrid) = grid_sample_backward(&x, &grid, &g, o).unwrap();
                // y is linear in x: central differences are exact up to float32 rounding.
                let eps = 1e-2;
                for i in 0..x.numel() {
                    let (mut xp, mut xm) = (x.clone(), x.clone());
                    xp.data_mut()[i] += eps;
                    xm.data_mut()[i] -= eps;
                    let fd = (dot(&grid_sample_forward(&xp, &grid, o).unwrap(), &g)
                        - dot(&grid_sample_forward(&xm, &grid, o).unwrap(), &g))
                        / (2.0 * eps as f64);
                    let a = dx.data()[i] as f64;
                    assert!(
                        (a - fd).abs() <= 1e-3 + 1e-3 * fd.abs(),
                        "dx[{i}] {what}: {a} vs fd {fd}"
                    );
                }
                // Away from kinks y is bilinear in (gx, gy): a 1e-3 step (< 0.0025 pixel) never
                // crosses one. Nearest is piecewise constant: the derivative there is 0.
                let eps = 1e-3;
                for i in 0..grid.numel() {
                    let (mut gp, mut gm) = (grid.clone(), grid.clone());
                    gp.data_mut()[i] += eps;
                    gm.data_mut()[i] -= eps;
                    let fd = (dot(&grid_sample_forward(&x, &gp, o).unwrap(), &g)
                        - dot(&grid_sample_forward(&x, &gm, o).unwrap(), &g))
                        / (2.0 * eps as f64);
                    let a = dgrid.data()[i] as f64;
                    assert!(
                        (a - fd).abs() <= 2e-3 + 1e-2 * fd.abs(),
                        "dgrid[{i}] {what}: {a} vs fd {fd}"
                    );
                }
            }
        }
    }
}

#[test]
fn nearest_dgrid_is_exactly_zero() {
    let x = formula(&[2, 2, 3, 4], 7, 13, 4.0, 1.5);
    let grid = t(&[2, 2, 3, 2], &GA);
    let g = formula(&[2, 2, 2, 3], 5, 7, 4.0, 0.75);
    for pad in PADS {
        for align in [false, true] {
            let o = opts(GridSampleMode::Nearest, pad, align);
            let (_, dgrid) = grid_sample_backward(&x, &grid, &g, o).unwrap();
            assert!(dgrid
                .data()
                .iter()
                .all(|&v| v == 0.0 && v.is_sign_positive()));
        }
    }
}

#[test]
fn finite_differences_of_dtheta_through_affine_grid_and_grid_sample() {
    let mut rng = Lcg(11);
    let (hin, win, size) = (4, 5, [2, 2, 3, 4]);
    let x_vals: Vec<f32> = (0..2 * 2 * hin * win)
        .map(|_| rng.next(-1.0, 1.0))
        .collect();
    let x = t(&[2, 2, hin, win], &x_vals);
    let g_vals: Vec<f32> = (0..2 * 2 * 3 * 4).map(|_| rng.next(-1.0, 1.0)).collect();
    let g = t(&[2, 2, 3, 4], &g_vals);
    for pad in PADS {
        for align in [false, true] {
            let o = opts(GridSampleMode::Bilinear, pad, align);
            // Draw thetas until every sample point is 0.01 pixel away from a kink; a step of
            // 1e-3 in theta moves a point by at most 2.5e-3 pixel.
            let theta = loop {
                let v: Vec<f32> = (0..12)
                    .map(|i| rng.next(-0.6, 0.6) + if i % 4 == 0 { 1.0 } else { 0.0 })
                    .collect();
                let th = t(&[2, 2, 3], &v);
                let grid = affine_grid_forward(&th, size, align).unwrap();
                let ok = grid.data().chunks(2).all(|p| {
                    kink_distance(p[0], win, align) >= 0.01
                        && kink_distance(p[1], hin, align) >= 0.01
                });
                if ok {
                    break th;
                }
            };
            let loss = |th: &Tensor| {
                let grid = affine_grid_forward(th, size, align).unwrap();
                dot(&grid_sample_forward(&x, &grid, o).unwrap(), &g)
            };
            let grid = affine_grid_forward(&theta, size, align).unwrap();
            let (_, dgrid) = grid_sample_backward(&x, &grid, &g, o).unwrap();
            let dtheta = affine_grid_backward(&dgrid, size, align).unwrap();
            let eps = 1e-3;
            for i in 0..6 * 2 {
                let (mut tp, mut tm) = (theta.clone(), theta.clone());
                tp.data_mut()[i] += eps;
                tm.data_mut()[i] -= eps;
                let fd = (loss(&tp) - loss(&tm)) / (2.0 * eps as f64);
                let a = dtheta.data()[i] as f64;
                assert!(
                    (a - fd).abs() <= 3e-3 + 1e-2 * fd.abs(),
                    "dtheta[{i}] {pad:?}/{align}: {a} vs fd {fd}"
                );
            }
        }
    }
}

#[test]
fn affine_grid_backward_is_the_transpose_of_forward() {
    // grid is linear in theta, so <affine_grid(theta), G> == <theta, affine_grid_backward(G)>.
    let mut rng = Lcg(3);
    for (size, align) in [
        ([2, 3, 4, 5], false),
        ([2, 3, 4, 5], true),
        ([2, 1, 1, 3], true),
    ] {
        let th: Vec<f32> = (0..12).map(|_| rng.next(-1.0, 1.0)).collect();
        let th = t(&[2, 2, 3], &th);
        let grid = affine_grid_forward(&th, size, align).unwrap();
        let gg: Vec<f32> = (0..grid.numel()).map(|_| rng.next(-1.0, 1.0)).collect();
        let gg = t(grid.shape(), &gg);
        let lhs = dot(&grid, &gg);
        let rhs = dot(&th, &affine_grid_backward(&gg, size, align).unwrap());
        assert!(
            (lhs - rhs).abs() < 1e-4 * (1.0 + lhs.abs()),
            "{lhs} vs {rhs}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The lesson helper.

#[test]
fn sample_point_detail_explains_one_point() {
    // Win = 4, Hin = 3, align_corners=False: gx = 0.1 -> x = 1.1 * 2 - 0.5 = 1.7,
    // gy = -0.9 -> y = 0.1 * 1.5 - 0.5 = -0.35 (row -1 is outside for zeros padding).
    let o = opts(GridSampleMode::Bilinear, PaddingMode::Zeros, false);
    let pt = sample_point_detail([3, 4], 0.1, -0.9, o);
    assert!((pt.x - 1.7).abs() < 1e-6 && (pt.y + 0.35).abs() < 1e-6);
    assert_eq!(pt.corners, [(-1, 1), (-1, 2), (0, 1), (0, 2)]);
    assert_eq!(pt.in_bounds, [false, false, true, true]);
    let sum: f32 = pt.weights.iter().sum();
    assert!((sum - 1.0).abs() < 1e-6);
    assert!((pt.weights[3] - 0.65 * 0.7).abs() < 1e-6); // se = n * w
    assert_eq!(pt.grad_mult, [2.0, 1.5]);
    // Border clips the row to 0 and its derivative to 0; every neighbour is read.
    let pt = sample_point_detail(
        [3, 4],
        0.1,
        -0.9,
        opts(GridSampleMode::Bilinear, PaddingMode::Border, false),
    );
    assert_eq!((pt.y, pt.grad_mult[1]), (0.0, 0.0));
    assert_eq!(pt.in_bounds, [true, true, true, true]);
}

// ---------------------------------------------------------------------------------------------
// Errors: PyTorch's exact texts (torch 2.15).

fn err_text(r: nnbook::Result<Tensor>) -> (PyKind, String) {
    let e = r.unwrap_err();
    (e.py_kind(), e.to_string())
}

#[test]
fn grid_sample_error_texts() {
    let o = GridSampleOptions::default();
    let z = |s: &[usize]| Tensor::zeros(s).unwrap();
    // F.grid_sample(torch.randn(2,3,4,5), torch.randn(3,2,2,2), align_corners=False)
    assert_eq!(
        err_text(grid_sample_forward(&z(&[2, 3, 4, 5]), &z(&[3, 2, 2, 2]), o)),
        (PyKind::RuntimeError, "grid_sampler(): expected grid and input to have same batch size, but got input with sizes [2, 3, 4, 5] and grid with sizes [3, 2, 2, 2]".into())
    );
    // grid [2,2,2,3]
    assert_eq!(
        err_text(grid_sample_forward(&z(&[2, 3, 4, 5]), &z(&[2, 2, 2, 3]), o)).1,
        "grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes [2, 2, 2, 3]"
    );
    // grid [2,2,2]
    assert_eq!(
        err_text(grid_sample_forward(&z(&[2, 3, 4, 5]), &z(&[2, 2, 2]), o)).1,
        "grid_sampler(): expected 4D input and grid with same number of dimensions, but got input with sizes [2, 3, 4, 5] and grid with sizes [2, 2, 2]"
    );
    // input [2,3,4], grid [2,3,1]
    assert_eq!(
        err_text(grid_sample_forward(&z(&[2, 3, 4]), &z(&[2, 3, 1]), o)).1,
        "grid_sampler(): expected 5D input and grid with same number of dimensions, but got input with sizes [2, 3, 4] and grid with sizes [2, 3, 1]"
    );
    // input [2], grid [2,1]
    assert_eq!(
        err_text(grid_sample_forward(&z(&[2]), &z(&[2, 1]), o)).1,
        "grid_sampler(): expected grid to have size -1 in last dimension, but got grid with sizes [2, 1]"
    );
    // input [2,3,0,5]
    assert_eq!(
        err_text(grid_sample_forward(&z(&[2, 3, 0, 5]), &z(&[2, 2, 2, 2]), o)).1,
        "grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes [2, 3, 0, 5] with dimension 2 being empty"
    );
    // torch.randn(()) as input
    assert_eq!(
        err_text(grid_sample_forward(
            &Tensor::scalar(1.0),
            &z(&[2, 2, 2, 2]),
            o
        )),
        (
            PyKind::IndexError,
            "Dimension specified as 0 but tensor has no dimensions".into()
        )
    );
    // Empty batch, channels and output are fine: torch returns [0,3,3,2] / [2,0,2,2].
    let y = grid_sample_forward(&z(&[0, 3, 4, 5]), &z(&[0, 3, 2, 2]), o).unwrap();
    assert_eq!(y.shape(), &[0, 3, 3, 2]);
    let y = grid_sample_forward(&z(&[2, 0, 4, 5]), &z(&[2, 2, 2, 2]), o).unwrap();
    assert_eq!(y.shape(), &[2, 0, 2, 2]);
    // Backward with a wrong grad_y shape names the op.
    let e = grid_sample_backward(&z(&[1, 1, 2, 2]), &z(&[1, 1, 1, 2]), &z(&[1, 1, 2, 1]), o)
        .unwrap_err();
    assert!(e.to_string().contains("grid_sample_backward"), "{e}");
    // mode / padding_mode names.
    let e = GridSampleMode::parse("foo").unwrap_err();
    assert_eq!(
        (e.py_kind(), e.to_string()),
        (PyKind::ValueError, "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'foo'".into())
    );
    let e = PaddingMode::parse("foo").unwrap_err();
    assert_eq!(
        e.to_string(),
        "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: 'foo'"
    );
    assert_eq!(
        PaddingMode::parse("reflection").unwrap(),
        PaddingMode::Reflection
    );
    assert_eq!(
        GridSampleMode::parse("nearest").unwrap().as_str(),
        "nearest"
    );
}

#[test]
fn affine_grid_error_texts() {
    let z = |s: &[usize]| Tensor::zeros(s).unwrap();
    // F.affine_grid(torch.randn(2,3,3), [2,3,4,5], align_corners=False)
    assert_eq!(
        err_text(affine_grid_forward(&z(&[2, 3, 3]), [2, 3, 4, 5], false)),
        (PyKind::ValueError, "Expected a batch of 2D affine matrices of shape Nx2x3 for size [2, 3, 4, 5]. Got torch.Size([2, 3, 3]).".into())
    );
    // F.affine_grid(torch.randn(()), [2,3,4,5], align_corners=True)
    assert_eq!(
        err_text(affine_grid_forward(&Tensor::scalar(0.0), [2, 3, 4, 5], true)).1,
        "Expected a batch of 2D affine matrices of shape Nx2x3 for size [2, 3, 4, 5]. Got torch.Size([])."
    );
    // F.affine_grid(torch.randn(2,2,3), [3,3,4,5], align_corners=False)  (raised by bmm)
    assert_eq!(
        err_text(affine_grid_forward(&z(&[2, 2, 3]), [3, 3, 4, 5], false)),
        (PyKind::RuntimeError, "Expected size for first two dimensions of batch2 tensor to be: [3, 3] but got: [2, 3].".into())
    );
    // F.affine_grid(torch.randn(2,2,3), [2,3,4,0], align_corners=True)
    assert_eq!(
        err_text(affine_grid_forward(&z(&[2, 2, 3]), [2, 3, 4, 0], true)),
        (
            PyKind::ValueError,
            "Expected non-zero, positive output size. Got [2, 3, 4, 0]".into()
        )
    );
    // [2,3,1,0] with align_corners=True: min(H, W) is 0, not 1, so the check still runs.
    assert_eq!(
        err_text(affine_grid_forward(&z(&[2, 2, 3]), [2, 3, 1, 0], true)).1,
        "Expected non-zero, positive output size. Got [2, 3, 1, 0]"
    );
    // A unit axis with align_corners=True skips the size check (PyTorch only warns):
    // F.affine_grid(torch.randn(2,2,3), [2,0,1,5], align_corners=True).shape == [2,1,5,2]
    let grid = affine_grid_forward(&z(&[2, 2, 3]), [2, 0, 1, 5], true).unwrap();
    assert_eq!(grid.shape(), &[2, 1, 5, 2]);
    assert!(affine_grid_forward(&z(&[2, 2, 3]), [2, 0, 1, 5], false).is_err());
    // Backward checks its gradient's shape.
    assert!(affine_grid_backward(&z(&[2, 4, 5, 1]), [2, 3, 4, 5], false).is_err());
}

// ---------------------------------------------------------------------------------------------
// The torch script that printed the constants below (torch 2.15, CPU):
//
// # Writes the expected tensors of tests/grid_ops.rs (torch 2.15, CPU, float32, 1 thread).
// import torch, torch.nn.functional as F, numpy as np, warnings
// warnings.simplefilter("ignore")
// torch.set_num_threads(1)
//
// def f32(vals):  # shortest decimal that reads back to the same float32
//     return ", ".join(str(np.float32(v)) if np.isfinite(v) else "f32::NAN" for v in vals)
//
// def emit(name, t):
//     print(f"const {name}: [f32; {t.numel()}] = [{f32(t.detach().flatten().tolist())}];")
//
// def formula(shape, a, m, d, off):  # exact dyadic values: ((i*a) % m) / d - off
//     n = int(np.prod(shape))
//     return torch.tensor([((i * a) % m) / d - off for i in range(n)], dtype=torch.float32).view(shape)
//
// MODES, PADS = ["bilinear", "nearest"], ["zeros", "border", "reflection"]
// combos = [(m, p, a) for m in MODES for p in PADS for a in [False, True]]
//
// def grid_sample_case(tag, x, grid):
//     g = formula([x.shape[0], x.shape[1], grid.shape[1], grid.shape[2]], 5, 7, 4, 0.75)
//     for (m, p, a) in combos:
//         xr, gr = x.clone().requires_grad_(), grid.clone().requires_grad_()
//         y = F.grid_sample(xr, gr, mode=m, padding_mode=p, align_corners=a)
//         (y * g).sum().backward()
//         key = f"{tag}_{m[:2]}_{p[:3]}_{'t' if a else 'f'}".upper()
//         emit(key + "_Y", y); emit(key + "_DX", xr.grad); emit(key + "_DGRID", gr.grad)
//
// # Case A: x [2,2,3,4], grid [2,2,3,2]: in-range, out-of-range and far-out points.
// GA = torch.tensor([-0.8125, 0.34375, 1.25, -0.09375, 0.46875, 0.71875,
//                    -1.6875, -1.21875, 2.40625, 0.90625, 0.0, -0.5,
//                    3.3, -0.27, -7.9, 1.9, 0.61, -0.43,
//                    -0.999, 0.999, 1.0, -1.0, 0.123, 11.0], dtype=torch.float32).view(2, 2, 3, 2)
// XA = formula([2, 2, 3, 4], 7, 13, 4, 1.5)
// emit("GA", GA)
// grid_sample_case("A", XA, GA)
// # Case B: a one-pixel-high input, x [1,1,1,3], grid [1,2,3,2].
// GB = torch.tensor([-0.75, 0.3, 0.0, -1.4, 1.2, 0.7, 2.6, -2.2, -0.3333, 0.0, 0.5, 0.5],
//                   dtype=torch.float32).view(1, 2, 3, 2)
// XB = torch.tensor([[[[1.5, -2.0, 0.25]]]])
// emit("GB", GB)
// grid_sample_case("B", XB, GB)
// # Case N: nearest ties round half to even, x [1,1,1,8], grid [1,1,4,2].
// GN = torch.tensor([-0.25, 0.0, 0.0, 0.0, 0.25, 0.0, -0.75, 0.0], dtype=torch.float32).view(1, 1, 4, 2)
// XN = torch.arange(8.).view(1, 1, 1, 8)
// emit("N_Y", F.grid_sample(XN, GN, mode="nearest", align_corners=False))
//
// # affine_grid: theta [2,2,3], size [2,1,3,5], both align_corners, and a unit axis.
// TH = torch.tensor([[[0.9, -0.3, 0.1], [0.2, 1.1, -0.25]], [[-1.2, 0.5, 0.3], [0.4, 0.7, 0.05]]])
// emit("TH", TH)
// for a in [False, True]:
//     for size, tag in [([2, 1, 3, 5], "S"), ([2, 1, 1, 4], "U")]:
//         t = TH.clone().requires_grad_()
//         grid = F.affine_grid(t, size, align_corners=a)
//         gg = formula(list(grid.shape), 3, 11, 8, 0.6)
//         (grid * gg).sum().backward()
//         key = f"AG_{tag}_{'T' if a else 'F'}"
//         emit(key + "_GRID", grid); emit(key + "_DTHETA", t.grad)
//
// # affine_grid + grid_sample (bilinear), x [2,2,4,5], output size [2,2,3,4].
// XC = formula([2, 2, 4, 5], 11, 17, 8, 1.0)
// TC = torch.tensor([[[0.8, -0.35, 0.12], [0.3, 1.15, -0.2]], [[1.3, 0.4, -0.6], [-0.5, 0.9, 0.45]]])
// emit("TC", TC)
// for p in PADS:
//     for a in [False, True]:
//         xr, t = XC.clone().requires_grad_(), TC.clone().requires_grad_()
//         grid = F.affine_grid(t, [2, 2, 3, 4], align_corners=a)
//         y = F.grid_sample(xr, grid, padding_mode=p, align_corners=a)
//         g = formula(list(y.shape), 5, 7, 4, 0.75)
//         (y * g).sum().backward()
//         key = f"C_{p[:3]}_{'T' if a else 'F'}".upper()
//         emit(key + "_Y", y); emit(key + "_DX", xr.grad); emit(key + "_DTHETA", t.grad)
//
// # Tables tying each mode combination to its constants.
// def table(name, tag, n):
//     print(f"const {name}: [Case; 12] = [")
//     for (m, p, a) in combos:
//         key = f"{tag}_{m[:2]}_{p[:3]}_{'t' if a else 'f'}".upper()
//         print(f"    ({m.capitalize()}, {p.capitalize()}, {'true' if a else 'false'}, &{key}_Y, &{key}_DX, &{key}_DGRID),")
//     print("];")
// table("CASES_A", "A", 12); table("CASES_B", "B", 12)

#[rustfmt::skip]
#[allow(clippy::excessive_precision, clippy::approx_constant)]
mod expected {
    use nnbook::ops::grid_sample::GridSampleMode::{self, *};
    use nnbook::ops::grid_sample::PaddingMode::{self, *};

    /// (mode, padding_mode, align_corners, y, dx, dgrid)
    pub type Case = (GridSampleMode, PaddingMode, bool, &'static [f32], &'static [f32], &'static [f32]);

    pub const GA: [f32; 24] = [-0.8125, 0.34375, 1.25, -0.09375, 0.46875, 0.71875, -1.6875, -1.21875, 2.40625, 0.90625, 0.0, -0.5, 3.3, -0.27, -7.9, 1.9, 0.61, -0.43, -0.999, 0.999, 1.0, -1.0, 0.123, 11.0];
    pub const A_BI_ZER_F_Y: [f32; 24] = [-0.64941406, 0.0, 0.4753418, 0.0, 0.0, -0.375, 0.66308594, 0.0, 0.5473633, 0.0, 0.0, -0.5, 0.0, 0.0, -0.062499918, -0.1888147, 0.0625, 0.0, 0.0, 0.0, -0.9024999, 0.1888147, -0.375, 0.0];
    pub const A_BI_ZER_F_DX: [f32; 48] = [0.0, 0.09375, 0.09375, 0.0, -0.3178711, 0.03125, 0.03125, 0.0, -0.3383789, 0.0, 0.0, 0.0, 0.0, 0.28125, 0.28125, 0.0, -0.10595703, 0.09375, 0.09375, 0.0, -0.11279297, 0.0, 0.25927734, 0.20166016, 0.0, 0.0, -0.13544998, -0.34829998, 0.0, 0.0, -0.07454999, -0.19170001, 0.12587647, 0.0, 0.0, 0.0, 0.0, 0.0, -0.045149993, 0.008900002, 0.0, 0.0, -0.024849996, -0.0639, -0.1888147, 0.0, 0.0, 0.0];
    pub const A_BI_ZER_F_DGRID: [f32; 24] = [0.734375, -0.65625, 0.0, 0.0, -1.3828125, -0.4453125, 0.0, 0.0, 0.0, 0.0, 1.875, 0.75, 0.0, 0.0, 0.0, 0.0, -1.875, -0.75, -0.94031227, 0.7059375, 0.75, -0.5625, 0.0, 0.0];
    pub const A_BI_ZER_T_Y: [f32; 24] = [-0.3359375, 0.5957031, -0.03515625, 0.0, 0.0, -0.25, 0.25, -0.49804688, 0.8046875, 0.0, 0.0, -0.375, 0.0, 0.0, -0.48875007, -0.747875, 0.25, 0.0, 0.0, 0.0, -0.33749995, 0.7472501, -1.5, 0.0];
    pub const A_BI_ZER_T_DX: [f32; 48] = [0.0, 0.0625, 0.0625, 0.029296875, -0.35375977, -0.075927734, 0.0625, 0.28320312, -0.18530273, -0.072509766, 0.0, 0.0, 0.0, 0.1875, 0.1875, -0.043945312, -0.11791992, 0.14135742, 0.29956055, -0.39624023, -0.061767578, -0.024169922, 0.28637695, 0.07299805, 0.0, 0.0, -0.18866251, -0.13383749, 0.0004992138, 7.4993596e-07, -0.2500875, -0.17741248, 0.49875078, 0.0007492404, 0.0, 0.0, 0.0, 0.0, -0.062887505, 0.4553875, -0.0007488207, -1.124904e-06, -0.083362505, -0.059137493, -0.74812615, -0.0011238606, 0.0, 0.0];
    pub const A_BI_ZER_T_DGRID: [f32; 24] = [-1.40625, -0.5, -1.6113281, -0.078125, -1.125, 0.25, 0.0, 0.0, 0.0, 0.0, 1.40625, 0.5, 0.0, 0.0, 0.0, 0.0, -1.40625, -0.5, 3.0, -0.125, 1.125, 0.25, 0.0, 0.0];
    pub const A_BI_BOR_F_Y: [f32; 24] = [-0.7421875, 0.9296875, 0.515625, -1.5, 1.5, -0.375, 0.7578125, -0.8203125, 0.59375, 0.0, -0.25, -0.5, 0.5475, -0.75, -0.062499918, -0.75, 0.25, -0.11900008, -1.2025, 0.75, -0.9024999, 0.75, -1.5, 0.5555001];
    pub const A_BI_BOR_F_DX: [f32; 48] = [-0.5, 0.09375, 0.09375, 0.0703125, -0.36328125, 0.03125, 0.03125, 0.4296875, -0.38671875, 0.0, 0.0, 0.75, 0.0, 0.28125, 0.28125, -0.10546875, -0.12109375, 0.09375, 0.09375, -0.64453125, -0.12890625, 0.0, 0.28125, -0.28125, 0.0, 0.0, -0.13544998, -0.24704999, 0.0, 0.0, -0.07454999, -0.042950004, 0.25, -0.12699997, -0.37300003, 0.0, 0.0, 0.0, -0.045149993, 0.68764997, 0.0, 0.0, -0.024849996, 0.38235003, -0.5, 0.0, 0.0, 0.0];
    pub const A_BI_BOR_F_DGRID: [f32; 24] = [-0.0, -0.75, -0.0, -0.1875, -1.5, -0.0, -0.0, -0.0, -0.0, -0.0, 1.875, 0.75, 0.0, 0.75, -0.0, -0.0, -1.875, -0.75, 0.0, 0.0, 0.0, 0.0, 1.5, -0.0];
    pub const A_BI_BOR_T_Y: [f32; 24] = [-0.3359375, 0.953125, -0.03515625, -1.5, 1.453125, -0.25, 0.25, -0.796875, 0.8046875, 0.0, -0.296875, -0.375, 0.615, -0.75, -0.48875007, -0.747875, 0.25, -0.026749969, -1.135, 0.75, -0.33749995, 0.7472501, -1.5, 0.44787496];
    pub const A_BI_BOR_T_DX: [f32; 48] = [-0.5, 0.0625, 0.0625, 0.046875, -0.35375977, -0.075927734, 0.0625, 0.5234375, -0.18530273, -0.072509766, 0.0, 0.6796875, 0.0, 0.1875, 0.1875, -0.0703125, -0.11791992, 0.14135742, 0.29956055, -0.69799805, -0.061767578, -0.024169922, 0.28637695, -0.38012695, 0.0, 0.0, -0.18866251, -0.066337496, 0.0004992138, 7.4993596e-07, -0.2500875, 0.0050875247, 0.24875078, -0.15700077, -0.34225, 0.0, 0.0, 0.0, -0.062887505, 0.65788746, -0.0007488207, -1.124904e-06, -0.083362505, 0.48836252, -0.49812615, -0.0011238606, 0.0, 0.0];
    pub const A_BI_BOR_T_DGRID: [f32; 24] = [-1.40625, -0.5, -0.0, -0.125, -1.125, 0.25, -0.0, -0.0, -0.0, 0.125, 1.40625, 0.5, 0.0, 0.5, -0.0, -0.0, -1.40625, -0.5, 3.0, -0.125, 0.0, 0.0, 1.125, -0.0];
    pub const A_BI_REF_F_Y: [f32; 24] = [-0.7421875, 0.9296875, 0.515625, 0.03125, 0.703125, -0.375, 0.7578125, -0.8203125, 0.59375, -1.3125, -0.03125, -0.5, -0.09287494, -0.47499993, -0.062499925, -0.75, 0.25, -1.1190001, 0.029124945, 0.049999494, -0.9025, 0.75, -1.5, 0.38099992];
    pub const A_BI_REF_F_DX: [f32; 48] = [-0.0625, -0.34375, 0.09375, 0.0703125, -0.36328125, 0.03125, 0.03125, 0.4296875, -0.15234375, 0.515625, 0.0, 0.0, 0.0, 0.28125, 0.28125, -0.10546875, -0.12109375, 0.09375, 0.09375, -0.64453125, -0.28515625, -0.34375, 0.28125, 0.21875, 0.09112495, -0.11687493, -0.50845003, -0.34829998, 0.13387495, -0.048875008, -0.22330002, -0.19170003, 0.5, -0.011249978, -0.026249927, 0.0, 0.27337486, 0.030375116, -0.045149993, 0.3839, 0.40162486, 0.10837524, 0.123900026, -0.06390001, -0.75, 0.011249978, 0.026249927, 0.0];
    pub const A_BI_REF_F_DGRID: [f32; 24] = [-0.0, -0.75, -0.0, -0.1875, -1.5, -0.0, 1.75, -0.0, -4.125, -0.0, 1.875, 0.75, -0.058750093, -0.71250093, 1.625, -0.0, -1.875, -0.75, 0.0, 0.0, 0.0, 0.0, 1.5, -0.0];
    pub const A_BI_REF_T_Y: [f32; 24] = [-0.3359375, 0.296875, -0.03515625, 0.3125, 1.0117188, -0.25, 0.25, -0.234375, 0.8046875, -1.3359375, -0.3828125, -0.375, -0.11487481, -0.42499948, -0.48875007, -0.747875, 0.25, -1.02675, -0.16512519, -0.06250072, -0.33749995, 0.7472501, -1.5, 0.47325003];
    pub const A_BI_REF_T_DX: [f32; 48] = [0.0, -0.31591797, 0.067871094, 0.029296875, -0.34606934, -0.119262695, 0.2290039, 0.28320312, -0.110961914, 0.5328369, 0.0, 0.0, 0.0, 0.1875, 0.16113281, -0.043945312, -0.123046875, 0.099609375, 0.044677734, -0.39624023, -0.111328125, -0.42773438, 0.28637695, 0.07299805, 0.037124977, -0.12737499, -0.5309125, -0.13383749, 0.10087416, 0.003375709, -0.39633745, -0.17741248, 0.49875078, -0.00800076, -0.016249975, 0.0, 0.11137493, 0.09112505, -0.062887505, 0.4553875, 0.30037606, 0.32512414, 0.06288743, -0.059137493, -0.74812615, 0.0076261405, 0.016249975, 0.0];
    pub const A_BI_REF_T_DGRID: [f32; 24] = [-1.40625, -0.5, -3.0, -0.125, -1.125, 0.25, -1.125, 0.25, -3.09375, 0.125, 1.40625, 0.5, -0.37312505, -1.0437505, 1.21875, -0.0, -1.40625, -0.5, 3.0, -0.125, 0.0, 0.0, 1.125, -0.0];
    pub const A_NE_ZER_F_Y: [f32; 24] = [-0.5, 0.0, -0.25, 0.0, 0.0, -1.25, 1.0, 0.0, 1.25, 0.0, 0.0, 0.25, 0.0, 0.0, 0.25, -0.75, 0.0, 0.0, 0.0, 0.0, -1.5, 0.75, 0.0, 0.0];
    pub const A_NE_ZER_F_DX: [f32; 48] = [0.0, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0, 0.0, -0.25, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.25, 0.0, 0.0, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0];
    pub const A_NE_ZER_F_DGRID: [f32; 24] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const A_NE_ZER_T_Y: [f32; 24] = [-1.0, 1.0, -0.25, 0.0, 0.0, -1.25, 0.5, -0.75, 1.25, 0.0, 0.0, 0.25, 0.0, 0.0, -1.0, -0.75, 0.25, 0.0, 0.0, 0.0, 0.5, 0.75, -1.5, 0.0];
    pub const A_NE_ZER_T_DX: [f32; 48] = [0.0, 0.0, 0.25, 0.0, -0.75, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 0.0, -0.25, 0.0, 0.0, -0.75, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.75, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, -0.25, 0.0, -0.75, 0.0, 0.0, 0.0];
    pub const A_NE_ZER_T_DGRID: [f32; 24] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const A_NE_BOR_F_Y: [f32; 24] = [-0.5, 1.0, -0.25, -1.5, 1.5, -1.25, 1.0, -0.75, 1.25, 0.0, -0.25, 0.25, 0.75, -0.75, 0.25, -0.75, 0.25, -0.5, -1.0, 0.75, -1.5, 0.75, -1.5, 1.0];
    pub const A_NE_BOR_F_DX: [f32; 48] = [-0.5, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.5, -0.75, 0.0, 0.0, 0.75, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0, -0.75, -0.25, 0.0, 0.5, -0.5, 0.0, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0, 0.25, 0.25, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0, 0.75, -0.5, 0.0, 0.0, 0.0];
    pub const A_NE_BOR_F_DGRID: [f32; 24] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const A_NE_BOR_T_Y: [f32; 24] = [-1.0, 1.0, -0.25, -1.5, 1.5, -1.25, 0.5, -0.75, 1.25, 0.0, -0.25, 0.25, 0.75, -0.75, -1.0, -0.75, 0.25, -0.5, -1.0, 0.75, 0.5, 0.75, -1.5, 1.0];
    pub const A_NE_BOR_T_DX: [f32; 48] = [-0.5, 0.0, 0.25, 0.0, -0.75, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 0.75, 0.0, -0.25, 0.0, 0.0, -0.75, 0.0, 0.0, 0.5, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.75, 0.25, 0.25, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, -0.25, 0.75, -0.5, 0.0, 0.0, 0.0];
    pub const A_NE_BOR_T_DGRID: [f32; 24] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const A_NE_REF_F_Y: [f32; 24] = [-0.5, 1.0, -0.25, 0.25, 1.25, -1.25, 1.0, -0.75, 1.25, -1.5, -0.5, 0.25, -1.25, -1.0, 0.25, -0.75, 0.25, -1.5, 0.25, 0.5, -1.5, 0.75, -1.5, 0.0];
    pub const A_NE_REF_F_DX: [f32; 48] = [0.0, -0.5, 0.25, 0.0, 0.0, 0.0, 0.0, 0.5, -0.75, 0.75, 0.0, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0, -0.75, -0.25, -0.5, 0.5, 0.0, 0.0, 0.0, -0.5, -0.75, 0.25, 0.0, -0.25, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.75, 0.0, 0.25, 0.0, -0.75, 0.0, 0.0, 0.0];
    pub const A_NE_REF_F_DGRID: [f32; 24] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const A_NE_REF_T_Y: [f32; 24] = [-1.0, 1.0, -0.25, 0.25, 1.25, -1.25, 0.5, -0.75, 1.25, -1.5, -0.5, 0.25, -1.25, -1.0, -1.0, -0.75, 0.25, -1.5, 0.25, 0.5, 0.5, 0.75, -1.5, 0.0];
    pub const A_NE_REF_T_DX: [f32; 48] = [0.0, -0.5, 0.25, 0.0, -0.75, 0.0, 0.0, 0.5, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0, 0.75, 0.0, -0.25, 0.0, 0.0, -0.75, 0.0, -0.5, 0.5, 0.0, 0.0, 0.0, -0.5, 0.0, 0.25, 0.0, -1.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.75, 0.0, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0];
    pub const A_NE_REF_T_DGRID: [f32; 24] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const GB: [f32; 12] = [-0.75, 0.3, 0.0, -1.4, 1.2, 0.7, 2.6, -2.2, -0.3333, 0.0, 0.5, 0.5];
    pub const B_BI_ZER_F_Y: [f32; 6] = [1.115625, -0.6, 0.03249997, 0.0, -0.250175, -0.234375];
    pub const B_BI_ZER_F_DX: [f32; 3] = [-0.18285, 0.5719125, 0.140625];
    pub const B_BI_ZER_F_DGRID: [f32; 12] = [-1.434375, 0.4921875, 0.50625, -0.5, 0.0, 0.0, 0.0, 0.0, -3.9375, 0.093815625, 0.6328125, 0.0390625];
    pub const B_BI_ZER_T_Y: [f32; 6] = [0.625, -2.0, 0.19999999, 0.0, -0.83345, -0.875];
    pub const B_BI_ZER_T_DX: [f32; 3] = [-0.312525, 0.93752503, 0.125];
    pub const B_BI_ZER_T_DGRID: [f32; 12] = [2.625, 0.0, 1.125, 0.0, 0.0, 0.0, 0.0, 0.0, -2.625, 0.0, 0.5625, 0.0];
    pub const B_BI_BOR_F_Y: [f32; 6] = [1.5, -2.0, 0.25, 0.25, -0.250175, -0.3125];
    pub const B_BI_BOR_F_DX: [f32; 3] = [-0.3750375, 0.9375375, -0.3125];
    pub const B_BI_BOR_F_DGRID: [f32; 12] = [0.0, 0.0, 1.6875, 0.0, 0.0, 0.0, 0.0, 0.0, -3.9375, 0.0, 0.84375, 0.0];
    pub const B_BI_BOR_T_Y: [f32; 6] = [0.625, -2.0, 0.25, 0.25, -0.83345, -0.875];
    pub const B_BI_BOR_T_DX: [f32; 3] = [-0.312525, 0.93752503, -0.375];
    pub const B_BI_BOR_T_DGRID: [f32; 12] = [2.625, 0.0, 1.125, 0.0, 0.0, 0.0, 0.0, 0.0, -2.625, 0.0, 0.5625, 0.0];
    pub const B_BI_REF_F_Y: [f32; 6] = [1.5, -2.0, 0.25, 1.1499987, -0.25017524, -0.3125];
    pub const B_BI_REF_F_DX: [f32; 3] = [-0.82503736, 0.88753736, 0.1875];
    pub const B_BI_REF_F_DGRID: [f32; 12] = [0.0, 0.0, 1.6875, 0.0, 0.0, 0.0, -2.625, 0.0, -3.9375, 0.0, 0.84375, 0.0];
    pub const B_BI_REF_T_Y: [f32; 6] = [0.625, -2.0, -0.2000001, 0.099999666, -0.83345, -0.875];
    pub const B_BI_REF_T_DX: [f32; 3] = [-0.612525, 0.737525, 0.125];
    pub const B_BI_REF_T_DGRID: [f32; 12] = [2.625, 0.0, 1.125, 0.0, -0.0, 0.0, -1.75, 0.0, -2.625, 0.0, 0.5625, 0.0];
    pub const B_NE_ZER_F_Y: [f32; 6] = [1.5, 0.0, 0.0, 0.0, -2.0, 0.25];
    pub const B_NE_ZER_F_DX: [f32; 3] = [-0.75, 0.75, 0.25];
    pub const B_NE_ZER_F_DGRID: [f32; 12] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const B_NE_ZER_T_Y: [f32; 6] = [1.5, -2.0, 0.25, 0.0, -2.0, 0.25];
    pub const B_NE_ZER_T_DX: [f32; 3] = [-0.75, 1.25, 0.25];
    pub const B_NE_ZER_T_DGRID: [f32; 12] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const B_NE_BOR_F_Y: [f32; 6] = [1.5, -2.0, 0.25, 0.25, -2.0, 0.25];
    pub const B_NE_BOR_F_DX: [f32; 3] = [-0.75, 1.25, -0.25];
    pub const B_NE_BOR_F_DGRID: [f32; 12] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const B_NE_BOR_T_Y: [f32; 6] = [1.5, -2.0, 0.25, 0.25, -2.0, 0.25];
    pub const B_NE_BOR_T_DX: [f32; 3] = [-0.75, 1.25, -0.25];
    pub const B_NE_BOR_T_DGRID: [f32; 12] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const B_NE_REF_F_Y: [f32; 6] = [1.5, -2.0, 0.25, 1.5, -2.0, 0.25];
    pub const B_NE_REF_F_DX: [f32; 3] = [-1.25, 1.25, 0.25];
    pub const B_NE_REF_F_DGRID: [f32; 12] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const B_NE_REF_T_Y: [f32; 6] = [1.5, -2.0, 0.25, 1.5, -2.0, 0.25];
    pub const B_NE_REF_T_DX: [f32; 3] = [-1.25, 1.25, 0.25];
    pub const B_NE_REF_T_DGRID: [f32; 12] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const N_Y: [f32; 4] = [2.0, 4.0, 4.0, 0.0];
    pub const TH: [f32; 12] = [0.9, -0.3, 0.1, 0.2, 1.1, -0.25, -1.2, 0.5, 0.3, 0.4, 0.7, 0.05];
    pub const AG_S_F_GRID: [f32; 60] = [-0.42, -1.1433334, -0.059999965, -1.0633333, 0.3, -0.98333335, 0.66, -0.90333337, 1.02, -0.8233333, -0.61999995, -0.41000003, -0.26, -0.33, 0.1, -0.25, 0.45999998, -0.16999999, 0.82, -0.08999999, -0.81999993, 0.32333332, -0.46, 0.40333337, -0.10000002, 0.48333335, 0.25999996, 0.56333333, 0.62, 0.6433334, 0.9266667, -0.7366667, 0.4466667, -0.57666665, -0.03333333, -0.41666666, -0.5133334, -0.25666666, -0.9933334, -0.09666665, 1.26, -0.27, 0.78000003, -0.110000014, 0.3, 0.05, -0.18, 0.21000001, -0.66, 0.37000003, 1.5933335, 0.19666664, 1.1133335, 0.35666668, 0.6333333, 0.51666665, 0.15333334, 0.6766667, -0.32666665, 0.8366667];
    pub const AG_S_F_DTHETA: [f32; 12] = [0.75, 0.25, -0.3750001, 0.74999994, 0.25000003, 1.1249999, -0.35000005, 0.25, 0.62499994, -0.35, 0.25, -0.6250001];
    pub const AG_U_F_GRID: [f32; 16] = [-0.5749999, -0.4, -0.12499998, -0.3, 0.325, -0.2, 0.775, -0.099999994, 1.2, -0.25, 0.6, -0.049999993, 2.9802322e-08, 0.14999999, -0.6, 0.35000002];
    pub const AG_U_F_DTHETA: [f32; 12] = [0.50000006, 0.0, -0.65, 0.5, 0.0, 0.84999996, 0.5, 0.0, 0.35, -0.1875, 0.0, -0.90000004];
    pub const AG_S_T_GRID: [f32; 60] = [-0.49999997, -1.5500001, -0.049999975, -1.45, 0.4, -1.35, 0.85, -1.25, 1.3000001, -1.1500001, -0.79999995, -0.45, -0.35, -0.35, 0.1, -0.25, 0.55, -0.15, 1.0, -0.049999997, -1.1, 0.65000004, -0.65, 0.75, -0.20000002, 0.85, 0.24999997, 0.95000005, 0.7, 1.0500001, 1.0, -1.0500001, 0.40000004, -0.84999996, -0.19999999, -0.65, -0.8, -0.45, -1.4000001, -0.24999999, 1.5, -0.35, 0.90000004, -0.15, 0.3, 0.05, -0.3, 0.25, -0.90000004, 0.45000002, 2.0, 0.35, 1.4000001, 0.55, 0.8, 0.75, 0.19999999, 0.95, -0.40000004, 1.15];
    pub const AG_S_T_DTHETA: [f32; 12] = [0.9375, 0.37499994, -0.3750001, 0.93749994, 0.37500003, 1.1249999, -0.4375, 0.375, 0.62499994, -0.43749997, 0.3749999, -0.6250001];
    pub const AG_U_T_GRID: [f32; 16] = [-0.79999995, -0.45, -0.19999999, -0.31666666, 0.39999998, -0.18333334, 1.0, -0.049999997, 1.5, -0.35, 0.70000005, -0.08333333, -0.099999994, 0.18333332, -0.90000004, 0.45000002];
    pub const AG_U_T_DTHETA: [f32; 12] = [0.66666675, 0.0, -0.65, 0.6666666, 0.0, 0.84999996, 0.6666666, 0.0, 0.35, -0.25, 0.0, -0.90000004];
    pub const TC: [f32; 12] = [0.8, -0.35, 0.12, 0.3, 1.15, -0.2, 1.3, 0.4, -0.6, -0.5, 0.9, 0.45];
    pub const C_ZER_F_Y: [f32; 48] = [0.0102083245, 0.06336799, 0.5106251, 0.15930562, 0.4249999, 0.24999997, -0.3499998, -0.18499988, -0.070833236, -0.43295136, -0.44975686, 0.19479162, -0.004374994, 0.011284651, 0.42104176, 0.08222227, 0.44874993, 0.12499997, -0.4749998, -0.30999988, -0.19583322, -0.33541662, 0.7291666, 0.0802083, 0.0, -0.010937584, 0.1506508, -0.28658867, 0.0, 0.051562544, -0.4953128, -0.50312495, 0.0, -0.0023437608, 0.5501302, -0.21054673, 0.0, -0.013541771, 0.0256508, -0.41158867, 0.0, -0.034374975, 0.6214844, -0.62812495, 0.0, -0.021093773, 0.46888015, -0.33554673];
    pub const C_ZER_F_DX: [f32; 80] = [0.052500017, 0.15854172, 0.104930624, 0.0798611, -0.30319446, 0.09750002, 0.4374999, 0.15249997, -0.21749988, -0.27513903, 0.3198611, 0.08847218, -0.09736114, -0.15597214, -0.33000004, 0.07180559, 0.01986111, -0.30680552, 0.45368043, 0.14895833, 0.0, 0.012986101, -0.07305557, -0.37138897, 0.09715286, 0.0, -0.09499997, -0.2674999, 0.47249982, 0.09513895, -0.15993056, -0.34777772, 0.038402833, 0.20097215, 0.110000014, -0.035902794, -0.2938889, 0.22826384, 0.08486112, 0.0, 0.004427092, 0.008072926, -0.100260474, -0.037239544, 0.0, 0.09270844, 0.15338536, -0.09296877, -0.19453117, 0.0, 0.12734379, 0.0, -0.020312503, -0.34921885, -0.06796877, 0.24765635, 0.009895818, -0.15911458, -0.25234383, -0.3851561, -0.008854184, -0.016145851, 0.30078143, 0.11171863, 0.0, -0.16822925, -0.3067707, 0.25703132, 0.25546858, 0.0, -0.060156245, -0.43828136, -0.17890607, 0.31953132, 0.022656258, -0.16015631, -0.09375003, 0.4421875, 0.08411461, 0.12838537];
    pub const C_ZER_F_DTHETA: [f32; 12] = [-2.7718096, -5.3654513, -2.9335938, 0.5596358, 1.1590279, 2.1531253, 1.2773435, 1.9869788, 1.4062498, 0.74479216, -0.0494799, 1.6718767];
    pub const C_ZER_T_Y: [f32; 48] = [0.0029999851, 0.059854195, 0.403125, 0.106375016, 0.255, 0.33883333, -0.28000003, -0.3052501, 0.22324997, -0.36431256, -0.8317294, 0.16875005, -0.00012499746, 0.019229205, 0.325, 0.053187508, 0.32125, 0.21383333, -0.40500003, -0.4302501, 0.105749965, -0.4783334, 0.8741252, 0.09062506, 0.0, -0.09500008, 0.3495833, 0.14187486, 0.0, -0.035000026, -0.067708515, -0.11250022, 0.0, -0.06749997, 0.38062507, -0.20749985, 0.0, -0.11166676, 0.2245833, 0.01687489, 0.0, -0.1516667, 0.4625001, -0.2375002, 0.0, -0.09562496, 0.29000008, -0.3074999];
    pub const C_ZER_T_DX: [f32; 80] = [0.0675, 0.10762507, 0.09004167, 0.066083334, -0.21275003, 0.20250002, 0.42966664, 0.13100001, -0.16766663, -0.22049998, 0.24675006, 0.0036666626, -0.011000005, -0.14566658, -0.40950012, 0.22324997, 0.0, -0.42858344, 0.3692084, 0.06562494, 0.0, 0.004124977, -0.046083327, -0.27991664, -0.009124979, 0.0, -0.13933332, -0.2251667, 0.391, 0.07349999, -0.12337503, -0.17495844, 0.04070834, 0.22899993, 0.13650005, -0.111624986, -0.57737494, 0.42470846, 0.03391664, 0.0, 0.014166676, 0.09208331, -0.092500016, -0.13874997, 0.0, 0.11166677, 0.12458333, -0.0075000036, -0.18375006, -0.114999965, 0.27583337, 0.0, 0.0, -0.12750001, -0.22000007, 0.21333331, 0.041249983, -0.09666669, -0.08458328, -0.465, -0.028333353, -0.18416663, 0.27750003, 0.41624993, 0.0, -0.038333368, -0.26791668, -0.015000006, 0.20625006, 0.114999965, -0.13416669, -0.23125009, -0.46249986, 0.12750001, 0.13, -0.12916665, -0.082499966, 0.29000008, 0.25374985, 0.155];
    pub const C_ZER_T_DTHETA: [f32; 12] = [-3.0088537, -5.6109376, -1.8484379, -0.38260403, -1.4240627, -0.77468747, 1.447396, -0.5671872, 0.42343754, 0.08020884, 1.1031249, -0.4593745];
    pub const C_BOR_F_Y: [f32; 48] = [0.087500006, 0.15208316, 0.7125001, 0.25833338, 0.4249999, 0.24999997, -0.3499998, -0.18499988, -0.070833236, -0.43295136, -0.44975686, 0.21249998, -0.037499994, 0.027083158, 0.5875001, 0.13333338, 0.44874993, 0.12499997, -0.4749998, -0.30999988, -0.19583322, -0.33541662, 0.7291666, 0.087499976, -0.2750001, -0.52500004, 0.1506508, -0.28658867, 0.25, 0.07500005, -0.4953128, -0.50312495, 0.25, -0.01562506, 0.84635395, -0.21054673, -0.4000001, -0.65000004, 0.0256508, -0.41158867, 0.125, -0.049999952, 0.6214844, -0.62812495, 0.125, -0.14062506, 0.72135395, -0.33554673];
    pub const C_BOR_F_DX: [f32; 80] = [0.052500017, -0.25, 0.030833393, 0.1916666, -0.49166662, 0.09750002, 0.4374999, 0.15249997, -0.21749988, -0.2783335, 0.3198611, 0.08847218, -0.09736114, -0.15597214, -0.33000004, 0.07180559, 0.01986111, -0.30680552, 0.5026389, 0.16250002, 0.0, 0.14916667, -0.07833335, -0.5583334, 0.20416671, 0.0, -0.09499997, -0.2674999, 0.47249982, 0.09833342, -0.15993056, -0.34777772, 0.038402833, 0.20097215, 0.110000014, -0.035902794, -0.2938889, 0.22826384, 0.08486112, 0.0, 0.004427092, 0.008072926, -0.100260474, -0.037239544, 0.0, 0.4716146, 0.15338536, -0.09296877, -0.19453117, 0.0, 0.037499994, 0.0, -0.020312503, -0.34921885, -0.06796877, 0.48645836, 0.08333331, -0.24479163, -0.25234383, -0.3851561, -0.008854184, -0.016145851, 0.30078143, 0.11171863, 0.0, -0.14322916, -0.3067707, 0.25703132, 0.25546858, 0.0, 0.38749993, -0.43828136, -0.17890607, 0.31953132, 0.022656258, -0.23541665, -0.23880208, 0.69921863, 0.08411461, 0.12838537];
    pub const C_BOR_F_DTHETA: [f32; 12] = [-3.623698, -6.4913197, -1.4791665, 0.94114614, 0.7763888, 3.3645837, 1.113281, 1.9973955, 3.2656248, 0.6731776, -0.011285424, 3.276043];
    pub const C_BOR_T_Y: [f32; 48] = [0.120000064, 0.18416679, 0.645, 0.25, 0.255, 0.33883333, -0.28000003, -0.3052501, 0.23749995, -0.36431256, -0.89916676, 0.2700001, -0.0049999356, 0.05916679, 0.52, 0.125, 0.32125, 0.21383333, -0.40500003, -0.4302501, 0.11249995, -0.4783334, 0.94500005, 0.1450001, -0.46250004, -0.7125, 0.3495833, 0.14187486, 0.2125001, -0.037500024, -0.067708515, -0.11250022, 0.25, -0.3, 0.52500015, -0.25937477, -0.58750004, -0.83750004, 0.2245833, 0.01687489, 0.087500095, -0.16250002, 0.4625001, -0.2375002, 0.125, -0.425, 0.40000015, -0.38437477];
    pub const C_BOR_T_DX: [f32; 80] = [0.0675, -0.37500006, 0.041666687, 0.20333338, -0.5, 0.20250002, 0.42966664, 0.13100001, -0.16766663, -0.22049998, 0.26250005, 0.0036666626, -0.011000005, -0.14566658, -0.40950012, 0.23749995, 0.0, -0.46333337, 0.60833347, 0.1049999, 0.0, 0.16500002, -0.06333333, -0.49666667, 0.14499998, 0.0, -0.13933332, -0.2251667, 0.391, 0.07349999, -0.13125002, -0.17495844, 0.04070834, 0.22899993, 0.13650005, -0.118749976, -0.57737494, 0.45945838, 0.03666663, 0.0, 0.014166676, 0.09208331, -0.092500016, -0.13874997, 0.0, 0.5004167, 0.12458333, -0.0075000036, -0.18375006, -0.114999965, 1.4901161e-07, 0.0, 0.0, -0.12750001, -0.2537501, 0.3354165, 0.18333334, -0.13333338, -0.116666615, -0.5812499, -0.028333353, -0.18416663, 0.27750003, 0.41624993, 0.0, 0.17416666, -0.26791668, -0.015000006, 0.20625006, 0.114999965, 0.1624999, -0.23125009, -0.46249986, 0.12750001, 0.14125, -0.008333266, -0.36666667, 0.40000015, 0.34999985, 0.19374996];
    pub const C_BOR_T_DTHETA: [f32; 12] = [-4.1635413, -7.875, -1.1093745, 0.51083356, -0.375, 1.5725002, 1.1369791, -1.3546875, 1.7296875, 0.5479169, 1.3187497, 0.36875027];
    pub const C_REF_F_Y: [f32; 48] = [0.087500006, 0.15208316, 0.7125001, 0.25833338, 0.4249999, 0.24999988, -0.3499998, -0.18499988, -0.070833236, -0.43295136, -0.44975686, 0.21249998, -0.037499994, 0.027083158, 0.5875001, 0.13333338, 0.44874993, 0.12499988, -0.4749998, -0.30999988, -0.19583322, -0.33541662, 0.7291666, 0.087499976, -0.15221338, -0.52500004, 0.1506508, -0.28658867, -0.4531251, 0.07500005, -0.4953128, -0.50312495, -0.1281249, -0.01562506, 0.84635395, -0.21054673, 0.5218748, -0.65000004, 0.0256508, -0.41158867, -0.5781251, -0.049999952, 0.6214844, -0.62812495, -0.051692717, -0.14062506, 0.72135395, -0.33554673];
    pub const C_REF_F_DX: [f32; 80] = [0.052500017, -0.25, 0.030833397, 0.1916666, -0.49166662, 0.09750002, 0.43749988, 0.1525, -0.21749988, -0.2783335, 0.3198611, 0.08847218, -0.09736114, -0.15597214, -0.33000004, 0.07180559, 0.01986111, -0.30680552, 0.5026389, 0.16250002, 0.0, 0.14916667, -0.078333355, -0.5583334, 0.20416671, 0.0, -0.09499992, -0.26749995, 0.47249982, 0.09833342, -0.15993056, -0.34777772, 0.038402833, 0.20097215, 0.110000014, -0.035902794, -0.2938889, 0.22826384, 0.08486112, 0.0, 0.004427092, 0.008072926, -0.100260474, -0.037239544, 0.0, 0.4966147, 0.14348948, -0.108072996, -0.19453117, 0.0, 0.7039062, -0.11692704, -0.30729163, -0.34921885, -0.06796877, 0.7950523, -0.48776057, -0.24479163, -0.25234383, -0.3851561, -0.008854184, -0.016145851, 0.30078143, 0.11171863, 0.0, -0.16822925, -0.29687485, 0.27213553, 0.25546858, 0.0, -0.087499976, -0.2502606, 0.10807307, 0.31953132, 0.022656258, -0.46979168, -0.0044270456, 0.69921863, 0.08411461, 0.12838537];
    pub const C_REF_F_DTHETA: [f32; 12] = [-3.623698, -6.4913197, -1.4791665, 0.94114614, 0.7763888, 3.3645837, -1.1308591, 1.252604, 6.257811, 0.6048182, -1.0720494, 3.367189];
    pub const C_REF_T_Y: [f32; 48] = [0.60750014, -0.061645877, 0.4128125, 0.6064375, 0.255, 0.33883333, -0.28000003, -0.3052501, 0.1925, -0.36431256, -0.78897953, 0.0825001, 0.4825001, -0.18664587, 0.2878125, 0.48143753, 0.32125, 0.21383333, -0.40500003, -0.4302501, 0.0675, -0.4783334, 0.9075001, -0.0424999, -0.28749996, 0.34104162, 0.3495833, 0.14187486, 0.56250006, -0.087499976, -0.067708515, -0.11250022, -0.5531256, -0.68750006, 0.3875001, -0.20499986, -0.41249996, 0.35416648, 0.2245833, 0.01687489, 0.46937498, -0.13104172, 0.4625001, -0.2375002, 0.8625002, 0.39520845, 0.2625001, -0.32999986];
    pub const C_REF_T_DX: [f32; 80] = [0.0675, 0.10762507, 0.09004167, -0.18366668, -0.21275003, 0.20250002, -0.05295849, 0.08262503, -0.050666556, -0.23774996, 0.24675006, 0.019416649, -0.045749918, 0.093458466, -0.37012517, 0.22324997, 0.014249983, -0.42858344, 0.3692084, 0.06562494, 0.0, 0.004124977, -0.046083327, -0.030166652, -0.009124979, 0.0, 0.021541715, -0.24241671, 0.19449997, -0.042375028, -0.12337503, -0.18283343, 0.07545825, 0.23174992, 0.13650005, -0.111624986, -0.58449996, 0.42470846, 0.03391664, 0.0, 0.014166676, 0.09208331, -0.092500016, -0.13874997, 0.0, 0.11166677, 0.93208295, -0.09250004, -0.31125006, -0.114999965, 0.32750005, 0.74250025, -0.19666658, -0.36583328, -0.22000007, 0.21333331, -0.083333425, -0.65166676, -0.20083314, -0.465, -0.028333353, -0.18416663, 0.27750003, 0.41624993, 0.0, -0.038333368, -0.26791668, 0.07000003, 0.33375007, 0.114999965, -0.23750003, -0.5212501, -0.2224998, 0.4074999, 0.13, -0.12916665, -0.043333273, 0.4750001, 0.2924998, 0.155];
    pub const C_REF_T_DTHETA: [f32; 12] = [-4.6447916, -5.4281254, -2.4875002, -1.1966664, -2.2293754, -0.65187466, 1.4244807, -2.6359384, -0.757814, -0.56458277, 3.5437498, -1.6562493];
    pub const CASES_A: [Case; 12] = [
        (Bilinear, Zeros, false, &A_BI_ZER_F_Y, &A_BI_ZER_F_DX, &A_BI_ZER_F_DGRID),
        (Bilinear, Zeros, true, &A_BI_ZER_T_Y, &A_BI_ZER_T_DX, &A_BI_ZER_T_DGRID),
        (Bilinear, Border, false, &A_BI_BOR_F_Y, &A_BI_BOR_F_DX, &A_BI_BOR_F_DGRID),
        (Bilinear, Border, true, &A_BI_BOR_T_Y, &A_BI_BOR_T_DX, &A_BI_BOR_T_DGRID),
        (Bilinear, Reflection, false, &A_BI_REF_F_Y, &A_BI_REF_F_DX, &A_BI_REF_F_DGRID),
        (Bilinear, Reflection, true, &A_BI_REF_T_Y, &A_BI_REF_T_DX, &A_BI_REF_T_DGRID),
        (Nearest, Zeros, false, &A_NE_ZER_F_Y, &A_NE_ZER_F_DX, &A_NE_ZER_F_DGRID),
        (Nearest, Zeros, true, &A_NE_ZER_T_Y, &A_NE_ZER_T_DX, &A_NE_ZER_T_DGRID),
        (Nearest, Border, false, &A_NE_BOR_F_Y, &A_NE_BOR_F_DX, &A_NE_BOR_F_DGRID),
        (Nearest, Border, true, &A_NE_BOR_T_Y, &A_NE_BOR_T_DX, &A_NE_BOR_T_DGRID),
        (Nearest, Reflection, false, &A_NE_REF_F_Y, &A_NE_REF_F_DX, &A_NE_REF_F_DGRID),
        (Nearest, Reflection, true, &A_NE_REF_T_Y, &A_NE_REF_T_DX, &A_NE_REF_T_DGRID),
    ];
    pub const CASES_B: [Case; 12] = [
        (Bilinear, Zeros, false, &B_BI_ZER_F_Y, &B_BI_ZER_F_DX, &B_BI_ZER_F_DGRID),
        (Bilinear, Zeros, true, &B_BI_ZER_T_Y, &B_BI_ZER_T_DX, &B_BI_ZER_T_DGRID),
        (Bilinear, Border, false, &B_BI_BOR_F_Y, &B_BI_BOR_F_DX, &B_BI_BOR_F_DGRID),
        (Bilinear, Border, true, &B_BI_BOR_T_Y, &B_BI_BOR_T_DX, &B_BI_BOR_T_DGRID),
        (Bilinear, Reflection, false, &B_BI_REF_F_Y, &B_BI_REF_F_DX, &B_BI_REF_F_DGRID),
        (Bilinear, Reflection, true, &B_BI_REF_T_Y, &B_BI_REF_T_DX, &B_BI_REF_T_DGRID),
        (Nearest, Zeros, false, &B_NE_ZER_F_Y, &B_NE_ZER_F_DX, &B_NE_ZER_F_DGRID),
        (Nearest, Zeros, true, &B_NE_ZER_T_Y, &B_NE_ZER_T_DX, &B_NE_ZER_T_DGRID),
        (Nearest, Border, false, &B_NE_BOR_F_Y, &B_NE_BOR_F_DX, &B_NE_BOR_F_DGRID),
        (Nearest, Border, true, &B_NE_BOR_T_Y, &B_NE_BOR_T_DX, &B_NE_BOR_T_DGRID),
        (Nearest, Reflection, false, &B_NE_REF_F_Y, &B_NE_REF_F_DX, &B_NE_REF_F_DGRID),
        (Nearest, Reflection, true, &B_NE_REF_T_Y, &B_NE_REF_T_DX, &B_NE_REF_T_DGRID),
    ];
}
