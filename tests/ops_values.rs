//! Forward values (and a few gradients) against numbers computed with real PyTorch 2.15 (CPU,
//! `torch.set_num_threads(1)`), plus PyTorch's exact error texts.
//!
//! Inputs are `det(shape, k)`: element `i` is `(((i*7 + k) % 13) - 6) / 4` (exact in f32), the
//! same in Rust and in the quoted Python:
//! ```python
//! def det(shape, k):
//!     n = math.prod(shape)
//!     return torch.tensor([(((i*7+k)%13)-6)/4 for i in range(n)], dtype=torch.float32).reshape(shape)
//! ```

// Expected values are PyTorch's float32 results printed with 9 significant digits.
#![allow(clippy::excessive_precision)]

use nnbook::ops::*;
use nnbook::rng::Rng;
use nnbook::Tensor;

fn det(shape: &[usize], k: usize) -> Tensor {
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|i| (((i * 7 + k) % 13) as f32 - 6.0) / 4.0)
        .collect();
    Tensor::from_vec(shape, v).unwrap()
}

fn t(shape: &[usize], v: &[f32]) -> Tensor {
    Tensor::from_vec(shape, v.to_vec()).unwrap()
}

#[track_caller]
fn close(got: &Tensor, shape: &[usize], want: &[f32], atol: f32, rtol: f32) {
    assert_eq!(got.shape(), shape, "shape");
    for (i, (&g, &w)) in got.data().iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= atol + rtol * w.abs(),
            "[{i}]: got {g}, want {w}\n got {:?}",
            got.data()
        );
    }
}

#[test]
fn linear_matches_torch() {
    // x=det([2,3],0).requires_grad_(); w=det([4,3],1).requires_grad_(); b=det([4],2).requires_grad_()
    // y=F.linear(x,w,b); g=det([2,4],3); (y*g).sum().backward()
    let (x, w, b) = (det(&[2, 3], 0), det(&[4, 3], 1), det(&[4], 2));
    let y = linear_forward(&x, &w, Some(&b)).unwrap();
    close(
        &y,
        &[2, 4],
        &[2.25, -1.8125, 0.625, 0.625, -2.875, 2.625, -2.4375, 0.625],
        1e-6,
        1e-6,
    );
    let g = linear_backward(&x, &w, true, &det(&[2, 4], 3)).unwrap();
    close(
        &g.x,
        &[2, 3],
        &[3.8125, -1.75, 0.0, -0.8125, -1.25, 4.0],
        1e-6,
        1e-6,
    );
    #[rustfmt::skip]
    close(&g.weight, &[4, 3], &[1.0, 0.0625, 0.75, -0.75, -1.25, -0.125, 0.75, -0.125, 0.625, -2.625, 1.8125, -2.6875], 1e-6, 1e-6);
    close(
        g.bias.as_ref().unwrap(),
        &[4],
        &[-1.0, 2.5, -0.5, -0.25],
        1e-6,
        1e-6,
    );
    // F.linear(det([3],0), w, b)  -> 1-D input gives [out]
    let y1 = linear_forward(&det(&[3], 0), &w, Some(&b)).unwrap();
    close(&y1, &[4], &[2.25, -1.8125, 0.625, 0.625], 1e-6, 1e-6);
    let g1 = linear_backward(&det(&[3], 0), &w, false, &det(&[4], 3)).unwrap();
    assert_eq!(g1.x.shape(), &[3]);
    assert!(g1.bias.is_none());
}

#[test]
fn linear_errors_match_torch() {
    // F.linear(torch.zeros(64,3072), torch.zeros(10,196608))            (no bias -> mm)
    let w = Tensor::zeros(&[10, 196608]).unwrap();
    let e = linear_forward(&Tensor::zeros(&[64, 3072]).unwrap(), &w, None).unwrap_err();
    assert_eq!(
        e.to_python_string(),
        "RuntimeError: mm: mat1 and mat2 shapes cannot be multiplied (64x3072 and 196608x10)"
    );
    // F.linear(torch.zeros(3072), torch.zeros(10,196608), torch.zeros(10))   (1-D, bias -> addmm)
    let b = Tensor::zeros(&[10]).unwrap();
    let e = linear_forward(&Tensor::zeros(&[3072]).unwrap(), &w, Some(&b)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "addmm: mat1 and mat2 shapes cannot be multiplied (1x3072 and 196608x10)"
    );
    // F.linear(torch.zeros(2,5), torch.zeros(10,5), torch.zeros(9))
    let e = linear_forward(
        &Tensor::zeros(&[2, 5]).unwrap(),
        &Tensor::zeros(&[10, 5]).unwrap(),
        Some(&Tensor::zeros(&[9]).unwrap()),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "The expanded size of the tensor (10) must match the existing size (9) at non-singleton dimension 1.  Target sizes: [2, 10].  Tensor sizes: [9]");
    // F.linear(torch.zeros(()), torch.zeros(10,5))
    let e = linear_forward(
        &Tensor::scalar(0.0),
        &Tensor::zeros(&[10, 5]).unwrap(),
        None,
    );
    assert_eq!(
        e.unwrap_err().to_string(),
        "both arguments to linear need to be at least 1D, but they are 0D and 2D"
    );
}

