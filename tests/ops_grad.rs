//! Finite-difference checks of every backward in `nnbook::ops`.
//!
//! For an op `y = f(inputs)` and a fixed random `g` (y's shape) we check `dL/d(input)` for
//! `L = Σ y·g` (accumulated in f64) against central differences
//! `(L(x + ε e_i) − L(x − ε e_i)) / 2ε`, element by element.
//!
//! Why `ε = 1e-2` and `|num − ana| <= 2e-3 + 1e-2·|num|` are meaningful: the forwards run in
//! f32, so `L` carries a rounding error of about `1e-7 · Σ|y·g| ≲ 1e-5` for these small
//! shapes, i.e. ≲ 5e-4 after dividing by `2ε`; linear/conv are linear in each input, so the
//! difference quotient has no truncation error, and for softmax/batch-norm the `O(ε²)` term is
//! ~1e-5. A wrong gradient is off by O(|grad|) ≈ 0.1–10, far above the tolerance. Every check
//! also *proves* it can fail: [`check`] asserts that the same comparison rejects the negated
//! gradient (a sign flip) and that the gradient is not trivially ~0.
//! Piecewise-linear ops (ReLU, max-pool) get inputs at least 0.05 away from their kinks/ties,
//! so `±ε` never crosses one.

use nnbook::ops::*;
use nnbook::rng::Rng;
use nnbook::Tensor;

const EPS: f32 = 1e-2;
const ATOL: f64 = 2e-3;
const RTOL: f64 = 1e-2;

struct Lcg(u64);

impl Lcg {
    /// Uniform in [-1, 1).
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
    fn tensor(&mut self, shape: &[usize], scale: f32) -> Tensor {
        let n = shape.iter().product();
        Tensor::from_vec(shape, (0..n).map(|_| self.next() * scale).collect()).unwrap()
    }
    /// Distinct values `k·0.1 − n/20` in a random order (no ties within 0.1).
    fn distinct(&mut self, shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        let mut v: Vec<f32> = (0..n).map(|k| k as f32 * 0.1 - n as f32 / 20.0).collect();
        for i in (1..n).rev() {
            let j = ((self.next() + 1.0) * 0.5 * (i + 1) as f32) as usize % (i + 1);
            v.swap(i, j);
        }
        Tensor::from_vec(shape, v).unwrap()
    }
}

fn dot(y: &Tensor, g: &Tensor) -> f64 {
    assert_eq!(y.shape(), g.shape());
    y.data()
        .iter()
        .zip(g.data())
        .map(|(&a, &b)| a as f64 * b as f64)
        .sum()
}

/// Checks `analytic[k] = dL/d inputs[k]` for `L = Σ f(inputs)·g` by central differences,
/// and that a sign-flipped gradient would fail the same comparison.
#[track_caller]
fn check(
    name: &str,
    inputs: &[Tensor],
    g: &Tensor,
    analytic: &[Tensor],
    f: impl Fn(&[Tensor]) -> Tensor,
) {
    assert_eq!(
        inputs.len(),
        analytic.len(),
        "{name}: one gradient per input"
    );
    let mut worst = 0.0f64; // max |num − ana| / (ATOL + RTOL |num|): must be <= 1
    let mut worst_flipped = 0.0f64; // same for −ana: must be > 1
    let mut max_grad = 0.0f64;
    for (k, ana) in analytic.iter().enumerate() {
        assert_eq!(ana.shape(), inputs[k].shape(), "{name}: grad {k} shape");
        for i in 0..inputs[k].numel() {
            let mut plus = inputs.to_vec();
            plus[k].data_mut()[i] += EPS;
            let mut minus = inputs.to_vec();
            minus[k].data_mut()[i] -= EPS;
            let num = (dot(&f(&plus), g) - dot(&f(&minus), g)) / (2.0 * EPS as f64);
            let a = ana.data()[i] as f64;
            let scale = ATOL + RTOL * num.abs();
            let err = (num - a).abs() / scale;
            assert!(
                err <= 1.0,
                "{name}: input {k} element {i}: numerical {num}, analytic {a}"
            );
            worst = worst.max(err);
            worst_flipped = worst_flipped.max((num + a).abs() / scale);
            max_grad = max_grad.max(a.abs());
        }
    }
    assert!(
        max_grad > 0.05,
        "{name}: gradient is ~0 everywhere ({max_grad}); test is vacuous"
    );
    assert!(
        worst_flipped > 1.0,
        "{name}: a sign-flipped gradient would pass ({worst_flipped})"
    );
    assert!(worst <= 1.0);
}

