//! `training_input/`: file stem → input vector, image → target vector.
//!
//! A file's stem is the input vector given to the input nodes: a string of 0/1 digits
//! (`10000000.png`) or `_`-separated decimals (`0.5_0_0_1_0_0_0_0.png`). Each value must be
//! finite and within 0..=1 (a button is at most fully pressed). The image becomes the target:
//! decoded with size limits, alpha composited over black, fitted to the output's shape (see
//! [`fit`]: cropped from the centre by default), and either converted to luma (one value per
//! pixel) or kept as RGB (three values per pixel), all in 0..1, row-major.
//!
//! Every problem with a file is reported as one line naming the file; nothing is trained
//! until the whole folder has loaded.

pub mod fit;

pub use fit::Fit;

use crate::shown::{Shown, is_hidden};
use anyhow::{Context, Result, anyhow, bail};
use fit::{changes_aspect, fit_image};
use image::{DynamicImage, ImageReader, Limits};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// File extensions read as images (compared case-insensitively).
pub const IMAGE_EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "bmp", "gif", "webp"];

/// Largest accepted image side, in pixels; anything larger is refused before decoding.
pub const MAX_IMAGE_SIDE: u32 = 16_384;

/// Largest decoder allocation, in bytes (a guard against decompression bombs).
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// The file in a training folder made by `nnimg init-data` that says which picture each
/// file came from; not an image, and not worth a note.
pub const MAPPING_CSV: &str = "mapping.csv";

/// Most input values a stem may have (a guard against absurd networks).
pub const MAX_INPUTS: usize = 4096;

/// One training example: the stem it came from, its input vector x and target vector t.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub stem: String,
    pub input: Vec<f32>,
    pub target: Vec<f32>,
}

/// The output picture's shape: width × height pixels, 1 (luma) or 3 (RGB) values per pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub width: u32,
    pub height: u32,
    pub channels: usize,
}

