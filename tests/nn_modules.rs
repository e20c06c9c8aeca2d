//! The layers: `print(module)` text as PyTorch 2.15 prints it, shapes, parameter/buffer names,
//! and module-level autograd (gradients accumulate into `Param::grad`).

use nnbook::nn::*;
use nnbook::Tensor;

fn names(m: &dyn Module) -> Vec<String> {
    m.named_parameters().into_iter().map(|(n, _)| n).collect()
}

#[test]
fn reprs_match_torch() {
    // repr(nn.Conv2d(3,32,5,padding=2)), nn.Conv2d(3,32,(5,3),stride=(2,1),padding=(2,0),bias=False)
    let c = Conv2d::new(3, 32, [5, 5], [1, 1], [2, 2], true);
    assert_eq!(
        c.repr(0),
        "Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"
    );
    let c = Conv2d::new(3, 32, [5, 3], [2, 1], [2, 0], false);
    assert_eq!(
        c.repr(0),
        "Conv2d(3, 32, kernel_size=(5, 3), stride=(2, 1), padding=(2, 0), bias=False)"
    );
    // nn.Conv2d(3,4,3): padding (0, 0) is not printed
    assert_eq!(
        Conv2dConfig::new(3, 4, [3, 3]).init().repr(0),
        "Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1))"
    );
    // nn.MaxPool2d(2), nn.MaxPool2d(3,1,1), nn.MaxPool2d((2,3),(1,2),(1,0))
    assert_eq!(
        MaxPool2d::from_kernel(2).repr(0),
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    );
    assert_eq!(
        MaxPool2d::new(3, 1, 1).repr(0),
        "MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=False)"
    );
    assert_eq!(
        MaxPool2d::new([2, 3], [1, 2], [1, 0]).repr(0),
        "MaxPool2d(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0), dilation=1, ceil_mode=False)"
    );
    // nn.Linear(1024,64), nn.Linear(3,4,bias=False)
    assert_eq!(
        Linear::new(1024, 64, true).repr(0),
        "Linear(in_features=1024, out_features=64, bias=True)"
    );
    assert_eq!(
        Linear::new(3, 4, false).repr(0),
        "Linear(in_features=3, out_features=4, bias=False)"
    );
    // nn.Flatten(), nn.Flatten(0,2), nn.ReLU()
    assert_eq!(
        Flatten::default().repr(0),
        "Flatten(start_dim=1, end_dim=-1)"
    );
    assert_eq!(
        Flatten::new(0, 2).repr(0),
        "Flatten(start_dim=0, end_dim=2)"
    );
    assert_eq!(ReLU::new().repr(0), "ReLU()");
    // nn.Dropout(0.5), nn.Dropout(0.25), nn.Dropout(0.0)
    assert_eq!(
        Dropout::new(0.5).unwrap().repr(0),
        "Dropout(p=0.5, inplace=False)"
    );
    assert_eq!(
        Dropout::new(0.25).unwrap().repr(0),
        "Dropout(p=0.25, inplace=False)"
    );
    assert_eq!(
        Dropout::new(0.0).unwrap().repr(0),
        "Dropout(p=0.0, inplace=False)"
    );
    assert_eq!(
        Dropout::new(0.1).unwrap().repr(0),
        "Dropout(p=0.1, inplace=False)"
    );
    // nn.BatchNorm2d(32)  (torch 2.15 prints bias=True)
    assert_eq!(BatchNorm2d::new(32).repr(0), "BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)");
}

#[test]
fn dropout_p_error() {
    // nn.Dropout(1.5)
    assert_eq!(
        Dropout::new(1.5).unwrap_err().to_python_string(),
        "ValueError: dropout probability has to be between 0 and 1, but got 1.5"
    );
}

