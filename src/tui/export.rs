//! PNG export from the explorer: the picture on screen (full resolution, the colour map on
//! screen, optionally upscaled), the contact sheet of every button combination, and, when
//! runs are compared, every run's picture side by side with its name. Files go into the
//! samples folder under names from the input vector and the epoch, never over an existing
//! file. Runs on a short-lived thread, so the UI stays responsive.

use super::event::Status;
use crate::data::format_stem;
use crate::net::{Network, Workspace};
use crate::render::Picture;
use crate::render::animated::{AnimationFormat, encode_animation};
use crate::render::compare_sheet::{Cell, Section, Sheet, SheetRow, draw_sheet};
use crate::render::motion::frame_delay_ms;
use crate::render::pixels::ColorMap;
use crate::render::png::write_unique;
use crate::render::recipe::Recipe;
use crate::render::sheet::{BUTTON_SHEET_KIND, button_sheet};
use crate::shown::Shown;
use crate::train::output_history::History;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// How both exports draw the network's output: its picture's size and channels, and the
/// colour map on screen.
#[derive(Clone, Debug)]
pub struct PictureSpec {
    pub width: u32,
    pub height: u32,
    pub channels: usize,
    pub map: ColorMap,
}

impl PictureSpec {
    /// How `run`'s pictures are drawn with colour map `map`.
    pub fn of(run: &crate::tui::app::RunInfo, map: ColorMap) -> Self {
        PictureSpec {
            width: run.width,
            height: run.height,
            channels: run.channels,
            map,
        }
    }

    /// The picture of output values `y`.
    ///
    /// # Panics
    /// If `y` does not fit the picture (callers check the network's output length).
    pub fn picture(&self, y: &[f32]) -> Picture {
        Picture::from_output(y, self.width, self.height, self.channels, self.map)
            .expect("the output length fits the picture")
    }

    /// A drawer of `net`'s pictures; an error when its outputs do not make this picture.
    fn drawer(&self, net: &Network) -> Result<impl FnMut(&[f32]) -> Picture> {
        let values = self.width as usize * self.height as usize * self.channels;
        if net.output_len() != values {
            bail!(
                "the network has {} outputs, not the {values} of a {}x{} picture",
                net.output_len(),
                self.width,
                self.height
            );
        }
        let (spec, mut ws) = (self.clone(), Workspace::new(net));
        Ok(move |input: &[f32]| {
            let y = net.forward(input, &mut ws);
            Picture::from_output(y, spec.width, spec.height, spec.channels, spec.map)
                .expect("the output length was checked against the picture")
        })
    }
}

/// The file stem of an exported picture: `<input stem>-e<epoch>`, e.g. `10100000-e2400`.
pub fn file_stem(input: &[f32], epoch: usize) -> String {
    format!("{}-e{epoch}", format_stem(input))
}

/// Writes the output for `input` into `dir` (created if missing), upscaled `scale` times,
/// carrying `recipe` with the input and scale added.
pub fn export_png(
    net: &Network,
    input: &[f32],
    spec: &PictureSpec,
    scale: u32,
    dir: &Path,
    recipe: &Recipe,
) -> Result<PathBuf> {
    let picture = spec.drawer(net)?(input).upscaled(scale.max(1));
    let recipe = Recipe {
        input: Some(input.to_vec()),
        scale: Some(scale.max(1)),
        ..recipe.clone()
    };
    create_dir(dir)?;
    let epoch = recipe.epoch.unwrap_or(0);
    picture.write_png_unique(dir, &file_stem(input, epoch), &recipe)
}

/// Writes the contact sheet of all 2^n button combinations into `dir` as `grid-e<epoch>.png`,
/// in the same order and layout as `nnimg grid`.
pub fn export_sheet(
    net: &Network,
    spec: &PictureSpec,
    dir: &Path,
    recipe: &Recipe,
) -> Result<PathBuf> {
    let sheet = button_sheet(net.input_len(), spec.drawer(net)?)?;
    let recipe = Recipe {
        kind: Some(BUTTON_SHEET_KIND.to_owned()),
        ..recipe.clone()
    };
    create_dir(dir)?;
    let epoch = recipe.epoch.unwrap_or(0);
    sheet.write_png_unique(dir, &format!("grid-e{epoch}"), &recipe)
}

