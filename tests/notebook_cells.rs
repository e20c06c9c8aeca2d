//! Runs the notebook corpus `tests/notebook/cells/*.py` natively and compares with what real
//! PyTorch printed for the same cells (`tests/notebook/expected/*.txt`, written by
//! `tests/notebook/gen_expected.py`; regenerate with
//! `"${NNBOOK_TORCH_PYTHON:-.venv-torch/bin/python}" tests/notebook/gen_expected.py` after editing a cells file;
//! `scripts/torch-venv.sh` makes that PyTorch environment).
#![cfg(not(target_arch = "wasm32"))]
use nnbook::notebook::Notebook;
use std::path::Path;

/// The transcript format of gen_expected.py.
fn run_file(src: &str) -> String {
    let mut nb = Notebook::new();
    if !nnbook::notebook::datasets_needed(src).is_empty() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data");
        nb.load_datasets_from(&data).unwrap();
    }
    let mut out = String::new();
    for (k, cell) in src.split("\n# %%\n").enumerate() {
        out += &format!("--- cell {} ---\n", k + 1);
        let r = nb.run_cell(cell);
        out += &r.stdout;
        if let Some(e) = r.error {
            out += &format!("!! {e}\n");
        }
    }
    out
}

#[test]
fn corpus_matches_pytorch() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notebook");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("cells"))
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            (p.extension()? == "py").then_some(stem)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 5);
    let mut failed = Vec::new();
    // One test, files in sequence: the global generator is shared by the whole process.
    for name in &names {
        let src = std::fs::read_to_string(dir.join(format!("cells/{name}.py"))).unwrap();
        let want = std::fs::read_to_string(dir.join(format!("expected/{name}.txt"))).unwrap();
        let got = run_file(&src);
        if got != want {
            eprintln!("==== {name}: nnbook printed\n{got}\n==== PyTorch printed\n{want}");
            failed.push(name.clone());
        }
    }
    assert!(failed.is_empty(), "transcripts differ: {failed:?}");
}

#[test]
fn unsupported_constructs_are_named_not_panics() {
    let mut nb = Notebook::new();
    for (src, what) in [
        ("f = lambda x: x", "lambda"),
        ("try:\n    pass\nexcept Exception:\n    pass", "try/except"),
        ("import numpy", "import numpy"),
        (
            "class A:\n    pass",
            "classes that do not derive from nn.Module",
        ),
        ("x = {1, 2}", "sets"),
    ] {
        let e = nb.run_cell(src).error.expect(src);
        assert_eq!(e.class, "NotImplementedError", "{src}");
        assert!(
            e.message.starts_with("not supported in nnbook yet: ") && e.message.contains(what),
            "{src}: {e}"
        );
    }
    let e = nb.run_cell("x = (1,\n").error.unwrap();
    assert_eq!(e.class, "SyntaxError");
    assert_eq!(e.line, Some(2).or(e.line));
}

#[test]
fn step_budget_stops_runaway_loops() {
    let mut nb = Notebook::new();
    nb.set_step_budget(10_000);
    let r = nb.run_cell("i = 0\nwhile True:\n    i += 1");
    let e = r.error.unwrap();
    assert_eq!(e.class, "RuntimeError");
    assert!(e.message.contains("10000 steps"), "{e}");
    assert_eq!(e.line, Some(2));
    // The kernel is still usable afterwards.
    assert_eq!(nb.run_cell("print(i > 100)").stdout, "True\n");
}

#[test]
fn size_guard_refuses_huge_tensors() {
    let mut nb = Notebook::new();
    nb.run_cell("import torch");
    let e = nb
        .run_cell("x = torch.ones(100000, 100000, 100)")
        .error
        .unwrap();
    assert_eq!(e.class, "RuntimeError");
    assert!(e.message.contains("bytes"), "{e}");
}

#[test]
fn backward_through_an_unsupported_op_names_it() {
    let mut nb = Notebook::new();
    let src = r#"import torch
from torch import nn
import torch.nn.functional as F
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
    def forward(self, x):
        return self.fc(x) * 2
net = Net()
loss = F.cross_entropy(net(torch.ones(1, 2)), torch.tensor([0]))
loss.backward()"#;
    let e = nb.run_cell(src).error.unwrap();
    assert_eq!(e.class, "NotImplementedError");
    assert_eq!(
        e.message,
        "not supported in nnbook yet: backward() through MulBackward0 (an operation nnbook cannot differentiate yet)"
    );
    assert_eq!(e.line, Some(12));
    let e = nb
        .run_cell("net(torch.ones(3, 2)).backward()")
        .error
        .unwrap();
    assert_eq!(
        e.to_string(),
        "RuntimeError: grad can be implicitly created only for scalar outputs (line 1)"
    );
}
