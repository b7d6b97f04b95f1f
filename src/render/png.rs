//! PNG export: single pictures, contact sheets, and file names that never overwrite.
//!
//! Every file is encoded in memory, written to a hidden temp file in the target's folder and
//! synced, then moved into place in one step: renamed over the target when overwriting was
//! asked for, otherwise hard-linked to the new name, which fails if anything already has it.
//! So a reader never sees a half-written PNG, and an existing file is never replaced by
//! accident. Deciding names from the network's inputs is the caller's job.

use crate::shown::Shown;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::atomic::{TempFile, create_new_file, replace_file};

use anyhow::{Context, Result, bail};
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, imageops};

/// How far `write_png_unique` counts (`stem-2.png` .. `stem-N.png`) before giving up.
const MAX_NUMBER: u32 = 100_000;

/// Writes `img` as a PNG at `path`.
///
/// With `overwrite == false` an existing file (or anything else at `path`) is left alone and
/// the call fails; the underlying `io::Error` (kind `AlreadyExists`) can be recovered with
/// `downcast_ref`. With `overwrite == true` the old file is replaced atomically. Either way no
/// partly written file ever appears at `path`. Errors name `path`; an empty image cannot be
/// encoded and is an error too.
pub fn write_png(path: &Path, img: &RgbImage, overwrite: bool) -> Result<()> {
    let bytes = encode_png(img).with_context(|| format!("{}: cannot write PNG", Shown(path)))?;
    if overwrite {
        replace_file(path, &bytes)
    } else {
        create_new_file(path, &bytes)
    }
}

/// Writes `img` as a new PNG in `dir` under the first free name of `stem.png`, `stem-2.png`,
/// `stem-3.png`, … and returns the path used. Race-safe: a name another process takes in the
/// meantime is skipped, never overwritten. Errors name the folder or the file.
pub fn write_png_unique(dir: &Path, stem: &str, img: &RgbImage) -> Result<PathBuf> {
    let first = numbered_path(dir, stem, "png", 1);
    let bytes = encode_png(img).with_context(|| format!("{}: cannot write PNG", Shown(&first)))?;
    let tmp = TempFile::write_beside(&first, &bytes)
        .with_context(|| format!("{}: cannot write PNG", Shown(dir)))?;
    for n in 1..=MAX_NUMBER {
        let path = numbered_path(dir, stem, "png", n);
        match tmp.link_new(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("{}: cannot write PNG", Shown(path)));
            }
        }
    }
    bail!(
        "{}: {stem}.png to {stem}-{MAX_NUMBER}.png are all taken",
        Shown(dir)
    )
}

