//! Ordered dithering onto the terminal palettes, so that a smooth ramp of greys becomes a
//! fine pattern of the palette's two nearest colours instead of visible bands.
//!
//! Each pixel is matched with the pair of palette colours whose mix comes closest to it (the
//! nearest colour and the best partner among its neighbours), and shows one or the other
//! depending on its position in an 8x8 Bayer matrix. The pattern depends only on the
//! position, so a picture that does not change keeps exactly the same cells (no flicker, no
//! redraw), unlike error diffusion.

use super::color::{ANSI16, candidates_256, nearest_ansi16, nearest_ansi256, palette_rgb};

/// The 8x8 Bayer matrix: every value 0..64 once, spread so that any threshold lights an even
/// pattern.
const BAYER: [[u8; 8]; 8] = [
    [0, 32, 8, 40, 2, 34, 10, 42],
    [48, 16, 56, 24, 50, 18, 58, 26],
    [12, 44, 4, 36, 14, 46, 6, 38],
    [60, 28, 52, 20, 62, 30, 54, 22],
    [3, 35, 11, 43, 1, 33, 9, 41],
    [51, 19, 59, 27, 49, 17, 57, 25],
    [15, 47, 7, 39, 13, 45, 5, 37],
    [63, 31, 55, 23, 61, 29, 53, 21],
];

/// How much a mix's own graininess counts against it, relative to the error of its mean: low,
/// because the eye averages neighbouring pixels, but enough to prefer the closer of two pairs
/// that match equally well.
const NOISE_WEIGHT: f32 = 0.1;

/// The threshold of pixel (`x`, `y`), in (0, 1): `(BAYER[y mod 8][x mod 8] + 0.5) / 64`.
pub fn bayer_threshold(x: u32, y: u32) -> f32 {
    (f32::from(BAYER[y as usize % 8][x as usize % 8]) + 0.5) / 64.0
}

/// The 256-palette colour (16-255) that pixel (`x`, `y`) of colour `rgb` shows.
pub fn dither_ansi256(rgb: [u8; 3], x: u32, y: u32) -> u8 {
    let nearest = nearest_ansi256(rgb);
    let (partner, t) = best_mix(rgb, nearest, candidates_256(rgb), palette_rgb);
    if bayer_threshold(x, y) < t {
        partner
    } else {
        nearest
    }
}

/// The basic colour (0-15, xterm's default values assumed) that pixel (`x`, `y`) of colour
/// `rgb` shows.
pub fn dither_ansi16(rgb: [u8; 3], x: u32, y: u32) -> u8 {
    let nearest = nearest_ansi16(rgb);
    let (partner, t) = best_mix(rgb, nearest, 0..16, |i| ANSI16[usize::from(i)]);
    if bayer_threshold(x, y) < t {
        partner
    } else {
        nearest
    }
}

/// The level (0..`levels`) that pixel (`x`, `y`) of value `v` (0..1) shows on a ramp of
/// `levels` evenly spaced steps: one of the two levels around `v`, the upper one in the
/// fraction of the pattern that `v` is above the lower.
pub fn dither_level(v: f32, levels: usize, x: u32, y: u32) -> usize {
    let top = levels.saturating_sub(1);
    let scaled = v.clamp(0.0, 1.0) * top as f32;
    let below = (scaled.floor() as usize).min(top);
    let above = (below + 1).min(top);
    if bayer_threshold(x, y) < scaled - below as f32 {
        above
    } else {
        below
    }
}

/// The partner of `nearest` among `candidates` whose mix with it best matches `rgb`, and the
/// share of the partner in that mix, in linear light (0 when no mix beats `nearest` alone).
///
/// A mix `m = c1 + t (c2 − c1)` with `t` the projection of `rgb` onto the segment costs the
/// weighted squared distance of `rgb` to `m`, plus `NOISE_WEIGHT` times the mix's variance
/// `t (1 − t) |c2 − c1|²`.
fn best_mix(
    rgb: [u8; 3],
    nearest: u8,
    candidates: impl Iterator<Item = u8>,
    color: impl Fn(u8) -> [u8; 3],
) -> (u8, f32) {
    let p = rgb.map(f32::from);
    let c1 = color(nearest).map(f32::from);
    // Redmean weights, taken at the pixel's red.
    let w = [2.0 + p[0] / 256.0, 4.0, 2.0 + (255.0 - p[0]) / 256.0];
    let dot = |a: [f32; 3], b: [f32; 3]| (0..3).map(|c| w[c] * a[c] * b[c]).sum::<f32>();
    let sub = |a: [f32; 3], b: [f32; 3]| std::array::from_fn(|c| a[c] - b[c]);
    let alone = {
        let e = sub(p, c1);
        dot(e, e)
    };
    let mut best = (nearest, 0.0, alone);
    for index in candidates.filter(|&i| i != nearest) {
        let d = sub(color(index).map(f32::from), c1);
        let dd = dot(d, d);
        if dd == 0.0 {
            continue;
        }
        let t = (dot(sub(p, c1), d) / dd).clamp(0.0, 1.0);
        if t == 0.0 {
            continue;
        }
        let mix: [f32; 3] = std::array::from_fn(|c| c1[c] + t * d[c]);
        let e = sub(p, mix);
        let cost = dot(e, e) + NOISE_WEIGHT * t * (1.0 - t) * dd;
        if cost < best.2 {
            best = (index, t, cost);
        }
    }
    let (partner, t, _) = best;
    if t == 0.0 {
        return (nearest, 0.0);
    }
    (partner, linear_share(rgb, color(nearest), color(partner)))
}

