//! `SpatialTransformer`: identity start, parameter names, and finite differences of the whole
//! network (dx through both paths, every parameter gradient), with two small test-only modules
//! standing in for the tutorial's `localization` and `fc_loc`.

use nnbook::error::{Error, Result};
use nnbook::nn::stn::SpatialTransformer;
use nnbook::nn::{Module, Param};
use nnbook::ops::grid_sample::{GridSampleMode, GridSampleOptions, PaddingMode};
use nnbook::Tensor;

/// `[N, C, H, W] -> [N, C, 1, 1]`: `y[n, c] = scale[c] * mean(x[n, c])`.
#[derive(Debug)]
struct PoolScale {
    scale: Param,
    means: Vec<f32>,
    in_shape: Vec<usize>,
}

impl PoolScale {
    fn new(scale: &[f32]) -> Self {
        let p = Param::new(Tensor::from_vec(&[scale.len()], scale.to_vec()).unwrap());
        PoolScale {
            scale: p,
            means: vec![],
            in_shape: vec![],
        }
    }
}

impl Module for PoolScale {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let s = x.shape();
        let (n, c, hw) = (s[0], s[1], s[2] * s[3]);
        self.means = x
            .data()
            .chunks(hw)
            .map(|p| (p.iter().map(|&v| v as f64).sum::<f64>() / hw as f64) as f32)
            .collect();
        self.in_shape = s.to_vec();
        let sc = self.scale.value.data();
        let y = (0..n * c).map(|i| sc[i % c] * self.means[i]).collect();
        Tensor::from_vec(&[n, c, 1, 1], y)
    }

    fn backward(&mut self, g: &Tensor) -> Result<Tensor> {
        let s = &self.in_shape;
        let (c, hw) = (s[1], s[2] * s[3]);
        let sc = self.scale.value.data().to_vec();
        let mut dx = vec![0.0; s.iter().product()];
        for (i, &gi) in g.data().iter().enumerate() {
            self.scale.grad.data_mut()[i % c] += gi * self.means[i];
            let v = gi * sc[i % c] / hw as f32;
            dx[i * hw..(i + 1) * hw].iter_mut().for_each(|d| *d = v);
        }
        Tensor::from_vec(s, dx)
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        vec![("scale".into(), &self.scale)]
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        vec![("scale".into(), &mut self.scale)]
    }

    fn repr(&self, _indent: usize) -> String {
        "PoolScale()".into()
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        Ok(vec![input[0], input[1], 1, 1])
    }
}

/// `[N, F] -> [N, O]`: `y = x @ weight.T + bias`.
#[derive(Debug)]
struct TinyLinear {
    weight: Param,
    bias: Param,
    x: Option<Tensor>,
}

impl TinyLinear {
    fn new(out: usize, inp: usize, w: Vec<f32>, b: Vec<f32>) -> Self {
        TinyLinear {
            weight: Param::new(Tensor::from_vec(&[out, inp], w).unwrap()),
            bias: Param::new(Tensor::from_vec(&[out], b).unwrap()),
            x: None,
        }
    }
    fn dims(&self) -> (usize, usize) {
        (self.weight.value.shape()[0], self.weight.value.shape()[1])
    }
}

impl Module for TinyLinear {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let (o, f) = self.dims();
        if x.ndim() != 2 || x.shape()[1] != f {
            return Err(Error::runtime("TinyLinear", "bad input"));
        }
        let n = x.shape()[0];
        let (w, b) = (self.weight.value.data(), self.bias.value.data());
        let mut y = vec![0.0; n * o];
        for r in 0..n {
            for j in 0..o {
                y[r * o + j] = b[j]
                    + (0..f)
                        .map(|k| x.data()[r * f + k] * w[j * f + k])
                        .sum::<f32>();
            }
        }
        self.x = Some(x.clone());
        Tensor::from_vec(&[n, o], y)
    }

    fn backward(&mut self, g: &Tensor) -> Result<Tensor> {
        let (o, f) = self.dims();
        let x = self.x.as_ref().unwrap();
        let n = x.shape()[0];
        let w = self.weight.value.data().to_vec();
        let mut dx = vec![0.0; n * f];
        for r in 0..n {
            for j in 0..o {
                let gj = g.data()[r * o + j];
                self.bias.grad.data_mut()[j] += gj;
                for k in 0..f {
                    self.weight.grad.data_mut()[j * f + k] += gj * x.data()[r * f + k];
                    dx[r * f + k] += gj * w[j * f + k];
                }
            }
        }
        Tensor::from_vec(&[n, f], dx)
    }

    fn named_parameters(&self) -> Vec<(String, &Param)> {
        vec![("weight".into(), &self.weight), ("bias".into(), &self.bias)]
    }

    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        vec![
            ("weight".into(), &mut self.weight),
            ("bias".into(), &mut self.bias),
        ]
    }

    fn repr(&self, _indent: usize) -> String {
        let (o, f) = self.dims();
        format!("TinyLinear(in_features={f}, out_features={o})")
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        Ok(vec![input[0], self.dims().0])
    }
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, lo: f32, hi: f32) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (hi - lo) * ((self.0 >> 40) as f32 / (1u64 << 24) as f32)
    }
    fn vec(&mut self, n: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..n).map(|_| self.next(lo, hi)).collect()
    }
}

