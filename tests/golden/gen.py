#!/usr/bin/env python3
"""Write nnbook's golden fixtures (tests/golden/*.json) with real PyTorch.

Format: docs/GOLDEN-SCHEMA.md (schema_version 1). Every number in the fixtures is computed
here by PyTorch on CPU in float32 with one thread, deterministic algorithms and fixed seeds, so
running this script twice writes byte-identical files.

Regenerate (from the repository root):
    scripts/torch-venv.sh && "${NNBOOK_TORCH_PYTHON:-.venv-torch/bin/python}" tests/golden/gen.py

Tolerances are chosen per tensor (see `fit_tol`): a floor that models the rounding of a float32
implementation summing in a different order, raised if needed so that PyTorch's own float32
result sits within a quarter of the tolerance of PyTorch's float64 result on the same inputs.
"""

import json
import math
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = "tests/golden/gen.py"
# The sprite PNGs of real CIFAR-10 images (the same folder `make data` reads).
DATA_DIR = os.environ.get("NNBOOK_DATA_SRC") or os.path.join(ROOT, "..", "shared", "data")
EPS32 = float(np.finfo(np.float32).eps)
TOLERANCE_RULE = "|actual - expected| <= atol + rtol * |expected|, elementwise"

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------------------------------------
# Shortest float32 decimals and the JSON writer
# ---------------------------------------------------------------------------------------------

def _near_f32_midpoint(d, v):
    """True if the double `d` is within 4 double ulps of a midpoint between float32 `v` and a
    neighbour, where a parser that rounds decimal -> double -> float32 (serde_json does) or
    that is off by an ulp in the double could land on the wrong float32."""
    for direction in (-math.inf, math.inf):
        nb = np.nextafter(v, np.float32(direction))
        if np.isfinite(nb):
            mid = (float(v) + float(nb)) / 2.0
            if abs(d - mid) <= 4 * math.ulp(mid):
                return True
    return False


def f32_str(v):
    """Shortest '%.{p}g' decimal that reads back to the float32 `v`.

    A decimal rounds to the same float32 as its nearest double unless that double is a float32
    midpoint; `_near_f32_midpoint` rules that out with a margin, so the decimal reads back to
    `v` exactly, both directly and through a double.
    """
    v = np.float32(v)
    if not np.isfinite(v):
        raise ValueError(f"non-finite value {v} cannot be written to JSON")
    if v == 0:
        return "-0.0" if math.copysign(1.0, float(v)) < 0 else "0.0"
    for p in range(1, 10):
        s = "%.*g" % (p, float(v))
        d = float(s)
        if np.float32(d) == v and not _near_f32_midpoint(d, v):
            return s
    raise AssertionError(f"no 9-digit decimal for {v!r}")


class Raw(str):
    """Text written verbatim into the JSON (pre-formatted numbers)."""


def tensor_json(t, dtype=None):
    """TENSOR = {"shape", "dtype", "data"} from a torch tensor (float32 or int64)."""
    t = t.detach().cpu()
    dtype = dtype or ("int64" if t.dtype == torch.int64 else "float32")
    if dtype == "int64":
        data = [Raw(str(int(v))) for v in t.reshape(-1).tolist()]
    else:
        arr = t.to(torch.float32).reshape(-1).numpy()
        data = [Raw(f32_str(v)) for v in arr]
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def _emit(obj, ind):
    pad = " " * ind
    if isinstance(obj, Raw):
        return str(obj)
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return json.dumps(obj)
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError("non-finite float")
        return repr(obj)
    if isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            sep = "," if obj and isinstance(obj[0], Raw) else ", "
            return "[" + sep.join(_emit(v, 0) for v in obj) + "]"
        return "[\n" + ",\n".join(pad + " " + _emit(v, ind + 1) for v in obj) + "\n" + pad + "]"
    if isinstance(obj, dict):
        if set(obj) == {"shape", "dtype", "data"}:  # one tensor per line
            return "{" + ", ".join(f"{json.dumps(k)}: {_emit(v, 0)}" for k, v in obj.items()) + "}"
        if not obj:
            return "{}"
        if all(not isinstance(v, dict) and not (isinstance(v, list) and v and isinstance(
                v[0], (dict, list))) for v in obj.values()):
            line = "{" + ", ".join(f"{json.dumps(k)}: {_emit(v, 0)}" for k, v in obj.items()) + "}"
            if len(line) <= 100:  # small flat objects (params, tolerances, samples) on one line
                return line
        body = ",\n".join(f"{pad} {json.dumps(k)}: {_emit(v, ind + 1)}" for k, v in obj.items())
        return "{\n" + body + "\n" + pad + "}"
    raise TypeError(f"cannot write {type(obj)}")


def write_file(fname, group, description, cases):
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), f"duplicate case names in {fname}"
    doc = {
        "schema_version": 1,
        "group": group,
        "description": description,
        "generator": {"implementation": "torch", "torch_version": torch.__version__,
                      "script": SCRIPT},
        "tolerance_rule": TOLERANCE_RULE,
        "cases": cases,
    }
    path = os.path.join(HERE, fname)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(_emit(doc, 0) + "\n")
    print(f"wrote {fname}: {len(cases)} cases, {os.path.getsize(path) / 1e3:.0f} kB")


# ---------------------------------------------------------------------------------------------
# Tolerances
# ---------------------------------------------------------------------------------------------

TOL_DESCRIPTION = (
    "Tolerances are per tensor (rule: |actual - expected| <= atol + rtol*|expected|). rtol is "
    "1e-4 for single ops (1e-3 for the whole model). atol is the larger of (a) a floor modelling "
    "float32 rounding with a different summation order: for sums of K products (linear, conv2d "
    "and their gradients) 4*eps32*sqrt(K)*S, where S is the largest sum of absolute products "
    "(the same op evaluated in float64 on |inputs|), otherwise a small multiple of eps32 or 1e-6 "
    "times the tensor's natural scale; and (b) the smallest atol that keeps PyTorch's own "
    "float32 result within a quarter of the tolerance of PyTorch's float64 result on the same "
    "inputs (so an implementation with the same accuracy as PyTorch but another summation order "
    "passes with margin). atol is rounded up to 1, 2 or 5 times a power of ten. Selections "
    "(max_pool2d values and indices) are exact (0/0)."
)


def nice_up(x):
    """Round x > 0 up to 1, 2 or 5 times a power of ten."""
    if x <= 0:
        return 0.0
    e = math.floor(math.log10(x))
    m = x / 10.0 ** e
    for c in (1, 2, 5):
        if m <= c * (1 + 1e-9):
            return float(f"{c}e{e}")
    return float(f"1e{e + 1}")


def fit_tol(t32, t64, rtol, floor, exceptions_mask=None):
    """{"rtol", "atol"} for expected `t32`, given the float64 reference `t64` (see module doc)."""
    a = t32.detach().double().reshape(-1)
    b = t64.detach().double().reshape(-1)
    need = 4 * (a - b).abs() - rtol * a.abs()
    if exceptions_mask is not None:
        need = need[~exceptions_mask.reshape(-1)]
    need = need.max().item() if need.numel() else 0.0
    return {"rtol": rtol, "atol": nice_up(max(floor, need, 1e-9))}


EXACT = {"rtol": 0.0, "atol": 0.0}


def sum_floor(s_abs, k):
    """atol floor for a tensor whose elements are sums of k products; s_abs = abs-sum tensor."""
    s = s_abs.detach().abs().max().item() if s_abs.numel() else 0.0
    return max(1e-6, 4 * EPS32 * math.sqrt(max(k, 1)) * s)


# ---------------------------------------------------------------------------------------------
# Running an op in float32 and float64
# ---------------------------------------------------------------------------------------------

def run(fn, inputs, grad_names, dtype, absolute=False):
    """Evaluate fn on copies of `inputs` in `dtype`; return (outputs, grads).

    fn(ts) -> (outputs dict, scalar L, watched intermediates dict). grads holds dL/d(name) for
    names in grad_names (inputs or watched intermediates). With absolute=True float inputs are
    replaced by their absolute values (for abs-sum bounds of bilinear ops).
    """
    ts = {}
    for k, v in inputs.items():
        if v.is_floating_point():
            v = v.detach().to(dtype).clone()
            if absolute:
                v = v.abs()
            v.requires_grad_(k in grad_names)
        ts[k] = v
    outs, loss, watch = fn(ts)
    for w in watch.values():
        w.retain_grad()
    loss.backward()
    grads = {}
    for k in grad_names:
        src = ts[k] if k in ts else watch[k]
        grads[k] = src.grad.detach().clone() if src.grad is not None else torch.zeros_like(src)
    return {k: v.detach() for k, v in outs.items()}, grads


