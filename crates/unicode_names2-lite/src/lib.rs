//! A stand-in for the `unicode_names2` crate, patched in by nnbook's Cargo.toml.
//!
//! Ruff's Python parser calls `unicode_names2::character` for the `\N{NAME}` escape in string
//! literals. The real crate embeds the names of every Unicode character (hundreds of KB in the
//! wasm package); lessons never use `\N{...}`, so nnbook keeps the same function with the names
//! a deep-learning notebook may plausibly print (Greek letters, arrows, maths signs). Any other
//! name is unknown, and the parser reports it as a syntax error naming the escape.

/// `(NAME, character)`, names in Unicode's upper-case spelling.
const NAMES: &[(&str, char)] = &[
    ("GREEK SMALL LETTER ALPHA", 'α'),
    ("GREEK SMALL LETTER BETA", 'β'),
    ("GREEK SMALL LETTER GAMMA", 'γ'),
    ("GREEK SMALL LETTER DELTA", 'δ'),
    ("GREEK SMALL LETTER EPSILON", 'ε'),
    ("GREEK SMALL LETTER ETA", 'η'),
    ("GREEK SMALL LETTER THETA", 'θ'),
    ("GREEK SMALL LETTER LAMDA", 'λ'),
    ("GREEK SMALL LETTER MU", 'μ'),
    ("GREEK SMALL LETTER PI", 'π'),
    ("GREEK SMALL LETTER RHO", 'ρ'),
    ("GREEK SMALL LETTER SIGMA", 'σ'),
    ("GREEK SMALL LETTER TAU", 'τ'),
    ("GREEK SMALL LETTER PHI", 'φ'),
    ("GREEK SMALL LETTER OMEGA", 'ω'),
    ("GREEK CAPITAL LETTER DELTA", 'Δ'),
    ("GREEK CAPITAL LETTER SIGMA", 'Σ'),
    ("GREEK CAPITAL LETTER THETA", 'Θ'),
    ("RIGHTWARDS ARROW", '→'),
    ("LEFTWARDS ARROW", '←'),
    ("MULTIPLICATION SIGN", '×'),
    ("DIVISION SIGN", '÷'),
    ("PLUS-MINUS SIGN", '±'),
    ("PARTIAL DIFFERENTIAL", '∂'),
    ("NABLA", '∇'),
    ("INFINITY", '∞'),
    ("APPROXIMATELY EQUAL TO", '≈'),
    ("LESS-THAN OR EQUAL TO", '≤'),
    ("GREATER-THAN OR EQUAL TO", '≥'),
    ("CHECK MARK", '✓'),
    ("BULLET", '•'),
    ("DEGREE SIGN", '°'),
    ("SUPERSCRIPT TWO", '²'),
    ("EN DASH", '–'),
    ("EM DASH", '—'),
    ("HORIZONTAL ELLIPSIS", '…'),
    ("NO-BREAK SPACE", '\u{a0}'),
];

/// The character named `search_name` (case-insensitive, like Python's `\N{...}`), if it is in
/// the short table.
pub fn character(search_name: &str) -> Option<char> {
    NAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(search_name.trim()))
        .map(|&(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_and_unknown_names() {
        assert_eq!(super::character("greek small letter theta"), Some('θ'));
        assert_eq!(super::character("RIGHTWARDS ARROW"), Some('→'));
        assert_eq!(super::character("SNOWMAN"), None);
    }
}
