//! `nnimg show`: print a picture in the terminal with viuer (kitty, iTerm or sixel graphics
//! where the terminal supports them, coloured half-blocks otherwise).

use super::setup::TrainedRun;
use crate::cli::ShowArgs;
use crate::data::decode_image;
use crate::render::halfblock::fit_cells;
use crate::shown::Shown;
use anyhow::{Result, anyhow, bail};
use image::DynamicImage;
use std::io::IsTerminal;
use std::process::ExitCode;

pub fn run(args: ShowArgs) -> Result<ExitCode> {
    let (image, name) = match (&args.file, &args.run, &args.input) {
        (Some(file), _, _) => (decode_image(file)?, Shown(&file).to_string()),
        (None, Some(run), Some(input)) => {
            let trained = TrainedRun::open(run)?;
            let x = trained.parse_input(input)?;
            (
                DynamicImage::ImageRgb8(trained.render(&x, args.colormap).into_image()),
                Shown(&run).to_string(),
            )
        }
        _ => bail!("give a picture file, or --run DIR with --input VECTOR"),
    };
    let (width, height) = match args.width {
        Some(width) => (width, None),
        None => {
            // The whole picture on one screen, with a line left for the prompt after it.
            let (columns, rows) = viuer::terminal_size();
            let max_rows = u32::from(rows.saturating_sub(1));
            let (w, h) = fit_cells(image.width(), image.height(), columns.into(), max_rows);
            (w, Some(h))
        }
    };
    // Graphics protocols are probed with escape sequences that only a terminal answers.
    let graphics = std::io::stdout().is_terminal();
    let config = viuer::Config {
        width: Some(width),
        height,
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
