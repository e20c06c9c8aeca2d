//! Kernel services of the notebook: the interrupt check and the dataset registry.
use nnbook::notebook::Notebook;
use std::cell::Cell;
use std::rc::Rc;

#[test]
fn interrupt_stops_the_cell_with_keyboard_interrupt() {
    let mut nb = Notebook::new();
    let calls = Rc::new(Cell::new(0u32));
    let c = calls.clone();
    // Flips on the third call: about 3 × 4096 steps into the cell.
    nb.set_interrupt(Box::new(move || {
        c.set(c.get() + 1);
        c.get() >= 3
    }));
    let r = nb.run_cell("i = 0\nwhile True:\n    i += 1\n");
    let e = r.error.expect("interrupted");
    assert_eq!(e.class, "KeyboardInterrupt");
    // The line executing when the check fired, as Python's traceback names it: inside the loop
    // (the `i += 1` statement; the `while` test is line 2).
    assert_eq!(e.to_string(), "KeyboardInterrupt (line 3)");
    assert_eq!(calls.get(), 3);
    // The loop ran until the third check: 3 × 4096 steps, two per iteration.
    let i: i64 = nb.global_str("i").unwrap().parse().unwrap();
    assert!((6100..=6144).contains(&i), "i = {i}");
    // The kernel stays usable; a short cell never reaches a check.
    calls.set(0);
    let r = nb.run_cell("print(i > 100)");
    assert_eq!(r.stdout, "True\n");
    assert!(r.error.is_none());
}

/// `\N{...}` escapes go through crates/unicode_names2-lite (patched in for size): a short
/// table of names; any other name is a syntax error naming the escape, never a crash.
#[test]
fn named_unicode_escapes_use_the_short_table() {
    let mut nb = Notebook::new();
    let r = nb.run_cell(
        "print(\"\\N{GREEK SMALL LETTER THETA} \\N{rightwards arrow} \\N{MULTIPLICATION SIGN}\")",
    );
    assert_eq!(r.stdout, "θ → ×\n");
    assert!(r.error.is_none());
    let r = nb.run_cell("s = \"\\N{SNOWMAN}\"");
    let e = r.error.expect("unknown name");
    assert_eq!(e.class, "SyntaxError");
    assert!(e.to_string().contains("line 1"), "{e}");
}
