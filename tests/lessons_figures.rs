//! The lessons' figure computations (src/lessons/): Linear init against PyTorch, the
//! flatten-then-Linear mistake's texts, dL/dtheta against finite differences (zero for nearest),
//! what one output pixel reads, and the STN classifier learning.

// PyTorch's values are quoted as Python printed them (f64 digits), compared in f32.
#![allow(clippy::excessive_precision)]

use nnbook::lessons::affine::{pixel_source, theta_gradient, transform, AffineParams};
use nnbook::lessons::digits::{BatchOrder, DigitTrainer};
use nnbook::nn::{Linear, Module};
use nnbook::ops::grid_sample::{GridSampleMode, GridSampleOptions, PaddingMode};
use nnbook::Tensor;

#[test]
fn linear_default_init_matches_pytorch() {
    // torch.manual_seed(0); l = nn.Linear(4, 3); l.weight.flatten().tolist(), l.bias.tolist()
    nnbook::rng::manual_seed(0);
    let fc = Linear::new(4, 3, true);
    let want_w = [
        -0.003743410110473633f32,
        0.26822179555892944,
        -0.4115225672721863,
        -0.3679695129394531,
        -0.19257718324661255,
        0.13407868146896362,
        -0.009906589984893799,
        0.39644473791122437,
        -0.04437202215194702,
        0.1323062777519226,
        -0.15110653638839722,
        -0.09828269481658936,
    ];
    let want_b = [
        -0.4776742458343506f32,
        -0.33114105463027954,
        -0.20611155033111572,
    ];
    for (a, b) in fc.weight.value.data().iter().zip(want_w) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
    for (a, b) in fc.bias.as_ref().unwrap().value.data().iter().zip(want_b) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
    // torch.manual_seed(42); nn.Linear(8, 5, bias=False).weight.flatten()[:6]
    nnbook::rng::manual_seed(42);
    let fc = Linear::new(8, 5, false);
    let want = [
        0.27030518651008606f32,
        0.29345211386680603,
        -0.08282782882452011,
    ];
    for (a, b) in fc.weight.value.data().iter().zip(want) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}

#[test]
fn flattening_the_batch_gives_one_prediction_and_pytorchs_mismatch_text() {
    let imgs = Tensor::zeros(&[64, 3, 32, 32]).unwrap();
    let all = imgs.flatten(0, -1).unwrap();
    assert_eq!(all.shape(), &[196608]);
    let mut big = Linear::new(196608, 10, true);
    assert_eq!(big.num_parameters(), 1_966_090);
    assert_eq!(big.forward(&all).unwrap().shape(), &[10]);
    let rows = imgs.flatten(1, -1).unwrap();
    assert_eq!(rows.shape(), &[64, 3072]);
    // torch 2.x: nn.Linear(196608, 10)(torch.flatten(imgs, 1))
    assert_eq!(
        big.forward(&rows).unwrap_err().to_python_string(),
        "RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (64x3072 and 196608x10)"
    );
    let mut head = Linear::new(3072, 10, true);
    assert_eq!(head.forward(&rows).unwrap().shape(), &[64, 10]);
    // nn.Linear(3072, 10, bias=False)(torch.flatten(imgs))
    let mut nb = Linear::new(3072, 10, false);
    assert_eq!(
        nb.forward(&all).unwrap_err().to_python_string(),
        "RuntimeError: mm: mat1 and mat2 shapes cannot be multiplied (1x196608 and 3072x10)"
    );
}

/// A smooth 12×12 blob, off-centre so that rotations change it.
fn blob() -> Tensor {
    let (h, w) = (12usize, 12usize);
    let v = (0..h * w)
        .map(|i| {
            let (r, c) = ((i / w) as f32, (i % w) as f32);
            (-((r - 4.0).powi(2) + (c - 6.5).powi(2)) / 6.0).exp()
        })
        .collect();
    Tensor::from_vec(&[1, 1, h, w], v).unwrap()
}

fn opts(mode: GridSampleMode, padding_mode: PaddingMode, align_corners: bool) -> GridSampleOptions {
    GridSampleOptions {
        mode,
        padding_mode,
        align_corners,
    }
}

