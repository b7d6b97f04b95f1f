//! Pixels from numbers: a network output (floats in 0..1) becomes an RGB image, grey values get
//! false colour from a colour map, and images are scaled (area-averaged down, replicated up).
//!
//! Knows nothing about networks: an output is just a row-major slice of `f32`. Drawing the
//! pixels in a terminal is `halfblock`'s job; writing them to disk is `png`'s.

use image::{Rgb, RgbImage};

/// How a single value in 0..1 becomes a colour: plain grey, or one of matplotlib's perceptually
/// uniform maps (dark at 0, light at 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ColorMap {
    #[default]
    Grey,
    Viridis,
    Magma,
    Inferno,
    Cividis,
}

impl ColorMap {
    /// Every map, in the order `next` cycles through them.
    pub const ALL: [ColorMap; 5] = [
        ColorMap::Grey,
        ColorMap::Viridis,
        ColorMap::Magma,
        ColorMap::Inferno,
        ColorMap::Cividis,
    ];

    /// Lower-case name, as shown in the UI and accepted by `from_name`.
    pub fn name(self) -> &'static str {
        match self {
            ColorMap::Grey => "grey",
            ColorMap::Viridis => "viridis",
            ColorMap::Magma => "magma",
            ColorMap::Inferno => "inferno",
            ColorMap::Cividis => "cividis",
        }
    }

    /// The map called `name` (case-insensitive; "gray" is accepted too), if there is one.
    pub fn from_name(name: &str) -> Option<ColorMap> {
        if name.eq_ignore_ascii_case("gray") {
            return Some(ColorMap::Grey);
        }
        Self::ALL
            .into_iter()
            .find(|map| map.name().eq_ignore_ascii_case(name))
    }

    /// The map after this one in `ALL`, wrapping from the last back to the first.
    pub fn next(self) -> ColorMap {
        let i = Self::ALL
            .iter()
            .position(|&map| map == self)
            .expect("ALL lists every variant");
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// The colour of `v`: values are clamped to 0..1 and NaN counts as 0.
    ///
    /// The coloured maps interpolate linearly between 33 evenly spaced anchors sampled from
    /// matplotlib's 256-entry tables; no channel is more than 6 levels (of 255) off the original.
    pub fn apply(self, v: f32) -> [u8; 3] {
        let v = unit(v);
        match self {
            ColorMap::Grey => {
                let g = to_u8(v);
                [g, g, g]
            }
            ColorMap::Viridis => interpolate(&VIRIDIS, v),
            ColorMap::Magma => interpolate(&MAGMA, v),
            ColorMap::Inferno => interpolate(&INFERNO, v),
            ColorMap::Cividis => interpolate(&CIVIDIS, v),
        }
    }
}

/// `v` clamped to 0..1, with NaN as 0.
fn unit(v: f32) -> f32 {
    if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) }
}

/// A value in 0..1 as a byte in 0..255, rounded to nearest.
fn to_u8(v: f32) -> u8 {
    (unit(v) * 255.0).round() as u8
}

/// Linear interpolation in a table of evenly spaced anchors; anchor k sits at v = k / (n - 1).
fn interpolate(table: &[[u8; 3]], v: f32) -> [u8; 3] {
    let x = v * (table.len() - 1) as f32;
    let k = (x as usize).min(table.len() - 2);
    let f = x - k as f32;
    let (a, b) = (table[k], table[k + 1]);
    std::array::from_fn(|c| (f32::from(a[c]) * (1.0 - f) + f32::from(b[c]) * f).round() as u8)
}