/// The share of `c2` in a mix with `c1` that emits the light of `p`: the eye averages
/// neighbouring pixels as light, which is linear, not as sRGB values (half black, half grey
/// 127 looks like 92, not 64).
fn linear_share(p: [u8; 3], c1: [u8; 3], c2: [u8; 3]) -> f32 {
    let [p, c1, c2] = [p, c1, c2].map(|c| c.map(linear));
    let d: [f32; 3] = std::array::from_fn(|c| c2[c] - c1[c]);
    let dd: f32 = d.iter().map(|v| v * v).sum();
    if dd == 0.0 {
        return 0.0;
    }
    ((0..3).map(|c| (p[c] - c1[c]) * d[c]).sum::<f32>() / dd).clamp(0.0, 1.0)
}

/// An sRGB channel value as linear light in 0..1.
pub fn linear(v: u8) -> f32 {
    let v = f32::from(v) / 255.0;
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear light in 0..1 as an sRGB channel value.
pub fn srgb(l: f32) -> u8 {
    let l = l.clamp(0.0, 1.0);
    let v = if l <= 0.003_130_8 {
        l * 12.92
    } else {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    };
    (v * 255.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::color::palette_rgb;

    /// The grey an 8x8 tile of `v` dithered onto the 256 palette looks like from afar: the
    /// mean of its light.
    fn tile_mean_256(v: u8) -> f32 {
        let light: f32 = (0..8)
            .flat_map(|y| (0..8).map(move |x| (x, y)))
            .map(|(x, y)| linear(palette_rgb(dither_ansi256([v, v, v], x, y))[1]))
            .sum();
        f32::from(srgb(light / 64.0))
    }

    #[test]
    fn the_bayer_matrix_holds_every_threshold_once() {
        let mut seen: Vec<u8> = BAYER.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..64).collect::<Vec<u8>>());
        assert!(bayer_threshold(0, 0) > 0.0 && bayer_threshold(0, 7) < 1.0);
        assert_eq!(bayer_threshold(3, 5), bayer_threshold(11, 13));
    }

    #[test]
    fn a_grey_between_two_palette_greys_averages_to_itself_over_a_tile() {
        // Without dithering every one of these would be a whole level (up to 5) off.
        for v in [12u8, 40, 77, 100, 131, 160, 201, 233, 250] {
            let mean = tile_mean_256(v);
            assert!((mean - f32::from(v)).abs() <= 1.0, "{v}: tile mean {mean}");
        }
    }

    #[test]
    fn palette_colours_are_not_dithered() {
        for index in [16u8, 59, 102, 196, 231, 244] {
            let rgb = palette_rgb(index);
            for (x, y) in [(0, 0), (3, 1), (7, 7), (5, 2)] {
                assert_eq!(dither_ansi256(rgb, x, y), index);
            }
        }
    }

    #[test]
    fn a_grey_mixes_two_greys_never_a_hue() {
        for v in (0..=255u8).step_by(3) {
            for (x, y) in [(0, 0), (1, 0), (0, 1), (6, 3)] {
                let [r, g, b] = palette_rgb(dither_ansi256([v, v, v], x, y));
                assert!(r == g && g == b, "grey {v} became {r},{g},{b}");
            }
        }
    }

    #[test]
    fn sixteen_colours_dither_mid_grey_between_neighbouring_greys() {
        let used: std::collections::BTreeSet<u8> = (0..8)
            .flat_map(|y| (0..8).map(move |x| dither_ansi16([64, 64, 64], x, y)))
            .collect();
        assert_eq!(used, [0, 8].into());
    }

    #[test]
    fn sixteen_colours_mix_in_light_not_in_srgb_values() {
        // Grey 64 emits about a fifth of grey 127's light: about one pixel in five is grey,
        // not one in two.
        let grey = (0..8)
            .flat_map(|y| (0..8).map(move |x| dither_ansi16([64, 64, 64], x, y)))
            .filter(|&i| i == 8)
            .count();
        assert!((10..=16).contains(&grey), "{grey} of 64");
    }

    #[test]
    fn linear_light_round_trips() {
        for v in 0..=255u8 {
            assert_eq!(srgb(linear(v)), v);
        }
    }

    #[test]
    fn ramp_levels_average_to_the_value() {
        for v in [0.0f32, 0.1, 0.33, 0.5, 0.9, 1.0] {
            let mean = (0..8)
                .flat_map(|y| (0..8).map(move |x| dither_level(v, 10, x, y)))
                .sum::<usize>() as f32
                / 64.0
                / 9.0;
            assert!((mean - v).abs() < 0.02, "{v}: {mean}");
        }
        assert_eq!(dither_level(2.0, 10, 0, 0), 9);
        assert_eq!(dither_level(f32::NAN, 10, 0, 0), 0);
    }
}