impl Shape {
    /// Number of output nodes: width · height · channels.
    pub fn len(&self) -> usize {
        self.width as usize * self.height as usize * self.channels
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The loaded training set plus one-line notes for things that did not stop the load.
#[derive(Debug)]
pub struct TrainingSet {
    /// Samples in file-name order.
    pub samples: Vec<Sample>,
    /// E.g. "skipped README.md: not an image", "images resized from 220×220 to 110×110".
    pub notes: Vec<String>,
}

impl TrainingSet {
    /// The input size shared by every sample.
    pub fn input_len(&self) -> usize {
        self.samples.first().map_or(0, |s| s.input.len())
    }
}

/// Parses a stem into an input vector.
///
/// `"10000000"` → eight values; `"0.5_0_1"` → three values. A stem without `_` that is not
/// all 0/1 digits is read as a single decimal (`"0.5"`). Errors describe the problem without
/// the file name (the caller adds it).
pub fn parse_stem(stem: &str) -> Result<Vec<f32>, String> {
    if stem.is_empty() {
        return Err(
            "empty file name stem: name the file after its input vector, e.g. 10000000.png".into(),
        );
    }
    // A tab or newline would pass the number parsing below (it trims) and then break the
    // metrics.csv header; no control character belongs in an input vector.
    if stem.chars().any(is_hidden) {
        return Err(format!(
            "stem '{}' has a control character in it; an input vector is 0/1 digits (10000000) or _-separated decimals (0.5_0_1)",
            Shown(stem)
        ));
    }
    let values: Vec<f32> = if stem.bytes().all(|b| b == b'0' || b == b'1') {
        stem.bytes().map(|b| f32::from(b - b'0')).collect()
    } else {
        stem.split('_')
            .map(|part| {
                part.trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|_| !part.is_empty())
                    .ok_or_else(|| format!("stem '{}' is not an input vector: '{}' is not a number; use 0/1 digits (10000000) or _-separated decimals (0.5_0_1)", Shown(stem), Shown(part)))
            })
            .collect::<Result<_, _>>()?
    };
    if values.len() > MAX_INPUTS {
        return Err(format!(
            "stem has {} values, at most {MAX_INPUTS} are supported",
            values.len()
        ));
    }
    if let Some(bad) = values
        .iter()
        .find(|v| !v.is_finite() || !(0.0..=1.0).contains(*v))
    {
        return Err(format!(
            "stem '{}' has the value {bad}; every value must be a finite number within 0..=1",
            Shown(stem)
        ));
    }
    Ok(values)
}

/// Formats an input vector as a stem: 0/1 digits when every value is 0 or 1, else
/// `_`-separated decimals with up to three decimal places (`0.5_0_1`).
pub fn format_stem(input: &[f32]) -> String {
    if input.iter().all(|&v| v == 0.0 || v == 1.0) {
        input
            .iter()
            .map(|&v| if v == 1.0 { '1' } else { '0' })
            .collect()
    } else {
        let parts: Vec<String> = input
            .iter()
            .map(|v| {
                let s = format!("{v:.3}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            })
            .collect();
        parts.join("_")
    }
}

/// The stem of button `k` (0-based) of `n` pressed alone: `one_hot_stem(1, 4)` is `0100`.
pub fn one_hot_stem(k: usize, n: usize) -> String {
    (0..n).map(|i| if i == k { '1' } else { '0' }).collect()
}

/// True when the path's extension is one of [`IMAGE_EXTENSIONS`].
pub fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// The image files of `dir` (by extension), sorted by name, and a note for each other file
/// skipped (the [`MAPPING_CSV`] that `nnimg init-data` writes is skipped quietly). Errors:
/// the folder cannot be read, or holds no images.
pub fn list_images(dir: &Path) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let entries = fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read the training folder", Shown(dir)))?;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut notes = Vec::new();
    for entry in entries {
        let entry =
            entry.with_context(|| format!("{}: cannot list the training folder", Shown(dir)))?;
        let path = entry.path();
        if has_image_extension(&path) {
            paths.push(path);
        } else if entry.file_name() != MAPPING_CSV {
            notes.push(format!(
                "skipped {}: not an image ({})",
                Shown(path),
                IMAGE_EXTENSIONS.join(", ")
            ));
        }
    }
    paths.sort();
    notes.sort();
    if paths.is_empty() {
        bail!(
            "{}: no training images found (expected files like 10000000.png)",
            Shown(dir)
        );
    }
    Ok((paths, notes))
}

/// Loads every image of `dir` as a sample with a target of the given shape, pictures of
/// another aspect ratio fitted by `fit`.
///
/// Errors (one line, naming the file): missing or unreadable folder, no images, a stem that
/// is not a vector, inconsistent lengths, the same vector twice, an undecodable or oversized
/// image, a directory or non-UTF-8 name where an image should be.
pub fn load_samples(dir: &Path, shape: Shape, fit: Fit) -> Result<TrainingSet> {
    let (paths, mut notes) = list_images(dir)?;
    // Every name is read before any picture is decoded, so a folder of photos named
    // IMG_0001.jpg … is reported as a whole rather than one file per attempt.
    let mut named: Vec<(&PathBuf, &str, Vec<f32>)> = Vec::with_capacity(paths.len());
    let mut misnamed: Vec<(&PathBuf, String)> = Vec::new();
    for path in &paths {
        let parsed = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| {
                "the file name is not valid UTF-8; rename it after its input vector".to_string()
            })
            .and_then(|stem| parse_stem(stem).map(|input| (stem, input)));
        match parsed {
            Ok((stem, input)) => named.push((path, stem, input)),
            Err(e) => misnamed.push((path, e)),
        }
    }
    match misnamed.as_slice() {
        [] => {}
        [(path, e)] => bail!("{}: {e}", Shown(path)),
        _ => {
            let paths: Vec<&Path> = misnamed.iter().map(|(p, _)| p.as_path()).collect();
            return Err(misnamed_files(dir, &paths, named.len() + paths.len()));
        }
    }

    let mut samples: Vec<Sample> = Vec::with_capacity(paths.len());
    let mut seen: HashMap<Vec<u32>, PathBuf> = HashMap::new();
    let mut resized_from = None;
    let mut fitted_from = None;
    for (path, stem, input) in named {
        if let Some(first) = samples.first()
            && first.input.len() != input.len()
        {
            bail!(
                "{}: stem '{}' has {} values, {} has {}",
                Shown(path),
                Shown(stem),
                input.len(),
                Shown(&first.stem),
                first.input.len()
            );
        }
        let key: Vec<u32> = input.iter().map(|v| v.to_bits()).collect();
        if let Some(other) = seen.insert(key, path.clone()) {
            bail!(
                "{}: the same input vector as {}; keep one of them",
                Shown(path),
                Shown(&other)
            );
        }
        let image = decode_image(path)?;
        let (w, h) = (image.width(), image.height());
        if changes_aspect(w, h, (shape.width, shape.height)) {
            fitted_from.get_or_insert((w, h));
        } else if (w, h) != (shape.width, shape.height) {
            resized_from.get_or_insert((w, h));
        }
        let target = image_to_target(&image, shape, fit);
        samples.push(Sample {
            stem: stem.to_string(),
            input,
            target,
        });
    }
    if let Some((w, h)) = resized_from {
        notes.push(format!(
            "images resized to {}×{} (e.g. one was {w}×{h})",
            shape.width, shape.height
        ));
    }
    if let Some((w, h)) = fitted_from {
        let other = match fit {
            Fit::Crop => "; --fit pad or --fit stretch keep the whole picture",
            Fit::Pad | Fit::Stretch => "",
        };
        notes.push(format!(
            "images of another shape {} to {}×{} (e.g. one was {w}×{h}){other}",
            fit.past_tense(),
            shape.width,
            shape.height
        ));
    }
    Ok(TrainingSet { samples, notes })
}

/// Most misnamed files an error names; the others are counted.
pub const MAX_LISTED: usize = 10;

/// The error for several images not named after an input vector: how many, the first
/// [`MAX_LISTED`] of them, and the two ways out.
fn misnamed_files(dir: &Path, misnamed: &[&Path], images: usize) -> anyhow::Error {
    let names: Vec<String> = misnamed
        .iter()
        .take(MAX_LISTED)
        .map(|p| {
            p.file_name()
                .map_or_else(|| Shown(p).to_string(), |n| Shown(n).to_string())
        })
        .collect();
    let mut list = names.join(", ");
    if misnamed.len() > MAX_LISTED {
        list.push_str(&format!(" and {} more", misnamed.len() - MAX_LISTED));
    }
    anyhow!(
        "{dir}: {} of {images} images are not named after an input vector ({list}); name each \
         after the buttons that should paint it (10000000.png, 0.5_0_1.png), or copy them into \
         a new training folder named that way with `nnimg init-data {dir} NEW_DIR`",
        misnamed.len(),
        dir = Shown(dir),
    )
}

/// Decodes one image with limits against decompression bombs; errors name the file.
pub fn decode_image(path: &Path) -> Result<DynamicImage> {
    let meta = fs::metadata(path).with_context(|| format!("{}: cannot read", Shown(path)))?;
    if meta.is_dir() {
        bail!("{}: is a folder, not an image", Shown(path));
    }
    if !meta.is_file() {
        // A named pipe or device would block or stream for ever once opened.
        bail!("{}: is not a regular file", Shown(path));
    }
    let mut reader = ImageReader::open(path)
        .with_context(|| format!("{}: cannot open", Shown(path)))?
        .with_guessed_format()
        .with_context(|| format!("{}: cannot read", Shown(path)))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| {
        anyhow!(
            "{}: not a readable image: {}",
            Shown(path),
            Shown(e.to_string())
        )
    })?;
    if image.width() == 0 || image.height() == 0 {
        bail!("{}: the image has no pixels", Shown(path));
    }
    Ok(image)
}

/// Turns an image into a target vector of `shape.len()` values in 0..1, row-major:
/// fitted to the shape by `fit` (triangle filter), alpha composited over black, then luma
/// (0.2126 R + 0.7152 G + 0.0722 B) for one channel or R, G, B for three.
pub fn image_to_target(image: &DynamicImage, shape: Shape, fit: Fit) -> Vec<f32> {
    let resized = fit_image(&image.to_rgba32f(), (shape.width, shape.height), fit);
    let mut target = Vec::with_capacity(shape.len());
    for p in resized.pixels() {
        let [r, g, b, a] = p.0.map(|v| v.clamp(0.0, 1.0));
        let (r, g, b) = (r * a, g * a, b * a);
        if shape.channels == 3 {
            target.extend([r, g, b]);
        } else {
            target.push(0.2126 * r + 0.7152 * g + 0.0722 * b);
        }
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    const SHAPE: Shape = Shape {
        width: 4,
        height: 3,
        channels: 1,
    };

    fn write_png(dir: &Path, name: &str, value: u8) {
        RgbImage::from_pixel(4, 3, Rgb([value; 3]))
            .save(dir.join(name))
            .unwrap();
    }

    fn error_of(dir: &Path) -> String {
        format!("{:#}", load_samples(dir, SHAPE, Fit::Crop).unwrap_err())
    }

    #[test]
    fn parses_binary_digit_stems() {
        assert_eq!(
            parse_stem("10010000").unwrap(),
            vec![1., 0., 0., 1., 0., 0., 0., 0.]
        );
    }

    #[test]
    fn parses_underscore_separated_decimals() {
        assert_eq!(parse_stem("0.5_0_1_0.25").unwrap(), vec![0.5, 0., 1., 0.25]);
        assert_eq!(parse_stem("0.5").unwrap(), vec![0.5]);
    }

    #[test]
    fn rejects_a_stem_that_is_not_a_vector() {
        assert!(
            parse_stem("hello")
                .unwrap_err()
                .contains("'hello' is not a number")
        );
        assert!(parse_stem("1__0").is_err());
        assert!(parse_stem("").is_err());
        assert!(parse_stem("1012").is_err());
    }

    #[test]
    fn rejects_a_stem_with_a_control_character_and_shows_it_escaped() {
        // "1\t_0" used to parse (each part is trimmed) and then split the metrics.csv header.
        for (stem, shown) in [
            ("1\t_0", r"1\t_0"),
            ("1_0\r", r"1_0\r"),
            ("\u{1b}]0;x\u{7}", r"\e]0;x\x07"),
        ] {
            let e = parse_stem(stem).unwrap_err();
            assert!(
                e.contains(&format!("'{shown}' has a control character")),
                "{e}"
            );
        }
        let e = parse_stem("0\u{202e}1").unwrap_err();
        assert!(e.contains(r"0\u{202e}1"), "{e}");
    }

    #[test]
    fn rejects_a_stem_with_a_nan_an_infinity_or_an_out_of_range_value() {
        for stem in ["NaN_0", "inf_0", "0_-inf", "1.5_0", "0_-0.1"] {
            assert!(
                parse_stem(stem).unwrap_err().contains("within 0..=1"),
                "{stem}"
            );
        }
    }

    #[test]
    fn formats_stems_back_to_the_shortest_form() {
        assert_eq!(format_stem(&[1., 0., 1.]), "101");
        assert_eq!(format_stem(&[0.5, 0., 1.]), "0.5_0_1");
        assert_eq!(format_stem(&[0.3333, 0.1]), "0.333_0.1");
    }

    #[test]
    fn loads_samples_in_file_name_order_and_skips_other_files_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        write_png(dir.path(), "01.png", 255);
        write_png(dir.path(), "10.png", 0);
        fs::write(dir.path().join("README.md"), "hi").unwrap();
        let set = load_samples(dir.path(), SHAPE, Fit::Crop).unwrap();
        assert_eq!(
            set.samples
                .iter()
                .map(|s| s.stem.as_str())
                .collect::<Vec<_>>(),
            ["01", "10"]
        );
        assert_eq!(set.samples[0].target, vec![1.0; 12]);
        assert_eq!(set.samples[1].input, vec![1.0, 0.0]);
        assert!(set.notes[0].contains("README.md"), "{:?}", set.notes);
    }

    #[test]
    fn composites_alpha_over_black_and_keeps_rgb_for_colour_networks() {
        let image = DynamicImage::ImageRgba8(RgbaImage::from_pixel(1, 1, Rgba([255, 0, 0, 128])));
        let t = image_to_target(
            &image,
            Shape {
                width: 1,
                height: 1,
                channels: 3,
            },
            Fit::Crop,
        );
        assert!((t[0] - 128.0 / 255.0).abs() < 1e-6 && t[1] == 0.0 && t[2] == 0.0);
    }

    #[test]
    fn resizes_other_sizes_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        RgbImage::from_pixel(8, 6, Rgb([255; 3]))
            .save(dir.path().join("1.png"))
            .unwrap();
        let set = load_samples(dir.path(), SHAPE, Fit::Crop).unwrap();
        assert_eq!(set.samples[0].target.len(), 12);
        assert!(set.notes.iter().any(|n| n.contains("resized")));
    }

