//! PNG files: pictures carrying their recipe, written whole or not at all, under names that
//! never overwrite.
//!
//! Every file is encoded in memory, written to a hidden temp file in the target's folder and
//! synced, then moved into place in one step: renamed over the target when overwriting was
//! asked for, otherwise hard-linked to the new name, which fails if anything already has it.
//! So a reader never sees a half-written PNG, and an existing file is never replaced by
//! accident. Deciding names from the network's inputs is the caller's job.

use crate::shown::Shown;
use std::io;
use std::path::{Path, PathBuf};

use super::recipe::Recipe;
use crate::atomic::{TempFile, create_new_file, replace_file};

use anyhow::{Context, Result, bail};
use image::RgbImage;

/// How far `write_png_unique` counts (`stem-2.png` .. `stem-N.png`) before giving up.
const MAX_NUMBER: u32 = 100_000;

/// Writes `img` as a PNG at `path`.
///
/// With `overwrite == false` an existing file (or anything else at `path`) is left alone and
/// the call fails; the underlying `io::Error` (kind `AlreadyExists`) can be recovered with
/// `downcast_ref`. With `overwrite == true` the old file is replaced atomically. Either way no
/// partly written file ever appears at `path`. Errors name `path`; an empty image cannot be
/// encoded and is an error too.
pub fn write_png(path: &Path, img: &RgbImage, recipe: &Recipe, overwrite: bool) -> Result<()> {
    let bytes =
        encode_png(img, recipe).with_context(|| format!("{}: cannot write PNG", Shown(path)))?;
    if overwrite {
        replace_file(path, &bytes)
    } else {
        create_new_file(path, &bytes)
    }
}

/// Writes `img` as a new PNG in `dir` under the first free name of `stem.png`, `stem-2.png`,
/// `stem-3.png`, … and returns the path used (see [`write_unique`]).
pub fn write_png_unique(
    dir: &Path,
    stem: &str,
    img: &RgbImage,
    recipe: &Recipe,
) -> Result<PathBuf> {
    let bytes = encode_png(img, recipe)
        .with_context(|| format!("{}: cannot write PNG", Shown(&dir.join(stem))))?;
    write_unique(dir, stem, "png", &bytes)
}

/// Writes `bytes` as a new file in `dir` under the first free name of `stem.ext`,
/// `stem-2.ext`, `stem-3.ext`, … and returns the path used. Race-safe: a name another process
/// takes in the meantime is skipped, never overwritten. Errors name the folder or the file.
pub fn write_unique(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<PathBuf> {
    let first = numbered_path(dir, stem, ext, 1);
    let tmp = TempFile::write_beside(&first, bytes)
        .with_context(|| format!("{}: cannot write", Shown(dir)))?;
    for n in 1..=MAX_NUMBER {
        let path = numbered_path(dir, stem, ext, n);
        match tmp.link_new(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("{}: cannot write", Shown(path)));
            }
        }
    }
    bail!(
        "{}: {stem}.{ext} to {stem}-{MAX_NUMBER}.{ext} are all taken",
        Shown(dir)
    )
}

/// `dir/stem.ext` for n = 1, else `dir/stem-n.ext`.
fn numbered_path(dir: &Path, stem: &str, ext: &str, n: u32) -> PathBuf {
    let stem = if n == 1 {
        stem.to_owned()
    } else {
        format!("{stem}-{n}")
    };
    if ext.is_empty() {
        dir.join(stem)
    } else {
        dir.join(format!("{stem}.{ext}"))
    }
}

/// A PNG encoder for an 8-bit RGB image of `w` x `h` with `recipe` as text chunks, with fixed
/// settings so the same pixels and recipe always give the same bytes.
pub fn png_encoder<W: std::io::Write>(
    out: W,
    w: u32,
    h: u32,
    recipe: &Recipe,
) -> anyhow::Result<png::Encoder<'static, W>> {
    let mut encoder = png::Encoder::new(out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    for (key, text) in recipe.to_pairs() {
        encoder.add_text_chunk(key, text)?;
    }
    Ok(encoder)
}

/// Encodes one picture as a PNG carrying `recipe`; an empty picture is an error.
pub fn encode_png(img: &RgbImage, recipe: &Recipe) -> anyhow::Result<Vec<u8>> {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        bail!("an empty picture cannot be written as PNG");
    }
    let mut bytes = Vec::new();
    {
        let encoder = png_encoder(&mut bytes, w, h, recipe)?;
        let mut writer = encoder.write_header()?;
        writer.write_image_data(img.as_raw())?;
        writer.finish()?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;
    use std::fs;

    fn tile(rgb: [u8; 3]) -> RgbImage {
        RgbImage::from_pixel(2, 1, Rgb(rgb))
    }

    fn file_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn gradient() -> RgbImage {
        RgbImage::from_fn(5, 3, |x, y| Rgb([x as u8 * 50, y as u8 * 100, 7]))
    }

    #[test]
    fn writes_a_png_that_reads_back_pixel_for_pixel() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.png");
        write_png(&path, &gradient(), &Recipe::default(), false).unwrap();
        let back = image::open(&path).unwrap().to_rgb8();
        assert_eq!(back, gradient());
    }

    #[test]
    fn never_overwrites_an_existing_png() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.png");
        fs::write(&path, b"precious").unwrap();
        let err = write_png(&path, &gradient(), &Recipe::default(), false).unwrap_err();
        assert_eq!(fs::read(&path).unwrap(), b"precious");
        let io = err.downcast_ref::<io::Error>().unwrap();
        assert_eq!(io.kind(), io::ErrorKind::AlreadyExists);
        assert!(format!("{err:#}").contains("out.png"), "{err:#}");
    }

    #[test]
    fn overwrites_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.png");
        fs::write(&path, b"old").unwrap();
        write_png(&path, &gradient(), &Recipe::default(), true).unwrap();
        assert_eq!(image::open(&path).unwrap().to_rgb8(), gradient());
    }

    #[test]
    fn leaves_no_temp_file_behind_after_success_or_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.png");
        write_png(&path, &gradient(), &Recipe::default(), false).unwrap();
        write_png(&path, &gradient(), &Recipe::default(), false).unwrap_err();
        write_png(&path, &gradient(), &Recipe::default(), true).unwrap();
        assert_eq!(file_names(dir.path()), ["out.png"]);
    }

    #[test]
    fn an_error_for_a_missing_folder_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-folder").join("out.png");
        let err = write_png(&path, &gradient(), &Recipe::default(), false).unwrap_err();
        assert!(
            format!("{err:#}").contains("no-such-folder/out.png"),
            "{err:#}"
        );
    }

    #[test]
    fn an_empty_image_is_an_error_not_an_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.png");
        write_png(&path, &RgbImage::new(0, 0), &Recipe::default(), false).unwrap_err();
        assert!(file_names(dir.path()).is_empty());
    }

    #[test]
    fn unique_writes_number_their_files_and_keep_the_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("pic.png"), b"precious").unwrap();
        let second = write_png_unique(dir.path(), "pic", &gradient(), &Recipe::default()).unwrap();
        let third =
            write_png_unique(dir.path(), "pic", &tile([1, 2, 3]), &Recipe::default()).unwrap();
        assert_eq!(second, dir.path().join("pic-2.png"));
        assert_eq!(third, dir.path().join("pic-3.png"));
        assert_eq!(fs::read(dir.path().join("pic.png")).unwrap(), b"precious");
        assert_eq!(image::open(&second).unwrap().to_rgb8(), gradient());
        assert_eq!(
            file_names(dir.path()),
            ["pic-2.png", "pic-3.png", "pic.png"]
        );
    }
}
