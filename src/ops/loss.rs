//! `torch.nn.functional.cross_entropy` on class-index targets.
//!
//! `ℓ_n = −log_softmax(logits[n])[label_n]` (0 for an ignored sample);
//! `Mean: Σ ℓ_n / #{not ignored}` (NaN when every sample is ignored, as PyTorch),
//! `Sum: Σ ℓ_n`, `None: [ℓ_n]`.
//! Backward: `dlogits[n] = w_n (softmax(logits[n]) − onehot(label_n))`, with `w_n` the
//! upstream gradient (divided by the count for `Mean`) and 0 for ignored samples.

use crate::error::{Error, PyKind, Result};
use crate::ops::softmax::log_softmax_row;
use crate::tensor::{pool, Tensor};

/// How per-sample losses are combined (`reduction=` in PyTorch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    Mean,
    Sum,
    None,
}

/// `[N, C]` after PyTorch's checks (labels in range unless ignored).
fn check(logits: &Tensor, labels: &[i64], ignore_index: Option<i64>) -> Result<(usize, usize)> {
    if logits.ndim() != 2 {
        return Err(Error::runtime(
            "cross_entropy",
            format!(
                "cross_entropy: expected logits of shape [N, C], but got {}",
                crate::error::fmt_shape(logits.shape())
            ),
        ));
    }
    let (n, c) = (logits.shape()[0], logits.shape()[1]);
    if labels.len() != n {
        return Err(Error::value(
            "cross_entropy",
            format!(
                "Expected input batch_size ({}) to match target batch_size ({}).",
                n,
                labels.len()
            ),
        ));
    }
    for &t in labels {
        if Some(t) != ignore_index && (t < 0 || t >= c as i64) {
            return Err(Error::msg(
                "cross_entropy",
                PyKind::IndexError,
                format!("Target {t} is out of bounds."),
            ));
        }
    }
    Ok((n, c))
}

/// `loss = cross_entropy(logits, labels, reduction, ignore_index)`.
///
/// * `logits`: `[N, C]`
/// * `labels`: `[N]` class indices in `0..C`
/// * `ignore_index`: samples with this label contribute nothing (PyTorch's default is
///   `Some(-100)`; `None` ignores nothing)
///
/// Returns `[]` for `Mean`/`Sum`, `[N]` for `None`.
///
/// # Errors
/// `ValueError: Expected input batch_size (3) to match target batch_size (2).`;
/// `IndexError: Target 10 is out of bounds.`; logits not 2-D.
pub fn cross_entropy_forward(
    logits: &Tensor,
    labels: &[i64],
    reduction: Reduction,
    ignore_index: Option<i64>,
) -> Result<Tensor> {
    let (n, c) = check(logits, labels, ignore_index)?;
    let mut row = pool::zeroed(c);
    let mut per = pool::zeroed(n);
    for (i, (&t, l)) in labels.iter().zip(per.iter_mut()).enumerate() {
        if Some(t) == ignore_index {
            continue;
        }
        log_softmax_row(&logits.data()[i * c..(i + 1) * c], &mut row);
        *l = -row[t as usize];
    }
    pool::recycle(row);
    let count = labels.iter().filter(|&&t| Some(t) != ignore_index).count();
    let reduced = match reduction {
        Reduction::None => return Tensor::from_vec(&[n], per),
        Reduction::Sum => per.iter().sum(),
        Reduction::Mean => per.iter().sum::<f32>() / count as f32,
    };
    pool::recycle(per);
    Ok(Tensor::scalar(reduced))
}

/// Backward of [`cross_entropy_forward`].
///
/// * `logits`: `[N, C]`, `labels`: `[N]` (as in the forward)
/// * `grad_loss`: `[]` for `Mean`/`Sum` (1.0 for `loss.backward()`), `[N]` for `None`
///
/// Returns `dL/dlogits`: `[N, C]` (zero rows for ignored samples).
///
/// # Errors
/// The forward's errors; [`Error::ShapeMismatch`] when `grad_loss` has the wrong shape.
pub fn cross_entropy_backward(
    logits: &Tensor,
    labels: &[i64],
    reduction: Reduction,
    ignore_index: Option<i64>,
    grad_loss: &Tensor,
) -> Result<Tensor> {
    let (n, c) = check(logits, labels, ignore_index)?;
    let want: &[usize] = if reduction == Reduction::None {
        &[n]
    } else {
        &[]
    };
    grad_loss.expect_shape("cross_entropy_backward", want)?;
    let count = labels.iter().filter(|&&t| Some(t) != ignore_index).count();
    let mut dx = pool::zeroed(n * c);
    for (i, &t) in labels.iter().enumerate() {
        if Some(t) == ignore_index {
            continue;
        }
        let w = match reduction {
            Reduction::None => grad_loss.data()[i],
            Reduction::Sum => grad_loss.data()[0],
            Reduction::Mean => grad_loss.data()[0] / count as f32,
        };
        let d = &mut dx[i * c..(i + 1) * c];
        log_softmax_row(&logits.data()[i * c..(i + 1) * c], d);
        for v in d.iter_mut() {
            *v = v.exp() * w;
        }
        d[t as usize] -= w;
    }
    Tensor::from_vec(&[n, c], dx)
}
