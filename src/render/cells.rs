//! A picture as terminal cells in each colour mode: half blocks (`▀`, the upper pixel as
//! foreground, the lower as background) in true colour or dithered onto the 256 or 16
//! palettes, or, without colour, one character per cell from a ramp of plain characters
//! whose density follows the brightness of its two pixels.
//!
//! Which mode a terminal gets is decided elsewhere; putting cells in a screen buffer is the
//! UI's job.

use super::color::ColorMode;
use super::dither::{dither_ansi16, dither_ansi256, dither_level};
use super::halfblock::{UPPER_HALF, to_cells};
use image::RgbImage;

/// Characters from empty to full, for pictures without colour.
pub const RAMP: [char; 10] = [' ', '.', ':', '-', '=', '+', '*', '#', '%', '@'];

/// A colour as the terminal is told it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ink {
    Rgb([u8; 3]),
    /// A palette index: 16-255 in 256-colour mode, 0-15 (the basic colours) in 16-colour mode.
    Indexed(u8),
}

/// One cell of a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TermCell {
    pub symbol: char,
    /// `None`: the terminal's own colour.
    pub fg: Option<Ink>,
    pub bg: Option<Ink>,
}

/// Which way round the mono ramp reads: on a dark background a dense character is bright, on
/// a light one it is dark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Background {
    #[default]
    Dark,
    Light,
}

/// The cells showing `img` in `mode`, row-major: `img.width()` cells per row, one row per two
/// pixel rows (the last row's lower pixel is black when the height is odd).
///
/// Pixel (x, y) is dithered at its own position, so cell (col, row) uses the thresholds of
/// pixels (col, 2 row) and (col, 2 row + 1); a mono cell uses its cell position.
pub fn picture_cells(img: &RgbImage, mode: ColorMode, background: Background) -> Vec<TermCell> {
    let w = img.width().max(1);
    to_cells(img)
        .into_iter()
        .enumerate()
        .map(|(i, cell)| {
            let (x, row) = (i as u32 % w, i as u32 / w);
            let (upper, lower) = (2 * row, 2 * row + 1);
            let half = |fg: Ink, bg: Ink| TermCell {
                symbol: UPPER_HALF,
                fg: Some(fg),
                bg: Some(bg),
            };
            match mode {
                ColorMode::TrueColor => half(Ink::Rgb(cell.upper), Ink::Rgb(cell.lower)),
                ColorMode::Ansi256 => half(
                    Ink::Indexed(dither_ansi256(cell.upper, x, upper)),
                    Ink::Indexed(dither_ansi256(cell.lower, x, lower)),
                ),
                ColorMode::Ansi16 => half(
                    Ink::Indexed(dither_ansi16(cell.upper, x, upper)),
                    Ink::Indexed(dither_ansi16(cell.lower, x, lower)),
                ),
                ColorMode::Mono => {
                    let v = (luma(cell.upper) + luma(cell.lower)) / 2.0;
                    let v = match background {
                        Background::Dark => v,
                        Background::Light => 1.0 - v,
                    };
                    TermCell {
                        symbol: RAMP[dither_level(v, RAMP.len(), x, row)],
                        fg: None,
                        bg: None,
                    }
                }
            }
        })
        .collect()
}

/// Brightness in 0..1: 0.2126 R + 0.7152 G + 0.0722 B, as the training targets use.
pub fn luma(rgb: [u8; 3]) -> f32 {
    (0.2126 * f32::from(rgb[0]) + 0.7152 * f32::from(rgb[1]) + 0.0722 * f32::from(rgb[2])) / 255.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn two_pixels(upper: [u8; 3], lower: [u8; 3]) -> RgbImage {
        RgbImage::from_fn(1, 2, |_, y| Rgb(if y == 0 { upper } else { lower }))
    }

    #[test]
    fn true_colour_keeps_both_pixels() {
        let cells = picture_cells(
            &two_pixels([1, 2, 3], [4, 5, 6]),
            ColorMode::TrueColor,
            Background::Dark,
        );
        assert_eq!(
            cells,
            vec![TermCell {
                symbol: '▀',
                fg: Some(Ink::Rgb([1, 2, 3])),
                bg: Some(Ink::Rgb([4, 5, 6])),
            }]
        );
    }

    #[test]
    fn palette_modes_use_their_own_indices() {
        let img = two_pixels([255, 0, 0], [0, 0, 0]);
        let c256 = picture_cells(&img, ColorMode::Ansi256, Background::Dark)[0];
        assert_eq!(
            (c256.fg, c256.bg),
            (Some(Ink::Indexed(196)), Some(Ink::Indexed(16)))
        );
        let c16 = picture_cells(&img, ColorMode::Ansi16, Background::Dark)[0];
        assert_eq!(
            (c16.fg, c16.bg),
            (Some(Ink::Indexed(9)), Some(Ink::Indexed(0)))
        );
    }

    #[test]
    fn mono_draws_bright_dense_on_dark_and_dark_dense_on_light() {
        let white = two_pixels([255; 3], [255; 3]);
        let black = two_pixels([0; 3], [0; 3]);
        let on_dark = |img| picture_cells(img, ColorMode::Mono, Background::Dark)[0];
        let on_light = |img| picture_cells(img, ColorMode::Mono, Background::Light)[0];
        assert_eq!(on_dark(&white).symbol, '@');
        assert_eq!(on_dark(&black).symbol, ' ');
        assert_eq!(on_light(&white).symbol, ' ');
        assert_eq!(on_light(&black).symbol, '@');
        assert_eq!((on_dark(&white).fg, on_dark(&white).bg), (None, None));
    }

    #[test]
    fn a_mono_cell_follows_the_mean_of_its_two_pixels() {
        let cell = picture_cells(
            &two_pixels([255; 3], [0; 3]),
            ColorMode::Mono,
            Background::Dark,
        )[0];
        let level = RAMP.iter().position(|&c| c == cell.symbol).unwrap();
        assert!((4..=5).contains(&level), "{}", cell.symbol);
    }

    #[test]
    fn the_lower_pixel_is_dithered_at_its_own_row() {
        // A grey between two palette greys, stacked: the rows' thresholds differ, so the
        // halves of one column do not always agree.
        let img = RgbImage::from_pixel(8, 8, Rgb([131, 131, 131]));
        let cells = picture_cells(&img, ColorMode::Ansi256, Background::Dark);
        assert!(cells.iter().any(|c| c.fg != c.bg));
    }
}
