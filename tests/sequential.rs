//! `Sequential`, `state_dict` and `load_state_dict` with small test-only modules. Expected
//! texts and key orders come from real PyTorch 2.x (snippets quoted at each test).

use nnbook::error::Error;
use nnbook::nn::{load_state_dict, state_dict, Module, Param, Sequential};
use nnbook::{Result, Tensor};

/// `y = w * x` with one scalar parameter `weight` of shape `[1]`.
#[derive(Debug)]
struct Scale {
    weight: Param,
    x: Option<Tensor>,
}

impl Scale {
    fn boxed(w: f32) -> Box<dyn Module> {
        Box::new(Scale {
            weight: Param::new(Tensor::from_vec(&[1], vec![w]).unwrap()),
            x: None,
        })
    }
}

impl Module for Scale {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        self.x = Some(x.clone());
        let w = self.weight.value.data()[0];
        Ok(x.map(|v| w * v))
    }
    fn backward(&mut self, g: &Tensor) -> Result<Tensor> {
        let x = self
            .x
            .as_ref()
            .ok_or_else(|| Error::runtime("Scale", "backward before forward"))?;
        let dw: f32 = x.data().iter().zip(g.data()).map(|(a, b)| a * b).sum();
        self.weight.grad.data_mut()[0] += dw;
        let w = self.weight.value.data()[0];
        Ok(g.map(|v| w * v))
    }
    fn named_parameters(&self) -> Vec<(String, &Param)> {
        vec![("weight".into(), &self.weight)]
    }
    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        vec![("weight".into(), &mut self.weight)]
    }
    fn repr(&self, _indent: usize) -> String {
        format!("Scale({})", self.weight.value.data()[0])
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }
    fn mult_adds(&self, input: &[usize]) -> u64 {
        input.iter().product::<usize>() as u64
    }
}

/// A parameterless module with a fixed repr (a stand-in for `ReLU()`, `Flatten(...)`, ...).
/// `flatten` makes its output shape `[N, rest]`; it counts `set_training` calls' last value.
#[derive(Debug)]
struct Fake {
    text: &'static str,
    flatten: bool,
    training: bool,
}

fn fake(text: &'static str) -> Box<dyn Module> {
    Box::new(Fake {
        text,
        flatten: false,
        training: true,
    })
}

impl Module for Fake {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        Ok(x.clone())
    }
    fn backward(&mut self, g: &Tensor) -> Result<Tensor> {
        Ok(g.clone())
    }
    fn named_parameters(&self) -> Vec<(String, &Param)> {
        vec![]
    }
    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        vec![]
    }
    fn set_training(&mut self, training: bool) {
        self.training = training;
    }
    fn repr(&self, _indent: usize) -> String {
        if self.training {
            self.text.to_string()
        } else {
            format!("{} [eval]", self.text)
        }
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        if self.flatten {
            Ok(vec![input[0], input[1..].iter().product()])
        } else {
            Ok(input.to_vec())
        }
    }
}

/// `Linear`-like: parameters `weight [out, in]` and `bias [out]`; output_shape checks the
/// last dimension with PyTorch's matmul error. Forward is not needed here.
#[derive(Debug)]
struct Lin {
    weight: Param,
    bias: Param,
}

fn lin(i: usize, o: usize) -> Box<dyn Module> {
    let w: Vec<f32> = (0..i * o).map(|k| k as f32 * 0.5).collect();
    Box::new(Lin {
        weight: Param::new(Tensor::from_vec(&[o, i], w).unwrap()),
        bias: Param::new(Tensor::full(&[o], 0.25).unwrap()),
    })
}

