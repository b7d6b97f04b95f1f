//! PNG export from the explorer: the picture on screen (full resolution, the colour map on
//! screen, optionally upscaled) and the contact sheet of every button combination. Files go
//! into the samples folder under names from the input vector and the epoch, never over an
//! existing file. Runs on a short-lived thread, so the UI stays responsive.

use crate::cmd::grid::{MAX_BUTTONS, columns, combination};
use crate::data::format_stem;
use crate::net::Network;
use crate::net::sgd::Workspace;
use crate::render::pixels::{ColorMap, output_to_image, upscale_nearest};
use crate::render::png::{contact_sheet, write_png_unique};
use crate::shown::Shown;
use anyhow::{Context, Result, bail};
use image::RgbImage;
use std::path::{Path, PathBuf};

/// Picture geometry and colouring shared by both exports.
#[derive(Clone, Debug)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub channels: usize,
    pub map: ColorMap,
}

impl Picture {
    fn render(&self, net: &Network, ws: &mut Workspace, input: &[f32]) -> RgbImage {
        let y = net.forward(input, ws);
        output_to_image(y, self.width, self.height, self.channels, self.map)
    }
}

/// The file stem of an exported picture: `<input stem>-e<epoch>`, e.g. `10100000-e2400`.
pub fn file_stem(input: &[f32], epoch: usize) -> String {
    format!("{}-e{epoch}", format_stem(input))
}

/// Writes the output for `input` into `dir` (created if missing), upscaled `scale` times.
pub fn export_png(
    net: &Network,
    input: &[f32],
    picture: &Picture,
    scale: u32,
    dir: &Path,
    epoch: usize,
) -> Result<PathBuf> {
    let mut ws = Workspace::new(net);
    let mut img = picture.render(net, &mut ws, input);
    if scale > 1 {
        img = upscale_nearest(&img, scale);
    }
    create_dir(dir)?;
    write_png_unique(dir, &file_stem(input, epoch), &img)
}

/// Writes the contact sheet of all 2^n button combinations into `dir` as `grid-e<epoch>.png`,
/// in the same order and layout as `nnimg grid`.
pub fn export_sheet(net: &Network, picture: &Picture, dir: &Path, epoch: usize) -> Result<PathBuf> {
    let n = net.input_len();
    if n > MAX_BUTTONS {
        bail!(
            "the network has {n} inputs; a grid covers at most {MAX_BUTTONS} buttons (2^{MAX_BUTTONS} pictures)"
        );
    }
    let mut ws = Workspace::new(net);
    let tiles: Vec<RgbImage> = (0..1usize << n)
        .map(|k| picture.render(net, &mut ws, &combination(k, n)))
        .collect();
    let sheet = contact_sheet(&tiles, columns(n), 2, [40, 40, 40]);
    create_dir(dir)?;
    write_png_unique(dir, &format!("grid-e{epoch}"), &sheet)
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the samples folder", Shown(dir)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;

    fn picture() -> Picture {
        Picture {
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
        let a = export_png(&net, &[1.0, 0.0], &picture(), 3, &samples, 5).unwrap();
        let b = export_png(&net, &[1.0, 0.0], &picture(), 3, &samples, 5).unwrap();
        assert_eq!(a.file_name().unwrap(), "10-e5.png");
        assert_eq!(b.file_name().unwrap(), "10-e5-2.png");
        let img = image::open(&a).unwrap();
        assert_eq!((img.width(), img.height()), (6, 6));
        let sheet = export_sheet(&net, &picture(), &samples, 5).unwrap();
        let img = image::open(&sheet).unwrap();
        // 4 tiles of 2x2 in 2 columns and rows with 2-pixel gaps: 2*2 + 3*2 = 10.
        assert_eq!((img.width(), img.height()), (10, 10));
    }
}