def run_both(fn, inputs, grad_names):
    o32, g32 = run(fn, inputs, grad_names, torch.float32)
    o64, g64 = run(fn, inputs, grad_names, torch.float64)
    return o32, g32, o64, g64


def rng(seed):
    return torch.Generator().manual_seed(seed)


def make_case(name, op, params, inputs, loss, outputs, grads, tol, notes=None, **extra):
    c = {"name": name, "op": op, "params": params,
         "inputs": {k: tensor_json(v) for k, v in inputs.items()}}
    if loss is not None:
        c["loss"] = loss
    c["outputs"] = {k: tensor_json(v) for k, v in outputs.items()}
    if grads is not None:
        c["grads"] = {k: tensor_json(v) for k, v in grads.items()}
    c["tol"] = tol
    c.update(extra)
    if notes:
        c["notes"] = notes
    return c


# ---------------------------------------------------------------------------------------------
# linear
# ---------------------------------------------------------------------------------------------

def linear_cases():
    specs = [  # (N, in, out, bias)
        (1, 5, 3, True), (1, 7, 4, False), (4, 6, 3, True), (8, 32, 10, True),
        (6, 64, 10, False), (16, 48, 12, True), (3, 1, 2, True), (5, 4, 1, False),
    ]
    cases = []
    for i, (n, fin, fout, bias) in enumerate(specs):
        g = rng(100 + i)
        bound = 1 / math.sqrt(fin)
        inputs = {"x": torch.randn(n, fin, generator=g),
                  "weight": (torch.rand(fout, fin, generator=g) * 2 - 1) * bound}
        if bias:
            inputs["bias"] = (torch.rand(fout, generator=g) * 2 - 1) * bound
        inputs["g"] = torch.randn(n, fout, generator=g)

        def fn(ts, bias=bias):
            y = F.linear(ts["x"], ts["weight"], ts["bias"] if bias else None)
            return {"y": y}, (y * ts["g"]).sum(), {}

        gn = ["x", "weight"] + (["bias"] if bias else [])
        o32, g32, o64, g64 = run_both(fn, inputs, gn)
        oa, ga = run(fn, inputs, gn, torch.float64, absolute=True)
        ks = {"y": fin, "x": fout, "weight": n, "bias": n}
        tol = {"outputs": {"y": fit_tol(o32["y"], o64["y"], 1e-4, sum_floor(oa["y"], fin))},
               "grads": {k: fit_tol(g32[k], g64[k], 1e-4, sum_floor(ga[k], ks[k])) for k in gn}}
        name = f"linear_{n}x{fin}_to{fout}" + ("" if bias else "_nobias")
        cases.append(make_case(
            name, "linear", {"in_features": fin, "out_features": fout, "bias": bias}, inputs,
            "L = sum(y * g)", o32, g32, tol,
            notes=f"y = F.linear(x, weight, {'bias' if bias else 'None'})"))
    return cases


# ---------------------------------------------------------------------------------------------
# conv2d
# ---------------------------------------------------------------------------------------------

def conv2d_cases():
    specs = [  # (N, Cin, H, W, Cout, kernel, stride, padding, bias)
        (2, 3, 5, 5, 4, (1, 1), (1, 1), (0, 0), True),
        (1, 2, 6, 7, 3, (1, 1), (2, 2), (0, 0), False),
        (2, 3, 8, 8, 4, (3, 3), (1, 1), (1, 1), True),
        (2, 3, 8, 8, 5, (3, 3), (2, 2), (1, 1), False),
        (1, 2, 7, 6, 3, (3, 3), (1, 1), (0, 0), True),
        (2, 3, 9, 9, 6, (5, 5), (1, 1), (2, 2), True),
        (1, 2, 11, 11, 3, (5, 5), (2, 2), (0, 0), True),
        (1, 3, 12, 12, 32, (5, 5), (1, 1), (2, 2), True),   # first layer of the CIFAR model
        (2, 3, 7, 9, 4, (3, 2), (1, 2), (1, 0), True),
        (1, 4, 6, 10, 3, (2, 5), (2, 1), (0, 2), False),
        (1, 2, 7, 7, 2, (3, 3), (3, 3), (2, 2), True),      # stride = kernel, padding 2
        (2, 2, 8, 6, 3, (5, 3), (2, 1), (2, 1), True),
        (1, 3, 5, 5, 2, (5, 5), (1, 1), (0, 0), True),      # kernel covers the whole image
        (2, 1, 4, 9, 2, (1, 3), (1, 3), (0, 1), False),
    ]
    cases = []
    for i, (n, cin, h, w, cout, k, s, p, bias) in enumerate(specs):
        g = rng(200 + i)
        fan_in = cin * k[0] * k[1]
        bound = 1 / math.sqrt(fan_in)
        ho = (h + 2 * p[0] - k[0]) // s[0] + 1
        wo = (w + 2 * p[1] - k[1]) // s[1] + 1
        inputs = {"x": torch.randn(n, cin, h, w, generator=g),
                  "weight": (torch.rand(cout, cin, *k, generator=g) * 2 - 1) * bound}
        if bias:
            inputs["bias"] = (torch.rand(cout, generator=g) * 2 - 1) * bound
        inputs["g"] = torch.randn(n, cout, ho, wo, generator=g)

        def fn(ts, s=s, p=p, bias=bias):
            y = F.conv2d(ts["x"], ts["weight"], ts["bias"] if bias else None, stride=s, padding=p)
            return {"y": y}, (y * ts["g"]).sum(), {}

        gn = ["x", "weight"] + (["bias"] if bias else [])
        o32, g32, o64, g64 = run_both(fn, inputs, gn)
        oa, ga = run(fn, inputs, gn, torch.float64, absolute=True)
        ks = {"y": fan_in, "x": cout * k[0] * k[1], "weight": n * ho * wo, "bias": n * ho * wo}
        tol = {"outputs": {"y": fit_tol(o32["y"], o64["y"], 1e-4, sum_floor(oa["y"], fan_in))},
               "grads": {k_: fit_tol(g32[k_], g64[k_], 1e-4, sum_floor(ga[k_], ks[k_]))
                         for k_ in gn}}
        name = (f"conv_k{k[0]}x{k[1]}_s{s[0]}x{s[1]}_p{p[0]}x{p[1]}_{n}x{cin}x{h}x{w}_to{cout}"
                + ("" if bias else "_nobias"))
        params = {"in_channels": cin, "out_channels": cout, "kernel_size": list(k),
                  "stride": list(s), "padding": list(p), "bias": bias}
        cases.append(make_case(
            name, "conv2d", params, inputs, "L = sum(y * g)", o32, g32, tol,
            notes=(f"y = F.conv2d(x, weight, {'bias' if bias else 'None'}, stride={s}, "
                   f"padding={p})")))
    return cases


# ---------------------------------------------------------------------------------------------
# max_pool2d
# ---------------------------------------------------------------------------------------------