#[test]
fn conv2d_matches_torch() {
    // x=det([2,2,4,5],0); w=det([3,2,3,2],1); b=det([3],2)  (all requires_grad)
    // y=F.conv2d(x,w,b,stride=(2,1),padding=(1,1)); g=det(list(y.shape),3); (y*g).sum().backward()
    let (x, w, b) = (det(&[2, 2, 4, 5], 0), det(&[3, 2, 3, 2], 1), det(&[3], 2));
    let p = Conv2dParams {
        stride: [2, 1],
        padding: [1, 1],
    };
    let y = conv2d_forward(&x, &w, Some(&b), p).unwrap();
    #[rustfmt::skip]
    let want_y = [0.125, 0.625, 1.0, 0.5625, 0.9375, -1.3125, -5.4375, 0.375, -4.9375, -2.125, 3.125, -2.375, 1.4375, 2.25, -2.375, 2.75, -1.875, 3.8125, 1.25, 0.125, 0.3125, 3.75, -0.9375, -1.75, 0.3125, -3.4375, 2.375, -3.1875, 2.625, -1.625, -1.0, -0.125, -0.125, -1.75, -0.9375, -1.9375, -0.0625, 1.0, 0.5625, 0.9375, 0.5, -1.5625, -0.125, -4.9375, -2.125, 3.125, -2.1875, 0.0, 1.1875, -2.375, 2.75, -1.875, 3.25, -0.5625, 0.375, 0.3125, 3.75, -0.9375, -0.75, 1.75, -4.0625, 2.375, -3.1875, 2.625, -2.9375, -1.1875, -0.75, -0.125, -1.75, -0.9375, -0.9375, 0.25];
    close(&y, &[2, 3, 2, 6], &want_y, 1e-5, 1e-6);
    let g = conv2d_backward(&x, &w, true, &det(&[2, 3, 2, 6], 3), p).unwrap();
    #[rustfmt::skip]
    let want_gx = [-4.125, 3.8125, -4.5, 3.4375, -4.875, -6.4375, 2.9375, 1.75, 1.375, 1.0, -2.0, -1.375, 4.9375, -3.375, 4.5625, -1.6875, -1.6875, 4.0, -4.125, 4.0, -4.125, 4.375, -3.375, 5.125, -2.625, -3.0625, -0.6875, 1.6875, -3.25, 2.375, -1.0625, -2.3125, 2.125, -5.625, 2.875, -0.75, 2.25, 0.375, -2.3125, 0.6875, 4.5625, -3.75, 4.1875, -4.125, 3.8125, 6.875, -9.75, 6.125, -6.4375, 2.9375, 3.4375, -4.875, 3.0625, -2.0, -1.375, 4.0, -4.125, 4.0, -1.6875, -1.6875, 2.875, -4.875, 3.625, -4.125, 4.375, 5.25, -5.375, 5.9375, -3.0625, -0.6875, 5.125, -2.625, 5.875, -1.0625, -2.3125, 1.625, -1.0625, 1.9375, -0.75, 2.25];
    close(&g.x, &[2, 2, 4, 5], &want_gx, 1e-5, 1e-6);
    #[rustfmt::skip]
    let want_gw = [-4.3125, 1.0625, -9.0625, 7.375, 11.75, -7.5, -2.0625, 1.8125, 11.625, -7.4375, 8.0625, -7.6875, 1.0625, 1.5625, 7.375, -7.875, -7.5, 4.9375, 1.8125, 0.8125, -7.4375, 5.1875, -7.6875, 8.25, 1.5625, -2.8125, -7.875, 9.375, 4.9375, -2.9375, 0.8125, -5.0625, 5.1875, -2.5, 8.25, -6.6875];
    close(&g.weight, &[3, 2, 3, 2], &want_gw, 1e-5, 1e-6);
    close(
        g.bias.as_ref().unwrap(),
        &[3],
        &[0.5, 0.75, 1.0],
        1e-6,
        1e-6,
    );
    // Unbatched: F.conv2d(det([2,4,5],0), w, None, stride=(2,1), padding=(1,1))
    let yu = conv2d_forward(&det(&[2, 4, 5], 0), &w, None, p).unwrap();
    #[rustfmt::skip]
    let want_yu = [1.125, 1.625, 2.0, 1.5625, 1.9375, -0.3125, -4.4375, 1.375, -3.9375, -1.125, 4.125, -1.375, 0.6875, 1.5, -3.125, 2.0, -2.625, 3.0625, 0.5, -0.625, -0.4375, 3.0, -1.6875, -2.5, 1.0625, -2.6875, 3.125, -2.4375, 3.375, -0.875, -0.25, 0.625, 0.625, -1.0, -0.1875, -1.1875];
    close(&yu, &[3, 2, 6], &want_yu, 1e-5, 1e-6);
}

