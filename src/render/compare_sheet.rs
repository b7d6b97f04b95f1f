//! The comparison sheet: a labelled table of pictures, one row per input and one column per
//! picture source (the target, then each run), drawn as one image.
//!
//! ```text
//!                  target     run A       run B        <- header: a few lines per column
//!   training inputs
//!   10000000      [tile]     [tile]      [tile]
//!                            1.2e-5 #3   3.4e-6 #1     <- captions, coloured by the caller
//!   untrained inputs
//!   11000000      (empty)    [tile]      [tile]
//! ```
//!
//! Every picture is fitted into one tile size (enlarged by whole pixels or shrunk by area,
//! centred), so runs of different sizes line up. Knows nothing about networks: the caller
//! renders the pictures and writes the words.

use super::Picture;
use super::pixels::ColorMap;
use super::pixels::{fit_within, scale_area, upscale_nearest};
use super::recipe::Recipe;
use super::text::{GLYPH, draw_text, text_width};
use image::{Rgb, RgbImage, imageops};

/// Space between cells and around the sheet, in pixels.
pub const GAP: u32 = 6;
/// Sheet background and text colours.
pub const BACKGROUND: [u8; 3] = [32, 32, 32];
pub const INK: [u8; 3] = [230, 230, 230];
pub const DIM: [u8; 3] = [150, 150, 150];
/// Drawn where a cell has no picture (a run that lacks the image, a target not found).
pub const EMPTY_CELL: [u8; 3] = [48, 48, 48];

/// Height of one line of text.
const LINE: u32 = GLYPH + 3;

/// A line of text under a picture, in its own colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    pub text: String,
    pub color: [u8; 3],
}

/// What one cell of a row shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Picture(Picture),
    /// A picture that should be there and is not (a run that lacks the image, a target
    /// that cannot be read): a grey box marked "-".
    Missing,
    /// Nothing to show (the target of an untrained input): background.
    Blank,
}

/// One input's row: its label (the input vector) and one cell per column.
#[derive(Clone, Debug, Default)]
pub struct SheetRow {
    pub label: String,
    /// One per column.
    pub pictures: Vec<Cell>,
    /// One per column (or fewer); drawn under the picture.
    pub captions: Vec<Option<Caption>>,
}

/// A titled group of rows ("training inputs", "untrained inputs").
#[derive(Clone, Debug, Default)]
pub struct Section {
    pub title: String,
    pub rows: Vec<SheetRow>,
}

/// Everything on the sheet.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    /// One entry per column, each a few lines (name, preset, epoch).
    pub headers: Vec<Vec<String>>,
    pub sections: Vec<Section>,
    /// Size every picture is fitted into.
    pub tile: (u32, u32),
}

/// The recipe a comparison carries: which runs (as the user named them), the input when it
/// shows one, the colour map and nnimg's version. A comparison is not one run's picture, so
/// it names no single run, epoch or weights.
pub fn comparison_recipe(runs: &[String], input: Option<&[f32]>, map: ColorMap) -> Recipe {
    Recipe {
        kind: Some(format!("comparison of runs {}", runs.join(", "))),
        input: input.map(<[f32]>::to_vec),
        colormap: Some(map.name().to_owned()),
        version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        ..Recipe::default()
    }
}

/// Where everything goes: computed from a [`Sheet`], used to draw it and to find a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SheetLayout {
    pub width: u32,
    pub height: u32,
    /// Width of the label column (left of the first tile column).
    pub label_width: u32,
    pub column_width: u32,
    pub header_height: u32,
    pub row_height: u32,
    pub tile: (u32, u32),
}

impl SheetLayout {
    pub fn of(sheet: &Sheet) -> SheetLayout {
        let labels = sheet.sections.iter().flat_map(|s| &s.rows);
        let label_width = labels
            .map(|r| text_width(&r.label, 1))
            .chain(sheet.sections.iter().map(|s| text_width(&s.title, 1)))
            .max()
            .unwrap_or(0);
        let widest_text = sheet
            .headers
            .iter()
            .flatten()
            .map(|l| text_width(l, 1))
            .chain(
                sheet
                    .sections
                    .iter()
                    .flat_map(|s| &s.rows)
                    .flat_map(|r| r.captions.iter().flatten())
                    .map(|c| text_width(&c.text, 1)),
            )
            .max()
            .unwrap_or(0);
        let column_width = sheet.tile.0.max(widest_text);
        let header_lines = sheet.headers.iter().map(Vec::len).max().unwrap_or(0) as u32;
        let header_height = header_lines * LINE;
        let row_height = sheet.tile.1 + LINE;
        let columns = sheet.headers.len() as u32;
        let rows: u32 = sheet.sections.iter().map(|s| s.rows.len() as u32).sum();
        let sections = sheet.sections.len() as u32;
        SheetLayout {
            width: GAP + label_width + columns * (GAP + column_width) + GAP,
            height: GAP + header_height + sections * (GAP + LINE) + rows * (GAP + row_height) + GAP,
            label_width,
            column_width,
            header_height,
            row_height,
            tile: sheet.tile,
        }
    }

