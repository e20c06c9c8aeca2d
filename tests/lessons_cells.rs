//! Runs the ```python cells of each lesson (www/lessons/*.md) in nnbook's interpreter, in order,
//! and compares the transcript with what real PyTorch printed for the same cells
//! (tests/lessons/expected/<id>.txt, written by tests/lessons/gen_expected.py; regenerate with
//! `/work/.venv-torch/bin/python tests/lessons/gen_expected.py` after editing a lesson).
use nnbook::notebook::Notebook;
use std::path::Path;

/// The ```python blocks of a Markdown lesson, in order.
fn python_cells(md: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut current: Option<String> = None;
    for line in md.lines() {
        match current.as_mut() {
            None if line.trim_end() == "```python" => current = Some(String::new()),
            Some(_) if line.trim_end() == "```" => cells.push(current.take().unwrap_or_default()),
            Some(c) => {
                c.push_str(line);
                c.push('\n');
            }
            None => {}
        }
    }
    cells
}

#[test]
fn lesson_cells_match_pytorch() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failed = Vec::new();
    for id in ["linear", "reshape", "stn", "layers"] {
        let md = std::fs::read_to_string(root.join(format!("www/lessons/{id}.md"))).unwrap();
        let cells = python_cells(&md);
        assert!(cells.len() >= 2, "{id}: {} cells", cells.len());
        let mut nb = Notebook::new();
        let mut got = String::new();
        for (k, cell) in cells.iter().enumerate() {
            got += &format!("--- cell {} ---\n", k + 1);
            let r = nb.run_cell(cell);
            got += &r.stdout;
            if let Some(e) = r.error {
                got += &format!("!! {e}\n");
            }
        }
        let want =
            std::fs::read_to_string(root.join(format!("tests/lessons/expected/{id}.txt"))).unwrap();
        if got != want {
            failed.push(format!("== {id}: nnbook ==\n{got}\n== PyTorch ==\n{want}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
