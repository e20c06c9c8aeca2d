#!/usr/bin/env python3
"""Write nnbook's golden fixtures for the "other layers" with real PyTorch.

Files: layer_norm.json, batch_norm1d.json, embedding.json, rnn.json (RNN, LSTM, GRU),
attention.json (MultiheadAttention, TransformerEncoderLayer), layer_init.json (default
initialisation and print() text for a seed), layer_errors.json (exact error texts).

Same format, helpers and tolerance rule as gen.py (imported from beside this file); run from the
repository root:
    "${NNBOOK_TORCH_PYTHON:-.venv-torch/bin/python}" tests/golden/gen_layers.py

Layer cases carry the module's constructor arguments (PyTorch's keyword names) as `params` and
its parameters by state_dict name among the `inputs`, so the runner builds the nnbook module,
loads the weights and runs it.
"""

import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402  (the shared writer, tolerances and torch settings)
from gen import EPS32, fit_tol, make_case, tensor_json, write_file  # noqa: E402

gen.SCRIPT = "tests/golden/gen_layers.py"
RTOL = 1e-4


def rng(seed):
    return torch.Generator().manual_seed(seed)


def randn(g, *shape, scale=1.0):
    return torch.randn(*shape, generator=g) * scale


def tol_for(t32, t64):
    """Tolerance for a float32 result with its float64 twin (see gen.TOL_DESCRIPTION)."""
    scale = t64.abs().max().item() if t64.numel() else 0.0
    return fit_tol(t32, t64, RTOL, max(1e-6, 16 * EPS32 * scale))


def module_run(make, args, state, call, dtype):
    """Builds `make(**args)`, loads `state`, casts to dtype, returns call(module, dtype)."""
    m = make(**args)
    m.load_state_dict(state)
    m = m.to(dtype)
    return call(m, dtype)


def state_of(make, args, seed, randomize=()):
    torch.manual_seed(seed)
    m = make(**args)
    sd = {k: v.detach().clone() for k, v in m.state_dict().items()}
    g = rng(seed + 1000)
    for k in randomize:
        sd[k] = randn(g, *sd[k].shape, scale=0.5) + (1.0 if k.endswith("weight") else 0.0)
    return sd


def forward_case(name, op, make, args, sd, call_inputs, call, out_names, extra_params=None,
                 grads=None, notes=None, loss=None, loss_text="L = sum(y * g)"):
    """Outputs (and grads of L = sum(y * g)) in float32 and float64, tolerances from both."""
    def run(dtype):
        m = make(**args)
        m.load_state_dict(sd)
        m = m.to(dtype)
        ins = {k: (v.to(dtype) if v.is_floating_point() else v).clone()
               for k, v in call_inputs.items()}
        for k in (grads or []):
            if k in ins:
                ins[k].requires_grad_(True)
        outs = call(m, ins)
        gr = {}
        if grads:
            total = loss(outs, ins) if loss else (outs["y"] * ins["g"]).sum()
            total.backward()
            params = dict(m.named_parameters())
            for k in grads:
                src = ins[k] if k in ins else params[k]
                gr[k] = src.grad.detach().clone()
        return {k: v.detach() for k, v in outs.items()}, gr
    o32, g32 = run(torch.float32)
    o64, g64 = run(torch.float64)
    inputs = dict(call_inputs)
    for k, v in sd.items():
        if k != "num_batches_tracked":
            inputs[k] = v
    tol = {"outputs": {k: tol_for(o32[k], o64[k]) for k in out_names}}
    if grads:
        tol["grads"] = {k: tol_for(g32[k], g64[k]) for k in grads}
    params = dict(args)
    params.update(extra_params or {})
    return make_case(name, op, params, inputs, loss_text if grads else None,
                     {k: o32[k] for k in out_names}, g32 if grads else None, tol, notes)


# ---------------------------------------------------------------------------------------------

