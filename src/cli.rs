//! Command-line types only: [`Cli`], [`Command`] and one `Args` struct per subcommand.

use crate::data::Fit;
use crate::net::kernel::Kernel;
use crate::render::cells::Background;
use crate::render::color::ColorMode;
use crate::render::pixels::ColorMap;
use crate::shown::Shown;
use crate::train::Order;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "nnimg",
    version,
    about = "A small neural network learns to paint pictures from eight buttons."
)]
#[command(
    long_about = "A small neural network learns to paint pictures from eight buttons.\n\n\
Without a subcommand, opens the explorer on training_input/ with the default preset and starts training."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal explorer: train, press buttons, watch the picture, export PNGs.
    Explore(ExploreArgs),
    /// Train headless (for servers and scripts); resumes when --run names an existing run.
    Train(TrainArgs),
    /// Write the network's output for one input vector as a PNG.
    Render(RenderArgs),
    /// Write a contact sheet of the outputs for every combination of pressed buttons.
    Grid(GridArgs),
    /// Print a picture (a PNG, or a run's output for an input) in the terminal.
    Show(ShowArgs),
    /// Compare runs image by image: a PNG sheet and a table of each image's error and rank.
    Compare(CompareArgs),
    /// Train v0.1.6, v0.1.6.1 and two-layer from one seed, then compare them.
    Experiment(ExperimentArgs),
    /// Measure training speed for each preset beside the floors of this machine, or on a busy one.
    Bench(BenchArgs),
    /// Write an animation: a morph along a path of inputs, or a random walk (GIF or APNG).
    Animate(AnimateArgs),
    /// Make a training folder from any pictures: one button each, in file-name order.
    InitData(InitDataArgs),
}

/// Settings for a new training run; explicit flags override the preset.
#[derive(Debug, Clone, Args, Default)]
pub struct RunSettings {
    /// Folder of training images named by their input vector (10000000.png, 0.5_0_1.png).
    #[arg(long, value_name = "DIR", default_value = "training_input")]
    pub data: PathBuf,
    /// Preset: v0.1.6.1 (default, adaptive rate), v0.1.6 (constant rate), two-layer.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Total epochs to train (for an existing run: the new total).
    #[arg(long, value_name = "N")]
    pub epochs: Option<usize>,
    /// Initial learning rate [preset: 0.1].
    #[arg(long, value_name = "F")]
    pub lr: Option<f32>,
    /// Keep the learning rate constant (no halving).
    #[arg(long)]
    pub constant_lr: bool,
    /// Epochs per window of the adaptive rate rule [default: 100].
    #[arg(long, value_name = "N")]
    pub window: Option<usize>,
    /// Layer sizes, input first, e.g. 8,110,110,12100.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub layers: Option<Vec<usize>>,
    /// Seed of the weight initialisation and the shuffles [default: 1].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Sample order within an epoch [default: shuffle].
    #[arg(long, value_enum, value_name = "ORDER")]
    pub order: Option<OrderArg>,
    /// Start from the weights in this safetensors file (tensors w1 … wN).
    #[arg(long, value_name = "FILE")]
    pub init: Option<PathBuf>,
    /// Draw every initial weight uniform in [-R, R] [default: ±1/√fan_in per layer].
    #[arg(
        long,
        value_name = "R",
        conflicts_with = "init",
        allow_negative_numbers = true
    )]
    pub init_range: Option<f32>,
    /// Learn colour (three output nodes per pixel) instead of greyscale.
    #[arg(long)]
    pub color: bool,
    /// Training pictures of another shape: crop from the centre, pad with black, or stretch
    /// [default: crop].
    #[arg(long, value_enum, value_name = "FIT")]
    pub fit: Option<Fit>,
    /// Output image size: 110 or WxH [default: 110].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
    /// Save a checkpoint every N epochs [default: 100].
    #[arg(long, value_name = "N")]
    pub checkpoint_every: Option<usize>,
    /// Log one epoch in N to metrics.csv after the first 10000, which are all logged; each
    /// row keeps the lowest and highest error since the one before [default: 100].
    #[arg(long, value_name = "N")]
    pub log_every: Option<usize>,
    /// Training threads [default: chosen per network size].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Kernel: avx512, avx2 or portable [default: the widest this CPU runs].
    #[arg(long, value_name = "NAME", env = "NNIMG_KERNEL", value_parser = parse_kernel)]
    pub kernel: Option<Kernel>,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Run folder: new (created, never overwritten) or existing (resumed) [default:
    /// runs/PRESET-N, or runs/LAYERS-N such as runs/8-12100-1 when --layers changes the shape].
    #[arg(long, value_name = "DIR")]
    pub run: Option<PathBuf>,
    #[command(flatten)]
    pub settings: RunSettings,
}