#[test]
fn conv2d_errors_match_torch() {
    let z = |s: &[usize]| Tensor::zeros(s).unwrap();
    let p1 = Conv2dParams {
        stride: [1, 1],
        padding: [0, 0],
    };
    let w = z(&[32, 3, 5, 5]);
    let err =
        |x: &Tensor, b: Option<&Tensor>, p| conv2d_forward(x, &w, b, p).unwrap_err().to_string();
    // F.conv2d(torch.zeros(64,1,32,32), torch.zeros(32,3,5,5))
    assert_eq!(err(&z(&[64, 1, 32, 32]), None, p1), "Given groups=1, weight of size [32, 3, 5, 5], expected input[64, 1, 32, 32] to have 3 channels, but got 1 channels instead");
    // F.conv2d(torch.zeros(1,32,32), torch.zeros(32,3,5,5))   (unbatched input is reported unsqueezed)
    assert_eq!(err(&z(&[1, 32, 32]), None, p1), "Given groups=1, weight of size [32, 3, 5, 5], expected input[1, 1, 32, 32] to have 3 channels, but got 1 channels instead");
    // F.conv2d(torch.zeros(1,3,2,2), torch.zeros(32,3,5,5))  (and the unbatched [3,2,2])
    let small = "Calculated padded input size per channel: (2 x 2). Kernel size: (5 x 5). Kernel size can't be greater than actual input size";
    assert_eq!(err(&z(&[1, 3, 2, 2]), None, p1), small);
    assert_eq!(err(&z(&[3, 2, 2]), None, p1), small);
    // F.conv2d(torch.zeros(1,3,2,2), torch.zeros(32,3,5,5), padding=1)
    let p_pad = Conv2dParams {
        stride: [1, 1],
        padding: [1, 1],
    };
    assert_eq!(err(&z(&[1, 3, 2, 2]), None, p_pad), "Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 5). Kernel size can't be greater than actual input size");
    // F.conv2d(torch.zeros(3,32), torch.zeros(32,3,5,5))
    assert_eq!(
        err(&z(&[3, 32]), None, p1),
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, 32]"
    );
    // F.conv2d(torch.zeros(1,3,8,8), torch.zeros(32,3,5,5), torch.zeros(5))
    assert_eq!(err(&z(&[1, 3, 8, 8]), Some(&z(&[5])), p1), "Given weight of size [32, 3, 5, 5], expected bias to be 1-dimensional with 32 elements, but got bias of size [5] instead");
    // F.conv2d(torch.zeros(1,3,8,8), torch.zeros(32,3,5,5), stride=0)
    let p0 = Conv2dParams {
        stride: [0, 0],
        padding: [0, 0],
    };
    assert_eq!(
        err(&z(&[1, 3, 8, 8]), None, p0),
        "non-positive stride is not supported"
    );
    // F.conv2d(torch.zeros(1,3,8,8), torch.zeros(4,3,0,5))
    let e = conv2d_forward(&z(&[1, 3, 8, 8]), &z(&[4, 3, 0, 5]), None, p1).unwrap_err();
    assert_eq!(
        e.to_string(),
        "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 5"
    );
    let e = conv2d_forward(&z(&[1, 3, 8, 8]), &z(&[0, 3, 5, 5]), None, p1).unwrap_err();
    assert_eq!(e.to_string(), "Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size [0, 3, 5, 5] instead");
    // F.conv2d(torch.zeros(0,3,8,8), torch.zeros(32,3,5,5)).shape == (0, 32, 4, 4)
    assert_eq!(
        conv2d_forward(&z(&[0, 3, 8, 8]), &w, None, p1)
            .unwrap()
            .shape(),
        &[0, 32, 4, 4]
    );
}

