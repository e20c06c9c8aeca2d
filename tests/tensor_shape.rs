//! Shape semantics against PyTorch 2.15 (CPU). Every expected shape, value and error text below
//! was printed by real torch; the snippet that produced it is quoted next to it. Errors are
//! compared as Python prints them: `Kind: message`.
//!
//! Regenerate by running the quoted snippets with
//! `python -c "import torch; x = torch.zeros(64, 3, 32, 32); print(x.reshape(7, -1))"` etc.

use nnbook::tensor::cat::cat;
use nnbook::tensor::index::{ravel_index, unravel_index};
use nnbook::tensor::shape::{infer_shape, wrap_dim};
use nnbook::Tensor;

fn py_err<T: std::fmt::Debug>(r: nnbook::error::Result<T>) -> String {
    r.unwrap_err().to_python_string()
}

/// `torch.arange(numel, dtype=float32).reshape(shape) + offset`
fn arange(shape: &[usize], offset: f32) -> Tensor {
    Tensor::arange(shape).unwrap().map(|v| v + offset)
}

fn lesson_x() -> Tensor {
    // x = torch.zeros(64, 3, 32, 32)
    Tensor::zeros(&[64, 3, 32, 32]).unwrap()
}

// ---------------------------------------------------------------- the lesson's cases

#[test]
fn lesson_reshape_and_flatten_shapes() {
    let x = lesson_x();
    // x.reshape(1, 1, 1, -1).shape -> [1, 1, 1, 196608]
    assert_eq!(
        x.reshape(&[1, 1, 1, -1]).unwrap().shape(),
        &[1, 1, 1, 196608]
    );
    // x.flatten().shape -> [196608]
    assert_eq!(x.flatten(0, -1).unwrap().shape(), &[196608]);
    // x.flatten(1).shape -> [64, 3072]   (what nn.Flatten() does)
    assert_eq!(x.flatten(1, -1).unwrap().shape(), &[64, 3072]);
    // x.view(1, 1, 1, -1).shape -> [1, 1, 1, 196608]
    assert_eq!(x.view(&[1, 1, 1, -1]).unwrap().shape(), &[1, 1, 1, 196608]);
    // the inferred shape the lesson UI shows
    assert_eq!(
        infer_shape("reshape", &[1, 1, 1, -1], 196608).unwrap(),
        vec![1, 1, 1, 196608]
    );
}

#[test]
fn lesson_errors() {
    let x = lesson_x();
    // x.reshape(7, -1)
    assert_eq!(
        py_err(x.reshape(&[7, -1])),
        "RuntimeError: shape '[7, -1]' is invalid for input of size 196608"
    );
    // x.reshape(-1, -1)
    assert_eq!(
        py_err(x.reshape(&[-1, -1])),
        "RuntimeError: only one dimension can be inferred"
    );
    // x.reshape(-2, 3072)
    assert_eq!(
        py_err(x.reshape(&[-2, 3072])),
        "RuntimeError: invalid shape dimension -2 at index 0 of shape [-2, 3072]"
    );
    // x.flatten(4)
    assert_eq!(
        py_err(x.flatten(4, -1)),
        "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got 4)"
    );
    // x.flatten(2, 1)
    assert_eq!(
        py_err(x.flatten(2, 1)),
        "RuntimeError: flatten() has invalid args: start_dim cannot come after end_dim"
    );
    // view raises the same texts: x.view(7, -1), x.view(-1, -1), x.view(-2, 3072)
    assert_eq!(
        py_err(x.view(&[7, -1])),
        "RuntimeError: shape '[7, -1]' is invalid for input of size 196608"
    );
    assert_eq!(
        py_err(x.view(&[-1, -1])),
        "RuntimeError: only one dimension can be inferred"
    );
    assert_eq!(
        py_err(x.view(&[-2, 3072])),
        "RuntimeError: invalid shape dimension -2 at index 0 of shape [-2, 3072]"
    );
    let e = x.view(&[7, -1]).unwrap_err();
    assert_eq!(e.op(), "view");
}

