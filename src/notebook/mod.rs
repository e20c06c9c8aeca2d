//! The notebook kernel: runs cells of real Python (parsed by Ruff's parser) on the nnbook core,
//! with PyTorch's names, printing and error texts, keeping globals from cell to cell.
//!
//! ```
//! use nnbook::notebook::Notebook;
//! let mut nb = Notebook::new();
//! nb.run_cell("import torch\nimgs = torch.ones(64, 3, 32, 32)");
//! let out = nb.run_cell("output = torch.reshape(imgs, (1, 1, 1, -1))\nprint(output.shape)");
//! assert_eq!(out.stdout, "torch.Size([1, 1, 1, 196608])\n");
//! let out = nb.run_cell("x = 1\nimgs.reshape(7, -1)");
//! assert_eq!(
//!     out.error.unwrap().to_string(),
//!     "RuntimeError: shape '[7, -1]' is invalid for input of size 196608 (line 2)"
//! );
//! ```
//!
//! The supported subset is described in the module docs of [`interp`], [`builtins`],
//! [`torch_api`] and [`nn_api`]; anything else raises `NotImplementedError: not supported in nnbook yet: ...`.
pub mod args;
pub mod autograd;
pub mod builtins;
pub mod data_api;
pub mod error;
pub mod image_api;
pub mod interp;
pub mod layers_api;
pub mod nn_api;
pub mod repr;
pub mod torch_api;
pub mod value;

pub use error::PyErr;
use interp::{line_of, CodeCtx, Frame, Interp};
use rustpython_ruff_python_ast::Stmt;
use std::rc::Rc;
use value::Value;

/// What a cell produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellOutput {
    /// Everything printed, plus the repr of a final bare expression (as Jupyter shows it).
    pub stdout: String,
    /// The exception that stopped the cell, if any.
    pub error: Option<PyErr>,
    /// Pictures the cell showed (`show(t)`, `plt.imshow(t)`), in order.
    pub images: Vec<CellImage>,
    /// The kernel's count of cells run so far, this one included (Jupyter's `In [n]`).
    pub execution_count: u64,
}

/// A picture a cell produced: `width × height` RGBA pixels, row-major, 4 bytes a pixel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellImage {
    pub width: usize,
    pub height: usize,
    /// `width * height * 4` bytes.
    pub rgba: Vec<u8>,
    /// A short caption (e.g. the tensor's shape), may be empty.
    pub caption: String,
}

/// The dataset files a kernel can be given (`www/data/<name>.nnbd`).
pub const DATASET_NAMES: [&str; 4] = ["cifar10-train", "cifar10-test", "mnist-train", "mnist-test"];

/// Which dataset files `src` may need (by the names it mentions), so the host can fetch and
/// [`Notebook::register_dataset`] them before running the cell.
pub fn datasets_needed(src: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if src.contains("CIFAR10") {
        out.extend(["cifar10-train", "cifar10-test"]);
    }
    if src.contains("MNIST") {
        out.extend(["mnist-train", "mnist-test"]);
    }
    out
}

/// A notebook kernel: the globals shared by its cells.
pub struct Notebook {
    interp: Interp,
    execution_count: u64,
}

impl Default for Notebook {
    fn default() -> Self {
        Notebook::new()
    }
}

impl Notebook {
    /// A fresh kernel (empty globals, PyTorch's default seed as in a new Python process).
    pub fn new() -> Notebook {
        crate::rng::manual_seed(67280421310721);
        Notebook {
            interp: Interp::new(),
            execution_count: 0,
        }
    }

    /// Installs the interrupt check (e.g. reading a shared flag the page's Stop button sets).
    /// It is asked every [`interp::INTERRUPT_EVERY`] interpreter steps (statements, loop
    /// iterations, calls); when it returns `true` the running cell stops with
    /// `KeyboardInterrupt` and the cell line, and the kernel stays usable.
    pub fn set_interrupt(&mut self, check: Box<dyn FnMut() -> bool>) {
        self.interp.interrupt = Some(check);
    }

