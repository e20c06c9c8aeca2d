//! The golden runner: checks fixtures written by real PyTorch (`docs/GOLDEN-SCHEMA.md`)
//! against nnbook's own public API.
//!
//! [`run_files`] reads each file, runs every case through the op it names and prints one line
//! per case — `ok NAME`, `FAIL NAME: tensor T worst element [i] got X want Y (...)` or
//! `skipped NAME: reason` — then `N passed, N failed, N skipped`. A file that cannot be read or
//! parsed, a malformed case and an unknown op are failures, never silent skips.
//!
//! ```no_run
//! use std::path::PathBuf;
//! let summary = nnbook::golden::run_files(&[PathBuf::from("tests/golden/linear.json")], &mut std::io::stdout());
//! assert!(summary.is_success());
//! ```
//!
//! Layout: [`fixture`] (serde types and parsing), [`compare`] (the tolerance rule),
//! `ops_cases` (linear, conv2d, max_pool2d, softmax, cross_entropy), `spatial_cases`
//! (affine_grid, grid_sample), `shape_cases` (reshape, flatten), `model_cases` (the CIFAR-10
//! model, its optimizers, default init), `layer_cases` + `layer_build` (LayerNorm,
//! BatchNorm1d, Embedding, RNN/LSTM/GRU, MultiheadAttention, TransformerEncoderLayer: forward,
//! default init, print text, error texts).

pub mod compare;
pub mod fixture;
mod layer_build;
mod layer_cases;
mod model_cases;
mod ops_cases;
mod shape_cases;
mod spatial_cases;

use compare::Actual;
use fixture::{Case, FixtureFile};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Summary {
    /// `true` when nothing failed.
    pub fn is_success(&self) -> bool {
        self.failed == 0
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// The result of one case.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Every tensor within tolerance; the text notes anything not compared.
    Pass(Option<String>),
    /// What failed.
    Fail(String),
    /// Why the case was not run.
    Skip(String),
}

/// What an op computed for a case, by the tensor names of the fixture.
#[derive(Clone, Debug, Default)]
pub(crate) struct Computed {
    pub outputs: BTreeMap<String, Actual>,
    pub grads: BTreeMap<String, Actual>,
    /// Gradients deliberately not compared, with the reason (`kink_sensitive`).
    pub skip_grads: Vec<String>,
    pub skip_reason: Option<String>,
}

impl Computed {
    pub fn output(&mut self, name: &str, t: &crate::Tensor) {
        self.outputs
            .insert(name.to_string(), Actual::from_tensor(t));
    }
    pub fn grad(&mut self, name: &str, t: &crate::Tensor) {
        self.grads.insert(name.to_string(), Actual::from_tensor(t));
    }
}

/// Per-run state: where the current file lives, and the model fixtures already loaded.
pub(crate) struct Ctx {
    pub dir: PathBuf,
    pub fixtures: HashMap<PathBuf, Rc<Result<model_cases::ModelFixture, String>>>,
}

/// Formats an nnbook error as Python prints it, naming the function that raised it.
pub(crate) fn op_err(func: &str, e: crate::Error) -> String {
    format!("{func} failed: {}", e.to_python_string())
}

/// The handler of each op of the schema.
type Handler = fn(&Case, &mut Ctx) -> Result<Computed, String>;

fn handler(op: &str) -> Option<Handler> {
    Some(match op {
        "linear" => ops_cases::linear as Handler,
        "conv2d" => ops_cases::conv2d,
        "max_pool2d" => ops_cases::max_pool2d,
        "softmax" => ops_cases::softmax,
        "log_softmax" => ops_cases::log_softmax,
        "cross_entropy" => ops_cases::cross_entropy,
        "affine_grid" => spatial_cases::affine_grid,
        "affine_grid+grid_sample" => spatial_cases::affine_grid_grid_sample,
        "reshape" => shape_cases::reshape,
        "flatten" => shape_cases::flatten,
        "fixture" => model_cases::fixture,
        "cifar_model" => model_cases::cifar_model,
        "cifar_model_sgd" => model_cases::cifar_model_sgd,
        "cifar_model_adam" => model_cases::cifar_model_adam,
        "default_init" => model_cases::default_init,
        "layer_norm" => layer_cases::layer_norm,
        "batch_norm1d" => layer_cases::batch_norm1d,
        "embedding" => layer_cases::embedding,
        "rnn" => layer_cases::rnn,
        "lstm" => layer_cases::lstm,
        "gru" => layer_cases::gru,
        "multihead_attention" => layer_cases::multihead_attention,
        "transformer_encoder_layer" => layer_cases::transformer_encoder_layer,
        "module_init" => layer_cases::module_init,
        "layer_error" => layer_cases::layer_error,
        "dropout" => layer_cases::dropout,
        _ => return None,
    })
}

/// Runs one parsed case and compares what it computed with the fixture.
pub(crate) fn run_case(case: &Case, ctx: &mut Ctx) -> Outcome {
    let Some(h) = handler(&case.op) else {
        return Outcome::Fail(format!("unknown op '{}'", case.op));
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h(case, ctx)));
    let computed = match run {
        Ok(Ok(c)) => c,
        Ok(Err(msg)) => return Outcome::Fail(msg),
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Outcome::Fail(format!("panicked: {msg}"));
        }
    };
    if let Some(reason) = computed.skip_reason {
        return Outcome::Skip(reason);
    }
    let mut failures = Vec::new();
    for e in &case.expected_outputs {
        match computed.outputs.get(&e.name) {
            Some(a) => failures.extend(compare::compare(&e.name, a, &e.data, &e.tol).err()),
            None => failures.push(format!(
                "the fixture has output '{}', which op '{}' does not produce",
                e.name, case.op
            )),
        }
    }
    let mut not_compared = Vec::new();
    for e in &case.expected_grads {
        if computed.skip_grads.contains(&e.name) {
            not_compared.push(e.name.clone());
            continue;
        }
        match computed.grads.get(&e.name) {
            Some(a) => {
                let name = format!("grad {}", e.name);
                failures.extend(compare::compare(&name, a, &e.data, &e.tol).err())
            }
            None => failures.push(format!(
                "the fixture has grad '{}', which op '{}' does not produce",
                e.name, case.op
            )),
        }
    }
    if !failures.is_empty() {
        return Outcome::Fail(failures.join("; "));
    }
    Outcome::Pass((!not_compared.is_empty()).then(|| {
        format!(
            "kink_sensitive: grads {} not compared",
            not_compared.join(", ")
        )
    }))
}