#[test]
fn lesson_element_follows_reshape() {
    // x = torch.arange(64*3*32*32, dtype=torch.float32).reshape(64, 3, 32, 32)
    let x = arange(&[64, 3, 32, 32], 0.0);
    // x[5, 2, 7, 9].item() -> 17641.0
    assert_eq!(x.get(&[5, 2, 7, 9]).unwrap(), 17641.0);
    // x.flatten(1)[5, 2*1024 + 7*32 + 9].item() -> 17641.0
    let f = x.flatten(1, -1).unwrap();
    assert_eq!(f.get(&[5, 2 * 1024 + 7 * 32 + 9]).unwrap(), 17641.0);
    let flat = ravel_index(&[5, 2, 7, 9], &[64, 3, 32, 32]);
    assert_eq!(flat, 17641);
    assert_eq!(
        unravel_index(flat, &[64, 3072]),
        vec![5, 2 * 1024 + 7 * 32 + 9]
    );
    // x[-1, -1, -1, -1].item() -> 196607.0 ; x[63, 0, 31, 0].item() -> 194528.0
    assert_eq!(x.get(&[-1, -1, -1, -1]).unwrap(), 196607.0);
    assert_eq!(x.get(&[63, 0, 31, 0]).unwrap(), 194528.0);
    // x.reshape(1, 1, 1, -1)[0, 0, 0, 100000].item() -> 100000.0
    let r = x.reshape(&[1, 1, 1, -1]).unwrap();
    assert_eq!(r.get(&[0, 0, 0, 100000]).unwrap(), 100000.0);
}

// ---------------------------------------------------------------- reshape / view

#[test]
fn reshape_inference_edge_cases() {
    let x = lesson_x();
    // x.reshape(0, -1)
    assert_eq!(
        py_err(x.reshape(&[0, -1])),
        "RuntimeError: shape '[0, -1]' is invalid for input of size 196608"
    );
    // x.reshape(3, 5)
    assert_eq!(
        py_err(x.reshape(&[3, 5])),
        "RuntimeError: shape '[3, 5]' is invalid for input of size 196608"
    );
    // x.reshape(-1, 7)
    assert_eq!(
        py_err(x.reshape(&[-1, 7])),
        "RuntimeError: shape '[-1, 7]' is invalid for input of size 196608"
    );
    // x.reshape(-1, -1, -2)  (the second -1 is reported before the -2)
    assert_eq!(
        py_err(x.reshape(&[-1, -1, -2])),
        "RuntimeError: only one dimension can be inferred"
    );
    // x.reshape(-2, -1, -1)
    assert_eq!(
        py_err(x.reshape(&[-2, -1, -1])),
        "RuntimeError: invalid shape dimension -2 at index 0 of shape [-2, -1, -1]"
    );
    // torch.zeros(6).reshape(2, -3, -1) ; torch.zeros(6).reshape(2, -1, -3)
    let six = Tensor::zeros(&[6]).unwrap();
    assert_eq!(
        py_err(six.reshape(&[2, -3, -1])),
        "RuntimeError: invalid shape dimension -3 at index 1 of shape [2, -3, -1]"
    );
    assert_eq!(
        py_err(six.reshape(&[2, -1, -3])),
        "RuntimeError: invalid shape dimension -3 at index 2 of shape [2, -1, -3]"
    );
    // torch.zeros(6).reshape(2, -1, 3).shape -> [2, 1, 3]
    assert_eq!(six.reshape(&[2, -1, 3]).unwrap().shape(), &[2, 1, 3]);
    // x.view(2**40, 2**40)
    assert_eq!(
        py_err(x.view(&[1 << 40, 1 << 40])),
        "RuntimeError: shape '[1099511627776, 1099511627776]' is invalid for input of size 196608"
    );
    // x.reshape(2**62, 2**62, 2**62, 0)
    assert_eq!(
        py_err(x.reshape(&[1 << 62, 1 << 62, 1 << 62, 0])),
        "RuntimeError: shape '[4611686018427387904, 4611686018427387904, 4611686018427387904, 0]' is invalid for input of size 196608"
    );
}

