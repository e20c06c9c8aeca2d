//! Compute kernels: the only module with `unsafe` and `core::arch`.
//!
//! - GEMM ([`sgemm`]): a packed, register-blocked f32 GEMM in matrixmultiply's style — A and B
//!   panels packed into per-thread buffers, an `MR × NR` micro-kernel per instruction set
//!   (`simd128.rs` for wasm SIMD128, `avx2.rs` for x86-64 AVX2+FMA, `scalar.rs` the twin with
//!   the same signature), block sizes in `params.rs`, the loop nest in `gemm.rs`.
//! - Elementwise: [`relu_inplace`], [`axpy`], [`add_bias_rows`], [`add_bias_channels`]; and
//!   [`dot`] (a fixed summation order, bit-identical in every kernel).
//!
//! The instruction set is chosen once ([`Isa::chosen`]): at compile time on wasm, by run-time
//! detection on x86-64. One harness ([`harness`], run by `tests/kernels.rs` natively and
//! `tests/web_kernels.rs` in the browser) checks every kernel against the scalar twin.

pub mod bench;
mod gemm;
#[doc(hidden)]
pub mod harness;
pub mod params;
pub mod scalar;

#[cfg(target_arch = "x86_64")]
pub mod avx2;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

/// A read-only strided matrix view: element `(i, j)` is `data[i * rs + j * cs]`.
///
/// Transposes are free: swap `rows`/`cols` and `rs`/`cs`.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        MatRef {
            data,
            rows,
            cols,
            rs: cols,
            cs: 1,
        }
    }

    /// The transpose view (no copy).
    pub fn t(self) -> Self {
        MatRef {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
        }
    }

    /// Element `(i, j)`.
    #[inline(always)]
    pub fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.rs + j * self.cs]
    }

    /// Rows `r0..r0 + rows` (non-empty, inside the view).
    fn sub_rows(self, r0: usize, rows: usize) -> Self {
        MatRef {
            data: &self.data[r0 * self.rs..],
            rows,
            ..self
        }
    }

    /// Columns `c0..c0 + cols` (non-empty, inside the view).
    fn sub_cols(self, c0: usize, cols: usize) -> Self {
        MatRef {
            data: &self.data[c0 * self.cs..],
            cols,
            ..self
        }
    }

    /// Panics unless every element lies inside `data` (checked once, before any kernel runs).
    pub(crate) fn assert_in_bounds(&self) {
        if self.rows > 0 && self.cols > 0 {
            let last = (self.rows - 1) * self.rs + (self.cols - 1) * self.cs;
            assert!(last < self.data.len(), "MatRef out of bounds");
        }
    }
}

/// An instruction set with its own kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// Plain Rust (the twin every other kernel is tested against).
    Scalar,
    /// x86-64 AVX2 + FMA (run-time detected).
    Avx2,
    /// wasm SIMD128 (compiled in with `-C target-feature=+simd128`).
    Simd128,
}

impl Isa {
    /// The fastest instruction set this build and CPU support, detected once per process.
    pub fn chosen() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            static CHOSEN: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
            *CHOSEN.get_or_init(|| {
                if Isa::Avx2.is_available() {
                    Isa::Avx2
                } else {
                    Isa::Scalar
                }
            })
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Isa::Simd128
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            Isa::Scalar
        }
    }

    /// `true` when this build and CPU can run this instruction set's kernels.
    pub fn is_available(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            Isa::Simd128 => SIMD128,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// Every instruction set available here, scalar first.
    pub fn available() -> Vec<Isa> {
        [Isa::Scalar, Isa::Avx2, Isa::Simd128]
            .into_iter()
            .filter(|isa| isa.is_available())
            .collect()
    }

    /// `"scalar"`, `"avx2"` or `"simd128"`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Simd128 => "simd128",
        }
    }

    /// The GEMM register tile `(MR, NR)`.
    pub fn tile(self) -> (usize, usize) {
        match self {
            Isa::Scalar => (params::scalar::MR, params::scalar::NR),
            Isa::Avx2 => (params::avx2::MR, params::avx2::NR),
            Isa::Simd128 => (params::simd128::MR, params::simd128::NR),
        }
    }
}

/// Which GEMM kernel this build runs: `"simd128"`, `"avx2"` or `"scalar"`.
pub fn gemm_kernel_name() -> &'static str {
    Isa::chosen().name()
}

/// `true` when the wasm SIMD128 kernels are compiled in.
pub const SIMD128: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));

