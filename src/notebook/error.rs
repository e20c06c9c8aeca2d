//! [`PyErr`]: a Python exception as a notebook cell shows it — class, message, cell line.
//!
//! Errors from the nnbook core keep PyTorch's class and text ([`crate::Error::to_python_string`]);
//! the interpreter adds Python's own (`NameError: name 'x' is not defined`, …) and
//! `NotImplementedError: not supported in nnbook yet: <construct>` for anything outside the
//! supported subset.
use std::fmt;

/// A Python exception raised by a cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyErr {
    /// The exception class, e.g. `"RuntimeError"`, `"NameError"`.
    pub class: String,
    /// The message (PyTorch's or Python's exact text).
    pub message: String,
    /// The 1-based line of the cell whose top-level statement raised it.
    pub line: Option<usize>,
}

impl PyErr {
    /// An exception of `class` with `message` (line filled in by the interpreter).
    pub fn new(class: &str, message: impl Into<String>) -> PyErr {
        PyErr {
            class: class.to_string(),
            message: message.into(),
            line: None,
        }
    }
    /// `TypeError: <message>`.
    pub fn type_error(message: impl Into<String>) -> PyErr {
        PyErr::new("TypeError", message)
    }
    /// `ValueError: <message>`.
    pub fn value_error(message: impl Into<String>) -> PyErr {
        PyErr::new("ValueError", message)
    }
    /// `AttributeError: <message>`.
    pub fn attribute_error(message: impl Into<String>) -> PyErr {
        PyErr::new("AttributeError", message)
    }
    /// `IndexError: <message>`.
    pub fn index_error(message: impl Into<String>) -> PyErr {
        PyErr::new("IndexError", message)
    }
    /// `RuntimeError: <message>`.
    pub fn runtime(message: impl Into<String>) -> PyErr {
        PyErr::new("RuntimeError", message)
    }
    /// `NotImplementedError: not supported in nnbook yet: <construct>`.
    pub fn unsupported(construct: impl fmt::Display) -> PyErr {
        PyErr::new(
            "NotImplementedError",
            format!("not supported in nnbook yet: {construct}"),
        )
    }
    /// Sets the cell line if not already set.
    pub fn at_line(mut self, line: usize) -> PyErr {
        self.line.get_or_insert(line);
        self
    }
    /// The last line Jupyter shows: `RuntimeError: <message>`.
    pub fn last_line(&self) -> String {
        if self.message.is_empty() {
            self.class.clone()
        } else {
            format!("{}: {}", self.class, self.message)
        }
    }
}

/// `RuntimeError: <message> (line 3)`.
impl fmt::Display for PyErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.last_line())?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        Ok(())
    }
}

impl From<crate::Error> for PyErr {
    fn from(e: crate::Error) -> PyErr {
        PyErr::new(e.py_kind().as_str(), e.to_string())
    }
}

/// `Result` with a [`PyErr`].
pub type PyResult<T> = std::result::Result<T, PyErr>;