#[test]
fn reshape_empty_and_scalar() {
    let e = Tensor::zeros(&[0, 3]).unwrap();
    // torch.zeros(0, 3).reshape(-1).shape -> [0]
    assert_eq!(e.reshape(&[-1]).unwrap().shape(), &[0]);
    // torch.zeros(0, 3).reshape(5, -1).shape -> [5, 0]
    assert_eq!(e.reshape(&[5, -1]).unwrap().shape(), &[5, 0]);
    // torch.zeros(0, 3).reshape(-1, 0)
    assert_eq!(
        py_err(e.reshape(&[-1, 0])),
        "RuntimeError: cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified dimension size -1 can be any value and is ambiguous"
    );
    // torch.zeros(2, 0, 4).reshape(0, -1)
    let e3 = Tensor::zeros(&[2, 0, 4]).unwrap();
    assert_eq!(
        py_err(e3.reshape(&[0, -1])),
        "RuntimeError: cannot reshape tensor of 0 elements into shape [0, -1] because the unspecified dimension size -1 can be any value and is ambiguous"
    );
    // torch.zeros(2, 0, 4).reshape(-1, 4).shape -> [0, 4] ; .view(-1).shape -> [0]
    assert_eq!(e3.reshape(&[-1, 4]).unwrap().shape(), &[0, 4]);
    assert_eq!(e3.view(&[-1]).unwrap().shape(), &[0]);
    let s = Tensor::scalar(1.0);
    // torch.tensor(1.).reshape(-1).shape -> [1] ; .reshape([]).shape -> []
    assert_eq!(s.reshape(&[-1]).unwrap().shape(), &[1]);
    assert_eq!(s.reshape(&[]).unwrap().shape(), &[] as &[usize]);
}

// ---------------------------------------------------------------- flatten / wrap_dim

#[test]
fn flatten_cases() {
    let x = lesson_x();
    // x.flatten(-5)
    assert_eq!(
        py_err(x.flatten(-5, -1)),
        "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got -5)"
    );
    // x.flatten(0, 4)
    assert_eq!(
        py_err(x.flatten(0, 4)),
        "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got 4)"
    );
    // x.flatten(7, 5)   (start_dim is checked first)
    assert_eq!(
        py_err(x.flatten(7, 5)),
        "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got 7)"
    );
    // x.flatten(-1, 0)
    assert_eq!(
        py_err(x.flatten(-1, 0)),
        "RuntimeError: flatten() has invalid args: start_dim cannot come after end_dim"
    );
    let s = Tensor::scalar(1.0);
    // torch.tensor(1.).flatten().shape -> [1] ; .flatten(0, -1).shape -> [1]
    assert_eq!(s.flatten(0, -1).unwrap().shape(), &[1]);
    assert_eq!(s.flatten(-1, 0).unwrap().shape(), &[1]);
    // torch.tensor(1.).flatten(1) ; torch.tensor(1.).flatten(-2)
    assert_eq!(
        py_err(s.flatten(1, -1)),
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    );
    assert_eq!(
        py_err(s.flatten(-2, -1)),
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got -2)"
    );
    let t = Tensor::zeros(&[2, 3, 4]).unwrap();
    // torch.zeros(2,3,4).flatten(1,1).shape -> [2, 3, 4] ; .flatten(-2).shape -> [2, 12]
    assert_eq!(t.flatten(1, 1).unwrap().shape(), &[2, 3, 4]);
    assert_eq!(t.flatten(-2, -1).unwrap().shape(), &[2, 12]);
    // torch.zeros(2,0,4).flatten(1).shape -> [2, 0]
    assert_eq!(
        Tensor::zeros(&[2, 0, 4])
            .unwrap()
            .flatten(1, -1)
            .unwrap()
            .shape(),
        &[2, 0]
    );
    assert_eq!(wrap_dim("flatten", -1, 4).unwrap(), 3);
}

// ---------------------------------------------------------------- permute / transpose

