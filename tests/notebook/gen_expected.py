"""Writes tests/notebook/expected/NAME.txt from tests/notebook/cells/NAME.py with real PyTorch.

Each cells file is a notebook: cells are separated by lines `# %%` and share globals. A cell
runs like a Jupyter cell: its stdout is kept, a final bare expression's repr() is shown, and an
exception ends the cell with `!! <Class>: <message> (line N)`, N being the cell line of the
top-level statement that raised. Every cell's output is preceded by `--- cell K ---`.

Run: /work/.venv-torch/bin/python tests/notebook/gen_expected.py
"""
import ast
import contextlib
import io
import pathlib
import sys

import torch

torch.set_num_threads(1)
HERE = pathlib.Path(__file__).parent


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
    names = sys.argv[1:] or sorted(p.stem for p in (HERE / "cells").glob("*.py"))
    for name in names:
        # A fresh process per file would match nnbook's fresh kernel; reseed to the default.
        torch.manual_seed(67280421310721)
        text = run_file(HERE / "cells" / f"{name}.py")
        (HERE / "expected" / f"{name}.txt").write_text(text)
        print(f"wrote expected/{name}.txt")


if __name__ == "__main__":
    main()
