//! [`Picture`]: the one picture type. Built from a network's output (a row-major slice of
//! floats in 0..1, one or three per pixel: the network itself lives elsewhere), drawn as
//! terminal cells, written as PNG, tiled into a contact sheet (`sheet`).

use super::cells::{Background, TermCell, picture_cells};
use super::color::ColorMode;
use super::halfblock::display_size;
use super::pixels::{ColorMap, output_to_image, scale_area, upscale_nearest};
use super::png::{write_png, write_png_unique};
use super::recipe::Recipe;
use anyhow::Result;
use image::RgbImage;
use std::path::{Path, PathBuf};

/// RGB pixels of a known size.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture(RgbImage);

impl Picture {
    /// A network output `y` as `width` x `height` pixels of `channels` values each: 1 (grey,
    /// coloured through `map`) or 3 (interleaved RGB; `map` is ignored). Values are clamped to
    /// 0..1 and NaN is drawn as 0. None when `channels` is not 1 or 3 or `y` does not hold
    /// `width * height * channels` values.
    pub fn from_output(
        y: &[f32],
        width: u32,
        height: u32,
        channels: usize,
        map: ColorMap,
    ) -> Option<Picture> {
        let fits = (channels == 1 || channels == 3)
            && y.len() == width as usize * height as usize * channels;
        fits.then(|| Picture(output_to_image(y, width, height, channels, map)))
    }

    /// Pixels that are already colours (a sheet, a test's pattern).
    pub fn from_image(image: RgbImage) -> Picture {
        Picture(image)
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.0.dimensions()
    }

    pub fn as_image(&self) -> &RgbImage {
        &self.0
    }

    pub fn into_image(self) -> RgbImage {
        self.0
    }

    /// Enlarged `k` times each way, every pixel repeated in a `k` x `k` block (`k` 1 keeps
    /// it as it is).
    pub fn upscaled(&self, k: u32) -> Picture {
        if k == 1 {
            return self.clone();
        }
        Picture(upscale_nearest(&self.0, k))
    }

    /// The picture at its [`display_size`] in `cols` x `rows` cells: area-averaged when
    /// shrunk, pixels repeated when enlarged.
    pub fn fit_to_cells(&self, cols: u16, rows: u16) -> Picture {
        let (w, h) = display_size(self.0.width(), self.0.height(), cols, rows);
        if (w, h) == self.size() {
            self.clone()
        } else if w > self.0.width() {
            Picture(upscale_nearest(&self.0, w / self.0.width()))
        } else {
            Picture(scale_area(&self.0, w, h))
        }
    }

    /// The terminal cells showing the picture in `mode`, row-major: half blocks of two pixels
    /// each, or ramp characters without colour (see `cells`).
    pub fn cells(&self, mode: ColorMode, background: Background) -> Vec<TermCell> {
        picture_cells(&self.0, mode, background)
    }

    /// Writes the picture as a PNG carrying `recipe` at `path`, replacing a file there only
    /// when `overwrite` (see `png::write_png`: never a half-written file).
    pub fn write_png(&self, path: &Path, recipe: &Recipe, overwrite: bool) -> Result<()> {
        write_png(path, &self.0, recipe, overwrite)
    }

    /// Writes the picture as a new PNG carrying `recipe` in `dir` under the first free name
    /// of `stem.png`, `stem-2.png`, … and returns the path used (see `png::write_png_unique`).
    pub fn write_png_unique(&self, dir: &Path, stem: &str, recipe: &Recipe) -> Result<PathBuf> {
        write_png_unique(dir, stem, &self.0, recipe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn an_output_of_the_wrong_length_or_channels_is_no_picture() {
        assert!(Picture::from_output(&[0.0; 12], 2, 2, 3, ColorMap::Grey).is_some());
        assert!(Picture::from_output(&[0.0; 11], 2, 2, 3, ColorMap::Grey).is_none());
        assert!(Picture::from_output(&[0.0; 8], 2, 2, 2, ColorMap::Grey).is_none());
    }

    #[test]
    fn a_large_picture_is_shrunk_to_fit_and_a_tiny_one_enlarged_whole_times() {
        let img = Picture::from_image(RgbImage::from_pixel(110, 110, Rgb([9, 9, 9])));
        assert_eq!(img.fit_to_cells(40, 10).size(), (20, 20));
        assert_eq!(img.fit_to_cells(200, 100).size(), (110, 110));
        let tiny = Picture::from_image(RgbImage::from_pixel(8, 8, Rgb([9, 9, 9])));
        assert_eq!(tiny.fit_to_cells(30, 10).size(), (16, 16));
    }

    #[test]
    fn upscaling_repeats_pixels_and_writes_at_the_new_size() {
        let dir = tempfile::tempdir().unwrap();
        let picture = Picture::from_output(&[0.0, 1.0], 2, 1, 1, ColorMap::Grey).unwrap();
        let path = picture
            .upscaled(3)
            .write_png_unique(dir.path(), "a", &Recipe::default())
            .unwrap();
        let back = image::open(&path).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), (6, 3));
        assert_eq!(back.get_pixel(5, 2).0, [255; 3]);
    }
}
