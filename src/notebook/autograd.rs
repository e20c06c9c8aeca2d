//! `loss.backward()` over the graph the interpreter records while a forward runs with
//! gradients on: each tensor that needs a gradient remembers its [`Origin`] (the core layer
//! call, shape change, `relu`, `max_pool2d` or `cross_entropy` that made it, with its inputs),
//! so a `class Net(nn.Module)` whose `forward` mixes submodules and functional ops
//! back-propagates like PyTorch's autograd. Core layers keep their own caches
//! ([`crate::nn::Module::backward`]) and accumulate into their `Param::grad`.
//!
//! A layer called twice in one forward (or run again before `backward()`) has only its last
//! call cached; the earlier call's cache is rebuilt by running the layer's forward again on
//! the saved input — exact for the deterministic layers, refused for `Dropout` and
//! `BatchNorm2d` in training mode. An operation outside this set leaves a tensor with a
//! `grad_fn` and no origin; `backward()` through it raises `not supported in nnbook yet`.
use super::error::{PyErr, PyResult};
use super::value::{ModKind, ModRef, Origin, TensorVal};
use crate::tensor::Tensor;
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

thread_local! {
    static NEXT_GEN: Cell<u64> = const { Cell::new(1) };
}

/// A fresh forward number (unique in the process), stored in the layer whose cache it fills.
pub fn next_gen() -> u64 {
    NEXT_GEN.with(|g| {
        let v = g.get();
        g.set(v + 1);
        v
    })
}

fn inputs(o: &Origin) -> Vec<&Rc<TensorVal>> {
    match o {
        Origin::Layer { input, .. }
        | Origin::Reshape { input }
        | Origin::Relu { input }
        | Origin::MaxPool { input, .. }
        | Origin::CrossEntropy { input, .. } => vec![input],
    }
}

fn key(t: &Rc<TensorVal>) -> *const TensorVal {
    Rc::as_ptr(t)
}

/// Tensors reachable from `root` through origins, consumers before their inputs.
fn topo_order(root: &Rc<TensorVal>) -> PyResult<Vec<Rc<TensorVal>>> {
    let mut post = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // (tensor, children pushed)
    let mut stack = vec![(root.clone(), false)];
    while let Some((t, expanded)) = stack.pop() {
        if expanded {
            post.push(t);
            continue;
        }
        if !seen.insert(key(&t)) {
            continue;
        }
        stack.push((t.clone(), true));
        match t.origin.as_deref() {
            Some(o) => {
                for i in inputs(o) {
                    if i.requires_grad() && !seen.contains(&key(i)) {
                        stack.push((i.clone(), false));
                    }
                }
            }
            None if t.is_param => return Err(PyErr::unsupported(
                "backward() into a parameter used outside its layer (e.g. model.fc.weight.sum())",
            )),
            None => {
                return Err(PyErr::unsupported(format!(
                    "backward() through {} (an operation nnbook cannot differentiate yet)",
                    t.grad_fn.unwrap_or("this operation")
                )))
            }
        }
    }
    post.reverse();
    Ok(post)
}

fn accumulate(grads: &mut HashMap<*const TensorVal, Tensor>, t: &Rc<TensorVal>, g: Tensor) {
    if !t.requires_grad() {
        return;
    }
    match grads.get_mut(&key(t)) {
        Some(acc) => acc
            .data_mut()
            .iter_mut()
            .zip(g.data())
            .for_each(|(a, b)| *a += b),
        None => {
            grads.insert(key(t), g);
        }
    }
}

/// Makes `module`'s cache hold its forward number `gen` (see the module docs).
fn restore_cache(module: &ModRef, gen: u64, input: &Tensor) -> PyResult<()> {
    let mut mb = module.borrow_mut();
    if mb.gen == gen {
        return Ok(());
    }
    let training = mb.training;
    let ModKind::Native(n, name) = &mut mb.kind else {
        return Err(PyErr::runtime(
            "autograd: a layer node that is not a core layer",
        ));
    };
    if training
        && matches!(
            *name,
            "Dropout" | "BatchNorm2d" | "BatchNorm1d" | "TransformerEncoderLayer"
        )
    {
        return Err(PyErr::unsupported(format!(
            "loss.backward() when an nn.{name} in training mode ran again (twice in one forward, or before backward())"
        )));
    }
    n.forward(input)?;
    mb.gen = gen;
    Ok(())
}

/// `t.backward()` for a one-element `t`.
pub fn backward(root: &Rc<TensorVal>) -> PyResult<()> {
    if !root.requires_grad() {
        return Err(PyErr::runtime(
            "element 0 of tensors does not require grad and does not have a grad_fn",
        ));
    }
    if root.t.numel() != 1 {
        return Err(PyErr::runtime(
            "grad can be implicitly created only for scalar outputs",
        ));
    }
    let order = topo_order(root)?;
    let mut grads = HashMap::new();
    grads.insert(key(root), Tensor::full(root.t.shape(), 1.0)?);
    for t in order {
        let Some(g) = grads.remove(&key(&t)) else {
            continue;
        };
        let Some(o) = t.origin.as_deref() else {
            continue;
        };
        match o {
            Origin::Layer { module, gen, input } => {
                restore_cache(module, *gen, &input.t)?;
                let gx = match &mut module.borrow_mut().kind {
                    ModKind::Native(n, _) => n.backward(&g)?,
                    _ => return Err(PyErr::runtime("autograd: not a core layer")),
                };
                accumulate(&mut grads, input, gx);
            }
            Origin::Reshape { input } => {
                let shape: Vec<i64> = input.t.shape().iter().map(|&d| d as i64).collect();
                accumulate(&mut grads, input, g.reshape(&shape)?);
            }
            Origin::Relu { input } => {
                let gx = crate::ops::relu_backward(&input.t, &g)?;
                accumulate(&mut grads, input, gx);
            }
            Origin::MaxPool { input, indices } => {
                let gx = crate::ops::max_pool2d_backward(input.t.shape(), indices, &g)?;
                accumulate(&mut grads, input, gx);
            }
            Origin::CrossEntropy {
                input,
                labels,
                reduction,
                ignore_index,
            } => {
                let gx = crate::ops::cross_entropy_backward(
                    &input.t,
                    labels,
                    *reduction,
                    *ignore_index,
                    &g,
                )?;
                accumulate(&mut grads, input, gx);
            }
        }
    }
    Ok(())
}
