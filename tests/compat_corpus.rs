//! The compatibility ratchet: runs the corpus of tests/compat (the official PyTorch tutorials
//! and the week-9 notes, cell by cell, against real PyTorch's transcripts; see
//! tests/compat/README.md) and fails when a cell that printed what PyTorch prints no longer
//! does, or when any cell panics. The cells that match today are listed in
//! tests/compat/ratchet.txt; when more match, the test prints the new line to put there.
//! The full report: `cargo run --release --bin nnbook -- compat tests/compat`.
#![cfg(not(target_arch = "wasm32"))]
use nnbook::compat::report::{matching_cells, ratchet_line, Report};
use std::collections::BTreeMap;
use std::path::Path;

fn ratchet(dir: &Path) -> BTreeMap<String, Vec<usize>> {
    let text = std::fs::read_to_string(dir.join("ratchet.txt")).unwrap();
    let lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    lines
        .map(|l| {
            let (name, cells) = l.split_once(':').expect("ratchet lines are `name: cells`");
            let cells = cells
                .split_whitespace()
                .map(|c| c.parse().unwrap())
                .collect();
            (name.trim().to_string(), cells)
        })
        .collect()
}

#[test]
fn corpus_cells_that_matched_still_match() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/compat");
    let files = nnbook::compat::run_corpus(&dir, &root.join("www/data")).unwrap();
    let report = Report { files: &files };
    println!("{report}");
    assert_eq!(report.totals().panics, 0, "cells panicked (see the report)");
    let want = ratchet(&dir);
    let mut lost = Vec::new();
    for f in &files {
        let before = want
            .get(&f.name)
            .unwrap_or_else(|| panic!("{} has no line in tests/compat/ratchet.txt", f.name));
        let now = matching_cells(f);
        lost.extend(
            before
                .iter()
                .filter(|c| !now.contains(c))
                .map(|c| format!("{} cell {c}", f.name)),
        );
        if now.iter().any(|c| !before.contains(c)) {
            println!(
                "more cells match: put `{}` in tests/compat/ratchet.txt",
                ratchet_line(f)
            );
        }
    }
    for name in want.keys().filter(|n| !files.iter().any(|f| &f.name == *n)) {
        println!("{name}: not on disk (the tutorials are not in git; see tests/compat/README.md)");
    }
    assert!(
        lost.is_empty(),
        "cells that matched PyTorch no longer do: {lost:?}"
    );
}
