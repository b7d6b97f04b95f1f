//! `nnimg init-data SRC DIR`: a training folder from any pictures. Each picture of SRC, in
//! file-name order, becomes one button pressed alone (`100.png`, `010.png`, `001.png` for
//! three), fitted to the output size; `DIR/mapping.csv` and the printed table say which
//! picture became which button.
//!
//! Every picture is decoded before anything is written, so a bad one stops the command with
//! DIR untouched; DIR must be new (or empty) and nothing in it is ever overwritten.

use super::setup::DEFAULT_SIDE;
use crate::atomic::create_new_file;
use crate::cli::InitDataArgs;
use crate::data::fit::{Fit, changes_aspect, fit_to_rgb};
use crate::data::{MAPPING_CSV, MAX_INPUTS, decode_image, list_images, one_hot_stem};
use crate::render::png::write_png;
use crate::render::recipe::Recipe;
use crate::shown::Shown;
use anyhow::{Context, Result, bail};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: InitDataArgs) -> Result<ExitCode> {
    let (width, height) = args.size.unwrap_or((DEFAULT_SIDE, DEFAULT_SIDE));
    let (paths, notes) = list_images(&args.src)?;
    for note in &notes {
        errln!("nnimg: note: {note}");
    }
    if paths.len() > MAX_INPUTS {
        bail!(
            "{}: has {} pictures; a training folder takes at most {MAX_INPUTS} (one button each)",
            Shown(&args.src),
            paths.len()
        );
    }
    let mut pictures = Vec::with_capacity(paths.len());
    let mut fitted_from = None;
    for path in &paths {
        let image = decode_image(path)?;
        if changes_aspect(image.width(), image.height(), (width, height)) {
            fitted_from.get_or_insert((image.width(), image.height()));
        }
        pictures.push(fit_to_rgb(&image, (width, height), args.fit));
    }
    if let Some((w, h)) = fitted_from {
        errln!(
            "nnimg: note: pictures of another shape {} to {width}×{height} (e.g. one was {w}×{h})",
            args.fit.past_tense()
        );
    }

    let created = create_empty_folder(&args.dir)?;
    let mut written = Vec::new();
    let result = write_folder(&args.dir, &paths, &pictures, args.fit, &mut written);
    if result.is_err() {
        // Only what this command wrote goes: the folder was new or empty.
        for path in &written {
            let _ = fs::remove_file(path);
        }
        if created {
            let _ = fs::remove_dir(&args.dir);
        }
    }
    let rows = result?;

    let w = rows.first().map_or(4, |(file, _)| file.len());
    outln!("button  {:<w$}  picture", "file");
    for (k, (file, source)) in rows.iter().enumerate() {
        outln!("{:>6}  {file:<w$}  {source}", k + 1);
    }
    let dir = Shown(&args.dir);
    errln!(
        "nnimg: {dir}: {} pictures, one button each in file-name order (the table above, also in {dir}/{MAPPING_CSV}); \
         train with `nnimg train --data {dir}{}`",
        rows.len(),
        size_flag(width, height)
    );
    Ok(ExitCode::SUCCESS)
}

/// ` --size WxH` when the pictures are not the default size, so the suggested command
/// trains at the size they were made for.
fn size_flag(width: u32, height: u32) -> String {
    match (width, height) {
        (DEFAULT_SIDE, DEFAULT_SIDE) => String::new(),
        (w, h) if w == h => format!(" --size {w}"),
        (w, h) => format!(" --size {w}x{h}"),
    }
}

/// Creates `dir` (and its parents); an existing empty folder is fine, anything else is
/// refused. Returns true when this call created it.
fn create_empty_folder(dir: &Path) -> Result<bool> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create the folder", Shown(&parent)))?;
    }
    match fs::create_dir(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let is_empty = fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none());
            if !is_empty {
                bail!(
                    "{}: already exists and is not empty; choose a new folder (nothing is overwritten)",
                    Shown(&dir)
                );
            }
            Ok(false)
        }
        Err(e) => Err(e).with_context(|| format!("{}: cannot create the folder", Shown(&dir))),
    }
}

/// Writes picture k as the one-hot stem k, then the mapping; records each file written in
/// `written`. Returns (file name, source name) per button. Each picture's recipe names the
/// input it stands for and where it came from.
fn write_folder(
    dir: &Path,
    sources: &[PathBuf],
    pictures: &[image::RgbImage],
    fit: Fit,
    written: &mut Vec<PathBuf>,
) -> Result<Vec<(String, String)>> {
    let n = pictures.len();
    let mut rows = Vec::with_capacity(n);
    for (k, (source, picture)) in sources.iter().zip(pictures).enumerate() {
        let stem = one_hot_stem(k, n);
        let file = format!("{stem}.png");
        let path = dir.join(&file);
        let source = source.file_name().map_or_else(
            || Shown(&source).to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        let recipe = Recipe {
            input: Some((0..n).map(|i| f32::from(u8::from(i == k))).collect()),
            kind: Some(format!(
                "training picture made by init-data from {source}, {}",
                fit.past_tense()
            )),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
            ..Recipe::default()
        };
        write_png(&path, picture, &recipe, false)?;
        written.push(path);
        rows.push((file, source));
    }
    let mut csv = String::from("button,file,picture\n");
    for (k, (file, source)) in rows.iter().enumerate() {
        csv.push_str(&format!("{},{file},{}\n", k + 1, csv_field(source)));
    }
    let mapping = dir.join(MAPPING_CSV);
    create_new_file(&mapping, csv.as_bytes())?;
    written.push(mapping);
    Ok(rows)
}

/// A CSV field: quoted (with quotes doubled) when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("IMG_1.jpg"), "IMG_1.jpg");
        assert_eq!(csv_field("a, \"b\".png"), "\"a, \"\"b\"\".png\"");
    }

    #[test]
    fn the_suggested_size_flag_matches_the_pictures() {
        assert_eq!(size_flag(110, 110), "");
        assert_eq!(size_flag(64, 64), " --size 64");
        assert_eq!(size_flag(160, 90), " --size 160x90");
    }
}
