"""Writes tests/lessons/expected/<id>.txt: the transcript real PyTorch gives for the ```python
cells of www/lessons/<id>.md, in the format of tests/notebook/gen_expected.py (whose run_cell it
uses). Run: /work/.venv-torch/bin/python tests/lessons/gen_expected.py
"""
import pathlib
import re
import sys
import types

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "notebook"))
from gen_expected import run_cell  # noqa: E402


def install_picture_stand_ins():
    """nnbook's pictures print nothing: `show(t)` and matplotlib's `imshow`/`title`/`show`
    are stand-ins that only check they were given a tensor PyTorch could draw (no grad)."""
    import torch

    def draw(t, *args, **kwargs):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"expected a tensor, got {type(t).__name__}")
        t.numpy()  # raises, as matplotlib would, for a tensor that requires grad

    plt = types.ModuleType("matplotlib.pyplot")
    plt.imshow = draw
    plt.title = plt.show = plt.figure = plt.axis = plt.close = lambda *a, **k: None
    mpl = types.ModuleType("matplotlib")
    mpl.pyplot = plt
    sys.modules.update({"matplotlib": mpl, "matplotlib.pyplot": plt})
    return draw


show = install_picture_stand_ins()
for lesson in ["linear", "reshape", "stn", "layers"]:
    md = (ROOT / "www" / "lessons" / f"{lesson}.md").read_text()
    cells = re.findall(r"^```python\n(.*?)^```$", md, flags=re.M | re.S)
    glb = {"__name__": "__main__", "show": show}
    parts = []
    for k, cell in enumerate(cells, 1):
        parts.append(f"--- cell {k} ---\n" + run_cell(cell, k, glb))
    (HERE / "expected" / f"{lesson}.txt").write_text("".join(parts))
    print(lesson, len(cells), "cells")
