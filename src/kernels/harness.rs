//! One harness for every kernel (public but hidden, so the browser tests in
//! `tests/web_kernels.rs` run exactly the native cases).
//!
//! GEMM: size sweeps (1..=70 in each of m, k, n; triples of primes; sizes around every block
//! boundary; a 257×300×129 product), row-major, padded, transposed and fully strided views of A
//! and B (padding filled with NaN so a read outside the view shows), accumulate, identity
//! products (`A·I = A`, `I·B = B` exactly), all checked against an f64 reference within the
//! float32 error bound `(k + 2)·ε·(Σ|a||b| + |c₀|)`; the parallel path bit-identical to the
//! serial one, and kernels without FMA bit-identical to the scalar twin.
//! Elementwise: every kernel bit-identical to its scalar twin on lengths 0..=40 and 1000,
//! NaN, ±0 and ±inf included.

use super::{Isa, MatRef};

/// Any GEMM entry point with `sgemm`'s contract.
pub type Kernel<'a> = &'a dyn Fn(MatRef, MatRef, &mut [f32], bool);

fn lcg(seed: &mut u64) -> f32 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ((*seed >> 40) as f32 / (1u64 << 24) as f32) - 0.5
}

/// How a matrix is laid out in its buffer.
#[derive(Clone, Copy, Debug)]
pub enum Layout {
    /// `rs = cols`, `cs = 1`.
    RowMajor,
    /// Row-major with 3 floats of padding per row, starting at offset 2.
    Padded,
    /// Column-major (a transposed view: `rs = 1`).
    ColMajor,
    /// `rs = 2·cols + 1`, `cs = 2`, offset 1: neither stride is 1.
    Strided,
}

const LAYOUTS: [Layout; 4] = [
    Layout::RowMajor,
    Layout::Padded,
    Layout::ColMajor,
    Layout::Strided,
];

/// A `rows × cols` matrix of random values stored with `layout`; unused slots hold NaN.
pub struct Stored {
    buf: Vec<f32>,
    off: usize,
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl Stored {
    pub fn random(rows: usize, cols: usize, layout: Layout, seed: &mut u64) -> Stored {
        let (off, rs, cs) = match layout {
            Layout::RowMajor => (0, cols, 1),
            Layout::Padded => (2, cols + 3, 1),
            Layout::ColMajor => (0, 1, rows),
            Layout::Strided => (1, 2 * cols + 1, 2),
        };
        let len = off + rows.saturating_sub(1) * rs + cols.saturating_sub(1) * cs + 1;
        let mut s = Stored {
            buf: vec![f32::NAN; len],
            off,
            rows,
            cols,
            rs,
            cs,
        };
        for i in 0..rows {
            for j in 0..cols {
                s.buf[off + i * rs + j * cs] = lcg(seed);
            }
        }
        s
    }

    /// The identity matrix, row-major.
    pub fn eye(n: usize) -> Stored {
        let mut buf = vec![0.0; n * n];
        (0..n).for_each(|i| buf[i * n + i] = 1.0);
        Stored {
            buf,
            off: 0,
            rows: n,
            cols: n,
            rs: n,
            cs: 1,
        }
    }

    pub fn view(&self) -> MatRef<'_> {
        MatRef {
            data: &self.buf[self.off..],
            rows: self.rows,
            cols: self.cols,
            rs: self.rs,
            cs: self.cs,
        }
    }

    /// The values, row-major.
    pub fn to_row_major(&self) -> Vec<f32> {
        let v = self.view();
        (0..self.rows * self.cols)
            .map(|idx| v.at(idx / self.cols, idx % self.cols))
            .collect()
    }
}

