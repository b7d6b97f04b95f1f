//! `nnimg render`: the network's output for one input vector, as a PNG.

use super::setup::{TrainedRun, save_picture};
use crate::cli::RenderArgs;
use crate::data::format_stem;
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
    let picture = trained.render(&input, args.colormap).upscaled(args.scale);
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{}.png", format_stem(&input))));
    save_picture(&out, &picture, args.force)?;
    outln!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}
