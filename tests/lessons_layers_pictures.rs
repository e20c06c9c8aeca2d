//! The pictures of the "other layers" lesson (www/lessons/layers.md): every picture cell draws
//! something that is not blank, and editing a cell (its seed, `p`) changes the picture.
use nnbook::notebook::{CellImage, Notebook};
use std::path::Path;
use std::sync::Mutex;

/// The global generator is shared by the process: one lesson run at a time.
static RNG: Mutex<()> = Mutex::new(());

fn cells() -> Vec<String> {
    let md = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("www/lessons/layers.md"),
    )
    .unwrap();
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match cur.as_mut() {
            None if line == "```python" => cur = Some(String::new()),
            Some(_) if line == "```" => out.extend(cur.take()),
            Some(c) => {
                c.push_str(line);
                c.push('\n');
            }
            None => {}
        }
    }
    out
}

/// Runs the cells in order, with `edit` applied to the cell `k` (0-based); the images of each.
fn run(edit: Option<(usize, &str, &str)>) -> Vec<Vec<CellImage>> {
    let _one = RNG.lock().unwrap_or_else(|e| e.into_inner());
    let mut nb = Notebook::new();
    cells()
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let src = match edit {
                Some((e, from, to)) if e == k => {
                    assert!(c.contains(from), "cell {k} has no {from:?}");
                    c.replace(from, to)
                }
                _ => c.clone(),
            };
            let r = nb.run_cell(&src);
            assert!(r.error.is_none(), "cell {k}: {:?}", r.error);
            r.images
        })
        .collect()
}

fn not_blank(img: &CellImage) -> bool {
    let first = &img.rgba[..4];
    img.rgba.chunks(4).any(|p| p != first)
}

#[test]
fn every_picture_cell_draws_something() {
    let images = run(None);
    let counts: Vec<usize> = images.iter().map(Vec::len).collect();
    // Cells: batch, BatchNorm, LayerNorm, dropout, eval, embedding, lookup, RNN, LSTM/GRU,
    // attention, encoder layer, model.
    assert_eq!(counts, [1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0]);
    for (k, imgs) in images.iter().enumerate() {
        for img in imgs {
            assert!(not_blank(img), "cell {k}: a blank picture");
        }
    }
    // The RNN picture is [hidden 8, steps 10]; attention is [6 queries, 6 keys].
    assert_eq!((images[7][0].width, images[7][0].height), (10, 8));
    assert_eq!((images[9][0].width, images[9][0].height), (6, 6));
    assert_eq!((images[3][0].width, images[3][0].height), (8, 6));
}

#[test]
fn editing_a_cell_changes_its_picture() {
    let base = run(None);
    for (cell, from, to) in [
        (3, "Dropout(p=0.5)", "Dropout(p=0.2)"),
        (3, "manual_seed(1)", "manual_seed(2)"),
        (7, "manual_seed(0)", "manual_seed(3)"),
        (9, "manual_seed(0)", "manual_seed(3)"),
        (10, "manual_seed(0)", "manual_seed(3)"),
        (1, "BatchNorm1d(4)", "BatchNorm1d(4, eps=10.0)"),
    ] {
        let edited = run(Some((cell, from, to)));
        assert_ne!(
            base[cell][0].rgba, edited[cell][0].rgba,
            "cell {cell}: {from} -> {to} left the picture unchanged"
        );
    }
}
