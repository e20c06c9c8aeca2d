//! `nn.Dropout(p=0.5)`: zeroes elements with probability `p` in training (scaling the rest
//! by `1/(1−p)`), identity in eval. Random bits come from the global generator.

use crate::error::Result;
use crate::nn::linear::no_forward;
use crate::nn::Module;
use crate::ops::dropout::{check_dropout_p, dropout_backward, dropout_forward};
use crate::tensor::Tensor;

/// Python's `repr(float(v))` for an f32 given by the user: the shortest decimal that reads
/// back to `v`, in Python's layout (`0.5`, `0.0`, `1e-05`, `1.5e+20`, `nan`, `inf`).
pub(crate) fn py_float_repr(v: f32) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.5e-5".
    let s = format!("{v:e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mant) = mant.strip_prefix('-').map_or(("", mant), |m| ("-", m));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let body = if exp >= 0 {
            let e = exp as usize;
            let mut int = digits.clone();
            while int.len() < e + 1 {
                int.push('0');
            }
            let frac = &int[e + 1..];
            format!(
                "{}.{}",
                &int[..e + 1],
                if frac.is_empty() { "0" } else { frac }
            )
        } else {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let es = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{es}{:02}", exp.abs())
    }
}

/// Dropout. `x`: any shape → `y`: same shape.
#[derive(Clone, Debug)]
pub struct Dropout {
    pub p: f32,
    pub training: bool,
    mask: Option<Option<Vec<f32>>>,
}

impl Dropout {
    /// `nn.Dropout(p)`, in training mode.
    ///
    /// # Errors
    /// `ValueError: dropout probability has to be between 0 and 1, but got 1.5`.
    pub fn new(p: f32) -> Result<Dropout> {
        check_dropout_p(p)?;
        Ok(Dropout {
            p,
            training: true,
            mask: None,
        })
    }
}

impl Module for Dropout {
    fn forward(&mut self, x: &Tensor) -> Result<Tensor> {
        let (y, mask) =
            crate::rng::with_global(|rng| dropout_forward(x, self.p, self.training, rng))?;
        self.mask = Some(mask);
        Ok(y)
    }

    fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let mask = self.mask.as_ref().ok_or_else(|| no_forward("Dropout"))?;
        dropout_backward(mask.as_deref(), grad_y)
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }

    /// `Dropout(p=0.5, inplace=False)`.
    fn repr(&self, _indent: usize) -> String {
        format!("Dropout(p={}, inplace=False)", py_float_repr(self.p))
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::py_float_repr;

    #[test]
    fn floats_print_as_python() {
        // Python: repr(0.5), repr(0.0), repr(1.0), repr(1e-05), repr(0.1), repr(0.0001),
        // repr(1.5e-07), repr(1e16), repr(123.25), repr(-2.0)
        for (v, s) in [
            (0.5f32, "0.5"),
            (0.0, "0.0"),
            (1.0, "1.0"),
            (1e-5, "1e-05"),
            (0.1, "0.1"),
            (1e-4, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (1e16, "1e+16"),
            (123.25, "123.25"),
            (-2.0, "-2.0"),
            (f32::NAN, "nan"),
        ] {
            assert_eq!(py_float_repr(v), s);
        }
    }
}