/// The first of `dir/stem.ext`, `dir/stem-2.ext`, `dir/stem-3.ext`, … that nothing occupies
/// (not even a dangling symlink). An empty `ext` gives names without a dot.
///
/// Only a hint: another process may take the name before the caller writes it, so write with
/// `create_new` (as `write_png` without `overwrite` does), or use `write_png_unique`.
pub fn free_path(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    let mut n = 1;
    loop {
        let path = numbered_path(dir, stem, ext, n);
        if fs::symlink_metadata(&path).is_err() {
            return path;
        }
        n += 1;
    }
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

/// `tiles` laid out row-major on one image, `columns` to a row, with `gap` pixels of
/// `background` between tiles and around the border. Empty slots in the last row are
/// background.
///
/// Shape: all tiles are `tw` x `th`; `columns` is clamped to 1..=tiles.len(); the sheet is
/// `columns * tw + (columns + 1) * gap` wide and `rows * th + (rows + 1) * gap` high, with
/// `rows = ceil(tiles.len() / columns)`. No tiles gives a 0 x 0 image.
///
/// # Panics
/// If the tiles differ in size (they come from one network, so that is a bug in our code).
pub fn contact_sheet(tiles: &[RgbImage], columns: u32, gap: u32, background: [u8; 3]) -> RgbImage {
    let Some(first) = tiles.first() else {
        return RgbImage::new(0, 0);
    };
    let (tw, th) = first.dimensions();
    assert!(
        tiles.iter().all(|tile| tile.dimensions() == (tw, th)),
        "contact_sheet: every tile must be {tw}x{th}"
    );
    let count = u32::try_from(tiles.len()).expect("contact_sheet: more than u32::MAX tiles");
    let columns = columns.clamp(1, count);
    let rows = count.div_ceil(columns);
    let width = columns * tw + (columns + 1) * gap;
    let height = rows * th + (rows + 1) * gap;
    let mut sheet = RgbImage::from_pixel(width, height, Rgb(background));
    for (i, tile) in (0u32..).zip(tiles) {
        let x = gap + (i % columns) * (tw + gap);
        let y = gap + (i / columns) * (th + gap);
        imageops::replace(&mut sheet, tile, i64::from(x), i64::from(y));
    }
    sheet
}

/// `img` as PNG file bytes.
fn encode_png(img: &RgbImage) -> image::ImageResult<Vec<u8>> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        ExtendedColorType::Rgb8,
    )?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        write_png(&path, &gradient(), false).unwrap();
        let back = image::open(&path).unwrap().to_rgb8();
        assert_eq!(back, gradient());
    }

    #[test]
    fn never_overwrites_an_existing_png() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.png");
        fs::write(&path, b"precious").unwrap();
        let err = write_png(&path, &gradient(), false).unwrap_err();
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
        write_png(&path, &gradient(), true).unwrap();
        assert_eq!(image::open(&path).unwrap().to_rgb8(), gradient());
    }

    #[test]
    fn leaves_no_temp_file_behind_after_success_or_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.png");
        write_png(&path, &gradient(), false).unwrap();
        write_png(&path, &gradient(), false).unwrap_err();
        write_png(&path, &gradient(), true).unwrap();
        assert_eq!(file_names(dir.path()), ["out.png"]);
    }

    #[test]
    fn an_error_for_a_missing_folder_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-folder").join("out.png");
        let err = write_png(&path, &gradient(), false).unwrap_err();
        assert!(
            format!("{err:#}").contains("no-such-folder/out.png"),
            "{err:#}"
        );
    }

    #[test]
    fn an_empty_image_is_an_error_not_an_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.png");
        write_png(&path, &RgbImage::new(0, 0), false).unwrap_err();
        assert!(file_names(dir.path()).is_empty());
    }

    #[test]
    fn free_path_skips_names_that_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(free_path(dir.path(), "a", "png"), dir.path().join("a.png"));
        fs::write(dir.path().join("a.png"), b"").unwrap();
        assert_eq!(
            free_path(dir.path(), "a", "png"),
            dir.path().join("a-2.png")
        );
        fs::write(dir.path().join("a-2.png"), b"").unwrap();
        assert_eq!(
            free_path(dir.path(), "a", "png"),
            dir.path().join("a-3.png")
        );
    }

    #[test]
    fn free_path_without_an_extension_has_no_dot() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("run"), b"").unwrap();
        assert_eq!(free_path(dir.path(), "run", ""), dir.path().join("run-2"));
    }

    #[test]
    fn unique_writes_number_their_files_and_keep_the_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("pic.png"), b"precious").unwrap();
        let second = write_png_unique(dir.path(), "pic", &gradient()).unwrap();
        let third = write_png_unique(dir.path(), "pic", &tile([1, 2, 3])).unwrap();
        assert_eq!(second, dir.path().join("pic-2.png"));
        assert_eq!(third, dir.path().join("pic-3.png"));
        assert_eq!(fs::read(dir.path().join("pic.png")).unwrap(), b"precious");
        assert_eq!(image::open(&second).unwrap().to_rgb8(), gradient());
        assert_eq!(
            file_names(dir.path()),
            ["pic-2.png", "pic-3.png", "pic.png"]
        );
    }

    #[test]
    fn lays_tiles_out_row_major_with_gaps_around_them() {
        // Three 2x1 tiles, two columns, gap 1: a 7x5 sheet.
        //   row 0: gap
        //   row 1: gap A A gap B B gap
        //   row 2: gap
        //   row 3: gap C C gap . . gap   (the empty slot is background)
        //   row 4: gap
        let (a, b, c, bg) = ([255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]);
        let sheet = contact_sheet(&[tile(a), tile(b), tile(c)], 2, 1, bg);
        assert_eq!(sheet.dimensions(), (7, 5));
        let row = |y: u32| -> Vec<[u8; 3]> { (0..7).map(|x| sheet.get_pixel(x, y).0).collect() };
        assert_eq!(row(0), [bg; 7]);
        assert_eq!(row(1), [bg, a, a, bg, b, b, bg]);
        assert_eq!(row(2), [bg; 7]);
        assert_eq!(row(3), [bg, c, c, bg, bg, bg, bg]);
        assert_eq!(row(4), [bg; 7]);
    }

    #[test]
    fn a_sheet_without_gaps_is_the_tiles_side_by_side() {
        let sheet = contact_sheet(&[tile([1, 1, 1]), tile([2, 2, 2])], 5, 0, [0, 0, 0]);
        // Five columns asked for, but there are only two tiles.
        assert_eq!(sheet.dimensions(), (4, 1));
        assert_eq!(sheet.get_pixel(2, 0).0, [2, 2, 2]);
    }

    #[test]
    fn no_tiles_make_an_empty_sheet() {
        assert_eq!(contact_sheet(&[], 3, 4, [0, 0, 0]).dimensions(), (0, 0));
    }

    #[test]
    #[should_panic(expected = "every tile must be 2x1")]
    fn tiles_of_different_sizes_are_a_bug_and_panic() {
        contact_sheet(&[tile([0, 0, 0]), RgbImage::new(3, 3)], 2, 1, [0, 0, 0]);
    }
}
