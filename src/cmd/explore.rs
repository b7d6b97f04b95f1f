//! `nnimg explore` (and `nnimg` without arguments): opens the terminal explorer on a new run,
//! on an existing run (paused, Space continues), or read-only on a run another process trains
//! (`--watch`); with `--compare DIR` (up to three), other runs beside it, each followed
//! read-only. Glue only: the explorer itself is `crate::tui`.

use super::setup::open_session;
use super::train::{EXIT_INTERRUPTED, is_dumb_terminal};
use crate::cli::ExploreArgs;
use crate::data::load_samples;
use crate::render::color::ColorMode;
use crate::shown::Shown;
use crate::train::metrics::LogPlan;
use crate::train::run_dir::{Holder, ReadOnlyRun, RunDir};
use crate::train::session::Session;
use crate::train::update;
use crate::train::watch;
use crate::train::worker::{Pacing, Summary, Worker};
use crate::tui::app::comparison::MAX_RUNS;
use crate::tui::app::{App, ComparedRun, Comparison, Mode, RunInfo, Watched};
use crate::tui::event::{self, Event, Status};
use crate::tui::link::LinkBudget;
use crate::tui::terminal::Env;
use crate::tui::{self, Options};
use anyhow::{Result, bail};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

/// Least time between two weight snapshots from the worker (each costs the UI a forward pass);
/// the picture does not refresh more often than `LinkBudget::picture_interval` anyway.
const WEIGHTS_INTERVAL: Duration = Duration::from_millis(100);

pub fn run(args: ExploreArgs) -> Result<ExitCode> {
    if args.compare.len() + 1 > MAX_RUNS {
        bail!(
            "--compare given {} times; the explorer shows at most {MAX_RUNS} runs (its own and {} compared); \
             compare more with `nnimg compare`",
            args.compare.len(),
            MAX_RUNS - 1
        );
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!("the explorer needs a terminal; for scripts and servers use `nnimg train`");
    }
    if is_dumb_terminal(std::env::var("TERM").ok().as_deref()) {
        bail!(
            "the explorer needs a terminal that can move its cursor, and TERM is dumb; \
             run it in another terminal (or set TERM, e.g. TERM=xterm-256color), or use `nnimg train`"
        );
    }
    if args.fps == Some(0) {
        bail!("--fps must be at least 1");
    }
    // Terminal capabilities are read once, before anything reads the keyboard.
    let env = Env::from_process();
    let color_mode = Option::from(args.color_mode).unwrap_or_else(|| env.color_mode().0);
    let budget = LinkBudget::new(args.fps, env.ssh);
    let options = Options {
        budget,
        samples_dir: args.samples.clone(),
        export_scale: args.export_scale.max(1),
        background: args.theme.into(),
        mouse: args.mouse,
        in_tmux: env.tmux,
        over_ssh: env.ssh,
    };
    // A bad picture is reported before anything starts.
    let start_inputs = match &args.inputs_from {
        Some(file) => Some((file, recipe_inputs(file)?)),
        None => None,
    };
    let (tx, rx) = mpsc::channel::<Event>();

    let (mut app, worker) = match (&args.run, args.watch) {
        (Some(path), true) => (watch_run(path, None, &options, color_mode, &tx)?, None),
        (run, _) => {
            let resuming = run.as_deref().is_some_and(RunDir::exists_at);
            match open_session(run.as_deref(), &args.settings, Holder::Explore) {
                Ok(session) => {
                    let (app, worker) = train_run(session, resuming, budget, color_mode, &tx)?;
                    (app, Some(worker))
                }
                // Someone else's run, or one on a read-only mount: look, but do not train.
                Err(e) => match (run, e.downcast_ref::<ReadOnlyRun>()) {
                    (Some(path), Some(why)) => {
                        (watch_run(path, Some(why), &options, color_mode, &tx)?, None)
                    }
                    _ => return Err(e),
                },
            }
        }
    };
    // NO_COLOR: the chrome goes without colour; the picture keeps its own.
    app.view.theme.plain = env.no_color;
    if !args.compare.is_empty() {
        app.comparison = Some(open_comparison(&app.run, &args.compare, &tx)?);
    }
    if let Some((file, inputs)) = start_inputs
        && let Err(why) = app.start_with_inputs(&inputs)
    {
        bail!("{}: {why}", Shown(file));
    }
    event::spawn_signal_thread(tx.clone())?;

    let outcome = tui::run(app, tx, rx, worker, &options)?;
    let summary = outcome.training.transpose()?;
    for line in exit_lines(summary.as_ref(), outcome.interrupted.as_deref()) {
        errln!("nnimg: {line}");
    }
    Ok(match outcome.interrupted {
        Some(_) => ExitCode::from(EXIT_INTERRUPTED),
        None => ExitCode::SUCCESS,
    })
}

