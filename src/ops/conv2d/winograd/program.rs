//! A small linear map `y = T · x` (`T` `[rows, cols]`, a few non-zeros) compiled to adds,
//! multiplies and butterflies, applied to whole vectors at once (`x` and `y` are `len`-long rows).
//!
//! Winograd matrices built on symmetric points (`±p`) have paired structure:
//! - `Aᵀ`'s columns for `p` and `−p` agree up to sign in every row, so the program first forms
//!   `S = x_p + x_−p` and `D = x_p − x_−p` ("input butterflies") and each row uses one of them;
//! - `Bᵀ`'s rows for `p` and `−p` share their even-column part `E` and negate their odd-column
//!   part `O`, so the program forms `E` and `O` once and writes `E + O` and `±(E − O)`
//!   ("output butterflies").
//!
//! This roughly halves the multiply-adds of the transforms, and coefficients ±1 cost no multiply.

/// Columns of `x`/`y` one [`Program::apply`] step sums in registers (8 wasm `v128`s).
const BLOCK: usize = 32;

/// One compiled map: input butterflies, sparse rows, output butterflies.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Program {
    rows: usize,
    /// `(k, k2)`: `x_k ← x_k + x_k2`, `x_k2 ← x_k − x_k2` (old values), before the rows.
    in_pairs: Vec<(usize, usize)>,
    /// Row `i` of the (possibly rewritten) map: `z_i = Σ c · x_k` over `(k, c)`.
    terms: Vec<Vec<(usize, f32)>>,
    /// `(a, b, s)`: `y_a = z_a + z_b`, `y_b = s · (z_a − z_b)`, after the rows.
    out_pairs: Vec<(usize, usize, f32)>,
}

fn nonzeros(row: impl Iterator<Item = (usize, f32)>) -> Vec<(usize, f32)> {
    row.filter(|&(_, c)| c != 0.0).collect()
}

impl Program {
    /// The plain sparse program of `t` `[rows, cols]` (row-major).
    fn plain(t: &[f32], rows: usize, cols: usize) -> Program {
        let terms = (0..rows)
            .map(|i| nonzeros((0..cols).map(|k| (k, t[i * cols + k]))))
            .collect();
        Program {
            rows,
            in_pairs: Vec::new(),
            terms,
            out_pairs: Vec::new(),
        }
    }

    /// Pairs columns `k < k2` where every row has `t[i][k2] = ±t[i][k]` (and column `k` is not
    /// all zero); the rows are rewritten on `S = x_k + x_k2` and `D = x_k − x_k2`.
    pub(super) fn with_column_pairs(t: &[f32], rows: usize, cols: usize) -> Program {
        let mut prog = Program::plain(t, rows, cols);
        let at = |i: usize, k: usize| t[i * cols + k];
        let mut used = vec![false; cols];
        for k in 0..cols {
            if used[k] || (0..rows).all(|i| at(i, k) == 0.0) {
                continue;
            }
            let partner = (k + 1..cols).find(|&k2| {
                !used[k2] && (0..rows).all(|i| at(i, k2) == at(i, k) || at(i, k2) == -at(i, k))
            });
            if let Some(k2) = partner {
                used[k] = true;
                used[k2] = true;
                prog.in_pairs.push((k, k2));
            }
        }
        for (i, terms) in prog.terms.iter_mut().enumerate() {
            let mut rewritten = Vec::new();
            for k in 0..cols {
                let c = at(i, k);
                if c == 0.0 {
                    continue;
                }
                match prog.in_pairs.iter().find(|&&(a, b)| a == k || b == k) {
                    // S lives in x_a, D in x_b; emit once, from the pair's first column.
                    Some(&(a, b)) if a == k => {
                        let slot = if at(i, b) == c { a } else { b };
                        rewritten.push((slot, c));
                    }
                    Some(_) => {}
                    None => rewritten.push((k, c)),
                }
            }
            *terms = rewritten;
        }
        prog
    }

