//! Terminal colour depths and their palettes: true colour, the 240 fixed colours of the
//! 256-colour palette (the 6x6x6 cube and the 24-step grey ramp), the 16 basic colours, or no
//! colour at all.
//!
//! Pure functions: which depth a terminal has is decided elsewhere (`tui::terminal`) and
//! passed in. Palette entries 0-15 are never chosen in 256-colour mode, because each terminal
//! theme redefines them; the 16-colour mode has nothing else, so it assumes xterm's default
//! values for them, whose order of brightness almost every theme keeps.

/// How cells are coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColorMode {
    /// 24-bit RGB escapes.
    TrueColor,
    /// Indices 16-255 of the xterm 256-colour palette.
    Ansi256,
    /// The 16 basic colours (indices 0-15).
    Ansi16,
    /// No colour: the picture becomes a ramp of plain characters.
    Mono,
}

impl ColorMode {
    /// How the UI names the mode.
    pub fn name(self) -> &'static str {
        match self {
            ColorMode::TrueColor => "24-bit",
            ColorMode::Ansi256 => "256 colours",
            ColorMode::Ansi16 => "16 colours",
            ColorMode::Mono => "mono",
        }
    }
}

/// Channel levels of the 6x6x6 cube: index `16 + 36 r + 6 g + b` is `(CUBE[r], CUBE[g], CUBE[b])`.
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// First index of the grey ramp: index `232 + i` is grey `8 + 10 i`, for i in 0..24.
const GREY_START: u8 = 232;

/// xterm's default RGB values of the 16 basic colours: black, red, green, yellow, blue,
/// magenta, cyan, white, then the bright versions in the same order.
pub const ANSI16: [[u8; 3]; 16] = [
    [0, 0, 0],
    [205, 0, 0],
    [0, 205, 0],
    [205, 205, 0],
    [0, 0, 238],
    [205, 0, 205],
    [0, 205, 205],
    [229, 229, 229],
    [127, 127, 127],
    [255, 0, 0],
    [0, 255, 0],
    [255, 255, 0],
    [92, 92, 255],
    [255, 0, 255],
    [0, 255, 255],
    [255, 255, 255],
];

/// The palette colour (16-255) that looks closest to `rgb`.
///
/// Candidates are [`candidates_256`]: the nearest by `redmean_distance` wins, the cube on a tie.
pub fn nearest_ansi256(rgb: [u8; 3]) -> u8 {
    candidates_256(rgb)
        .min_by_key(|&index| redmean_distance(rgb, palette_rgb(index)))
        .expect("the candidate list is never empty")
}

/// The 256-palette colours worth considering for `rgb`: the cube colours built from the two
/// cube levels around each channel (which include the cube's greys when `rgb` is grey) and all
/// 24 ramp greys. The nearest palette colour is always among them.
pub fn candidates_256(rgb: [u8; 3]) -> impl Iterator<Item = u8> {
    let [r, g, b] = rgb.map(bracketing_levels);
    let cube = r
        .into_iter()
        .flat_map(move |r| {
            g.into_iter()
                .flat_map(move |g| b.into_iter().map(move |b| (r, g, b)))
        })
        .map(|(r, g, b)| 16 + 36 * r + 6 * g + b);
    cube.chain(GREY_START..=u8::MAX)
}

/// The basic colour (0-15) closest to `rgb`, taking xterm's default values for them.
pub fn nearest_ansi16(rgb: [u8; 3]) -> u8 {
    (0..16u8)
        .min_by_key(|&i| redmean_distance(rgb, ANSI16[usize::from(i)]))
        .expect("the palette is not empty")
}

/// RGB of 256-palette entry `index` in 16-255 (entries 0-15 depend on the terminal's theme;
/// they are given the value of 16, black).
pub fn palette_rgb(index: u8) -> [u8; 3] {
    if index >= GREY_START {
        let v = 8 + 10 * (index - GREY_START);
        [v, v, v]
    } else {
        let i = usize::from(index.saturating_sub(16));
        [CUBE[i / 36], CUBE[i / 6 % 6], CUBE[i % 6]]
    }
}