/// The runs to show beside `own`, each followed by a watcher of its own. Refuses a run named
/// twice (or the explorer's own run again) and a run whose network takes a different number
/// of inputs; a run that cannot be read is shown as a pane saying why.
fn open_comparison(own: &RunInfo, paths: &[PathBuf], tx: &Sender<Event>) -> Result<Comparison> {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let mut seen: Vec<(Option<PathBuf>, &Path)> = vec![(canonical(&own.path), &own.path)];
    let mut runs = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let key = canonical(path);
        if let Some((_, first)) = seen.iter().find(|(k, _)| key.is_some() && *k == key) {
            bail!(
                "{}: is named twice (also as {}); name each run once",
                Shown(path),
                Shown(first)
            );
        }
        seen.push((key, path));
        let opened = RunDir::open(path).and_then(|run| Ok((run.read_config()?, run)));
        let (config, run) = match opened {
            Ok(c) => c,
            Err(e) => {
                let name = Shown(path).to_string();
                runs.push(ComparedRun::unreadable(name, format!("{e:#}")));
                continue;
            }
        };
        let inputs = config.layers.first().copied().unwrap_or(0);
        let own_inputs = own.layers.first().copied().unwrap_or(0);
        if inputs != own_inputs {
            bail!(
                "{}: the network has {inputs} inputs but {} has {own_inputs}; runs compared must have the same buttons",
                Shown(path),
                Shown(&own.path)
            );
        }
        runs.push(ComparedRun::new(
            RunInfo::new(&run, &config),
            config.samples.clone(),
        ));
        let sink = tx.clone();
        watch::spawn_watcher(run, move |update| {
            sink.send(Event::Compared { run: i, update }).is_ok()
        })?;
    }
    Ok(Comparison::new(runs))
}

/// The explorer on `session`, trained by a worker thread; `resuming` loads the run's
/// earlier metrics into the charts.
fn train_run(
    mut session: Session,
    resuming: bool,
    budget: LinkBudget,
    color_mode: ColorMode,
    tx: &Sender<Event>,
) -> Result<(App, Worker)> {
    let config = session.config();
    let info = RunInfo::new(session.run_dir(), config);
    let mut app = App::new(
        info,
        Mode::Starting,
        session.trainer().samples().to_vec(),
        color_mode,
    );
    // What opening the run had to say (a damaged picture history cut short).
    let notes = session.take_notes();
    if !notes.is_empty() {
        app.update(Event::Status(Status::error(notes.join("; "))));
    }
    if resuming {
        // Read on a thread: the first frame does not wait for a long log.
        app.run_status.reading_log = true;
        let plan = LogPlan::new(session.config().log_every);
        let state = session.trainer().state().clone();
        let sink = tx.clone();
        update::spawn_log_reader(session.run_dir().metrics(), plan, state, move |u| {
            sink.send(Event::Training(u)).is_ok()
        })?;
    }
    let pacing = Pacing {
        interval: Duration::from_secs(1) / budget.fps,
        weights_interval: WEIGHTS_INTERVAL.max(budget.picture_interval),
    };
    let sink = tx.clone();
    let worker = Worker::spawn(session, resuming, pacing, move |u| {
        sink.send(Event::Training(u)).is_ok()
    })?;
    Ok((app, worker))
}