#[test]
fn max_pool_ties_first_max_wins() {
    // x=torch.tensor([[[[1.,1.,2.,0.],[1.,0.,2.,2.],[3.,3.,-1.,-1.],[3.,3.,-1.,-1.]]]])
    // F.max_pool2d(x,2,2,return_indices=True) -> y [1,2,3,-1], idx [0,2,8,10]
    #[rustfmt::skip]
    let x = t(&[1, 1, 4, 4], &[1., 1., 2., 0., 1., 0., 2., 2., 3., 3., -1., -1., 3., 3., -1., -1.]);
    let p = MaxPool2dParams {
        kernel_size: [2, 2],
        stride: [2, 2],
        padding: [0, 0],
    };
    let (y, idx) = max_pool2d_forward(&x, p).unwrap();
    close(&y, &[1, 1, 2, 2], &[1., 2., 3., -1.], 0.0, 0.0);
    assert_eq!(idx, vec![0, 2, 8, 10]);
}

#[test]
fn max_pool_overlapping_windows_accumulate() {
    // x=det([1,1,4,4],5).requires_grad_(); y,i=F.max_pool2d(x,3,1,1,return_indices=True)
    // y.backward(torch.ones_like(y)); x.grad
    let x = det(&[1, 1, 4, 4], 5);
    let p = MaxPool2dParams {
        kernel_size: [3, 3],
        stride: [1, 1],
        padding: [1, 1],
    };
    let (y, idx) = max_pool2d_forward(&x, p).unwrap();
    #[rustfmt::skip]
    close(&y, &[1, 1, 4, 4], &[1.5, 1.5, 1.5, 0.5, 1.5, 1.5, 1.5, 1., 1.25, 1.5, 1.5, 1.5, 1.25, 1.5, 1.5, 1.5], 0.0, 0.0);
    assert_eq!(
        idx,
        vec![1, 1, 1, 6, 1, 1, 1, 10, 12, 14, 14, 14, 12, 14, 14, 14]
    );
    let gx = max_pool2d_backward(x.shape(), &idx, &Tensor::ones(&[1, 1, 4, 4]).unwrap()).unwrap();
    #[rustfmt::skip]
    close(&gx, &[1, 1, 4, 4], &[0., 6., 0., 0., 0., 0., 1., 0., 0., 0., 1., 0., 2., 0., 6., 0.], 0.0, 0.0);
}

#[test]
fn max_pool_rect_unbatched_matches_torch() {
    // F.max_pool2d(det([2,4,5],4),(3,2),(2,1),(1,1),return_indices=True)
    let p = MaxPool2dParams {
        kernel_size: [3, 2],
        stride: [2, 1],
        padding: [1, 1],
    };
    let (y, idx) = max_pool2d_forward(&det(&[2, 4, 5], 4), p).unwrap();
    #[rustfmt::skip]
    close(&y, &[2, 2, 6], &[-0.5, 1.25, 1.25, 1.5, 1.5, 0., 0.75, 1.5, 1.5, 1., 1.25, 1.25, 1., 1., 1.25, 1.25, 1.5, 1.5, 1., 1., 1.25, 1.25, 1.5, 1.5], 0.0, 0.0);
    assert_eq!(
        idx,
        vec![0, 1, 1, 3, 3, 4, 10, 16, 16, 12, 14, 14, 5, 5, 7, 7, 9, 9, 5, 5, 7, 7, 9, 9]
    );
}

#[test]
fn max_pool_nan_and_inf_as_torch() {
    let nan = f32::NAN;
    let inf = f32::INFINITY;
    let p = MaxPool2dParams {
        kernel_size: [2, 2],
        stride: [2, 2],
        padding: [0, 0],
    };
    // F.max_pool2d(torch.tensor([[[[1.,nan,3.,3.],[0.,2.,nan,3.]]]]),2,2,return_indices=True)
    // -> (tensor([[[[nan, nan]]]]), tensor([[[[1, 6]]]]))
    let (y, idx) =
        max_pool2d_forward(&t(&[1, 1, 2, 4], &[1., nan, 3., 3., 0., 2., nan, 3.]), p).unwrap();
    assert!(y.data().iter().all(|v| v.is_nan()));
    assert_eq!(idx, vec![1, 6]);
    // [[nan,nan,3,inf],[5,2,-inf,inf]] -> (nan, inf), idx (1, 3): the LAST NaN wins, first inf wins
    let x = t(&[1, 1, 2, 4], &[nan, nan, 3., inf, 5., 2., -inf, inf]);
    let (y, idx) = max_pool2d_forward(&x, p).unwrap();
    assert!(y.data()[0].is_nan());
    assert_eq!(y.data()[1], inf);
    assert_eq!(idx, vec![1, 3]);
    // all -inf with padding: index is the window's first in-bounds element
    // F.max_pool2d(torch.full((1,1,2,2), -inf), 2, 1, 1, return_indices=True)[1] -> [[0,0,1],[0,0,1],[2,2,3]]
    let p = MaxPool2dParams {
        kernel_size: [2, 2],
        stride: [1, 1],
        padding: [1, 1],
    };
    let (y, idx) = max_pool2d_forward(&Tensor::full(&[1, 1, 2, 2], -inf).unwrap(), p).unwrap();
    assert!(y.data().iter().all(|&v| v == -inf));
    assert_eq!(idx, vec![0, 0, 1, 0, 0, 1, 2, 2, 3]);
}