def layer_norm_cases():
    cases = []
    specs = [  # name, x shape, args, offset
        ("ln_4x8", (4, 8), {"normalized_shape": [8]}, 0.0),
        ("ln_2x3x4_over_3x4_eps1e-6", (2, 3, 4), {"normalized_shape": [3, 4], "eps": 1e-6}, 0.0),
        ("ln_no_affine", (3, 5), {"normalized_shape": [5], "elementwise_affine": False}, 0.0),
        ("ln_no_bias", (2, 2, 6), {"normalized_shape": [6], "bias": False}, 0.0),
        ("ln_offset_100", (3, 16), {"normalized_shape": [16]}, 100.0),
    ]
    for i, (name, shape, args, offset) in enumerate(specs):
        full = {"normalized_shape": args["normalized_shape"], "eps": args.get("eps", 1e-5),
                "elementwise_affine": args.get("elementwise_affine", True),
                "bias": args.get("bias", True)}
        sd = state_of(nn.LayerNorm, full, i, randomize=[k for k in ("weight", "bias")
                                                       if full["elementwise_affine"] and
                                                       (k == "weight" or full["bias"])])
        g = rng(100 + i)
        x = randn(g, *shape) + offset
        gy = randn(g, *shape)
        grads = ["x"] + [k for k in sd]
        cases.append(forward_case(name, "layer_norm", nn.LayerNorm, full, sd, {"x": x, "g": gy},
                                  lambda m, ins: {"y": m(ins["x"])}, ["y"], grads=grads))
    return cases


def batch_norm1d_cases():
    cases = []
    for i, (name, shape, training) in enumerate([
            ("bn1d_8x4_train", (8, 4), True), ("bn1d_4x3x5_train", (4, 3, 5), True),
            ("bn1d_4x3x5_eval", (4, 3, 5), False), ("bn1d_6x2_eval", (6, 2), False)]):
        c = shape[1]
        args = {"num_features": c, "eps": 1e-5, "momentum": 0.1}
        sd = state_of(nn.BatchNorm1d, args, i, randomize=["weight", "bias"])
        g = rng(200 + i)
        sd["running_mean"] = randn(g, c, scale=0.3)
        sd["running_var"] = torch.rand(c, generator=g) + 0.5
        x = randn(g, *shape) * 2 + 0.5
        gy = randn(g, *shape)

        def call(m, ins, training=training):
            m.train(training)
            y = m(ins["x"])
            return {"y": y, "running_mean": m.running_mean.clone(),
                    "running_var": m.running_var.clone()}
        cases.append(forward_case(name, "batch_norm1d", nn.BatchNorm1d, args, sd,
                                  {"x": x, "g": gy}, call, ["y", "running_mean", "running_var"],
                                  extra_params={"training": training},
                                  grads=["x", "weight", "bias"],
                                  notes="outputs running_mean/running_var are the buffers after "
                                        "the forward"))
    return cases


def embedding_cases():
    cases = []
    for i, (name, v, d, pad, idx) in enumerate([
            ("emb_10x3_2x5", 10, 3, None, [[1, 2, 4, 5, 4], [4, 3, 2, 9, 0]]),
            ("emb_padding_0", 10, 3, 0, [[0, 2, 0, 5], [4, 0, 2, 2]]),
            ("emb_padding_minus1", 6, 4, -1, [5, 1, 5, 3]),
            ("emb_scalar_index", 5, 2, None, 3)]):
        args = {"num_embeddings": v, "embedding_dim": d, "padding_idx": pad}
        sd = state_of(nn.Embedding, args, i)
        ind = torch.tensor(idx, dtype=torch.int64)
        gy = randn(rng(300 + i), *ind.shape, d)
        cases.append(forward_case(name, "embedding", nn.Embedding, args, sd,
                                  {"indices": ind, "g": gy}, lambda m, ins: {"y": m(ins["indices"])},
                                  ["y"], grads=["weight"]))
    return cases


