//! `Sgd::step_module` / `Adam::step_module` (the allocation-free path the trainer uses) give the
//! same bits as `step` over `named_parameters_mut`, use the same names for the state, and
//! refuse bad state the same way without updating anything.

use nnbook::nn::{BatchNorm1d, Linear, Module, ReLU, Sequential};
use nnbook::optim::{Adam, AdamConfig, Sgd, SgdConfig};
use nnbook::Tensor;

/// A small model (with a BatchNorm1d, which names its parameters through the default
/// `visit_parameters_mut`) and gradients set from `k`.
fn model(seed: u64) -> Sequential {
    nnbook::rng::manual_seed(seed);
    Sequential::new(vec![
        Box::new(Linear::new(3, 4, true)),
        Box::new(ReLU::new()),
        Box::new(Sequential::new(vec![
            Box::new(BatchNorm1d::new(4)),
            Box::new(Linear::new(4, 2, false)),
        ])),
    ])
}

fn set_grads(m: &mut Sequential, k: usize) {
    for (i, (_, p)) in m.named_parameters_mut().into_iter().enumerate() {
        let n = p.grad.numel();
        let g = (0..n)
            .map(|j| ((i * 31 + j * 7 + k * 13) % 17) as f32 / 8.0 - 1.0)
            .collect();
        p.grad = Tensor::from_vec(p.value.shape(), g).unwrap();
    }
}

fn values(m: &Sequential) -> Vec<(String, Vec<u32>)> {
    m.named_parameters()
        .into_iter()
        .map(|(n, p)| (n, p.value.data().iter().map(|v| v.to_bits()).collect()))
        .collect()
}

#[test]
fn visit_names_match_named_parameters() {
    let mut m = model(0);
    let want: Vec<String> = m.named_parameters().into_iter().map(|(n, _)| n).collect();
    let mut got = Vec::new();
    let mut prefix = String::from("net.");
    m.visit_parameters_mut(&mut prefix, &mut |name, _| got.push(name.to_string()));
    assert_eq!(prefix, "net.");
    let want: Vec<String> = want.iter().map(|n| format!("net.{n}")).collect();
    assert_eq!(got, want);
    assert!(got.contains(&"net.2.0.weight".to_string()), "{got:?}");
}

#[test]
fn step_module_equals_step() {
    let sgd = SgdConfig {
        lr: 0.1,
        momentum: 0.8,
        weight_decay: 0.05,
        nesterov: true,
        ..SgdConfig::default()
    };
    let adam = AdamConfig {
        lr: 0.01,
        weight_decay: 0.02,
        amsgrad: true,
        ..AdamConfig::default()
    };
    let (mut a, mut b) = (model(1), model(1));
    let (mut sa, mut sb) = (Sgd::new(sgd).unwrap(), Sgd::new(sgd).unwrap());
    let (mut aa, mut ab) = (Adam::new(adam).unwrap(), Adam::new(adam).unwrap());
    for k in 0..4 {
        set_grads(&mut a, k);
        set_grads(&mut b, k);
        sa.step_module(&mut a).unwrap();
        sb.step(&mut b.named_parameters_mut()).unwrap();
        aa.step_module(&mut a).unwrap();
        ab.step(&mut b.named_parameters_mut()).unwrap();
    }
    assert_eq!(values(&a), values(&b));
    assert_eq!(
        sa.momentum_buffer("2.0.weight"),
        sb.momentum_buffer("2.0.weight")
    );
    assert_eq!(aa.state("0.bias"), ab.state("0.bias"));
    assert_eq!(aa.state("2.1.weight").unwrap().step, 4);
}

#[test]
fn step_module_refuses_bad_state_and_updates_nothing() {
    let mut m = model(2);
    set_grads(&mut m, 0);
    let before = values(&m);
    let mut sgd = Sgd::new(SgdConfig {
        momentum: 0.9,
        ..SgdConfig::default()
    })
    .unwrap();
    sgd.set_momentum_buffer("2.1.weight", vec![0.0; 3]);
    let err = sgd.step_module(&mut m).unwrap_err().to_string();
    assert_eq!(
        err,
        "SGD: the state of parameter 2.1.weight has 3 elements, but the parameter has 8"
    );
    assert_eq!(values(&m), before);
    // A gradient of the wrong shape is reported before any state problem (as `step` does).
    m.named_parameters_mut()[0].1.grad = Tensor::zeros(&[2]).unwrap();
    let by_step = sgd.step(&mut m.named_parameters_mut()).unwrap_err();
    let by_module = sgd.step_module(&mut m).unwrap_err();
    assert_eq!(by_module.to_string(), by_step.to_string());
    assert_ne!(by_module.to_string(), err);
    let mut adam = Adam::new(AdamConfig::default()).unwrap();
    assert!(adam.step_module(&mut m).is_err());
    assert!(adam.state("0.bias").is_none());
    assert_eq!(values(&m), before);
}
