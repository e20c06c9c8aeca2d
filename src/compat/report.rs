//! The corpus report: per file "N of M cells match" with the first differing line and the
//! first error of each failing cell, a histogram of first failures by cause, and the totals.
//!
//! A failing cell's cause is the exception that stopped it in nnbook (`Class: message`), or
//! "no error, prints something else". A `NameError` for a name that an earlier failing cell
//! of the same file mentions is charged to that cell's cause, as issue 22 counts them (later
//! cells fail on names the failed one should have defined).
use super::{FileResult, Outcome};
use std::collections::BTreeMap;
use std::fmt;

/// What a failing cell is charged to when nnbook raised nothing.
pub const NO_ERROR: &str = "no error, prints something else";
/// The longest cause text kept in the histogram.
const CAUSE_CHARS: usize = 110;

/// The report of a corpus run.
pub struct Report<'a> {
    pub files: &'a [FileResult],
}

/// Overall figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    pub matching: usize,
    pub compared: usize,
    /// Of the compared cells, those where PyTorch printed something.
    pub printing_matching: usize,
    pub printing: usize,
    pub skipped: usize,
    pub panics: usize,
}

impl Totals {
    /// `part` of `whole` in percent, one decimal.
    pub fn percent(part: usize, whole: usize) -> f64 {
        if whole == 0 {
            0.0
        } else {
            (1000.0 * part as f64 / whole as f64).round() / 10.0
        }
    }
}

fn shorten(s: &str) -> String {
    let one_line = s.lines().next().unwrap_or("");
    if one_line.chars().count() <= CAUSE_CHARS {
        one_line.to_string()
    } else {
        one_line.chars().take(CAUSE_CHARS - 1).collect::<String>() + "…"
    }
}

/// The name in `NameError: name 'X' is not defined`.
fn undefined_name(error: &str) -> Option<&str> {
    error.strip_prefix("NameError: name '")?.split('\'').next()
}

fn mentions(src: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    src.match_indices(name).any(|(i, _)| {
        let before = src[..i].chars().next_back().is_none_or(|c| !is_word(c));
        let after = src[i + name.len()..]
            .chars()
            .next()
            .is_none_or(|c| !is_word(c));
        before && after
    })
}

/// The cause each failing cell of a file is charged to (`None` for matching/skipped cells).
pub fn causes(file: &FileResult) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = Vec::new();
    for (k, c) in file.cells.iter().enumerate() {
        let cause = match &c.outcome {
            Outcome::Match | Outcome::Skipped(_) => None,
            Outcome::Panic(p) => Some(format!("panic: {}", shorten(p))),
            Outcome::Differ => {
                let own = c.error.as_deref().map_or(NO_ERROR.to_string(), shorten);
                let inherited = c
                    .error
                    .as_deref()
                    .and_then(undefined_name)
                    .and_then(|name| {
                        (0..k)
                            .rev()
                            .find(|&j| out[j].is_some() && mentions(&file.cells[j].source, name))
                            .and_then(|j| out[j].clone())
                    });
                Some(inherited.unwrap_or(own))
            }
        };
        out.push(cause);
    }
    out
}

impl Report<'_> {
    pub fn totals(&self) -> Totals {
        let mut t = Totals {
            matching: 0,
            compared: 0,
            printing_matching: 0,
            printing: 0,
            skipped: 0,
            panics: 0,
        };
        for c in self.files.iter().flat_map(|f| &f.cells) {
            match c.outcome {
                Outcome::Skipped(_) => {
                    t.skipped += 1;
                    continue;
                }
                Outcome::Panic(_) => t.panics += 1,
                _ => {}
            }
            let ok = c.outcome == Outcome::Match;
            t.compared += 1;
            t.matching += usize::from(ok);
            if !c.want.is_empty() {
                t.printing += 1;
                t.printing_matching += usize::from(ok);
            }
        }
        t
    }

    /// Causes of first failure with their cell counts, most cells first.
    pub fn histogram(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for cause in self.files.iter().flat_map(causes).flatten() {
            *counts.entry(cause).or_default() += 1;
        }
        let mut v: Vec<_> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

/// The first line where two transcripts differ: (1-based line, nnbook's, PyTorch's).
fn first_difference(got: &str, want: &str) -> (usize, String, String) {
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let n = g.len().max(w.len());
    let k = (0..n).find(|&i| g.get(i) != w.get(i)).unwrap_or(n);
    let show = |l: Option<&&str>| l.map_or("(nothing)".to_string(), |s| format!("{s:?}"));
    (k + 1, show(g.get(k)), show(w.get(k)))
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for file in self.files {
            let (m, n) = file.counts();
            let skipped = file.cells.len() - n;
            let note = if skipped > 0 {
                format!(" ({skipped} not compared)")
            } else {
                String::new()
            };
            writeln!(f, "{}: {m} of {n} cells match{note}", file.name)?;
            for c in &file.cells {
                match &c.outcome {
                    Outcome::Match => {}
                    Outcome::Skipped(why) => {
                        writeln!(f, "  cell {}: not compared: {why}", c.index)?
                    }
                    Outcome::Panic(p) => writeln!(f, "  cell {}: PANIC: {}", c.index, shorten(p))?,
                    Outcome::Differ => {
                        let (line, got, want) = first_difference(&c.got, &c.want);
                        writeln!(
                            f,
                            "  cell {}: line {line}: nnbook {got}, PyTorch {want}",
                            c.index
                        )?;
                        if let Some(e) = &c.error {
                            writeln!(f, "    first error: {}", shorten(e))?;
                        }
                    }
                }
            }
        }
        writeln!(f, "\nfirst failures by cause (cells):")?;
        for (cause, n) in self.histogram() {
            writeln!(f, "  {n:>4}  {cause}")?;
        }
        let t = self.totals();
        writeln!(f)?;
        if t.panics > 0 {
            writeln!(f, "compat: {} cells PANICKED", t.panics)?;
        }
        writeln!(
            f,
            "compat: of the cells that print something in PyTorch, {} of {} ({} %)",
            t.printing_matching,
            t.printing,
            Totals::percent(t.printing_matching, t.printing)
        )?;
        write!(
            f,
            "compat: {} of {} cells ({} %) print what PyTorch prints",
            t.matching,
            t.compared,
            Totals::percent(t.matching, t.compared)
        )?;
        if t.skipped > 0 {
            write!(f, " ({} cells not compared)", t.skipped)?;
        }
        writeln!(f)
    }
}

/// The 1-based indices of a file's cells that match.
pub fn matching_cells(file: &FileResult) -> Vec<usize> {
    let ok = file.cells.iter().filter(|c| c.outcome == Outcome::Match);
    ok.map(|c| c.index).collect()
}

/// A ratchet line: `name: 1 4 7` (the cells of `file` that match).
pub fn ratchet_line(file: &FileResult) -> String {
    let cells: Vec<String> = matching_cells(file).iter().map(usize::to_string).collect();
    format!("{}: {}", file.name, cells.join(" "))
        .trim_end()
        .to_string()
}