def max_pool2d_cases():
    # (name, shape, kernel, stride, padding, data kind)
    specs = [
        ("k2s2_random", (2, 3, 8, 8), (2, 2), (2, 2), (0, 0), "randn"),
        ("k2s2_ties_int", (2, 2, 6, 6), (2, 2), (2, 2), (0, 0), "int3"),
        ("k2s2_odd_input_floor", (1, 2, 7, 7), (2, 2), (2, 2), (0, 0), "randn"),
        ("k3s2p1_overlap", (2, 2, 7, 7), (3, 3), (2, 2), (1, 1), "randn"),
        ("k3s2p1_overlap_ties_int", (2, 2, 7, 7), (3, 3), (2, 2), (1, 1), "int3"),
        ("k3s1p1_overlap_ties_int", (1, 2, 6, 6), (3, 3), (1, 1), (1, 1), "int4"),
        ("k3s2p0_nonsquare_input", (1, 3, 9, 7), (3, 3), (2, 2), (0, 0), "randn"),
        ("k2x3_s1x2_p1x1_ties_int", (2, 1, 5, 8), (2, 3), (1, 2), (1, 1), "int2"),
        ("k3s2p1_all_equal", (1, 1, 5, 5), (3, 3), (2, 2), (1, 1), "const"),
        ("k2s2p1_all_negative", (1, 2, 6, 6), (2, 2), (2, 2), (1, 1), "neg"),
        ("k3s3_ties_int", (1, 2, 9, 9), (3, 3), (3, 3), (0, 0), "int2"),
        ("k2s1_overlap_ties_int", (1, 1, 5, 6), (2, 2), (1, 1), (0, 0), "int2"),
    ]
    cases = []
    for i, (tag, shape, k, s, p, kind) in enumerate(specs):
        g = rng(300 + i)
        if kind == "randn":
            x = torch.randn(*shape, generator=g)
        elif kind.startswith("int"):
            x = torch.randint(0, int(kind[3:]), shape, generator=g).float()
        elif kind == "const":
            x = torch.full(shape, 0.5)
        else:
            x = torch.randn(*shape, generator=g) - 5.0
        ho = (shape[2] + 2 * p[0] - k[0]) // s[0] + 1
        wo = (shape[3] + 2 * p[1] - k[1]) // s[1] + 1
        inputs = {"x": x, "g": torch.randn(shape[0], shape[1], ho, wo, generator=g)}

        def fn(ts, k=k, s=s, p=p):
            y, idx = F.max_pool2d(ts["x"], k, s, p, return_indices=True)
            return {"y": y, "indices": idx}, (y * ts["g"]).sum(), {}

        o32, g32, o64, g64 = run_both(fn, inputs, ["x"])
        assert torch.equal(o32["indices"], o64["indices"])
        tol = {"outputs": {"y": EXACT, "indices": EXACT},
               "grads": {"x": fit_tol(g32["x"], g64["x"], 1e-4, 1e-6)}}
        notes = (f"y, indices = F.max_pool2d(x, {k}, {s}, {p}, return_indices=True); "
                 "indices are flat h*W+w within each input plane")
        if kind.startswith("int") or kind == "const":
            notes += ("; integer-valued input with repeated maxima inside windows: the first "
                      "maximum in row-major window order wins (PyTorch's indices are the truth)")
        if kind == "neg":
            notes += "; all inputs negative: padding must act as -inf, not 0"
        cases.append(make_case(
            f"maxpool_{tag}_{'x'.join(map(str, shape))}", "max_pool2d",
            {"kernel_size": list(k), "stride": list(s), "padding": list(p)},
            inputs, "L = sum(y * g)", o32, g32, tol, notes=notes))
    return cases


# ---------------------------------------------------------------------------------------------
# softmax / log_softmax
# ---------------------------------------------------------------------------------------------

def large_logits(g, shape):
    x = (torch.rand(*shape, generator=g) * 2 - 1) * 3e4
    x.view(-1)[0] = 3e4
    x.view(-1)[1] = -3e4
    x.view(-1)[-1] = 2.9999e4
    return x


def softmax_cases():
    specs = [  # (tag, shape, dim, kind)
        ("4x10_dim1", (4, 10), 1, "randn"),
        ("4x10_dim0", (4, 10), 0, "randn"),
        ("4x10_dimm1", (4, 10), -1, "randn"),
        ("2x3x5_dim1", (2, 3, 5), 1, "randn"),
        ("2x3x5_dim2", (2, 3, 5), 2, "randn"),
        ("2x3x5_dimm3", (2, 3, 5), -3, "randn"),
        ("3x6_dim1_large_logits_3e4", (3, 6), 1, "large"),
        ("6x3_dim0_large_logits_3e4", (6, 3), 0, "large"),
        ("2x4_equal_rows", (2, 4), 1, "const"),
        ("1x1", (1, 1), 1, "randn"),
        ("7_dim0_1d", (7,), 0, "scaled"),
    ]
    cases = []
    for op, fnc in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
        for i, (tag, shape, dim, kind) in enumerate(specs):
            g = rng(400 + i)
            if kind == "large":
                x = large_logits(g, shape)
            elif kind == "const":
                x = torch.full(shape, 3.0)
            elif kind == "scaled":
                x = torch.randn(*shape, generator=g) * 20
            else:
                x = torch.randn(*shape, generator=g) * 2
            inputs = {"x": x, "g": torch.randn(*shape, generator=g)}

            def fn(ts, dim=dim, fnc=fnc):
                y = fnc(ts["x"], dim=dim)
                return {"y": y}, (y * ts["g"]).sum(), {}

            o32, g32, o64, g64 = run_both(fn, inputs, ["x"])
            xmax = x.abs().max().item()
            c = shape[dim]
            gmax = inputs["g"].abs().max().item()
            yfloor = 1e-6 if op == "softmax" else max(1e-6, 8 * EPS32 * xmax)
            tol = {"outputs": {"y": fit_tol(o32["y"], o64["y"], 1e-4, yfloor)},
                   "grads": {"x": fit_tol(g32["x"], g64["x"], 1e-4, 1e-6 * c * max(1, gmax))}}
            notes = f"y = F.{op}(x, dim={dim})"
            if kind == "large":
                notes += "; logits up to +-3e4 (a naive exp overflows)"
            cases.append(make_case(f"{op}_{tag}", op, {"dim": dim}, inputs, "L = sum(y * g)",
                                   o32, g32, tol, notes=notes))
    return cases


# ---------------------------------------------------------------------------------------------
# cross_entropy
# ---------------------------------------------------------------------------------------------

def cross_entropy_cases():
    specs = [  # (tag, N, C, reduction, kind, ignore_index)
        ("5x4", 5, 4, "mean", "randn", None),
        ("5x4", 5, 4, "sum", "randn", None),
        ("5x4", 5, 4, "none", "randn", None),
        ("1x10", 1, 10, "mean", "randn", None),
        ("8x10", 8, 10, "mean", "randn", None),
        ("8x10", 8, 10, "none", "randn", None),
        ("4x6_large_logits_3e4", 4, 6, "mean", "large", None),
        ("4x6_large_logits_3e4", 4, 6, "sum", "large", None),
        ("4x6_large_logits_3e4", 4, 6, "none", "large", None),
        ("6x5_ignore_m100", 6, 5, "mean", "randn", -100),
        ("6x5_ignore_m100", 6, 5, "sum", "randn", -100),
        ("6x5_ignore_m100", 6, 5, "none", "randn", -100),
        ("6x5_ignore_2", 6, 5, "mean", "randn", 2),
    ]
    cases = []
    for i, (tag, n, c, red, kind, ign) in enumerate(specs):
        g = rng(500 + i)
        logits = large_logits(g, (n, c)) if kind == "large" else torch.randn(n, c, generator=g) * 2
        labels = torch.randint(0, c, (n,), generator=g)
        if ign == -100:
            labels[1] = -100
            labels[4] = -100
        elif ign is not None:
            labels[0] = ign
            labels[3] = ign
            labels[5] = (ign + 1) % c
        inputs = {"logits": logits, "labels": labels}
        if red == "none":
            inputs["g_loss"] = torch.randn(n, generator=g)
        kw = {"reduction": red}
        if ign is not None:
            kw["ignore_index"] = ign

        def fn(ts, kw=kw, red=red):
            loss = F.cross_entropy(ts["logits"], ts["labels"], **kw)
            lval = (loss * ts["g_loss"]).sum() if red == "none" else loss
            return {"loss": loss}, lval, {}

        o32, g32, o64, g64 = run_both(fn, inputs, ["logits"])
        lmax = logits.abs().max().item()
        tol = {"outputs": {"loss": fit_tol(o32["loss"], o64["loss"], 1e-4,
                                           max(1e-6, 16 * EPS32 * lmax))},
               "grads": {"logits": fit_tol(g32["logits"], g64["logits"], 1e-4, 1e-6)}}
        params = {"reduction": red}
        notes = f"loss = F.cross_entropy(logits, labels, reduction='{red}'"
        if ign is not None:
            params["ignore_index"] = ign
            notes += (f", ignore_index={ign}); labels equal to ignore_index contribute loss 0 and "
                      "gradient 0, and 'mean' divides by the number of non-ignored labels "
                      "(params.ignore_index is an addition to the schema's params; default -100)")
        else:
            notes += ")"
        if kind == "large":
            notes += "; logits up to +-3e4"
        cases.append(make_case(
            f"ce_{tag}_{red}", "cross_entropy", params, inputs,
            "L = sum(loss * g_loss)" if red == "none" else "L = loss", o32, g32, tol,
            notes=notes))
    return cases