#[derive(Debug, Args, Default)]
pub struct ExploreArgs {
    /// Open this run: continue or explore it (with --watch: follow another process training it).
    #[arg(long, value_name = "DIR")]
    pub run: Option<PathBuf>,
    /// Follow a run that another process is training, read-only.
    #[arg(long, requires = "run")]
    pub watch: bool,
    /// Show this run beside the explorer's own, read-only (up to three times).
    #[arg(long, value_name = "DIR")]
    pub compare: Vec<PathBuf>,
    /// Folder for exported PNGs.
    #[arg(long, value_name = "DIR", default_value = "samples")]
    pub samples: PathBuf,
    /// Most redraws a second while training [default: 10, or 4 when SSH_CONNECTION is set];
    /// the picture refreshes at most 4 times a second (2 over ssh).
    #[arg(long, value_name = "N")]
    pub fps: Option<u32>,
    /// Colours of the picture: auto (from COLORTERM, TERM, TERM_PROGRAM), truecolor, 256, 16,
    /// or mono (plain characters, no colour at all).
    #[arg(long, value_enum, value_name = "MODE", default_value_t = ColorModeArg::Auto)]
    pub color_mode: ColorModeArg,
    /// Colours for a light or dark terminal background; auto asks the terminal.
    #[arg(long, value_enum, value_name = "THEME", default_value_t = ThemeArg::Auto)]
    pub theme: ThemeArg,
    /// Let the mouse press buttons and pick training images (`m` toggles it; it takes text
    /// selection away while on).
    #[arg(long)]
    pub mouse: bool,
    /// Upscale exported PNGs by this factor.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub export_scale: u32,
    /// Start with the buttons of a picture nnimg wrote (from the recipe inside it).
    #[arg(long, value_name = "FILE.png")]
    pub inputs_from: Option<PathBuf>,
    #[command(flatten)]
    pub settings: RunSettings,
}

/// `--order`, mapped into [`Order`] (the library knows nothing of the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    /// A new seeded permutation every epoch (the experiment's choice).
    Shuffle,
    /// File-name order every epoch.
    Fixed,
}