def rnn_cases():
    cases = []
    specs = [  # name, op, class, args, x shape, with h0
        ("rnn_tanh_T5_B2", "rnn", nn.RNN, {"input_size": 4, "hidden_size": 3}, (5, 2, 4), True),
        ("rnn_relu_2layers_batch_first", "rnn", nn.RNN,
         {"input_size": 3, "hidden_size": 4, "num_layers": 2, "nonlinearity": "relu",
          "batch_first": True}, (2, 6, 3), False),
        ("rnn_unbatched_no_bias", "rnn", nn.RNN, {"input_size": 4, "hidden_size": 3,
                                                  "bias": False}, (4, 4), True),
        ("lstm_T5_B2_h0c0", "lstm", nn.LSTM, {"input_size": 4, "hidden_size": 3}, (5, 2, 4), True),
        ("lstm_2layers_batch_first", "lstm", nn.LSTM,
         {"input_size": 3, "hidden_size": 5, "num_layers": 2, "batch_first": True}, (3, 4, 3),
         False),
        ("lstm_unbatched", "lstm", nn.LSTM, {"input_size": 2, "hidden_size": 3}, (6, 2), True),
        ("gru_T5_B2_h0", "gru", nn.GRU, {"input_size": 4, "hidden_size": 3}, (5, 2, 4), True),
        ("gru_3layers_batch_first_no_bias", "gru", nn.GRU,
         {"input_size": 3, "hidden_size": 4, "num_layers": 3, "batch_first": True,
          "bias": False}, (2, 5, 3), False),
    ]
    for i, (name, op, cls, args, xshape, with_h0) in enumerate(specs):
        sd = state_of(cls, args, 10 + i)
        g = rng(400 + i)
        x = randn(g, *xshape)
        nl, h = args.get("num_layers", 1), args["hidden_size"]
        batched = len(xshape) == 3
        b = (xshape[0] if args.get("batch_first") else xshape[1]) if batched else None
        hs = (nl, b, h) if batched else (nl, h)
        ins = {"x": x}
        if with_h0:
            ins["h0"] = randn(g, *hs, scale=0.5)
            if op == "lstm":
                ins["c0"] = randn(g, *hs, scale=0.5)

        def call(m, ins, op=op):
            hx = None
            if "h0" in ins:
                hx = (ins["h0"], ins["c0"]) if op == "lstm" else ins["h0"]
            out, hn = m(ins["x"], hx)
            if op == "lstm":
                return {"output": out, "h_n": hn[0], "c_n": hn[1]}
            return {"output": out, "h_n": hn}
        outs = ["output", "h_n"] + (["c_n"] if op == "lstm" else [])
        out_shape = (xshape[0], xshape[1], h) if batched else (xshape[0], h)
        for k in outs:
            ins["g_" + k] = randn(g, *(out_shape if k == "output" else hs))

        def loss(o, ins, outs=outs):
            return sum((o[k] * ins["g_" + k]).sum() for k in outs)
        grads = ["x"] + [k for k in ("h0", "c0") if k in ins] + list(sd)
        cases.append(forward_case(name, op, cls, args, sd, ins, call, outs, grads=grads,
                                  loss=loss, loss_text="L = " + " + ".join(
                                      f"sum({k} * g_{k})" for k in outs)))
    return cases