    /// Left edge of column `column`'s cells.
    pub fn column_x(&self, column: usize) -> u32 {
        2 * GAP + self.label_width + column as u32 * (GAP + self.column_width)
    }

    /// Left edge of `text` centred in column `column`.
    pub fn centred_x(&self, column: usize, text: &str) -> u32 {
        self.column_x(column) + self.column_width.saturating_sub(text_width(text, 1)) / 2
    }

    /// Top edge of the tile of row `row` of section `section`, given every section's row
    /// count.
    pub fn row_y(&self, sections: &[usize], section: usize, row: usize) -> u32 {
        let before: usize = sections[..section].iter().sum();
        GAP + self.header_height
            + (section as u32 + 1) * (GAP + LINE)
            + (before + row) as u32 * (GAP + self.row_height)
            + GAP
    }

    /// The rectangle (x, y, width, height) of the tile of `column` in a row whose tile top
    /// is `y`: the tile box centred in its column.
    pub fn tile_box(&self, column: usize, y: u32) -> (u32, u32, u32, u32) {
        let x = self.column_x(column) + (self.column_width - self.tile.0) / 2;
        (x, y, self.tile.0, self.tile.1)
    }
}

/// `picture` fitted into a `w`×`h` box: enlarged by the largest whole factor that fits, or
/// shrunk by area averaging to the largest size with its aspect ratio that fits.
pub fn fit_picture(picture: &Picture, w: u32, h: u32) -> RgbImage {
    let picture = picture.as_image();
    let (pw, ph) = picture.dimensions();
    if pw == 0 || ph == 0 {
        return RgbImage::new(0, 0);
    }
    let factor = (w / pw).min(h / ph);
    if factor >= 1 {
        return upscale_nearest(picture, factor);
    }
    let (fw, fh) = fit_within(pw, ph, w, h);
    scale_area(picture, fw, fh)
}

/// Draws the sheet.
pub fn draw_sheet(sheet: &Sheet) -> Picture {
    let layout = SheetLayout::of(sheet);
    let mut img = RgbImage::from_pixel(layout.width, layout.height, Rgb(BACKGROUND));
    for (c, lines) in sheet.headers.iter().enumerate() {
        for (l, line) in (0u32..).zip(lines) {
            let color = if l == 0 { INK } else { DIM };
            let x = layout.centred_x(c, line);
            draw_text(&mut img, x, GAP + l * LINE, line, color, 1);
        }
    }
    let counts: Vec<usize> = sheet.sections.iter().map(|s| s.rows.len()).collect();
    for (s, section) in sheet.sections.iter().enumerate() {
        let title_y = layout.row_y(&counts, s, 0) - GAP - LINE;
        draw_text(&mut img, GAP, title_y, &section.title, DIM, 1);
        for (r, row) in section.rows.iter().enumerate() {
            let y = layout.row_y(&counts, s, r);
            draw_row(&mut img, &layout, row, y);
        }
    }
    Picture::from_image(img)
}

