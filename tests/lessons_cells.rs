//! Runs the ```python cells of every lesson listed in `www/lessons/index.json`, in order, as Run
//! all does, and compares the transcript with what real PyTorch printed for the same cells
//! (`tests/lessons/expected/<id>.txt`, written by `tests/lessons/gen_expected.py`; after editing
//! a lesson regenerate with `$NNBOOK_TORCH_PYTHON tests/lessons/gen_expected.py`, the reference
//! environment made by `scripts/torch-venv.sh`).
//!
//! A cell whose error *is* the lesson is marked ```` ```python error ```` in the lesson source:
//! it must raise (PyTorch's exact text, through the transcript), and no unmarked cell may raise.
use nnbook::notebook::Notebook;
use std::path::Path;

/// One ```python block of a lesson: its code and whether it is marked `error`.
struct LessonCell {
    code: String,
    expects_error: bool,
}

/// The ```python blocks of a Markdown lesson, in order (the fence rules of
/// `www/notebook/document.js`: a line of three or more backticks, the info string
/// `python` or `python error`).
fn python_cells(md: &str) -> Vec<LessonCell> {
    let mut cells = Vec::new();
    let mut current: Option<LessonCell> = None;
    for line in md.lines() {
        let fence = line.trim_end();
        match current.as_mut() {
            None => {
                if let Some(info) = fence.strip_prefix("```") {
                    let words: Vec<&str> = info.split_whitespace().collect();
                    if words.first() == Some(&"python") {
                        current = Some(LessonCell {
                            code: String::new(),
                            expects_error: words.get(1) == Some(&"error"),
                        });
                    }
                }
            }
            Some(_) if fence == "```" => cells.extend(current.take()),
            Some(c) => {
                c.code.push_str(line);
                c.code.push('\n');
            }
        }
    }
    cells
}

fn lesson_ids(root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("www/lessons/index.json")).unwrap();
    let index: serde_json::Value = serde_json::from_str(&text).unwrap();
    index
        .as_array()
        .expect("index.json is a list")
        .iter()
        .map(|l| {
            l["id"]
                .as_str()
                .expect("every lesson has an id")
                .to_string()
        })
        .collect()
}

#[test]
fn every_lesson_of_the_index_runs_top_to_bottom_as_pytorch_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ids = lesson_ids(root);
    assert!(ids.len() >= 6, "index.json lists {} lessons", ids.len());
    let mut failed = Vec::new();
    for id in &ids {
        let md = std::fs::read_to_string(root.join(format!("www/lessons/{id}.md"))).unwrap();
        let cells = python_cells(&md);
        if cells.is_empty() {
            continue;
        }
        let mut nb = Notebook::new();
        let mut got = String::new();
        for (k, cell) in cells.iter().enumerate() {
            got += &format!("--- cell {} ---\n", k + 1);
            let r = nb.run_cell(&cell.code);
            got += &r.stdout;
            match (&r.error, cell.expects_error) {
                (Some(e), marked) => {
                    got += &format!("!! {e}\n");
                    if !marked {
                        failed.push(format!(
                            "{id}: cell {} raised {e} but is not marked `python error`",
                            k + 1
                        ));
                    }
                }
                (None, true) => failed.push(format!(
                    "{id}: cell {} is marked `python error` but raised nothing",
                    k + 1
                )),
                (None, false) => {}
            }
        }
        let expected = root.join(format!("tests/lessons/expected/{id}.txt"));
        let Ok(want) = std::fs::read_to_string(&expected) else {
            failed.push(format!(
                "{id}: no PyTorch transcript at {} (run `$NNBOOK_TORCH_PYTHON tests/lessons/gen_expected.py`)",
                expected.display()
            ));
            continue;
        };
        if got != want {
            failed.push(format!("== {id}: nnbook ==\n{got}\n== PyTorch ==\n{want}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// The marker is read as the page reads it: `python error` marks, other info words do not.
#[test]
fn cells_marked_error_are_found() {
    let md = "# t\n```python\nx = 1\n```\n\n```python error\nx.foo\n```\n```text\nno\n```\n";
    let cells = python_cells(md);
    assert_eq!(cells.len(), 2);
    assert!(!cells[0].expects_error);
    assert!(cells[1].expects_error);
    assert_eq!(cells[1].code, "x.foo\n");
}