    /// Pairs rows `j < j2` with `t[j2][k] = s · (−1)^k · t[j][k]` for one sign `s` (and both
    /// parity parts non-empty); such a pair is computed from `E` (even columns of row `j`) and
    /// `O` (odd columns) as `y_j = E + O`, `y_j2 = s · (E − O)`.
    pub(super) fn with_row_pairs(t: &[f32], rows: usize, cols: usize) -> Program {
        let mut prog = Program::plain(t, rows, cols);
        let at = |i: usize, k: usize| t[i * cols + k];
        let parity = |k: usize| if k.is_multiple_of(2) { 1.0 } else { -1.0 };
        let mut used = vec![false; rows];
        for j in 0..rows {
            let has_even = (0..cols).step_by(2).any(|k| at(j, k) != 0.0);
            let has_odd = (1..cols).step_by(2).any(|k| at(j, k) != 0.0);
            if used[j] || !has_even || !has_odd {
                continue;
            }
            let partner = (j + 1..rows).find_map(|j2| {
                if used[j2] {
                    return None;
                }
                [1.0f32, -1.0]
                    .into_iter()
                    .find(|&s| (0..cols).all(|k| at(j2, k) == s * parity(k) * at(j, k)))
                    .map(|s| (j2, s))
            });
            if let Some((j2, s)) = partner {
                used[j] = true;
                used[j2] = true;
                prog.terms[j] = nonzeros((0..cols).step_by(2).map(|k| (k, at(j, k))));
                prog.terms[j2] = nonzeros((1..cols).step_by(2).map(|k| (k, at(j, k))));
                prog.out_pairs.push((j, j2, s));
            }
        }
        prog
    }

    /// `y = T · x` on rows of `len` floats: row `k` of `x` is `x[k·xs..][..len]` (overwritten by
    /// the butterflies), row `i` of `y` is `y[i·ys..][..len]` (fully written).
    ///
    /// Runs in blocks of [`BLOCK`] columns (then 16, 4, 1): each output row's block is summed
    /// in registers and stored once (not one pass over `y` per term).
    pub(super) fn apply(&self, x: &mut [f32], xs: usize, y: &mut [f32], ys: usize, len: usize) {
        let full = len - len % BLOCK;
        for at in (0..full).step_by(BLOCK) {
            self.apply_block::<BLOCK>(x, xs, y, ys, at);
        }
        let sixteens = full + (len - full) / 16 * 16;
        for at in (full..sixteens).step_by(16) {
            self.apply_block::<16>(x, xs, y, ys, at);
        }
        let quads = len - len % 4;
        for at in (sixteens..quads).step_by(4) {
            self.apply_block::<4>(x, xs, y, ys, at);
        }
        for at in quads..len {
            self.apply_block::<1>(x, xs, y, ys, at);
        }
    }

    /// Columns `at..at + W` of [`Program::apply`].
    #[inline(always)]
    fn apply_block<const W: usize>(
        &self,
        x: &mut [f32],
        xs: usize,
        y: &mut [f32],
        ys: usize,
        at: usize,
    ) {
        for &(a, b) in &self.in_pairs {
            let (lo, hi) = x.split_at_mut(b * xs);
            let xa: &mut [f32; W] = (&mut lo[a * xs + at..][..W]).try_into().unwrap();
            let xb: &mut [f32; W] = (&mut hi[at..][..W]).try_into().unwrap();
            for (p, q) in xa.iter_mut().zip(xb.iter_mut()) {
                let (s, d) = (*p + *q, *p - *q);
                *p = s;
                *q = d;
            }
        }
        for (i, terms) in self.terms.iter().enumerate() {
            let mut acc = [0.0f32; W];
            for &(k, c) in terms {
                let src: &[f32; W] = (&x[k * xs + at..][..W]).try_into().unwrap();
                for j in 0..W {
                    acc[j] += c * src[j];
                }
            }
            y[i * ys + at..][..W].copy_from_slice(&acc);
        }
        for &(a, b, s) in &self.out_pairs {
            let (lo, hi) = y.split_at_mut(b * ys);
            let ya: &mut [f32; W] = (&mut lo[a * ys + at..][..W]).try_into().unwrap();
            let yb: &mut [f32; W] = (&mut hi[at..][..W]).try_into().unwrap();
            for (p, q) in ya.iter_mut().zip(yb.iter_mut()) {
                let (e, o) = (*p, *q);
                *p = e + o;
                *q = s * (e - o);
            }
        }
    }

