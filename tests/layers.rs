//! The "other layers": finite-difference checks of the backward passes (LayerNorm,
//! BatchNorm1d, Embedding), state_dict names and `print(model)` text against PyTorch 2.15.
//! Forward values, default initialisation and error texts are checked by the golden fixtures
//! (tests/golden/gen_layers.py).

use nnbook::nn::{
    BatchNorm1d, Dropout, Embedding, Flatten, LayerNorm, Linear, Module, MultiheadAttention,
    RnnConfig, Sequential, TransformerEncoderLayer, TransformerEncoderLayerConfig, LSTM,
};
use nnbook::rng::Rng;
use nnbook::Tensor;

fn randn(rng: &mut Rng, shape: &[usize]) -> Tensor {
    let n = shape.iter().product();
    Tensor::from_vec(shape, (0..n).map(|_| rng.normal_f32()).collect()).unwrap()
}

/// `L = sum(m(x) * g)` in f64.
fn loss(m: &mut dyn Module, x: &Tensor, g: &Tensor) -> f64 {
    let y = m.forward(x).unwrap();
    y.data()
        .iter()
        .zip(g.data())
        .map(|(&a, &b)| a as f64 * b as f64)
        .sum()
}

/// Central differences of `L` with respect to `x` and every parameter, compared with the
/// module's backward (relative to the largest gradient).
fn check_grads(m: &mut dyn Module, x: &Tensor, g: &Tensor, h: f32, tol: f64) {
    m.zero_grad();
    let _ = loss(m, x, g);
    let dx = m.backward(g).unwrap();
    let analytic: Vec<(String, Vec<f32>)> = std::iter::once(("x".to_string(), dx.into_vec()))
        .chain(
            m.named_parameters()
                .into_iter()
                .map(|(k, p)| (k, p.grad.data().to_vec())),
        )
        .collect();
    for (name, want) in analytic {
        let scale = want.iter().fold(1e-3f64, |a, &v| a.max(v.abs() as f64));
        for (i, &w) in want.iter().enumerate() {
            let eval = |m: &mut dyn Module, delta: f32| {
                let mut xx = x.clone();
                if name == "x" {
                    xx.data_mut()[i] += delta;
                } else {
                    for (k, p) in m.named_parameters_mut() {
                        if k == name {
                            p.value.data_mut()[i] += delta;
                        }
                    }
                }
                let l = loss(m, &xx, g);
                if name != "x" {
                    for (k, p) in m.named_parameters_mut() {
                        if k == name {
                            p.value.data_mut()[i] -= delta;
                        }
                    }
                }
                l
            };
            let fd = (eval(m, h) - eval(m, -h)) / (2.0 * h as f64);
            let err = (fd - w as f64).abs() / scale;
            assert!(
                err < tol,
                "{name}[{i}]: finite difference {fd}, backward {w} (relative error {err})"
            );
        }
    }
}

/// Sets every parameter from `rng` (N(0, 0.5²)), so the checks do not depend on the global
/// generator, which tests running in parallel share.
fn perturbed(m: &mut dyn Module, rng: &mut Rng) {
    for (_, p) in m.named_parameters_mut() {
        for v in p.value.data_mut() {
            *v = 0.5 * rng.normal_f32();
        }
    }
}

#[test]
fn layer_norm_backward_matches_finite_differences() {
    let mut rng = Rng::new(1);
    let mut ln = LayerNorm::new(&[3, 4]);
    perturbed(&mut ln, &mut rng);
    let x = randn(&mut rng, &[2, 3, 4]);
    let g = randn(&mut rng, &[2, 3, 4]);
    check_grads(&mut ln, &x, &g, 1e-2, 2e-3);
    let mut plain = LayerNorm::with_options(&[5], 1e-5, false, false);
    assert!(plain.named_parameters().is_empty());
    let (x, g) = (randn(&mut rng, &[3, 5]), randn(&mut rng, &[3, 5]));
    check_grads(&mut plain, &x, &g, 1e-2, 2e-3);
}

#[test]
fn batch_norm1d_backward_matches_finite_differences() {
    let mut rng = Rng::new(2);
    for shape in [&[6, 3][..], &[4, 3, 5]] {
        let mut bn = BatchNorm1d::new(3);
        perturbed(&mut bn, &mut rng);
        let x = randn(&mut rng, shape);
        let g = randn(&mut rng, shape);
        check_grads(&mut bn, &x, &g, 1e-2, 3e-3);
        bn.set_training(false);
        check_grads(&mut bn, &x, &g, 1e-2, 3e-3);
    }
}

