//! Labels drawn into pictures with an 8×8 bitmap font (the public-domain glyphs of the
//! `font8x8` crate), so a saved sheet names its runs and inputs without any font on the
//! system. Printable ASCII only; anything else is drawn as `?`.

use font8x8::legacy::BASIC_LEGACY;
use image::{Rgb, RgbImage};

/// Width and height of one glyph, in pixels, at scale 1.
pub const GLYPH: u32 = 8;

/// Width of `text` drawn at `scale`, in pixels: every character is one glyph wide.
pub fn text_width(text: &str, scale: u32) -> u32 {
    u32::try_from(text.chars().count())
        .unwrap_or(u32::MAX)
        .saturating_mul(GLYPH * scale)
}

/// The glyph of `c`: eight rows of eight pixels, bit 0 the leftmost.
fn glyph(c: char) -> [u8; 8] {
    let printable = c.is_ascii() && !c.is_ascii_control();
    BASIC_LEGACY[if printable { c as usize } else { '?' as usize }]
}

/// Draws `text` with its top-left corner at (`x`, `y`), each font pixel a `scale`×`scale`
/// block of `color`. Only the glyphs' set pixels are drawn (the background shows through);
/// whatever falls outside the image is clipped.
pub fn draw_text(img: &mut RgbImage, x: u32, y: u32, text: &str, color: [u8; 3], scale: u32) {
    let step = GLYPH * scale;
    for (i, c) in (0u32..).zip(text.chars()) {
        let left = x.saturating_add(i.saturating_mul(step));
        if left >= img.width() {
            break;
        }
        for (row, bits) in (0u32..).zip(glyph(c)) {
            for col in (0..GLYPH).filter(|col| bits & (1 << col) != 0) {
                for dy in 0..scale {
                    for dx in 0..scale {
                        let px = left + col * scale + dx;
                        let py = y.saturating_add(row * scale + dy);
                        if px < img.width() && py < img.height() {
                            img.put_pixel(px, py, Rgb(color));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INK: [u8; 3] = [255, 255, 255];

    /// The set pixels of an image as rows of `#` and `.`.
    fn picture(img: &RgbImage) -> Vec<String> {
        (0..img.height())
            .map(|y| {
                (0..img.width())
                    .map(|x| {
                        if img.get_pixel(x, y).0 == INK {
                            '#'
                        } else {
                            '.'
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn draws_a_one_as_the_font_shapes_it() {
        let mut img = RgbImage::new(8, 8);
        draw_text(&mut img, 0, 0, "1", INK, 1);
        assert_eq!(
            picture(&img),
            [
                "..##....", ".###....", "..##....", "..##....", "..##....", "..##....", "######..",
                "........",
            ]
        );
    }

    #[test]
    fn characters_follow_each_other_one_glyph_apart_and_scale_by_blocks() {
        let mut one = RgbImage::new(16, 8);
        draw_text(&mut one, 0, 0, "_1", INK, 1);
        let mut glyph_1 = RgbImage::new(8, 8);
        draw_text(&mut glyph_1, 0, 0, "1", INK, 1);
        for (x, y, p) in glyph_1.enumerate_pixels() {
            assert_eq!(one.get_pixel(x + 8, y), p);
        }
        let mut big = RgbImage::new(16, 16);
        draw_text(&mut big, 0, 0, "1", INK, 2);
        for (x, y, p) in big.enumerate_pixels() {
            assert_eq!(p, glyph_1.get_pixel(x / 2, y / 2));
        }
        assert_eq!(text_width("_1", 1), 16);
        assert_eq!(text_width("v0.1.6", 2), 96);
    }

    #[test]
    fn text_past_the_edge_is_clipped_and_unknown_characters_are_question_marks() {
        let mut img = RgbImage::new(10, 4);
        draw_text(&mut img, 6, 2, "long text", INK, 3);
        let mut a = RgbImage::new(8, 8);
        let mut b = RgbImage::new(8, 8);
        draw_text(&mut a, 0, 0, "é", INK, 1);
        draw_text(&mut b, 0, 0, "?", INK, 1);
        assert_eq!(a, b);
    }
}
