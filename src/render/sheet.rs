//! Contact sheets: pictures tiled on one picture, and the sheet of every combination of
//! pressed buttons that `nnimg grid` and the explorer's `g` write.
//!
//! Order: tile k (row-major, left to right, top to bottom) is the input whose 0/1 digits are
//! k written in binary, button 1 being the most significant digit — so the first tile is
//! 00000000, the second 00000001, the last 11111111. The sheet is 2^⌈n/2⌉ tiles wide.

use super::picture::Picture;
use anyhow::{Result, bail};
use image::{Rgb, RgbImage, imageops};

/// Most buttons a grid covers: 2^10 = 1024 tiles.
pub const MAX_BUTTONS: usize = 10;

/// What the recipe of a sheet of every button combination says it is.
pub const BUTTON_SHEET_KIND: &str = "grid of every combination of pressed buttons";

/// Gap between tiles, in pixels, and its colour.
const GAP: u32 = 2;
const BACKGROUND: [u8; 3] = [40, 40, 40];

/// The input vector of tile `k` of `n` buttons: k in binary, button 1 most significant.
pub fn combination(k: usize, n: usize) -> Vec<f32> {
    (0..n).map(|i| ((k >> (n - 1 - i)) & 1) as f32).collect()
}

/// Columns of the sheet for `n` buttons: 2^⌈n/2⌉.
pub fn columns(n: usize) -> u32 {
    1 << n.div_ceil(2)
}

/// The contact sheet of all 2^n combinations of a network's n ≤ [`MAX_BUTTONS`] inputs,
/// tile k being `tile(&combination(k, n))` (the network's picture for that input).
pub fn button_sheet(n: usize, mut tile: impl FnMut(&[f32]) -> Picture) -> Result<Picture> {
    if n > MAX_BUTTONS {
        bail!(
            "the network has {n} inputs; a grid covers at most {MAX_BUTTONS} buttons (2^{MAX_BUTTONS} pictures)"
        );
    }
    let tiles: Vec<Picture> = (0..1usize << n).map(|k| tile(&combination(k, n))).collect();
    Ok(contact_sheet(&tiles, columns(n), GAP, BACKGROUND))
}

/// `tiles` laid out row-major on one image, `columns` to a row, with `gap` pixels of
/// `background` between tiles and around the border. Empty slots in the last row are
/// background.
///
/// Shape: all tiles are `tw` x `th`; `columns` is clamped to 1..=tiles.len(); the sheet is
/// `columns * tw + (columns + 1) * gap` wide and `rows * th + (rows + 1) * gap` high, with
/// `rows = ceil(tiles.len() / columns)`. No tiles gives a 0 x 0 image.
///
/// # Panics
/// If the tiles differ in size (they come from one network, so that is a bug in our code).
pub fn contact_sheet(tiles: &[Picture], columns: u32, gap: u32, background: [u8; 3]) -> Picture {
    let Some(first) = tiles.first() else {
        return Picture::from_image(RgbImage::new(0, 0));
    };
    let (tw, th) = first.size();
    assert!(
        tiles.iter().all(|tile| tile.size() == (tw, th)),
        "contact_sheet: every tile must be {tw}x{th}"
    );
    let count = u32::try_from(tiles.len()).expect("contact_sheet: more than u32::MAX tiles");
    let columns = columns.clamp(1, count);
    let rows = count.div_ceil(columns);
    let width = columns * tw + (columns + 1) * gap;
    let height = rows * th + (rows + 1) * gap;
    let mut sheet = RgbImage::from_pixel(width, height, Rgb(background));
    for (i, tile) in (0u32..).zip(tiles) {
        let x = gap + (i % columns) * (tw + gap);
        let y = gap + (i / columns) * (th + gap);
        imageops::replace(&mut sheet, tile.as_image(), i64::from(x), i64::from(y));
    }
    Picture::from_image(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(rgb: [u8; 3]) -> Picture {
        Picture::from_image(RgbImage::from_pixel(2, 1, Rgb(rgb)))
    }

    #[test]
    fn combinations_count_in_binary_with_button_one_first() {
        assert_eq!(combination(0, 3), [0., 0., 0.]);
        assert_eq!(combination(1, 3), [0., 0., 1.]);
        assert_eq!(combination(4, 3), [1., 0., 0.]);
        assert_eq!(combination(7, 3), [1., 1., 1.]);
    }

    #[test]
    fn eight_buttons_make_a_sixteen_by_sixteen_sheet() {
        assert_eq!(columns(8), 16);
        assert_eq!(columns(3), 4);
        assert_eq!(columns(1), 2);
    }

    #[test]
    fn lays_tiles_out_row_major_with_gaps_around_them() {
        // Three 2x1 tiles, two columns, gap 1: a 7x5 sheet.
        //   row 0: gap
        //   row 1: gap A A gap B B gap
        //   row 2: gap
        //   row 3: gap C C gap . . gap   (the empty slot is background)
        //   row 4: gap
        let (a, b, c, bg) = ([255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]);
        let sheet = contact_sheet(&[tile(a), tile(b), tile(c)], 2, 1, bg);
        assert_eq!(sheet.size(), (7, 5));
        let row = |y: u32| -> Vec<[u8; 3]> {
            (0..7).map(|x| sheet.as_image().get_pixel(x, y).0).collect()
        };
        assert_eq!(row(0), [bg; 7]);
        assert_eq!(row(1), [bg, a, a, bg, b, b, bg]);
        assert_eq!(row(2), [bg; 7]);
        assert_eq!(row(3), [bg, c, c, bg, bg, bg, bg]);
        assert_eq!(row(4), [bg; 7]);
    }

    #[test]
    fn a_sheet_without_gaps_is_the_tiles_side_by_side() {
        let sheet = contact_sheet(&[tile([1, 1, 1]), tile([2, 2, 2])], 5, 0, [0, 0, 0]);
        // Five columns asked for, but there are only two tiles.
        assert_eq!(sheet.size(), (4, 1));
        assert_eq!(sheet.as_image().get_pixel(2, 0).0, [2, 2, 2]);
    }

    #[test]
    fn no_tiles_make_an_empty_sheet() {
        assert_eq!(contact_sheet(&[], 3, 4, [0, 0, 0]).size(), (0, 0));
    }

    #[test]
    #[should_panic(expected = "every tile must be 2x1")]
    fn tiles_of_different_sizes_are_a_bug_and_panic() {
        contact_sheet(
            &[tile([0, 0, 0]), Picture::from_image(RgbImage::new(3, 3))],
            2,
            1,
            [0, 0, 0],
        );
    }

    #[test]
    fn a_button_sheet_draws_tile_k_for_combination_k() {
        let grey = |input: &[f32]| {
            let v = input.iter().sum::<f32>() / 2.0;
            Picture::from_image(RgbImage::from_pixel(1, 1, Rgb([(v * 255.0) as u8; 3])))
        };
        let sheet = button_sheet(2, grey).unwrap();
        // 4 tiles of 1x1, 2 columns, gap 2: 2*1 + 3*2 = 8 square.
        assert_eq!(sheet.size(), (8, 8));
        assert_eq!(sheet.as_image().get_pixel(2, 2).0, [0; 3]);
        assert_eq!(sheet.as_image().get_pixel(5, 5).0, [255; 3]);
        let too_many = button_sheet(MAX_BUTTONS + 1, grey).map(|_| ()).unwrap_err();
        assert!(
            too_many
                .to_string()
                .contains("a grid covers at most 10 buttons")
        );
    }
}
