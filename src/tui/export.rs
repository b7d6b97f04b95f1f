//! PNG export from the explorer: the picture on screen (full resolution, the colour map on
//! screen, optionally upscaled) and the contact sheet of every button combination. Files go
//! into the samples folder under names from the input vector and the epoch, never over an
//! existing file. Runs on a short-lived thread, so the UI stays responsive.

use super::event::Status;
use crate::data::format_stem;
use crate::net::{Network, Workspace};
use crate::render::Picture;
use crate::render::pixels::ColorMap;
use crate::render::recipe::Recipe;
use crate::render::sheet::{BUTTON_SHEET_KIND, button_sheet};
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

/// The status line after an export: the path written, or what went wrong.
pub fn status_of(result: Result<PathBuf>) -> Status {
    match result {
        Ok(path) => Status::info(format!("saved {}", path.display())),
        Err(e) => Status::error(format!("{e:#}")),
    }
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the samples folder", dir.display()))
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
