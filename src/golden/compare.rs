//! The tolerance check: `|actual - expected| <= atol + rtol * |expected|`, elementwise, with
//! per-element `exceptions`, and a report of the worst element when it fails.
//!
//! NaN expected matches NaN only; an infinite expected value matches the same infinity only;
//! a NaN actual value never matches a number.

use super::fixture::{TensorData, Tol};

/// A computed tensor to compare: its shape and its values (f64 holds float32 and indices exactly).
#[derive(Clone, Debug, PartialEq)]
pub struct Actual {
    pub shape: Vec<usize>,
    pub values: Vec<f64>,
}

impl Actual {
    /// From an nnbook tensor.
    pub fn from_tensor(t: &crate::Tensor) -> Actual {
        Actual {
            shape: t.shape().to_vec(),
            values: t.data().iter().map(|&v| v as f64).collect(),
        }
    }

    /// From integer values (e.g. max_pool2d indices) with a shape.
    pub fn from_indices(shape: &[usize], idx: &[usize]) -> Actual {
        Actual {
            shape: shape.to_vec(),
            values: idx.iter().map(|&i| i as f64).collect(),
        }
    }
}

/// `(rtol, atol)` of element `i`.
fn tol_of(tol: &Tol, i: usize) -> (f64, f64) {
    match &tol.exceptions {
        Some(ex) if ex.flat_indices.contains(&i) => (ex.rtol, ex.atol),
        _ => (tol.rtol, tol.atol),
    }
}

/// Whether `a` matches `e` within `atol + rtol * |e|`; also returns `|a - e|` and the bound.
pub fn element_ok(a: f64, e: f64, rtol: f64, atol: f64) -> (bool, f64, f64) {
    let bound = atol + rtol * e.abs();
    let d = (a - e).abs();
    let ok = if e.is_nan() {
        a.is_nan()
    } else if e.is_infinite() {
        a == e
    } else {
        d <= bound // false for a NaN `a`
    };
    (ok, d, bound)
}

/// Row-major multi-index of flat index `i` in `shape`.
fn unravel(mut i: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for (k, &s) in shape.iter().enumerate().rev() {
        if s > 0 {
            idx[k] = i % s;
            i /= s;
        }
    }
    idx
}

/// Compares `actual` with `expected` under `tol`.
///
/// # Errors
/// `tensor NAME worst element [i] got X want Y (|d|=.. > atol+rtol*|want|=..), K of N elements
/// out of tolerance` (`i` is the flat row-major index, the multi-index follows), or a shape
/// mismatch, or an exception index outside the tensor.
pub fn compare(
    name: &str,
    actual: &Actual,
    expected: &TensorData,
    tol: &Tol,
) -> Result<(), String> {
    if actual.shape != expected.shape {
        return Err(format!(
            "tensor {name} has shape {:?}, want {:?}",
            actual.shape, expected.shape
        ));
    }
    let n = expected.data.len();
    if actual.values.len() != n {
        return Err(format!(
            "tensor {name} has {} values, want {n}",
            actual.values.len()
        ));
    }
    if let Some(ex) = &tol.exceptions {
        if let Some(&bad) = ex.flat_indices.iter().find(|&&i| i >= n) {
            return Err(format!(
                "tensor {name}: tolerance exception index {bad} is outside the tensor ({n} elements)"
            ));
        }
    }
    // Worst = largest excess |d| - bound; a NaN/infinity mismatch counts as infinite excess.
    let mut worst: Option<(usize, f64, f64, f64)> = None;
    let mut bad = 0usize;
    for i in 0..n {
        let (a, e) = (actual.values[i], expected.data[i].0);
        let (rtol, atol) = tol_of(tol, i);
        let (ok, d, bound) = element_ok(a, e, rtol, atol);
        if ok {
            continue;
        }
        bad += 1;
        let excess = if (d - bound).is_nan() {
            f64::INFINITY
        } else {
            d - bound
        };
        if worst.is_none_or(|w| excess > w.1) {
            worst = Some((i, excess, d, bound));
        }
    }
    match worst {
        None => Ok(()),
        Some((i, _, d, bound)) => {
            let multi = if expected.shape.len() > 1 {
                format!(" (at {:?})", unravel(i, &expected.shape))
            } else {
                String::new()
            };
            Err(format!(
                "tensor {name} worst element [{i}]{multi} got {} want {} (|d|={d:.3e} > atol+rtol*|want|={bound:.3e}), {bad} of {n} elements out of tolerance",
                show(actual.values[i], &expected.dtype),
                show(expected.data[i].0, &expected.dtype),
            ))
        }
    }
}