#[test]
fn shapes_and_mult_adds() {
    let conv = Conv2d::new(3, 32, [5, 5], [1, 1], [2, 2], true);
    assert_eq!(
        conv.output_shape(&[64, 3, 32, 32]).unwrap(),
        vec![64, 32, 32, 32]
    );
    assert_eq!(conv.mult_adds(&[1, 3, 32, 32]), 32 * 32 * 32 * 3 * 25);
    let e = conv.output_shape(&[64, 1, 32, 32]).unwrap_err();
    assert_eq!(e.to_string(), "Given groups=1, weight of size [32, 3, 5, 5], expected input[64, 1, 32, 32] to have 3 channels, but got 1 channels instead");
    assert_eq!(conv.num_parameters(), 32 * 3 * 25 + 32);

    let pool = MaxPool2d::from_kernel(2);
    assert_eq!(
        pool.output_shape(&[64, 32, 32, 32]).unwrap(),
        vec![64, 32, 16, 16]
    );
    assert!(MaxPool2d::new(2, 2, 2).output_shape(&[1, 1, 4, 4]).is_err());

    let fc = Linear::new(1024, 64, true);
    assert_eq!(fc.output_shape(&[64, 1024]).unwrap(), vec![64, 64]);
    assert_eq!(fc.mult_adds(&[64, 1024]), 64 * 1024 * 64);
    // nn.Linear(196608, 10)(torch.zeros(64, 3072))
    let e = Linear::new(196608, 10, true)
        .output_shape(&[64, 3072])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "addmm: mat1 and mat2 shapes cannot be multiplied (64x3072 and 196608x10)"
    );

    let f = Flatten::default();
    assert_eq!(f.output_shape(&[64, 64, 4, 4]).unwrap(), vec![64, 1024]);
    // nn.Flatten()(torch.zeros(())) / nn.Flatten(2,1)(torch.zeros(2,3,4)) / nn.Flatten(1,5)(...)
    assert_eq!(
        f.output_shape(&[]).unwrap_err().to_python_string(),
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    );
    assert_eq!(
        Flatten::new(2, 1)
            .output_shape(&[2, 3, 4])
            .unwrap_err()
            .to_string(),
        "flatten() has invalid args: start_dim cannot come after end_dim"
    );
    assert_eq!(
        Flatten::new(1, 5)
            .output_shape(&[2, 3, 4])
            .unwrap_err()
            .to_string(),
        "Dimension out of range (expected to be in range of [-3, 2], but got 5)"
    );
    // nn.Flatten(0,-1)(torch.zeros(())).shape == [1]
    assert_eq!(Flatten::new(0, -1).output_shape(&[]).unwrap(), vec![1]);

    let bn = BatchNorm2d::new(3);
    assert_eq!(bn.output_shape(&[2, 3, 4, 4]).unwrap(), vec![2, 3, 4, 4]);
    assert_eq!(
        bn.output_shape(&[2, 3, 4]).unwrap_err().to_python_string(),
        "ValueError: expected 4D input (got 3D input)"
    );
}

#[test]
fn parameter_and_buffer_names_follow_torch() {
    assert_eq!(names(&Linear::new(3, 4, true)), ["weight", "bias"]);
    assert_eq!(names(&Linear::new(3, 4, false)), ["weight"]);
    assert_eq!(
        names(&Conv2d::new(3, 4, [3, 3], [1, 1], [0, 0], true)),
        ["weight", "bias"]
    );
    assert!(names(&ReLU::new()).is_empty() && names(&MaxPool2d::from_kernel(2)).is_empty());
    let bn = BatchNorm2d::new(3);
    // list(nn.BatchNorm2d(3).state_dict().keys())
    assert_eq!(names(&bn), ["weight", "bias"]);
    let b: Vec<String> = bn.named_buffers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(b, ["running_mean", "running_var", "num_batches_tracked"]);
    assert_eq!(bn.weight.value.data(), &[1.0; 3]);
    assert_eq!(bn.running_var.data(), &[1.0; 3]);
}

#[test]
fn default_init_is_within_torch_bounds() {
    let c = Conv2d::new(3, 8, [3, 3], [1, 1], [1, 1], true);
    let bound = 1.0 / (27f32).sqrt();
    for (_, p) in c.named_parameters() {
        assert!(p.value.data().iter().all(|v| v.abs() <= bound));
        assert!(p.value.data().iter().any(|v| v.abs() > bound / 4.0));
        assert!(p.grad.data().iter().all(|&v| v == 0.0));
    }
}

#[test]
fn linear_module_accumulates_grads() {
    let mut fc = Linear::new(3, 2, true);
    let x = Tensor::from_vec(&[2, 3], vec![1., 2., 3., -1., 0., 1.]).unwrap();
    fc.forward(&x).unwrap();
    let g = Tensor::ones(&[2, 2]).unwrap();
    let dx = fc.backward(&g).unwrap();
    assert_eq!(dx.shape(), &[2, 3]);
    // dweight = gᵀ x = column sums of x per output row; dbias = [2, 2]
    assert_eq!(fc.weight.grad.data(), &[0., 2., 4., 0., 2., 4.]);
    fc.backward(&g).unwrap();
    assert_eq!(fc.bias.as_ref().unwrap().grad.data(), &[4., 4.]);
    fc.zero_grad();
    assert!(fc.weight.grad.data().iter().all(|&v| v == 0.0));
    assert!(
        Linear::new(3, 2, true).backward(&g).is_err(),
        "backward before forward"
    );
}