/// One run of a side-by-side export: its column header and its weights (none when they
/// cannot be read; the cell is then marked missing).
#[derive(Clone, Debug)]
pub struct ComparedPicture {
    pub header: Vec<String>,
    pub net: Option<std::sync::Arc<Network>>,
    pub spec: PictureSpec,
}

/// Writes every run's output for `input` side by side, each under its name, after the
/// training `target` when the input is a training input, into `dir` as
/// `compare-<input stem>.png`, carrying `recipe` with the input and scale added. Pictures
/// of different sizes share the largest size.
pub fn export_comparison(
    runs: &[ComparedPicture],
    input: &[f32],
    target: Option<Picture>,
    scale: u32,
    dir: &Path,
    recipe: &Recipe,
) -> Result<PathBuf> {
    let mut headers = Vec::new();
    let mut pictures = Vec::new();
    if let Some(t) = target {
        headers.push(vec!["target".to_string()]);
        pictures.push(Cell::Picture(t));
    }
    for run in runs {
        headers.push(run.header.clone());
        let picture = match &run.net {
            Some(net) => Cell::Picture(run.spec.drawer(net)?(input)),
            None => Cell::Missing,
        };
        pictures.push(picture);
    }
    let largest = pictures.iter().fold((1, 1), |(w, h), cell| match cell {
        Cell::Picture(p) => (w.max(p.size().0), h.max(p.size().1)),
        _ => (w, h),
    });
    let scale = scale.max(1);
    let sheet = Sheet {
        headers,
        sections: vec![Section {
            title: String::new(),
            rows: vec![SheetRow {
                label: format_stem(input),
                pictures,
                captions: Vec::new(),
            }],
        }],
        tile: (largest.0 * scale, largest.1 * scale),
    };
    create_dir(dir)?;
    let recipe = Recipe {
        input: Some(input.to_vec()),
        scale: Some(scale),
        ..recipe.clone()
    };
    let stem = format!("compare-{}", format_stem(input));
    draw_sheet(&sheet).write_png_unique(dir, &stem, &recipe)
}

/// Writes the pictures `net` paints for `inputs` as an animation of `fps` frames a second
/// into `dir` as `<stem>.gif` (greyscale and colour-mapped pictures) or `<stem>.png`
/// (animated PNG, for colour networks), never over an existing file.
pub fn export_animation(
    net: &Network,
    inputs: &[Vec<f32>],
    spec: &PictureSpec,
    fps: u32,
    dir: &Path,
    stem: &str,
    recipe: &Recipe,
) -> Result<PathBuf> {
    let mut draw = spec.drawer(net)?;
    let frames: Vec<_> = inputs.iter().map(|x| draw(x).into_image()).collect();
    write_animation(&frames, spec, fps, dir, stem, recipe)
}

/// Writes the history of training sample `sample` (from the run's `history.bin`), followed by
/// the live picture of `net` for `input`, as a timelapse animation into `dir` as
/// `<stem>.gif` (or `.png` for colour networks).
#[allow(clippy::too_many_arguments)] // one export's whole description; a struct would only rename them
pub fn export_timelapse(
    history: &Path,
    sample: usize,
    net: &Network,
    input: &[f32],
    spec: &PictureSpec,
    fps: u32,
    dir: &Path,
    recipe: &Recipe,
) -> Result<PathBuf> {
    let mut frames = Vec::new();
    let mut epochs = Vec::new();
    if let Some(h) = History::open(history)? {
        if !h
            .layout()
            .holds((spec.width, spec.height, spec.channels), sample)
        {
            bail!("{}: holds pictures of another shape", Shown(history));
        }
        for (index, epoch) in h.epochs().enumerate() {
            let values = bytes_to_values(&h.picture(index, sample)?);
            frames.push(spec.picture(&values).into_image());
            epochs.push(epoch);
        }
    }
    let live = recipe.epoch.unwrap_or(0);
    if epochs.last().is_none_or(|&e| e < live) {
        frames.push(spec.drawer(net)?(input).into_image());
        epochs.push(live);
    }
    let recipe = Recipe {
        input: Some(input.to_vec()),
        kind: Some(format!(
            "timelapse of epochs {}",
            epochs
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        )),
        ..recipe.clone()
    };
    let stem = format!("{}-timelapse-e{live}", format_stem(input));
    write_animation(&frames, spec, fps, dir, &stem, &recipe)
}

