//! `nnimg show`: print a picture in the terminal with viuer (kitty, iTerm or sixel graphics
//! where the terminal supports them, coloured half-blocks otherwise).

use super::setup::TrainedRun;
use crate::cli::ShowArgs;
use crate::data::decode_image;
use anyhow::{Result, anyhow, bail};
use image::DynamicImage;
use std::io::IsTerminal;
use std::process::ExitCode;

pub fn run(args: ShowArgs) -> Result<ExitCode> {
    let (image, name) = match (&args.file, &args.run, &args.input) {
        (Some(file), _, _) => (decode_image(file)?, file.display().to_string()),
        (None, Some(run), Some(input)) => {
            let trained = TrainedRun::open(run)?;
            let x = trained.parse_input(input)?;
            (
                DynamicImage::ImageRgb8(trained.render(&x, args.colormap).into_image()),
                run.display().to_string(),
            )
        }
        _ => bail!("give a picture file, or --run DIR with --input VECTOR"),
    };
    let (columns, _) = viuer::terminal_size();
    let width = args
        .width
        .unwrap_or_else(|| u32::from(columns).min(image.width()).max(1));
    // Graphics protocols are probed with escape sequences that only a terminal answers.
    let graphics = std::io::stdout().is_terminal();
    let config = viuer::Config {
        width: Some(width),
        absolute_offset: false,
        use_kitty: graphics,
        use_iterm: graphics,
        ..Default::default()
    };
    viuer::print(&image, &config).map_err(|e| match e {
        // Kept as an io::Error, so that `main` ends quietly on a closed pipe.
        viuer::ViuError::Io(io) => {
            anyhow::Error::new(io).context(format!("{name}: cannot print the picture"))
        }
        e => anyhow!("{name}: cannot print the picture: {e}"),
    })?;
    Ok(ExitCode::SUCCESS)
}