fn draw_row(img: &mut RgbImage, layout: &SheetLayout, row: &SheetRow, y: u32) {
    let (tw, th) = layout.tile;
    let label_y = y + th.saturating_sub(GLYPH) / 2;
    draw_text(img, GAP, label_y, &row.label, INK, 1);
    for (c, picture) in row.pictures.iter().enumerate() {
        let (x, y, _, _) = layout.tile_box(c, y);
        match picture {
            Cell::Picture(p) => {
                let fitted = fit_picture(p, tw, th);
                let (fx, fy) = (
                    x + (tw - fitted.width()) / 2,
                    y + (th - fitted.height()) / 2,
                );
                imageops::replace(img, &fitted, i64::from(fx), i64::from(fy));
            }
            Cell::Blank => {}
            Cell::Missing => {
                let empty = RgbImage::from_pixel(tw, th, Rgb(EMPTY_CELL));
                imageops::replace(img, &empty, i64::from(x), i64::from(y));
                let dash_x = x + tw.saturating_sub(GLYPH) / 2;
                draw_text(img, dash_x, y + th.saturating_sub(GLYPH) / 2, "-", DIM, 1);
            }
        }
        if let Some(Some(caption)) = row.captions.get(c) {
            let cx = layout.centred_x(c, &caption.text);
            draw_text(img, cx, y + th + 2, &caption.text, caption.color, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(w: u32, h: u32, rgb: [u8; 3]) -> Picture {
        Picture::from_image(RgbImage::from_pixel(w, h, Rgb(rgb)))
    }

    fn sheet() -> Sheet {
        let row = |label: &str, colors: [[u8; 3]; 3]| SheetRow {
            label: label.into(),
            pictures: colors
                .iter()
                .map(|&c| Cell::Picture(solid(10, 10, c)))
                .collect(),
            captions: vec![
                None,
                Some(Caption {
                    text: "1e-3 #1".into(),
                    color: INK,
                }),
            ],
        };
        Sheet {
            headers: vec![
                vec!["target".into()],
                vec!["a".into(), "v0.1.6".into()],
                vec!["b".into()],
            ],
            sections: vec![
                Section {
                    title: "training inputs".into(),
                    rows: vec![
                        row("100", [[200, 0, 0], [0, 200, 0], [0, 0, 200]]),
                        row("010", [[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
                    ],
                },
                Section {
                    title: "untrained inputs".into(),
                    rows: vec![SheetRow {
                        label: "110".into(),
                        pictures: vec![
                            Cell::Blank,
                            Cell::Picture(solid(5, 5, [90, 90, 90])),
                            Cell::Missing,
                        ],
                        captions: vec![],
                    }],
                },
            ],
            tile: (20, 20),
        }
    }

    #[test]
    fn every_picture_sits_at_the_centre_of_its_tile_box() {
        let s = sheet();
        let img = draw_sheet(&s).into_image();
        let layout = SheetLayout::of(&s);
        assert_eq!(img.dimensions(), (layout.width, layout.height));
        let counts = [2, 1];
        for (section, rows) in s.sections.iter().enumerate() {
            for (r, row) in rows.rows.iter().enumerate() {
                for (c, picture) in row.pictures.iter().enumerate() {
                    let (x, y, w, h) = layout.tile_box(c, layout.row_y(&counts, section, r));
                    let centre = img.get_pixel(x + w / 2, y + h / 2).0;
                    // A missing cell's centre is inside its "-" mark: look at its corner.
                    let corner = img.get_pixel(x + 1, y + 1).0;
                    match picture {
                        Cell::Picture(p) => {
                            assert_eq!(centre, p.as_image().get_pixel(0, 0).0, "row {r} column {c}")
                        }
                        Cell::Missing => assert_eq!(corner, EMPTY_CELL),
                        Cell::Blank => assert_eq!((centre, corner), (BACKGROUND, BACKGROUND)),
                    }
                }
            }
        }
    }

    #[test]
    fn small_pictures_are_enlarged_by_whole_pixels_and_large_ones_shrunk_to_fit() {
        let small = Picture::from_image(RgbImage::from_fn(3, 2, |x, _| Rgb([x as u8, 0, 0])));
        let big = fit_picture(&small, 10, 10);
        assert_eq!(big.dimensions(), (9, 6));
        assert_eq!(big.get_pixel(8, 5).0, [2, 0, 0]);
        let large = solid(40, 20, [7, 7, 7]);
        assert_eq!(fit_picture(&large, 10, 10).dimensions(), (10, 5));
        assert_eq!(
            fit_picture(&solid(10, 10, [0; 3]), 10, 10).dimensions(),
            (10, 10)
        );
    }

    #[test]
    fn columns_widen_to_fit_their_longest_text() {
        let mut s = sheet();
        s.headers[1][0] = "a-very-long-run-name".into();
        let layout = SheetLayout::of(&s);
        assert_eq!(layout.column_width, text_width("a-very-long-run-name", 1));
        assert_eq!(layout.label_width, text_width("untrained inputs", 1));
    }

    #[test]
    fn headers_and_labels_are_drawn_in_ink() {
        let s = sheet();
        let img = draw_sheet(&s).into_image();
        let layout = SheetLayout::of(&s);
        let inked = |x0: u32, y0: u32, w: u32, h: u32| {
            (x0..x0 + w).any(|x| (y0..y0 + h).any(|y| img.get_pixel(x, y).0 == INK))
        };
        assert!(
            inked(layout.column_x(1), GAP, layout.column_width, 8),
            "run name"
        );
        let y = layout.row_y(&[2, 1], 0, 0);
        assert!(inked(GAP, y, layout.label_width, 20), "input label");
    }
}
