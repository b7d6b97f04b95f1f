//! Pixels to terminal cells: each cell shows two pixels stacked vertically, drawn as the upper
//! half block `▀` with the upper pixel as foreground and the lower pixel as background.
//!
//! Which colours the terminal can show is `color`'s business; putting cells in a buffer is the
//! UI's.

use super::pixels::fit_within;
use image::RgbImage;

/// The character each cell is drawn with: foreground = `upper`, background = `lower`.
pub const UPPER_HALF: char = '▀';

/// One terminal cell: the colours of the two pixels it covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct HalfCell {
    pub upper: [u8; 3],
    pub lower: [u8; 3],
}

/// How many cell rows an image `pixel_rows` high needs: `ceil(pixel_rows / 2)`.
pub fn cell_rows(pixel_rows: u32) -> u32 {
    pixel_rows.div_ceil(2)
}

/// The size a picture `width` x `height` is shown at in `cols` x `rows` cells of two pixels each: shrunk with its
/// aspect kept when it does not fit, enlarged a whole number of times when it fits at least
/// twice (so a tiny picture is not a speck), else as it is.
pub fn display_size(width: u32, height: u32, cols: u16, rows: u16) -> (u32, u32) {
    let (max_w, max_h) = (u32::from(cols), 2 * u32::from(rows));
    if width == 0 || height == 0 || width > max_w || height > max_h {
        return fit_within(width, height, max_w, max_h);
    }
    let k = (max_w / width).min(max_h / height).max(1);
    (width * k, height * k)
}

/// The cells showing `img`, row-major: `img.width()` cells per row, `cell_rows(img.height())`
/// rows. Cell (col, row) covers pixels (col, 2 * row) and (col, 2 * row + 1). When the height
/// is odd the last row has no lower pixel and its `lower` is black.
pub fn to_cells(img: &RgbImage) -> Vec<HalfCell> {
    let (w, h) = img.dimensions();
    let pixel = |x: u32, y: u32| {
        if y < h {
            img.get_pixel(x, y).0
        } else {
            [0, 0, 0]
        }
    };
    (0..cell_rows(h))
        .flat_map(|row| {
            (0..w).map(move |col| HalfCell {
                upper: pixel(col, 2 * row),
                lower: pixel(col, 2 * row + 1),
            })
        })
        .collect()
}

/// The cells (columns, rows) a `width` × `height` picture takes as half blocks within
/// `max_cols` × `max_rows` cells: the aspect ratio kept (a cell is one pixel wide and two
/// high), never enlarged, at least one cell.
pub fn fit_cells(width: u32, height: u32, max_cols: u32, max_rows: u32) -> (u32, u32) {
    let (w, h) = (u64::from(width.max(1)), u64::from(height.max(1)));
    let (max_w, max_h) = (u64::from(max_cols.max(1)), 2 * u64::from(max_rows.max(1)));
    let (cols, pixel_rows) = if w <= max_w && h <= max_h {
        (w, h)
    } else if w * max_h >= h * max_w {
        // The width runs out first.
        (max_w, h * max_w / w)
    } else {
        (w * max_h / h, max_h)
    };
    let cols = u32::try_from(cols.max(1)).unwrap_or(u32::MAX);
    let rows = u32::try_from(pixel_rows.div_ceil(2).max(1)).unwrap_or(u32::MAX);
    (cols, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_fits_the_height_as_well_as_the_width() {
        // `nnimg show` in a 100 × 40 pane printed a 220 × 220 picture 50 rows high.
        assert_eq!(fit_cells(220, 220, 100, 39), (78, 39));
        assert_eq!(fit_cells(300, 20, 100, 39), (100, 3));
        assert_eq!(fit_cells(110, 110, 200, 69), (110, 55));
        assert_eq!(fit_cells(5000, 1, 10, 10), (10, 1));
        assert_eq!(fit_cells(1, 5000, 10, 10), (1, 10));
    }
    use image::Rgb;

    #[test]
    fn stacks_two_pixel_rows_into_one_cell_row() {
        // 2 x 2 pixels: one row of two cells.
        let img = RgbImage::from_fn(2, 2, |x, y| Rgb([x as u8, y as u8, 9]));
        let cells = to_cells(&img);
        assert_eq!(
            cells,
            vec![
                HalfCell {
                    upper: [0, 0, 9],
                    lower: [0, 1, 9]
                },
                HalfCell {
                    upper: [1, 0, 9],
                    lower: [1, 1, 9]
                },
            ]
        );
    }

    #[test]
    fn cells_are_row_major() {
        // 3 wide, 4 high: cell (col 2, row 1) is index 1 * 3 + 2 and shows pixel rows 2 and 3.
        let img = RgbImage::from_fn(3, 4, |x, y| Rgb([x as u8, y as u8, 0]));
        let cells = to_cells(&img);
        assert_eq!(cells.len(), 6);
        assert_eq!(
            cells[5],
            HalfCell {
                upper: [2, 2, 0],
                lower: [2, 3, 0]
            }
        );
    }

    #[test]
    fn odd_height_leaves_a_black_lower_half() {
        let img = RgbImage::from_pixel(2, 3, Rgb([200, 100, 50]));
        let cells = to_cells(&img);
        assert_eq!(cells.len(), 4);
        assert_eq!(
            cells[2],
            HalfCell {
                upper: [200, 100, 50],
                lower: [0, 0, 0]
            }
        );
        assert_eq!(cells[3].lower, [0, 0, 0]);
        assert_eq!(cells[1].lower, [200, 100, 50]);
    }

    #[test]
    fn an_empty_image_has_no_cells() {
        assert!(to_cells(&RgbImage::new(0, 5)).is_empty());
        assert!(to_cells(&RgbImage::new(5, 0)).is_empty());
    }

    #[test]
    fn counts_cell_rows_rounding_up() {
        assert_eq!(cell_rows(0), 0);
        assert_eq!(cell_rows(1), 1);
        assert_eq!(cell_rows(110), 55);
        assert_eq!(cell_rows(111), 56);
    }
}
