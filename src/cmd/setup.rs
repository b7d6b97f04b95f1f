//! Turning command-line settings into a training session: a new run (preset + flags + the
//! training folder) or an existing one (resumed with its own settings). Shared by `train`
//! and `explore`.

use crate::cli::RunSettings;
use crate::data::{Shape, load_samples};
use crate::render::Picture;
use crate::render::pixels::ColorMap;
use crate::render::recipe::Recipe;
use crate::shown::Shown;
use crate::train::checkpoint;
use crate::train::config::{DEFAULT_SEED, Order, Preset, TrainConfig};
use crate::train::metrics::DEFAULT_LOG_EVERY;
use crate::train::run_dir::{Holder, RunDir};
use crate::train::session::{Session, initial_network};
use anyhow::{Result, anyhow, bail};
use std::path::Path;

/// Default size of the output picture, per side.
pub const DEFAULT_SIDE: u32 = 110;
/// Default window of the adaptive rate rule, in epochs.
pub const DEFAULT_WINDOW: usize = 100;
/// Default checkpoint interval, in epochs.
pub const DEFAULT_CHECKPOINT_EVERY: usize = 100;
/// Where new runs go when no --run is given.
pub const RUNS_FOLDER: &str = "runs";

/// Opens `run` for training: resumes it if it holds a run, else starts a new run there (or
/// under `runs/` when `run` is None), locked for `holder`. Prints the loader's notes to stderr.
pub fn open_session(run: Option<&Path>, settings: &RunSettings, holder: Holder) -> Result<Session> {
    if settings.threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    let mut session = match run {
        Some(path) if RunDir::exists_at(path) => resume_session(path, settings, holder),
        _ => new_session(run, settings, holder),
    }?;
    session.set_threads(settings.threads);
    session.set_kernel(settings.kernel);
    Ok(session)
}

fn resume_session(path: &Path, settings: &RunSettings, holder: Holder) -> Result<Session> {
    let fixed = fixed_settings_given(settings);
    if !fixed.is_empty() {
        bail!(
            "{}: is an existing run, its settings are fixed ({} given); only --epochs, --threads and --kernel apply on resume, \
             or choose a new --run",
            Shown(path),
            fixed.join(", ")
        );
    }
    let mut run = RunDir::open(path)?;
    run.lock_for_training(holder)?;
    Session::resume(run, settings.epochs)
}

/// Flags that describe a run's settings and so cannot change when it resumes.
fn fixed_settings_given(s: &RunSettings) -> Vec<&'static str> {
    let given = [
        (s.data != Path::new("training_input"), "--data"),
        (s.preset.is_some(), "--preset"),
        (s.lr.is_some(), "--lr"),
        (s.constant_lr, "--constant-lr"),
        (s.window.is_some(), "--window"),
        (s.layers.is_some(), "--layers"),
        (s.seed.is_some(), "--seed"),
        (s.order.is_some(), "--order"),
        (s.init.is_some(), "--init"),
        (s.init_range.is_some(), "--init-range"),
        (s.color, "--color"),
        (s.fit.is_some(), "--fit"),
        (s.size.is_some(), "--size"),
        (s.checkpoint_every.is_some(), "--checkpoint-every"),
        (s.log_every.is_some(), "--log-every"),
    ];
    given
        .iter()
        .filter(|(g, _)| *g)
        .map(|&(_, name)| name)
        .collect()
}