/// History bytes (0..255) as output values (0..1).
pub fn bytes_to_values(bytes: &[u8]) -> Vec<f32> {
    bytes.iter().map(|&b| f32::from(b) / 255.0).collect()
}

fn write_animation(
    frames: &[image::RgbImage],
    spec: &PictureSpec,
    fps: u32,
    dir: &Path,
    stem: &str,
    recipe: &Recipe,
) -> Result<PathBuf> {
    let format = if spec.channels == 3 {
        AnimationFormat::Apng
    } else {
        AnimationFormat::Gif
    };
    let bytes = encode_animation(format, frames, frame_delay_ms(fps as f32), recipe)?;
    create_dir(dir)?;
    write_unique(dir, stem, format.extension(), &bytes)
}

/// The status line after an export: the path written, or what went wrong.
pub fn status_of(result: Result<PathBuf>) -> Status {
    match result {
        Ok(path) => Status::info(format!("saved {}", Shown(&path))),
        Err(e) => Status::error(format!("{e:#}")),
    }
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the samples folder", Shown(dir)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;

    fn picture() -> PictureSpec {
        PictureSpec {
            width: 2,
            height: 2,
            channels: 1,
            map: ColorMap::Grey,
        }
    }

    #[test]
    fn names_come_from_the_input_and_the_epoch() {
        assert_eq!(file_stem(&[1.0, 0.0, 1.0], 2400), "101-e2400");
        assert_eq!(file_stem(&[0.5, 0.0], 7), "0.5_0-e7");
    }

    #[test]
    fn a_comparison_export_puts_every_run_beside_the_target_under_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let wide = PictureSpec {
            width: 4,
            height: 2,
            ..picture()
        };
        let runs = [
            ComparedPicture {
                header: vec!["deep".into()],
                net: Some(std::sync::Arc::new(init_network(&[2, 3, 4], 1))),
                spec: picture(),
            },
            ComparedPicture {
                header: vec!["wide".into()],
                net: Some(std::sync::Arc::new(init_network(&[2, 8], 2))),
                spec: wide,
            },
            ComparedPicture {
                header: vec!["gone".into()],
                net: None,
                spec: picture(),
            },
        ];
        let target = Picture::from_output(&[1.0; 4], 2, 2, 1, ColorMap::Grey);
        let recipe = Recipe::default();
        let path = export_comparison(&runs, &[1.0, 0.0], target, 1, dir.path(), &recipe).unwrap();
        assert_eq!(path.file_name().unwrap(), "compare-10.png");
        // Four columns (target and three runs) of tiles at least as wide as the widest
        // picture, each column at least as wide as its name.
        let sheet = image::open(&path).unwrap();
        assert!(sheet.width() >= 4 * 4, "{}", sheet.width());
        // The same again is kept beside it, never over it.
        let again = export_comparison(&runs, &[1.0, 0.0], None, 1, dir.path(), &recipe).unwrap();
        assert_eq!(again.file_name().unwrap(), "compare-10-2.png");
    }

    #[test]
    fn exports_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let samples = dir.path().join("samples");
        let net = init_network(&[2, 3, 4], 1);
        let recipe = Recipe {
            epoch: Some(5),
            ..Recipe::default()
        };
        let a = export_png(&net, &[1.0, 0.0], &picture(), 3, &samples, &recipe).unwrap();
        let b = export_png(&net, &[1.0, 0.0], &picture(), 3, &samples, &recipe).unwrap();
        assert_eq!(a.file_name().unwrap(), "10-e5.png");
        assert_eq!(b.file_name().unwrap(), "10-e5-2.png");
        let img = image::open(&a).unwrap();
        assert_eq!((img.width(), img.height()), (6, 6));
        let back = crate::render::recipe::read_png_recipe(&a).unwrap();
        assert_eq!(back.input, Some(vec![1.0, 0.0]));
        assert_eq!((back.epoch, back.scale), (Some(5), Some(3)));
        let sheet = export_sheet(&net, &picture(), &samples, &recipe).unwrap();
        let img = image::open(&sheet).unwrap();
        // 4 tiles of 2x2 in 2 columns and rows with 2-pixel gaps: 2*2 + 3*2 = 10.
        assert_eq!((img.width(), img.height()), (10, 10));
    }
}