#[test]
fn max_pool_errors_match_torch() {
    let z = |s: &[usize]| Tensor::zeros(s).unwrap();
    let p = |k: [usize; 2], s: [usize; 2], pd: [usize; 2]| MaxPool2dParams {
        kernel_size: k,
        stride: s,
        padding: pd,
    };
    let err = |x: Tensor, q| max_pool2d_forward(&x, q).unwrap_err().to_string();
    // F.max_pool2d(torch.zeros(1,1,4,4), 2, 2, 2)
    assert_eq!(err(z(&[1, 1, 4, 4]), p([2, 2], [2, 2], [2, 2])), "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1");
    // F.max_pool2d(torch.zeros(1,1,5,5), (2,3), (2,1), (1,2))
    assert_eq!(err(z(&[1, 1, 5, 5]), p([2, 3], [2, 1], [1, 2])), "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1");
    // F.max_pool2d(torch.zeros(1,1,1,1), 2, 2, 0)
    assert_eq!(
        err(z(&[1, 1, 1, 1]), p([2, 2], [2, 2], [0, 0])),
        "Given input size: (1x1x1). Calculated output size: (1x0x0). Output size is too small"
    );
    // F.max_pool2d(torch.zeros(1,1,1,1), 3, 1, 0)
    assert_eq!(
        err(z(&[1, 1, 1, 1]), p([3, 3], [1, 1], [0, 0])),
        "Given input size: (1x1x1). Calculated output size: (1x-1x-1). Output size is too small"
    );
    // F.max_pool2d(torch.zeros(2,3,1,5), 2, 2, 0)
    assert_eq!(
        err(z(&[2, 3, 1, 5]), p([2, 2], [2, 2], [0, 0])),
        "Given input size: (3x1x5). Calculated output size: (3x0x2). Output size is too small"
    );
    // F.max_pool2d(torch.zeros(1,4), 2, 2, 0)
    assert_eq!(
        err(z(&[1, 4]), p([2, 2], [2, 2], [0, 0])),
        "non-empty 3D or 4D (batch mode) tensor expected for input"
    );
    // F.max_pool2d(torch.zeros(1,1,4,4), 0, 2, 0) / (.., 2, 0, 0)
    assert_eq!(
        err(z(&[1, 1, 4, 4]), p([0, 0], [2, 2], [0, 0])),
        "kernel size should be greater than zero, but got kH: 0 kW: 0"
    );
    assert_eq!(
        err(z(&[1, 1, 4, 4]), p([2, 2], [0, 0], [0, 0])),
        "stride should not be zero"
    );
    // F.max_pool2d(torch.zeros(1,0,4,4), 2, 2, 0)
    assert_eq!(err(z(&[1, 0, 4, 4]), p([2, 2], [2, 2], [0, 0])), "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 0, 4, 4]");
    // F.max_pool2d(torch.zeros(0,3,4,4), 2, 2, 0).shape == (0, 3, 2, 2)
    let (y, _) = max_pool2d_forward(&z(&[0, 3, 4, 4]), p([2, 2], [2, 2], [0, 0])).unwrap();
    assert_eq!(y.shape(), &[0, 3, 2, 2]);
}

#[test]
fn relu_matches_torch() {
    // F.relu(det([6],0)) -> [0, 0.25, 0, 0.5, 0, 0.75]
    close(
        &relu_forward(&det(&[6], 0)),
        &[6],
        &[0., 0.25, 0., 0.5, 0., 0.75],
        0.0,
        0.0,
    );
    // F.relu(torch.tensor([nan, -0.0, 0.0, 1.])) -> [nan, -0., 0., 1.]
    let y = relu_forward(&t(&[4], &[f32::NAN, -0.0, 0.0, 1.0]));
    assert!(y.data()[0].is_nan());
    assert!(y.data()[1] == 0.0 && y.data()[1].is_sign_negative());
    // x=torch.tensor([nan,-1.,0.,1.],requires_grad=True); F.relu(x).backward(torch.ones(4)); x.grad -> [1,0,0,1]
    let x = t(&[4], &[f32::NAN, -1.0, 0.0, 1.0]);
    let g = relu_backward(&x, &Tensor::ones(&[4]).unwrap()).unwrap();
    assert_eq!(g.data(), &[1.0, 0.0, 0.0, 1.0]);
}