def attention_cases():
    cases = []
    specs = [  # name, args, L, S, N (None = unbatched), average, causal
        ("mha_self_L5_N2_E8_h2", {"embed_dim": 8, "num_heads": 2}, 5, 5, 2, True, False),
        ("mha_cross_batch_first_L3_S6", {"embed_dim": 8, "num_heads": 4, "batch_first": True},
         3, 6, 2, True, False),
        ("mha_per_head_weights", {"embed_dim": 6, "num_heads": 3}, 4, 4, 2, False, False),
        ("mha_causal", {"embed_dim": 8, "num_heads": 2}, 5, 5, 1, True, True),
        ("mha_unbatched", {"embed_dim": 4, "num_heads": 1}, 3, 4, None, True, False),
    ]
    for i, (name, args, L, S, N, avg, causal) in enumerate(specs):
        sd = state_of(nn.MultiheadAttention, args, 20 + i,
                      randomize=["in_proj_bias", "out_proj.bias"])
        g = rng(500 + i)
        e = args["embed_dim"]

        def shp(T):
            if N is None:
                return (T, e)
            return (N, T, e) if args.get("batch_first") else (T, N, e)
        q = randn(g, *shp(L))
        if L == S and name != "mha_unbatched":
            ins = {"query": q, "key": q, "value": q}
        else:
            ins = {"query": q, "key": randn(g, *shp(S)), "value": randn(g, *shp(S))}

        def call(m, ins, avg=avg, causal=causal, L=L):
            mask = None
            if causal:
                mask = nn.Transformer.generate_square_subsequent_mask(L, dtype=ins["query"].dtype)
            out, w = m(ins["query"], ins["key"], ins["value"], need_weights=True,
                       attn_mask=mask, average_attn_weights=avg)
            return {"attn_output": out, "attn_weights": w}
        ins["g"] = randn(g, *shp(L))
        cases.append(forward_case(name, "multihead_attention", nn.MultiheadAttention, args, sd,
                                  ins, call, ["attn_output", "attn_weights"],
                                  grads=["query", "key", "value"] + list(sd),
                                  loss=lambda o, ins: (o["attn_output"] * ins["g"]).sum(),
                                  loss_text="L = sum(attn_output * g)",
                                  extra_params={"average_attn_weights": avg, "causal": causal},
                                  notes="causal: attn_mask = "
                                        "nn.Transformer.generate_square_subsequent_mask(L)"
                                  if causal else None))
    tspecs = [
        ("tel_post_norm_S5_N2", {"d_model": 8, "nhead": 2, "dim_feedforward": 16}, (5, 2, 8)),
        ("tel_norm_first_batch_first", {"d_model": 8, "nhead": 4, "dim_feedforward": 12,
                                        "batch_first": True, "norm_first": True}, (2, 4, 8)),
        ("tel_unbatched", {"d_model": 6, "nhead": 2, "dim_feedforward": 10}, (3, 6)),
    ]
    for i, (name, args, xshape) in enumerate(tspecs):
        sd = state_of(nn.TransformerEncoderLayer, args, 30 + i,
                      randomize=["self_attn.in_proj_bias", "self_attn.out_proj.bias",
                                 "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"])
        x = randn(rng(600 + i), *xshape)

        def call(m, ins):
            m.eval()
            y = m(ins["x"])
            with torch.no_grad():
                a = m.norm1(ins["x"]) if m.norm_first else ins["x"]
                _, w = m.self_attn(a, a, a, need_weights=True)
            return {"y": y, "attn_weights": w}
        gy = randn(rng(650 + i), *xshape)
        cases.append(forward_case(name, "transformer_encoder_layer", nn.TransformerEncoderLayer,
                                  args, sd, {"x": x, "g": gy}, call, ["y", "attn_weights"],
                                  grads=["x"] + list(sd),
                                  notes="eval mode (dropout off); attn_weights: the layer's "
                                        "self_attn on its input (norm1(x) with norm_first), "
                                        "need_weights=True, averaged over heads"))
    return cases


# ---------------------------------------------------------------------------------------------

CLASSES = {"LayerNorm": nn.LayerNorm, "BatchNorm1d": nn.BatchNorm1d, "Embedding": nn.Embedding,
           "RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU,
           "MultiheadAttention": nn.MultiheadAttention,
           "TransformerEncoderLayer": nn.TransformerEncoderLayer}