/// `(m, k, n)` triples the GEMM harness runs, each with a `(layout of A, layout of B,
/// accumulate)` variant.
pub fn gemm_cases() -> Vec<(usize, usize, usize)> {
    let mut cases = Vec::new();
    for s in 1..=70 {
        cases.extend([(s, 7, 9), (11, s, 5), (6, 13, s), (s, s, s)]);
    }
    let primes = [1, 2, 3, 5, 7, 13, 17, 31, 37, 61, 67];
    for &m in &primes {
        for &k in &primes {
            for &n in &primes {
                cases.push((m, k, n));
            }
        }
    }
    // Around the block sizes of every kernel (MR, NR, MC, KC, NC), and a big product.
    cases.extend([
        (97, 257, 33),
        (95, 255, 17),
        (65, 513, 15),
        (130, 9, 1030),
        (7, 300, 2050),
        (257, 300, 129),
    ]);
    cases
}

/// Runs `kernel` on every case of [`gemm_cases`] and compares with an f64 reference.
///
/// # Panics
/// On the first element outside the float32 error bound.
pub fn check_kernel(kernel: Kernel) {
    let mut seed = 7u64;
    for (idx, &(m, k, n)) in gemm_cases().iter().enumerate() {
        // Rotate through all 16 layout pairs and both accumulate modes.
        let la = LAYOUTS[idx % 4];
        let lb = LAYOUTS[(idx / 4) % 4];
        let accumulate = idx % 3 == 1;
        check_one(kernel, m, k, n, la, lb, accumulate, &mut seed);
    }
    // Every layout pair once more on one shape with ragged edges.
    for la in LAYOUTS {
        for lb in LAYOUTS {
            check_one(kernel, 23, 19, 29, la, lb, true, &mut seed);
        }
    }
    check_identities(kernel, &mut seed);
}

#[allow(clippy::too_many_arguments)]
fn check_one(
    kernel: Kernel,
    m: usize,
    k: usize,
    n: usize,
    la: Layout,
    lb: Layout,
    accumulate: bool,
    seed: &mut u64,
) {
    let a = Stored::random(m, k, la, seed);
    let b = Stored::random(k, n, lb, seed);
    let c0: Vec<f32> = (0..m * n)
        .map(|_| if accumulate { lcg(seed) } else { f32::NAN })
        .collect();
    let mut got = c0.clone();
    kernel(a.view(), b.view(), &mut got, accumulate);
    let (av, bv) = (a.view(), b.view());
    for i in 0..m {
        for j in 0..n {
            let (mut want, mut mag) = (0.0f64, 0.0f64);
            if accumulate {
                want = c0[i * n + j] as f64;
                mag = want.abs();
            }
            for p in 0..k {
                let t = av.at(i, p) as f64 * bv.at(p, j) as f64;
                want += t;
                mag += t.abs();
            }
            let g = got[i * n + j] as f64;
            let bound = (k + 2) as f64 * f32::EPSILON as f64 * mag + 1e-30;
            assert!(
                (g - want).abs() <= bound,
                "{m}x{k}x{n} A {la:?} B {lb:?} accumulate={accumulate} C[{i},{j}]: \
                 got {g}, want {want} (bound {bound})"
            );
        }
    }
}

/// `A·I = A` and `I·B = B`, exactly.
fn check_identities(kernel: Kernel, seed: &mut u64) {
    for &(m, k) in &[(1, 1), (5, 3), (17, 16), (33, 70), (70, 9), (100, 257)] {
        for layout in LAYOUTS {
            let a = Stored::random(m, k, layout, seed);
            let eye = Stored::eye(k);
            let mut got = vec![f32::NAN; m * k];
            kernel(a.view(), eye.view(), &mut got, false);
            assert_eq!(got, a.to_row_major(), "A·I = A for {m}x{k} {layout:?}");

            let b = Stored::random(m, k, layout, seed);
            let eye = Stored::eye(m);
            let mut got = vec![f32::NAN; m * k];
            kernel(eye.view(), b.view(), &mut got, false);
            assert_eq!(got, b.to_row_major(), "I·B = B for {m}x{k} {layout:?}");
        }
    }
}