/// Runs every case of one file's text. `dir` is where the file lives (for `fixture` files).
fn run_text(
    text: &str,
    label: &str,
    dir: &Path,
    ctx: &mut Ctx,
    out: &mut dyn Write,
    s: &mut Summary,
) {
    let file: FixtureFile = match fixture::parse_file(text) {
        Ok(f) => f,
        Err(e) => {
            s.failed += 1;
            let _ = writeln!(out, "FAIL {label}: malformed file: {e}");
            return;
        }
    };
    ctx.dir = dir.to_path_buf();
    let mut seen = std::collections::HashSet::new();
    for (i, raw) in file.cases.into_iter().enumerate() {
        let name = fixture::case_label(&raw, i);
        let outcome = match fixture::parse_case(raw) {
            Err(e) => Outcome::Fail(format!("{label}: {e}")),
            Ok(_) if !seen.insert(name.clone()) => Outcome::Fail(format!(
                "{label}: case name '{name}' is not unique in the file"
            )),
            Ok(case) => run_case(&case, ctx),
        };
        let _ = match outcome {
            Outcome::Pass(None) => {
                s.passed += 1;
                writeln!(out, "ok {name}")
            }
            Outcome::Pass(Some(note)) => {
                s.passed += 1;
                writeln!(out, "ok {name} ({note})")
            }
            Outcome::Fail(msg) => {
                s.failed += 1;
                writeln!(out, "FAIL {name}: {msg}")
            }
            Outcome::Skip(reason) => {
                s.skipped += 1;
                writeln!(out, "skipped {name}: {reason}")
            }
        };
    }
}

/// Runs every case of every file, printing one line per case and the summary line
/// `N passed, N failed, N skipped` to `out`. A file that cannot be read counts as one failure.
pub fn run_files(paths: &[PathBuf], out: &mut dyn Write) -> Summary {
    let mut s = Summary::default();
    let mut ctx = Ctx {
        dir: PathBuf::new(),
        fixtures: HashMap::new(),
    };
    for path in paths {
        let label = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let dir = path.parent().unwrap_or(Path::new("."));
                run_text(&text, &label, dir, &mut ctx, out, &mut s);
            }
            Err(e) => {
                s.failed += 1;
                let _ = writeln!(out, "FAIL {label}: cannot read: {e}");
            }
        }
    }
    let _ = writeln!(out, "{s}");
    s
}

/// Like [`run_files`] on one file's text (for tests and for fixtures held in memory).
pub fn run_str(text: &str, label: &str, dir: &Path, out: &mut dyn Write) -> Summary {
    let mut s = Summary::default();
    let mut ctx = Ctx {
        dir: dir.to_path_buf(),
        fixtures: HashMap::new(),
    };
    run_text(text, label, dir, &mut ctx, out, &mut s);
    let _ = writeln!(out, "{s}");
    s
}

#[cfg(test)]
mod tests;