#[test]
fn softmax_matches_torch() {
    // x=det([2,3],0); F.softmax(x,1); F.softmax(x,0); F.log_softmax(x,-1)
    let x = det(&[2, 3], 0);
    #[rustfmt::skip]
    close(&softmax_forward(&x, 1).unwrap(), &[2, 3], &[0.124399327, 0.715868711, 0.15973191, 0.398858368, 0.0889973268, 0.512144268], 1e-7, 1e-6);
    #[rustfmt::skip]
    close(&softmax_forward(&x, 0).unwrap(), &[2, 3], &[0.119202919, 0.777299881, 0.119202919, 0.880797029, 0.222700149, 0.880797029], 1e-7, 1e-6);
    #[rustfmt::skip]
    close(&log_softmax_forward(&x, -1).unwrap(), &[2, 3], &[-2.08425856, -0.334258527, -1.83425856, -0.919148862, -2.41914892, -0.669148862], 1e-6, 1e-6);
    // x=torch.tensor([[3e4,-3e4,0.],[-3e4,-3e4,1.]]); F.softmax(x,1); F.log_softmax(x,1)
    let x = t(&[2, 3], &[3e4, -3e4, 0.0, -3e4, -3e4, 1.0]);
    close(
        &softmax_forward(&x, 1).unwrap(),
        &[2, 3],
        &[1., 0., 0., 0., 0., 1.],
        0.0,
        0.0,
    );
    #[rustfmt::skip]
    close(&log_softmax_forward(&x, 1).unwrap(), &[2, 3], &[0., -60000., -30000., -30001., -30001., 0.], 0.0, 0.0);
    // F.softmax(torch.zeros(3,10), 2) -> IndexError
    let e = softmax_forward(&Tensor::zeros(&[3, 10]).unwrap(), 2).unwrap_err();
    assert_eq!(
        e.to_python_string(),
        "IndexError: Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    );
    let e = log_softmax_forward(&Tensor::zeros(&[3, 10]).unwrap(), -3).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Dimension out of range (expected to be in range of [-2, 1], but got -3)"
    );
    // F.softmax(torch.zeros(()), 0) -> tensor(1.); dim 1 -> range [-1, 0]
    assert_eq!(
        softmax_forward(&Tensor::scalar(0.0), 0).unwrap().data(),
        &[1.0]
    );
    let e = softmax_forward(&Tensor::scalar(0.0), 1).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    );
}

#[test]
fn cross_entropy_matches_torch() {
    // lg=det([3,4],0).requires_grad_(); lab=torch.tensor([1,-100,3])
    // l=F.cross_entropy(lg,lab,reduction=red); l.backward()   (none: (l*torch.tensor([1.,2.,-1.])).sum().backward())
    let lg = det(&[3, 4], 0);
    let lab = [1, -100, 3];
    let ig = Some(-100);
    let one = Tensor::scalar(1.0);
    let l = cross_entropy_forward(&lg, &lab, Reduction::Mean, ig).unwrap();
    close(&l, &[], &[0.861163557], 1e-6, 1e-6);
    let g = cross_entropy_backward(&lg, &lab, Reduction::Mean, ig, &one).unwrap();
    #[rustfmt::skip]
    close(&g, &[3, 4], &[0.0324092694, -0.313497514, 0.0416143276, 0.239473924, 0., 0., 0., 0., 0.0324092694, 0.186502486, 0.0416143276, -0.260526061], 1e-7, 1e-5);
    let l = cross_entropy_forward(&lg, &lab, Reduction::Sum, ig).unwrap();
    close(&l, &[], &[1.72232711], 1e-6, 1e-6);
    let g = cross_entropy_backward(&lg, &lab, Reduction::Sum, ig, &one).unwrap();
    #[rustfmt::skip]
    close(&g, &[3, 4], &[0.0648185387, -0.626995027, 0.0832286552, 0.478947848, 0., 0., 0., 0., 0.0648185387, 0.373004973, 0.0832286552, -0.521052122], 1e-7, 1e-5);
    let l = cross_entropy_forward(&lg, &lab, Reduction::None, ig).unwrap();
    close(&l, &[3], &[0.986163557, 0.0, 0.736163557], 1e-6, 1e-6);
    let gl = t(&[3], &[1.0, 2.0, -1.0]);
    let g = cross_entropy_backward(&lg, &lab, Reduction::None, ig, &gl).unwrap();
    #[rustfmt::skip]
    close(&g, &[3, 4], &[0.0648185387, -0.626995027, 0.0832286552, 0.478947848, 0., 0., 0., 0., -0.0648185387, -0.373004973, -0.0832286552, 0.521052122], 1e-7, 1e-5);
    // F.cross_entropy(torch.zeros(3,10), torch.tensor([-100,-100,-100])) -> nan (sum -> 0), grad zeros
    let z = Tensor::zeros(&[3, 10]).unwrap();
    let all = [-100, -100, -100];
    assert!(cross_entropy_forward(&z, &all, Reduction::Mean, ig)
        .unwrap()
        .item()
        .unwrap()
        .is_nan());
    assert_eq!(
        cross_entropy_forward(&z, &all, Reduction::Sum, ig)
            .unwrap()
            .item()
            .unwrap(),
        0.0
    );
    let g = cross_entropy_backward(&z, &all, Reduction::Mean, ig, &one).unwrap();
    assert!(g.data().iter().all(|&v| v == 0.0));
}