/// `C = A·B` (or `C += A·B` when `accumulate`), `A` is `m×k`, `B` is `k×n` (any strides), `C`
/// is `m×n` row-major. Blocks of rows (or of columns, when `C` is wide) are split over the
/// thread pool; no sum is split across threads, so results do not depend on the thread count.
/// One row of `A` times a `B` with contiguous columns (a batch-1 `Linear`, `x · Wᵀ`) is one
/// [`dot`] per column instead (no packing), here and in [`sgemm_serial`].
///
/// # Panics
/// If the inner dimensions differ, `c.len() != m * n` or a view is out of bounds (callers check
/// shapes first and return typed errors; a mismatch here is a bug).
pub fn sgemm(a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool) {
    sgemm_with(Isa::chosen(), a, b, c, accumulate)
}

/// [`sgemm`] with an explicit instruction set (tests and benchmarks).
///
/// # Panics
/// As [`sgemm`], and if `isa` is not available here.
pub fn sgemm_with(isa: Isa, a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool) {
    check_gemm_args(isa, &a, &b, c);
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let threads = crate::parallel::current_num_threads();
    if threads <= 1 || m * k * n < params::PARALLEL_MIN_MULADDS {
        // SAFETY: arguments checked above; C is the exclusive `c`.
        unsafe { run_gemm(isa, a, b, c.as_mut_ptr(), n, accumulate) };
        return;
    }
    let (mr, nr) = isa.tile();
    let tasks = 2 * threads;
    if m >= n {
        let rows = m.div_ceil(tasks).div_ceil(mr) * mr;
        crate::parallel::for_each_chunk_mut(c, rows * n, |t, c_rows| {
            let a_sub = a.sub_rows(t * rows, c_rows.len() / n);
            // SAFETY: checked above; each task owns its chunk of rows of C.
            unsafe { run_gemm(isa, a_sub, b, c_rows.as_mut_ptr(), n, accumulate) };
        });
    } else {
        let cols = n.div_ceil(tasks).div_ceil(nr) * nr;
        let c_ptr = SendPtr(c.as_mut_ptr());
        crate::parallel::map_range(n.div_ceil(cols), |t| {
            let j0 = t * cols;
            let b_sub = b.sub_cols(j0, cols.min(n - j0));
            // SAFETY: checked above; tasks write disjoint column ranges j0..j0+cols of C, and
            // `c` stays mutably borrowed (unused) until map_range returns.
            unsafe { run_gemm(isa, a, b_sub, c_ptr.get().add(j0), n, accumulate) };
        });
    }
}

/// The chosen kernel on the calling thread only.
///
/// # Panics
/// As [`sgemm`].
pub fn sgemm_serial(a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool) {
    sgemm_serial_with(Isa::chosen(), a, b, c, accumulate)
}

/// [`sgemm_serial`] with an explicit instruction set.
///
/// # Panics
/// As [`sgemm_with`].
pub fn sgemm_serial_with(isa: Isa, a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool) {
    check_gemm_args(isa, &a, &b, c);
    // SAFETY: arguments checked; C is the exclusive `c`.
    unsafe { run_gemm(isa, a, b, c.as_mut_ptr(), b.cols, accumulate) };
}

/// `c[j] (+)= x · B[:, j]` for `B` whose columns are contiguous (`b.rs == 1`).
fn gemv_dots(isa: Isa, x: &[f32], b: MatRef, c: &mut [f32], accumulate: bool) {
    let k = x.len();
    for (j, cj) in c.iter_mut().enumerate() {
        let col = if k == 0 {
            &[][..]
        } else {
            &b.data[j * b.cs..j * b.cs + k]
        };
        let d = dot_with(isa, x, col);
        *cj = if accumulate { *cj + d } else { d };
    }
}