/// Compares two kernels bit for bit on a few shapes (both layouts of each, accumulate too).
pub fn check_bit_identical(x: Kernel, y: Kernel, what: &str) {
    let mut seed = 11u64;
    for &(m, k, n) in &[
        (1, 1, 1),
        (13, 300, 37),
        (64, 64, 64),
        (130, 515, 70),
        (6, 9, 1100),
    ] {
        for (la, lb, acc) in [
            (Layout::RowMajor, Layout::RowMajor, false),
            (Layout::ColMajor, Layout::Strided, true),
        ] {
            let a = Stored::random(m, k, la, &mut seed);
            let b = Stored::random(k, n, lb, &mut seed);
            let c0: Vec<f32> = (0..m * n).map(|_| lcg(&mut seed)).collect();
            let (mut cx, mut cy) = (c0.clone(), c0);
            x(a.view(), b.view(), &mut cx, acc);
            y(a.view(), b.view(), &mut cy, acc);
            let same = cx.iter().zip(&cy).all(|(p, q)| p.to_bits() == q.to_bits());
            assert!(same, "{what}: {m}x{k}x{n} {la:?}/{lb:?} differ");
        }
    }
}

/// The whole GEMM harness for one instruction set: serial and parallel entry points against
/// the reference, parallel bit-identical to serial, and (for kernels without FMA)
/// bit-identical to the packed scalar twin.
pub fn check_gemm(isa: Isa) {
    let serial = |a: MatRef, b: MatRef, c: &mut [f32], acc: bool| {
        super::sgemm_serial_with(isa, a, b, c, acc)
    };
    let parallel =
        |a: MatRef, b: MatRef, c: &mut [f32], acc: bool| super::sgemm_with(isa, a, b, c, acc);
    check_kernel(&serial);
    check_kernel(&parallel);
    check_bit_identical(&serial, &parallel, "serial vs parallel");
    check_packed_a(isa);
    if isa != Isa::Avx2 {
        let twin = |a: MatRef, b: MatRef, c: &mut [f32], acc: bool| {
            super::sgemm_serial_with(Isa::Scalar, a, b, c, acc)
        };
        check_bit_identical(&serial, &twin, "kernel vs scalar twin");
    }
}

/// Products with a pre-packed `A` ([`super::PackedA`]) bit-identical to the plain serial GEMM,
/// over row ranges starting at every multiple of the row step, every layout of `A`, both
/// accumulate modes; too deep an `A` is refused.
fn check_packed_a(isa: Isa) {
    let mut seed = 5u64;
    for &(m, k, n) in &[
        (1, 1, 1),
        (13, 7, 5),
        (32, 32, 16),
        (64, 32, 16),
        (37, 200, 70),
    ] {
        for (idx, la) in LAYOUTS.into_iter().enumerate() {
            let a = Stored::random(m, k, la, &mut seed);
            let b = Stored::random(k, n, LAYOUTS[(idx + 1) % 4], &mut seed);
            let packed = super::PackedA::new_with(isa, a.view()).expect("k within KC");
            assert_eq!(packed.shape(), (m, k));
            let step = packed.row_step();
            for r0 in (0..m).step_by(step) {
                for rows in [m - r0, (m - r0).min(step + 1), 1] {
                    let acc = (r0 / step + rows) % 2 == 1;
                    let c0: Vec<f32> = (0..rows * n).map(|_| lcg(&mut seed)).collect();
                    let (mut got, mut want) = (c0.clone(), c0);
                    super::sgemm_serial_packed(&packed, r0, rows, b.view(), &mut got, acc);
                    let a_rows = a.view().sub_rows(r0, rows);
                    super::sgemm_serial_with(isa, a_rows, b.view(), &mut want, acc);
                    let what = format!("packed A {m}x{k}x{n} {la:?} rows {r0}+{rows}");
                    if rows == 1 && b.view().rs == 1 {
                        // The plain GEMM takes one dot product per column here instead.
                        for (g, w) in got.iter().zip(&want) {
                            assert!(
                                (g - w).abs() <= 1e-4 * (1.0 + w.abs()),
                                "{what}: {g} vs {w}"
                            );
                        }
                    } else {
                        assert_same_bits(&got, &want, &what);
                    }
                }
            }
        }
    }
    let deep = Stored::random(2, 5000, Layout::RowMajor, &mut seed);
    assert!(super::PackedA::new_with(isa, deep.view()).is_none());
}