/// A network output as an image of `width` x `height` pixels.
///
/// Shapes: `y` is row-major, `y.len() == width * height * channels`.
/// - `channels == 1`: one value per pixel, `y[row * width + col]`, coloured with `map`.
/// - `channels == 3`: interleaved RGB, `y[3 * (row * width + col) + c]`; `map` is ignored.
///
/// Values are clamped to 0..1 and NaN is drawn as 0. Each value is rounded to one of 256
/// levels before it is coloured, so a picture has at most 256 colours whatever the map (a GIF
/// frame holds it exactly) and equals one painted from the 8-bit picture history.
///
/// # Panics
/// If `channels` is not 1 or 3, or `y` has the wrong length: callers build both from the same
/// network, so a mismatch is a bug in our code.
pub fn output_to_image(
    y: &[f32],
    width: u32,
    height: u32,
    channels: usize,
    map: ColorMap,
) -> RgbImage {
    assert!(
        channels == 1 || channels == 3,
        "output_to_image: channels must be 1 or 3, got {channels}"
    );
    let expected = width as usize * height as usize * channels;
    assert_eq!(
        y.len(),
        expected,
        "output_to_image: {width}x{height}x{channels} needs {expected} values"
    );
    RgbImage::from_fn(width, height, |col, row| {
        let i = (row as usize * width as usize + col as usize) * channels;
        match channels {
            1 => Rgb(map.apply(f32::from(to_u8(y[i])) / 255.0)),
            _ => Rgb([to_u8(y[i]), to_u8(y[i + 1]), to_u8(y[i + 2])]),
        }
    })
}

/// `img` resized to `w` x `h` by area averaging: each target pixel is the mean of the source
/// pixels under it, each weighted by the fraction of it that is covered. Correct for any ratio,
/// including non-integer ones; integer arithmetic throughout, so the result is exact up to the
/// final rounding.
///
/// Meant for shrinking. Enlarging works too but blends neighbours where a target pixel straddles
/// two source pixels; use `upscale_nearest` for crisp enlargements.
/// A zero-sized source or target gives a black image of the target size.
pub fn scale_area(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (src_w, src_h) = img.dimensions();
    if src_w == 0 || src_h == 0 || w == 0 || h == 0 {
        return RgbImage::new(w, h);
    }
    let columns = coverage(src_w, w);
    let rows = coverage(src_h, h);
    // Per axis the weights of one target pixel sum to the source length, so together to this.
    let total = u64::from(src_w) * u64::from(src_h);
    RgbImage::from_fn(w, h, |x, y| {
        let mut sum = [0u64; 3];
        for &(sy, wy) in &rows[y as usize] {
            for &(sx, wx) in &columns[x as usize] {
                let p = img.get_pixel(sx, sy).0;
                for c in 0..3 {
                    sum[c] += wx * wy * u64::from(p[c]);
                }
            }
        }
        Rgb(sum.map(|s| ((s + total / 2) / total) as u8))
    })
}

/// For each of `dst_len` target pixels along one axis: the source pixels it covers and how much
/// of each, as `(source index, overlap)`.
///
/// Both axes are stretched to a common length `src_len * dst_len`: source pixel i spans
/// `[i * dst_len, (i + 1) * dst_len)`, target pixel d spans `[d * src_len, (d + 1) * src_len)`,
/// and the overlap is the length of their intersection. The overlaps of one target pixel sum
/// to `src_len`.
fn coverage(src_len: u32, dst_len: u32) -> Vec<Vec<(u32, u64)>> {
    let (src, dst) = (u64::from(src_len), u64::from(dst_len));
    (0..dst)
        .map(|d| {
            let (start, end) = (d * src, (d + 1) * src);
            (start / dst..end.div_ceil(dst))
                .map(|i| {
                    let overlap = end.min((i + 1) * dst) - start.max(i * dst);
                    (i as u32, overlap)
                })
                .collect()
        })
        .collect()
}

/// `img` enlarged `k` times in each direction by repeating every pixel in a `k` x `k` block.
/// `k == 0` gives an empty image.
///
/// # Panics
/// If the enlarged size does not fit in `u32`.
pub fn upscale_nearest(img: &RgbImage, k: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (big_w, big_h) = w
        .checked_mul(k)
        .zip(h.checked_mul(k))
        .expect("upscale_nearest: enlarged size overflows u32");
    RgbImage::from_fn(big_w, big_h, |x, y| *img.get_pixel(x / k, y / k))
}