def init_cases():
    """Default initialisation after torch.manual_seed(seed), bit for bit, and print() text."""
    specs = [
        ("LayerNorm", {"normalized_shape": [3, 4], "eps": 1e-6}),
        ("BatchNorm1d", {"num_features": 5}),
        ("Embedding", {"num_embeddings": 3, "embedding_dim": 4, "padding_idx": 1}),
        ("Embedding", {"num_embeddings": 10, "embedding_dim": 6}),
        ("RNN", {"input_size": 4, "hidden_size": 3, "num_layers": 2, "nonlinearity": "relu"}),
        ("LSTM", {"input_size": 4, "hidden_size": 3, "batch_first": True}),
        ("GRU", {"input_size": 2, "hidden_size": 5, "bias": False}),
        ("MultiheadAttention", {"embed_dim": 8, "num_heads": 2}),
        ("TransformerEncoderLayer", {"d_model": 8, "nhead": 2, "dim_feedforward": 16,
                                     "dropout": 0.0}),
    ]
    cases = []
    for i, (cls, args) in enumerate(specs):
        seed = 7 + i
        torch.manual_seed(seed)
        m = CLASSES[cls](**args)
        sd = {k: v for k, v in m.state_dict().items() if k != "num_batches_tracked"}
        tol = {}
        for k, v in sd.items():
            # Embedding's normal_ on >= 16 elements: PyTorch's SIMD log/sincos (see rng.rs).
            exact = not (cls == "Embedding" and v.numel() >= 16)
            tol[k] = {"rtol": 0.0, "atol": 0.0} if exact else {"rtol": 0.0, "atol": 2e-6}
        c = {"name": f"init_{i}_{cls}", "op": "module_init",
             "params": {"module": cls, "args": args, "seed": seed},
             "inputs": {},
             "outputs": {"state_dict": {k: tensor_json(v) for k, v in sd.items()}},
             "tol": {"outputs": {"state_dict": tol}},
             "repr": repr(m),
             "notes": "torch.manual_seed(seed); m = nn.%s(**args): parameters and buffers in "
                      "state_dict order, and repr(m)" % cls}
        cases.append(c)
    return cases