/// A matrix `A` (`rows × cols`) packed once into the GEMM's row panels for the chosen kernel,
/// for many products with the same `A` (Winograd's transformed weights: one per position, used
/// by every inference). [`sgemm_serial_packed`] then skips packing `A`: about 40 % of a small
/// product's time (`32×32 · 32×16`, natively).
#[derive(Clone, Debug, PartialEq)]
pub struct PackedA {
    isa: Isa,
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl PackedA {
    /// Packs `a`, or `None` when it is too deep to pack whole (`cols` above the kernel's `KC`).
    pub fn new(a: MatRef) -> Option<PackedA> {
        Self::new_with(Isa::chosen(), a)
    }

    /// [`PackedA::new`] for an explicit (available) instruction set.
    pub fn new_with(isa: Isa, a: MatRef) -> Option<PackedA> {
        a.assert_in_bounds();
        let data = match isa {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 if isa.is_available() && a.cols <= params::avx2::KC => {
                gemm::pack_all_a::<avx2::Kernel>(a)
            }
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 if a.cols <= params::simd128::KC => gemm::pack_all_a::<simd128::Kernel>(a),
            Isa::Scalar if a.cols <= params::scalar::KC => gemm::pack_all_a::<scalar::Kernel>(a),
            _ => return None,
        };
        Some(PackedA {
            isa,
            rows: a.rows,
            cols: a.cols,
            data,
        })
    }

    /// Rows a product may start at must be multiples of this (the kernel's `MR`).
    pub fn row_step(&self) -> usize {
        self.isa.tile().0
    }

    /// `(rows, cols)` of `A`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }
}

/// `C = A[r0..r0 + rows, :] · B` (or `C +=` when `accumulate`) on the calling thread, with `A`
/// packed beforehand: bit-identical to [`sgemm_serial_with`] on the same instruction set and
/// unpacked `A` (except for one row times contiguous columns, which that runs as dot products).
/// `C` is `rows × B.cols` row-major.
///
/// # Panics
/// If `r0` is not a multiple of [`PackedA::row_step`], the rows leave `A`, the inner dimensions
/// differ, `c` has the wrong length or `b` is out of bounds.
pub fn sgemm_serial_packed(
    a: &PackedA,
    r0: usize,
    rows: usize,
    b: MatRef,
    c: &mut [f32],
    accumulate: bool,
) {
    assert!(
        r0.is_multiple_of(a.row_step()) && r0 + rows <= a.rows,
        "sgemm_serial_packed: rows {r0}..{} of a packed {}-row A (step {})",
        r0 + rows,
        a.rows,
        a.row_step()
    );
    assert_eq!(a.cols, b.rows, "sgemm inner dimensions");
    assert_eq!(c.len(), rows * b.cols, "sgemm output size");
    b.assert_in_bounds();
    let k = a.cols;
    let panels = gemm::APanels::Packed(&a.data[r0 * k..], rows, k);
    // SAFETY: shapes checked above; C is the exclusive `c`; the packed panels from row r0 on
    // hold round_up(rows, MR)·k floats (A was packed whole, zero-padded to MR rows, k ≤ KC).
    unsafe { run_gemm(a.isa, panels, b, c.as_mut_ptr(), b.cols, accumulate) };
}

fn check_gemm_args(isa: Isa, a: &MatRef, b: &MatRef, c: &[f32]) {
    assert!(
        isa.is_available(),
        "sgemm: {} kernel not available",
        isa.name()
    );
    assert_eq!(a.cols, b.rows, "sgemm inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "sgemm output size");
    a.assert_in_bounds();
    b.assert_in_bounds();
}

/// A raw pointer shared by tasks that write disjoint parts of one buffer.
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: only used for disjoint writes while the owning slice is mutably borrowed.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}
impl SendPtr {
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// The GEMM of `isa` on the calling thread (one dot product per column for one row of a view
/// times contiguous columns; see [`gemm::gemm`] for pre-packed `A`).
///
/// # Safety
/// `isa` is available, `a`/`b` in bounds with `a.cols == b.rows`, and `c` points to an exclusive
/// writable `a.rows × b.cols` block with row stride `ldc`.
unsafe fn run_gemm<'a>(
    isa: Isa,
    a: impl Into<gemm::APanels<'a>>,
    b: MatRef,
    c: *mut f32,
    ldc: usize,
    acc: bool,
) {
    let a = a.into();
    if let gemm::APanels::Pack(view) = a {
        if view.rows == 1 && view.cs == 1 && b.rs == 1 {
            // One row times columns stored contiguously (a batch-1 `Linear`: `x · Wᵀ`): one
            // dot product per column, nothing packed.
            let x = &view.data[..view.cols];
            // SAFETY: C is one row of b.cols writable floats at `c` (caller's contract).
            return gemv_dots(isa, x, b, std::slice::from_raw_parts_mut(c, b.cols), acc);
        }
    }
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => gemm::gemm::<avx2::Kernel>(a, b, c, ldc, acc),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Isa::Simd128 => gemm::gemm::<simd128::Kernel>(a, b, c, ldc, acc),
        _ => gemm::gemm::<scalar::Kernel>(a, b, c, ldc, acc),
    }
}