/// The largest size with the aspect ratio of `src_w` x `src_h` that fits in `max_w` x `max_h`,
/// never larger than the source itself. Each side is rounded to nearest and is at least 1,
/// unless an input is 0, which gives (0, 0).
pub fn fit_within(src_w: u32, src_h: u32, max_w: u32, max_h: u32) -> (u32, u32) {
    if src_w == 0 || src_h == 0 || max_w == 0 || max_h == 0 {
        return (0, 0);
    }
    if src_w <= max_w && src_h <= max_h {
        return (src_w, src_h);
    }
    let (sw, sh, mw, mh) = (
        u64::from(src_w),
        u64::from(src_h),
        u64::from(max_w),
        u64::from(max_h),
    );
    // Round-to-nearest of a * b / c in integers.
    let scale = |a: u64, b: u64, c: u64| ((a * b + c / 2) / c) as u32;
    if sw * mh >= mw * sh {
        // Wider than the box: the width is the limit.
        (max_w, scale(sh, mw, sw).clamp(1, max_h))
    } else {
        (scale(sw, mh, sh).clamp(1, max_w), max_h)
    }
}
// The anchors: matplotlib's 256-entry tables (lib/matplotlib/_cm_listed.py), linearly
// interpolated at v = k / 32 for k = 0..=32 and rounded to bytes.

// viridis
const VIRIDIS: [[u8; 3]; 33] = [
    [68, 1, 84],
    [71, 13, 96],
    [72, 24, 106],
    [72, 35, 116],
    [71, 45, 123],
    [69, 54, 129],
    [66, 64, 134],
    [63, 73, 137],
    [59, 82, 139],
    [55, 90, 141],
    [51, 99, 141],
    [47, 106, 142],
    [44, 114, 142],
    [41, 122, 142],
    [38, 129, 142],
    [35, 137, 142],
    [33, 144, 140],
    [31, 152, 139],
    [31, 159, 136],
    [33, 166, 133],
    [40, 174, 128],
    [49, 181, 123],
    [62, 188, 116],
    [76, 194, 108],
    [93, 201, 99],
    [110, 206, 88],
    [130, 211, 76],
    [150, 216, 63],
    [171, 220, 50],
    [192, 223, 36],
    [213, 226, 26],
    [234, 229, 26],
    [253, 231, 37],
];

// magma
const MAGMA: [[u8; 3]; 33] = [
    [0, 0, 4],
    [3, 3, 17],
    [10, 8, 34],
    [19, 13, 51],
    [29, 17, 70],
    [40, 17, 90],
    [54, 16, 106],
    [67, 15, 118],
    [80, 18, 124],
    [93, 23, 127],
    [105, 28, 129],
    [118, 33, 129],
    [130, 38, 129],
    [143, 42, 129],
    [156, 46, 127],
    [169, 50, 125],
    [182, 55, 121],
    [195, 59, 117],
    [207, 65, 112],
    [219, 72, 106],
    [230, 81, 99],
    [238, 92, 94],
    [245, 105, 92],
    [249, 120, 93],
    [251, 135, 97],
    [253, 150, 104],
    [254, 165, 113],
    [254, 180, 123],
    [254, 195, 135],
    [254, 209, 148],
    [253, 224, 162],
    [252, 238, 176],
    [252, 253, 191],
];

// inferno
const INFERNO: [[u8; 3]; 33] = [
    [0, 0, 4],
    [4, 3, 18],
    [11, 7, 36],
    [21, 11, 55],
    [33, 12, 74],
    [46, 10, 90],
    [60, 9, 101],
    [74, 12, 107],
    [87, 16, 109],
    [99, 20, 110],
    [112, 25, 110],
    [125, 30, 109],
    [137, 34, 106],
    [150, 39, 102],
    [163, 43, 97],
    [175, 49, 92],
    [187, 55, 85],
    [198, 62, 77],
    [209, 70, 68],
    [219, 79, 59],
    [227, 89, 50],
    [235, 101, 40],
    [241, 113, 30],
    [246, 127, 20],
    [249, 141, 10],
    [251, 156, 6],
    [252, 171, 15],
    [251, 186, 31],
    [249, 202, 50],
    [245, 217, 73],
    [242, 232, 101],
    [243, 245, 134],
    [252, 255, 164],
];