/// Loads the data, resolves the settings, and only then creates the run folder: a bad
/// training image or flag never leaves a half-started run behind.
fn new_session(run: Option<&Path>, settings: &RunSettings, holder: Holder) -> Result<Session> {
    if let Some(path) = run {
        RunDir::check_new(path)?;
    }
    let preset = match &settings.preset {
        Some(name) => Preset::named(name)?,
        None => Preset::default_preset(),
    };
    let (width, height) = settings.size.unwrap_or((DEFAULT_SIDE, DEFAULT_SIDE));
    let channels = if settings.color { 3 } else { 1 };
    let shape = Shape {
        width,
        height,
        channels,
    };
    if let Some(layers) = &settings.layers {
        crate::train::config::validate_layers(layers)?;
    }
    let mut config = TrainConfig {
        nnimg_version: env!("CARGO_PKG_VERSION").to_string(),
        preset: preset.name.to_string(),
        layers: Vec::new(),
        width,
        height,
        color: settings.color,
        fit: settings.fit.unwrap_or_default(),
        epochs: settings.epochs.unwrap_or(preset.epochs),
        learning_rate: settings.lr.unwrap_or(preset.learning_rate),
        adaptive: preset.adaptive && !settings.constant_lr,
        window: settings.window.unwrap_or(DEFAULT_WINDOW),
        seed: settings.seed.unwrap_or(DEFAULT_SEED),
        order: settings.order.map_or(Order::Shuffle, Order::from),
        checkpoint_every: settings
            .checkpoint_every
            .unwrap_or(DEFAULT_CHECKPOINT_EVERY),
        log_every: settings.log_every.unwrap_or(DEFAULT_LOG_EVERY),
        // Absolute, so that the run can be resumed or explored from any working directory.
        data: std::path::absolute(&settings.data)
            .map_err(|e| anyhow!("{}: {e}", Shown(&settings.data)))?,
        init: settings.init.clone(),
        init_range: settings.init_range,
        samples: Vec::new(),
    };
    // Cheap checks first, so a bad flag is reported before the images are decoded.
    config.layers = settings.layers.clone().unwrap_or_else(|| {
        std::iter::once(1)
            .chain(preset.hidden.iter().copied())
            .chain(std::iter::once(shape.len()))
            .collect()
    });
    config.validate()?;

    let loaded = load_samples(&settings.data, shape, config.fit)?;
    for note in &loaded.notes {
        errln!("nnimg: note: {note}");
    }
    let inputs = loaded.input_len();
    match &settings.layers {
        Some(layers) if layers[0] != inputs => bail!(
            "--layers {}: the input layer has {} nodes but the stems in {} have {inputs} values",
            layers
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(","),
            layers[0],
            Shown(&settings.data)
        ),
        Some(_) => {}
        None => config.layers[0] = inputs,
    }
    config.samples = loaded.samples.iter().map(|s| s.stem.clone()).collect();
    config.validate()?;

    let net = initial_network(&config)?;

    let mut run = match run {
        Some(path) => RunDir::create(path)?,
        None => RunDir::create_numbered(Path::new(RUNS_FOLDER), &run_name(preset, &config.layers))?,
    };
    run.lock_for_training(holder)?;
    let path = run.path().to_path_buf();
    Session::start(run, config, net, loaded.samples).inspect_err(|_| remove_half_started_run(&path))
}

/// The name of a new run's folder under `runs/` (before its `-N`): the preset's, unless the
/// layers give the network another shape than the preset's hidden layers, when it is the
/// layers' (`8-12100`), so that the name does not claim a network the run is not.
fn run_name(preset: &Preset, layers: &[usize]) -> String {
    let hidden = &layers[1..layers.len().saturating_sub(1).max(1)];
    if hidden == preset.hidden {
        preset.name.to_string()
    } else {
        let sizes: Vec<String> = layers.iter().map(usize::to_string).collect();
        sizes.join("-")
    }
}

/// After a failed start (a full disk, say), removes what the start wrote, so no
/// half-started run is left behind. The folder was new or empty, so nothing else is lost.
fn remove_half_started_run(path: &Path) {
    use crate::train::output_history::HISTORY_FILE;
    use crate::train::run_dir::{CHECKPOINT, LOCK, METRICS_CSV, OUTPUTS, RUN_JSON};
    for file in [RUN_JSON, METRICS_CSV, CHECKPOINT, HISTORY_FILE, LOCK] {
        let _ = std::fs::remove_file(path.join(file));
    }
    let _ = std::fs::remove_dir(path.join(OUTPUTS));
    let _ = std::fs::remove_dir(path);
}