    #[test]
    fn crops_a_picture_of_another_shape_from_the_centre_with_a_note() {
        // Non-square pictures used to be stretched to the output's shape.
        let dir = tempfile::tempdir().unwrap();
        // 12 × 3: a white 4 × 3 middle between black sides; the output is 4 × 3.
        RgbImage::from_fn(12, 3, |x, _| {
            Rgb([if (4..8).contains(&x) { 255 } else { 0 }; 3])
        })
        .save(dir.path().join("1.png"))
        .unwrap();
        let set = load_samples(dir.path(), SHAPE, Fit::Crop).unwrap();
        assert_eq!(set.samples[0].target, vec![1.0; 12]);
        let note = set
            .notes
            .iter()
            .find(|n| n.contains("another shape"))
            .unwrap();
        assert_eq!(
            note,
            "images of another shape cropped from the centre to 4×3 (e.g. one was 12×3); \
             --fit pad or --fit stretch keep the whole picture"
        );
        let stretched = load_samples(dir.path(), SHAPE, Fit::Stretch).unwrap();
        assert_ne!(stretched.samples[0].target, set.samples[0].target);
    }

    #[test]
    fn rejects_inconsistent_stem_lengths() {
        let dir = tempfile::tempdir().unwrap();
        write_png(dir.path(), "10.png", 0);
        write_png(dir.path(), "100.png", 0);
        assert!(error_of(dir.path()).contains("100.png: stem '100' has 3 values, 10 has 2"));
    }

