//! `model.state_dict()` and `model.load_state_dict(sd)` (strict), with PyTorch's key order and
//! error text.
//!
//! PyTorch orders a state_dict module by module in registration (pre-)order, each module's
//! own parameters first, then its own buffers:
//! `Sequential(Linear, BatchNorm1d)` gives `0.weight, 0.bias, 1.weight, 1.bias,
//! 1.running_mean, 1.running_var, 1.num_batches_tracked`. The [`Module`] trait lists
//! parameters and buffers separately, so [`state_dict`] merges the two lists module by module
//! (the module of a key is everything before its last `.`). Where a module that has only
//! buffers sits between modules that have only parameters, its place is decided by comparing
//! the paths segment by segment (numeric segments as numbers, an ancestor before its
//! children), which is exact for `Sequential` nesting.

use crate::error::{fmt_shape, Error, Result};
use crate::nn::Module;
use crate::tensor::Tensor;
use std::cmp::Ordering;
use std::collections::HashMap;

/// The module path of a state_dict key: `"2.0"` for `"2.0.weight"`, `""` for `"weight"`.
fn module_path(key: &str) -> &str {
    key.rfind('.').map_or("", |i| &key[..i])
}

/// Consecutive entries grouped by module path.
fn group<T>(entries: Vec<(String, T)>) -> Vec<(String, Vec<(String, T)>)> {
    let mut groups: Vec<(String, Vec<(String, T)>)> = Vec::new();
    for (key, value) in entries {
        let path = module_path(&key).to_string();
        match groups.last_mut() {
            Some((p, items)) if *p == path => items.push((key, value)),
            _ => groups.push((path, vec![(key, value)])),
        }
    }
    groups
}

/// Pre-order comparison of two module paths when nothing else decides it: an ancestor comes
/// first; at the first differing segment numbers compare as numbers; otherwise `Less`
/// (parameters first).
fn preorder(a: &str, b: &str) -> Ordering {
    let sa: Vec<&str> = if a.is_empty() {
        vec![]
    } else {
        a.split('.').collect()
    };
    let sb: Vec<&str> = if b.is_empty() {
        vec![]
    } else {
        b.split('.').collect()
    };
    for (x, y) in sa.iter().zip(sb.iter()) {
        if x != y {
            return match (x.parse::<usize>(), y.parse::<usize>()) {
                (Ok(i), Ok(j)) => i.cmp(&j),
                _ => Ordering::Less,
            };
        }
    }
    sa.len().cmp(&sb.len())
}

/// Merges parameter and buffer lists into PyTorch's state_dict order (see the module docs).
fn merge<T>(params: Vec<(String, T)>, buffers: Vec<(String, T)>) -> Vec<(String, T)> {
    let p = group(params);
    let b = group(buffers);
    let p_paths: Vec<&str> = p.iter().map(|(path, _)| path.as_str()).collect();
    let b_paths: Vec<&str> = b.iter().map(|(path, _)| path.as_str()).collect();
    // Decide the interleaving on paths first, then move the entries.
    let mut order = Vec::with_capacity(p.len() + b.len());
    let (mut pi, mut bi) = (0usize, 0usize);
    while pi < p.len() || bi < b.len() {
        let take_param = if bi == b.len() {
            true
        } else if pi == p.len() {
            false
        } else {
            let (pp, bp) = (p_paths[pi], b_paths[bi]);
            if pp == bp || p_paths[pi + 1..].contains(&bp) {
                true
            } else if b_paths[bi + 1..].contains(&pp) {
                false
            } else {
                preorder(pp, bp) != Ordering::Greater
            }
        };
        order.push(take_param);
        if take_param {
            pi += 1;
        } else {
            bi += 1;
        }
    }
    let mut p = p.into_iter();
    let mut b = b.into_iter();
    let mut out = Vec::new();
    for take_param in order {
        let next = if take_param { p.next() } else { b.next() };
        if let Some((_, items)) = next {
            out.extend(items);
        }
    }
    out
}