#[test]
fn linear_grads() {
    let mut r = Lcg(1);
    for (xs, has_bias) in [(vec![4, 5], true), (vec![5], false), (vec![2, 3, 5], true)] {
        let x = r.tensor(&xs, 1.0);
        let w = r.tensor(&[3, 5], 1.0);
        let b = r.tensor(&[3], 1.0);
        let y = linear_forward(&x, &w, has_bias.then_some(&b)).unwrap();
        let g = r.tensor(y.shape(), 1.0);
        let gr = linear_backward(&x, &w, has_bias, &g).unwrap();
        let mut ana = vec![gr.x, gr.weight];
        let mut inputs = vec![x, w];
        if has_bias {
            ana.push(gr.bias.unwrap());
            inputs.push(b);
        }
        check(&format!("linear {xs:?}"), &inputs, &g, &ana, |t| {
            linear_forward(&t[0], &t[1], t.get(2)).unwrap()
        });
    }
}

#[test]
fn conv2d_grads() {
    let mut r = Lcg(2);
    // (x shape, weight shape, stride, padding, bias)
    type Case<'a> = (&'a [usize], [usize; 4], [usize; 2], [usize; 2], bool);
    let cases: [Case; 4] = [
        (&[2, 3, 5, 5], [4, 3, 3, 3], [1, 1], [1, 1], true),
        (&[1, 2, 6, 5], [3, 2, 3, 2], [2, 1], [1, 0], true),
        (&[2, 4, 4], [2, 2, 2, 2], [2, 2], [1, 1], false), // unbatched
        (&[9, 1, 3, 3], [2, 1, 2, 2], [1, 1], [0, 0], true), // N > dweight chunk of 8
    ];
    for (xs, ws, stride, padding, has_bias) in cases {
        let p = Conv2dParams { stride, padding };
        let x = r.tensor(xs, 1.0);
        let w = r.tensor(&ws, 1.0);
        let b = r.tensor(&[ws[0]], 1.0);
        let y = conv2d_forward(&x, &w, has_bias.then_some(&b), p).unwrap();
        let g = r.tensor(y.shape(), 1.0);
        let gr = conv2d_backward(&x, &w, has_bias, &g, p).unwrap();
        let mut ana = vec![gr.x, gr.weight];
        let mut inputs = vec![x, w];
        if has_bias {
            ana.push(gr.bias.unwrap());
            inputs.push(b);
        }
        check(
            &format!("conv2d {xs:?} {ws:?} {p:?}"),
            &inputs,
            &g,
            &ana,
            |t| conv2d_forward(&t[0], &t[1], t.get(2), p).unwrap(),
        );
    }
}

#[test]
fn max_pool2d_grads() {
    let mut r = Lcg(3);
    // (x shape, kernel, stride, padding)
    type Case<'a> = (&'a [usize], [usize; 2], [usize; 2], [usize; 2]);
    let cases: [Case; 3] = [
        (&[2, 2, 4, 4], [3, 3], [1, 1], [1, 1]), // overlapping windows: grads accumulate
        (&[1, 3, 4, 6], [2, 2], [2, 2], [0, 0]),
        (&[2, 5, 4], [3, 2], [2, 1], [1, 1]), // unbatched, rectangular
    ];
    for (xs, kernel_size, stride, padding) in cases {
        let p = MaxPool2dParams {
            kernel_size,
            stride,
            padding,
        };
        let x = r.distinct(xs);
        let (y, idx) = max_pool2d_forward(&x, p).unwrap();
        let g = r.tensor(y.shape(), 1.0);
        let dx = max_pool2d_backward(x.shape(), &idx, &g).unwrap();
        check(&format!("max_pool2d {xs:?} {p:?}"), &[x], &g, &[dx], |t| {
            max_pool2d_forward(&t[0], p).unwrap().0
        });
    }
}

