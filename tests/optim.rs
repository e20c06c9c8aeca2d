//! SGD and Adam against real PyTorch 2.x (CPU, single-tensor path). The PyTorch run:
//!
//! ```python
//! p0 = [0.5, -1.25, 2.0, 0.125, -0.75, 3.0]; p1 = [1.0, -2.0, 0.3, 0.0]
//! def grads(k):
//!     g0 = torch.tensor([0.1*(k+1), -0.2, 0.3*(-1)**k, 1.5, -0.05*k, 0.7])
//!     g1 = torch.tensor([-0.4, 0.25*k, 2.0, -1.0 + 0.5*k])
//!     return g0, g1
//! def run(opt_cls, steps=3, **kw):
//!     a = nn.Parameter(torch.tensor(p0).reshape(2, 3)); b = nn.Parameter(torch.tensor(p1))
//!     opt = opt_cls([a, b], **kw)
//!     for k in range(steps):
//!         opt.zero_grad(); g0, g1 = grads(k)
//!         a.grad = g0.reshape(2, 3).clone(); b.grad = g1.clone()
//!         opt.step()
//!     print(a, b)
//! ```

use nnbook::nn::Param;
use nnbook::optim::{Adam, AdamConfig, Sgd, SgdConfig};
use nnbook::Tensor;

fn grads(k: usize) -> (Vec<f32>, Vec<f32>) {
    let kf = k as f64;
    let sign = if k.is_multiple_of(2) { 1.0 } else { -1.0 };
    let g0 = [0.1 * (kf + 1.0), -0.2, 0.3 * sign, 1.5, -0.05 * kf, 0.7];
    let g1 = [-0.4, 0.25 * kf, 2.0, -1.0 + 0.5 * kf];
    (
        g0.iter().map(|&x| x as f32).collect(),
        g1.iter().map(|&x| x as f32).collect(),
    )
}

fn params() -> (Param, Param) {
    let a = Tensor::from_vec(&[2, 3], vec![0.5, -1.25, 2.0, 0.125, -0.75, 3.0]).unwrap();
    let b = Tensor::from_vec(&[4], vec![1.0, -2.0, 0.3, 0.0]).unwrap();
    (Param::new(a), Param::new(b))
}

/// Runs `steps` steps of `step` with the gradients above; returns the final values.
fn run(
    steps: usize,
    mut step: impl FnMut(&mut [(String, &mut Param)]) -> nnbook::Result<()>,
) -> (Vec<f32>, Vec<f32>) {
    let (mut a, mut b) = params();
    for k in 0..steps {
        let (g0, g1) = grads(k);
        a.grad = Tensor::from_vec(&[2, 3], g0).unwrap();
        b.grad = Tensor::from_vec(&[4], g1).unwrap();
        let mut named = vec![("a".to_string(), &mut a), ("b".to_string(), &mut b)];
        step(&mut named).unwrap();
    }
    (a.value.data().to_vec(), b.value.data().to_vec())
}

fn assert_close(got: &[f32], want: &[f32]) {
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-6 + 2e-6 * w.abs(),
            "element {i}: got {g}, want {w}\n got {got:?}\nwant {want:?}"
        );
    }
}

fn sgd(lr: f64, momentum: f64, dampening: f64, weight_decay: f64, nesterov: bool) -> Sgd {
    Sgd::new(SgdConfig {
        lr,
        momentum,
        dampening,
        weight_decay,
        nesterov,
    })
    .unwrap()
}

#[test]
fn sgd_plain() {
    // run(torch.optim.SGD, lr=0.1)
    let mut opt = sgd(0.1, 0.0, 0.0, 0.0, false);
    let (a, b) = run(3, |p| opt.step(p));
    assert_close(&a, &[0.44, -1.19, 1.97, -0.32500002, -0.735, 2.7900002]);
    assert_close(&b, &[1.1199999, -2.075, -0.3, 0.15]);
    assert!(opt.momentum_buffer("a").is_none());
}