impl Module for Lin {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        Ok(x.clone())
    }
    fn backward(&mut self, g: &Tensor) -> Result<Tensor> {
        Ok(g.clone())
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
        let s = self.weight.value.shape();
        format!(
            "Linear(in_features={}, out_features={}, bias=True)",
            s[1], s[0]
        )
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let s = self.weight.value.shape();
        let (n, k) = (input[0], input[input.len() - 1]);
        if k != s[1] {
            return Err(Error::MatmulShape {
                op: "addmm",
                lhs: [n, k],
                rhs: [s[1], s[0]],
            });
        }
        Ok(vec![n, s[0]])
    }
    fn mult_adds(&self, input: &[usize]) -> u64 {
        (input[0] * self.weight.value.numel()) as u64
    }
}

/// `BatchNorm1d`-like: optional `weight`/`bias` parameters, buffers `running_mean`,
/// `running_var`, `num_batches_tracked` (shape `[]`).
#[derive(Debug)]
struct Norm {
    params: Vec<(String, Param)>,
    buffers: Vec<(String, Tensor)>,
}

fn norm(c: usize, affine: bool) -> Box<dyn Module> {
    let mut params = vec![];
    if affine {
        params.push(("weight".into(), Param::new(Tensor::ones(&[c]).unwrap())));
        params.push(("bias".into(), Param::new(Tensor::zeros(&[c]).unwrap())));
    }
    let buffers = vec![
        ("running_mean".into(), Tensor::zeros(&[c]).unwrap()),
        ("running_var".into(), Tensor::ones(&[c]).unwrap()),
        ("num_batches_tracked".into(), Tensor::scalar(0.0)),
    ];
    Box::new(Norm { params, buffers })
}

impl Module for Norm {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        Ok(x.clone())
    }
    fn backward(&mut self, g: &Tensor) -> Result<Tensor> {
        Ok(g.clone())
    }
    fn named_parameters(&self) -> Vec<(String, &Param)> {
        self.params.iter().map(|(k, p)| (k.clone(), p)).collect()
    }
    fn named_parameters_mut(&mut self) -> Vec<(String, &mut Param)> {
        self.params
            .iter_mut()
            .map(|(k, p)| (k.clone(), p))
            .collect()
    }
    fn named_buffers(&self) -> Vec<(String, &Tensor)> {
        self.buffers.iter().map(|(k, b)| (k.clone(), b)).collect()
    }
    fn named_buffers_mut(&mut self) -> Vec<(String, &mut Tensor)> {
        self.buffers
            .iter_mut()
            .map(|(k, b)| (k.clone(), b))
            .collect()
    }
    fn repr(&self, _indent: usize) -> String {
        "BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)".into()
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }
}

const CONV: &str = "Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))";

#[test]
fn print_matches_torch_with_nesting() {
    // print(nn.Sequential(nn.Conv2d(3,32,5,1,2), nn.ReLU(),
    //       nn.Sequential(nn.Linear(2,2), nn.ReLU()), nn.Sequential(), nn.Flatten(),
    //       nn.ReLU(), nn.ReLU()))
    let net = Sequential::new(vec![
        fake(CONV),
        fake("ReLU()"),
        Box::new(Sequential::new(vec![lin(2, 2), fake("ReLU()")])),
        Box::new(Sequential::new(vec![])),
        fake("Flatten(start_dim=1, end_dim=-1)"),
        fake("ReLU()"),
        fake("ReLU()"),
    ]);
    let want = "Sequential(
  (0): Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
  (1): ReLU()
  (2): Sequential(
    (0): Linear(in_features=2, out_features=2, bias=True)
    (1): ReLU()
  )
  (3): Sequential()
  (4): Flatten(start_dim=1, end_dim=-1)
  (5): ReLU()
  (6): ReLU()
)";
    assert_eq!(net.to_string(), want);
    assert_eq!(format!("{net}"), net.repr(0));
    // print(nn.Sequential())
    assert_eq!(Sequential::default().to_string(), "Sequential()");
    assert_eq!(net.len(), 7);
    assert_eq!(net.layers()[1].repr(0), "ReLU()");

    // Two levels of nesting indent by two spaces per level.
    let deep = Sequential::new(vec![Box::new(Sequential::new(vec![Box::new(
        Sequential::new(vec![fake("ReLU()")]),
    )]))]);
    assert_eq!(
        deep.to_string(),
        "Sequential(\n  (0): Sequential(\n    (0): Sequential(\n      (0): ReLU()\n    )\n  )\n)"
    );
}