#[test]
fn modules_match_ops() {
    let x = Tensor::from_vec(
        &[2, 2, 4, 4],
        (0..64)
            .map(|i| ((i * 37 % 17) as f32 - 8.0) / 4.0)
            .collect(),
    )
    .unwrap();
    let mut conv = Conv2d::new(2, 3, [3, 3], [1, 1], [1, 1], true);
    let y = conv.forward(&x).unwrap();
    let p = nnbook::ops::Conv2dParams {
        stride: [1, 1],
        padding: [1, 1],
    };
    let b = conv.bias.as_ref().map(|b| &b.value);
    assert_eq!(
        y,
        nnbook::ops::conv2d_forward(&x, &conv.weight.value, b, p).unwrap()
    );
    let dx = conv.backward(&Tensor::ones(y.shape()).unwrap()).unwrap();
    assert_eq!(dx.shape(), x.shape());
    assert_eq!(conv.bias.as_ref().unwrap().grad.data(), &[32.0; 3]);

    let mut relu = ReLU::new();
    let mut pool = MaxPool2d::from_kernel(2);
    let mut flat = Flatten::default();
    let h = flat
        .forward(&pool.forward(&relu.forward(&y).unwrap()).unwrap())
        .unwrap();
    assert_eq!(h.shape(), &[2, 12]);
    let g = flat.backward(&Tensor::ones(&[2, 12]).unwrap()).unwrap();
    assert_eq!(g.shape(), &[2, 3, 2, 2]);
    let g = relu.backward(&pool.backward(&g).unwrap()).unwrap();
    assert_eq!(g.shape(), &[2, 3, 4, 4]);
    // each pooled window routes exactly one 1 (then ReLU may zero it)
    assert!(g.data().iter().filter(|&&v| v == 1.0).count() <= 24);
}

#[test]
fn dropout_and_batch_norm_modes() {
    let x = Tensor::ones(&[4, 50]).unwrap();
    let mut d = Dropout::new(0.5).unwrap();
    let y = d.forward(&x).unwrap();
    assert!(y.data().iter().all(|&v| v == 0.0 || v == 2.0));
    assert!(y.data().contains(&0.0));
    let g = d.backward(&x).unwrap();
    assert_eq!(g, y, "mask routes the gradient");
    d.set_training(false);
    assert_eq!(d.forward(&x).unwrap(), x);

    let mut bn = BatchNorm2d::new(2);
    let xb = Tensor::from_vec(&[2, 2, 1, 2], vec![1., 2., 3., 4., 5., 6., 7., 8.]).unwrap();
    let y = bn.forward(&xb).unwrap();
    assert_eq!(bn.num_batches_tracked.data(), &[1.0]);
    // channel 0 = [1,2,5,6]: mean 3.5, unbiased var 17/3 -> running 0.35, 0.9 + 0.1 * 17/3
    assert!((bn.running_mean.data()[0] - 0.35).abs() < 1e-6);
    assert!((bn.running_var.data()[0] - (0.9 + 0.1 * 17.0 / 3.0)).abs() < 1e-6);
    let s: f32 = [0, 1, 4, 5].iter().map(|&i| y.data()[i]).sum();
    assert!(s.abs() < 1e-5, "normalised channel has zero mean");
    bn.backward(&Tensor::ones(&[2, 2, 1, 2]).unwrap()).unwrap();
    assert_eq!(bn.bias.grad.data(), &[4.0, 4.0]);
    bn.set_training(false);
    let rm = bn.running_mean.clone();
    bn.forward(&xb).unwrap();
    assert_eq!(bn.running_mean, rm);
    assert_eq!(bn.num_batches_tracked.data(), &[1.0]);
    // nn.BatchNorm2d(3)(torch.zeros(1,3,1,1))
    let mut bn3 = BatchNorm2d::new(3);
    let e = bn3
        .forward(&Tensor::zeros(&[1, 3, 1, 1]).unwrap())
        .unwrap_err();
    assert_eq!(e.to_python_string(), "ValueError: Expected more than 1 value per channel when training, got input size torch.Size([1, 3, 1, 1])");
}
