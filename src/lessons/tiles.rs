//! Feature maps and conv filters as one RGBA image of tiles (what the graph view draws).
//!
//! Each tile is min–max normalised on its own (a constant tile is mid-grey), so the pattern of
//! every map is visible whatever its scale; tiles are separated by a 1-pixel white gap.

use serde::Serialize;

/// An RGBA image of `rows × cols` tiles of `tile_h × tile_w` pixels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tiles {
    /// `height × width × 4` bytes, row-major.
    #[serde(skip)]
    pub rgba: Vec<u8>,
    pub width: usize,
    pub height: usize,
    pub rows: usize,
    pub cols: usize,
    pub tile_h: usize,
    pub tile_w: usize,
    /// Tiles drawn (≤ rows·cols).
    pub count: usize,
}

/// `(lo, 1/(hi-lo))` of `v`, `(lo, 0)` when constant (or empty).
fn range(v: impl Iterator<Item = f32> + Clone) -> (f32, f32) {
    let lo = v.clone().fold(f32::INFINITY, f32::min);
    let hi = v.fold(f32::NEG_INFINITY, f32::max);
    if hi > lo && (hi - lo).is_finite() {
        (lo, 1.0 / (hi - lo))
    } else {
        (lo, 0.0)
    }
}

fn byte(v: f32, (lo, inv): (f32, f32)) -> u8 {
    if inv == 0.0 {
        return 128;
    }
    ((v - lo) * inv * 255.0).round().clamp(0.0, 255.0) as u8
}

impl Tiles {
    fn blank(rows: usize, cols: usize, tile_h: usize, tile_w: usize, count: usize) -> Tiles {
        let width = cols * (tile_w + 1) - usize::from(cols > 0);
        let height = rows * (tile_h + 1) - usize::from(rows > 0);
        Tiles {
            rgba: vec![255; width * height * 4],
            width,
            height,
            rows,
            cols,
            tile_h,
            tile_w,
            count,
        }
    }

    fn put(&mut self, tile: usize, y: usize, x: usize, rgb: [u8; 3]) {
        let (r, c) = (tile / self.cols, tile % self.cols);
        let py = r * (self.tile_h + 1) + y;
        let px = c * (self.tile_w + 1) + x;
        let o = (py * self.width + px) * 4;
        self.rgba[o..o + 3].copy_from_slice(&rgb);
    }
}

/// Greyscale tiles of the first `max_maps` maps of `x`: `[C, H, W]` (C maps of H×W) in a
/// near-square grid.
///
/// # Panics
/// Never for `x.len() >= c·h·w`; extra values are ignored (callers pass exact shapes).
pub fn map_tiles(x: &[f32], c: usize, h: usize, w: usize, max_maps: usize) -> Tiles {
    let count = c.min(max_maps);
    let cols = (count as f64).sqrt().ceil() as usize;
    let rows = if cols == 0 { 0 } else { count.div_ceil(cols) };
    let mut t = Tiles::blank(rows, cols, h, w, count);
    for m in 0..count {
        let plane = &x[m * h * w..(m + 1) * h * w];
        let r = range(plane.iter().copied());
        for (i, &v) in plane.iter().enumerate() {
            let b = byte(v, r);
            t.put(m, i / w, i % w, [b, b, b]);
        }
    }
    t
}

/// Conv filters `weight`: `[O, C, k, k]`. With `C == 3`, one RGB tile per output filter (a
/// near-square grid); otherwise a grid of `O` rows × `C` columns of grey tiles (filter `o`'s
/// slice for input channel `c`), at most `max_rows` × `max_cols`.
pub fn filter_tiles(weight: &[f32], shape: [usize; 4], max_rows: usize, max_cols: usize) -> Tiles {
    let [o, c, kh, kw] = shape;
    let plane = kh * kw;
    if c == 3 {
        let count = o.min(max_rows * max_cols);
        let cols = (count as f64).sqrt().ceil() as usize;
        let rows = if cols == 0 { 0 } else { count.div_ceil(cols) };
        let mut t = Tiles::blank(rows, cols, kh, kw, count);
        for f in 0..count {
            let w = &weight[f * 3 * plane..(f + 1) * 3 * plane];
            let r = range(w.iter().copied());
            for i in 0..plane {
                let rgb = [
                    byte(w[i], r),
                    byte(w[plane + i], r),
                    byte(w[2 * plane + i], r),
                ];
                t.put(f, i / kw, i % kw, rgb);
            }
        }
        return t;
    }
    let (rows, cols) = (o.min(max_rows), c.min(max_cols));
    let mut t = Tiles::blank(rows, cols, kh, kw, rows * cols);
    for f in 0..rows {
        for ch in 0..cols {
            let s = &weight[(f * c + ch) * plane..(f * c + ch + 1) * plane];
            let r = range(s.iter().copied());
            for (i, &v) in s.iter().enumerate() {
                let b = byte(v, r);
                t.put(f * cols + ch, i / kw, i % kw, [b, b, b]);
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_are_normalised_per_tile_in_a_grid() {
        // Two 1×2 maps: [0, 1] and [5, 5] (constant → grey).
        let t = map_tiles(&[0.0, 1.0, 5.0, 5.0], 2, 1, 2, 16);
        assert_eq!((t.rows, t.cols, t.width, t.height), (1, 2, 5, 1));
        let px = |x: usize| t.rgba[x * 4];
        assert_eq!([px(0), px(1), px(2), px(3), px(4)], [0, 255, 255, 128, 128]);
        assert_eq!(t.rgba.len(), 5 * 4);
        // Five maps → 3 columns, 2 rows.
        let t = map_tiles(&[0.0; 5 * 4], 5, 2, 2, 16);
        assert_eq!((t.rows, t.cols, t.count), (2, 3, 5));
        assert_eq!((t.width, t.height), (8, 5));
    }

    #[test]
    fn rgb_filters_use_three_channels() {
        // One 1×1 filter with C=3: (r, g, b) = (-1, 0, 1) → (0, 128, 255).
        let t = filter_tiles(&[-1.0, 0.0, 1.0], [1, 3, 1, 1], 8, 8);
        assert_eq!(&t.rgba[..3], &[0, 128, 255]);
        // O=2, C=4 → 2 rows × 4 columns.
        let t = filter_tiles(&[0.0; 2 * 4 * 4], [2, 4, 2, 2], 8, 8);
        assert_eq!((t.rows, t.cols, t.count), (2, 4, 8));
    }
}
