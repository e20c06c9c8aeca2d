"""Exports the CIFAR-10 benchmark model to ONNX for the onnxruntime-web row of `make bench`.

usage (from the repository root; the exporter needs the `onnx` package beside torch):
    scripts/torch-venv.sh --onnx
    "${NNBOOK_TORCH_PYTHON:-.venv-torch/bin/python}" bench/export_onnx.py [OUT]        (default bench/cifar_model.onnx)
The output is byte-for-byte reproducible (seeded weights, legacy TorchScript exporter, opset 17).

The model is issue 5's seed model, exactly as the other engines in the benchmark build it
(no activations: that is the model):
    nn.Sequential(Conv2d(3,32,5,1,2), MaxPool2d(2), Conv2d(32,32,5,1,2), MaxPool2d(2),
                  Conv2d(32,64,5,1,2), MaxPool2d(2), Flatten(), Linear(1024,64), Linear(64,10))
Input `x` is float32 [N,3,32,32] (N dynamic), output `logits` is float32 [N,10].
Weights are PyTorch's default initialisation under a fixed seed: this file is for measuring
speed, not accuracy.
"""
import sys

import torch
from torch import nn


def cifar_model():
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, 1, 2),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, 1, 2),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, 1, 2),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(1024, 64),
        nn.Linear(64, 10),
    )


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/cifar_model.onnx"
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = cifar_model().eval()
    x = torch.zeros(1, 3, 32, 32)
    torch.onnx.export(
        model,
        (x,),
        out,
        input_names=["x"],
        output_names=["logits"],
        dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    print(f"export_onnx: wrote {out}")


if __name__ == "__main__":
    main()