fn special_values(n: usize, seed: &mut u64) -> Vec<f32> {
    let specials = [
        f32::NAN,
        -0.0,
        0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -1e-40,
    ];
    (0..n)
        .map(|i| {
            if i % 7 == 3 {
                specials[(i / 7) % specials.len()]
            } else {
                lcg(seed) * 8.0
            }
        })
        .collect()
}

fn assert_same_bits(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        // NaN payloads are not specified by wasm: any NaN matches any NaN.
        let same = g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan());
        assert!(same, "{what}[{i}]: {g} vs {w}");
    }
}

/// Every elementwise kernel of `isa` bit-identical to its scalar twin (any NaN matching any
/// NaN), and the twins right.
pub fn check_elementwise(isa: Isa) {
    let mut seed = 3u64;
    let lens: Vec<usize> = (0..=40).chain([1000]).collect();
    for &len in &lens {
        let x = special_values(len, &mut seed);
        let y0 = special_values(len, &mut seed);

        let mut got = x.clone();
        super::relu_inplace_with(isa, &mut got);
        let want: Vec<f32> = x.iter().map(|&v| if v < 0.0 { 0.0 } else { v }).collect();
        assert_same_bits(&got, &want, "relu");

        let mut got = y0.clone();
        super::axpy_with(isa, -1.5, &x, &mut got);
        let want: Vec<f32> = y0.iter().zip(&x).map(|(&y, &x)| y + -1.5 * x).collect();
        assert_same_bits(&got, &want, "axpy");

        let got = super::dot_with(isa, &x, &y0);
        let want = super::scalar::dot(&x, &y0);
        assert_same_bits(&[got], &[want], "dot");
    }
    // The twin's order, spelled out: 16 partial sums folded in halves, then the tail.
    let x: Vec<f32> = (0..37).map(|i| 1.0 + i as f32 * 0.37).collect();
    let y: Vec<f32> = (0..37).map(|i| 0.5 - i as f32 * 0.11).collect();
    let mut s: Vec<f32> = (0..16)
        .map(|i| x[i] * y[i] + x[i + 16] * y[i + 16])
        .collect();
    for h in [8, 4, 2, 1] {
        for i in 0..h {
            s[i] += s[i + h];
        }
    }
    let want = (32..37).fold(s[0], |acc, k| acc + x[k] * y[k]);
    assert_same_bits(&[super::dot_with(isa, &x, &y)], &[want], "dot order");
    let exact: f64 = x.iter().zip(&y).map(|(a, b)| *a as f64 * *b as f64).sum();
    assert!(
        (want as f64 - exact).abs() < 1e-3,
        "dot value {want} vs {exact}"
    );
    // PyTorch: relu keeps NaN and -0.0.
    let mut v = [-0.0f32, f32::NAN, -2.0, 3.0];
    super::relu_inplace_with(isa, &mut v);
    assert!(v[0] == 0.0 && v[0].is_sign_negative() && v[1].is_nan());
    assert_eq!(&v[2..], &[0.0, 3.0]);

    for rows in 0..4 {
        for cols in 1..=19 {
            let bias = special_values(cols, &mut seed);
            let c0 = special_values(rows * cols, &mut seed);
            let mut got = c0.clone();
            super::add_bias_rows_with(isa, &mut got, &bias);
            let want: Vec<f32> = (0..rows * cols).map(|i| c0[i] + bias[i % cols]).collect();
            assert_same_bits(&got, &want, "add_bias_rows");

            let bias = special_values(rows, &mut seed);
            let mut got = c0.clone();
            super::add_bias_channels_with(isa, &mut got, &bias);
            let want: Vec<f32> = (0..rows * cols).map(|i| c0[i] + bias[i / cols]).collect();
            assert_same_bits(&got, &want, "add_bias_channels");
        }
    }
}