#[test]
fn parameter_names_keep_indices_of_parameterless_children() {
    // dict(net.named_parameters()).keys() for the net above -> ['0.weight', '0.bias',
    // '2.0.weight', '2.0.bias'] (Conv2d stands in as `lin` here).
    let mut net = Sequential::new(vec![
        lin(3, 4),
        fake("ReLU()"),
        Box::new(Sequential::new(vec![lin(2, 2), fake("ReLU()")])),
    ]);
    net.push(Scale::boxed(2.0));
    let names: Vec<String> = net.named_parameters().into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        names,
        ["0.weight", "0.bias", "2.0.weight", "2.0.bias", "3.weight"]
    );
    let names_mut: Vec<String> = net
        .named_parameters_mut()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(names, names_mut);
    assert_eq!(net.num_parameters(), 12 + 4 + 4 + 2 + 1);
}

#[test]
fn forward_in_order_backward_in_reverse() {
    // y = 3 * (2 * x); L = sum(y * g)
    let mut net = Sequential::new(vec![Scale::boxed(2.0), fake("ReLU()"), Scale::boxed(3.0)]);
    let x = Tensor::from_vec(&[2, 2], vec![1.0, -2.0, 0.5, 4.0]).unwrap();
    let y = net.forward(&x).unwrap();
    assert_eq!(y.data(), &[6.0, -12.0, 3.0, 24.0]);
    let g = Tensor::from_vec(&[2, 2], vec![1.0, 1.0, 2.0, -1.0]).unwrap();
    let gx = net.backward(&g).unwrap();
    assert_eq!(gx.data(), &[6.0, 6.0, 12.0, -6.0]);
    let grads: Vec<f32> = net
        .named_parameters()
        .iter()
        .map(|(_, p)| p.grad.data()[0])
        .collect();
    // dL/dw0 = sum(g * 3 * x) = 3 * (1 - 2 + 1 - 4) = -12 ; dL/dw1 = sum(g * 2x) = -8
    assert_eq!(grads, [-12.0, -8.0]);
    net.zero_grad();
    assert!(net
        .named_parameters()
        .iter()
        .all(|(_, p)| p.grad.data()[0] == 0.0));

    // A child's error is wrapped with its index and keeps the child's text.
    let mut fresh = Sequential::new(vec![fake("ReLU()"), Scale::boxed(1.0)]);
    let e = fresh.backward(&g).unwrap_err();
    assert_eq!(e.to_string(), "backward before forward");
    assert_eq!(e.layer_path(), [1]);
}

#[test]
fn set_training_reaches_nested_children() {
    let mut net = Sequential::new(vec![
        fake("Dropout(p=0.5, inplace=False)"),
        Box::new(Sequential::new(vec![fake("ReLU()")])),
    ]);
    net.set_training(false);
    assert!(net
        .to_string()
        .contains("(0): Dropout(p=0.5, inplace=False) [eval]"));
    assert!(net.to_string().contains("(0): ReLU() [eval]"));
    net.set_training(true);
    assert!(!net.to_string().contains("[eval]"));
}

