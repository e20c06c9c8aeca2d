//! The masking rule applied to both transcripts before they are compared (the same rule as
//! `mask()` in tests/compat/gen_expected.py; tests/compat/README.md):
//!
//! - an object address, `0x` followed by 6 or more hex digits, becomes `0x?`
//!   (`<AddBackward0 object at 0x7f3a2c1b5e50>` → `<AddBackward0 object at 0x?>`);
//! - a line with a wall-clock word (`took`, `elapsed`, `time`, `duration`, any case, as a whole
//!   word) and a number followed by a unit of time (`ms s sec secs seconds min minutes`, one
//!   optional space between) becomes `<wall-clock time>`.

/// Masks every line of `text` (line ends are kept).
pub fn mask(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            if is_wall_clock(line) {
                "<wall-clock time>".to_string()
            } else {
                mask_addresses(line)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `word` occurs in `line` as a whole word (ASCII case-insensitive).
fn has_word(line: &str, word: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before = lower[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word(c));
        let after = lower[end..].chars().next().is_none_or(|c| !is_word(c));
        if before && after {
            return true;
        }
        from = end;
    }
    false
}

const UNITS: [&str; 7] = ["ms", "s", "sec", "secs", "seconds", "min", "minutes"];

/// Whether a digit is followed (after at most one space) by a unit of time as a whole word.
fn has_duration(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let chars: Vec<(usize, char)> = lower.char_indices().collect();
    chars.iter().enumerate().any(|(k, &(_, c))| {
        if !c.is_ascii_digit() {
            return false;
        }
        let mut at = k + 1;
        if chars.get(at).is_some_and(|&(_, c)| c.is_whitespace()) {
            at += 1;
        }
        let Some(&(byte, _)) = chars.get(at) else {
            return false;
        };
        UNITS.iter().any(|u| {
            lower[byte..].starts_with(u)
                && lower[byte + u.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !is_word(c))
        })
    })
}

fn is_wall_clock(line: &str) -> bool {
    ["took", "elapsed", "time", "duration"]
        .iter()
        .any(|w| has_word(line, w))
        && has_duration(line)
}

fn mask_addresses(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 1 < b.len() {
        if b[i] == b'0' && b[i + 1] == b'x' {
            let hex = b[i + 2..]
                .iter()
                .take_while(|c| c.is_ascii_hexdigit())
                .count();
            if hex >= 6 {
                out.push_str(&line[copied..i]);
                out.push_str("0x?");
                i += 2 + hex;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&line[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn addresses_become_a_placeholder() {
        assert_eq!(
            mask("z = <AddBackward0 object at 0x7f3a2c1b5e50>\n"),
            "z = <AddBackward0 object at 0x?>\n"
        );
        assert_eq!(mask("0x12 and 0xabcdef"), "0x12 and 0x?");
    }

    #[test]
    fn wall_clock_lines_are_masked_and_others_kept() {
        assert_eq!(mask("Training took 12.5 s"), "<wall-clock time>");
        assert_eq!(
            mask("epoch 1 time: 340ms\nloss 2.30"),
            "<wall-clock time>\nloss 2.30"
        );
        assert_eq!(mask("Elapsed 3 minutes"), "<wall-clock time>");
        // No unit, or no wall-clock word: kept.
        assert_eq!(mask("time 12"), "time 12");
        assert_eq!(mask("[1,     5] loss: 2.301"), "[1,     5] loss: 2.301");
        assert_eq!(mask("runtime of 5 s"), "runtime of 5 s");
        assert_eq!(mask("a second time, 2 steps"), "a second time, 2 steps");
    }
}