/// Indices (0..6) of the cube levels just below and just above `v` (the same one twice when `v`
/// is a level).
fn bracketing_levels(v: u8) -> [u8; 2] {
    let above = CUBE
        .iter()
        .position(|&level| level >= v)
        .expect("CUBE ends at 255");
    let below = if CUBE[above] == v { above } else { above - 1 };
    [below as u8, above as u8]
}

/// The "redmean" colour distance (squared, scaled by 256): a cheap weighted Euclidean distance
/// in sRGB that tracks perceived difference much better than the plain one,
/// `(2 + r̄/256) Δr² + 4 Δg² + (2 + (255 − r̄)/256) Δb²` with `r̄` the mean of the two reds.
pub(crate) fn redmean_distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    let r_mean = (u32::from(a[0]) + u32::from(b[0])) / 2;
    let [dr, dg, db] = std::array::from_fn(|c| u32::from(a[c].abs_diff(b[c])));
    (512 + r_mean) * dr * dr + 1024 * dg * dg + (512 + 255 - r_mean) * db * db
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain reference: the nearest of all 240 palette colours, by brute force.
    fn nearest_by_brute_force(rgb: [u8; 3]) -> u32 {
        (16..=255u8)
            .map(|i| redmean_distance(rgb, palette_rgb(i)))
            .min()
            .unwrap()
    }

    #[test]
    fn exact_cube_colours_map_to_themselves() {
        for index in 16..232u8 {
            assert_eq!(nearest_ansi256(palette_rgb(index)), index);
        }
    }

    #[test]
    fn exact_ramp_greys_map_to_themselves() {
        for index in GREY_START..=255 {
            assert_eq!(nearest_ansi256(palette_rgb(index)), index);
        }
    }

    #[test]
    fn greys_between_cube_levels_go_to_the_grey_ramp() {
        for v in [20, 50, 80, 110, 128, 150, 190, 230] {
            let index = nearest_ansi256([v, v, v]);
            assert!(index >= GREY_START, "grey {v} went to {index}");
        }
        assert_eq!(nearest_ansi256([128, 128, 128]), 244);
    }

    #[test]
    fn greys_nearest_a_cube_grey_use_it() {
        // 95 is a cube level (index 59) and 3 away from the ramp's 98.
        assert_eq!(nearest_ansi256([95, 95, 95]), 59);
        assert_eq!(nearest_ansi256([94, 94, 94]), 59);
    }

    #[test]
    fn black_and_white_go_to_the_cube_corners() {
        assert_eq!(nearest_ansi256([0, 0, 0]), 16);
        assert_eq!(nearest_ansi256([255, 255, 255]), 231);
    }

    #[test]
    fn never_returns_a_theme_colour() {
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    assert!(nearest_ansi256([r, g, b]) >= 16);
                }
            }
        }
    }

    #[test]
    fn finds_the_same_distance_as_a_brute_force_search() {
        for r in (0..=255).step_by(5) {
            for g in (0..=255).step_by(5) {
                for b in (0..=255).step_by(5) {
                    let rgb = [r, g, b];
                    let got = redmean_distance(rgb, palette_rgb(nearest_ansi256(rgb)));
                    assert_eq!(got, nearest_by_brute_force(rgb), "{rgb:?}");
                }
            }
        }
    }

    #[test]
    fn saturated_colours_stay_in_their_hue() {
        assert_eq!(nearest_ansi256([250, 10, 5]), 196); // red
        assert_eq!(nearest_ansi256([5, 250, 10]), 46); // green
        assert_eq!(nearest_ansi256([10, 5, 250]), 21); // blue
    }

    #[test]
    fn the_palette_holds_the_standard_cube_and_ramp_colours() {
        assert_eq!(palette_rgb(16), [0, 0, 0]);
        assert_eq!(palette_rgb(196), [255, 0, 0]);
        assert_eq!(palette_rgb(255), [238, 238, 238]);
    }

    #[test]
    fn sixteen_colours_keep_the_four_greys_in_order() {
        assert_eq!(nearest_ansi16([0, 0, 0]), 0);
        assert_eq!(nearest_ansi16([120, 120, 120]), 8);
        assert_eq!(nearest_ansi16([220, 220, 220]), 7);
        assert_eq!(nearest_ansi16([255, 255, 255]), 15);
        assert_eq!(nearest_ansi16([240, 10, 10]), 9);
    }
}