const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// The tutorial's start: `fc_loc`'s weight zero and bias the identity transform.
fn identity_stn(c: usize) -> SpatialTransformer {
    let loc = PoolScale::new(&vec![1.0; c]);
    let fc = TinyLinear::new(6, c, vec![0.0; 6 * c], IDENTITY.to_vec());
    SpatialTransformer::new(Box::new(loc), Box::new(fc))
}

fn dot(y: &Tensor, g: &Tensor) -> f64 {
    y.data()
        .iter()
        .zip(g.data())
        .map(|(&a, &b)| a as f64 * b as f64)
        .sum()
}

#[test]
fn identity_transform_passes_the_input_through() {
    let mut rng = Lcg(5);
    let x = Tensor::from_vec(&[2, 3, 5, 7], rng.vec(210, -1.0, 1.0)).unwrap();
    let mut stn = identity_stn(3);
    let y = stn.forward(&x).unwrap();
    // align_corners=False: the identity grid lands exactly on pixel centres.
    for (a, b) in y.data().iter().zip(x.data()) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
    let theta = stn.last_theta().unwrap();
    assert_eq!(theta.shape(), &[2, 2, 3]);
    assert_eq!(&theta.data()[..6], &IDENTITY);
    assert_eq!(stn.last_grid().unwrap().shape(), &[2, 5, 7, 2]);
}

#[test]
fn parameters_are_named_like_the_tutorial() {
    let stn = identity_stn(3);
    let names: Vec<String> = stn.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["localization.scale", "fc_loc.weight", "fc_loc.bias"]
    );
    assert_eq!(stn.num_parameters(), 3 + 18 + 6);
    assert_eq!(
        stn.repr(0),
        "SpatialTransformer(\n  (localization): PoolScale()\n  (fc_loc): TinyLinear(in_features=3, out_features=6)\n)"
    );
    assert_eq!(stn.output_shape(&[4, 3, 8, 8]).unwrap(), vec![4, 3, 8, 8]);
}

/// Raw pixel coordinate's distance to the nearest multiple of 0.5 (where every kink of
/// bilinear sampling with any padding lies).
fn kink_distance(c: f32, size: usize, align_corners: bool) -> f64 {
    let (c, s) = (c as f64, size as f64);
    let p = if align_corners {
        (c + 1.0) / 2.0 * (s - 1.0)
    } else {
        ((c + 1.0) * s - 1.0) / 2.0
    };
    ((2.0 * p) - (2.0 * p).round()).abs() / 2.0
}

/// `L = sum(STN(x) * g)` with fresh caches.
fn loss(stn: &mut SpatialTransformer, x: &Tensor, g: &Tensor) -> f64 {
    dot(&stn.forward(x).unwrap(), g)
}

