//! `nnimg train`: headless training with a progress bar on a terminal, plain log lines
//! otherwise, and a checkpoint on Ctrl-C, SIGTERM or SIGHUP.

use super::setup::open_session;
use crate::cli::TrainArgs;
use crate::shown::Shown;
use crate::train::EpochReport;
use crate::train::run_dir::Holder;
use crate::train::session::Session;
use anyhow::{Context, Result};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Exit code after an interruption by a signal, once the checkpoint is saved.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Seconds between plain log lines when stderr is not a terminal.
const LOG_INTERVAL: Duration = Duration::from_secs(5);

pub fn run(args: TrainArgs) -> Result<ExitCode> {
    let stop = stop_on_signals()?;
    let mut session = open_session(args.run.as_deref(), &args.settings, Holder::Train)?;
    for note in session.take_notes() {
        errln!("nnimg: note: {note}");
    }
    let mut progress = Progress::new(&session, None);
    let result = train_until_done_or_stopped(&mut session, &stop, &mut progress);
    progress.finish();
    result?;
    session.finish()?;
    let path = Shown(session.run_dir().path()).to_string();
    let epoch = session.epoch();
    if session.is_done() {
        let error = session.trainer().state().recent_errors.last().copied();
        let error = error.map_or(String::new(), |e| format!(", error {e:.4e}"));
        errln!("nnimg: {path}: trained to epoch {epoch}{error}; outputs in {path}/outputs");
        Ok(ExitCode::SUCCESS)
    } else {
        errln!(
            "nnimg: {path}: stopped at epoch {epoch}, checkpoint saved; resume with `nnimg train --run {path}`"
        );
        Ok(ExitCode::from(EXIT_INTERRUPTED))
    }
}

pub(crate) fn train_until_done_or_stopped(
    session: &mut Session,
    stop: &AtomicBool,
    progress: &mut Progress,
) -> Result<()> {
    while !session.is_done() && !stop.load(Ordering::Relaxed) {
        let report = session.run_epoch()?;
        progress.update(session, &report);
    }
    Ok(())
}

/// Sets a flag on SIGINT, SIGTERM and SIGHUP, so the loop can stop between epochs and save.
/// A second Ctrl-C while the first is being handled ends the process at once.
pub fn stop_on_signals() -> Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register_conditional_shutdown(
            signal,
            i32::from(EXIT_INTERRUPTED),
            Arc::clone(&stop),
        )
        .context("cannot install the signal handler")?;
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("cannot install the signal handler")?;
    }
    Ok(stop)
}

/// True when `TERM` names a terminal that cannot move its cursor (`dumb`: Emacs shells, some
/// CI logs): a progress bar there is hidden, and the explorer cannot draw.
pub fn is_dumb_terminal(term: Option<&str>) -> bool {
    term.is_some_and(|t| t.trim() == "dumb")
}

/// A progress bar on a terminal that can redraw; otherwise a plain line every few seconds,
/// naming the run when several share the display.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    first_epoch: usize,
    last_log: Instant,
    last_draw: Instant,
    /// "name: " before each plain line when the display is shared, else empty.
    prefix: String,
}

impl Progress {
    /// The progress of `session`, as one of the bars of `shared` when given.
    pub(crate) fn new(session: &Session, shared: Option<&MultiProgress>) -> Self {
        let total = session.config().epochs as u64;
        // indicatif hides its bar on a dumb terminal, which would leave nothing on screen
        // until the end: such a terminal gets the plain lines.
        let dumb = is_dumb_terminal(std::env::var("TERM").ok().as_deref());
        let bar = (std::io::stderr().is_terminal() && !dumb).then(|| {
            // Added to the shared display before anything draws it, or its first frame
            // would stay on the screen above the others.
            let bar = ProgressBar::new(total).with_position(session.epoch() as u64);
            let bar = match shared {
                Some(multi) => multi.add(bar),
                None => bar,
            };
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:30.cyan/blue}] {pos}/{len} epochs  {msg}  {per_sec:.dim}  ETA {eta}",
            )
            .expect("the progress template is valid")
            .progress_chars("█▉▊▋▌▍▎▏ ");
            bar.set_style(style);
            // Names padded alike, so that the bars of a shared display line up.
            let name = session.run_dir().name();
            bar.set_prefix(match shared {
                Some(_) => format!("{name:<12}"),
                None => name,
            });
            bar
        });
        if bar.is_none() {
            errln!(
                "nnimg: training {} (preset {}, layers {:?}) from epoch {} to {}",
                Shown(session.run_dir().path()),
                Shown(&session.config().preset),
                session.config().layers,
                session.epoch(),
                session.config().epochs
            );
        }
        let now = Instant::now();
        Progress {
            bar,
            started: now,
            first_epoch: session.epoch(),
            last_log: now,
            last_draw: now,
            prefix: match shared {
                Some(_) => format!("{}: ", session.run_dir().name()),
                None => String::new(),
            },
        }
    }

    pub(crate) fn update(&mut self, session: &Session, report: &EpochReport) {
        let done = report.epoch >= session.config().epochs;
        match &self.bar {
            Some(bar) => {
                if done || self.last_draw.elapsed() >= Duration::from_millis(50) {
                    self.last_draw = Instant::now();
                    bar.set_position(report.epoch as u64);
                    bar.set_message(format!(
                        "error {:.4e}  lr {}",
                        report.error, report.learning_rate
                    ));
                }
            }
            None => {
                if done || self.last_log.elapsed() >= LOG_INTERVAL {
                    self.last_log = Instant::now();
                    let seconds = self.started.elapsed().as_secs_f64();
                    let rate = (report.epoch - self.first_epoch) as f64 / seconds.max(1e-9);
                    let left = (session.config().epochs - report.epoch) as f64 / rate.max(1e-9);
                    errln!(
                        "{}epoch {}/{}  error {:.4e}  lr {}  {:.0} epochs/s  ETA {:.0}s",
                        self.prefix,
                        report.epoch,
                        session.config().epochs,
                        report.error,
                        report.learning_rate,
                        rate,
                        left
                    );
                }
            }
        }
        if let Some(h) = report.halving {
            let line = format!(
                "epoch {}: learning rate halved to {}",
                h.epoch, h.learning_rate
            );
            match &self.bar {
                Some(bar) => bar.println(line),
                None => errln!("{line}"),
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_dumb_term_counts_as_dumb() {
        assert!(is_dumb_terminal(Some("dumb")));
        assert!(!is_dumb_terminal(Some("xterm-256color")));
        assert!(!is_dumb_terminal(None));
    }
}