#[test]
fn sgd_momentum_first_step_copies_grad() {
    // run(torch.optim.SGD, lr=0.1, momentum=0.9)
    let mut opt = sgd(0.1, 0.9, 0.0, 0.0, false);
    let (a, b) = run(3, |p| opt.step(p));
    assert_close(
        &a,
        &[0.40489998, -1.1378, 1.9457, -0.7165, -0.7305, 2.6073003],
    );
    assert_close(&b, &[1.2243999, -2.0975, -0.822, 0.366]);
    // After one step the buffer is the gradient itself (no dampening on the first step).
    let mut opt = sgd(0.1, 0.9, 0.5, 0.0, false);
    let _ = run(1, |p| opt.step(p));
    assert_eq!(opt.momentum_buffer("b").unwrap(), &[-0.4, 0.0, 2.0, -1.0]);
}

#[test]
fn sgd_dampening_and_weight_decay() {
    // run(torch.optim.SGD, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)
    let mut opt = sgd(0.05, 0.9, 0.1, 0.01, false);
    let (a, b) = run(3, |p| opt.step(p));
    assert_close(
        &a,
        &[
            0.45453313,
            -1.1934974,
            1.9662017,
            -0.27417374,
            -0.7392318,
            2.8058972,
        ],
    );
    assert_close(&b, &[1.1036988, -2.038552, -0.23258616, 0.17815438]);
}

#[test]
fn sgd_nesterov() {
    // run(torch.optim.SGD, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)
    let mut opt = sgd(0.05, 0.8, 0.0, 0.1, true);
    let (a, b) = run(3, |p| opt.step(p));
    assert_close(
        &a,
        &[
            0.4163908, -1.1341046, 1.8944134, -0.4143595, -0.7081954, 2.6433988,
        ],
    );
    assert_close(&b, &[1.1069804, -2.0039773, -0.42390063, 0.20600629]);
}

fn adam(lr: f64, betas: (f64, f64), eps: f64, weight_decay: f64, amsgrad: bool) -> Adam {
    Adam::new(AdamConfig {
        lr,
        betas,
        eps,
        weight_decay,
        amsgrad,
    })
    .unwrap()
}

#[test]
fn adam_default_betas() {
    // run(torch.optim.Adam, lr=0.01)
    let mut opt = adam(0.01, (0.9, 0.999), 1e-8, 0.0, false);
    let (a, b) = run(3, |p| opt.step(p));
    assert_close(
        &a,
        &[0.47076818, -1.22, 1.9871684, 0.095000006, -0.73427296, 2.97],
    );
    assert_close(&b, &[1.03, -2.015727, 0.27000004, 0.02652757]);
    assert_eq!(opt.state("a").unwrap().step, 3);
}

#[test]
fn adam_betas_eps_weight_decay() {
    // run(torch.optim.Adam, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)
    let mut opt = adam(0.1, (0.8, 0.99), 1e-6, 0.05, false);
    let (a, b) = run(3, |p| opt.step(p));
    assert_close(
        &a,
        &[
            0.20070755,
            -0.9503936,
            1.8221474,
            -0.17493477,
            -0.45423806,
            2.7001164,
        ],
    );
    assert_close(&b, &[1.2997091, -2.0057833, 4.863739e-05, 0.2568863]);
}

#[test]
fn adam_amsgrad() {
    // run(torch.optim.Adam, lr=0.01, amsgrad=True, steps=4)
    let mut opt = adam(0.01, (0.9, 0.999), 1e-8, 0.0, true);
    let (a, b) = run(4, |p| opt.step(p));
    assert_close(
        &a,
        &[0.4611641, -1.21, 1.9876947, 0.08500001, -0.72555804, 2.96],
    );
    assert_close(&b, &[1.04, -2.024442, 0.26000005, 0.02953574]);
}

#[test]
fn adam_twenty_steps() {
    // run(torch.optim.Adam, lr=0.001, steps=20)  (grads(k) keeps growing with k)
    let mut opt = adam(0.001, (0.9, 0.999), 1e-8, 0.0, false);
    let (a, b) = run(20, |p| opt.step(p));
    assert_close(
        &a,
        &[
            0.47923914, -1.2299991, 1.9983065, 0.10499996, -0.7309878, 2.9800014,
        ],
    );
    assert_close(&b, &[1.0200009, -2.0190125, 0.28000027, -0.011156542]);
}

