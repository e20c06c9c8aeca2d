//! The compatibility corpus runner: code nobody on the team wrote (the official PyTorch
//! tutorials, the week-9 notes) run cell by cell in [`Notebook`] and compared with what real
//! PyTorch printed for the same cells (tests/compat/README.md).
//!
//! A corpus directory holds `tutorials/NAME.py` and `seed/NAME.py` (cells separated by `# %%`
//! lines; comment-only parts such as a file's header are not cells) and `expected/NAME.txt`
//! (written by `gen_expected.py`: `--- cell K ---` then the cell's stdout and
//! `!! Class: message (line N)`; a cell whose text starts with `?? ` is not compared). Both
//! transcripts are masked by [`mask::mask`] first.
//!
//! `nnbook compat DIR` prints [`report::Report`]; `tests/compat_corpus.rs` is its ratchet.
#![cfg(not(target_arch = "wasm32"))]

pub mod mask;
pub mod report;

use crate::notebook::Notebook;
use std::path::{Path, PathBuf};

/// One corpus file and its expected transcript.
#[derive(Clone, Debug)]
pub struct CorpusFile {
    /// The file stem (`quickstart`, `week9`).
    pub name: String,
    pub path: PathBuf,
    /// The cells' sources, in order.
    pub cells: Vec<String>,
    /// What PyTorch printed for each cell (already masked), or why it is not compared.
    pub expected: Vec<Expected>,
}

/// A cell of the expected transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Compare with this text.
    Text(String),
    /// Not compared; the reason (the `?? ` line without its marker).
    Skip(String),
}

/// How one cell went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// nnbook printed what PyTorch printed.
    Match,
    /// It printed something else.
    Differ,
    /// Not compared (see [`Expected::Skip`]).
    Skipped(String),
    /// `run_cell` panicked (a bug: cells never panic), with the panic message.
    Panic(String),
}

/// One cell's result.
#[derive(Clone, Debug)]
pub struct CellResult {
    /// 1-based, as in the transcripts.
    pub index: usize,
    pub source: String,
    pub outcome: Outcome,
    /// nnbook's transcript of the cell (masked).
    pub got: String,
    /// PyTorch's (masked; empty for skipped cells).
    pub want: String,
    /// The exception that stopped the cell in nnbook (`Class: message`, no line).
    pub error: Option<String>,
}

/// One file's results.
#[derive(Clone, Debug)]
pub struct FileResult {
    pub name: String,
    pub cells: Vec<CellResult>,
}

impl FileResult {
    /// (matching, compared) cells.
    pub fn counts(&self) -> (usize, usize) {
        let compared = self
            .cells
            .iter()
            .filter(|c| !matches!(c.outcome, Outcome::Skipped(_)));
        let compared: Vec<_> = compared.collect();
        let matching = compared
            .iter()
            .filter(|c| c.outcome == Outcome::Match)
            .count();
        (matching, compared.len())
    }
}

/// The cells of a corpus file: split at `# %%` lines; parts that hold only comments and blank
/// lines are dropped (the same rule as `split_cells` in gen_expected.py).
pub fn split_cells(text: &str) -> Vec<String> {
    text.split("\n# %%\n")
        .filter(|part| {
            !part.lines().all(|l| {
                let l = l.trim();
                l.is_empty() || l.starts_with('#')
            })
        })
        .map(str::to_string)
        .collect()
}

/// Parses an expected transcript (`--- cell K ---` blocks, numbered 1, 2, …).
pub fn parse_transcript(text: &str) -> Result<Vec<Expected>, String> {
    let mut cells = Vec::new();
    for (k, block) in text.split("--- cell ").skip(1).enumerate() {
        let head = format!("{} ---\n", k + 1);
        let body = block
            .strip_prefix(&head)
            .ok_or_else(|| format!("expected `--- cell {}` ---", k + 1))?;
        cells.push(match body.strip_prefix("?? ") {
            Some(rest) => Expected::Skip(rest.lines().next().unwrap_or("").to_string()),
            None => Expected::Text(mask::mask(body)),
        });
    }
    if !text.is_empty() && !text.starts_with("--- cell 1 ---\n") {
        return Err("a transcript starts with `--- cell 1 ---`".into());
    }
    Ok(cells)
}

