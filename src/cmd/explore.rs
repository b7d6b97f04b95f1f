//! `nnimg explore` (and `nnimg` without arguments): opens the terminal explorer on a new run,
//! on an existing run (paused, Space continues), or read-only on a run another process trains
//! (`--watch`). Glue only: the explorer itself is `crate::tui`.

use super::setup::open_session;
use super::train::{EXIT_INTERRUPTED, is_dumb_terminal};
use crate::cli::{ColorModeArg, ExploreArgs};
use crate::data::load_samples;
use crate::render::color::{ColorMode, detect_from_env};
use crate::train::metrics;
use crate::train::run_dir::{Holder, RunDir};
use crate::train::update::{Progress, Update};
use crate::train::watch;
use crate::train::worker::{Pacing, Summary, Worker};
use crate::tui::app::{App, Mode, RunInfo};
use crate::tui::event::{self, Event, Status};
use crate::tui::{self, Options};
use anyhow::{Result, bail};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

/// Least time between two weight snapshots from the worker (each costs the UI a forward pass).
const WEIGHTS_INTERVAL: Duration = Duration::from_millis(100);

pub fn run(args: ExploreArgs) -> Result<ExitCode> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!("the explorer needs a terminal; for scripts and servers use `nnimg train`");
    }
    if is_dumb_terminal(std::env::var("TERM").ok().as_deref()) {
        bail!(
            "the explorer needs a terminal that can move its cursor, and TERM is dumb; \
             run it in another terminal (or set TERM, e.g. TERM=xterm-256color), or use `nnimg train`"
        );
    }
    if args.fps == 0 {
        bail!("--fps must be at least 1");
    }
    // Terminal capabilities are read once, before anything reads the keyboard.
    let color_mode = match args.color_mode {
        ColorModeArg::Truecolor => ColorMode::TrueColor,
        ColorModeArg::Ansi256 => ColorMode::Ansi256,
        ColorModeArg::Auto => detect_from_env(std::env::var("COLORTERM").ok().as_deref()),
    };
    let options = Options {
        fps: args.fps,
        samples_dir: args.samples.clone(),
        export_scale: args.export_scale.max(1),
    };
    let (tx, rx) = mpsc::channel::<Event>();

    let (app, worker) = match (&args.run, args.watch) {
        (Some(path), true) => {
            let run = RunDir::open(path)?;
            let config = run.read_config()?;
            // The training images help (targets beside the output); a run from another
            // machine may not have them here.
            let samples = match load_samples(&config.data, config.shape(), config.fit) {
                Ok(set) => set.samples,
                Err(_) => Vec::new(),
            };
            let info = RunInfo::new(&run, &config);
            let mut app = App::new(info, Mode::Watching, samples, color_mode);
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
            let session = open_session(run.as_deref(), &args.settings, Holder::Explore)?;
            let config = session.config();
            let info = RunInfo::new(session.run_dir(), config);
            let mut app = App::new(
                info,
                Mode::Starting,
                session.trainer().samples().to_vec(),
                color_mode,
            );
            if resuming {
                let earlier = metrics::read(&session.run_dir().metrics())?;
                let progress = Progress::from_rows(&earlier.rows, None);
                let state = session.trainer().state();
                app.update(Event::Training(Update::Progress(
                    progress.with_state(state),
                )));
            }
            let pacing = Pacing {
                interval: Duration::from_secs(1) / args.fps,
                weights_interval: WEIGHTS_INTERVAL.max(Duration::from_secs(1) / args.fps),
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
    let summary = outcome.training.transpose()?;
    for line in exit_lines(summary.as_ref(), outcome.interrupted.as_deref()) {
        errln!("nnimg: {line}");
    }
    Ok(match outcome.interrupted {
        Some(_) => ExitCode::from(EXIT_INTERRUPTED),
        None => ExitCode::SUCCESS,
    })
}

/// What the explorer says as it ends, in the order things happened: why it ended early (a
/// signal, a lost terminal), then what became of the training and how to open the run again
/// (a plain `nnimg` starts a new run every time).
fn exit_lines(training: Option<&Summary>, interrupted: Option<&str>) -> Vec<String> {
    let mut lines: Vec<String> = interrupted.map(str::to_string).into_iter().collect();
    if let Some(s) = training {
        let path = s.run.display();
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
