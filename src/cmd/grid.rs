//! `nnimg grid`: one contact sheet of the outputs for every combination of pressed buttons.
//!
//! Order: tile k (row-major, left to right, top to bottom) is the input whose 0/1 digits are
//! k written in binary, button 1 being the most significant digit — so the first tile is
//! 00000000, the second 00000001, the last 11111111. The sheet is 2^⌈n/2⌉ tiles wide.

use super::setup::{TrainedRun, save_picture};
use crate::cli::GridArgs;
use crate::render::png::contact_sheet;
use crate::shown::Shown;
use anyhow::{Result, bail};
use image::RgbImage;
use std::path::PathBuf;
use std::process::ExitCode;

/// Most buttons a grid covers: 2^10 = 1024 tiles.
pub const MAX_BUTTONS: usize = 10;

/// Gap between tiles, in pixels, and its colour.
const GAP: u32 = 2;
const BACKGROUND: [u8; 3] = [40, 40, 40];

/// The input vector of tile `k` of `n` buttons: k in binary, button 1 most significant.
pub fn combination(k: usize, n: usize) -> Vec<f32> {
    (0..n).map(|i| ((k >> (n - 1 - i)) & 1) as f32).collect()
}

/// Columns of the sheet for `n` buttons: 2^⌈n/2⌉.
pub fn columns(n: usize) -> u32 {
    1 << n.div_ceil(2)
}

/// The contact sheet of all 2^n combinations for a network with n ≤ [`MAX_BUTTONS`] inputs.
pub fn grid_image(trained: &TrainedRun, map: crate::render::pixels::ColorMap) -> Result<RgbImage> {
    let n = trained.checkpoint.net.input_len();
    if n > MAX_BUTTONS {
        bail!(
            "the network has {n} inputs; a grid covers at most {MAX_BUTTONS} buttons (2^{MAX_BUTTONS} pictures)"
        );
    }
    let tiles: Vec<RgbImage> = (0..1usize << n)
        .map(|k| trained.render(&combination(k, n), map))
        .collect();
    Ok(contact_sheet(&tiles, columns(n), GAP, BACKGROUND))
}

pub fn run(args: GridArgs) -> Result<ExitCode> {
    let trained = TrainedRun::open(&args.run)?;
    let image = grid_image(&trained, args.colormap)?;
    let out = args.out.unwrap_or_else(|| PathBuf::from("grid.png"));
    save_picture(&out, &image, args.force)?;
    println!("{}", Shown(&out));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_count_in_binary_with_button_one_first() {
        assert_eq!(combination(0, 3), [0., 0., 0.]);
        assert_eq!(combination(1, 3), [0., 0., 1.]);
        assert_eq!(combination(4, 3), [1., 0., 0.]);
        assert_eq!(combination(7, 3), [1., 1., 1.]);
    }

    #[test]
    fn eight_buttons_make_a_sixteen_by_sixteen_sheet() {
        assert_eq!(columns(8), 16);
        assert_eq!(columns(3), 4);
        assert_eq!(columns(1), 2);
    }
}