#[test]
fn permute_values_and_errors() {
    let a = arange(&[2, 3, 4], 0.0);
    // torch.arange(24.).reshape(2,3,4).permute(2,0,1).flatten().tolist()
    let expected = [
        0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 1.0, 5.0, 9.0, 13.0, 17.0, 21.0, 2.0, 6.0, 10.0, 14.0,
        18.0, 22.0, 3.0, 7.0, 11.0, 15.0, 19.0, 23.0,
    ];
    let p = a.permute(&[2, 0, 1]).unwrap();
    assert_eq!(p.shape(), &[4, 2, 3]);
    assert_eq!(p.data(), &expected);
    // ...permute(-1, 0, -2) is the same
    assert_eq!(a.permute(&[-1, 0, -2]).unwrap(), p);

    let x = lesson_x();
    // x.permute(0, 1, 2)
    assert_eq!(
        py_err(x.permute(&[0, 1, 2])),
        "RuntimeError: permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 4 is not equal to len(dims) = 3"
    );
    // torch.zeros(2, 3).permute(0, 1, 2)
    assert_eq!(
        py_err(Tensor::zeros(&[2, 3]).unwrap().permute(&[0, 1, 2])),
        "RuntimeError: permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 3"
    );
    // x.permute(0, 0, 1, 2) ; x.permute(0, 1, 2, -4)
    assert_eq!(
        py_err(x.permute(&[0, 0, 1, 2])),
        "RuntimeError: permute(): duplicate dims are not allowed."
    );
    assert_eq!(
        py_err(x.permute(&[0, 1, 2, -4])),
        "RuntimeError: permute(): duplicate dims are not allowed."
    );
    // x.permute(0, 0, 1, 4) -> duplicate first ; x.permute(0, 4, 0, 1) -> IndexError first
    assert_eq!(
        py_err(x.permute(&[0, 0, 1, 4])),
        "RuntimeError: permute(): duplicate dims are not allowed."
    );
    assert_eq!(
        py_err(x.permute(&[0, 4, 0, 1])),
        "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got 4)"
    );
    // x.permute(0, 1, 2, -5)
    assert_eq!(
        py_err(x.permute(&[0, 1, 2, -5])),
        "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got -5)"
    );
    // torch.tensor(1.).permute(0)
    assert_eq!(
        py_err(Tensor::scalar(1.0).permute(&[0])),
        "RuntimeError: permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 0 is not equal to len(dims) = 1"
    );
}

#[test]
fn transpose_values_and_errors() {
    let a = arange(&[2, 3, 4], 0.0);
    // torch.arange(24.).reshape(2,3,4).transpose(0,2) -> shape [4, 3, 2]
    let t = a.transpose(0, 2).unwrap();
    assert_eq!(t.shape(), &[4, 3, 2]);
    assert_eq!(
        t.data(),
        &[
            0.0, 12.0, 4.0, 16.0, 8.0, 20.0, 1.0, 13.0, 5.0, 17.0, 9.0, 21.0, 2.0, 14.0, 6.0, 18.0,
            10.0, 22.0, 3.0, 15.0, 7.0, 19.0, 11.0, 23.0
        ]
    );
    // torch.arange(24.).reshape(2,3,4).transpose(-1,1) -> shape [2, 4, 3]
    let t = a.transpose(-1, 1).unwrap();
    assert_eq!(t.shape(), &[2, 4, 3]);
    assert_eq!(
        t.data(),
        &[
            0.0, 4.0, 8.0, 1.0, 5.0, 9.0, 2.0, 6.0, 10.0, 3.0, 7.0, 11.0, 12.0, 16.0, 20.0, 13.0,
            17.0, 21.0, 14.0, 18.0, 22.0, 15.0, 19.0, 23.0
        ]
    );
    // torch.arange(6.).reshape(2,3).transpose(1,1) is unchanged
    let b = arange(&[2, 3], 0.0);
    assert_eq!(b.transpose(1, 1).unwrap(), b);
    // torch.tensor(1.).transpose(0, -1).shape -> []
    assert_eq!(
        Tensor::scalar(1.0).transpose(0, -1).unwrap().shape(),
        &[] as &[usize]
    );
    let x = lesson_x();
    // x.transpose(1, -1).shape -> [64, 32, 32, 3]
    assert_eq!(x.transpose(1, -1).unwrap().shape(), &[64, 32, 32, 3]);
    // x.transpose(0, 4) ; x.transpose(-5, 0) ; x.transpose(5, 7)
    assert_eq!(
        py_err(x.transpose(0, 4)),
        "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got 4)"
    );
    assert_eq!(
        py_err(x.transpose(-5, 0)),
        "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got -5)"
    );
    assert_eq!(
        py_err(x.transpose(5, 7)),
        "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got 5)"
    );
}

// ---------------------------------------------------------------- squeeze / unsqueeze

