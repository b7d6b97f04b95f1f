//! `nnimg animate`: a morph along a path of inputs, or a random walk, as a GIF (greyscale and
//! colour-mapped networks) or an animated PNG (any network), carrying its recipe.

use super::render::MAX_SCALE;
use super::setup::TrainedRun;
use crate::atomic::{create_new_file, replace_file};
use crate::cli::AnimateArgs;
use crate::data::format_stem;
use crate::render::animated::{AnimationFormat, encode_animation};
use crate::render::motion::{Timing, frame_delay_ms, path_frames, random_walk};
use crate::shown::Shown;
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Most bytes of raw frames one animation may take (frames × width × height × 3).
pub const MAX_FRAME_BYTES: u64 = 1 << 30;

pub fn run(args: AnimateArgs) -> Result<ExitCode> {
    check_numbers(&args)?;
    let trained = TrainedRun::open(&args.run)?;
    let (inputs, recipe) = match &args.path {
        Some(path) => {
            let waypoints = parse_path(&trained, path)?;
            let timing = Timing {
                frames_per_leg: args.frames_per_leg,
                hold: args.hold,
                ping_pong: !args.one_way,
            };
            let mut recipe = trained.recipe(None, args.colormap, args.scale);
            recipe.path = Some(waypoints.clone());
            recipe.kind = Some(format!(
                "path, {} frames per leg, hold {}, {}",
                args.frames_per_leg,
                args.hold,
                if args.one_way { "one way" } else { "ping-pong" }
            ));
            (path_frames(&waypoints, timing), recipe)
        }
        None => {
            let start = vec![0.5; trained.checkpoint.net.input_len()];
            let mut recipe = trained.recipe(None, args.colormap, args.scale);
            recipe.kind = Some(format!(
                "random walk from 0.5, seed {}, {} steps, speed {}",
                args.seed, args.steps, args.speed
            ));
            (
                random_walk(&start, args.steps, args.speed, args.seed),
                recipe,
            )
        }
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_name(&args, &trained));
    let format = format_for(&out, trained.config.color)?;
    let (w, h) = (
        trained.config.width * args.scale,
        trained.config.height * args.scale,
    );
    let bytes = inputs.len() as u64 * u64::from(w) * u64::from(h) * 3;
    if bytes > MAX_FRAME_BYTES {
        bail!(
            "{} frames of {w}x{h} take {} MB, more than the {} MB an animation may use; use fewer frames or a smaller --scale",
            inputs.len(),
            bytes.div_ceil(1 << 20),
            MAX_FRAME_BYTES >> 20
        );
    }
    if !args.force && std::fs::symlink_metadata(&out).is_ok() {
        bail!(
            "{}: already exists; use --force to overwrite it",
            Shown(&out)
        );
    }
    let frames: Vec<_> = inputs
        .iter()
        .map(|x| {
            trained
                .render(x, args.colormap)
                .upscaled(args.scale)
                .into_image()
        })
        .collect();
    let encoded = encode_animation(format, &frames, frame_delay_ms(args.fps), &recipe)
        .map_err(|e| e.context(format!("{}: cannot write", Shown(&out))))?;
    if args.force {
        replace_file(&out, &encoded)?;
    } else {
        create_new_file(&out, &encoded)?;
    }
    outln!("{}", Shown(&out));
    Ok(ExitCode::SUCCESS)
}

fn check_numbers(args: &AnimateArgs) -> Result<()> {
    if !(args.fps.is_finite() && args.fps > 0.0) {
        bail!("--fps {}: use a rate above 0, e.g. 25", args.fps);
    }
    if args.frames_per_leg == 0 {
        bail!("--frames-per-leg 0: a leg needs at least 1 frame");
    }
    if args.random_walk && args.steps == 0 {
        bail!("--steps 0: a random walk needs at least 1 step");
    }
    if !(args.speed.is_finite() && args.speed > 0.0 && args.speed <= 1.0) {
        bail!(
            "--speed {}: use a fraction above 0 and at most 1",
            args.speed
        );
    }
    if args.scale == 0 || args.scale > MAX_SCALE {
        bail!("--scale {}: use a factor from 1 to {MAX_SCALE}", args.scale);
    }
    Ok(())
}

/// The waypoints of `--path`: comma-separated input vectors, each the network's input size.
fn parse_path(trained: &TrainedRun, path: &str) -> Result<Vec<Vec<f32>>> {
    let inputs = trained.checkpoint.net.input_len();
    path.split(',')
        .enumerate()
        .map(|(i, text)| {
            let text = text.trim();
            let n = i + 1;
            let input = crate::data::parse_stem(text)
                .map_err(|e| anyhow::anyhow!("--path: waypoint {n}: {e}"))?;
            if input.len() != inputs {
                bail!(
                    "--path: waypoint {n} '{}' has {} values, the network has {inputs} inputs",
                    Shown(text),
                    input.len()
                );
            }
            Ok(input)
        })
        .collect()
}

/// The format `out`'s extension asks for; GIF refuses full-colour networks (they have more
/// than 256 colours a frame, which a GIF cannot hold exactly).
fn format_for(out: &Path, color: bool) -> Result<AnimationFormat> {
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
    match AnimationFormat::from_extension(ext) {
        Some(AnimationFormat::Gif) if color => bail!(
            "{}: a colour network's frames have more than 256 colours; write an animated PNG (.png) instead",
            Shown(out)
        ),
        Some(format) => Ok(format),
        None => bail!(
            "{}: write an animation as .gif or .png (animated PNG)",
            Shown(out)
        ),
    }
}

/// `10000000-01000000.gif` for a path (its first and last waypoints), `walk-seed1.gif` for a
/// random walk; `.png` for colour networks.
fn default_name(args: &AnimateArgs, trained: &TrainedRun) -> PathBuf {
    let ext = if trained.config.color { "png" } else { "gif" };
    let stem = match &args.path {
        Some(path) => {
            let stems: Vec<String> = parse_path(trained, path)
                .map(|w| w.iter().map(|x| format_stem(x)).collect())
                .unwrap_or_default();
            match (stems.first(), stems.last()) {
                (Some(a), Some(b)) if stems.len() > 1 => format!("{a}-{b}"),
                (Some(a), _) => a.clone(),
                _ => "path".to_owned(),
            }
        }
        None => format!("walk-seed{}", args.seed),
    };
    PathBuf::from(format!("{stem}.{ext}"))
}
