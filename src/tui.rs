//! The terminal explorer: a live training dashboard, the input buttons, the network's output
//! as half-block colour art, and PNG export by keypress.
//!
//! `app` is the state, grouped by concept, and its `update`; `keys` the key table; `history`
//! what the charts draw; `event` the event type, the input and signal threads and the frame
//! pacer; `ui` the layout and `widgets` its parts; `export` writes PNGs; `theme` the styles.
//! Training facts arrive as `train::Update`s, from the worker or from the watcher of a run
//! another process trains. This file holds the loop that ties them together and the one
//! place the terminal is set up and restored.

pub mod app;
pub mod event;
pub mod export;
pub mod history;
pub mod keys;
pub mod link;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod widgets;

use crate::render::recipe::Recipe;
use crate::train::provenance::run_recipe;
use crate::train::update::Update;
use crate::train::worker::{Summary, Worker};
use anyhow::{Context, Result};
use app::{App, Effect, Mode};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::{execute, queue};
use event::{Event, FramePacer, Status};
use export::PictureSpec;
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
            if let Event::Training(Update::Progress(_)) = &event
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
            if let Some(summary) = carry_out(effect, app, worker, tx, options) {
                stopped = Some(summary);
            }
            pacer.mark_dirty();
        }
        if app.should_quit {
            return Ok((stopped, interrupted));
        }
    }
}

/// Does what `effect` asks; returns the worker's summary when it stopped the training.
fn carry_out(
    effect: Effect,
    app: &mut App,
    worker: &mut Option<Worker>,
    tx: &Sender<Event>,
    options: &Options,
) -> Option<Result<Summary>> {
    match effect {
        Effect::Worker(command) => {
            if !worker.as_ref().is_some_and(|w| w.send(command)) {
                app.update(Event::Status(Status::error(
                    "the training thread has ended",
                )));
            }
        }
        Effect::StopTraining => {
            let summary = worker.take()?.stop();
            app.run_status.mode = Mode::Stopped;
            app.status = Some(match &summary {
                Ok(s) => Status::info(format!(
                    "training stopped at epoch {}; checkpoint saved in {}",
                    s.epoch,
                    s.run.display()
                )),
                Err(e) => Status::error(format!("{e:#}")),
            });
            return Some(summary);
        }
        Effect::ExportPng | Effect::ExportSheet => spawn_export(app, effect, tx, options),
    }
    None
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

/// Exports on a thread; the result comes back as an `Event::Status`.
fn spawn_export(app: &App, effect: Effect, tx: &Sender<Event>, options: &Options) {
    let Some(net) = app.output.net.as_ref().map(Arc::clone) else {
        return;
    };
    let spec = PictureSpec {
        width: app.run.width,
        height: app.run.height,
        channels: app.run.channels,
        map: app.view.color_map,
    };
    let input = app.inputs.buttons.clone();
    let (run, preset, epoch) = (
        app.run.path.clone(),
        app.run.preset.clone(),
        app.output.epoch,
    );
    let colormap = app.view.color_map.name().to_owned();
    let dir = options.samples_dir.clone();
    let scale = options.export_scale.max(1);
    let done = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("nnimg-export".into())
        .spawn(move || {
            let recipe = Recipe {
                colormap: Some(colormap),
                ..run_recipe(&run, &preset, epoch, &net)
            };
            let result = if effect == Effect::ExportSheet {
                export::export_sheet(&net, &spec, &dir, &recipe)
            } else {
                export::export_png(&net, &input, &spec, scale, &dir, &recipe)
            };
            let _ = done.send(Event::Status(export::status_of(result)));
        });
    if let Err(e) = spawned {
        let _ = tx.send(Event::Status(Status::error(format!(
            "cannot start the export: {e}"
        ))));
    }
}
