//! [`Fit`]: how a picture of another shape becomes the output's width × height — cut from
//! the centre, padded with black, or stretched. Used for training targets and by
//! `nnimg init-data`; knows nothing about networks.

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageBuffer, Pixel, Rgb, RgbImage};
use serde::{Deserialize, Serialize};

/// How a picture whose aspect ratio differs from the output's is fitted to it. A picture of
/// the same aspect ratio is only resized, whatever the fit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Cut the largest centred part of the output's aspect ratio, then resize: the picture
    /// keeps its proportions and loses its edges.
    #[default]
    Crop,
    /// Resize the whole picture to fit inside, centred between bars of transparent black.
    Pad,
    /// Resize to the output's shape, distorting the proportions. Runs made before `fit`
    /// was recorded in run.json were trained this way.
    Stretch,
}

impl Fit {
    /// The fit of a run.json without a `fit` key: what nnimg did before it had a choice.
    pub fn unrecorded() -> Fit {
        Fit::Stretch
    }

    /// How the note about fitted pictures says what happened to them.
    pub fn past_tense(self) -> &'static str {
        match self {
            Fit::Crop => "cropped from the centre",
            Fit::Pad => "padded with black",
            Fit::Stretch => "stretched",
        }
    }
}

/// True when a `width` × `height` picture has another aspect ratio than `to` (w, h).
pub fn changes_aspect(width: u32, height: u32, to: (u32, u32)) -> bool {
    u64::from(width) * u64::from(to.1) != u64::from(height) * u64::from(to.0)
}

/// `image` fitted to `to` (width, height) pixels by `fit`, resized with a triangle filter.
/// Padding is the pixel type's zero (transparent black for RGBA).
pub fn fit_image<P>(
    image: &ImageBuffer<P, Vec<P::Subpixel>>,
    to: (u32, u32),
    fit: Fit,
) -> ImageBuffer<P, Vec<P::Subpixel>>
where
    P: Pixel + 'static,
{
    let (w, h) = image.dimensions();
    let (tw, th) = to;
    let resize = |img: &ImageBuffer<P, Vec<P::Subpixel>>, w, h| {
        if img.dimensions() == (w, h) {
            img.clone()
        } else {
            imageops::resize(img, w, h, FilterType::Triangle)
        }
    };
    if !changes_aspect(w, h, to) || fit == Fit::Stretch {
        return resize(image, tw, th);
    }
    // Wider than the output when w / h > tw / th.
    let wider = u64::from(w) * u64::from(th) > u64::from(h) * u64::from(tw);
    let scaled = |side: u32, num: u32, den: u32| -> u32 {
        let v = (u64::from(side) * u64::from(num) + u64::from(den) / 2) / u64::from(den);
        u32::try_from(v).unwrap_or(u32::MAX).max(1)
    };
    match fit {
        Fit::Crop => {
            let (cw, ch) = if wider {
                (scaled(h, tw, th).min(w), h)
            } else {
                (w, scaled(w, th, tw).min(h))
            };
            let part = imageops::crop_imm(image, (w - cw) / 2, (h - ch) / 2, cw, ch).to_image();
            resize(&part, tw, th)
        }
        Fit::Pad => {
            let (nw, nh) = if wider {
                (tw, scaled(h, tw, w).min(th))
            } else {
                (scaled(w, th, h).min(tw), th)
            };
            let inner = resize(image, nw, nh);
            let mut out = ImageBuffer::new(tw, th);
            imageops::replace(
                &mut out,
                &inner,
                i64::from((tw - nw) / 2),
                i64::from((th - nh) / 2),
            );
            out
        }
        Fit::Stretch => resize(image, tw, th),
    }
}