#[test]
fn squeeze_and_unsqueeze() {
    let t = Tensor::zeros(&[1, 3, 1]).unwrap();
    // torch.zeros(1,3,1).squeeze().shape -> [3] ; .squeeze(1) -> [1, 3, 1] ; .squeeze(-1) -> [1, 3]
    assert_eq!(t.squeeze(None).unwrap().shape(), &[3]);
    assert_eq!(t.squeeze(Some(1)).unwrap().shape(), &[1, 3, 1]);
    assert_eq!(t.squeeze(Some(-1)).unwrap().shape(), &[1, 3]);
    // torch.zeros(1,3,1).squeeze(3)
    assert_eq!(
        py_err(t.squeeze(Some(3))),
        "IndexError: Dimension out of range (expected to be in range of [-3, 2], but got 3)"
    );
    let u = arange(&[1, 2, 1, 3, 1], 0.0);
    // torch.arange(6.).reshape(1,2,1,3,1): squeeze() -> [2, 3]; squeeze(2) -> [1, 2, 3, 1];
    // squeeze(-4) -> [1, 2, 1, 3, 1]
    assert_eq!(u.squeeze(None).unwrap().shape(), &[2, 3]);
    assert_eq!(u.squeeze(None).unwrap().data(), u.data());
    assert_eq!(u.squeeze(Some(2)).unwrap().shape(), &[1, 2, 3, 1]);
    assert_eq!(u.squeeze(Some(-4)).unwrap().shape(), &[1, 2, 1, 3, 1]);
    let s = Tensor::scalar(1.0);
    // torch.tensor(1.).squeeze(0).shape -> [] ; .squeeze(-1) -> [] ; .squeeze(1) IndexError
    assert_eq!(s.squeeze(Some(0)).unwrap().shape(), &[] as &[usize]);
    assert_eq!(s.squeeze(Some(-1)).unwrap().shape(), &[] as &[usize]);
    assert_eq!(
        py_err(s.squeeze(Some(1))),
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    );

    let m = Tensor::zeros(&[2, 3]).unwrap();
    // torch.zeros(2,3).unsqueeze(2) -> [2, 3, 1] ; unsqueeze(-1) -> [2, 3, 1] ; unsqueeze(-3) -> [1, 2, 3]
    assert_eq!(m.unsqueeze(2).unwrap().shape(), &[2, 3, 1]);
    assert_eq!(m.unsqueeze(-1).unwrap().shape(), &[2, 3, 1]);
    assert_eq!(m.unsqueeze(-3).unwrap().shape(), &[1, 2, 3]);
    // torch.zeros(2,3).unsqueeze(3) ; .unsqueeze(-4)
    assert_eq!(
        py_err(m.unsqueeze(3)),
        "IndexError: Dimension out of range (expected to be in range of [-3, 2], but got 3)"
    );
    assert_eq!(
        py_err(m.unsqueeze(-4)),
        "IndexError: Dimension out of range (expected to be in range of [-3, 2], but got -4)"
    );
    // torch.tensor(1.).unsqueeze(0).shape -> [1] ; .unsqueeze(2) ; .unsqueeze(-2)
    assert_eq!(s.unsqueeze(0).unwrap().shape(), &[1]);
    assert_eq!(
        py_err(s.unsqueeze(2)),
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 2)"
    );
    assert_eq!(
        py_err(s.unsqueeze(-2)),
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got -2)"
    );
}

// ---------------------------------------------------------------- cat

