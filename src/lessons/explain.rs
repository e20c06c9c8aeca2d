//! A figure's own words for a shape op that fails: what the student asked for and why it
//! cannot be, in the figure's terms ("24 elements cannot be split into rows of 5"), shown
//! beside PyTorch's error text. `None` when the op does not fail (or PyTorch's text already
//! says it plainly, as the size guard's does).
//!
//! ```
//! use nnbook::lessons::explain::explain_shape;
//! use nnbook::lessons::shapes::ShapeOp;
//! let why = explain_shape(&[2, 3, 4], &ShapeOp::Reshape(vec![-1, 5])).unwrap();
//! assert!(why.starts_with("24 elements cannot be split into rows of 5"), "{why}");
//! assert_eq!(explain_shape(&[2, 3, 4], &ShapeOp::Reshape(vec![4, -1])), None);
//! ```

use super::shapes::{shape_view, ShapeOp};
use crate::tensor::shape::flatten_shape;

/// 196608 → "196,608".
fn int(n: u128) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `[2, 3, 4]` → "2 × 3 × 4 = 24"; one size → "24"; no size → "1".
fn product(sizes: &[u128]) -> String {
    let total: u128 = sizes.iter().product();
    match sizes {
        [] => "1".into(),
        [one] => int(*one),
        _ => format!(
            "{} = {}",
            sizes
                .iter()
                .map(|&d| int(d))
                .collect::<Vec<_>>()
                .join(" × "),
            int(total)
        ),
    }
}