#[test]
fn theta_gradient_matches_finite_differences_and_is_zero_for_nearest() {
    let x = blob();
    let theta = AffineParams {
        rotation: 20.0,
        scale: 1.1,
        tx: 0.1,
        ty: -0.05,
        shear: 0.1,
    }
    .theta();
    for (pad, ac) in [
        (PaddingMode::Zeros, false),
        (PaddingMode::Border, true),
        (PaddingMode::Reflection, false),
    ] {
        let o = opts(GridSampleMode::Bilinear, pad, ac);
        let (_, g) = theta_gradient(&x, &theta, o).unwrap();
        let eps = 1e-3f32;
        for k in 0..6 {
            let (mut tp, mut tm) = (theta, theta);
            tp[k] += eps;
            tm[k] -= eps;
            let fd = (theta_gradient(&x, &tp, o).unwrap().0
                - theta_gradient(&x, &tm, o).unwrap().0)
                / (2.0 * eps);
            let tol = 0.03 * g[k].abs().max(fd.abs()) + 2e-3;
            assert!(
                (g[k] - fd).abs() < tol,
                "{pad:?} ac={ac} k={k}: {} vs {fd}",
                g[k]
            );
        }
        assert!(g.iter().any(|v| v.abs() > 1e-2), "{g:?}");
        let (loss, gn) =
            theta_gradient(&x, &theta, opts(GridSampleMode::Nearest, pad, ac)).unwrap();
        assert!(loss > 0.0);
        assert_eq!(gn, [0.0; 6]);
    }
}

#[test]
fn pixel_source_agrees_with_grid_sample() {
    let x = blob();
    let theta = AffineParams {
        rotation: 30.0,
        scale: 1.3,
        ..Default::default()
    }
    .theta();
    for mode in [GridSampleMode::Bilinear, GridSampleMode::Nearest] {
        let o = opts(mode, PaddingMode::Zeros, false);
        let (y, _) = transform(&x, &theta, o).unwrap();
        for (r, c) in [(0, 0), (3, 7), (11, 11), (6, 2)] {
            let p = pixel_source(&x, &theta, o, r, c).unwrap();
            let want = y.data()[r * 12 + c];
            let got = match mode {
                GridSampleMode::Bilinear => p.bilinear_value,
                GridSampleMode::Nearest => p.nearest_value,
            };
            assert!(
                (got - want).abs() < 1e-6,
                "{mode:?} ({r},{c}): {got} vs {want}"
            );
            assert!((p.weights.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }
    let e = pixel_source(&x, &theta, GridSampleOptions::default(), 12, 0).unwrap_err();
    assert!(e.to_python_string().starts_with("IndexError: "), "{e}");
}

/// Eight digit-like images: class k has a bright bar at row 3k (learnable in a few steps).
fn bars() -> (Tensor, Vec<i64>) {
    let n = 8;
    let mut v = vec![0.0f32; n * 784];
    let labels: Vec<i64> = (0..n as i64).collect();
    for (i, &l) in labels.iter().enumerate() {
        let row = 3 * l as usize + 2;
        for c in 6..22 {
            v[i * 784 + row * 28 + c] = 1.0;
        }
    }
    (Tensor::from_vec(&[n, 1, 28, 28], v).unwrap(), labels)
}

#[test]
fn stn_starts_at_identity_and_both_nets_learn() {
    let (x, labels) = bars();
    let mut stn = DigitTrainer::new(true, 0, 3e-3).unwrap();
    let (y, theta) = stn.transformed(&x).unwrap().unwrap();
    assert_eq!(theta.data(), &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0].repeat(8)[..]);
    // The identity theta with align_corners=False samples pixel centres exactly.
    for (a, b) in y.data().iter().zip(x.data()) {
        assert!((a - b).abs() < 1e-5);
    }
    for with_stn in [false, true] {
        let mut t = DigitTrainer::new(with_stn, 1, 3e-3).unwrap();
        let first = t.train_step(&x, &labels, false).unwrap();
        let mut last = first;
        for _ in 0..25 {
            last = t.train_step(&x, &labels, false).unwrap();
        }
        assert!(last < first * 0.5, "stn={with_stn}: {first} -> {last}");
        assert!(t.correct(&x, &labels).unwrap() >= 6);
        let p = t.probabilities(&x).unwrap();
        assert!((p.data()[..10].iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    assert!(DigitTrainer::new(false, 0, 3e-3)
        .unwrap()
        .transformed(&x)
        .unwrap()
        .is_none());
}

#[test]
fn batch_order_visits_every_item_once_per_epoch() {
    let mut o = BatchOrder::new(10, 3);
    let mut seen: Vec<usize> = (0..4).flat_map(|_| o.next_batch(3)).collect();
    assert_eq!(o.epoch, 0);
    seen.sort();
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
    assert_eq!(o.next_batch(3).len(), 3);
    assert_eq!(o.epoch, 1);
}