def error_cases():
    """(module, args, inputs) whose construction or forward raises; exact class and text."""
    z = torch.zeros
    i64 = lambda v: torch.tensor(v, dtype=torch.int64)  # noqa: E731
    specs = [
        ("ln_wrong_trailing", "LayerNorm", {"normalized_shape": [3, 4]}, {"x": z(2, 4, 3)}),
        ("ln_too_few_dims", "LayerNorm", {"normalized_shape": [3, 4]}, {"x": z(4)}),
        ("bn1d_4d", "BatchNorm1d", {"num_features": 5}, {"x": z(2, 5, 3, 3)}),
        ("bn1d_1d", "BatchNorm1d", {"num_features": 5}, {"x": z(5)}),
        ("bn1d_channels", "BatchNorm1d", {"num_features": 5}, {"x": z(2, 4)}),
        ("bn1d_one_value", "BatchNorm1d", {"num_features": 5}, {"x": z(1, 5)}),
        ("emb_index_10_of_10", "Embedding", {"num_embeddings": 10, "embedding_dim": 3},
         {"indices": i64([[1, 2], [3, 10]])}),
        ("emb_negative_index", "Embedding", {"num_embeddings": 10, "embedding_dim": 3},
         {"indices": i64([-1])}),
        ("emb_padding_out_of_range", "Embedding", {"num_embeddings": 10, "embedding_dim": 3,
                                                   "padding_idx": 10}, {}),
        ("rnn_input_size", "RNN", {"input_size": 4, "hidden_size": 5}, {"x": z(3, 2, 3)}),
        ("rnn_4d", "RNN", {"input_size": 4, "hidden_size": 5}, {"x": z(3, 2, 4, 1)}),
        ("lstm_1d", "LSTM", {"input_size": 4, "hidden_size": 5}, {"x": z(4)}),
        ("gru_4d", "GRU", {"input_size": 4, "hidden_size": 5}, {"x": z(3, 2, 4, 1)}),
        ("rnn_h0_batch", "RNN", {"input_size": 4, "hidden_size": 5},
         {"x": z(3, 2, 4), "h0": z(1, 3, 5)}),
        ("rnn_h0_layers", "RNN", {"input_size": 4, "hidden_size": 5},
         {"x": z(3, 2, 4), "h0": z(2, 2, 5)}),
        ("rnn_unbatched_h0_3d", "RNN", {"input_size": 4, "hidden_size": 5},
         {"x": z(3, 4), "h0": z(1, 2, 5)}),
        ("rnn_unbatched_h0_layers", "RNN", {"input_size": 4, "hidden_size": 5},
         {"x": z(3, 4), "h0": z(2, 5)}),
        ("gru_batched_h0_2d", "GRU", {"input_size": 4, "hidden_size": 5},
         {"x": z(3, 2, 4), "h0": z(2, 5)}),
        ("lstm_h0", "LSTM", {"input_size": 4, "hidden_size": 5},
         {"x": z(3, 2, 4), "h0": z(1, 3, 5), "c0": z(1, 2, 5)}),
        ("lstm_c0", "LSTM", {"input_size": 4, "hidden_size": 5},
         {"x": z(3, 2, 4), "h0": z(1, 2, 5), "c0": z(1, 3, 5)}),
        ("lstm_batched_hc_2d", "LSTM", {"input_size": 4, "hidden_size": 5},
         {"x": z(3, 2, 4), "h0": z(2, 5), "c0": z(2, 5)}),
        ("rnn_hidden_size_0", "RNN", {"input_size": 4, "hidden_size": 0}, {}),
        ("lstm_num_layers_0", "LSTM", {"input_size": 4, "hidden_size": 5, "num_layers": 0}, {}),
        ("mha_heads_divide", "MultiheadAttention", {"embed_dim": 8, "num_heads": 3}, {}),
        ("mha_embed_dim", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2},
         {"query": z(3, 2, 7), "key": z(3, 2, 7), "value": z(3, 2, 7)}),
        ("mha_key_value", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2},
         {"query": z(3, 2, 8), "key": z(4, 2, 8), "value": z(5, 2, 8)}),
        ("mha_key_value_batch_first", "MultiheadAttention",
         {"embed_dim": 8, "num_heads": 2, "batch_first": True},
         {"query": z(2, 3, 8), "key": z(2, 4, 8), "value": z(2, 5, 8)}),
        ("mha_key_value_unbatched", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2},
         {"query": z(3, 8), "key": z(4, 8), "value": z(5, 8)}),
        ("mha_4d_query", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2},
         {"query": z(3, 2, 8, 1), "key": z(3, 2, 8, 1), "value": z(3, 2, 8, 1)}),
        ("mha_2d_key", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2},
         {"query": z(3, 2, 8), "key": z(4, 8), "value": z(4, 8)}),
        ("mha_mask_shape", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2},
         {"query": z(3, 2, 8), "key": z(4, 2, 8), "value": z(4, 2, 8), "attn_mask": z(3, 3)}),
        ("tel_heads_divide", "TransformerEncoderLayer", {"d_model": 8, "nhead": 3}, {}),
        ("tel_d_model", "TransformerEncoderLayer", {"d_model": 8, "nhead": 2,
                                                    "dim_feedforward": 16}, {"x": z(3, 2, 6)}),
    ]
    cases = []
    for name, cls, args, ins in specs:
        try:
            m = CLASSES[cls](**args)
            if cls in ("RNN", "GRU"):
                m(ins["x"], ins.get("h0"))
            elif cls == "LSTM":
                m(ins["x"], (ins["h0"], ins["c0"]) if "h0" in ins else None)
            elif cls == "MultiheadAttention":
                m(ins["query"], ins["key"], ins["value"], attn_mask=ins.get("attn_mask"))
            elif cls == "Embedding":
                m(ins["indices"])
            else:
                m(ins["x"])
        except Exception as e:  # noqa: BLE001 - the exception is the expected result
            etype, msg = type(e).__name__, str(e)
        else:
            raise AssertionError(f"{name}: no error")
        cases.append({"name": name, "op": "layer_error",
                      "params": {"module": cls, "args": args},
                      "inputs": {k: tensor_json(v) for k, v in ins.items()},
                      "outputs": {}, "tol": {},
                      "error": True, "error_type": etype, "error_message": msg,
                      "notes": "m = nn.%s(**args) then m(*inputs) (training mode); inputs are "
                               "zeros (or the int64 indices shown)" % cls})
    return cases


