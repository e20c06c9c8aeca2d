"""Writes tests/lessons/expected/<id>.txt for every lesson of www/lessons/index.json: the
transcript real PyTorch gives for the ```python cells of www/lessons/<id>.md, in the format of
tests/notebook/gen_expected.py (whose run_cell it uses). A cell fenced ```python error must raise
and no other cell may (the lesson's deliberate mistakes); the script stops otherwise.
Run: $NNBOOK_TORCH_PYTHON tests/lessons/gen_expected.py (the environment scripts/torch-venv.sh makes).
"""
import json
import pathlib
import re
import sys
import types

import torch

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


FENCE = re.compile(r"^```python( error)?\n(.*?)^```$", flags=re.M | re.S)

show = install_picture_stand_ins()
lessons = json.loads((ROOT / "www" / "lessons" / "index.json").read_text())
for lesson in [entry["id"] for entry in lessons]:
    md = (ROOT / "www" / "lessons" / f"{lesson}.md").read_text()
    cells = FENCE.findall(md)
    if not cells:
        continue
    torch.manual_seed(67280421310721)  # each lesson's kernel starts fresh, as a new process
    glb = {"__name__": "__main__", "show": show}
    parts = []
    for k, (marked, cell) in enumerate(cells, 1):
        out = run_cell(cell, k, glb)
        raised = "\n!! " in "\n" + out
        if raised != bool(marked):
            sys.exit(f"{lesson}: cell {k} {'raised' if raised else 'did not raise'} but is "
                     f"{'not ' if not marked else ''}marked `python error`:\n{out}")
        parts.append(f"--- cell {k} ---\n" + out)
    (HERE / "expected" / f"{lesson}.txt").write_text("".join(parts))
    print(lesson, len(cells), "cells")