/// A run's settings and its latest checkpoint, opened read-only (no lock: a run being
/// trained by another process can be rendered too).
pub struct TrainedRun {
    /// The run folder as it was named.
    pub dir: std::path::PathBuf,
    pub config: TrainConfig,
    pub checkpoint: checkpoint::Checkpoint,
}

impl TrainedRun {
    /// Opens `dir` and loads its checkpoint, checking it belongs to the run.
    pub fn open(dir: &Path) -> Result<Self> {
        let run = RunDir::open(dir)?;
        let config = run.read_config()?;
        let checkpoint = checkpoint::load(&run.checkpoint())?;
        if checkpoint.net.layers() != config.layers.as_slice() {
            bail!(
                "{}: layers {:?} do not match run.json's {:?}",
                Shown(&run.checkpoint()),
                checkpoint.net.layers(),
                config.layers
            );
        }
        Ok(TrainedRun {
            dir: dir.to_path_buf(),
            config,
            checkpoint,
        })
    }

    /// Parses an `--input` vector and checks it fits the network's input layer.
    pub fn parse_input(&self, text: &str) -> Result<Vec<f32>> {
        let input = crate::data::parse_stem(text).map_err(|e| anyhow!("--input: {e}"))?;
        let n = self.checkpoint.net.input_len();
        if input.len() != n {
            bail!(
                "--input '{}': has {} values, the network has {n} inputs",
                Shown(text),
                input.len()
            );
        }
        Ok(input)
    }

    /// The recipe of a picture this run paints now: its run folder (as named on the command
    /// line), epoch, preset, layers, weights' fingerprint and nnimg's version, plus `input`,
    /// `map` and `scale`.
    pub fn recipe(&self, input: Option<&[f32]>, map: ColorMap, scale: u32) -> Recipe {
        Recipe {
            input: input.map(<[f32]>::to_vec),
            colormap: Some(map.name().to_owned()),
            scale: Some(scale),
            ..crate::train::provenance::run_recipe(
                &self.dir,
                &self.config.preset,
                self.checkpoint.state.epoch,
                &self.checkpoint.net,
            )
        }
    }

    /// The network's output for `input` (of the input layer's length) as a picture,
    /// greyscale outputs through `map`.
    pub fn render(&self, input: &[f32], map: ColorMap) -> Picture {
        let y = self.checkpoint.net.predict(input);
        let c = &self.config;
        Picture::from_output(&y, c.width, c.height, c.channels(), map)
            .expect("open checked the layers against run.json, whose output layer fits the picture")
    }
}

/// Writes a PNG the user asked for, carrying `recipe`; an existing file is kept unless
/// `force`. Never leaves a half-written file.
pub fn save_picture(out: &Path, picture: &Picture, recipe: &Recipe, force: bool) -> Result<()> {
    if !force && std::fs::symlink_metadata(out).is_ok() {
        bail!(
            "{}: already exists; use --force to overwrite it",
            Shown(out)
        );
    }
    picture.write_png(out, recipe, force)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_named_after_its_layers_when_they_are_not_the_presets() {
        // `--layers 8,12100` with the default preset made runs/v0.1.6.1-4.
        let preset = Preset::default_preset();
        assert_eq!(run_name(preset, &[8, 110, 110, 12100]), "v0.1.6.1");
        assert_eq!(run_name(preset, &[3, 110, 110, 64]), "v0.1.6.1");
        assert_eq!(run_name(preset, &[8, 12100]), "8-12100");
        assert_eq!(run_name(preset, &[8, 50, 12100]), "8-50-12100");
        let two_layer = Preset::named("two-layer").unwrap();
        assert_eq!(run_name(two_layer, &[8, 12100]), "two-layer");
    }
}
