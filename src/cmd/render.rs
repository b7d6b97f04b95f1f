//! `nnimg render`: the network's output for one input vector, as a PNG.

use super::setup::{TrainedRun, save_picture};
use crate::cli::RenderArgs;
use crate::data::format_stem;
use crate::render::pixels::upscale_nearest;
use crate::shown::Shown;
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;

/// Largest `--scale`: 110 px × 64 is already a 7040 px picture.
pub const MAX_SCALE: u32 = 64;

pub fn run(args: RenderArgs) -> Result<ExitCode> {
    if args.scale == 0 || args.scale > MAX_SCALE {
        bail!("--scale {}: use a factor from 1 to {MAX_SCALE}", args.scale);
    }
    let trained = TrainedRun::open(&args.run)?;
    let input = trained.parse_input(&args.input)?;
    let image = upscale_nearest(&trained.render(&input, args.colormap), args.scale);
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{}.png", format_stem(&input))));
    save_picture(&out, &image, args.force)?;
    println!("{}", Shown(&out));
    Ok(ExitCode::SUCCESS)
}
