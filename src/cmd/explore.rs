//! `nnimg explore` (and `nnimg` without arguments): opens the terminal explorer on a new run,
//! on an existing run (paused, Space continues), or read-only on a run another process trains
//! (`--watch`). Glue only: the explorer itself is `crate::tui`.

use super::setup::open_session;
use super::train::EXIT_INTERRUPTED;
use crate::cli::ExploreArgs;
use crate::data::load_samples;
use crate::train::metrics;
use crate::train::run_dir::RunDir;
use crate::train::update::{Progress, Update};
use crate::train::watch;
use crate::train::worker::{Pacing, Worker};
use crate::tui::app::{App, Mode, RunInfo};
use crate::tui::event::{self, Event, Status};
use crate::tui::link::LinkBudget;
use crate::tui::terminal::Env;
use crate::tui::{self, Options};
use anyhow::{Result, bail};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

/// Least time between two weight snapshots from the worker (each costs the UI a forward pass);
/// the picture does not refresh more often than `LinkBudget::picture_interval` anyway.
const WEIGHTS_INTERVAL: Duration = Duration::from_millis(100);

pub fn run(args: ExploreArgs) -> Result<ExitCode> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!("the explorer needs a terminal; for scripts and servers use `nnimg train`");
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
    let new_app = |info, mode, samples| {
        let mut app = App::new(info, mode, samples, color_mode);
        app.view.theme.plain = env.no_color;
        app
    };
    let (tx, rx) = mpsc::channel::<Event>();

    let (app, worker) = match (&args.run, args.watch) {
        (Some(path), true) => {
            let run = RunDir::open(path)?;
            let config = run.read_config()?;
            // The training images help (targets beside the output); a run from another
            // machine may not have them here.
            let samples = match load_samples(&config.data, config.shape()) {
                Ok(set) => set.samples,
                Err(_) => Vec::new(),
            };
            let info = RunInfo::new(&run, &config);
            let mut app = new_app(info, Mode::Watching, samples);
            if app.samples.is_empty() {
                app.update(Event::Status(Status::error(format!(
                    "{}: training images not found here; targets are not shown",
                    config.data.display()
                ))));
            }
            let sink = tx.clone();
            watch::spawn_watcher(run.metrics(), run.checkpoint(), move |u| {
                sink.send(Event::Training(u)).is_ok()
            })?;
            (app, None)
        }
        (run, _) => {
            let resuming = run.as_deref().is_some_and(RunDir::exists_at);
            let session = open_session(run.as_deref(), &args.settings)?;
            let config = session.config();
            let info = RunInfo::new(session.run_dir(), config);
            let mut app = new_app(info, Mode::Starting, session.trainer().samples().to_vec());
            if resuming {
                let earlier = metrics::read(&session.run_dir().metrics())?;
                let progress = Progress::from_rows(&earlier.rows, None);
                let state = session.trainer().state();
                app.update(Event::Training(Update::Progress(
                    progress.with_state(state),
                )));
            }
            let pacing = Pacing {
                interval: Duration::from_secs(1) / budget.fps,
                weights_interval: WEIGHTS_INTERVAL.max(budget.picture_interval),
            };
            let sink = tx.clone();
            let worker = Worker::spawn(session, resuming, pacing, move |u| {
                sink.send(Event::Training(u)).is_ok()
            })?;
            (app, Some(worker))
        }
    };
    event::spawn_signal_thread(tx.clone())?;

    let outcome = tui::run(app, tx, rx, worker, &options)?;
    if let Some(training) = outcome.training {
        let s = training?;
        let path = s.run.display();
        if s.epoch >= s.total_epochs {
            errln!(
                "nnimg: {path}: trained to epoch {}; outputs in {path}/outputs",
                s.epoch
            );
        } else {
            errln!(
                "nnimg: {path}: stopped at epoch {} of {}, checkpoint saved; continue with `nnimg explore --run {path}`",
                s.epoch,
                s.total_epochs
            );
        }
    }
    Ok(match outcome.interrupted {
        Some(why) => {
            errln!("nnimg: {why}");
            ExitCode::from(EXIT_INTERRUPTED)
        }
        None => ExitCode::SUCCESS,
    })
}