#[test]
fn cat_values() {
    // torch.cat([torch.arange(24.).reshape(2,3,4), 100+torch.arange(8.).reshape(2,1,4)], 1)
    let a = arange(&[2, 3, 4], 0.0);
    let b = arange(&[2, 1, 4], 100.0);
    let c = cat(&[&a, &b], 1).unwrap();
    assert_eq!(c.shape(), &[2, 4, 4]);
    assert_eq!(
        c.data(),
        &[
            0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 100.0, 101.0, 102.0,
            103.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 104.0,
            105.0, 106.0, 107.0
        ]
    );
    // torch.cat([torch.arange(6.).reshape(2,3), 10+torch.arange(2.).reshape(2,1),
    //            torch.zeros(0), 20+torch.arange(4.).reshape(2,2)], -1)
    let p = arange(&[2, 3], 0.0);
    let q = arange(&[2, 1], 10.0);
    let e = Tensor::zeros(&[0]).unwrap();
    let r = arange(&[2, 2], 20.0);
    let c = Tensor::cat(&[&p, &q, &e, &r], -1).unwrap();
    assert_eq!(c.shape(), &[2, 6]);
    assert_eq!(
        c.data(),
        &[0.0, 1.0, 2.0, 10.0, 20.0, 21.0, 3.0, 4.0, 5.0, 11.0, 22.0, 23.0]
    );
    // torch.cat([torch.arange(6.).reshape(2,3), 10+torch.arange(3.).reshape(1,3)], 0)
    let c = cat(&[&p, &arange(&[1, 3], 10.0)], 0).unwrap();
    assert_eq!(c.shape(), &[3, 3]);
    assert_eq!(c.data(), &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 11.0, 12.0]);
    // torch.cat([torch.zeros(3), torch.zeros(4)], -1).shape -> [7]
    let z3 = Tensor::zeros(&[3]).unwrap();
    let z4 = Tensor::zeros(&[4]).unwrap();
    assert_eq!(cat(&[&z3, &z4], -1).unwrap().shape(), &[7]);
    // torch.cat([torch.zeros(0), torch.zeros(0)], 5).shape -> [0]  (dim ignored)
    assert_eq!(cat(&[&e, &e], 5).unwrap().shape(), &[0]);
    // torch.cat([torch.zeros(0), torch.zeros(0, 3)], 0).shape -> [0, 3]
    let e03 = Tensor::zeros(&[0, 3]).unwrap();
    assert_eq!(cat(&[&e, &e03], 0).unwrap().shape(), &[0, 3]);
    // torch.cat([torch.zeros(2, 0), torch.zeros(2, 4)], 1).shape -> [2, 4]
    let e20 = Tensor::zeros(&[2, 0]).unwrap();
    let z24 = Tensor::zeros(&[2, 4]).unwrap();
    assert_eq!(cat(&[&e20, &z24], 1).unwrap().shape(), &[2, 4]);
}

#[test]
fn cat_errors() {
    let z = |s: &[usize]| Tensor::zeros(s).unwrap();
    let (z22, z33, z231, z23) = (z(&[2, 2]), z(&[3, 3]), z(&[2, 3, 1]), z(&[2, 3]));
    // torch.cat([torch.zeros(2,2), torch.zeros(3,3)], 1)
    assert_eq!(
        py_err(cat(&[&z22, &z33], 1)),
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list."
    );
    // torch.cat([torch.zeros(2,2), torch.zeros(3,3)], 0)
    assert_eq!(
        py_err(cat(&[&z22, &z33], 0)),
        "RuntimeError: Sizes of tensors must match except in dimension 0. Expected size 2 but got size 3 for tensor number 1 in the list."
    );
    // torch.cat([torch.zeros(2,2,4), torch.zeros(2,5,4), torch.zeros(2,1,3)], 1)
    assert_eq!(
        py_err(cat(&[&z(&[2, 2, 4]), &z(&[2, 5, 4]), &z(&[2, 1, 3])], 1)),
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 4 but got size 3 for tensor number 2 in the list."
    );
    // torch.cat([torch.zeros(0), torch.zeros(2,3), torch.zeros(3,3)], 1)  (numbered by list position)
    assert_eq!(
        py_err(cat(&[&z(&[0]), &z23, &z33], 1)),
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 2 in the list."
    );
    // torch.cat([torch.zeros(2,3,1), torch.zeros(2,3)], 0)
    assert_eq!(
        py_err(cat(&[&z231, &z23], 0)),
        "RuntimeError: Tensors must have same number of dimensions: got 3 and 2"
    );
    // torch.cat([torch.zeros(2,3), torch.zeros(3,3), torch.zeros(2,3,1)], 1)  (tensor 1 first)
    assert_eq!(
        py_err(cat(&[&z23, &z33, &z231], 1)),
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list."
    );
    // torch.cat([], 0)
    assert_eq!(
        py_err(cat(&[], 0)),
        "ValueError: torch.cat(): expected a non-empty list of Tensors"
    );
    // torch.cat([torch.zeros(2,2), torch.zeros(2,3,1)], 5)  (dim checked before ranks)
    assert_eq!(
        py_err(cat(&[&z22, &z231], 5)),
        "IndexError: Dimension out of range (expected to be in range of [-2, 1], but got 5)"
    );
    // torch.cat([torch.zeros(0), torch.zeros(2,3)], -3)
    assert_eq!(
        py_err(cat(&[&z(&[0]), &z23], -3)),
        "IndexError: Dimension out of range (expected to be in range of [-2, 1], but got -3)"
    );
    // torch.cat([torch.zeros(2,2), torch.tensor(1.)], 5)  (0-d checked before dim)
    let s = Tensor::scalar(1.0);
    assert_eq!(
        py_err(cat(&[&z22, &s], 5)),
        "RuntimeError: zero-dimensional tensor (at position 1) cannot be concatenated"
    );
    // torch.cat([torch.tensor(1.), torch.tensor(2.)], 0)
    assert_eq!(
        py_err(cat(&[&s, &s], 0)),
        "RuntimeError: zero-dimensional tensor (at position 0) cannot be concatenated"
    );
    // torch.cat([torch.zeros(3), torch.zeros(4)], 1)
    assert_eq!(
        py_err(cat(&[&z(&[3]), &z(&[4])], 1)),
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    );
}

