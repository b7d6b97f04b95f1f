//! `nnimg grid`: one contact sheet of the outputs for every combination of pressed buttons
//! (order and layout: `render::sheet`).

use super::setup::{TrainedRun, save_picture};
use crate::cli::GridArgs;
use crate::render::sheet::{BUTTON_SHEET_KIND, button_sheet};
use crate::shown::Shown;
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(args: GridArgs) -> Result<ExitCode> {
    let trained = TrainedRun::open(&args.run)?;
    let n = trained.checkpoint.net.input_len();
    let sheet = button_sheet(n, |input| trained.render(input, args.colormap))?;
    let out = args.out.unwrap_or_else(|| PathBuf::from("grid.png"));
    let mut recipe = trained.recipe(None, args.colormap, 1);
    recipe.kind = Some(BUTTON_SHEET_KIND.to_owned());
    save_picture(&out, &sheet, &recipe, args.force)?;
    outln!("{}", Shown(&out));
    Ok(ExitCode::SUCCESS)
}