impl From<OrderArg> for Order {
    fn from(order: OrderArg) -> Order {
        match order {
            OrderArg::Shuffle => Order::Shuffle,
            OrderArg::Fixed => Order::Fixed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorModeArg {
    #[default]
    Auto,
    Truecolor,
    #[value(name = "256")]
    Ansi256,
    #[value(name = "16")]
    Ansi16,
    Mono,
}

impl From<ColorModeArg> for Option<ColorMode> {
    /// `None` for auto: the terminal decides.
    fn from(mode: ColorModeArg) -> Option<ColorMode> {
        match mode {
            ColorModeArg::Auto => None,
            ColorModeArg::Truecolor => Some(ColorMode::TrueColor),
            ColorModeArg::Ansi256 => Some(ColorMode::Ansi256),
            ColorModeArg::Ansi16 => Some(ColorMode::Ansi16),
            ColorModeArg::Mono => Some(ColorMode::Mono),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ThemeArg {
    #[default]
    Auto,
    Light,
    Dark,
}

impl From<ThemeArg> for Option<Background> {
    /// `None` for auto: the terminal is asked.
    fn from(theme: ThemeArg) -> Option<Background> {
        match theme {
            ThemeArg::Auto => None,
            ThemeArg::Light => Some(Background::Light),
            ThemeArg::Dark => Some(Background::Dark),
        }
    }
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The run whose checkpoint to use [with --from: the run the picture names].
    #[arg(long, value_name = "DIR", required_unless_present = "from")]
    pub run: Option<PathBuf>,
    /// Input vector: 0/1 digits (10100000) or _-separated decimals (0.5_0_1_0_0_0_0_0).
    #[arg(
        long,
        value_name = "VECTOR",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    pub input: Option<String>,
    /// Paint again the picture of a PNG that nnimg wrote, from the recipe inside it.
    #[arg(long, value_name = "FILE.png")]
    pub from: Option<PathBuf>,
    /// Output PNG [default: <input>.png in the current folder].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Upscale by this factor (pixel replication) [default: 1, or the --from picture's].
    #[arg(long, value_name = "K")]
    pub scale: Option<u32>,
    /// Colour map for greyscale networks: grey, viridis, magma, inferno, cividis [default:
    /// grey, or the --from picture's].
    #[arg(long, value_name = "MAP", value_parser = parse_colormap)]
    pub colormap: Option<ColorMap>,
    /// Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct GridArgs {
    /// The run whose checkpoint to use.
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Output PNG [default: grid.png in the current folder].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Colour map for greyscale networks: grey, viridis, magma, inferno, cividis.
    #[arg(long, value_name = "MAP", default_value = "grey", value_parser = parse_colormap)]
    pub colormap: ColorMap,
    /// Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The runs to compare (at least two), each a run folder.
    #[arg(value_name = "RUN", required = true)]
    pub runs: Vec<PathBuf>,
    /// Untrained inputs to show, comma-separated, e.g. 11000000,0.5_0_0_0_0_0_0_0
    /// [default: every pair of buttons, and all buttons at 0.5].
    #[arg(long, value_name = "LIST")]
    pub inputs: Option<String>,
    /// Output PNG [default: compare.png in the current folder].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write the table as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Colour map for greyscale networks: grey, viridis, magma, inferno, cividis.
    #[arg(long, value_name = "MAP", default_value = "grey", value_parser = parse_colormap)]
    pub colormap: ColorMap,
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct AnimateArgs {
    /// The run whose checkpoint paints the frames.
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Waypoints, comma-separated input vectors, e.g. 10000000,01000000,0.5_0.5_0_0_0_0_0_0.
    #[arg(
        long,
        value_name = "A,B,...",
        conflicts_with = "random_walk",
        required_unless_present = "random_walk"
    )]
    pub path: Option<String>,
    /// Wander through the inputs at random instead of following a path.
    #[arg(long)]
    pub random_walk: bool,
    /// Frames of the random walk.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 240,
        requires = "random_walk"
    )]
    pub steps: usize,
    /// Seed of the random walk (same seed, same walk).
    #[arg(long, value_name = "S", default_value_t = 1, requires = "random_walk")]
    pub seed: u64,
    /// How far a button may move per frame of the random walk, as a fraction of 0..1.
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.03,
        requires = "random_walk"
    )]
    pub speed: f32,
    /// Frames from one waypoint to the next.
    #[arg(long, value_name = "N", default_value_t = 24)]
    pub frames_per_leg: usize,
    /// Extra frames each waypoint is held for.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub hold: usize,
    /// Play the path once instead of there and back again.
    #[arg(long)]
    pub one_way: bool,
    /// Frames per second (delays are never shorter than 20 ms).
    #[arg(long, value_name = "F", default_value_t = 25.0)]
    pub fps: f32,
    /// Upscale by this factor (pixel replication).
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub scale: u32,
    /// Colour map for greyscale networks: grey, viridis, magma, inferno, cividis.
    #[arg(long, value_name = "MAP", default_value = "grey", value_parser = parse_colormap)]
    pub colormap: ColorMap,
    /// Output: FILE.gif, or FILE.png for an animated PNG [default: a name from the path in
    /// the current folder; .png for colour networks].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ExperimentArgs {
    /// Folder of training images named by their input vector.
    #[arg(long, value_name = "DIR", default_value = "training_input")]
    pub data: PathBuf,
    /// Epochs per run (on a rerun: the new total).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub epochs: usize,
    /// Seed shared by the three runs [default: 1].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Draw every initial weight uniform in [-R, R] [default: ±1/√fan_in per layer].
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    pub init_range: Option<f32>,
    /// Output picture size: 110 or WxH [default: 110].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
    /// Folder of the experiment: one run folder per preset, the sheet and the table
    /// [default: runs/experiment, or runs/experiment-init-R with --init-range R].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Training threads per run; the three runs train at once [default: 1].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A picture file to show.
    #[arg(value_name = "FILE", conflicts_with_all = ["run", "input"])]
    pub file: Option<PathBuf>,
    /// Show a run's output instead (with --input).
    #[arg(long, value_name = "DIR", requires = "input")]
    pub run: Option<PathBuf>,
    /// Input vector for --run.
    #[arg(long, value_name = "VECTOR", requires = "run")]
    pub input: Option<String>,
    /// Width in terminal columns [default: fit the terminal's width and height].
    #[arg(long, value_name = "COLS")]
    pub width: Option<u32>,
    /// Colour map for a greyscale network's output: grey, viridis, magma, inferno, cividis.
    #[arg(long, value_name = "MAP", default_value = "grey", value_parser = parse_colormap)]
    pub colormap: ColorMap,
}

#[derive(Debug, Args)]
pub struct InitDataArgs {
    /// Folder of pictures, named anything.
    #[arg(value_name = "SRC")]
    pub src: PathBuf,
    /// The training folder to create (new, or an empty folder; nothing is overwritten).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Pictures of another shape: crop from the centre, pad with black, or stretch.
    #[arg(long, value_enum, value_name = "FIT", default_value_t = Fit::Crop)]
    pub fit: Fit,
    /// Size of the pictures written, 110 or WxH [default: 110]; train with the same --size.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Epochs timed per measurement.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub epochs: usize,
    /// Measurements per network; the median is reported.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub repeats: usize,
    /// Thread counts to time, e.g. 1,2 [default: chosen per network size].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub threads: Vec<usize>,
    /// Kernels to time, e.g. avx512,avx2,portable [default: the widest this CPU runs].
    #[arg(long, value_name = "LIST", env = "NNIMG_KERNEL", value_delimiter = ',', value_parser = parse_kernel)]
    pub kernel: Vec<Kernel>,
    /// Networks to time (v0.1.6.1, v0.1.6, two-layer, "v0.1.6.1 --color") [default: all].
    #[arg(long, value_name = "NAME")]
    pub network: Vec<String>,
    /// Time training beside a busy thread and two trainings at once, instead (the first
    /// network, kernel and thread count given).
    #[arg(long)]
    pub contended: bool,
    /// Keep every step on all threads, even where one alone would be faster (to measure the
    /// threads together on a busy machine).
    #[arg(long)]
    pub always_together: bool,
}

/// A kernel by name, if this CPU can run it.
pub fn parse_kernel(s: &str) -> Result<Kernel, String> {
    Kernel::by_name(s)
}

/// A colour map by name (any case).
pub fn parse_colormap(s: &str) -> Result<ColorMap, String> {
    ColorMap::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = ColorMap::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown colour map '{}'; use one of {}",
            Shown(s),
            names.join(", ")
        )
    })
}

/// `110` → (110, 110); `160x90` → (160, 90).
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("'{}' is not a size: use 110 or WxH, e.g. 160x90", Shown(s)))
    };
    let (w, h) = match s.split_once(['x', 'X']) {
        Some((w, h)) => (parse(w)?, parse(h)?),
        None => {
            let n = parse(s)?;
            (n, n)
        }
    };
    if w == 0 || h == 0 {
        return Err(format!(
            "size '{}': each side must be at least 1 pixel",
            Shown(s)
        ));
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_parse_as_one_number_or_width_by_height() {
        assert_eq!(parse_size("110"), Ok((110, 110)));
        assert_eq!(parse_size("160x90"), Ok((160, 90)));
        assert!(parse_size("0").is_err());
        assert!(parse_size("-5").is_err());
        assert!(parse_size("10x").is_err());
    }
}