/// `x = relu(x)` in place (PyTorch's `relu`: negatives become 0, NaN and `-0.0` pass through).
pub fn relu_inplace(x: &mut [f32]) {
    relu_inplace_with(Isa::chosen(), x)
}

/// [`relu_inplace`] with an explicit instruction set (falls back to scalar if unavailable).
pub fn relu_inplace_with(isa: Isa, x: &mut [f32]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2+FMA detected.
        Isa::Avx2 if isa.is_available() => unsafe { avx2::relu(x) },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Isa::Simd128 => simd128::relu(x),
        _ => scalar::relu(x),
    }
}

/// `y += alpha · x` (`x`, `y` of equal length `n`), multiply then add in every kernel.
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    axpy_with(Isa::chosen(), alpha, x, y)
}

/// [`axpy`] with an explicit instruction set (falls back to scalar if unavailable).
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn axpy_with(isa: Isa, alpha: f32, x: &[f32], y: &mut [f32]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2+FMA detected.
        Isa::Avx2 if isa.is_available() => unsafe { avx2::axpy(alpha, x, y) },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Isa::Simd128 => simd128::axpy(alpha, x, y),
        _ => scalar::axpy(alpha, x, y),
    }
}

/// `Σ x[k]·y[k]`, in the fixed order of [`scalar::dot`] (bit-identical in every kernel).
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn dot(x: &[f32], y: &[f32]) -> f32 {
    dot_with(Isa::chosen(), x, y)
}

/// [`dot`] with an explicit instruction set (falls back to scalar if unavailable).
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn dot_with(isa: Isa, x: &[f32], y: &[f32]) -> f32 {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2+FMA detected.
        Isa::Avx2 if isa.is_available() => unsafe { avx2::dot(x, y) },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Isa::Simd128 => simd128::dot(x, y),
        _ => scalar::dot(x, y),
    }
}

/// Adds `bias` (length `n`) to every row of the row-major `m × n` matrix `c`:
/// `c[i, j] += bias[j]` — a `Linear` layer's bias on its `(batch, out_features)` output.
///
/// # Panics
/// If `c.len()` is not a multiple of `bias.len()` (an empty `bias` needs an empty `c`).
pub fn add_bias_rows(c: &mut [f32], bias: &[f32]) {
    add_bias_rows_with(Isa::chosen(), c, bias)
}

/// [`add_bias_rows`] with an explicit instruction set.
///
/// # Panics
/// As [`add_bias_rows`].
pub fn add_bias_rows_with(isa: Isa, c: &mut [f32], bias: &[f32]) {
    if bias.is_empty() {
        assert!(c.is_empty(), "add_bias_rows: empty bias for non-empty c");
        return;
    }
    assert_eq!(
        c.len() % bias.len(),
        0,
        "add_bias_rows: c is not m × bias.len()"
    );
    for row in c.chunks_exact_mut(bias.len()) {
        // 1·x is exact, so this is exactly row += bias.
        axpy_with(isa, 1.0, bias, row);
    }
}

/// Adds `bias[i]` to every element of row `i` of the row-major `C × L` matrix `c`
/// (`C = bias.len()`): `c[i, l] += bias[i]` — a `Conv2d` bias on one image's `(C_out, H·W)`
/// output.
///
/// # Panics
/// If `c.len()` is not a multiple of `bias.len()` (an empty `bias` needs an empty `c`).
pub fn add_bias_channels(c: &mut [f32], bias: &[f32]) {
    add_bias_channels_with(Isa::chosen(), c, bias)
}

/// [`add_bias_channels`] with an explicit instruction set.
///
/// # Panics
/// As [`add_bias_channels`].
pub fn add_bias_channels_with(isa: Isa, c: &mut [f32], bias: &[f32]) {
    if bias.is_empty() {
        assert!(
            c.is_empty(),
            "add_bias_channels: empty bias for non-empty c"
        );
        return;
    }
    assert_eq!(
        c.len() % bias.len(),
        0,
        "add_bias_channels: c is not bias.len() × L"
    );
    let l = c.len() / bias.len();
    if l == 0 {
        return;
    }
    for (row, &s) in c.chunks_exact_mut(l).zip(bias) {
        match isa {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX2+FMA detected.
            Isa::Avx2 if isa.is_available() => unsafe { avx2::add_scalar(s, row) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 => simd128::add_scalar(s, row),
            _ => scalar::add_scalar(s, row),
        }
    }
}