// cividis
const CIVIDIS: [[u8; 3]; 33] = [
    [0, 34, 78],
    [0, 40, 91],
    [0, 46, 106],
    [4, 51, 113],
    [26, 56, 111],
    [39, 62, 110],
    [50, 67, 109],
    [59, 73, 108],
    [67, 78, 108],
    [75, 84, 108],
    [82, 89, 109],
    [90, 95, 110],
    [97, 101, 111],
    [104, 106, 113],
    [111, 112, 115],
    [117, 118, 118],
    [124, 123, 120],
    [132, 129, 121],
    [139, 135, 120],
    [147, 141, 120],
    [155, 147, 118],
    [163, 154, 117],
    [171, 160, 114],
    [179, 166, 112],
    [187, 173, 108],
    [195, 180, 105],
    [204, 186, 100],
    [212, 193, 95],
    [221, 201, 88],
    [230, 208, 81],
    [239, 215, 72],
    [248, 223, 60],
    [254, 232, 56],
];

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(w: u32, h: u32, rgb: [u8; 3]) -> RgbImage {
        RgbImage::from_pixel(w, h, Rgb(rgb))
    }

    /// Plain reference: the exact area average in f64, one target pixel at a time.
    fn reference_area_mean(img: &RgbImage, w: u32, h: u32, x: u32, y: u32) -> [f64; 3] {
        let sx = f64::from(img.width()) / f64::from(w);
        let sy = f64::from(img.height()) / f64::from(h);
        let overlap =
            |a0: f64, a1: f64, i: u32| (a1.min(f64::from(i + 1)) - a0.max(f64::from(i))).max(0.0);
        let mut sum = [0.0; 3];
        for (i, j, p) in img.enumerate_pixels() {
            let wgt = overlap(f64::from(x) * sx, f64::from(x + 1) * sx, i)
                * overlap(f64::from(y) * sy, f64::from(y + 1) * sy, j);
            for c in 0..3 {
                sum[c] += wgt * f64::from(p[c]);
            }
        }
        sum.map(|s| s / (sx * sy))
    }

    #[test]
    fn grey_maps_zero_to_black_and_one_to_white() {
        assert_eq!(ColorMap::Grey.apply(0.0), [0, 0, 0]);
        assert_eq!(ColorMap::Grey.apply(1.0), [255, 255, 255]);
        assert_eq!(ColorMap::Grey.apply(0.5), [128, 128, 128]);
    }

    #[test]
    fn clamps_out_of_range_values_and_treats_nan_as_zero() {
        for map in ColorMap::ALL {
            assert_eq!(map.apply(-3.0), map.apply(0.0), "{}", map.name());
            assert_eq!(map.apply(7.0), map.apply(1.0), "{}", map.name());
            assert_eq!(map.apply(f32::NAN), map.apply(0.0), "{}", map.name());
            assert_eq!(map.apply(f32::INFINITY), map.apply(1.0), "{}", map.name());
        }
    }

    #[test]
    fn viridis_ends_match_matplotlib() {
        // matplotlib: viridis(0) = (0.267004, 0.004874, 0.329415), viridis(1) = (0.993248, 0.906157, 0.143936).
        assert_eq!(ColorMap::Viridis.apply(0.0), [68, 1, 84]);
        assert_eq!(ColorMap::Viridis.apply(1.0), [253, 231, 37]);
    }

    #[test]
    fn viridis_midpoint_is_within_two_levels_of_matplotlib() {
        // matplotlib's table entries 127 and 128, averaged: v = 0.5 sits halfway between them.
        let expected = [
            0.5 * (0.128729 + 0.127568),
            0.5 * (0.563265 + 0.566949),
            0.5 * (0.551229 + 0.550556),
        ];
        let got = ColorMap::Viridis.apply(0.5);
        for c in 0..3 {
            let diff = (f64::from(got[c]) - 255.0 * expected[c]).abs();
            assert!(diff <= 2.0, "channel {c}: got {got:?}");
        }
    }

    #[test]
    fn coloured_maps_get_lighter_from_zero_to_one() {
        // Perceptually uniform maps rise monotonically in lightness; a luma proxy shows it.
        let luma =
            |[r, g, b]: [u8; 3]| 0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b);
        for map in ColorMap::ALL {
            let steps: Vec<f32> = (0..=16).map(|k| luma(map.apply(k as f32 / 16.0))).collect();
            for pair in steps.windows(2) {
                assert!(pair[1] > pair[0], "{}: {steps:?}", map.name());
            }
        }
    }

    #[test]
    fn next_cycles_through_every_map_and_wraps_around() {
        let mut map = ColorMap::Grey;
        let mut seen = Vec::new();
        for _ in 0..ColorMap::ALL.len() {
            seen.push(map);
            map = map.next();
        }
        assert_eq!(seen, ColorMap::ALL);
        assert_eq!(map, ColorMap::Grey);
    }

    #[test]
    fn finds_a_map_by_its_name_in_any_case() {
        for map in ColorMap::ALL {
            assert_eq!(ColorMap::from_name(map.name()), Some(map));
            assert_eq!(ColorMap::from_name(&map.name().to_uppercase()), Some(map));
        }
        assert_eq!(ColorMap::from_name("gray"), Some(ColorMap::Grey));
        assert_eq!(ColorMap::from_name("jet"), None);
    }

    #[test]
    fn single_channel_output_is_laid_out_row_major() {
        // 3 wide, 2 high: the pixel at (col 2, row 1) is y[1 * 3 + 2].
        let y = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        let img = output_to_image(&y, 3, 2, 1, ColorMap::Grey);
        assert_eq!(img.dimensions(), (3, 2));
        assert_eq!(img.get_pixel(2, 1).0, [255, 255, 255]);
        assert_eq!(img.get_pixel(2, 0).0, [0, 0, 0]);
    }

    #[test]
    fn a_colour_mapped_picture_has_at_most_256_colours() {
        let y: Vec<f32> = (0..4096).map(|i| i as f32 / 4095.0).collect();
        let img = output_to_image(&y, 64, 64, 1, ColorMap::Magma);
        let colours: std::collections::HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
        assert!(colours.len() <= 256, "{} colours", colours.len());
        assert!(colours.len() > 200, "every level is used");
    }

    #[test]
    fn single_channel_output_uses_the_colour_map() {
        let img = output_to_image(&[0.25], 1, 1, 1, ColorMap::Magma);
        assert_eq!(img.get_pixel(0, 0).0, ColorMap::Magma.apply(0.25));
    }

    #[test]
    fn three_channel_output_is_interleaved_rgb_and_ignores_the_map() {
        // 2 wide, 1 high: pixel 1 is y[3..6].
        let y = [0.0, 0.0, 0.0, 1.0, 0.5, 0.0];
        let img = output_to_image(&y, 2, 1, 3, ColorMap::Viridis);
        assert_eq!(img.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(img.get_pixel(1, 0).0, [255, 128, 0]);
    }

    #[test]
    #[should_panic(expected = "needs 12 values")]
    fn output_of_the_wrong_length_is_a_bug_and_panics() {
        output_to_image(&[0.0; 11], 2, 2, 3, ColorMap::Grey);
    }

    #[test]
    fn averages_a_two_by_two_block_into_one_pixel() {
        let mut img = solid(2, 2, [0, 0, 0]);
        img.put_pixel(0, 0, Rgb([100, 0, 40]));
        img.put_pixel(1, 1, Rgb([100, 200, 0]));
        let small = scale_area(&img, 1, 1);
        assert_eq!(small.get_pixel(0, 0).0, [50, 50, 10]);
    }

    #[test]
    fn shrinking_three_pixels_to_two_weights_the_shared_middle_pixel_by_half() {
        // Target pixel 0 covers source 0 and half of source 1: (1 * 0 + 0.5 * 90) / 1.5 = 30.
        let mut img = solid(3, 1, [0, 0, 0]);
        img.put_pixel(1, 0, Rgb([90, 90, 90]));
        img.put_pixel(2, 0, Rgb([240, 240, 240]));
        let small = scale_area(&img, 2, 1);
        assert_eq!(small.get_pixel(0, 0).0, [30, 30, 30]);
        assert_eq!(small.get_pixel(1, 0).0, [190, 190, 190]);
    }

    #[test]
    fn area_scaling_matches_a_plain_f64_reference_at_awkward_ratios() {
        let img = RgbImage::from_fn(11, 7, |x, y| {
            Rgb([
                (x * 23 % 256) as u8,
                (y * 37 % 256) as u8,
                ((x * y * 11) % 256) as u8,
            ])
        });
        for (w, h) in [(4, 3), (5, 5), (10, 6), (1, 1), (11, 7), (3, 7)] {
            let small = scale_area(&img, w, h);
            for (x, y, p) in small.enumerate_pixels() {
                let expected = reference_area_mean(&img, w, h, x, y);
                for c in 0..3 {
                    assert!(
                        (f64::from(p[c]) - expected[c]).abs() <= 0.5 + 1e-9,
                        "{w}x{h} at ({x},{y}) channel {c}"
                    );
                }
            }
        }
    }

    #[test]
    fn area_scaling_keeps_a_solid_colour_solid() {
        let img = solid(110, 110, [12, 200, 99]);
        let small = scale_area(&img, 37, 23);
        assert!(small.pixels().all(|p| p.0 == [12, 200, 99]));
    }

    #[test]
    fn coverage_of_each_target_pixel_sums_to_the_source_length() {
        for (src, dst) in [(110, 37), (7, 3), (3, 7), (5, 5), (1, 4)] {
            for cells in coverage(src, dst) {
                assert_eq!(cells.iter().map(|&(_, w)| w).sum::<u64>(), u64::from(src));
                assert!(cells.iter().all(|&(_, w)| w > 0));
            }
        }
    }

    #[test]
    fn scaling_to_or_from_nothing_gives_a_black_image_of_the_target_size() {
        assert_eq!(
            scale_area(&solid(4, 4, [9, 9, 9]), 0, 3).dimensions(),
            (0, 3)
        );
        let from_empty = scale_area(&RgbImage::new(0, 0), 2, 2);
        assert!(from_empty.pixels().all(|p| p.0 == [0, 0, 0]));
    }

    #[test]
    fn nearest_upscaling_repeats_each_pixel_in_a_block() {
        let mut img = solid(2, 1, [0, 0, 0]);
        img.put_pixel(1, 0, Rgb([7, 8, 9]));
        let big = upscale_nearest(&img, 3);
        assert_eq!(big.dimensions(), (6, 3));
        for (x, _, p) in big.enumerate_pixels() {
            let expected = if x < 3 { [0, 0, 0] } else { [7, 8, 9] };
            assert_eq!(p.0, expected);
        }
    }

    #[test]
    fn fit_within_keeps_the_aspect_ratio() {
        assert_eq!(fit_within(110, 110, 80, 48), (48, 48));
        assert_eq!(fit_within(200, 100, 50, 50), (50, 25));
        assert_eq!(fit_within(100, 200, 50, 50), (25, 50));
        assert_eq!(fit_within(3, 2, 2, 2), (2, 1));
    }

    #[test]
    fn fit_within_never_enlarges() {
        assert_eq!(fit_within(110, 110, 500, 300), (110, 110));
    }

    #[test]
    fn fit_within_keeps_at_least_one_pixel_of_a_thin_image() {
        assert_eq!(fit_within(1000, 1, 10, 10), (10, 1));
        assert_eq!(fit_within(5, 5, 0, 10), (0, 0));
    }
}