/// `model.state_dict()`: every parameter and buffer by state_dict name (`"0.weight"`,
/// `"1.running_mean"`), copied, in PyTorch's order (see the module docs).
pub fn state_dict(m: &dyn Module) -> Vec<(String, Tensor)> {
    let params = m
        .named_parameters()
        .into_iter()
        .map(|(k, p)| (k, p.value.clone()))
        .collect();
    let buffers = m
        .named_buffers()
        .into_iter()
        .map(|(k, b)| (k, b.clone()))
        .collect();
    merge(params, buffers)
}

/// The class name PyTorch prints in load errors: the repr up to its first `(`.
fn class_name(m: &dyn Module) -> String {
    let repr = m.repr(0);
    repr.split('(').next().unwrap_or("").trim().to_string()
}

/// Formats `"a", "b"` as PyTorch's key lists.
fn quoted(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `model.load_state_dict(entries)` with `strict=True`: copies each entry into the parameter
/// or buffer of the same name (parameter gradients are left as they are). A key given twice
/// uses its last value, as a Python dict would.
///
/// # Errors
/// A `RuntimeError` (op `"load_state_dict"`) with PyTorch's text (lines after the first
/// start with a tab, the key lists end with `". "`), e.g.
/// ```text
/// Error(s) in loading state_dict for Sequential:
///     Missing key(s) in state_dict: "0.bias".
///     Unexpected key(s) in state_dict: "extra".
///     size mismatch for 0.weight: copying a param with shape torch.Size([32, 3, 5, 5]) from checkpoint, the shape in current model is torch.Size([32, 3, 3, 3]).
/// ```
/// Unlike PyTorch (which copies the matching entries before raising), the model is left
/// untouched when there is any error. Unexpected keys are listed in checkpoint order
/// (PyTorch groups them by the module that would own them first).
pub fn load_state_dict(m: &mut dyn Module, entries: &[(String, Tensor)]) -> Result<()> {
    let mut given: HashMap<&str, &Tensor> = HashMap::new();
    for (k, t) in entries {
        given.insert(k.as_str(), t);
    }
    let current = state_dict(m);
    let known: HashMap<&str, &Tensor> = current.iter().map(|(k, t)| (k.as_str(), t)).collect();

    let missing: Vec<&str> = current
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !given.contains_key(k))
        .collect();
    let mut unexpected: Vec<&str> = Vec::new();
    for (k, _) in entries {
        if !known.contains_key(k.as_str()) && !unexpected.contains(&k.as_str()) {
            unexpected.push(k);
        }
    }
    let mut messages = Vec::new();
    if !missing.is_empty() {
        messages.push(format!(
            "Missing key(s) in state_dict: {}. ",
            quoted(&missing)
        ));
    }
    if !unexpected.is_empty() {
        messages.push(format!(
            "Unexpected key(s) in state_dict: {}. ",
            quoted(&unexpected)
        ));
    }
    for (k, t) in &current {
        if let Some(src) = given.get(k.as_str()) {
            if src.shape() != t.shape() {
                messages.push(format!(
                    "size mismatch for {k}: copying a param with shape torch.Size({}) from checkpoint, the shape in current model is torch.Size({}).",
                    fmt_shape(src.shape()),
                    fmt_shape(t.shape())
                ));
            }
        }
    }
    if !messages.is_empty() {
        return Err(Error::runtime(
            "load_state_dict",
            format!(
                "Error(s) in loading state_dict for {}:\n\t{}",
                class_name(m),
                messages.join("\n\t")
            ),
        ));
    }
    for (k, p) in m.named_parameters_mut() {
        if let Some(src) = given.get(k.as_str()) {
            p.value = (*src).clone();
        }
    }
    for (k, b) in m.named_buffers_mut() {
        if let Some(src) = given.get(k.as_str()) {
            *b = (*src).clone();
        }
    }
    Ok(())
}