fn finite_differences_for(opts: GridSampleOptions, seed: u64) {
    let (n, c, h, w) = (2, 2, 3, 4);
    let mut rng = Lcg(seed);
    // Draw weights and inputs until every sample point is 0.005 pixel away from a kink: the
    // steps below move a point by at most ~1e-3 pixel.
    let (mut stn, x) = loop {
        let loc = PoolScale::new(&rng.vec(c, 0.5, 1.5));
        let wv = rng.vec(6 * c, -0.4, 0.4);
        let b: Vec<f32> = IDENTITY.iter().map(|v| v + rng.next(-0.3, 0.3)).collect();
        let fc = TinyLinear::new(6, c, wv, b);
        let mut stn = SpatialTransformer::new(Box::new(loc), Box::new(fc)).with_options(opts);
        let x = Tensor::from_vec(&[n, c, h, w], rng.vec(n * c * h * w, -1.0, 1.0)).unwrap();
        stn.forward(&x).unwrap();
        let ok = stn.last_grid().unwrap().data().chunks(2).all(|p| {
            kink_distance(p[0], w, opts.align_corners) >= 0.005
                && kink_distance(p[1], h, opts.align_corners) >= 0.005
        });
        if ok {
            break (stn, x);
        }
    };
    let g = Tensor::from_vec(&[n, c, h, w], rng.vec(n * c * h * w, -1.0, 1.0)).unwrap();
    stn.zero_grad();
    stn.forward(&x).unwrap();
    let dx = stn.backward(&g).unwrap();
    assert_eq!(dx.shape(), x.shape());
    let what = format!("{opts:?}");

    let eps = 1e-3f32;
    for i in 0..x.numel() {
        let (mut xp, mut xm) = (x.clone(), x.clone());
        xp.data_mut()[i] += eps;
        xm.data_mut()[i] -= eps;
        let fd = (loss(&mut stn, &xp, &g) - loss(&mut stn, &xm, &g)) / (2.0 * eps as f64);
        let a = dx.data()[i] as f64;
        assert!(
            (a - fd).abs() <= 2e-3 + 1e-2 * fd.abs(),
            "dx[{i}] {what}: {a} vs fd {fd}"
        );
    }

    let grads: Vec<(String, Vec<f32>)> = stn
        .named_parameters()
        .into_iter()
        .map(|(name, p)| (name, p.grad.data().to_vec()))
        .collect();
    let eps = 5e-4f32;
    for (pi, (name, grad)) in grads.iter().enumerate() {
        for (k, &a) in grad.iter().enumerate() {
            let bump = |stn: &mut SpatialTransformer, delta: f32| {
                let mut params = stn.named_parameters_mut();
                params[pi].1.value.data_mut()[k] += delta;
            };
            bump(&mut stn, eps);
            let lp = loss(&mut stn, &x, &g);
            bump(&mut stn, -2.0 * eps);
            let lm = loss(&mut stn, &x, &g);
            bump(&mut stn, eps);
            let fd = (lp - lm) / (2.0 * eps as f64);
            let a = a as f64;
            assert!(
                (a - fd).abs() <= 3e-3 + 1e-2 * fd.abs(),
                "{name}[{k}] {what}: {a} vs fd {fd}"
            );
        }
    }
}

#[test]
fn finite_differences_of_the_whole_transformer() {
    let modes = [
        (PaddingMode::Zeros, false),
        (PaddingMode::Border, true),
        (PaddingMode::Reflection, false),
        (PaddingMode::Reflection, true),
    ];
    for (i, (padding_mode, align_corners)) in modes.into_iter().enumerate() {
        let opts = GridSampleOptions {
            mode: GridSampleMode::Bilinear,
            padding_mode,
            align_corners,
        };
        finite_differences_for(opts, 100 + i as u64);
    }
}

#[test]
fn nearest_mode_gets_no_gradient_through_theta() {
    let mut stn = identity_stn(2).with_options(GridSampleOptions {
        mode: GridSampleMode::Nearest,
        ..GridSampleOptions::default()
    });
    let mut rng = Lcg(9);
    let x = Tensor::from_vec(&[1, 2, 3, 3], rng.vec(18, -1.0, 1.0)).unwrap();
    let g = Tensor::from_vec(&[1, 2, 3, 3], rng.vec(18, -1.0, 1.0)).unwrap();
    stn.forward(&x).unwrap();
    let dx = stn.backward(&g).unwrap();
    // Identity + nearest: y == x, so dx == g exactly, and fc_loc sees a zero dtheta.
    assert_eq!(dx.data(), g.data());
    for (name, p) in stn.named_parameters() {
        assert!(p.grad.data().iter().all(|&v| v == 0.0), "{name}");
    }
}

#[test]
fn errors() {
    let mut stn = identity_stn(2);
    let e = stn
        .backward(&Tensor::zeros(&[1, 2, 3, 3]).unwrap())
        .unwrap_err();
    assert!(e.to_string().contains("before forward"), "{e}");
    // fc_loc giving 5 numbers per image: torch's `.view(-1, 2, 3)` error.
    let loc = PoolScale::new(&[1.0, 1.0]);
    let fc = TinyLinear::new(5, 2, vec![0.0; 10], vec![0.0; 5]);
    let mut bad = SpatialTransformer::new(Box::new(loc), Box::new(fc));
    let x = Tensor::zeros(&[2, 2, 3, 3]).unwrap();
    // torch: torch.zeros(2, 5).view(-1, 2, 3)
    assert_eq!(
        bad.forward(&x).unwrap_err().to_string(),
        "shape '[-1, 2, 3]' is invalid for input of size 10"
    );
    assert!(bad.output_shape(&[2, 2, 3, 3]).is_err());
}