#[test]
fn relu_grads() {
    let mut r = Lcg(4);
    // keep |x| >= 0.05 so x ± ε never crosses the kink
    let x = r.tensor(&[3, 7], 1.0).map(|v| {
        if v.abs() < 0.05 {
            v + 0.1f32.copysign(v)
        } else {
            v
        }
    });
    let g = r.tensor(&[3, 7], 1.0);
    let dx = relu_backward(&x, &g).unwrap();
    check("relu", &[x], &g, &[dx], |t| relu_forward(&t[0]));
}

#[test]
fn dropout_grads() {
    let mut r = Lcg(5);
    let x = r.tensor(&[4, 6], 1.0);
    let g = r.tensor(&[4, 6], 1.0);
    let run = |x: &Tensor| dropout_forward(x, 0.4, true, &mut Rng::new(7)).unwrap();
    let (_, mask) = run(&x);
    let dx = dropout_backward(mask.as_deref(), &g).unwrap();
    check("dropout", &[x], &g, &[dx], |t| run(&t[0]).0);
}

#[test]
fn batch_norm2d_grads() {
    let mut r = Lcg(6);
    for training in [true, false] {
        let x = r.tensor(&[3, 2, 2, 3], 2.0);
        let w = r.tensor(&[2], 1.5);
        let b = r.tensor(&[2], 1.0);
        let rm0 = r.tensor(&[2], 0.5);
        let rv0 = r.tensor(&[2], 0.5).map(|v| v + 1.0);
        let fwd = |t: &[Tensor]| {
            let (mut rm, mut rv) = (rm0.clone(), rv0.clone());
            batch_norm2d_forward(&t[0], &t[1], &t[2], &mut rm, &mut rv, training, 0.1, 1e-5)
                .unwrap()
        };
        let inputs = [x, w, b];
        let (y, cache) = fwd(&inputs);
        let g = r.tensor(y.shape(), 1.0);
        let (dx, dw, db) = batch_norm2d_backward(&cache, &inputs[1], &g).unwrap();
        check(
            &format!("batch_norm2d training={training}"),
            &inputs,
            &g,
            &[dx, dw, db],
            |t| fwd(t).0,
        );
    }
}

#[test]
fn softmax_grads() {
    let mut r = Lcg(7);
    for dim in [0, 1, -1] {
        let x = r.tensor(&[2, 3, 4], 2.0);
        let y = softmax_forward(&x, dim).unwrap();
        let g = r.tensor(y.shape(), 1.0);
        let dx = softmax_backward(&y, &g, dim).unwrap();
        check(
            &format!("softmax dim={dim}"),
            std::slice::from_ref(&x),
            &g,
            &[dx],
            |t| softmax_forward(&t[0], dim).unwrap(),
        );
        let y = log_softmax_forward(&x, dim).unwrap();
        let dx = log_softmax_backward(&y, &g, dim).unwrap();
        check(&format!("log_softmax dim={dim}"), &[x], &g, &[dx], |t| {
            log_softmax_forward(&t[0], dim).unwrap()
        });
    }
}

#[test]
fn cross_entropy_grads() {
    let mut r = Lcg(8);
    let logits = r.tensor(&[5, 4], 2.0);
    let labels = [2, -100, 0, 3, 3];
    for reduction in [Reduction::Mean, Reduction::Sum, Reduction::None] {
        let loss = cross_entropy_forward(&logits, &labels, reduction, Some(-100)).unwrap();
        let g = r.tensor(loss.shape(), 1.0).map(|v| v + 1.5f32.copysign(v)); // |g| >= 1.5
        let dx = cross_entropy_backward(&logits, &labels, reduction, Some(-100), &g).unwrap();
        assert!(
            dx.data()[4..8].iter().all(|&v| v == 0.0),
            "ignored row has zero grad"
        );
        check(
            &format!("cross_entropy {reduction:?}"),
            std::slice::from_ref(&logits),
            &g,
            &[dx],
            |t| cross_entropy_forward(&t[0], &labels, reduction, Some(-100)).unwrap(),
        );
    }
}
