//! Runs the golden runner over every fixture in `tests/golden/` (written by real PyTorch with
//! `tests/golden/gen.py`): every case must pass, so `cargo test` checks nnbook against PyTorch.
//! A stale fixture is regenerated with gen.py (see tests/golden/README.md), never loosened by hand.

use std::path::PathBuf;

#[test]
fn every_golden_fixture_passes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/golden exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "expected the golden fixtures in {}",
        dir.display()
    );
    let mut out = Vec::new();
    let summary = nnbook::golden::run_files(&paths, &mut out);
    let text = String::from_utf8(out).expect("utf-8 output");
    print!("{text}");
    assert_eq!(
        summary.failed,
        0,
        "failing golden cases:\n{}",
        failures(&text)
    );
    assert_eq!(summary.skipped, 0, "skipped golden cases:\n{text}");
    assert!(summary.passed > 100, "{summary}");
    assert_eq!(text.lines().last(), Some(summary.to_string().as_str()));
}

fn failures(text: &str) -> String {
    text.lines()
        .filter(|l| l.starts_with("FAIL"))
        .collect::<Vec<_>>()
        .join("\n")
}
