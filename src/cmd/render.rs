//! `nnimg render`: the network's output for one input vector, as a PNG that carries its
//! recipe; `--from FILE.png` paints a picture again from the recipe inside it.

use super::setup::{TrainedRun, save_picture};
use crate::cli::RenderArgs;
use crate::data::format_stem;
use crate::render::pixels::ColorMap;
use crate::render::recipe::{Recipe, read_png_recipe};
use crate::shown::Shown;
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Largest `--scale`: 110 px × 64 is already a 7040 px picture.
pub const MAX_SCALE: u32 = 64;

pub fn run(args: RenderArgs) -> Result<ExitCode> {
    let from = match &args.from {
        Some(file) => Some((file.as_path(), read_png_recipe(file)?)),
        None => None,
    };
    let old = from.as_ref().map(|(_, recipe)| recipe);
    let scale = args.scale.or(old.and_then(|r| r.scale)).unwrap_or(1);
    if scale == 0 || scale > MAX_SCALE {
        bail!("--scale {scale}: use a factor from 1 to {MAX_SCALE}");
    }
    let colormap = match (args.colormap, old.and_then(|r| r.colormap.as_deref())) {
        (Some(map), _) => map,
        (None, Some(name)) => ColorMap::from_name(name).unwrap_or_default(),
        (None, None) => ColorMap::Grey,
    };
    let run = match (&args.run, &from) {
        (Some(run), _) => run.clone(),
        (None, Some((file, recipe))) => recipe_run(file, recipe)?,
        (None, None) => bail!("--run: name the run to render from"),
    };
    let trained = TrainedRun::open(&run)?;
    let input = match (&args.input, &from) {
        (Some(text), _) => trained.parse_input(text)?,
        (None, Some((file, recipe))) => recipe_input(file, recipe, &trained)?,
        (None, None) => bail!("--input: name the input vector to render"),
    };
    let recipe = trained.recipe(Some(&input), colormap, scale);
    if let Some((file, old)) = &from {
        note_changed_weights(file, old, &recipe);
    }
    let picture = trained.render(&input, colormap).upscaled(scale);
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{}.png", format_stem(&input))));
    save_picture(&out, &picture, &recipe, args.force)?;
    outln!("{}", Shown(&out));
    Ok(ExitCode::SUCCESS)
}

/// The run a recipe names, which must still be there.
fn recipe_run(file: &Path, recipe: &Recipe) -> Result<PathBuf> {
    match &recipe.run {
        Some(run) if Path::new(run).is_dir() => Ok(PathBuf::from(run)),
        Some(run) => bail!(
            "{}: was painted by run '{}', which is not here; name it with --run",
            Shown(file),
            Shown(run)
        ),
        None => bail!(
            "{}: its recipe names no run; name it with --run",
            Shown(file)
        ),
    }
}

/// The input vector of a still's recipe, checked against the network.
fn recipe_input(file: &Path, recipe: &Recipe, trained: &TrainedRun) -> Result<Vec<f32>> {
    let Some(input) = &recipe.input else {
        bail!(
            "{}: is an animation or a sheet, not one picture; render one of its inputs with --input",
            Shown(file)
        );
    };
    let n = trained.checkpoint.net.input_len();
    if input.len() != n {
        bail!(
            "{}: its input has {} values, the network of {} has {n} inputs",
            Shown(file),
            input.len(),
            Shown(&trained.dir)
        );
    }
    Ok(input.clone())
}

/// Says on stderr when the run's weights are no longer those that painted the picture.
fn note_changed_weights(file: &Path, old: &Recipe, new: &Recipe) {
    if old.weights_sha256.is_some() && old.weights_sha256 != new.weights_sha256 {
        let epoch = |r: &Recipe| r.epoch.map_or("?".to_owned(), |e| e.to_string());
        errln!(
            "nnimg: note: {}: was painted at epoch {} by other weights; the run is at epoch {} now, so the picture differs",
            Shown(file),
            epoch(old),
            epoch(new)
        );
    }
}