#[test]
fn output_shape_chains_and_errors_name_the_layer() {
    let flat = Fake {
        text: "Flatten(start_dim=1, end_dim=-1)",
        flatten: true,
        training: true,
    };
    let net = Sequential::new(vec![
        Scale::boxed(1.0),
        Box::new(flat),
        lin(3072, 64),
        Box::new(Sequential::new(vec![fake("ReLU()"), lin(64, 10)])),
    ]);
    assert_eq!(net.output_shape(&[64, 3, 32, 32]).unwrap(), [64, 10]);

    // The trace, one row per child.
    let rows = net.shape_trace(&[64, 3, 32, 32]).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1].output_shape, [64, 3072]);
    assert_eq!(
        rows[2].repr,
        "Linear(in_features=3072, out_features=64, bias=True)"
    );
    assert_eq!(rows[2].num_params, 3072 * 64 + 64);
    assert_eq!(rows[2].mult_adds, 64 * 3072 * 64);
    assert_eq!(rows[0].mult_adds, 64 * 3 * 32 * 32);
    assert_eq!(rows[3].index, 3);
    assert_eq!(rows[3].output_shape, [64, 10]);
    assert_eq!(rows[3].mult_adds, 64 * 640);
    assert!(rows[3].repr.starts_with("Sequential(\n  (0): ReLU()"));

    // Wrong input: PyTorch's text unchanged, the layer in separate fields.
    // nn.Sequential(nn.Flatten(), nn.Linear(3072, 64))(torch.zeros(64, 3, 32, 64))
    //   -> RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (64x6144 and 3072x64)
    // (the test `Lin` raises the crate's `Error::MatmulShape`, whatever its text is; only the
    // wrapping is under test here: Display must equal the child's Display)
    let e = net.output_shape(&[64, 3, 32, 64]).unwrap_err();
    assert_eq!(e.to_python_string(), e.root().to_python_string());
    assert!(e
        .to_string()
        .ends_with("mat1 and mat2 shapes cannot be multiplied (64x6144 and 3072x64)"));
    assert_eq!(e.layer_path(), [2]);
    assert_eq!(e.op(), "addmm");
    match &e {
        Error::InLayer { index, layer, .. } => {
            assert_eq!(*index, 2);
            assert_eq!(
                layer,
                "Linear(in_features=3072, out_features=64, bias=True)"
            );
        }
        other => panic!("expected InLayer, got {other:?}"),
    }
    assert!(matches!(e.root(), Error::MatmulShape { .. }));
    let e = net.shape_trace(&[64, 3, 32, 64]).unwrap_err();
    assert_eq!(e.layer_path(), [2]);

    // Nested: the path goes through the inner Sequential; its layer field is its first line.
    let e = Sequential::new(vec![
        Box::new(flat_fake()),
        Box::new(Sequential::new(vec![fake("ReLU()"), lin(64, 10)])),
    ])
    .output_shape(&[8, 65])
    .unwrap_err();
    assert_eq!(e.layer_path(), [1, 1]);
    assert_eq!(
        e.to_string(),
        "addmm: mat1 and mat2 shapes cannot be multiplied (8x65 and 64x10)"
    );
    assert_eq!(net.mult_adds(&[64, 3, 32, 64]), 0);
    assert_eq!(
        net.mult_adds(&[64, 3, 32, 32]),
        rows.iter().map(|r| r.mult_adds).sum::<u64>()
    );
}

fn flat_fake() -> Fake {
    Fake {
        text: "Identity()",
        flatten: false,
        training: true,
    }
}

#[test]
fn state_dict_orders_params_then_buffers_per_module() {
    // bn = nn.Sequential(nn.Linear(2,2), nn.BatchNorm1d(2, affine=False), nn.Linear(2,2),
    //                    nn.BatchNorm1d(2)); list(bn.state_dict().keys())
    let net = Sequential::new(vec![lin(2, 2), norm(2, false), lin(2, 2), norm(2, true)]);
    let keys: Vec<String> = state_dict(&net).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "0.weight",
            "0.bias",
            "1.running_mean",
            "1.running_var",
            "1.num_batches_tracked",
            "2.weight",
            "2.bias",
            "3.weight",
            "3.bias",
            "3.running_mean",
            "3.running_var",
            "3.num_batches_tracked"
        ]
    );
    // Buffers-only module first, and nested containers.
    let net = Sequential::new(vec![
        norm(2, false),
        Box::new(Sequential::new(vec![lin(2, 2), norm(2, false)])),
        norm(2, false),
        lin(2, 3),
    ]);
    let keys: Vec<String> = state_dict(&net).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "0.running_mean",
            "0.running_var",
            "0.num_batches_tracked",
            "1.0.weight",
            "1.0.bias",
            "1.1.running_mean",
            "1.1.running_var",
            "1.1.num_batches_tracked",
            "2.running_mean",
            "2.running_var",
            "2.num_batches_tracked",
            "3.weight",
            "3.bias"
        ]
    );
    let sd = state_dict(&net);
    assert_eq!(sd[3].1.shape(), &[2, 2]);
    assert_eq!(sd[2].1.shape(), &[] as &[usize]);
}