# ---------------------------------------------------------------------------------------------
# affine_grid and grid_sample
# ---------------------------------------------------------------------------------------------

def random_theta(g, n, scale=1.0, shift=0.0):
    """Near-identity affine maps with a rotation, anisotropic scale and shift."""
    thetas = []
    for _ in range(n):
        ang = (torch.rand(1, generator=g).item() - 0.5) * 1.2
        sx = scale * (0.7 + 0.6 * torch.rand(1, generator=g).item())
        sy = scale * (0.7 + 0.6 * torch.rand(1, generator=g).item())
        tx = shift * (torch.rand(1, generator=g).item() * 2 - 1)
        ty = shift * (torch.rand(1, generator=g).item() * 2 - 1)
        thetas.append([[sx * math.cos(ang), -sy * math.sin(ang), tx],
                       [sx * math.sin(ang), sy * math.cos(ang), ty]])
    return torch.tensor(thetas, dtype=torch.float32)


def base_coords(size, align_corners):
    """The affine_grid base grid [H, W, 3] = (x, y, 1) in float64."""
    n, c, h, w = size
    eye = torch.tensor([[[1.0, 0, 0], [0, 1.0, 0]]], dtype=torch.float64)
    grid = F.affine_grid(eye, [1, c, h, w], align_corners=align_corners)[0]
    return torch.cat([grid, torch.ones(h, w, 1, dtype=torch.float64)], dim=2)


def theta_abs_floor(g_grid_abs, size, align_corners):
    """Floor for dL/dtheta = sum_{h,w} g_grid[n,h,w,i] * base[h,w,j] (K = H*W products)."""
    base = base_coords(size, align_corners).abs()
    s = torch.einsum("nhwi,hwj->nij", g_grid_abs.double(), base)
    return sum_floor(s, size[2] * size[3])


def affine_grid_cases():
    specs = [  # (size, kind)
        ([2, 3, 4, 5], "random"), ([1, 1, 3, 3], "identity"), ([2, 1, 5, 2], "random"),
        ([1, 2, 1, 4], "random"), ([3, 1, 6, 6], "far"), ([1, 1, 1, 1], "random"),
    ]
    cases = []
    for i, (size, kind) in enumerate(specs):
        for ac in (False, True):
            g = rng(600 + i)
            if kind == "identity":
                theta = torch.tensor([[[1.0, 0, 0], [0, 1.0, 0]]])
            elif kind == "far":
                theta = random_theta(g, size[0], scale=1.6, shift=0.9)
            else:
                theta = random_theta(g, size[0], shift=0.3)
            n, _, h, w = size
            inputs = {"theta": theta, "g_grid": torch.randn(n, h, w, 2, generator=g)}

            def fn(ts, size=size, ac=ac):
                grid = F.affine_grid(ts["theta"], size, align_corners=ac)
                return {"grid": grid}, (grid * ts["g_grid"]).sum(), {}

            o32, g32, o64, g64 = run_both(fn, inputs, ["theta"])
            tmax = theta.abs().max().item()
            tol = {"outputs": {"grid": fit_tol(o32["grid"], o64["grid"], 1e-4,
                                               max(1e-6, 8 * EPS32 * 3 * tmax))},
                   "grads": {"theta": fit_tol(g32["theta"], g64["theta"], 1e-4, theta_abs_floor(
                       inputs["g_grid"].abs(), size, ac))}}
            cases.append(make_case(
                f"affine_grid_{'x'.join(map(str, size))}_{kind}_ac{int(ac)}", "affine_grid",
                {"size": size, "align_corners": ac}, inputs, "L = sum(grid * g_grid)",
                o32, g32, tol, notes=f"grid = F.affine_grid(theta, {size}, align_corners={ac})"
                + ("; a side of length 1 has base coordinate 0 for both align_corners (PyTorch "
                   "warns for align_corners=True)" if 1 in size[2:] else "")))
    return cases


def unnormalized(grid, size_hw, ac):
    """Pixel coordinates (x, y) of grid points before padding, in float64."""
    h, w = size_hw
    gx, gy = grid[..., 0].double(), grid[..., 1].double()
    if ac:
        return (gx + 1) / 2 * (w - 1), (gy + 1) / 2 * (h - 1)
    return ((gx + 1) * w - 1) / 2, ((gy + 1) * h - 1) / 2


def lattice_distance(coords, mode):
    """Distance of pixel coordinates from where grid_sample is not smooth.

    bilinear: multiples of 0.5 (pixel centres; border/reflection boundaries);
    nearest: half-integers (rounding switches pixel).
    """
    if mode == "nearest":
        return ((coords - 0.5) - torch.round(coords - 0.5)).abs().min().item()
    return (coords * 2 - torch.round(coords * 2)).abs().min().item() / 2