/// `image` fitted to `to` (width, height) by `fit` as 8-bit RGB, alpha composited over
/// black: the picture a training target would see, for writing into a training folder.
pub fn fit_to_rgb(image: &DynamicImage, to: (u32, u32), fit: Fit) -> RgbImage {
    let fitted = fit_image(&image.to_rgba8(), to, fit);
    let over_black = |c: u8, a: u8| ((u16::from(c) * u16::from(a) + 127) / 255) as u8;
    RgbImage::from_fn(to.0, to.1, |x, y| {
        let [r, g, b, a] = fitted.get_pixel(x, y).0;
        Rgb([over_black(r, a), over_black(g, a), over_black(b, a)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma};

    /// A 6 × 2 picture: columns 0-1 at 10, 2-3 at 200, 4-5 at 90.
    fn three_bands() -> GrayImage {
        GrayImage::from_fn(6, 2, |x, _| Luma([[10, 200, 90][x as usize / 2]]))
    }

    #[test]
    fn crop_keeps_the_centre_of_a_wide_picture() {
        let out = fit_image(&three_bands(), (2, 2), Fit::Crop);
        assert_eq!(out.as_raw(), &[200; 4]);
    }

    #[test]
    fn pad_keeps_the_whole_picture_between_black_bars() {
        let out = fit_image(&three_bands(), (6, 6), Fit::Pad);
        // Rows 0-1 and 4-5 are bars; rows 2-3 are the picture, unscaled.
        for y in 0..6 {
            let row: Vec<u8> = (0..6).map(|x| out.get_pixel(x, y)[0]).collect();
            if (2..4).contains(&y) {
                assert_eq!(row, [10, 10, 200, 200, 90, 90], "row {y}");
            } else {
                assert_eq!(row, [0; 6], "row {y}");
            }
        }
    }

    #[test]
    fn stretch_squeezes_every_column_in() {
        let out = fit_image(&three_bands(), (3, 2), Fit::Stretch);
        assert_eq!(out.dimensions(), (3, 2));
        // Every band is still there, side by side (their edges blend).
        let row: Vec<u8> = (0..3).map(|x| out.get_pixel(x, 0)[0]).collect();
        assert!(row[1] > row[2] && row[2] > row[0], "{row:?}");
    }

    #[test]
    fn a_picture_of_the_same_aspect_is_only_resized_whatever_the_fit() {
        let square = GrayImage::from_fn(4, 4, |x, y| Luma([(x * 40 + y) as u8]));
        let crop = fit_image(&square, (2, 2), Fit::Crop);
        assert_eq!(crop, fit_image(&square, (2, 2), Fit::Pad));
        assert_eq!(crop, fit_image(&square, (2, 2), Fit::Stretch));
        assert!(!changes_aspect(4, 4, (2, 2)));
        assert!(changes_aspect(6, 2, (2, 2)));
    }

    #[test]
    fn a_tall_picture_is_cut_top_and_bottom_and_padded_left_and_right() {
        let tall = GrayImage::from_fn(1, 3, |_, y| Luma([[10, 200, 90][y as usize]]));
        assert_eq!(fit_image(&tall, (1, 1), Fit::Crop).as_raw(), &[200]);
        let padded = fit_image(&tall, (3, 3), Fit::Pad);
        assert_eq!(padded.as_raw(), &[0, 10, 0, 0, 200, 0, 0, 90, 0]);
    }

    #[test]
    fn pictures_for_a_training_folder_are_rgb_over_black() {
        let half_red = image::RgbaImage::from_pixel(3, 1, image::Rgba([255, 0, 0, 128]));
        let out = fit_to_rgb(&DynamicImage::ImageRgba8(half_red), (1, 1), Fit::Crop);
        assert_eq!(out.get_pixel(0, 0).0, [128, 0, 0]);
    }

    #[test]
    fn a_sliver_still_fits_without_a_zero_side() {
        let sliver = GrayImage::from_pixel(1000, 1, Luma([255]));
        assert_eq!(fit_image(&sliver, (4, 4), Fit::Crop).dimensions(), (4, 4));
        assert_eq!(fit_image(&sliver, (4, 4), Fit::Pad).dimensions(), (4, 4));
    }
}