/// The explorer on a run that it follows without training it: `--watch`, or a run this
/// process may not write (`read_only` says why). Starts the watcher.
fn watch_run(
    path: &Path,
    read_only: Option<&ReadOnlyRun>,
    options: &Options,
    color_mode: ColorMode,
    tx: &Sender<Event>,
) -> Result<App> {
    let (app, run) = watching_app(path, read_only, &options.samples_dir, color_mode)?;
    let sink = tx.clone();
    watch::spawn_watcher(run, move |u| sink.send(Event::Training(u)).is_ok())?;
    Ok(app)
}

/// The explorer's state for a run it only watches, with a note on the status line when the
/// run is read-only for this process or its training images are not here. Public so that
/// tests can look at the screens it makes.
pub fn watching_app(
    path: &Path,
    read_only: Option<&ReadOnlyRun>,
    samples_dir: &Path,
    color_mode: ColorMode,
) -> Result<(App, RunDir)> {
    let run = RunDir::open(path)?;
    let config = run.read_config()?;
    // The training images help (targets beside the output); a run from another machine
    // may not have them here.
    let samples = match load_samples(&config.data, config.shape(), config.fit) {
        Ok(set) => set.samples,
        Err(_) => Vec::new(),
    };
    let info = RunInfo::new(&run, &config);
    let mut app = App::new(info, Mode::Watching(Watched::Training), samples, color_mode);
    let mut notes = Vec::new();
    if let Some(read_only) = read_only {
        let why = format!("read-only, {}: training is off", read_only.reason);
        notes.push(format!("{why}; e exports to {}", Shown(samples_dir)));
        app.read_only = Some(why);
    }
    if app.samples.is_empty() {
        notes.push(format!(
            "{}: training images not found here; targets are not shown",
            Shown(&config.data)
        ));
    }
    if !notes.is_empty() {
        app.update(Event::Status(Status::error(notes.join("; "))));
    }
    Ok((app, run))
}

/// The buttons of a picture's recipe: its input, or the first waypoint of an animation's path.
fn recipe_inputs(file: &std::path::Path) -> Result<Vec<f32>> {
    let recipe = crate::render::recipe::read_png_recipe(file)?;
    match (recipe.input, recipe.path) {
        (Some(input), _) => Ok(input),
        (None, Some(mut path)) if !path.is_empty() => Ok(path.swap_remove(0)),
        _ => bail!("{}: its recipe holds no input vector", Shown(file)),
    }
}

/// What the explorer says as it ends, in the order things happened: why it ended early (a
/// signal, a lost terminal), then what became of the training and how to open the run again
/// (a plain `nnimg` starts a new run every time).
fn exit_lines(training: Option<&Summary>, interrupted: Option<&str>) -> Vec<String> {
    let mut lines: Vec<String> = interrupted.map(str::to_string).into_iter().collect();
    if let Some(s) = training {
        let path = Shown(&s.run);
        lines.push(if s.epoch >= s.total_epochs {
            format!(
                "{path}: trained to epoch {}; outputs in {path}/outputs; open it again with `nnimg explore --run {path}`",
                s.epoch
            )
        } else {
            format!(
                "{path}: stopped at epoch {} of {}, checkpoint saved; continue with `nnimg explore --run {path}`",
                s.epoch, s.total_epochs
            )
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn summary(epoch: usize) -> Summary {
        Summary {
            run: PathBuf::from("runs/v0.1.6.1-3"),
            epoch,
            total_epochs: 100,
            saved: true,
        }
    }

    #[test]
    fn the_signal_comes_before_the_checkpoint_it_caused() {
        // On SIGTERM "stopped … checkpoint saved" used to come before "received SIGTERM".
        let lines = exit_lines(Some(&summary(40)), Some("received SIGTERM"));
        assert_eq!(lines[0], "received SIGTERM");
        assert!(
            lines[1].starts_with("runs/v0.1.6.1-3: stopped at epoch 40 of 100, checkpoint saved")
        );
    }

    #[test]
    fn a_finished_run_says_how_to_open_it_again() {
        let lines = exit_lines(Some(&summary(100)), None);
        assert_eq!(
            lines,
            [
                "runs/v0.1.6.1-3: trained to epoch 100; outputs in runs/v0.1.6.1-3/outputs; \
              open it again with `nnimg explore --run runs/v0.1.6.1-3`"
            ]
        );
    }
}