// ---------------------------------------------------------------- get (indexing)

#[test]
fn get_values_and_errors() {
    let y = arange(&[4, 3], 0.0);
    // y = torch.arange(12.).reshape(4,3): y[1,2] -> 5.0 ; y[-1,-3] -> 9.0 ; y[3,0] -> 9.0
    assert_eq!(y.get(&[1, 2]).unwrap(), 5.0);
    assert_eq!(y.get(&[-1, -3]).unwrap(), 9.0);
    assert_eq!(y.get(&[3, 0]).unwrap(), 9.0);
    // torch.arange(4.).reshape(4,1)[2].item() -> 2.0
    assert_eq!(arange(&[4, 1], 0.0).get(&[2]).unwrap(), 2.0);
    // torch.tensor(3.)[()].item() -> 3.0
    assert_eq!(Tensor::scalar(3.0).get(&[]).unwrap(), 3.0);
    // torch.zeros(4)[5] ; torch.zeros(4)[-5]
    let v = Tensor::zeros(&[4]).unwrap();
    assert_eq!(
        py_err(v.get(&[5])),
        "IndexError: index 5 is out of bounds for dimension 0 with size 4"
    );
    assert_eq!(
        py_err(v.get(&[-5])),
        "IndexError: index -5 is out of bounds for dimension 0 with size 4"
    );
    // torch.zeros(4,3)[1,5] ; [1,-4] ; [5,7]
    assert_eq!(
        py_err(y.get(&[1, 5])),
        "IndexError: index 5 is out of bounds for dimension 1 with size 3"
    );
    assert_eq!(
        py_err(y.get(&[1, -4])),
        "IndexError: index -4 is out of bounds for dimension 1 with size 3"
    );
    assert_eq!(
        py_err(y.get(&[5, 7])),
        "IndexError: index 5 is out of bounds for dimension 0 with size 4"
    );
    // torch.zeros(4,3)[1,2,0]
    assert_eq!(
        py_err(y.get(&[1, 2, 0])),
        "IndexError: too many indices for tensor of dimension 2"
    );
    // torch.zeros(4,3)[1].item()
    assert_eq!(
        py_err(y.get(&[1])),
        "RuntimeError: a Tensor with 3 elements cannot be converted to Scalar"
    );
    // torch.zeros(4,0)[1,0] ; torch.zeros(0)[0]
    assert_eq!(
        py_err(Tensor::zeros(&[4, 0]).unwrap().get(&[1, 0])),
        "IndexError: index 0 is out of bounds for dimension 1 with size 0"
    );
    assert_eq!(
        py_err(Tensor::zeros(&[0]).unwrap().get(&[0])),
        "IndexError: index 0 is out of bounds for dimension 0 with size 0"
    );
    // torch.tensor(1.)[0]
    assert_eq!(
        py_err(Tensor::scalar(1.0).get(&[0])),
        "IndexError: invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
    );
}

// ---------------------------------------------------------------- properties

/// A 64-bit LCG (Knuth's MMIX constants): deterministic, no dependencies.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A random shape of up to 5 dims of size 0..=5 (a 0 only with probability ~1/12 per dim).
fn random_shape(rng: &mut Lcg) -> Vec<usize> {
    let ndim = rng.below(6);
    (0..ndim)
        .map(|_| {
            if rng.below(12) == 0 {
                0
            } else {
                1 + rng.below(5)
            }
        })
        .collect()
}

