//! The difference of two pictures as a heat map: per pixel |A − B| (the mean over the three
//! colour channels, in 0..1), drawn through the magma colour map with the largest
//! difference at the top of the scale, so that small differences still show.
//!
//! Pictures of different sizes (runs of different shapes) are compared at the first one's
//! size: the second is resampled to it (area-averaged when shrunk).

use super::Picture;
use super::pixels::{ColorMap, scale_area};
use image::{Rgb, RgbImage};

/// A heat map and the figures that scale it.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// Black where the pictures agree, the top of magma where they differ most.
    pub picture: Picture,
    /// Largest per-pixel difference (0..1): the colour at the top of the scale.
    pub max: f32,
    /// Mean per-pixel difference (0..1).
    pub mean: f32,
}

/// |a − b| per pixel as a heat map at `a`'s size.
pub fn difference(a: &Picture, b: &Picture) -> Difference {
    let (a, b) = (a.as_image(), b.as_image());
    let (w, h) = a.dimensions();
    let resampled;
    let b = if b.dimensions() == (w, h) {
        b
    } else {
        resampled = scale_area(b, w, h);
        &resampled
    };
    let d: Vec<f32> = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| {
            let sum: u32 = (0..3).map(|c| u32::from(p[c].abs_diff(q[c]))).sum();
            sum as f32 / (3.0 * 255.0)
        })
        .collect();
    let max = d.iter().copied().fold(0.0f32, f32::max);
    let mean = if d.is_empty() {
        0.0
    } else {
        d.iter().sum::<f32>() / d.len() as f32
    };
    let scale = if max > 0.0 { 1.0 / max } else { 0.0 };
    let image = RgbImage::from_fn(w, h, |x, y| {
        Rgb(ColorMap::Magma.apply(d[(y * w + x) as usize] * scale))
    });
    Difference {
        picture: Picture::from_image(image),
        max,
        mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_pictures_make_a_black_map() {
        let a = RgbImage::from_fn(4, 3, |x, y| Rgb([x as u8 * 40, y as u8 * 60, 9]));
        let a = Picture::from_image(a);
        let d = difference(&a, &a);
        assert_eq!((d.max, d.mean), (0.0, 0.0));
        let black = ColorMap::Magma.apply(0.0);
        assert!(d.picture.as_image().pixels().all(|p| p.0 == black));
    }

    #[test]
    fn the_largest_difference_is_the_top_of_the_scale() {
        let a = RgbImage::from_pixel(2, 1, Rgb([0, 0, 0]));
        let mut b = a.clone();
        b.put_pixel(1, 0, Rgb([51, 51, 51]));
        let d = difference(&Picture::from_image(a), &Picture::from_image(b));
        let image = d.picture.as_image();
        assert!((d.max - 0.2).abs() < 1e-6, "{}", d.max);
        assert!((d.mean - 0.1).abs() < 1e-6, "{}", d.mean);
        assert_eq!(image.get_pixel(0, 0).0, ColorMap::Magma.apply(0.0));
        assert_eq!(image.get_pixel(1, 0).0, ColorMap::Magma.apply(1.0));
    }

    #[test]
    fn a_picture_of_another_size_is_compared_at_the_first_ones_size() {
        let a = Picture::from_image(RgbImage::from_pixel(4, 4, Rgb([100, 100, 100])));
        let b = Picture::from_image(RgbImage::from_pixel(8, 2, Rgb([100, 100, 100])));
        let d = difference(&a, &b);
        assert_eq!(d.picture.size(), (4, 4));
        assert_eq!(d.max, 0.0);
    }
}