def main():
    d = "Fixtures written by real PyTorch. " + gen.TOL_DESCRIPTION
    write_file("layer_norm.json", "layer_norm",
               "nn.LayerNorm forward and backward (grads of L = sum(y * g)). " + d,
               layer_norm_cases())
    write_file("batch_norm1d.json", "batch_norm1d",
               "nn.BatchNorm1d on [N, C] and [N, C, L], training and eval. " + d,
               batch_norm1d_cases())
    write_file("embedding.json", "embedding",
               "nn.Embedding lookups and the weight gradient (padding_idx gets none). " + d,
               embedding_cases())
    write_file("rnn.json", "rnn",
               "nn.RNN / nn.LSTM / nn.GRU forward: output and final states. " + d, rnn_cases())
    write_file("attention.json", "attention",
               "nn.MultiheadAttention and nn.TransformerEncoderLayer (eval) forward. " + d,
               attention_cases())
    write_file("layer_init.json", "layer_init",
               "Default initialisation after torch.manual_seed(seed) (state_dict, exact except "
               "Embedding's normal_ on >= 16 elements) and repr(module).", init_cases())
    write_file("layer_errors.json", "layer_errors",
               "Exact exception class and message for wrong shapes and arguments.",
               error_cases())
    main_dropout()



def dropout_cases():
    """F.dropout after torch.manual_seed(seed). PyTorch's non-MKL bernoulli_ kernel keeps
    element i when the i-th float64 uniform is below 1 - p; refuse to write the file where
    torch draws differently (MKL builds on Intel CPUs), since nnbook follows the former."""
    cases = []
    for i, (p, shape, training) in enumerate([(0.5, (4, 8), True), (0.3, (3, 50), True),
                                              (0.9, (64,), True), (0.25, (2, 6), False),
                                              (1.0, (5,), True), (0.0, (5,), True)]):
        seed = 40 + i
        x = torch.randn(*shape, generator=rng(700 + i))
        torch.manual_seed(seed)
        y = torch.nn.functional.dropout(x, p, training=training)
        torch.manual_seed(seed)
        u = torch.rand(x.numel(), dtype=torch.float64).reshape(shape)
        if training and 0 < p < 1:
            expect = torch.where(u < 1 - p, x * (1.0 / torch.tensor(1 - p, dtype=torch.float32)),
                                 torch.zeros_like(x))
            if not torch.equal(y, expect):
                raise SystemExit("this PyTorch draws dropout masks differently (MKL "
                                 "bernoulli_ on an Intel CPU?); regenerate on another machine")
        cases.append(make_case(f"dropout_p{p}_{'train' if training else 'eval'}_{i}", "dropout",
                               {"p": p, "training": training, "seed": seed}, {"x": x}, None,
                               {"y": y}, None, {"outputs": {"y": {"rtol": 0.0, "atol": 0.0}}},
                               notes="torch.manual_seed(seed); y = F.dropout(x, p, training)"))
    return cases


def main_dropout():
    write_file("dropout.json", "dropout",
               "F.dropout after torch.manual_seed(seed): the same elements zeroed and the same "
               "1/(1-p) scaling, exactly (PyTorch's non-MKL bernoulli_ kernel).", dropout_cases())


if __name__ == "__main__":
    sys.exit(main())