    /// Number of output rows.
    #[cfg(test)]
    fn rows(&self) -> usize {
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(t: &[f32], rows: usize, cols: usize, x: &[f32]) -> Vec<f32> {
        (0..rows)
            .map(|i| (0..cols).map(|k| t[i * cols + k] * x[k]).sum())
            .collect()
    }

    fn run(p: &Program, cols: usize, x: &[f32]) -> Vec<f32> {
        let mut xc = x.to_vec();
        let mut y = vec![f32::NAN; p.rows()];
        p.apply(&mut xc, 1, &mut y, 1, 1);
        assert_eq!(xc.len(), cols);
        y
    }

    /// `[3, 5]`: rows 1 and 2 are sign-paired (`with_row_pairs`); row 0 is not.
    const ROW_PAIRED: [f32; 15] = [
        -1.0, 0.0, 5.25, 0.0, 1.0, //
        0.0, 1.0, 1.0, -4.25, 2.0, //
        0.0, -1.0, 1.0, 4.25, 2.0, //
    ];

    /// `[2, 5]`: columns 1, 2 and 3, 4 are sign-paired (`with_column_pairs`); column 0 is not.
    const COLUMN_PAIRED: [f32; 10] = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, -1.0, 2.0, -2.0];

    #[test]
    fn paired_programs_compute_the_same_map() {
        let t = ROW_PAIRED;
        let x = [0.5, -1.5, 2.0, 3.0, -0.25];
        let want = dense(&t, 3, 5, &x);
        let rows = Program::with_row_pairs(&t, 3, 5);
        assert_eq!(rows.out_pairs, vec![(1, 2, 1.0)]);
        assert_eq!(run(&rows, 5, &x), want);
        let at = COLUMN_PAIRED;
        let cols = Program::with_column_pairs(&at, 2, 5);
        assert_eq!(cols.in_pairs, vec![(1, 2), (3, 4)]);
        assert_eq!(run(&cols, 5, &x), dense(&at, 2, 5, &x));
        assert_eq!(run(&Program::plain(&t, 3, 5), 5, &x), want);
    }

    #[test]
    fn wide_rows_run_in_blocks_and_a_remainder() {
        // 95 columns: two whole blocks, one of 16, two of 4 and 3 single columns, each column
        // its own vector; one program with output butterflies, one with input butterflies.
        let len = 2 * BLOCK + 16 + 11;
        let xcol = |col: usize| -> Vec<f32> {
            (0..5)
                .map(|k| ((col * 7 + k * 3) % 11) as f32 - 5.0)
                .collect()
        };
        let rows = Program::with_row_pairs(&ROW_PAIRED, 3, 5);
        let cols = Program::with_column_pairs(&COLUMN_PAIRED, 2, 5);
        assert!(!rows.out_pairs.is_empty() && !cols.in_pairs.is_empty());
        for (prog, t) in [(rows, &ROW_PAIRED[..]), (cols, &COLUMN_PAIRED[..])] {
            let m = prog.rows();
            let mut x: Vec<f32> = (0..5)
                .flat_map(|k| (0..len).map(move |c| (k, c)))
                .map(|(k, c)| xcol(c)[k])
                .collect();
            let mut y = vec![f32::NAN; m * (len + 3)];
            prog.apply(&mut x, len, &mut y, len + 3, len);
            for col in 0..len {
                let want = dense(t, m, 5, &xcol(col));
                let got: Vec<f32> = (0..m).map(|i| y[i * (len + 3) + col]).collect();
                assert_eq!(got, want, "column {col}");
            }
        }
    }
}
