//! The terminal explorer: a live training dashboard, the input buttons, the network's output
//! as half-block colour art, and PNG export by keypress.
//!
//! `app` is the state and its `update`; `event` the event type, the input and signal
//! threads and the frame pacer; `ui` the layout and `widgets` its parts; `watch` follows a
//! run another process trains; `export` writes PNGs. This file holds the loop that ties them
//! together and the one place the terminal is set up and restored.

pub mod app;
pub mod event;
pub mod export;
pub mod link;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod watch;
pub mod widgets;

use crate::train::worker::{Report, Summary, Worker};
use anyhow::{Context, Result};
use app::{App, Effect, Mode};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::{execute, queue};
use event::{Event, FramePacer};
use export::Picture;
use ratatui::DefaultTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Instant;

/// Settings of the loop.
#[derive(Clone, Debug)]
pub struct Options {
    /// Most frames a second.
    pub fps: u32,
    /// Where `e` and `g` write PNGs.
    pub samples_dir: PathBuf,
    /// Upscaling of exported pictures.
    pub export_scale: u32,
}

/// How the explorer ended.
#[derive(Debug)]
pub struct Outcome {
    /// The training thread's summary, if this explorer trained.
    pub training: Option<Result<Summary>>,
    /// Set when a signal or a lost terminal ended the explorer.
    pub interrupted: Option<String>,
}

/// Runs the explorer until the user quits: sets up the terminal, reads keys on a thread,
/// applies every event of `rx` to `app`, draws when something changed (at most `fps` times a
/// second, each frame one synchronized update), carries out the app's effects, and restores
/// the terminal on every way out (ratatui's panic hook covers panics). The worker, if any, is
/// stopped afterwards, which saves its checkpoint; dropping it during a panic does the same.
pub fn run(
    mut app: App,
    tx: Sender<Event>,
    rx: Receiver<Event>,
    mut worker: Option<Worker>,
    options: &Options,
) -> Result<Outcome> {
    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    let looped = event::spawn_input_thread(tx.clone())
        .context("cannot start the input thread")
        .and_then(|()| event_loop(&mut terminal, &mut app, &tx, &rx, &mut worker, options));
    let restored = ratatui::try_restore();
    let (stopped, interrupted) = looped?;
    // After SIGHUP the terminal is gone and cannot be restored; that is not worth a word.
    if let Err(e) = restored
        && !interrupted
            .as_deref()
            .is_some_and(|why| why.contains("SIGHUP"))
    {
        eprintln!("nnimg: cannot restore the terminal: {e}; type `reset` to fix it");
    }
    let training = match worker {
        Some(w) => Some(w.stop()),
        None => stopped,
    };
    Ok(Outcome {
        training,
        interrupted,
    })
}

type LoopResult = (Option<Result<Summary>>, Option<String>);

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    tx: &Sender<Event>,
    rx: &Receiver<Event>,
    worker: &mut Option<Worker>,
    options: &Options,
) -> Result<LoopResult> {
    let mut pacer = FramePacer::new(options.fps);
    let mut stopped = None;
    let mut interrupted = None;
    loop {
        let now = Instant::now();
        if pacer.should_draw(now) {
            draw(terminal, app)?;
            pacer.drawn(now);
        }
        let first = match pacer.wait_time(Instant::now()) {
            None => rx.recv().ok(),
            Some(wait) => match rx.recv_timeout(wait) {
                Ok(e) => Some(e),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => None,
            },
        };
        let Some(first) = first else {
            return Ok((stopped, Some("the event channel closed".into())));
        };
        // Take everything queued, so a burst of reports costs one frame.
        for event in std::iter::once(first).chain(rx.try_iter()) {
            if let Event::Worker(Report::Progress(_)) = &event
                && let Some(w) = worker.as_ref()
            {
                w.progress_taken();
            }
            if let Event::Quit(why) = &event {
                interrupted = Some(why.clone());
            }
            if app.update(event) {
                pacer.mark_dirty();
            }
        }
        for effect in std::mem::take(&mut app.effects) {
            match effect {
                Effect::Worker(command) => {
                    if !worker.as_ref().is_some_and(|w| w.send(command)) {
                        app.update(Event::Exported(Err("the training thread has ended".into())));
                    }
                }
                Effect::StopTraining => {
                    if let Some(w) = worker.take() {
                        let summary = w.stop();
                        app.mode = Mode::Stopped;
                        let text = match &summary {
                            Ok(s) => Ok(format!(
                                "training stopped at epoch {}; checkpoint saved in {}",
                                s.epoch,
                                s.run.display()
                            )),
                            Err(e) => Err(format!("{e:#}")),
                        };
                        app.status = Some(app::Status {
                            is_error: text.is_err(),
                            text: text.unwrap_or_else(|e| e),
                        });
                        stopped = Some(summary);
                    }
                }
                Effect::ExportPng | Effect::ExportSheet => spawn_export(app, effect, tx, options),
            }
            pacer.mark_dirty();
        }
        if app.should_quit {
            return Ok((stopped, interrupted));
        }
    }
}

/// One frame, wrapped in the terminal's synchronized-update commands so it appears at once.
fn draw(terminal: &mut DefaultTerminal, app: &App) -> Result<()> {
    queue!(terminal.backend_mut(), BeginSynchronizedUpdate).context("cannot draw")?;
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .context("cannot draw")?;
    execute!(terminal.backend_mut(), EndSynchronizedUpdate).context("cannot draw")?;
    Ok(())
}

/// Exports on a thread; the result comes back as `Event::Exported`.
fn spawn_export(app: &App, effect: Effect, tx: &Sender<Event>, options: &Options) {
    let Some(net) = app.net.as_ref().map(Arc::clone) else {
        return;
    };
    let picture = Picture {
        width: app.run.width,
        height: app.run.height,
        channels: app.run.channels,
        map: app.color_map,
    };
    let input = app.buttons.clone();
    let epoch = app.weights_epoch;
    let dir = options.samples_dir.clone();
    let scale = options.export_scale.max(1);
    let done = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("nnimg-export".into())
        .spawn(move || {
            let result = if effect == Effect::ExportSheet {
                export::export_sheet(&net, &picture, &dir, epoch)
            } else {
                export::export_png(&net, &input, &picture, scale, &dir, epoch)
            };
            let _ = done.send(Event::Exported(result.map_err(|e| format!("{e:#}"))));
        });
    if let Err(e) = spawned {
        let _ = tx.send(Event::Exported(Err(format!(
            "cannot start the export: {e}"
        ))));
    }
}
