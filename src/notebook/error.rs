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
    /// The 1-based line of the running cell where it was raised: the innermost statement of
    /// the cell's own code (inside a `for`/`if`/`with` block, the line in the block), as
    /// Python's traceback gives it for the cell's frame.
    pub line: Option<usize>,
    /// Python's traceback, outermost frame first (empty for syntax errors).
    pub traceback: Vec<TraceFrame>,
    /// While unwinding: the call depth of the innermost frame recorded so far.
    recorded_depth: Option<usize>,
}

/// One frame of a traceback: where a statement that raised is, as IPython prints it
/// (`Cell In[4], line 12, in forward`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFrame {
    /// The execution count of the cell whose code it is (`In[n]`).
    pub cell: u64,
    /// The 1-based line in that cell.
    pub line: usize,
    /// The function, or `None` at the cell's top level.
    pub function: Option<String>,
    /// The text of that line, trimmed.
    pub code: String,
}

impl PyErr {
    /// An exception of `class` with `message` (line filled in by the interpreter).
    pub fn new(class: &str, message: impl Into<String>) -> PyErr {
        PyErr {
            class: class.to_string(),
            message: message.into(),
            line: None,
            traceback: Vec::new(),
            recorded_depth: None,
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
    /// Records the statement that was running at call depth `depth` (0 = the cell's top
    /// level) as the error unwinds through it; only the innermost statement of each depth is
    /// kept. At depth 0 it also sets [`PyErr::line`].
    pub fn unwind_through(mut self, depth: usize, frame: TraceFrame) -> PyErr {
        if !self.wants_frame(depth) {
            return self;
        }
        self.recorded_depth = Some(depth);
        if depth == 0 {
            self.line.get_or_insert(frame.line);
        }
        self.traceback.insert(0, frame);
        self
    }
    /// Whether the statement running at `depth` is still to be recorded (no inner statement
    /// of that depth was).
    pub fn wants_frame(&self, depth: usize) -> bool {
        self.recorded_depth.is_none_or(|d| d > depth)
    }
    /// The traceback as Python prints it (the last line is [`PyErr::last_line`]).
    pub fn traceback_text(&self) -> String {
        let mut out = String::from("Traceback (most recent call last):\n");
        for f in &self.traceback {
            out += &format!("  Cell In[{}], line {}", f.cell, f.line);
            if let Some(name) = &f.function {
                out += &format!(", in {name}");
            }
            out += "\n";
            if !f.code.is_empty() {
                out += &format!("    {}\n", f.code);
            }
        }
        out + &self.last_line()
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