def grid_sample_cases():
    cases = []
    xshape = (2, 3, 5, 6)
    # Out-of-range thetas for every mode x padding x align_corners.
    specs = []
    for mode in ("bilinear", "nearest"):
        for pm in ("zeros", "border", "reflection"):
            for ac in (False, True):
                specs.append((f"{mode}_{pm}_ac{int(ac)}_out_of_range", mode, pm, ac,
                              xshape, [2, 3, 4, 7], "far"))
    # In-range down/up-sampling.
    for mode in ("bilinear", "nearest"):
        specs.append((f"{mode}_zeros_ac0_inside_upsample", mode, "zeros", False, (1, 2, 4, 4),
                      [1, 2, 7, 6], "inside"))
        specs.append((f"{mode}_reflection_ac1_inside_downsample", mode, "reflection", True,
                      (1, 2, 8, 9), [1, 2, 3, 4], "inside"))
    specs.append(("bilinear_border_ac0_far_far_out", "bilinear", "border", False, (1, 1, 4, 5),
                  [1, 1, 5, 5], "very_far"))
    specs.append(("bilinear_reflection_ac0_far_far_out", "bilinear", "reflection", False,
                  (1, 1, 4, 5), [1, 1, 5, 5], "very_far"))
    specs.append(("bilinear_reflection_ac1_far_far_out", "bilinear", "reflection", True,
                  (1, 1, 4, 5), [1, 1, 5, 5], "very_far"))
    # Kink-sensitive: sample points exactly on pixel centres.
    for pm in ("zeros", "border", "reflection"):
        for ac in (False, True):
            specs.append((f"bilinear_{pm}_ac{int(ac)}_identity_pixel_centres", "bilinear", pm, ac,
                          (1, 2, 4, 5), [1, 2, 4, 5], "identity"))
    specs.append(("bilinear_zeros_ac0_shift_one_pixel", "bilinear", "zeros", False, (1, 2, 4, 5),
                  [1, 2, 4, 5], "shift"))
    specs.append(("bilinear_zeros_ac1_half_size_pixel_centres", "bilinear", "zeros", True,
                  (1, 1, 5, 5), [1, 1, 3, 3], "identity"))

    for i, (tag, mode, pm, ac, xs, size, kind) in enumerate(specs):
        kink = kind in ("identity", "shift")
        for attempt in range(100):
            g = rng(700 + 1000 * attempt + i)
            n = size[0]
            if kind == "far":
                theta = random_theta(g, n, scale=1.5, shift=0.8)
            elif kind == "very_far":
                theta = random_theta(g, n, scale=3.0, shift=2.5)
            elif kind == "inside":
                theta = random_theta(g, n, scale=0.8, shift=0.1)
            elif kind == "identity":
                theta = torch.tensor([[[1.0, 0, 0], [0, 1.0, 0]]]).repeat(n, 1, 1)
            else:  # shift by exactly one pixel to the right (x + 2/W in normalised coords)
                theta = torch.tensor([[[1.0, 0, 2.0 / xs[3]], [0, 1.0, 0]]]).repeat(n, 1, 1)
            grid = F.affine_grid(theta, size, align_corners=ac)
            cx, cy = unnormalized(grid, xs[2:], ac)
            dist = min(lattice_distance(cx, mode), lattice_distance(cy, mode))
            if kink or dist >= 1e-3:
                break
        else:
            raise AssertionError(f"no smooth theta for {tag}")
        x = torch.randn(*xs, generator=g)
        inputs = {"x": x, "theta": theta, "g": torch.randn(n, xs[1], size[2], size[3],
                                                           generator=g)}

        def fn(ts, size=size, ac=ac, mode=mode, pm=pm):
            grid = F.affine_grid(ts["theta"], size, align_corners=ac)
            y = F.grid_sample(ts["x"], grid, mode=mode, padding_mode=pm, align_corners=ac)
            return {"y": y, "grid": grid}, (y * ts["g"]).sum(), {"grid": grid}

        gn = ["x", "theta", "grid"]
        o32, g32, o64, g64 = run_both(fn, inputs, gn)
        xmax = x.abs().max().item()
        gmax = inputs["g"].abs().max().item()
        tmax = theta.abs().max().item()
        coord = max(xs[2], xs[3])  # unnormalising multiplies errors by about size/2
        g_grid_bound = xs[1] * gmax * 2 * xmax * coord / 2  # |dL/dgrid| <= C*|g|*|dx|*size/2
        mask_ok = not kink
        tol = {
            "outputs": {
                "y": fit_tol(o32["y"], o64["y"], 1e-4, max(1e-6, 16 * EPS32 * coord * xmax)),
                "grid": fit_tol(o32["grid"], o64["grid"], 1e-4, max(1e-6, 24 * EPS32 * tmax))},
            "grads": {
                "x": fit_tol(g32["x"], g64["x"], 1e-4,
                             max(1e-6, 16 * EPS32 * coord * gmax * math.sqrt(
                                 size[2] * size[3] / (xs[2] * xs[3]) + 4)))},
        }
        if mask_ok:
            tol["grads"]["theta"] = fit_tol(g32["theta"], g64["theta"], 1e-4, max(
                theta_abs_floor(g64["grid"].abs(), size, ac), 1e-6))
            tol["grads"]["grid"] = fit_tol(g32["grid"], g64["grid"], 1e-4,
                                           max(1e-6, 32 * EPS32 * g_grid_bound))
        else:  # the runner skips these; give the floors without the float64 fit
            tol["grads"]["theta"] = {"rtol": 1e-4, "atol": nice_up(max(
                theta_abs_floor(g64["grid"].abs(), size, ac), 1e-6))}
            tol["grads"]["grid"] = {"rtol": 1e-4, "atol": nice_up(max(
                1e-6, 32 * EPS32 * g_grid_bound))}
        params = {"size": size, "align_corners": ac, "mode": mode, "padding_mode": pm}
        notes = (f"grid = F.affine_grid(theta, {size}, align_corners={ac}); y = F.grid_sample(x, "
                 f"grid, mode='{mode}', padding_mode='{pm}', align_corners={ac}); grads.grid is "
                 "dL/dgrid of that intermediate grid")
        if mode == "nearest":
            notes += "; nearest: dL/dgrid and dL/dtheta are exactly zero in PyTorch"
        if kind in ("far", "very_far"):
            notes += "; theta sends sample points outside [-1, 1]"
        extra = {}
        if kink:
            extra["kink_sensitive"] = True
            notes += ("; sample points land exactly on pixel centres (one-sided derivative): "
                      "skip the theta and grid gradients")
        else:
            notes += f"; sample coordinates stay >= {dist:.1e} px away from kinks"
        cases.append(make_case(f"grid_sample_{tag}", "affine_grid+grid_sample", params, inputs,
                               "L = sum(y * g)", o32, g32, tol, notes=notes, **extra))
    return cases


# ---------------------------------------------------------------------------------------------
# reshape / flatten
# ---------------------------------------------------------------------------------------------

def samples_of(y, seed, count=8):
    """[{"index": [...], "value": v}] at the first, last and a few pseudo-random elements."""
    if y.numel() == 0:
        return []
    r = np.random.RandomState(seed)
    flat = sorted(set([0, y.numel() - 1] + [int(v) for v in r.randint(0, y.numel(), count)]))
    out = []
    for f in flat:
        idx = list(np.unravel_index(f, tuple(y.shape))) if y.dim() else []
        out.append({"index": [int(v) for v in idx],
                    "value": int(y[tuple(idx)].item()) if y.dim() else int(y.item())})
    return out


def shape_case(name, op, input_shape, params, call, seed, notes):
    numel = int(np.prod(input_shape)) if input_shape else 1
    x = torch.arange(numel, dtype=torch.int64).reshape(input_shape)
    c = {"name": name, "op": op, "params": dict(input_shape=list(input_shape), **params)}
    try:
        y = call(x)
    except Exception as e:  # PyTorch's own exception is the expected result
        c.update(error=True, error_type=type(e).__name__, error_message=str(e))
    else:
        c.update(error=False, expected_shape=list(y.shape), expected_samples=samples_of(y, seed))
    c["notes"] = notes
    return c


def reshape_cases():
    L = [64, 3, 32, 32]
    specs = [
        ("lesson_1_1_1_m1", L, [1, 1, 1, -1]),
        ("lesson_7_m1", L, [7, -1]),
        ("lesson_m1_m1", L, [-1, -1]),
        ("lesson_m2_3072", L, [-2, 3072]),
        ("lesson_64_m1", L, [64, -1]),
        ("lesson_m1_3072", L, [-1, 3072]),
        ("lesson_64_3072_2", L, [64, 3072, 2]),
        ("lesson_m1", L, [-1]),
        ("lesson_64_3_1024", L, [64, 3, 1024]),
        ("lesson_64_3_m1_33", L, [64, 3, -1, 33]),
        ("2x3x4_to_4_m1", [2, 3, 4], [4, -1]),
        ("2x3x4_to_3_2_2_2", [2, 3, 4], [3, 2, 2, 2]),
        ("2x3x4_to_m1_1_2", [2, 3, 4], [-1, 1, 2]),
        ("6_to_0_d_error", [6], []),
        ("1_to_scalar", [1], []),
        ("scalar_to_1_1", [], [1, 1]),
        ("scalar_to_m1", [], [-1]),
        ("empty_0x3_to_m1_0", [0, 3], [-1, 0]),
        ("empty_0x3_to_3_m1", [0, 3], [3, -1]),
        ("empty_0x3_to_5_0", [0, 3], [5, 0]),
        ("5_to_m3", [5], [-3]),
        ("12_to_m1_5", [12], [-1, 5]),
    ]
    cases = []
    for i, (tag, ins, shp) in enumerate(specs):
        cases.append(shape_case(
            f"reshape_{tag}", "reshape", ins, {"shape": shp},
            lambda x, shp=shp: x.reshape(shp), 800 + i,
            f"torch.arange(numel).reshape({ins}).reshape({shp})"))
    return cases


def flatten_cases():
    L = [64, 3, 32, 32]
    specs = [  # (tag, input_shape, start_dim, end_dim)
        ("lesson_4", L, 4, -1),
        ("lesson_2_1", L, 2, 1),
        ("lesson_1", L, 1, -1),
        ("lesson_0", L, 0, -1),
        ("lesson_m3_m1", L, -3, -1),
        ("lesson_1_2", L, 1, 2),
        ("lesson_m5", L, -5, -1),
        ("lesson_0_4", L, 0, 4),
        ("lesson_2_2", L, 2, 2),
        ("lesson_m1_m2", L, -1, -2),
        ("lesson_m2_m1", L, -2, -1),
        ("2x3x4_0_1", [2, 3, 4], 0, 1),
        ("2x3x4_m2_2", [2, 3, 4], -2, 2),
        ("scalar_0_m1", [], 0, -1),
        ("scalar_1", [], 1, -1),
        ("empty_2x0x3_1", [2, 0, 3], 1, -1),
        ("5_0_0", [5], 0, 0),
    ]
    cases = []
    for i, (tag, ins, sd, ed) in enumerate(specs):
        cases.append(shape_case(
            f"flatten_{tag}", "flatten", ins, {"start_dim": sd, "end_dim": ed},
            lambda x, sd=sd, ed=ed: torch.flatten(x, sd, ed), 900 + i,
            f"torch.arange(numel).reshape({ins}).flatten({sd}, {ed})"))
    return cases


# ---------------------------------------------------------------------------------------------
# The CIFAR-10 model
# ---------------------------------------------------------------------------------------------

