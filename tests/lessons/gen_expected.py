"""Writes tests/lessons/expected/<id>.txt: the transcript real PyTorch gives for the ```python
cells of www/lessons/<id>.md, in the format of tests/notebook/gen_expected.py (whose run_cell it
uses). Run: /work/.venv-torch/bin/python tests/lessons/gen_expected.py
"""
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "notebook"))
from gen_expected import run_cell  # noqa: E402

for lesson in ["linear", "reshape", "stn"]:
    md = (ROOT / "www" / "lessons" / f"{lesson}.md").read_text()
    cells = re.findall(r"^```python\n(.*?)^```$", md, flags=re.M | re.S)
    glb = {"__name__": "__main__"}
    parts = []
    for k, cell in enumerate(cells, 1):
        parts.append(f"--- cell {k} ---\n" + run_cell(cell, k, glb))
    (HERE / "expected" / f"{lesson}.txt").write_text("".join(parts))
    print(lesson, len(cells), "cells")