/// A value as its dtype prints it: float32's shortest repr, or an integer.
fn show(v: f64, dtype: &str) -> String {
    if dtype == "int64" && v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{:?}", v as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::golden::fixture::{Exceptions, JsonF64};

    fn td(shape: &[usize], data: &[f64]) -> TensorData {
        TensorData {
            shape: shape.to_vec(),
            dtype: "float32".into(),
            data: data.iter().map(|&v| JsonF64(v)).collect(),
        }
    }
    fn act(shape: &[usize], data: &[f64]) -> Actual {
        Actual {
            shape: shape.to_vec(),
            values: data.to_vec(),
        }
    }
    fn tol(rtol: f64, atol: f64) -> Tol {
        Tol {
            rtol,
            atol,
            exceptions: None,
        }
    }

    #[test]
    fn rule_is_atol_plus_rtol_times_expected() {
        // bound = 0.1 + 0.01 * 10 = 0.2
        assert!(element_ok(10.2, 10.0, 0.01, 0.1).0);
        assert!(!element_ok(10.2001, 10.0, 0.01, 0.1).0);
        assert!(element_ok(-9.8, -10.0, 0.01, 0.1).0);
        // rtol scales with |expected|, not |actual|
        assert!(!element_ok(0.2 + 1e-9, 0.0, 1.0, 0.2).0);
    }

    #[test]
    fn nan_and_infinity_match_only_themselves() {
        assert!(element_ok(f64::NAN, f64::NAN, 0.0, 0.0).0);
        assert!(!element_ok(0.0, f64::NAN, 1.0, 1e9).0);
        assert!(!element_ok(f64::NAN, 0.0, 1.0, 1e9).0);
        assert!(element_ok(f64::INFINITY, f64::INFINITY, 0.0, 0.0).0);
        assert!(!element_ok(f64::NEG_INFINITY, f64::INFINITY, 1.0, 1e30).0);
        assert!(!element_ok(1e30, f64::INFINITY, 1.0, 1e30).0);
    }

    #[test]
    fn reports_the_worst_element_and_count() {
        let want = td(&[2, 2], &[1.0, 2.0, 3.0, 4.0]);
        let got = act(&[2, 2], &[1.0, 2.5, 3.0, 4.1]);
        let err = compare("y", &got, &want, &tol(0.0, 0.01)).unwrap_err();
        assert!(
            err.starts_with("tensor y worst element [1] (at [0, 1]) got 2.5 want 2.0 (|d|=5.000e-1 > atol+rtol*|want|=1.000e-2)"),
            "{err}"
        );
        assert!(err.ends_with("2 of 4 elements out of tolerance"), "{err}");
        assert!(compare("y", &got, &want, &tol(0.0, 0.5)).is_ok());
    }

    #[test]
    fn nan_mismatch_is_the_worst() {
        let want = td(&[3], &[0.0, 1.0, 2.0]);
        let got = act(&[3], &[5.0, f64::NAN, 2.0]);
        let err = compare("g", &got, &want, &tol(0.0, 0.1)).unwrap_err();
        assert!(
            err.starts_with("tensor g worst element [1] got NaN want 1.0"),
            "{err}"
        );
    }

    #[test]
    fn exceptions_use_their_own_tolerance() {
        let want = td(&[3], &[0.0, 0.0, 0.0]);
        let got = act(&[3], &[0.0, 0.5, 0.0]);
        let mut t = tol(0.0, 0.1);
        assert!(compare("w", &got, &want, &t).is_err());
        t.exceptions = Some(Exceptions {
            flat_indices: vec![1],
            rtol: 0.0,
            atol: 0.5,
        });
        assert!(compare("w", &got, &want, &t).is_ok());
        // the exception applies to its index only
        let got = act(&[3], &[0.5, 0.0, 0.0]);
        assert!(compare("w", &got, &want, &t).is_err());
        t.exceptions = Some(Exceptions {
            flat_indices: vec![3],
            rtol: 0.0,
            atol: 0.5,
        });
        let err = compare("w", &got, &want, &t).unwrap_err();
        assert!(err.contains("outside the tensor"), "{err}");
    }

    #[test]
    fn shape_mismatch_fails() {
        let want = td(&[2, 3], &[0.0; 6]);
        let err = compare("y", &act(&[3, 2], &[0.0; 6]), &want, &tol(1.0, 1.0)).unwrap_err();
        assert_eq!(err, "tensor y has shape [3, 2], want [2, 3]");
        let want = td(&[], &[1.0]);
        assert!(compare("loss", &act(&[], &[1.0]), &want, &tol(0.0, 0.0)).is_ok());
        assert!(compare("loss", &act(&[1], &[1.0]), &want, &tol(0.0, 0.0)).is_err());
    }
}
