//! Typed errors that name the op and render PyTorch's exact message.
//!
//! Every fallible function in nnbook returns [`Result<T>`]. An [`Error`] knows which op raised it
//! ([`Error::op`]), which Python exception PyTorch raises in the same situation
//! ([`Error::py_kind`]) and prints PyTorch's own text through `Display`, so a learner sees
//! `RuntimeError: shape '[7, -1]' is invalid for input of size 196608` exactly as in Python.
//! Errors become `JsError` only at the wasm boundary (`src/wasm.rs`).

use std::fmt;

/// The Python exception class PyTorch raises for an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PyKind {
    RuntimeError,
    IndexError,
    ValueError,
    TypeError,
    /// Python's `assert` inside a PyTorch module (`embed_dim must be divisible by num_heads`).
    AssertionError,
    /// Raised by nnbook itself where PyTorch has no equivalent (e.g. a malformed data file).
    NnbookError,
}

impl PyKind {
    /// The class name as Python prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            PyKind::RuntimeError => "RuntimeError",
            PyKind::IndexError => "IndexError",
            PyKind::ValueError => "ValueError",
            PyKind::TypeError => "TypeError",
            PyKind::AssertionError => "AssertionError",
            PyKind::NnbookError => "NnbookError",
        }
    }
}

/// What went wrong, with the values needed to print PyTorch's message.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// `reshape`/`view` target whose element count does not match:
    /// `shape '[7, -1]' is invalid for input of size 196608`.
    InvalidShapeForSize {
        op: &'static str,
        shape: Vec<i64>,
        numel: usize,
    },
    /// More than one `-1` in a target shape: `only one dimension can be inferred`.
    MultipleInferred { op: &'static str },
    /// A negative entry other than `-1`: `invalid shape dimension -2 at index 0 of shape [-2, 3072]`.
    InvalidShapeDim {
        op: &'static str,
        dim: i64,
        index: usize,
        shape: Vec<i64>,
    },
    /// `Dimension out of range (expected to be in range of [-4, 3], but got 4)` (IndexError).
    DimOutOfRange {
        op: &'static str,
        dim: i64,
        ndim: usize,
    },
    /// `flatten() has invalid args: start_dim cannot come after end_dim`.
    FlattenStartAfterEnd { op: &'static str },
    /// `addmm: mat1 and mat2 shapes cannot be multiplied (64x3072 and 196608x10)`; `op` is the
    /// ATen kernel PyTorch 2.15 names in the message (`"mm"`, `"addmm"`).
    MatmulShape {
        op: &'static str,
        lhs: [usize; 2],
        rhs: [usize; 2],
    },
    /// Conv2d input whose channel count does not match the weight:
    /// `Given groups=1, weight of size [32, 3, 5, 5], expected input[64, 1, 32, 32] to have 3 channels, but got 1 channels instead`.
    ConvChannels {
        op: &'static str,
        weight: Vec<usize>,
        input: Vec<usize>,
        expected: usize,
        got: usize,
    },
    /// Two shapes that must agree do not (elementwise ops, losses, gradients).
    ShapeMismatch {
        op: &'static str,
        lhs: Vec<usize>,
        rhs: Vec<usize>,
    },
    /// A tensor larger than the size guard allows.
    TooLarge {
        op: &'static str,
        shape: Vec<usize>,
        bytes: u128,
        limit: u128,
    },
    /// `-1` in a target shape whose known sizes multiply to 0, for a tensor of 0 elements:
    /// `cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified dimension
    /// size -1 can be any value and is ambiguous`.
    ReshapeAmbiguous { op: &'static str, shape: Vec<i64> },
    /// `permute(sparse_coo): number of dimensions in the tensor input does not match the length
    /// of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 3`
    /// (PyTorch 2.15 prints `sparse_coo` for dense tensors too).
    PermuteLen {
        op: &'static str,
        ndim: usize,
        len: usize,
    },
    /// `permute(): duplicate dims are not allowed.`
    PermuteDuplicate { op: &'static str },
    /// `torch.cat(): expected a non-empty list of Tensors` (ValueError).
    CatEmpty { op: &'static str },
    /// `zero-dimensional tensor (at position 0) cannot be concatenated`.
    CatZeroDim { op: &'static str, position: usize },
    /// `Tensors must have same number of dimensions: got 2 and 3`.
    CatNdim {
        op: &'static str,
        expected: usize,
        got: usize,
    },
    /// `Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for
    /// tensor number 1 in the list.`
    CatSizes {
        op: &'static str,
        dim: usize,
        expected: usize,
        got: usize,
        position: usize,
    },
    /// `index 5 is out of bounds for dimension 0 with size 4` (IndexError).
    IndexOutOfBounds {
        op: &'static str,
        index: i64,
        dim: usize,
        size: usize,
    },
    /// `too many indices for tensor of dimension 2` (IndexError).
    TooManyIndices { op: &'static str, ndim: usize },
    /// Indexing a 0-d tensor: `invalid index of a 0-dim tensor. Use `tensor.item()` in Python or
    /// `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number` (IndexError).
    IndexZeroDim { op: &'static str },
    /// An error raised by child `index` of a container (`Sequential`). Prints the child's
    /// error unchanged (PyTorch's text; PyTorch does not name the layer); `index` and `layer`
    /// (the child's one-line repr) are for the UI. Nested containers nest this variant.
    InLayer {
        index: usize,
        layer: String,
        source: Box<Error>,
    },
    /// Any other message, with PyTorch's text where PyTorch has one.
    Msg {
        op: &'static str,
        kind: PyKind,
        message: String,
    },
}

/// `Result` with nnbook's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A free-form error with an explicit exception kind.
    pub fn msg(op: &'static str, kind: PyKind, message: impl Into<String>) -> Self {
        Error::Msg {
            op,
            kind,
            message: message.into(),
        }
    }

    /// A `RuntimeError` with the given text.
    pub fn runtime(op: &'static str, message: impl Into<String>) -> Self {
        Self::msg(op, PyKind::RuntimeError, message)
    }

    /// A `ValueError` with the given text.
    pub fn value(op: &'static str, message: impl Into<String>) -> Self {
        Self::msg(op, PyKind::ValueError, message)
    }

    /// The op (function or module) that raised the error, e.g. `"reshape"`, `"Conv2d"`.
    pub fn op(&self) -> &'static str {
        match self {
            Error::InvalidShapeForSize { op, .. }
            | Error::MultipleInferred { op }
            | Error::InvalidShapeDim { op, .. }
            | Error::DimOutOfRange { op, .. }
            | Error::FlattenStartAfterEnd { op }
            | Error::MatmulShape { op, .. }
            | Error::ConvChannels { op, .. }
            | Error::ShapeMismatch { op, .. }
            | Error::TooLarge { op, .. }
            | Error::ReshapeAmbiguous { op, .. }
            | Error::PermuteLen { op, .. }
            | Error::PermuteDuplicate { op }
            | Error::CatEmpty { op }
            | Error::CatZeroDim { op, .. }
            | Error::CatNdim { op, .. }
            | Error::CatSizes { op, .. }
            | Error::IndexOutOfBounds { op, .. }
            | Error::TooManyIndices { op, .. }
            | Error::IndexZeroDim { op }
            | Error::Msg { op, .. } => op,
            Error::InLayer { source, .. } => source.op(),
        }
    }

    /// The Python exception class PyTorch raises here.
    pub fn py_kind(&self) -> PyKind {
        match self {
            Error::DimOutOfRange { .. }
            | Error::IndexOutOfBounds { .. }
            | Error::TooManyIndices { .. }
            | Error::IndexZeroDim { .. } => PyKind::IndexError,
            Error::CatEmpty { .. } => PyKind::ValueError,
            Error::Msg { kind, .. } => *kind,
            Error::InLayer { source, .. } => source.py_kind(),
            _ => PyKind::RuntimeError,
        }
    }

    /// The error underneath any [`Error::InLayer`] wrappers.
    pub fn root(&self) -> &Error {
        match self {
            Error::InLayer { source, .. } => source.root(),
            other => other,
        }
    }

    /// The path of child indices an [`Error::InLayer`] chain points to (outermost first),
    /// e.g. `[2, 0]` for the first layer of the third child; empty for other errors.
    pub fn layer_path(&self) -> Vec<usize> {
        let mut path = Vec::new();
        let mut e = self;
        while let Error::InLayer { index, source, .. } = e {
            path.push(*index);
            e = source;
        }
        path
    }

    /// `"RuntimeError: <message>"`, as Python prints an uncaught exception's last line.
    pub fn to_python_string(&self) -> String {
        format!("{}: {}", self.py_kind().as_str(), self)
    }
}

/// Formats a shape as PyTorch does in messages: `[7, -1]`.
pub fn fmt_shape<T: fmt::Display>(shape: &[T]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidShapeForSize { shape, numel, .. } => {
                write!(f, "shape '{}' is invalid for input of size {}", fmt_shape(shape), numel)
            }
            Error::MultipleInferred { .. } => write!(f, "only one dimension can be inferred"),
            Error::InvalidShapeDim { dim, index, shape, .. } => write!(
                f,
                "invalid shape dimension {} at index {} of shape {}",
                dim,
                index,
                fmt_shape(shape)
            ),
            Error::DimOutOfRange { dim, ndim, .. } => {
                let n = (*ndim).max(1) as i64;
                write!(
                    f,
                    "Dimension out of range (expected to be in range of [{}, {}], but got {})",
                    -n,
                    n - 1,
                    dim
                )
            }
            Error::FlattenStartAfterEnd { .. } => {
                write!(f, "flatten() has invalid args: start_dim cannot come after end_dim")
            }
            Error::MatmulShape { op, lhs, rhs } => write!(
                f,
                "{}: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
                op, lhs[0], lhs[1], rhs[0], rhs[1]
            ),
            Error::ConvChannels { weight, input, expected, got, .. } => write!(
                f,
                "Given groups=1, weight of size {}, expected input{} to have {} channels, but got {} channels instead",
                fmt_shape(weight),
                fmt_shape(input),
                expected,
                got
            ),
            Error::ShapeMismatch { op, lhs, rhs } => write!(
                f,
                "{}: shapes {} and {} do not match",
                op,
                fmt_shape(lhs),
                fmt_shape(rhs)
            ),
            Error::TooLarge { op, shape, bytes, limit } => write!(
                f,
                "{}: a tensor of shape {} would need {} bytes, more than the size limit of {} bytes",
                op,
                fmt_shape(shape),
                bytes,
                limit
            ),
            Error::ReshapeAmbiguous { shape, .. } => write!(
                f,
                "cannot reshape tensor of 0 elements into shape {} because the unspecified dimension size -1 can be any value and is ambiguous",
                fmt_shape(shape)
            ),
            Error::PermuteLen { ndim, len, .. } => write!(
                f,
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
                ndim, len
            ),
            Error::PermuteDuplicate { .. } => {
                write!(f, "permute(): duplicate dims are not allowed.")
            }
            Error::CatEmpty { .. } => {
                write!(f, "torch.cat(): expected a non-empty list of Tensors")
            }
            Error::CatZeroDim { position, .. } => write!(
                f,
                "zero-dimensional tensor (at position {}) cannot be concatenated",
                position
            ),
            Error::CatNdim { expected, got, .. } => write!(
                f,
                "Tensors must have same number of dimensions: got {} and {}",
                expected, got
            ),
            Error::CatSizes { dim, expected, got, position, .. } => write!(
                f,
                "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for tensor number {} in the list.",
                dim, expected, got, position
            ),
            Error::IndexOutOfBounds { index, dim, size, .. } => write!(
                f,
                "index {} is out of bounds for dimension {} with size {}",
                index, dim, size
            ),
            Error::TooManyIndices { ndim, .. } => {
                write!(f, "too many indices for tensor of dimension {}", ndim)
            }
            Error::IndexZeroDim { .. } => write!(
                f,
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            ),
            Error::InLayer { source, .. } => source.fmt(f),
            Error::Msg { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_pytorch_text() {
        let e = Error::InvalidShapeForSize {
            op: "reshape",
            shape: vec![7, -1],
            numel: 196608,
        };
        assert_eq!(
            e.to_python_string(),
            "RuntimeError: shape '[7, -1]' is invalid for input of size 196608"
        );
        let e = Error::DimOutOfRange {
            op: "flatten",
            dim: 4,
            ndim: 4,
        };
        assert_eq!(
            e.to_python_string(),
            "IndexError: Dimension out of range (expected to be in range of [-4, 3], but got 4)"
        );
        let e = Error::MatmulShape {
            op: "addmm",
            lhs: [64, 3072],
            rhs: [196608, 10],
        };
        // torch 2.15: F.linear(torch.zeros(64, 3072), torch.zeros(10, 196608), torch.zeros(10))
        assert_eq!(
            e.to_string(),
            "addmm: mat1 and mat2 shapes cannot be multiplied (64x3072 and 196608x10)"
        );
        assert_eq!(e.op(), "addmm");
    }
}