    #[test]
    fn names_every_misnamed_image_up_to_a_bound_and_counts_them_all() {
        // A folder of photos used to be reported one file at a time.
        let dir = tempfile::tempdir().unwrap();
        write_png(dir.path(), "10.png", 0);
        for k in 0..12 {
            write_png(dir.path(), &format!("IMG_{k:04}.png"), 0);
        }
        let e = error_of(dir.path());
        let listed: Vec<String> = (0..10).map(|k| format!("IMG_{k:04}.png")).collect();
        assert!(
            e.contains(&format!(
                "12 of 13 images are not named after an input vector ({} and 2 more); name each \
                 after the buttons that should paint it (10000000.png, 0.5_0_1.png), or copy them",
                listed.join(", ")
            )),
            "{e}"
        );
        assert!(e.contains("`nnimg init-data "), "{e}");
    }

    #[test]
    fn rejects_the_same_vector_twice() {
        let dir = tempfile::tempdir().unwrap();
        write_png(dir.path(), "10.png", 0);
        write_png(dir.path(), "1_0.png", 0);
        assert!(error_of(dir.path()).contains("the same input vector as"));
    }

    #[test]
    fn rejects_a_fake_image_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("10.png"), "not a png").unwrap();
        let e = error_of(dir.path());
        assert!(e.contains("10.png: not a readable image"), "{e}");
    }

    #[test]
    fn rejects_a_named_pipe_instead_of_hanging_on_it() {
        // A FIFO named like an image used to block the loader for ever in open().
        let dir = tempfile::tempdir().unwrap();
        write_png(dir.path(), "10.png", 0);
        let fifo = dir.path().join("01.png");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("note: mkfifo is not available; skipping");
            return;
        }
        assert!(error_of(dir.path()).contains("01.png: is not a regular file"));
    }

    #[test]
    fn rejects_an_empty_and_a_missing_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(error_of(dir.path()).contains("no training images"));
        assert!(error_of(&dir.path().join("nope")).contains("cannot read the training folder"));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn any_string_parses_or_is_refused_without_panicking(stem in any::<String>()) {
                if let Ok(values) = parse_stem(&stem) {
                    prop_assert!(!values.is_empty() && values.len() <= MAX_INPUTS);
                    prop_assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));
                }
            }

            #[test]
            fn stem_like_strings_parse_or_are_refused_without_panicking(
                stem in "[01._eEinfaNI+-]{0,40}"
            ) {
                let _ = parse_stem(&stem);
            }

            #[test]
            fn formatted_stems_parse_back(
                input in proptest::collection::vec(0u16..=1000, 1..12)
            ) {
                let input: Vec<f32> = input.iter().map(|&v| f32::from(v) / 1000.0).collect();
                let back = parse_stem(&format_stem(&input)).unwrap();
                prop_assert_eq!(back.len(), input.len());
                for (a, b) in back.iter().zip(&input) {
                    prop_assert!((a - b).abs() < 1e-3);
                }
            }
        }
    }
}