#[test]
fn embedding_backward_sums_repeats_and_skips_padding() {
    nnbook::rng::manual_seed(0);
    let mut emb = Embedding::new(5, 2, Some(-1)).unwrap();
    assert_eq!(emb.padding_idx, Some(4));
    assert_eq!(&emb.weight.value.data()[8..], &[0.0, 0.0]);
    let y = emb.forward_indices(&[1, 4, 1, 3], &[2, 2]).unwrap();
    assert_eq!(y.shape(), &[2, 2, 2]);
    let g = Tensor::from_vec(&[2, 2, 2], (1..=8).map(|v| v as f32).collect()).unwrap();
    let dx = emb.backward(&g).unwrap();
    assert_eq!(dx.shape(), &[2, 2]);
    assert_eq!(
        emb.weight.grad.data(),
        &[0.0, 0.0, 6.0, 8.0, 0.0, 0.0, 7.0, 8.0, 0.0, 0.0]
    );
    // Float indices: whole numbers are accepted, fractions refused with PyTorch's text.
    assert!(emb
        .forward(&Tensor::from_vec(&[1], vec![2.0]).unwrap())
        .is_ok());
    let e = emb.forward(&Tensor::from_vec(&[1], vec![2.5]).unwrap());
    assert!(e.unwrap_err().to_string().starts_with(
        "Expected tensor for argument #1 'indices' to have one of the following scalar types"
    ));
}

#[test]
fn state_dict_names_follow_pytorch_order() {
    // list(nn.LSTM(4, 5, 2).state_dict().keys())
    let lstm = LSTM::new(RnnConfig::new(4, 5).with_num_layers(2)).unwrap();
    let names: Vec<String> = lstm.named_parameters().into_iter().map(|p| p.0).collect();
    assert_eq!(
        names,
        [
            "weight_ih_l0",
            "weight_hh_l0",
            "bias_ih_l0",
            "bias_hh_l0",
            "weight_ih_l1",
            "weight_hh_l1",
            "bias_ih_l1",
            "bias_hh_l1"
        ]
    );
    assert_eq!(lstm.named_parameters()[0].1.value.shape(), &[20, 4]);
    assert_eq!(lstm.named_parameters()[4].1.value.shape(), &[20, 5]);
    let mha = MultiheadAttention::new(8, 2, false).unwrap();
    let names: Vec<String> = mha.named_parameters().into_iter().map(|p| p.0).collect();
    assert_eq!(
        names,
        [
            "in_proj_weight",
            "in_proj_bias",
            "out_proj.weight",
            "out_proj.bias"
        ]
    );
}