fn shape(s: &[i64]) -> String {
    format!(
        "[{}]",
        s.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Why `op` cannot be applied to a tensor of shape `in_shape` (as typed: a negative size is
/// explained too), or `None` when it can.
pub fn explain_shape(in_shape: &[i64], op: &ShapeOp) -> Option<String> {
    if let Some(&d) = in_shape.iter().find(|&&d| d < 0) {
        return Some(format!(
            "A tensor cannot have a negative size: {d} in the input shape {} (-1 means \"work it out\" only in a target shape).",
            shape(in_shape)
        ));
    }
    let sizes: Vec<usize> = in_shape.iter().map(|&d| d as usize).collect();
    if shape_view(&sizes, op).is_ok() {
        return None;
    }
    let dims: Vec<u128> = sizes.iter().map(|&d| d as u128).collect();
    let numel: u128 = dims.iter().product();
    match op {
        ShapeOp::Reshape(t) | ShapeOp::View(t) => explain_target(&dims, numel, t, op),
        ShapeOp::Flatten { start_dim, end_dim } | ShapeOp::NnFlatten { start_dim, end_dim } => {
            explain_flatten(sizes.len(), *start_dim, *end_dim)
        }
    }
}

fn explain_target(dims: &[u128], numel: u128, t: &[i64], op: &ShapeOp) -> Option<String> {
    let name = if matches!(op, ShapeOp::View(_)) {
        "view"
    } else {
        "reshape"
    };
    let free = t.iter().filter(|&&d| d == -1).count();
    if free > 1 {
        return Some(format!(
            "Only one size may be -1 (\"work it out\"): {} has {free}, and {} elements can be shared between them in more than one way.",
            shape(t),
            int(numel)
        ));
    }
    if let Some(&d) = t.iter().find(|&&d| d < -1) {
        return Some(format!(
            "{d} is not a size: a size counts elements along a dimension, and the only negative one allowed is -1 (\"work it out\")."
        ));
    }
    let known: Vec<u128> = t.iter().filter(|&&d| d >= 0).map(|&d| d as u128).collect();
    let per: u128 = known.iter().product();
    let have = format!("x has {}", product(dims));
    if free == 0 {
        return Some(format!(
            "{} holds {} elements, but {have}: {name} keeps every element, so the sizes must multiply to {}.",
            shape(t),
            product(&known),
            int(numel)
        ));
    }
    if per == 0 {
        return Some(format!(
            "The other sizes of {} multiply to 0, so no size in place of -1 gives {} elements.",
            shape(t),
            int(numel)
        ));
    }
    let (q, r) = (numel / per, numel % per);
    let rest = format!(
        "{} is not a multiple of {} ({} = {} × {} + {r}).",
        int(numel),
        int(per),
        int(numel),
        int(q),
        int(per)
    );
    let groups = match t {
        [-1, k] => format!("rows of {}", int(*k as u128)),
        [k, -1] => format!("{} equal rows", int(*k as u128)),
        _ => format!("groups of {} (the sizes other than -1)", product(&known)),
    };
    Some(format!(
        "{} elements cannot be split into {groups}: {rest}",
        int(numel)
    ))
}

fn explain_flatten(ndim: usize, start: i64, end: i64) -> Option<String> {
    // flatten treats a 0-d tensor as 1-d.
    let n = ndim.max(1) as i64;
    let range = format!(
        "x has {ndim} dimension{}, numbered 0 to {} (or -{n} to -1 from the end)",
        if ndim == 1 { "" } else { "s" },
        n - 1
    );
    for (what, d) in [("start_dim", start), ("end_dim", end)] {
        if d < -n || d >= n {
            return Some(format!("{range}: {what} {d} is not one of them."));
        }
    }
    let (s, e) = (start.rem_euclid(n), end.rem_euclid(n));
    (s > e).then(|| {
        format!(
            "start_dim {start} is dimension {s} and end_dim {end} is dimension {e}: flatten merges the dimensions from start_dim through end_dim, so start_dim cannot come after end_dim."
        )
    })
}

/// Why `nn.Linear(in_features, _)` cannot take `torch.flatten(x, start_dim, end_dim)` of a
/// batch `x` of shape `x_shape`, or `None` when it can (or the flatten itself fails, which
/// [`explain_shape`] explains).
pub fn explain_flatten_linear(
    x_shape: &[usize],
    start_dim: i64,
    end_dim: i64,
    in_features: usize,
) -> Option<String> {
    let flat = flatten_shape(x_shape, start_dim, end_dim).ok()?;
    let last = *flat.last()?;
    if last == in_features {
        return None;
    }
    let rows: usize = flat[..flat.len() - 1].iter().product();
    let input = if flat.len() == 1 {
        format!(
            "The flattened batch is one row of {} numbers",
            int(last as u128)
        )
    } else {
        format!(
            "Each of the {} flattened rows has {} numbers",
            int(rows as u128),
            int(last as u128)
        )
    };
    Some(format!(
        "{input}, but nn.Linear({in_features}, …) takes rows of {}: in_features must be the flattened size, {}.",
        int(in_features as u128),
        int(last as u128)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(shape: &[i64], op: ShapeOp) -> String {
        explain_shape(shape, &op).expect("an explanation")
    }

    #[test]
    fn reshape_explanations_name_the_numbers() {
        assert_eq!(
            why(&[2, 3, 4], ShapeOp::Reshape(vec![-1, 5])),
            "24 elements cannot be split into rows of 5: 24 is not a multiple of 5 (24 = 4 × 5 + 4)."
        );
        assert_eq!(
            why(&[64, 3, 32, 32], ShapeOp::Reshape(vec![7, -1])),
            "196,608 elements cannot be split into 7 equal rows: 196,608 is not a multiple of 7 (196,608 = 28,086 × 7 + 6)."
        );
        assert_eq!(
            why(&[2, 3, 4], ShapeOp::View(vec![4, 5])),
            "[4, 5] holds 4 × 5 = 20 elements, but x has 2 × 3 × 4 = 24: view keeps every element, so the sizes must multiply to 24."
        );
        assert!(
            why(&[2, 3, 4], ShapeOp::Reshape(vec![2, -1, 5])).starts_with(
                "24 elements cannot be split into groups of 2 × 5 = 10 (the sizes other than -1)"
            )
        );
        assert!(
            why(&[2, 3, 4], ShapeOp::Reshape(vec![-1, -1])).starts_with("Only one size may be -1")
        );
        assert!(why(&[2, 3, 4], ShapeOp::Reshape(vec![-2, 12])).starts_with("-2 is not a size"));
        assert!(why(&[2, 3, 4], ShapeOp::Reshape(vec![0, -1]))
            .starts_with("The other sizes of [0, -1] multiply to 0"));
        assert!(why(&[-1, 3], ShapeOp::Reshape(vec![3]))
            .starts_with("A tensor cannot have a negative size: -1"));
        assert_eq!(
            explain_shape(&[2, 3, 4], &ShapeOp::Reshape(vec![4, -1])),
            None
        );
    }

    #[test]
    fn flatten_explanations_name_the_dimensions() {
        let op = |s, e| ShapeOp::NnFlatten {
            start_dim: s,
            end_dim: e,
        };
        assert_eq!(
            why(&[64, 3, 32, 32], op(4, -1)),
            "x has 4 dimensions, numbered 0 to 3 (or -4 to -1 from the end): start_dim 4 is not one of them."
        );
        assert_eq!(
            why(&[2, 3, 4], ShapeOp::Flatten { start_dim: 2, end_dim: 0 }),
            "start_dim 2 is dimension 2 and end_dim 0 is dimension 0: flatten merges the dimensions from start_dim through end_dim, so start_dim cannot come after end_dim."
        );
        assert!(why(&[2, 3, 4], op(0, -5)).ends_with("end_dim -5 is not one of them."));
        assert_eq!(explain_shape(&[2, 3, 4], &op(1, -1)), None);
    }

    #[test]
    fn flatten_linear_explains_in_features() {
        assert_eq!(
            explain_flatten_linear(&[64, 3, 32, 32], 1, -1, 196608).unwrap(),
            "Each of the 64 flattened rows has 3,072 numbers, but nn.Linear(196608, …) takes rows of 196,608: in_features must be the flattened size, 3,072."
        );
        assert_eq!(
            explain_flatten_linear(&[64, 3, 32, 32], 0, -1, 3072).unwrap(),
            "The flattened batch is one row of 196,608 numbers, but nn.Linear(3072, …) takes rows of 3,072: in_features must be the flattened size, 196,608."
        );
        assert_eq!(explain_flatten_linear(&[64, 3, 32, 32], 1, -1, 3072), None);
    }
}
