"""Writes tests/compat/expected/NAME.txt from the compatibility corpus with real PyTorch.

The corpus (tests/compat/README.md): tests/compat/tutorials/NAME.py (the official PyTorch
tutorials' code blocks, cells separated by `# %%` lines) and tests/compat/seed/NAME.py (the
week-9 notes). Cells that hold only comments and blank lines (a file's header) are not cells.

Each file runs in a fresh Python process (as nnbook runs each file in a fresh kernel), in a
fresh temporary working directory, twice. A cell's transcript is what tests/notebook/
gen_expected.py's run_cell gives (stdout, a final bare expression's repr(), `!! Class: message
(line N)`), masked by `mask()` below. Two kinds of cells are marked with a first line `?? ...`
and not compared by nnbook's runner:
  ?? nondeterministic: ...  the two runs printed different text (e.g. torch.empty's memory);
  ?? unavailable: ...       the cell needs something this machine lacks (a data set), or it
                            failed after such a cell in the same file.

Run: ${NNBOOK_TORCH_PYTHON:-.venv-torch/bin/python} tests/compat/gen_expected.py [NAME...]

Reference environment: PyTorch only (no torchvision, matplotlib, IPython, requests or
tensorboard next to it). `install_shims()` provides what the corpus imports from those, each a
stand-in that prints nothing, never a fake of data: the torchvision shim of tests/notebook
(CIFAR10/MNIST read nnbook's www/data; ToTensor, Normalize, Compose) plus FashionMNIST (read
from www/data/fashion-mnist-*.nnbd, else from Debian's package `dataset-fashion-mnist`, else
"unavailable"), transforms.Lambda and utils.make_grid (torchvision's algorithm);
matplotlib.pyplot (draws nothing; imshow/subplots/ion return objects of matplotlib's classes);
IPython.core.debugger.set_trace (does nothing); requests (get() raises: there is no network);
torch.utils.tensorboard.SummaryWriter (writes nothing).
"""
import contextlib
import gzip
import importlib.util
import math
import os
import pathlib
import pickle
import re
import struct
import subprocess
import sys
import tempfile
import types

import numpy as np
import torch

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = ROOT / "www" / "data"
FASHION_DEB = pathlib.Path(
    os.environ.get("NNBOOK_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
)
FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


nbgen = _load("notebook_gen_expected", HERE.parent / "notebook" / "gen_expected.py")

# The masking rule, the same as src/compat/mask.rs (tests/compat/README.md): an object
# address, `0x` and 6 or more hex digits, becomes `0x?`; a line with a wall-clock word
# (took, elapsed, time, duration) and a number with a unit of time (ms, s, sec, secs, seconds,
# min, minutes) becomes `<wall-clock time>`.
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
WALL_WORD = re.compile(r"(?i)\b(took|elapsed|time|duration)\b")
WALL_NUM = re.compile(r"(?i)\d\s?(ms|s|sec|secs|seconds|min|minutes)\b")


def mask(text):
    out = []
    for line in text.split("\n"):
        if WALL_WORD.search(line) and WALL_NUM.search(line):
            line = "<wall-clock time>"
        out.append(ADDRESS.sub("0x?", line))
    return "\n".join(out)


def split_cells(text):
    """The cells of a corpus file: split at `# %%` lines, comment-only parts dropped."""
    cells = []
    for part in text.split("\n# %%\n"):
        lines = [ln.strip() for ln in part.split("\n")]
        if all(ln == "" or ln.startswith("#") for ln in lines):
            continue
        cells.append(part)
    return cells


class DataUnavailable(RuntimeError):
    """A data set this machine does not have (the cell is marked, never faked)."""


def read_idx(images_gz, labels_gz):
    raw = gzip.decompress(images_gz.read_bytes())
    magic, n, h, w = struct.unpack_from(">IIII", raw, 0)
    assert magic == 2051, f"{images_gz}: not an IDX image file"
    px = torch.frombuffer(bytearray(raw[16 : 16 + n * h * w]), dtype=torch.uint8)
    lab = gzip.decompress(labels_gz.read_bytes())
    magic, m = struct.unpack_from(">II", lab, 0)
    assert magic == 2049 and m == n, f"{labels_gz}: not the labels of {images_gz}"
    return px.reshape(n, 1, h, w), list(lab[8 : 8 + n])


def fashion_mnist(train):
    split = "train" if train else "test"
    nnbd = DATA / f"fashion-mnist-{split}.nnbd"
    if nnbd.is_file():
        px, labels, _ = nbgen.read_nnbd(nnbd)
        return px, labels
    stem = "train" if train else "t10k"
    imgs = FASHION_DEB / f"{stem}-images-idx3-ubyte.gz"
    labs = FASHION_DEB / f"{stem}-labels-idx1-ubyte.gz"
    if imgs.is_file() and labs.is_file():
        return read_idx(imgs, labs)
    raise DataUnavailable(
        f"FashionMNIST: neither {nnbd.name} in www/data nor Debian's dataset-fashion-mnist"
    )


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None,
              scale_each=False, pad_value=0.0):
    """torchvision.utils.make_grid for the cases the corpus uses (normalize=False)."""
    if normalize or scale_each or value_range is not None:
        raise NotImplementedError("make_grid stand-in: normalize/scale_each/value_range")
    if isinstance(tensor, list):
        tensor = torch.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = torch.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = torch.cat((tensor, tensor, tensor), 1)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    grid = tensor.new_full(
        (tensor.size(1), height * ymaps + padding, width * xmaps + padding), pad_value
    )
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding).narrow(
                2, x * width + padding, width - padding
            ).copy_(tensor[k])
            k += 1
    return grid