#[test]
fn cross_entropy_errors_match_torch() {
    let z = Tensor::zeros(&[3, 10]).unwrap();
    let ig = Some(-100);
    // F.cross_entropy(torch.zeros(3,10), torch.tensor([1,10,2]))
    let e = cross_entropy_forward(&z, &[1, 10, 2], Reduction::Mean, ig).unwrap_err();
    assert_eq!(
        e.to_python_string(),
        "IndexError: Target 10 is out of bounds."
    );
    // ... torch.tensor([1,-1,2])
    let e = cross_entropy_forward(&z, &[1, -1, 2], Reduction::Mean, ig).unwrap_err();
    assert_eq!(
        e.to_python_string(),
        "IndexError: Target -1 is out of bounds."
    );
    // F.cross_entropy(torch.zeros(3,10), torch.tensor([-100,1,-100]), ignore_index=-1)
    let e = cross_entropy_forward(&z, &[-100, 1, -100], Reduction::Mean, Some(-1)).unwrap_err();
    assert_eq!(e.to_string(), "Target -100 is out of bounds.");
    // F.cross_entropy(torch.zeros(3,10), torch.tensor([1,2]))
    let e = cross_entropy_forward(&z, &[1, 2], Reduction::Mean, ig).unwrap_err();
    assert_eq!(
        e.to_python_string(),
        "ValueError: Expected input batch_size (3) to match target batch_size (2)."
    );
    // F.cross_entropy(torch.zeros(0,10), torch.zeros(0,dtype=torch.long)) -> nan
    let e0 = Tensor::zeros(&[0, 10]).unwrap();
    assert!(cross_entropy_forward(&e0, &[], Reduction::Mean, ig)
        .unwrap()
        .item()
        .unwrap()
        .is_nan());
}

#[test]
fn batch_norm_matches_torch() {
    // x=det([2,3,2,2],0); w=det([3],1); b=det([3],2)  (requires_grad)
    // rm=torch.tensor([0.5,-0.25,0.]); rv=torch.tensor([1.,2.,0.5])
    // y=F.batch_norm(x,rm,rv,w,b,training=True,momentum=0.1,eps=1e-5); g=det([2,3,2,2],3); (y*g).sum().backward()
    let (x, w, b) = (det(&[2, 3, 2, 2], 0), det(&[3], 1), det(&[3], 2));
    let mut rm = t(&[3], &[0.5, -0.25, 0.0]);
    let mut rv = t(&[3], &[1.0, 2.0, 0.5]);
    let (y, cache) = batch_norm2d_forward(&x, &w, &b, &mut rm, &mut rv, true, 0.1, 1e-5).unwrap();
    #[rustfmt::skip]
    close(&y, &[2, 3, 2, 2], &[0.417356372, -2.22837543, 0.0393946767, -2.60633707, 0.183057427, 1.24135017, 0.334242105, 1.39253485, 0.383885086, -1.73270035, 0.0815157294, -2.0350697, -1.8504138, 0.417356372, -2.22837543, 0.0393946767, 1.0901655, 0.183057427, 1.24135017, 0.334242105, -1.43033099, 0.383885086, -1.73270035, 0.0815157294], 1e-5, 1e-5);
    close(
        &rm,
        &[3],
        &[0.393749982, -0.231249988, 0.0437499993],
        1e-7,
        1e-6,
    );
    close(
        &rv,
        &[3],
        &[0.978124976, 1.87812495, 0.528124988],
        1e-7,
        1e-6,
    );
    let (gx, gw, gb) = batch_norm2d_backward(&cache, &w, &det(&[2, 3, 2, 2], 3)).unwrap();
    #[rustfmt::skip]
    close(&gx, &[2, 3, 2, 2], &[2.07823323e-05, -1.80113529e-05, 1.52403763e-05, -2.35533098e-05, -0.112311691, 0.555930316, -0.0168485474, -1.31400728, 0.224601746, 0.0673986003, -0.359398931, -0.516602099, -1.24693988e-05, 2.07823323e-05, -1.80113529e-05, 1.52403763e-05, 0.46046719, -0.112311691, 0.555930316, -0.0168485474, 0.651399255, 0.224601746, 0.0673986003, -0.359398931], 1e-5, 1e-4);
    close(
        &gw,
        &[3],
        &[6.61432981, 2.43785286, -6.16077566],
        1e-5,
        1e-5,
    );
    close(&gb, &[3], &[1.5, 2.25, -3.5], 1e-6, 1e-6);
    // ye=F.batch_norm(det([2,3,2,2],0),rm,rv,w,b,training=False,eps=1e-5)   (rm, rv as updated above)
    let rm_before = rm.clone();
    let (ye, _) = batch_norm2d_forward(&x, &w, &b, &mut rm, &mut rv, false, 0.1, 1e-5).unwrap();
    #[rustfmt::skip]
    close(&ye, &[2, 3, 2, 2], &[1.3934989, -0.818315268, 1.0775255, -1.13428879, 0.469526589, 1.10800266, 0.560737491, 1.1992135, -0.00178432465, -2.40983462, -0.345791519, -2.75384188, -0.502341807, 1.3934989, -0.818315268, 1.0775255, 1.01679182, 0.469526589, 1.10800266, 0.560737491, -2.06582737, -0.00178432465, -2.40983462, -0.345791519], 1e-5, 1e-5);
    assert_eq!(rm, rm_before); // eval: running stats unchanged
}