/// The corpus files of `dir` (`tutorials/*.py`, then `seed/*.py`, each sorted by name) with
/// their transcripts from `dir/expected`.
///
/// # Errors
/// A message naming the file when a transcript is missing, malformed or has another number
/// of cells than its source.
pub fn load_corpus(dir: &Path) -> Result<Vec<CorpusFile>, String> {
    let mut files = Vec::new();
    for sub in ["tutorials", "seed"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "py"))
            .collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let read =
                |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
            let cells = split_cells(&read(&path)?);
            let want_path = dir.join("expected").join(format!("{name}.txt"));
            let expected = parse_transcript(&read(&want_path)?)
                .map_err(|e| format!("{}: {e}", want_path.display()))?;
            if expected.len() != cells.len() {
                return Err(format!(
                    "{}: {} cells, but {} has {} (regenerate it with gen_expected.py)",
                    path.display(),
                    cells.len(),
                    want_path.display(),
                    expected.len()
                ));
            }
            if files.iter().any(|f: &CorpusFile| f.name == name) {
                return Err(format!(
                    "{}: a second corpus file named {name}",
                    path.display()
                ));
            }
            files.push(CorpusFile {
                name,
                path,
                cells,
                expected,
            });
        }
    }
    Ok(files)
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// Runs `file`'s cells in order in a fresh kernel with the datasets of `data` (`www/data`).
pub fn run_file(file: &CorpusFile, data: &Path) -> FileResult {
    let mut nb = Notebook::new();
    let loaded = nb.load_datasets_from(data);
    let mut cells = Vec::new();
    for (k, (src, want)) in file.cells.iter().zip(&file.expected).enumerate() {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| nb.run_cell(src)));
        let (got, error, panic) = match run {
            Ok(out) => {
                let mut got = out.stdout;
                if let Some(e) = &out.error {
                    got += &format!("!! {e}\n");
                }
                let error = out.error.map(|e| format!("{}: {}", e.class, e.message));
                (mask::mask(&got), error, None)
            }
            Err(p) => (String::new(), None, Some(panic_message(p.as_ref()))),
        };
        let error = match (&loaded, error, k) {
            (Err(e), None, 0) => Some(format!("loading {}: {e}", data.display())),
            (_, e, _) => e,
        };
        let (outcome, want) = match (want, panic) {
            (Expected::Skip(why), _) => (Outcome::Skipped(why.clone()), String::new()),
            (Expected::Text(w), Some(p)) => (Outcome::Panic(p), w.clone()),
            (Expected::Text(w), None) if *w == got => (Outcome::Match, w.clone()),
            (Expected::Text(w), None) => (Outcome::Differ, w.clone()),
        };
        cells.push(CellResult {
            index: k + 1,
            source: src.clone(),
            outcome,
            got,
            want,
            error,
        });
    }
    FileResult {
        name: file.name.clone(),
        cells,
    }
}

/// Loads and runs the whole corpus of `dir`.
///
/// # Errors
/// As [`load_corpus`].
pub fn run_corpus(dir: &Path, data: &Path) -> Result<Vec<FileResult>, String> {
    Ok(load_corpus(dir)?
        .iter()
        .map(|f| run_file(f, data))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_split_at_markers_and_headers_are_not_cells() {
        let text = "# header\n# more\n# %%\nimport torch\n# %%\n# only a comment\n\n# %%\nx = 1\n";
        assert_eq!(split_cells(text), vec!["import torch", "x = 1\n"]);
    }

    #[test]
    fn transcripts_parse_with_skips() {
        let t = "--- cell 1 ---\n--- cell 2 ---\na 0x7f00aa11bb22\n--- cell 3 ---\n?? nondeterministic: x\ny\n";
        assert_eq!(
            parse_transcript(t).unwrap(),
            vec![
                Expected::Text(String::new()),
                Expected::Text("a 0x?\n".into()),
                Expected::Skip("nondeterministic: x".into()),
            ]
        );
        assert!(parse_transcript("--- cell 2 ---\n").is_err());
    }
}
