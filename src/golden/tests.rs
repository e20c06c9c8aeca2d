//! Unit tests of the runner on small in-memory fixtures: parsing failures, unknown ops and the
//! per-case lines.

use super::{run_str, Summary};
use std::path::Path;

/// Runs `text` as one fixture file; returns the summary and the printed lines.
fn run(text: &str) -> (Summary, Vec<String>) {
    let mut out = Vec::new();
    let s = run_str(text, "mem.json", Path::new("."), &mut out);
    let lines = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    (s, lines)
}

fn file(cases: &str) -> String {
    format!(
        r#"{{"schema_version": 1, "group": "t", "tolerance_rule": "|actual - expected| <= atol + rtol * |expected|, elementwise", "cases": [{cases}]}}"#
    )
}

/// `y = x·wᵀ + b` with x = [[1, 2]], w = [[1, 1]], b = [0.5], g = [[1]]:
/// y = 3.5, dx = [1, 1], dw = [1, 2], db = [1].
fn linear_case(name: &str, y: f64) -> String {
    format!(
        r#"{{"name": "{name}", "op": "linear", "params": {{"in_features": 2, "out_features": 1, "bias": true}},
  "inputs": {{"x": {{"shape": [1, 2], "dtype": "float32", "data": [1, 2]}},
             "weight": {{"shape": [1, 2], "dtype": "float32", "data": [1, 1]}},
             "bias": {{"shape": [1], "dtype": "float32", "data": [0.5]}},
             "g": {{"shape": [1, 1], "dtype": "float32", "data": [1]}}}},
  "outputs": {{"y": {{"shape": [1, 1], "dtype": "float32", "data": [{y}]}}}},
  "grads": {{"x": {{"shape": [1, 2], "dtype": "float32", "data": [1, 1]}},
            "weight": {{"shape": [1, 2], "dtype": "float32", "data": [1, 2]}},
            "bias": {{"shape": [1], "dtype": "float32", "data": [1]}}}},
  "tol": {{"outputs": {{"y": {{"rtol": 1e-4, "atol": 1e-6}}}},
          "grads": {{"x": {{"rtol": 0, "atol": 0}}, "weight": {{"rtol": 0, "atol": 0}}, "bias": {{"rtol": 0, "atol": 0}}}}}}}}"#
    )
}

#[test]
fn a_correct_case_passes_and_the_summary_line_ends_the_output() {
    let (s, lines) = run(&file(&linear_case("lin", 3.5)));
    assert_eq!(
        s,
        Summary {
            passed: 1,
            failed: 0,
            skipped: 0
        }
    );
    assert_eq!(lines, ["ok lin", "1 passed, 0 failed, 0 skipped"]);
}

#[test]
fn a_wrong_number_fails_with_the_worst_element() {
    let (s, lines) = run(&file(&linear_case("lin", 3.6)));
    assert_eq!(s.failed, 1);
    assert!(
        lines[0]
            .starts_with("FAIL lin: tensor y worst element [0] (at [0, 0]) got 3.5 want 3.6 (|d|="),
        "{}",
        lines[0]
    );
}