#[test]
fn batch_norm_errors_match_torch() {
    let z = |s: &[usize]| Tensor::zeros(s).unwrap();
    let (w, b) = (Tensor::ones(&[3]).unwrap(), z(&[3]));
    let bn = |x: &Tensor, rm: &mut Tensor, training| {
        let mut rv = Tensor::ones(&[rm.numel()]).unwrap();
        batch_norm2d_forward(x, &w, &b, rm, &mut rv, training, 0.1, 1e-5)
            .unwrap_err()
            .to_python_string()
    };
    // nn.BatchNorm2d(3)(torch.zeros(2,3,4))
    assert_eq!(
        bn(&z(&[2, 3, 4]), &mut z(&[3]), true),
        "ValueError: expected 4D input (got 3D input)"
    );
    // nn.BatchNorm2d(3)(torch.zeros(1,3,1,1))
    assert_eq!(bn(&z(&[1, 3, 1, 1]), &mut z(&[3]), true), "ValueError: Expected more than 1 value per channel when training, got input size torch.Size([1, 3, 1, 1])");
    // nn.BatchNorm2d(3)(torch.zeros(2,4,4,4))
    let x4 = z(&[2, 4, 4, 4]);
    let mut rv = Tensor::ones(&[3]).unwrap();
    let e = batch_norm2d_forward(
        &x4,
        &z(&[4]),
        &z(&[4]),
        &mut z(&[3]),
        &mut rv,
        true,
        0.1,
        1e-5,
    );
    assert_eq!(
        e.unwrap_err().to_python_string(),
        "RuntimeError: running_mean should contain 4 elements not 3"
    );
    // eval with a single value per channel is fine: nn.BatchNorm2d(3).eval()(torch.zeros(1,3,1,1))
    let mut rm = z(&[3]);
    let mut rv = Tensor::ones(&[3]).unwrap();
    assert!(batch_norm2d_forward(
        &z(&[1, 3, 1, 1]),
        &w,
        &b,
        &mut rm,
        &mut rv,
        false,
        0.1,
        1e-5
    )
    .is_ok());
}

#[test]
fn dropout_statistics_and_errors() {
    let x = Tensor::ones(&[10000]).unwrap();
    let mut rng = Rng::new(1);
    let (y, mask) = dropout_forward(&x, 0.25, true, &mut rng).unwrap();
    let mask = mask.unwrap();
    let kept = mask.iter().filter(|&&m| m != 0.0).count();
    assert!((7300..7700).contains(&kept), "kept {kept}");
    assert!(mask.iter().all(|&m| m == 0.0 || m == 1.0 / 0.75));
    assert_eq!(y.data(), &mask[..]);
    // eval / p == 0: identity, no mask; p == 1: zeros
    let (y, m) = dropout_forward(&x, 0.5, false, &mut rng).unwrap();
    assert!(m.is_none() && y == x);
    let (y, _) = dropout_forward(&x, 1.0, true, &mut rng).unwrap();
    assert!(y.data().iter().all(|&v| v == 0.0));
    // F.dropout(torch.zeros(3), 1.5) / -0.1
    let e = dropout_forward(&x, 1.5, true, &mut rng).unwrap_err();
    assert_eq!(
        e.to_python_string(),
        "ValueError: dropout probability has to be between 0 and 1, but got 1.5"
    );
    let e = dropout_forward(&x, -0.1, true, &mut rng).unwrap_err();
    assert_eq!(
        e.to_string(),
        "dropout probability has to be between 0 and 1, but got -0.1"
    );
}