    /// Gives the kernel a dataset file (NNBD bytes) under one of [`DATASET_NAMES`]; checks
    /// the name and the file's header.
    pub fn register_dataset(&mut self, name: &str, bytes: Vec<u8>) -> Result<(), PyErr> {
        if !DATASET_NAMES.contains(&name) {
            return Err(PyErr::new(
                "ValueError",
                format!("unknown dataset '{name}' (expected one of {DATASET_NAMES:?})"),
            ));
        }
        let ds = crate::data::Dataset::decode(&bytes, &format!("{name}.nnbd"))
            .map_err(|e| PyErr::new("ValueError", e.to_string()))?;
        self.interp
            .datasets
            .insert(name.to_string(), std::rc::Rc::new(ds));
        Ok(())
    }

    /// Whether a dataset file has been registered.
    pub fn has_dataset(&self, name: &str) -> bool {
        self.interp.datasets.contains_key(name)
    }

    /// Registers whichever of the [`DATASET_NAMES`] files (`<name>.nnbd`) exist in `dir`
    /// (native only; the browser fetches them and calls [`Notebook::register_dataset`]).
    /// Returns the names registered.
    ///
    /// # Errors
    /// A `ValueError` naming the file when one exists but is not a valid NNBD file, or an
    /// `OSError` when it cannot be read.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load_datasets_from(
        &mut self,
        dir: &std::path::Path,
    ) -> Result<Vec<&'static str>, PyErr> {
        let mut loaded = Vec::new();
        for name in DATASET_NAMES {
            let path = dir.join(format!("{name}.nnbd"));
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path)
                .map_err(|e| PyErr::new("OSError", format!("{}: {e}", path.display())))?;
            self.register_dataset(name, bytes)?;
            loaded.push(name);
        }
        Ok(loaded)
    }

    /// Sets the step budget of each later cell (default [`interp::DEFAULT_STEP_BUDGET`]).
    pub fn set_step_budget(&mut self, steps: u64) {
        self.interp.step_budget = steps;
    }

    /// Runs one cell. Never panics on any input: syntax errors, unsupported constructs and
    /// runtime errors come back in [`CellOutput::error`] with the cell line.
    pub fn run_cell(&mut self, src: &str) -> CellOutput {
        self.execution_count += 1;
        self.interp.code = vec![CodeCtx {
            src: Rc::from(src),
            cell: self.execution_count,
            function: None,
        }];
        self.interp.stdout.clear();
        self.interp.images.clear();
        self.interp.steps = 0;
        self.interp.no_grad = false;
        let error = match rustpython_ruff_python_parser::parse_module(src) {
            Err(e) => {
                let line = line_of(src, e.location.start().to_usize());
                Some(PyErr::new("SyntaxError", e.error.to_string()).at_line(line))
            }
            Ok(parsed) => self.run_stmts(parsed.suite()).err(),
        };
        self.interp.code.clear();
        CellOutput {
            stdout: std::mem::take(&mut self.interp.stdout),
            error,
            images: std::mem::take(&mut self.interp.images),
            execution_count: self.execution_count,
        }
    }

    fn run_stmts(&mut self, body: &[Stmt]) -> Result<(), PyErr> {
        let mut frame = Frame { locals: None };
        for (i, s) in body.iter().enumerate() {
            let last = i + 1 == body.len();
            if let (true, Stmt::Expr(e)) = (last, s) {
                let v = self
                    .interp
                    .eval(&e.value, &mut frame)
                    .map_err(|err| self.interp.trace(err, s))?;
                if !matches!(v, Value::None) {
                    let r = repr::py_repr(&v);
                    self.interp.stdout.push_str(&r);
                    self.interp.stdout.push('\n');
                }
                continue;
            }
            self.interp.exec(s, &mut frame)?;
        }
        Ok(())
    }

    /// A global variable's value printed as `str()` (for tests and the UI), if defined.
    pub fn global_str(&self, name: &str) -> Option<String> {
        self.interp.globals.get(name).map(repr::py_str)
    }
}
