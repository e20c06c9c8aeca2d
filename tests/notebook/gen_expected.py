"""Writes tests/notebook/expected/NAME.txt from tests/notebook/cells/NAME.py with real PyTorch.

Each cells file is a notebook: cells are separated by lines `# %%` and share globals. A cell
runs like a Jupyter cell: its stdout is kept, a final bare expression's repr() is shown, and an
exception ends the cell with `!! <Class>: <message> (line N)`, N being the cell line of the
top-level statement that raised. Every cell's output is preceded by `--- cell K ---`.

Run (from the repository root; scripts/torch-venv.sh makes the PyTorch environment):
    "${NNBOOK_TORCH_PYTHON:-.venv-torch/bin/python}" tests/notebook/gen_expected.py

torchvision is not installed next to the reference PyTorch, so `install_torchvision_shim`
provides the few names the data cells use: CIFAR10/MNIST read nnbook's NNBD files from www/data
(the same images nnbook registers), ToTensor is `uint8 / 255`, Normalize is `(x - m) / s`.
Everything else (DataLoader, its shuffling and collation, the tensors' printing) is real
PyTorch. nnbook's make_grid and pictures are checked in tests/notebook_images.rs instead.
"""
import ast
import contextlib
import io
import pathlib
import struct
import sys
import types

import torch

torch.set_num_threads(1)
HERE = pathlib.Path(__file__).parent


DATA = HERE.parent.parent / "www" / "data"


def read_nnbd(path):
    b = path.read_bytes()
    n, c, h, w, k = struct.unpack_from("<IHHHH", b, 8)
    off = 20
    (ln,) = struct.unpack_from("<H", b, off)
    off += 2 + ln
    classes = []
    for _ in range(k):
        (ln,) = struct.unpack_from("<H", b, off)
        classes.append(b[off + 2 : off + 2 + ln].decode())
        off += 2 + ln
    px = torch.frombuffer(bytearray(b[off : off + n * c * h * w]), dtype=torch.uint8)
    labels = list(b[off + n * c * h * w :])
    return px.reshape(n, c, h, w), labels, classes


class _PilImage:
    """What a torchvision dataset returns without a transform (nnbook refuses it)."""

    def __init__(self, px):
        self.px = px


def install_torchvision_shim():
    tv = types.ModuleType("torchvision")
    datasets = types.ModuleType("torchvision.datasets")
    transforms = types.ModuleType("torchvision.transforms")

    class ToTensor:
        def __call__(self, img):
            return img.px.float().div(255)

        def __repr__(self):
            return "ToTensor()"

    class Normalize:
        def __init__(self, mean, std):
            self.mean, self.std = list(mean), list(std)

        def __call__(self, x):
            m = torch.tensor(self.mean, dtype=torch.float32).view(-1, 1, 1)
            s = torch.tensor(self.std, dtype=torch.float32).view(-1, 1, 1)
            return x.sub(m).div(s)

        def __repr__(self):
            return f"Normalize(mean={self.mean}, std={self.std})"

    class Compose:
        def __init__(self, ts):
            self.ts = ts

        def __call__(self, x):
            for t in self.ts:
                x = t(x)
            return x

    def vision(name, stem, classes=None):
        class Vision(torch.utils.data.Dataset):
            def __init__(self, root, train=True, transform=None, download=False):
                split = "train" if train else "test"
                self.px, self.targets, self.classes = read_nnbd(DATA / f"{stem}-{split}.nnbd")
                self.classes = classes or self.classes
                self.transform = transform

            def __len__(self):
                return len(self.targets)

            def __getitem__(self, i):
                img = _PilImage(self.px[i])
                if self.transform is not None:
                    img = self.transform(img)
                return img, self.targets[i]

        Vision.__name__ = name
        return Vision

    mnist_words = "zero one two three four five six seven eight nine".split()
    datasets.CIFAR10 = vision("CIFAR10", "cifar10")
    datasets.MNIST = vision("MNIST", "mnist", [f"{i} - {w}" for i, w in enumerate(mnist_words)])
    transforms.ToTensor, transforms.Normalize, transforms.Compose = ToTensor, Normalize, Compose
    tv.datasets, tv.transforms = datasets, transforms
    sys.modules.update(
        {"torchvision": tv, "torchvision.datasets": datasets, "torchvision.transforms": transforms}
    )


def run_cell(src, k, glb):
    out = io.StringIO()
    filename = f"<cell-{k}>"
    err = None
    with contextlib.redirect_stdout(out):
        try:
            tree = ast.parse(src, filename)
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = tree.body.pop()
            exec(compile(tree, filename, "exec"), glb)
            if last is not None:
                v = eval(compile(ast.Expression(last.value), filename, "eval"), glb)
                if v is not None:
                    print(repr(v))
        except SyntaxError as e:
            err = f"SyntaxError (line {e.lineno})"
        except Exception as e:  # noqa: BLE001 - a notebook shows every exception
            tb = e.__traceback__
            line = None
            while tb is not None:
                if tb.tb_frame.f_code.co_filename == filename:
                    line = tb.tb_lineno
                    break
                tb = tb.tb_next
            msg = str(e)
            head = f"{type(e).__name__}: {msg}" if msg else type(e).__name__
            err = f"{head} (line {line})"
    text = out.getvalue()
    if err is not None:
        text += f"!! {err}\n"
    return text


def run_file(path):
    cells = path.read_text().split("\n# %%\n")
    glb = {"__name__": "__main__"}
    parts = []
    for k, cell in enumerate(cells, 1):
        parts.append(f"--- cell {k} ---\n")
        parts.append(run_cell(cell, k, glb))
    return "".join(parts)


def main():
    install_torchvision_shim()
    names = sys.argv[1:] or sorted(p.stem for p in (HERE / "cells").glob("*.py"))
    for name in names:
        # A fresh process per file would match nnbook's fresh kernel; reseed to the default.
        torch.manual_seed(67280421310721)
        text = run_file(HERE / "cells" / f"{name}.py")
        (HERE / "expected" / f"{name}.txt").write_text(text)
        print(f"wrote expected/{name}.txt")


if __name__ == "__main__":
    main()