#[test]
fn load_state_dict_round_trip() {
    let src = Sequential::new(vec![lin(3, 2), fake("ReLU()"), norm(2, true)]);
    let mut sd = state_dict(&src);
    for (_, t) in sd.iter_mut() {
        *t = t.map(|v| v + 1.0);
    }
    let mut dst = Sequential::new(vec![lin(3, 2), fake("ReLU()"), norm(2, true)]);
    load_state_dict(&mut dst, &sd).unwrap();
    assert_eq!(state_dict(&dst), sd);
}

#[test]
fn load_state_dict_errors_match_torch_and_leave_model_untouched() {
    // net2 = nn.Sequential(nn.Conv2d(3,32,3)); sd = nn.Sequential(nn.Conv2d(3,32,5)).state_dict()
    // sd['extra'] = ...; sd['zz'] = ...; del sd['0.bias']; net2.load_state_dict(sd)
    let mut net = Sequential::new(vec![lin(27, 32), fake("ReLU()")]);
    // Rename shapes to the conv's: weight [32, 3, 3, 3] in the model, [32, 3, 5, 5] given.
    for (_, p) in net.named_parameters_mut() {
        if p.value.ndim() == 2 {
            *p = Param::new(Tensor::zeros(&[32, 3, 3, 3]).unwrap());
        }
    }
    let before = state_dict(&net);
    let sd = vec![
        (
            "0.weight".to_string(),
            Tensor::zeros(&[32, 3, 5, 5]).unwrap(),
        ),
        ("extra".to_string(), Tensor::zeros(&[1]).unwrap()),
        ("zz".to_string(), Tensor::zeros(&[1]).unwrap()),
    ];
    let e = load_state_dict(&mut net, &sd).unwrap_err();
    assert_eq!(
        e.to_python_string(),
        "RuntimeError: Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: \"0.bias\". \n\tUnexpected key(s) in state_dict: \"extra\", \"zz\". \n\tsize mismatch for 0.weight: copying a param with shape torch.Size([32, 3, 5, 5]) from checkpoint, the shape in current model is torch.Size([32, 3, 3, 3])."
    );
    assert_eq!(state_dict(&net), before);

    // A valid entry next to a bad one is not copied either.
    let sd = vec![
        (
            "0.weight".to_string(),
            Tensor::ones(&[32, 3, 3, 3]).unwrap(),
        ),
        ("0.bias".to_string(), Tensor::ones(&[31]).unwrap()),
    ];
    let e = load_state_dict(&mut net, &sd).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Error(s) in loading state_dict for Sequential:\n\tsize mismatch for 0.bias: copying a param with shape torch.Size([31]) from checkpoint, the shape in current model is torch.Size([32])."
    );
    assert_eq!(state_dict(&net), before);

    // sd = bn.state_dict(); sd['1.num_batches_tracked'] = torch.zeros(2); bn.load_state_dict(sd)
    let mut bn = Sequential::new(vec![lin(2, 2), norm(2, false)]);
    let mut sd = state_dict(&bn);
    sd[4].1 = Tensor::zeros(&[2]).unwrap();
    let e = load_state_dict(&mut bn, &sd).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Error(s) in loading state_dict for Sequential:\n\tsize mismatch for 1.num_batches_tracked: copying a param with shape torch.Size([2]) from checkpoint, the shape in current model is torch.Size([])."
    );
}