#[test]
fn malformed_json_is_a_failure() {
    let (s, lines) = run(r#"{"schema_version": 1, "cases": ["#);
    assert_eq!(
        s,
        Summary {
            passed: 0,
            failed: 1,
            skipped: 0
        }
    );
    assert!(
        lines[0].starts_with("FAIL mem.json: malformed file: invalid JSON"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "0 passed, 1 failed, 0 skipped");
}

#[test]
fn wrong_schema_version_or_rule_or_no_cases_is_a_failure() {
    for text in [
        r#"{"schema_version": 2, "cases": []}"#,
        r#"{"cases": []}"#,
        r#"{"schema_version": 1}"#,
        r#"{"schema_version": 1, "tolerance_rule": "|a - e| <= atol", "cases": []}"#,
        r#"[1, 2]"#,
    ] {
        let (s, lines) = run(text);
        assert_eq!(s.failed, 1, "{text}");
        assert!(
            lines[0].starts_with("FAIL mem.json: malformed file"),
            "{}",
            lines[0]
        );
    }
}

#[test]
fn an_unknown_op_is_a_failure_not_a_skip() {
    let case = linear_case("odd", 3.5).replace(r#""op": "linear""#, r#""op": "linear3d""#);
    let (s, lines) = run(&file(&format!("{case}, {}", linear_case("fine", 3.5))));
    assert_eq!(
        s,
        Summary {
            passed: 1,
            failed: 1,
            skipped: 0
        }
    );
    assert_eq!(lines[0], "FAIL odd: unknown op 'linear3d'");
    assert_eq!(lines[1], "ok fine");
}

#[test]
fn malformed_cases_fail_and_name_the_problem() {
    let bad_count = linear_case("count", 3.5).replace(r#""data": [0.5]"#, r#""data": [0.5, 1]"#);
    let bad_dtype = linear_case("dtype", 3.5).replace(
        r#""dtype": "float32", "data": [0.5]"#,
        r#""dtype": "float16", "data": [0.5]"#,
    );
    let no_tol = linear_case("notol", 3.5).replace(
        r#""bias": {"rtol": 0, "atol": 0}"#,
        r#""b": {"rtol": 0, "atol": 0}"#,
    );
    let bad_param =
        linear_case("param", 3.5).replace(r#""bias": true}"#, r#""bias": true, "dilation": 2}"#);
    let no_name = r#"{"op": "linear"}"#;
    let cases = [bad_count, bad_dtype, no_tol, bad_param, no_name.to_string()].join(", ");
    let (s, lines) = run(&file(&cases));
    assert_eq!(s.failed, 5, "{lines:?}");
    assert!(lines[0].contains("FAIL count: mem.json: malformed case: input 'bias': shape [1] needs 1 values, data has 2"), "{}", lines[0]);
    assert!(lines[1].contains("unknown dtype 'float16'"), "{}", lines[1]);
    assert!(
        lines[2].contains("no tolerance tol.grads.bias for grad 'bias'"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("bad params for op 'linear'") && lines[3].contains("dilation"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].starts_with("FAIL case #4: mem.json: malformed case: missing field `name`"),
        "{}",
        lines[4]
    );
}

#[test]
fn an_expected_tensor_the_op_does_not_produce_is_a_failure() {
    let case = linear_case("extra", 3.5)
        .replacen(
            r#""outputs": {"#,
            r#""outputs": {"z": {"shape": [1], "dtype": "float32", "data": [0]}, "#,
            1,
        )
        .replace(
            r#""tol": {"outputs": {"#,
            r#""tol": {"outputs": {"z": {"rtol": 0, "atol": 0}, "#,
        );
    let (s, lines) = run(&file(&case));
    assert_eq!(s.failed, 1);
    assert_eq!(
        lines[0],
        "FAIL extra: the fixture has output 'z', which op 'linear' does not produce"
    );
}

#[test]
fn duplicate_case_names_fail() {
    let (s, lines) = run(&file(&format!(
        "{}, {}",
        linear_case("a", 3.5),
        linear_case("a", 3.5)
    )));
    assert_eq!(
        s,
        Summary {
            passed: 1,
            failed: 1,
            skipped: 0
        }
    );
    assert_eq!(
        lines[1],
        "FAIL a: mem.json: case name 'a' is not unique in the file"
    );
}

#[test]
fn reshape_errors_compare_kind_and_exact_text() {
    let case = |msg: &str| {
        format!(
            r#"{{"name": "r", "op": "reshape", "params": {{"input_shape": [64, 3, 32, 32], "shape": [7, -1]}},
              "error": true, "error_type": "RuntimeError", "error_message": "{msg}"}}"#
        )
    };
    let (s, _) = run(&file(&case(
        "shape '[7, -1]' is invalid for input of size 196608",
    )));
    assert_eq!(s.passed, 1);
    let (s, lines) = run(&file(&case("shape '[7, -1]' is invalid")));
    assert_eq!(s.failed, 1);
    assert!(
        lines[0].starts_with("FAIL r: error text differs"),
        "{}",
        lines[0]
    );
}

#[test]
fn a_missing_model_fixture_file_is_a_failure() {
    let case = r#"{"name": "m", "op": "cifar_model", "params": {}, "fixture": "no_such_fixture.json", "inputs": {}}"#;
    let (s, lines) = run(&file(case));
    assert_eq!(s.failed, 1);
    assert!(
        lines[0].starts_with("FAIL m: cannot read fixture"),
        "{}",
        lines[0]
    );
}

#[test]
fn a_malformed_tolerance_names_its_tensor() {
    let case = linear_case("t", 3.5).replace(
        r#""y": {"rtol": 1e-4, "atol": 1e-6}"#,
        r#""y": {"rtol": 1e-4}"#,
    );
    let (s, lines) = run(&file(&case));
    assert_eq!(s.failed, 1);
    assert!(
        lines[0]
            .starts_with("FAIL t: mem.json: malformed case: tol.outputs.y: missing field `atol`"),
        "{}",
        lines[0]
    );
}