fn sgd_err(c: SgdConfig) -> String {
    let e = Sgd::new(c).unwrap_err();
    assert_eq!(e.py_kind(), nnbook::PyKind::ValueError);
    e.to_string()
}

fn adam_err(c: AdamConfig) -> String {
    let e = Adam::new(c).unwrap_err();
    assert_eq!(e.py_kind(), nnbook::PyKind::ValueError);
    e.to_string()
}

#[test]
fn invalid_configs_give_torch_texts() {
    let d = SgdConfig {
        lr: 0.1,
        ..SgdConfig::default()
    };
    // torch.optim.SGD(x, lr=-0.1) etc.
    assert_eq!(
        sgd_err(SgdConfig { lr: -0.1, ..d }),
        "Invalid learning rate: -0.1"
    );
    assert_eq!(
        sgd_err(SgdConfig {
            momentum: -0.5,
            ..d
        }),
        "Invalid momentum value: -0.5"
    );
    assert_eq!(
        sgd_err(SgdConfig {
            weight_decay: -1e-5,
            ..d
        }),
        "Invalid weight_decay value: -1e-05"
    );
    let nesterov = "Nesterov momentum requires a momentum and zero dampening";
    assert_eq!(
        sgd_err(SgdConfig {
            nesterov: true,
            ..d
        }),
        nesterov
    );
    assert_eq!(
        sgd_err(SgdConfig {
            nesterov: true,
            momentum: 0.9,
            dampening: 0.1,
            ..d
        }),
        nesterov
    );
    let d = AdamConfig::default();
    assert_eq!(
        adam_err(AdamConfig { lr: -0.1, ..d }),
        "Invalid learning rate: -0.1"
    );
    assert_eq!(
        adam_err(AdamConfig { lr: f64::NAN, ..d }),
        "Invalid learning rate: nan"
    );
    assert_eq!(
        adam_err(AdamConfig { eps: -1e-8, ..d }),
        "Invalid epsilon value: -1e-08"
    );
    assert_eq!(
        adam_err(AdamConfig {
            betas: (1.0, 0.999),
            ..d
        }),
        "Invalid beta parameter at index 0: 1.0"
    );
    assert_eq!(
        adam_err(AdamConfig {
            betas: (0.9, -0.5),
            ..d
        }),
        "Invalid beta parameter at index 1: -0.5"
    );
    assert_eq!(
        adam_err(AdamConfig {
            weight_decay: -0.01,
            ..d
        }),
        "Invalid weight_decay value: -0.01"
    );
    let mut opt = sgd(0.1, 0.0, 0.0, 0.0, false);
    assert_eq!(
        opt.set_lr(-0.1).unwrap_err().to_string(),
        "Invalid learning rate: -0.1"
    );
    assert_eq!(opt.config().lr, 0.1);
}

#[test]
fn step_refuses_mismatched_grad_or_state_and_changes_nothing() {
    let (mut a, mut b) = params();
    b.grad = Tensor::zeros(&[5]).unwrap();
    let mut opt = adam(0.1, (0.9, 0.999), 1e-8, 0.0, false);
    let before = a.value.clone();
    {
        let mut named = vec![("a".to_string(), &mut a), ("b".to_string(), &mut b)];
        assert!(opt.step(&mut named).is_err());
    }
    assert_eq!(a.value, before);
    assert!(opt.state("a").is_none());

    // Same name, different size: the kept momentum buffer no longer fits.
    let mut opt = sgd(0.1, 0.9, 0.0, 0.0, false);
    let (mut a, _) = params();
    opt.step(&mut [("w".to_string(), &mut a)]).unwrap();
    let mut other = Param::new(Tensor::zeros(&[3]).unwrap());
    assert!(opt.step(&mut [("w".to_string(), &mut other)]).is_err());
}