def read_png_rows(path, rows):
    """First `rows` rows of an 8-bit non-interlaced RGB PNG, as uint8 [rows, width*3]."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif ctype == b"IDAT":
            idat.append(chunk)
        elif ctype == b"IEND":
            break
        pos += 12 + length
    width, height, depth, color, _, _, interlace = ihdr
    assert (depth, color, interlace) == (8, 2, 0), "expected 8-bit RGB, not interlaced"
    raw = zlib.decompress(b"".join(idat))
    bpp, stride = 3, width * 3
    prev = bytearray(stride)
    out = []
    for r in range(rows):
        ft = raw[r * (stride + 1)]
        line = bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
            else:
                assert ft == 0, f"bad PNG filter {ft}"
        out.append(bytes(line))
        prev = line
    return np.frombuffer(b"".join(out), dtype=np.uint8).reshape(rows, stride)


def cifar_batch(n=4):
    if not os.path.isfile(os.path.join(DATA_DIR, "cifar10", "cifar10_batch_0.png")):
        sys.exit(f"gen.py: the real CIFAR-10 sprites are not in {DATA_DIR}/cifar10: set "
                 "NNBOOK_DATA_SRC=DIR to a folder with cifar10/cifar10_batch_0.png and "
                 "cifar10/cifar10_labels.json (the project keeps them in ../shared/data)")
    rows = read_png_rows(os.path.join(DATA_DIR, "cifar10", "cifar10_batch_0.png"), n)
    x = torch.from_numpy(rows.reshape(n, 32, 32, 3).transpose(0, 3, 1, 2).copy()).float() / 255.0
    with open(os.path.join(DATA_DIR, "cifar10", "cifar10_labels.json")) as f:
        labels = torch.tensor(json.load(f)["labels"][:n], dtype=torch.int64)
    return x.contiguous(), labels


def cifar_model():
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, 1, 2), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, 1, 2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, 1, 2), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))


MODEL_TEXT = ("nn.Sequential(Conv2d(3,32,5,1,2), MaxPool2d(2), Conv2d(32,32,5,1,2), MaxPool2d(2), "
              "Conv2d(32,64,5,1,2), MaxPool2d(2), Flatten(), Linear(1024,64), Linear(64,10))")
FIXTURE_FILE = "cifar_model_fixture.json"
MODEL_SEED = 0


def model_pair():
    torch.manual_seed(MODEL_SEED)
    m32 = cifar_model()
    m64 = cifar_model().double()
    m64.load_state_dict({k: v.double() for k, v in m32.state_dict().items()})
    return m32, m64


def grads_of(model, x, labels):
    model.zero_grad()
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    return logits.detach(), loss.detach(), {k: p.grad.detach().clone()
                                            for k, p in model.named_parameters()}


def pool_near_ties(model, x):
    """Count max_pool2d windows whose top two values differ by less than 1e-5 (relative)."""
    count, exact = 0, 0
    h = x
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.MaxPool2d):
                win = F.unfold(h.reshape(-1, 1, *h.shape[2:]), 2, stride=2)  # [B*C, 4, L]
                top2 = win.topk(2, dim=1).values
                gap = (top2[:, 0] - top2[:, 1]).abs()
                near = gap <= 1e-5 * top2[:, 0].abs().clamp_min(1e-6)
                count += int(near.sum())
                exact += int((gap == 0).sum())
            h = layer(h)
    return count, exact


def model_cases():
    x, labels = cifar_batch(4)
    m32, m64 = model_pair()
    names = list(m32.state_dict())
    fixture = {
        "name": "cifar_model_fixture",
        "op": "fixture",
        "params": {"model": MODEL_TEXT,
                   "init": (f"torch.manual_seed({MODEL_SEED}); PyTorch's default initialisation "
                            "(kaiming_uniform_(a=sqrt(5)) weights, U(+-1/sqrt(fan_in)) biases)")},
        "inputs": {"x": tensor_json(x), "labels": tensor_json(labels)},
        "state_dict": {k: tensor_json(v) for k, v in m32.state_dict().items()},
        "notes": ("x: the first 4 training images of CIFAR-10 (cifar10_batch_0.png rows 0-3, "
                  "RGB interleaved -> CHW, /255); labels from cifar10_labels.json. print(net):\n"
                  + str(m32)),
    }
    write_file(FIXTURE_FILE, "cifar_model_fixture",
               "Weights and a batch of real CIFAR-10 images for the whole-model cases.",
               [fixture])

    ntie, nexact = pool_near_ties(m32, x)
    logits, loss, grads = grads_of(m32, x, labels)
    logits64, loss64, grads64 = grads_of(m64, x.double(), labels)
    tol = {"outputs": {
        "logits": fit_tol(logits, logits64, 1e-3, 1e-5 * logits.abs().max().item()),
        "loss": fit_tol(loss, loss64, 1e-3, 1e-6)},
        "grads": {k: fit_tol(grads[k], grads64[k], 1e-3, 1e-4 * grads[k].abs().max().item())
                  for k in names}}
    grad_tol = tol["grads"]
    model_case = {
        "name": "cifar_model_forward_backward", "op": "cifar_model",
        "params": {"model": MODEL_TEXT, "loss": "F.cross_entropy(logits, labels) (mean)"},
        "fixture": FIXTURE_FILE, "inputs": {}, "loss": "L = loss",
        "outputs": {"logits": tensor_json(logits), "loss": tensor_json(loss)},
        "grads": {k: tensor_json(v) for k, v in grads.items()},
        "tol": tol,
        "notes": (f"max_pool2d windows with top-two gap <= 1e-5 relative: {ntie} "
                  f"({nexact} exact ties, from identical receptive fields on flat image regions)"),
    }
    write_file("cifar_model.json", "cifar_model",
               "Logits, mean cross-entropy loss and the gradient of every parameter (state_dict "
               "names) of the lessons' CIFAR-10 model on the fixture batch. " + TOL_DESCRIPTION,
               [model_case])

    def train(model, xx, make_opt, steps):
        opt = make_opt(model.parameters())
        losses, step_grads = [], []
        for _ in range(steps):
            opt.zero_grad()
            loss = F.cross_entropy(model(xx), labels)
            loss.backward()
            losses.append(loss.detach())
            step_grads.append({k: p.grad.detach().clone() for k, p in model.named_parameters()})
            opt.step()
        return torch.stack(losses), {k: v.detach().clone()
                                     for k, v in model.state_dict().items()}, step_grads

    steps = 2
    sgd_p = {"lr": 0.01, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0,
             "nesterov": False, "steps": steps}
    adam_p = {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0,
              "amsgrad": False, "steps": steps}
    opt_cases = []
    for op, p, make in (
            ("cifar_model_sgd", sgd_p, lambda ps: torch.optim.SGD(
                ps, lr=0.01, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False)),
            ("cifar_model_adam", adam_p, lambda ps: torch.optim.Adam(
                ps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False))):
        m32, m64 = model_pair()
        l32, sd32, sg32 = train(m32, x, make, steps)
        l64, sd64, _ = train(m64, x.double(), make, steps)
        sd_tol, notes = {}, []
        for k in names:
            gatol = grad_tol[k]["atol"]
            pscale = sd32[k].abs().max().item()
            if op == "cifar_model_sgd":
                # p_2 = p_0 - lr * (1.9 g_1 + g_2): a gradient error delta = grad atol + 1e-5 |g|
                # moves the weights by at most 2.9 * lr * delta.
                gmax = max(sg[k].abs().max().item() for sg in sg32)
                floor = max(4 * EPS32 * pscale, 2.9 * p["lr"] * (gatol + 1e-5 * gmax))
                sd_tol[k] = fit_tol(sd32[k], sd64[k], 1e-5, floor)
            else:
                # Adam's step is a non-linear function of the gradients (about lr * sign(g) at
                # first): bound how far the final weights can move when each step's gradient
                # moves by delta = grad atol + 1e-5 |g|; elements whose bound exceeds the
                # tensor's tolerance get an exception tolerance of that size.
                deltas = [gatol + 1e-5 * sg[k].abs() for sg in sg32]
                bound = adam_sensitivity([sg[k] for sg in sg32], deltas, p)
                floor = max(4 * EPS32 * pscale, 1e-6)
                t = fit_tol(sd32[k], sd64[k], 1e-5, floor)
                weak = bound > t["atol"]
                t = fit_tol(sd32[k], sd64[k], 1e-5, floor, exceptions_mask=weak)
                idx = torch.nonzero(weak.reshape(-1)).reshape(-1).tolist()
                if idx:
                    t["exceptions"] = {"flat_indices": idx, "rtol": 1e-5,
                                       "atol": nice_up(bound[weak].max().item())}
                    notes.append(f"{k}: {len(idx)} (atol {t['exceptions']['atol']:g})")
                sd_tol[k] = t
        tol = {"outputs": {"losses_before_each_step": fit_tol(l32, l64, 1e-4, 1e-6),
                           "state_dict_after": sd_tol}}
        note = (f"{steps} x (zero_grad; loss = F.cross_entropy(model(x), labels); backward; "
                f"step) on the fixture batch; tol.outputs.state_dict_after holds one tolerance "
                f"per state_dict name")
        if notes:
            note += ("; Adam moves weights by about lr * sign(grad), so elements whose gradients "
                     "are small or nearly cancel are sensitive to gradient rounding: where the "
                     "linearised bound lr * sum_t |d(update)/d(g_t)| * (grad atol + 1e-5 |g_t|) "
                     "(capped by the largest possible Adam move) exceeds the tensor's atol, "
                     "tol.exceptions carries that bound (count per parameter: "
                     + ", ".join(notes) + ")")
        case = {
            "name": f"{op}_{steps}_steps", "op": op, "params": p, "fixture": FIXTURE_FILE,
            "inputs": {}, "loss": "L = loss",
            "outputs": {"losses_before_each_step": tensor_json(l32),
                        "state_dict_after": {k: tensor_json(v) for k, v in sd32.items()}},
            "tol": tol, "notes": note}
        fname = "cifar_model_sgd.json" if op == "cifar_model_sgd" else "cifar_model_adam.json"
        write_file(fname, op, f"{op}: optimizer steps on the CIFAR-10 model of {FIXTURE_FILE}. "
                   + TOL_DESCRIPTION, [case])


# ---------------------------------------------------------------------------------------------
# default_init
# ---------------------------------------------------------------------------------------------

def adam_sensitivity(grads, deltas, p):
    """Per-element bound on the change of Adam's total move when grads[t] moves by deltas[t].

    Linearised in float64 (each element is independent), capped by twice the largest move Adam
    can make: at step t the bias-corrected m_hat / sqrt(v_hat) is at most
    sqrt(sum_i a_i^2 / b_i) (Cauchy-Schwarz) for its weights a_i, b_i of g_i and g_i^2.
    """
    b1, b2 = p["betas"]
    lr, eps = p["lr"], p["eps"]
    gs = [g.detach().double().clone().requires_grad_(True) for g in grads]
    m = torch.zeros_like(gs[0])
    v = torch.zeros_like(gs[0])
    total = torch.zeros_like(gs[0])
    cap = 0.0
    for t, g in enumerate(gs, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat = m / (1 - b1 ** t)
        vhat = v / (1 - b2 ** t)
        total = total + mhat / (vhat.sqrt() + eps)
        a = [(1 - b1) * b1 ** (t - i) / (1 - b1 ** t) for i in range(1, t + 1)]
        b = [(1 - b2) * b2 ** (t - i) / (1 - b2 ** t) for i in range(1, t + 1)]
        cap += math.sqrt(sum(ai * ai / bi for ai, bi in zip(a, b)))
    dts = torch.autograd.grad(total.sum(), gs)
    bound = sum(d.abs() * dl.double() for d, dl in zip(dts, deltas)) * lr
    return bound.clamp(max=2 * lr * cap).float()


# ---------------------------------------------------------------------------------------------
# Cross-check of the whole-model tolerances with a second float32 implementation
# ---------------------------------------------------------------------------------------------

def _load_tensor(t):
    dt = torch.int64 if t["dtype"] == "int64" else torch.float32
    return torch.tensor([float(v) if dt == torch.float32 else int(v) for v in t["data"]],
                        dtype=dt).reshape(t["shape"])


def _im2col_model(sd, x, reverse):
    """The CIFAR model with conv as unfold + matmul (optionally summing K in reverse order)."""
    h = x
    for i in (0, 2, 4):
        w, b = sd[f"{i}.weight"], sd[f"{i}.bias"]
        n, _, hh, ww = h.shape
        cols = F.unfold(h, w.shape[2:], padding=2)
        wm = w.reshape(w.shape[0], -1)
        if reverse:
            cols, wm = cols.flip(1), wm.flip(1)
        h = (wm @ cols + b.reshape(1, -1, 1)).reshape(n, w.shape[0], hh, ww)
        h = F.max_pool2d(h, 2)
    h = h.flatten(1)
    w7 = sd["7.weight"]
    h = (h.flip(1) @ w7.flip(1).t() if reverse else h @ w7.t()) + sd["7.bias"]
    return h @ sd["8.weight"].t() + sd["8.bias"]


def _worst_ratio(actual, expected, tol):
    e = _load_tensor(expected)
    d = (actual.detach().float() - e).abs()
    lim = (tol["atol"] + tol["rtol"] * e.abs()).reshape(-1)
    if "exceptions" in tol:
        ex = tol["exceptions"]
        idx = torch.tensor(ex["flat_indices"], dtype=torch.int64)
        lim[idx] = ex["atol"] + ex["rtol"] * e.reshape(-1)[idx].abs()
    lim = lim.reshape(e.shape)
    return (d / lim.clamp_min(1e-30)).max().item()


def cross_check_model():
    """Re-run the whole-model cases with im2col convolutions (two summation orders) in float32
    and require every tensor within half its tolerance: the tolerances are not too tight for an
    implementation that sums in another order, breaks no exact pooling tie differently."""
    def load(fname):
        with open(os.path.join(HERE, fname)) as f:
            return json.load(f)["cases"][0]
    fx = load(FIXTURE_FILE)
    x, labels = _load_tensor(fx["inputs"]["x"]), _load_tensor(fx["inputs"]["labels"])
    worst = 0.0
    for reverse in (False, True):
        def fresh():
            return {k: _load_tensor(v).requires_grad_(True) for k, v in fx["state_dict"].items()}
        c = load("cifar_model.json")
        sd = fresh()
        logits = _im2col_model(sd, x, reverse)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        r = [_worst_ratio(logits, c["outputs"]["logits"], c["tol"]["outputs"]["logits"]),
             _worst_ratio(loss, c["outputs"]["loss"], c["tol"]["outputs"]["loss"])]
        r += [_worst_ratio(sd[k].grad, c["grads"][k], c["tol"]["grads"][k]) for k in sd]
        for fname in ("cifar_model_sgd.json", "cifar_model_adam.json"):
            c = load(fname)
            p = c["params"]
            sd = fresh()
            if c["op"] == "cifar_model_sgd":
                opt = torch.optim.SGD(sd.values(), lr=p["lr"], momentum=p["momentum"],
                                      dampening=p["dampening"], weight_decay=p["weight_decay"],
                                      nesterov=p["nesterov"])
            else:
                opt = torch.optim.Adam(sd.values(), lr=p["lr"], betas=tuple(p["betas"]),
                                       eps=p["eps"], weight_decay=p["weight_decay"],
                                       amsgrad=p["amsgrad"])
            losses = []
            for _ in range(p["steps"]):
                opt.zero_grad()
                loss = F.cross_entropy(_im2col_model(sd, x, reverse), labels)
                loss.backward()
                losses.append(loss.detach())
                opt.step()
            out, tol = c["outputs"], c["tol"]["outputs"]
            r.append(_worst_ratio(torch.stack(losses), out["losses_before_each_step"],
                                  tol["losses_before_each_step"]))
            r += [_worst_ratio(sd[k], out["state_dict_after"][k], tol["state_dict_after"][k])
                  for k in sd]
        worst = max(worst, max(r))
    print(f"cross-check (im2col model, 2 summation orders): worst |diff|/tol = {worst:.3g}")
    assert worst <= 0.5, "whole-model tolerances too tight for another summation order"


def default_init_cases():
    cases = []
    for i, (mk, fan_in) in enumerate([(lambda: nn.Linear(1024, 64), 1024),
                                      (lambda: nn.Linear(64, 10), 64),
                                      (lambda: nn.Conv2d(3, 32, 5), 75)]):
        torch.manual_seed(1000 + i)
        m = mk()
        bound = 1 / math.sqrt(fan_in)
        dist = {"distribution": "uniform", "low": -bound, "high": bound, "expected_mean": 0.0,
                "expected_std": bound / math.sqrt(3)}
        w, b = m.weight.detach(), m.bias.detach()
        for t in (w, b):
            assert -bound <= t.min().item() and t.max().item() <= bound
        assert abs(w.std().item() - dist["expected_std"]) < 0.1 * dist["expected_std"]
        cases.append({
            "name": f"default_init_{type(m).__name__.lower()}_{'x'.join(map(str, w.shape))}",
            "op": "default_init",
            "params": {"module": repr(m), "weight_shape": list(w.shape),
                       "bias_shape": list(b.shape), "fan_in": fan_in},
            "weight": dict(dist), "bias": dict(dist),
            "notes": ("weight: kaiming_uniform_(a=sqrt(5)): gain = sqrt(2/(1+5)), bound = "
                      "gain*sqrt(3/fan_in) = 1/sqrt(fan_in); bias: U(-1/sqrt(fan_in), "
                      f"1/sqrt(fan_in)). One PyTorch draw (seed {1000 + i}): weight mean "
                      f"{w.mean().item():.3e}, std {w.std().item():.4e}; bias mean "
                      f"{b.mean().item():.3e}, std {b.std().item():.4e}"),
        })
    return cases


# ---------------------------------------------------------------------------------------------
# Self-check: reload every file and validate the required fields per op
# ---------------------------------------------------------------------------------------------

REQUIRED = {  # op -> (params, inputs, outputs, grads)
    "linear": (["in_features", "out_features", "bias"], ["x", "weight", "g"], ["y"],
               ["x", "weight"]),
    "conv2d": (["in_channels", "out_channels", "kernel_size", "stride", "padding", "bias"],
               ["x", "weight", "g"], ["y"], ["x", "weight"]),
    "max_pool2d": (["kernel_size", "stride", "padding"], ["x", "g"], ["y", "indices"], ["x"]),
    "softmax": (["dim"], ["x", "g"], ["y"], ["x"]),
    "log_softmax": (["dim"], ["x", "g"], ["y"], ["x"]),
    "cross_entropy": (["reduction"], ["logits", "labels"], ["loss"], ["logits"]),
    "affine_grid": (["size", "align_corners"], ["theta", "g_grid"], ["grid"], ["theta"]),
    "affine_grid+grid_sample": (["size", "align_corners", "mode", "padding_mode"],
                                ["x", "theta", "g"], ["y", "grid"], ["x", "theta", "grid"]),
    "reshape": (["input_shape", "shape"], [], [], []),
    "flatten": (["input_shape", "start_dim", "end_dim"], [], [], []),
    "fixture": (["model", "init"], ["x", "labels"], [], []),
    "cifar_model": (["model", "loss"], [], ["logits", "loss"], []),
    "cifar_model_sgd": (["lr", "momentum", "dampening", "weight_decay", "nesterov", "steps"], [],
                        ["losses_before_each_step", "state_dict_after"], []),
    "cifar_model_adam": (["lr", "betas", "eps", "weight_decay", "amsgrad", "steps"], [],
                         ["losses_before_each_step", "state_dict_after"], []),
    "default_init": (["module", "weight_shape", "bias_shape", "fan_in"], [], [], []),
}


def check_tensor(t, where):
    assert set(t) == {"shape", "dtype", "data"}, where
    assert t["dtype"] in ("float32", "int64"), where
    assert len(t["data"]) == int(np.prod(t["shape"])) if t["shape"] else len(t["data"]) == 1, where
    if t["dtype"] == "int64":
        assert all(isinstance(v, int) for v in t["data"]), where


def check_tol(t, where):
    assert set(t) <= {"rtol", "atol", "exceptions"} and {"rtol", "atol"} <= set(t), where


def self_check():
    files = sorted(f for f in os.listdir(HERE) if f.endswith(".json"))
    ops_seen = set()
    for fname in files:
        with open(os.path.join(HERE, fname)) as f:
            doc = json.load(f)
        assert doc["schema_version"] == 1 and doc["tolerance_rule"] == TOLERANCE_RULE
        assert doc["generator"]["implementation"] == "torch"
        if doc["generator"]["script"] != SCRIPT:  # written by another generator (gen_layers.py)
            continue
        for c in doc["cases"]:
            where = f"{fname}:{c['name']}"
            op = c["op"]
            ops_seen.add(op)
            params, ins, outs, grads = REQUIRED[op]
            for k in params:
                assert k in c["params"], f"{where}: params.{k}"
            for k in ins:
                assert k in c["inputs"], f"{where}: inputs.{k}"
            for k in outs:
                assert k in c["outputs"], f"{where}: outputs.{k}"
            for k in grads:
                assert k in c["grads"], f"{where}: grads.{k}"
            for k, t in c.get("inputs", {}).items():
                check_tensor(t, f"{where}: inputs.{k}")
            for k, t in c.get("outputs", {}).items():
                if k == "state_dict_after":
                    for n, tt in t.items():
                        check_tensor(tt, f"{where}: {k}.{n}")
                        check_tol(c["tol"]["outputs"][k][n], f"{where}: tol {k}.{n}")
                else:
                    check_tensor(t, f"{where}: outputs.{k}")
                    check_tol(c["tol"]["outputs"][k], f"{where}: tol outputs.{k}")
            for k, t in c.get("grads", {}).items():
                check_tensor(t, f"{where}: grads.{k}")
                check_tol(c["tol"]["grads"][k], f"{where}: tol grads.{k}")
            if op in ("reshape", "flatten"):
                if c["error"]:
                    assert c["error_type"] and c["error_message"], where
                else:
                    assert "expected_shape" in c and "expected_samples" in c, where
            if op == "fixture":
                assert c["state_dict"], where
            if op.startswith("cifar_model"):
                assert os.path.exists(os.path.join(HERE, c["fixture"])), where
            if op == "affine_grid+grid_sample" and "kink_sensitive" in c:
                assert c["kink_sensitive"] is True, where
            if op == "default_init":
                for k in ("weight", "bias"):
                    assert set(c[k]) == {"distribution", "low", "high", "expected_mean",
                                         "expected_std"}, where
    missing = set(REQUIRED) - ops_seen
    assert not missing, f"ops without cases: {missing}"
    total = sum(os.path.getsize(os.path.join(HERE, f)) for f in files)
    print(f"self-check ok: {len(files)} files, every op covered, {total / 1e6:.2f} MB")


def main():
    d = "Fixtures written by real PyTorch. " + TOL_DESCRIPTION
    write_file("linear.json", "linear", "F.linear(x, weight, bias). " + d, linear_cases())
    write_file("conv2d.json", "conv2d", "F.conv2d, NCHW cross-correlation. " + d,
               conv2d_cases())
    write_file("max_pool2d.json", "max_pool2d",
               "F.max_pool2d with return_indices; ties: first maximum wins. " + d,
               max_pool2d_cases())
    write_file("softmax.json", "softmax", "F.softmax and F.log_softmax. " + d, softmax_cases())
    write_file("cross_entropy.json", "cross_entropy", "F.cross_entropy on [N, C] logits. " + d,
               cross_entropy_cases())
    write_file("affine_grid.json", "affine_grid", "F.affine_grid. " + d, affine_grid_cases())
    write_file("grid_sample.json", "grid_sample",
               "F.affine_grid followed by F.grid_sample (bilinear and nearest; every padding "
               "mode; both align_corners; out-of-range sample points; kink-sensitive cases on "
               "pixel centres). " + d, grid_sample_cases())
    write_file("reshape.json", "reshape",
               "Tensor.reshape on arange(numel) inputs: result shapes and samples, or PyTorch's "
               "exact exception class and message.", reshape_cases())
    write_file("flatten.json", "flatten",
               "torch.flatten(x, start_dim, end_dim) on arange(numel) inputs: result shapes and "
               "samples, or PyTorch's exact exception class and message.", flatten_cases())
    model_cases()
    write_file("default_init.json", "default_init",
               "PyTorch's default initialisation of Linear and Conv2d: the distributions to "
               "check statistically on a freshly initialised layer.", default_init_cases())
    self_check()
    cross_check_model()


if __name__ == "__main__":
    sys.exit(main())