/// A model with each new layer, printed and traced as PyTorch does:
/// `nn.Sequential(nn.Embedding(10, 8), nn.LayerNorm(8), nn.TransformerEncoderLayer(8, 2, 16),
/// nn.Flatten(), nn.Linear(40, 4), nn.BatchNorm1d(4), nn.Dropout(0.2))`.
#[test]
fn sequential_of_the_new_layers_prints_as_pytorch() {
    let tel = TransformerEncoderLayer::new(
        TransformerEncoderLayerConfig::new(8, 2).with_dim_feedforward(16),
    )
    .unwrap();
    let mut m = Sequential::new(vec![
        Box::new(Embedding::new(10, 8, None).unwrap()),
        Box::new(LayerNorm::new(&[8])),
        Box::new(tel),
        Box::new(Flatten::new(1, -1)),
        Box::new(Linear::new(40, 4, true)),
        Box::new(BatchNorm1d::new(4)),
        Box::new(Dropout::new(0.2).unwrap()),
    ]);
    let want = "Sequential(
  (0): Embedding(10, 8)
  (1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
  (2): TransformerEncoderLayer(
    (self_attn): MultiheadAttention(
      (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
    )
    (linear1): Linear(in_features=8, out_features=16, bias=True)
    (dropout): Dropout(p=0.1, inplace=False)
    (linear2): Linear(in_features=16, out_features=8, bias=True)
    (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
    (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
    (dropout1): Dropout(p=0.1, inplace=False)
    (dropout2): Dropout(p=0.1, inplace=False)
  )
  (3): Flatten(start_dim=1, end_dim=-1)
  (4): Linear(in_features=40, out_features=4, bias=True)
  (5): BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  (6): Dropout(p=0.2, inplace=False)
)";
    assert_eq!(m.repr(0), want);
    let keys: Vec<String> = nnbook::nn::state_dict(&m)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys.len(), 22);
    assert_eq!(keys[3], "2.self_attn.in_proj_weight");
    assert_eq!(keys[21], "5.num_batches_tracked");
    m.set_training(false);
    let idx = Tensor::from_vec(&[2, 5], (0..10).map(|v| v as f32).collect()).unwrap();
    let y = m.forward(&idx).unwrap();
    assert_eq!(y.shape(), &[2, 4]);
    let trace = m.shape_trace(&[2, 5]).unwrap();
    assert_eq!(trace.last().unwrap().output_shape, vec![2, 4]);
}

#[test]
fn recurrent_backward_matches_finite_differences() {
    use nnbook::nn::{GRU, RNN};
    let mut rng = Rng::new(3);
    let cfgs = [
        RnnConfig::new(3, 4),
        RnnConfig::new(3, 4)
            .with_num_layers(2)
            .with_batch_first(true),
        // (relu RNN: its grads are checked against PyTorch in tests/golden/rnn.json; finite
        // differences straddle its kinks.)
        RnnConfig::new(3, 4).with_bias(false),
    ];
    for cfg in cfgs {
        let x = randn(&mut rng, &[5, 2, 3]);
        // [T, B, I] = [5, 2, 3], or [B, T, I] with batch_first: the output is [5, 2, 4].
        let g = randn(&mut rng, &[5, 2, 4]);
        let mut rnn = RNN::new(cfg).unwrap();
        perturbed(&mut rnn, &mut rng);
        check_grads(&mut rnn, &x, &g, 1e-2, 3e-3);
        let mut lstm = LSTM::new(cfg).unwrap();
        perturbed(&mut lstm, &mut rng);
        check_grads(&mut lstm, &x, &g, 1e-2, 3e-3);
        let mut gru = GRU::new(cfg).unwrap();
        perturbed(&mut gru, &mut rng);
        check_grads(&mut gru, &x, &g, 1e-2, 3e-3);
    }
    // Unbatched input [T, I].
    let x = randn(&mut rng, &[4, 3]);
    let g = randn(&mut rng, &[4, 4]);
    check_grads(
        &mut GRU::new(RnnConfig::new(3, 4)).unwrap(),
        &x,
        &g,
        1e-2,
        3e-3,
    );
}

#[test]
fn lstm_state_gradients_match_finite_differences() {
    let mut rng = Rng::new(4);
    let mut lstm = LSTM::new(RnnConfig::new(2, 3).with_num_layers(2)).unwrap();
    perturbed(&mut lstm, &mut rng);
    let x = randn(&mut rng, &[4, 2, 2]);
    let (h0, c0) = (randn(&mut rng, &[2, 2, 3]), randn(&mut rng, &[2, 2, 3]));
    let (g, gh, gc) = (
        randn(&mut rng, &[4, 2, 3]),
        randn(&mut rng, &[2, 2, 3]),
        randn(&mut rng, &[2, 2, 3]),
    );
    let dot = |a: &Tensor, b: &Tensor| -> f64 {
        a.data()
            .iter()
            .zip(b.data())
            .map(|(&u, &v)| u as f64 * v as f64)
            .sum()
    };
    let l = |lstm: &mut LSTM, h0: &Tensor, c0: &Tensor| {
        let (y, (h, c)) = lstm.forward_with(&x, Some((h0, c0))).unwrap();
        dot(&y, &g) + dot(&h, &gh) + dot(&c, &gc)
    };
    let _ = l(&mut lstm, &h0, &c0);
    let (_, dh0, dc0) = lstm.backward_states(&g, Some(&gh), Some(&gc)).unwrap();
    let dc0 = dc0.unwrap();
    let h = 1e-2f32;
    for i in 0..h0.numel() {
        for (which, want) in [(0, dh0.data()[i]), (1, dc0.data()[i])] {
            let bump = |d: f32| {
                let (mut a, mut b) = (h0.clone(), c0.clone());
                if which == 0 {
                    a.data_mut()[i] += d;
                } else {
                    b.data_mut()[i] += d;
                }
                (a, b)
            };
            let (a1, b1) = bump(h);
            let (a2, b2) = bump(-h);
            let fd = (l(&mut lstm, &a1, &b1) - l(&mut lstm, &a2, &b2)) / (2.0 * h as f64);
            assert!(
                (fd - want as f64).abs() < 3e-3,
                "state {which}[{i}]: fd {fd} backward {want}"
            );
        }
    }
}

#[test]
fn attention_backward_matches_finite_differences() {
    let mut rng = Rng::new(5);
    for batch_first in [false, true] {
        let mut mha = MultiheadAttention::new(6, 2, batch_first).unwrap();
        perturbed(&mut mha, &mut rng);
        let x = randn(&mut rng, &[4, 2, 6]);
        let g = randn(&mut rng, &[4, 2, 6]);
        check_grads(&mut mha, &x, &g, 1e-2, 3e-3);
    }
    // Unbatched.
    let mut mha = MultiheadAttention::new(4, 1, false).unwrap();
    perturbed(&mut mha, &mut rng);
    let (x, g) = (randn(&mut rng, &[3, 4]), randn(&mut rng, &[3, 4]));
    check_grads(&mut mha, &x, &g, 1e-2, 3e-3);
}

#[test]
fn transformer_encoder_layer_backward_matches_finite_differences() {
    let mut rng = Rng::new(6);
    for norm_first in [false, true] {
        let cfg = TransformerEncoderLayerConfig::new(6, 2)
            .with_dim_feedforward(8)
            .with_norm_first(norm_first)
            .with_batch_first(true);
        let mut layer = TransformerEncoderLayer::new(cfg).unwrap();
        layer.set_training(false);
        perturbed(&mut layer, &mut rng);
        let x = randn(&mut rng, &[2, 3, 6]);
        let g = randn(&mut rng, &[2, 3, 6]);
        check_grads(&mut layer, &x, &g, 1e-2, 5e-3);
    }
}