def _module(name, **attrs):
    mod = types.ModuleType(name)
    for k, v in attrs.items():
        setattr(mod, k, v)
    sys.modules[name] = mod
    return mod


def _class(module, name, **body):
    cls = type(name, (), body)
    cls.__module__ = module
    return cls


def install_matplotlib():
    AxesImage = _class("matplotlib.image", "AxesImage")
    Text = _class("matplotlib.text", "Text")
    Axes = _class("matplotlib.axes._axes", "Axes",
                  imshow=lambda self, *a, **k: AxesImage(),
                  set_title=lambda self, *a, **k: Text(),
                  axis=lambda self, *a, **k: None)
    Figure = _class("matplotlib.figure", "Figure")

    def subplots(nrows=1, ncols=1, **kw):
        axes = [[Axes() for _ in range(ncols)] for _ in range(nrows)]
        if nrows == 1 and ncols == 1:
            return Figure(), axes[0][0]
        arr = np.empty((nrows, ncols), dtype=object)
        for i in range(nrows):
            for j in range(ncols):
                arr[i, j] = axes[i][j]
        return Figure(), arr.squeeze() if 1 in (nrows, ncols) else arr

    nothing = lambda *a, **k: None  # noqa: E731
    pyplot = _module(
        "matplotlib.pyplot",
        imshow=lambda *a, **k: AxesImage(),
        show=nothing, title=nothing, xlabel=nothing, ylabel=nothing, axis=nothing,
        figure=lambda *a, **k: Figure(), subplots=subplots,
        ion=contextlib.ExitStack, ioff=contextlib.ExitStack,
    )
    _module("matplotlib", pyplot=pyplot)


def install_shims():
    nbgen.install_torchvision_shim()
    tv = sys.modules["torchvision"]
    datasets, transforms = tv.datasets, tv.transforms

    class FashionMNIST(torch.utils.data.Dataset):
        classes = FASHION_CLASSES

        def __init__(self, root, train=True, transform=None, target_transform=None,
                     download=False):
            self.px, self.targets = fashion_mnist(train)
            self.transform, self.target_transform = transform, target_transform

        def __len__(self):
            return len(self.targets)

        def __getitem__(self, i):
            img, target = nbgen._PilImage(self.px[i]), self.targets[i]
            if self.transform is not None:
                img = self.transform(img)
            if self.target_transform is not None:
                target = self.target_transform(target)
            return img, target

    class Lambda:
        def __init__(self, lambd):
            self.lambd = lambd

        def __call__(self, x):
            return self.lambd(x)

    datasets.FashionMNIST = FashionMNIST
    transforms.Lambda = Lambda
    tv.utils = _module("torchvision.utils", make_grid=make_grid)
    install_matplotlib()
    ipy = _module("IPython")
    ipy.core = _module("IPython.core")
    ipy.core.debugger = _module("IPython.core.debugger", set_trace=lambda *a, **k: None)

    def no_network(*a, **k):
        raise ConnectionError("requests stand-in: the reference run has no network")

    _module("requests", get=no_network)

    class SummaryWriter:
        def __init__(self, *a, **k):
            pass

        def add_graph(self, *a, **k):
            pass

        def add_scalar(self, *a, **k):
            pass

        def add_image(self, *a, **k):
            pass

        def close(self):
            pass

    try:
        importlib.import_module("torch.utils.tensorboard")
    except ImportError:
        _module("torch.utils.tensorboard", SummaryWriter=SummaryWriter)