/// A random target for `reshape` with exactly `numel` elements, possibly with one `-1`.
fn random_target(rng: &mut Lcg, numel: usize) -> Vec<i64> {
    let mut target: Vec<i64> = Vec::new();
    if numel == 0 {
        let n = 1 + rng.below(4);
        let zero_at = rng.below(n);
        for k in 0..n {
            target.push(if k == zero_at { 0 } else { rng.below(4) as i64 });
        }
        return target;
    }
    let mut rest = numel;
    while rest > 1 && target.len() < 5 {
        let divisors: Vec<usize> = (2..=rest).filter(|&d| rest.is_multiple_of(d)).collect();
        let d = divisors[rng.below(divisors.len())];
        target.push(d as i64);
        rest /= d;
        if rng.below(4) == 0 {
            target.push(1);
        }
    }
    if rest > 1 {
        target.push(rest as i64);
    }
    if !target.is_empty() && rng.below(2) == 0 {
        let k = rng.below(target.len());
        target[k] = -1;
    }
    target
}

#[test]
fn property_reshape_keeps_row_major_order_and_ravel_unravel_invert() {
    let mut rng = Lcg(0x5eed_2024);
    for _ in 0..400 {
        let shape = random_shape(&mut rng);
        let x = arange(&shape, 0.0);
        let numel = x.numel();
        let target = random_target(&mut rng, numel);
        let y = x
            .reshape(&target)
            .unwrap_or_else(|e| panic!("{shape:?} -> {target:?}: {e}"));
        assert_eq!(y.numel(), numel);
        assert_eq!(y.data(), x.data(), "{shape:?} -> {target:?}");
        for (k, &t) in target.iter().enumerate() {
            if t >= 0 {
                assert_eq!(y.shape()[k], t as usize);
            }
        }
        for flat in 0..numel {
            let i_old = unravel_index(flat, x.shape());
            let i_new = unravel_index(flat, y.shape());
            assert_eq!(ravel_index(&i_old, x.shape()), flat);
            assert_eq!(ravel_index(&i_new, y.shape()), flat);
            let as_i64 = |v: &[usize]| v.iter().map(|&i| i as i64).collect::<Vec<_>>();
            assert_eq!(x.get(&as_i64(&i_old)).unwrap(), flat as f32);
            assert_eq!(y.get(&as_i64(&i_new)).unwrap(), flat as f32);
        }
        // A random in-bounds multi-index survives ravel then unravel.
        if numel > 0 {
            let idx: Vec<usize> = shape.iter().map(|&d| rng.below(d)).collect();
            assert_eq!(unravel_index(ravel_index(&idx, &shape), &shape), idx);
        }
        // flatten over a random range keeps order too.
        let nd = shape.len().max(1) as i64;
        let (a, b) = (rng.below(nd as usize) as i64, rng.below(nd as usize) as i64);
        let (start, end) = (a.min(b), a.max(b) - nd); // end given as a negative dim
        let f = x.flatten(start, end).unwrap();
        assert_eq!(f.data(), x.data());
    }
}

#[test]
fn property_permute_moves_each_element_and_inverts() {
    let mut rng = Lcg(42);
    for _ in 0..200 {
        let shape = random_shape(&mut rng);
        let n = shape.len();
        let x = arange(&shape, 0.0);
        // Fisher–Yates on 0..n
        let mut perm: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            perm.swap(i, rng.below(i + 1));
        }
        let dims: Vec<i64> = perm.iter().map(|&p| p as i64).collect();
        let y = x.permute(&dims).unwrap();
        let expected_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
        assert_eq!(y.shape(), expected_shape.as_slice());
        // out[i] == in[j] with j[perm[k]] = i[k]
        for flat in 0..y.numel() {
            let i = unravel_index(flat, y.shape());
            let mut j = vec![0usize; n];
            for k in 0..n {
                j[perm[k]] = i[k];
            }
            assert_eq!(y.data()[flat], x.data()[ravel_index(&j, &shape)]);
        }
        let mut inverse = vec![0i64; n];
        for (k, &p) in perm.iter().enumerate() {
            inverse[p] = k as i64;
        }
        assert_eq!(y.permute(&inverse).unwrap(), x);
    }
}
