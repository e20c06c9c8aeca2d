//! max_pool2d's fast paths (the 2×2 one and the general one) against a plain reference of
//! PyTorch's CPU rule: the index starts at the window's first in-bounds element and the value
//! at −∞; scanning row-major, an element wins if strictly greater or NaN. Integer-valued input
//! gives many ties; NaNs and −∞ are sprinkled in.

use nnbook::ops::max_pool2d::{max_pool2d_forward, MaxPool2dParams};
use nnbook::Tensor;

fn reference(x: &[f32], [planes, h, w]: [usize; 3], p: MaxPool2dParams) -> (Vec<f32>, Vec<usize>) {
    let ho = (h + 2 * p.padding[0] - p.kernel_size[0]) / p.stride[0] + 1;
    let wo = (w + 2 * p.padding[1] - p.kernel_size[1]) / p.stride[1] + 1;
    let (mut ys, mut is) = (Vec::new(), Vec::new());
    for pl in 0..planes {
        for oh in 0..ho {
            for ow in 0..wo {
                let h0 = (oh * p.stride[0]) as isize - p.padding[0] as isize;
                let w0 = (ow * p.stride[1]) as isize - p.padding[1] as isize;
                let (hs, ws) = (h0.max(0) as usize, w0.max(0) as usize);
                let mut best = (f32::NEG_INFINITY, hs * w + ws);
                for ih in hs..((h0 + p.kernel_size[0] as isize) as usize).min(h) {
                    for iw in ws..((w0 + p.kernel_size[1] as isize) as usize).min(w) {
                        let v = x[pl * h * w + ih * w + iw];
                        if v > best.0 || v.is_nan() {
                            best = (v, ih * w + iw);
                        }
                    }
                }
                ys.push(best.0);
                is.push(best.1);
            }
        }
    }
    (ys, is)
}

#[test]
fn fast_paths_follow_pytorchs_tie_and_nan_rules() {
    let mut seed = 12345u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as u32
    };
    let shape = [2, 3, 9, 10];
    let x: Vec<f32> = (0..shape.iter().product::<usize>())
        .map(|_| match next() % 20 {
            0 => f32::NAN,
            1 => f32::NEG_INFINITY,
            2 => -0.0,
            r => (r % 4) as f32 - 2.0,
        })
        .collect();
    let t = Tensor::from_vec(&shape, x.clone()).unwrap();
    for (k, s, pad) in [
        ([2, 2], [2, 2], [0, 0]),
        ([3, 3], [2, 2], [1, 1]),
        ([2, 3], [1, 2], [1, 0]),
    ] {
        let p = MaxPool2dParams {
            kernel_size: k,
            stride: s,
            padding: pad,
        };
        let (y, idx) = max_pool2d_forward(&t, p).unwrap();
        let (ry, ri) = reference(&x, [6, 9, 10], p);
        assert_eq!(idx, ri, "indices for {p:?}");
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(y.data()), bits(&ry), "values for {p:?}");
    }
}

/// The inference kernel (no indices) gives forward's `y` bit for bit: ties, ±0, NaN anywhere
/// in a window, and settings other than `MaxPool2d(2)` (which fall back to the forward).
#[test]
fn infer_matches_forward_bit_for_bit() {
    use nnbook::ops::max_pool2d::max_pool2d_infer;
    let specials = [
        0.0f32,
        -0.0,
        1.0,
        1.0,
        f32::NAN,
        -f32::NAN,
        f32::NEG_INFINITY,
        0.5,
    ];
    let data: Vec<f32> = (0..2 * 3 * 8 * 6)
        .map(|i| {
            if i % 7 == 0 {
                specials[(i / 7) % specials.len()]
            } else {
                ((i * 37 % 101) as f32 - 50.0) / 10.0
            }
        })
        .collect();
    let x = Tensor::from_vec(&[2, 3, 8, 6], data).unwrap();
    for (k, s, pad) in [(2, 2, 0), (3, 2, 1), (2, 1, 0)] {
        let p = MaxPool2dParams {
            kernel_size: [k, k],
            stride: [s, s],
            padding: [pad, pad],
        };
        let (want, _) = max_pool2d_forward(&x, p).unwrap();
        let got = max_pool2d_infer(&x, p).unwrap();
        assert_eq!(got.shape(), want.shape());
        let bits = |t: &Tensor| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&got),
            bits(&want),
            "kernel {k} stride {s} padding {pad}"
        );
    }
    let p2 = MaxPool2dParams {
        kernel_size: [2, 2],
        stride: [2, 2],
        padding: [0, 0],
    };
    let tiny = Tensor::zeros(&[1, 1, 1]).unwrap();
    assert_eq!(
        max_pool2d_infer(&tiny, p2).unwrap_err().to_string(),
        max_pool2d_forward(&tiny, p2).unwrap_err().to_string()
    );
}