def write_mnist_pickle(workdir):
    """data/mnist/mnist.pkl.gz in nn_tutorial's format, from nnbook's MNIST (www/data)."""
    def arrays(split):
        px, labels, _ = nbgen.read_nnbd(DATA / f"mnist-{split}.nnbd")
        x = (px.reshape(len(labels), 784).numpy().astype(np.float32) / np.float32(255))
        return x, np.array(labels, dtype=np.int64)

    train, test = arrays("train"), arrays("test")
    path = workdir / "data" / "mnist"
    path.mkdir(parents=True, exist_ok=True)
    with gzip.open(path / "mnist.pkl.gz", "wb") as f:
        pickle.dump((train, test, test), f, protocol=2)


def run_one(path):
    """Runs one corpus file (in this process) and prints its raw transcript parts."""
    install_shims()
    torch.manual_seed(67280421310721)  # a fresh process's default seed, as nnbook's
    text = path.read_text()
    with tempfile.TemporaryDirectory(prefix="nnbook-compat-") as tmp:
        os.chdir(tmp)
        if "mnist.pkl.gz" in text:
            write_mnist_pickle(pathlib.Path(tmp))
        glb = {"__name__": "__main__"}
        for k, cell in enumerate(split_cells(text), 1):
            out = nbgen.run_cell(cell, k, glb)
            sys.__stdout__.write(f"\x00cell {k}\x00{out}")
            sys.__stdout__.flush()


def cells_of_run(path):
    r = subprocess.run(
        [sys.executable, __file__, "--one", str(path)],
        capture_output=True, text=True, check=False,
    )
    if r.returncode != 0:
        raise SystemExit(f"{path.name}: the reference run failed:\n{r.stderr}")
    parts = r.stdout.split("\x00cell ")[1:]
    return [mask(p.split("\x00", 1)[1]) for p in parts]


def transcript(path):
    first, second = cells_of_run(path), cells_of_run(path)
    assert len(first) == len(second) == len(split_cells(path.read_text()))
    parts, tainted = [], False
    for k, (a, b) in enumerate(zip(first, second), 1):
        parts.append(f"--- cell {k} ---\n")
        if "!! DataUnavailable: " in a:
            reason = a.split("!! DataUnavailable: ", 1)[1].split(" (line")[0]
            parts.append(f"?? unavailable: {reason}\n{a}")
            tainted = True
        elif tainted and "\n!! " in "\n" + a:
            parts.append(f"?? unavailable: fails after an unavailable cell\n{a}")
        elif a != b:
            parts.append(f"?? nondeterministic: two PyTorch runs printed different text\n{a}")
        else:
            parts.append(a)
    return "".join(parts)


def corpus_files(names):
    files = sorted((HERE / "tutorials").glob("*.py")) + sorted((HERE / "seed").glob("*.py"))
    return [p for p in files if not names or p.stem in names]


def main():
    if sys.argv[1:2] == ["--one"]:
        run_one(pathlib.Path(sys.argv[2]))
        return
    for path in corpus_files(sys.argv[1:]):
        (HERE / "expected" / f"{path.stem}.txt").write_text(transcript(path))
        print(f"wrote expected/{path.stem}.txt")


if __name__ == "__main__":
    main()
