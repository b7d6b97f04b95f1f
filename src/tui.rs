//! The terminal explorer: a live training dashboard, the input buttons, the network's output
//! as half-block colour art, and PNG export by keypress.
//!
//! `app` is the state, grouped by concept, and its `update`; `keys` the key table (the charts
//! draw `train::history`); `event` the event type, the input and signal threads and the frame
//! pacer; `link` how much may be written to the terminal; `terminal` what the terminal can
//! do (colours, background, graphics); `ui` the layout and `widgets` its parts; `export`
//! writes PNGs; `theme` the styles.
//! Training facts arrive as `train::Update`s, from the worker or from the watcher of a run
//! another process trains. This file holds the loop that ties them together and the one
//! place the terminal is set up and restored.

pub mod app;
pub mod event;
pub mod export;
pub mod keys;
pub mod link;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod widgets;

use crate::render::cells::Background;
use crate::render::compare_sheet::comparison_recipe;
use crate::render::recipe::Recipe;
use crate::shown::Shown;
use crate::train::output_history::{HISTORY_FILE, History};
use crate::train::provenance::run_recipe;
use crate::train::update::Update;
use crate::train::worker::{Summary, Worker};
use anyhow::{Context, Result};
use app::{App, Capabilities, Effect, Gesture, HistoryFrame, Mode, Overlay, Step};
use crossterm::cursor::MoveTo;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, MouseEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::{execute, queue};
use event::{Event, FramePacer, Status};
use export::PictureSpec;
use link::{LinkBudget, PictureClock};
use ratatui::DefaultTerminal;
use ratatui::layout::Rect;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use terminal::{graphics, probe};
use widgets::full_picture::{Placement, placement};

/// How long the blink view shows each of the two runs in focus.
pub const BLINK_INTERVAL: Duration = Duration::from_millis(600);

/// Settings of the loop.
#[derive(Clone, Debug)]
pub struct Options {
    /// How often and how much to draw while training.
    pub budget: LinkBudget,
    /// Where `e` and `g` write PNGs.
    pub samples_dir: PathBuf,
    /// Upscaling of exported pictures.
    pub export_scale: u32,
    /// The terminal's background when the user said; None asks the terminal.
    pub background: Option<Background>,
    /// Capture the mouse from the start.
    pub mouse: bool,
    /// Inside tmux (graphics protocols do not pass through).
    pub in_tmux: bool,
    /// Over ssh (replies take a network round trip).
    pub over_ssh: bool,
}

/// How the explorer ended.
#[derive(Debug)]
pub struct Outcome {
    /// The training thread's summary, if this explorer trained.
    pub training: Option<Result<Summary>>,
    /// Set when a signal or a lost terminal ended the explorer.
    pub interrupted: Option<String>,
}

/// Runs the explorer until the user quits: sets up the terminal, asks it what it can do,
/// reads keys on a thread, applies every event of `rx` to `app`, draws when something changed
/// (within the link budget, each frame one synchronized update), carries out the app's
/// effects, and restores the terminal on every way out (ratatui's panic hook covers panics,
/// with the mouse given back first). The worker, if any, is stopped afterwards, which saves
/// its checkpoint; dropping it during a panic does the same.
pub fn run(
    mut app: App,
    tx: Sender<Event>,
    rx: Receiver<Event>,
    mut worker: Option<Worker>,
    options: &Options,
) -> Result<Outcome> {
    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    give_back_the_mouse_on_panic();
    // crossterm writes no colour at all when NO_COLOR is set; the picture is content and
    // keeps its colours, the chrome leaves out its own (`Theme::plain`).
    crossterm::style::force_color_output(true);
    let looped = set_up(&mut terminal, &mut app, options)
        .and_then(|()| {
            event::spawn_input_thread(tx.clone()).context("cannot start the input thread")
        })
        .and_then(|()| event_loop(&mut terminal, &mut app, &tx, &rx, &mut worker, options));
    if app.view.mouse {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
    }
    if let Ok(protocol) = &app.capabilities.graphics {
        let _ = std::io::stdout().write_all(graphics::erase(*protocol));
    }
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

/// Asks the terminal for its background (unless the user chose) and graphics, before the
/// input thread reads the keyboard; turns on the mouse when asked.
fn set_up(terminal: &mut DefaultTerminal, app: &mut App, options: &Options) -> Result<()> {
    let replies = probe::ask(
        options.background.is_none(),
        probe::timeout(options.over_ssh),
    )
    .unwrap_or_default();
    app.view.theme.background = options
        .background
        .or(replies.background.map(terminal::background_of))
        .unwrap_or_default();
    let cell_pixels = replies.cell_pixels.or_else(|| {
        let size = crossterm::terminal::window_size().ok()?;
        (size.width > 0 && size.columns > 0 && size.rows > 0)
            .then(|| (size.width / size.columns, size.height / size.rows))
    });
    app.capabilities = Capabilities {
        graphics: graphics::choose(&replies, options.in_tmux),
        cell_pixels,
    };
    // A terminal that printed a query it did not understand gets a clean screen.
    clear(terminal)?;
    if options.mouse {
        execute!(terminal.backend_mut(), EnableMouseCapture).context("cannot capture the mouse")?;
        app.view.mouse = true;
    }
    Ok(())
}

/// Makes a panic give the mouse back to the terminal before ratatui's hook restores the rest.
fn give_back_the_mouse_on_panic() {
    let restore = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        restore(info);
    }));
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    tx: &Sender<Event>,
    rx: &Receiver<Event>,
    worker: &mut Option<Worker>,
    options: &Options,
) -> Result<LoopResult> {
    let mut pacer = FramePacer::new(options.budget.fps);
    let mut clock = PictureClock::new(options.budget.picture_interval);
    let mut full_picture = None;
    let mut stopped = None;
    let mut interrupted = None;
    // When the blink view next changes picture; None while it is not shown, so an idle
    // explorer still waits without a timeout.
    let mut next_blink: Option<Instant> = None;
    loop {
        let now = Instant::now();
        if app.output.behind && clock.wait(now).is_zero() {
            let cells = options.budget.picture_cells(app.view.color_mode);
            if app.catch_up_picture(cells) {
                pacer.mark_dirty();
            }
            clock.refreshed(now);
        }
        if pacer.should_draw(now) {
            draw(terminal, app)?;
            pacer.drawn(now);
            show_full_picture(terminal, app, &mut full_picture)?;
        }
        next_blink = app
            .is_blinking()
            .then(|| next_blink.unwrap_or(now + BLINK_INTERVAL));
        let now = Instant::now();
        let until_blink = next_blink.map(|t| t.saturating_duration_since(now));
        let until_picture = app.output.behind.then(|| clock.wait(now));
        let until_frame = [app.motion.next_frame_in(now), until_blink, until_picture]
            .into_iter()
            .flatten()
            .min();
        let wait = match (pacer.wait_time(now), until_frame) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let first = match wait {
            None => rx.recv().ok(),
            Some(wait) => match rx.recv_timeout(wait) {
                Ok(e) => Some(e),
                Err(RecvTimeoutError::Timeout) => {
                    if next_blink.is_some_and(|t| Instant::now() >= t) {
                        next_blink = Some(Instant::now() + BLINK_INTERVAL);
                        if app.update(Event::Blink) {
                            pacer.mark_dirty();
                        }
                    }
                    if app.advance_motion(Instant::now()) {
                        pacer.mark_dirty();
                    }
                    continue;
                }
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
            let person = matches!(event, Event::Key(_) | Event::Mouse(_) | Event::Resize);
            if let Event::Mouse(mouse) = event {
                point(terminal, app, mouse)?;
                pacer.mark_urgent();
            } else if app.update(event) {
                if person {
                    pacer.mark_urgent();
                } else {
                    pacer.mark_dirty();
                }
            }
        }
        for effect in std::mem::take(&mut app.effects) {
            if let Some(summary) = carry_out(effect, app, worker, tx, options) {
                stopped = Some(summary);
            }
            pacer.mark_urgent();
        }
        if app.advance_motion(Instant::now()) {
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
                    Shown(&s.run)
                )),
                Err(e) => Status::error(format!("{e:#}")),
            });
            return Some(summary);
        }
        Effect::ExportPng
        | Effect::ExportSheet
        | Effect::ExportAnimation
        | Effect::ExportTimelapse => spawn_export(app, effect, tx, options),
        Effect::ExportComparison => spawn_comparison_export(app, tx, options),
        Effect::Scrub(step) => {
            let frame = history_frame(app, step);
            let compared = match &frame {
                Ok(Some(shown)) => compared_history_frames(app, shown),
                _ => Vec::new(),
            };
            app.show_history(frame);
            app.show_compared_history(compared);
        }
        Effect::Mouse(on) => {
            let mut out = std::io::stdout();
            let done = if on {
                execute!(out, EnableMouseCapture)
            } else {
                execute!(out, DisableMouseCapture)
            };
            if let Err(e) = done {
                app.view.mouse = false;
                app.status = Some(Status::error(format!("cannot capture the mouse: {e}")));
            }
        }
    }
    None
}

/// A click or a scroll, found on the layout last drawn.
fn point(
    terminal: &DefaultTerminal,
    app: &mut App,
    mouse: crossterm::event::MouseEvent,
) -> Result<()> {
    let gesture = match mouse.kind {
        MouseEventKind::ScrollUp => Gesture::ScrollUp,
        MouseEventKind::ScrollDown => Gesture::ScrollDown,
        _ => Gesture::Click,
    };
    let size = terminal.size().context("cannot read the terminal's size")?;
    let area = Rect::new(0, 0, size.width, size.height);
    if let Some(target) = ui::target_at(app, area, mouse.column, mouse.row) {
        app.point(target, gesture);
    }
    Ok(())
}

/// Keeps the terminal's graphics in step with the full-resolution view: draws the still
/// picture into the frame's empty area when the view opens (or its scale or the screen's
/// size changes), and erases it, with a full redraw, when it closes or changes. `shown` is
/// where the picture is on screen now.
fn show_full_picture(
    terminal: &mut DefaultTerminal,
    app: &App,
    shown: &mut Option<Placement>,
) -> Result<()> {
    let size = terminal.size().context("cannot draw")?;
    let area = Rect::new(0, 0, size.width, size.height);
    let wanted = match app.overlay {
        Overlay::FullPicture(scale) => placement(app, area, scale),
        _ => None,
    };
    let Ok(protocol) = app.capabilities.graphics else {
        return Ok(());
    };
    if wanted == *shown {
        return Ok(());
    }
    if shown.is_some() {
        let out = terminal.backend_mut();
        out.write_all(graphics::erase(protocol))
            .context("cannot draw")?;
        clear(terminal)?;
        draw(terminal, app)?;
    }
    if let (Some(place), Some(still)) = (wanted, app.still.as_ref()) {
        let bytes = graphics::encode(protocol, still.upscaled(place.scale).as_image());
        let out = terminal.backend_mut();
        queue!(out, MoveTo(place.area.x, place.area.y)).context("cannot draw")?;
        out.write_all(&bytes).context("cannot draw")?;
        out.flush().context("cannot draw")?;
    }
    *shown = wanted;
    Ok(())
}

/// Clears the screen and makes the next frame draw every cell. Not `Terminal::clear`, which
/// asks the terminal for the cursor position: a reply the input thread would wait behind.
fn clear(terminal: &mut DefaultTerminal) -> Result<()> {
    use crossterm::terminal::{Clear, ClearType};
    execute!(terminal.backend_mut(), Clear(ClearType::All)).context("cannot draw")?;
    // Both buffers empty, as the screen now is.
    terminal.swap_buffers();
    Ok(())
}

/// Each compared run's picture of the training input `shown` shows, from its own history at
/// the same epoch or the newest before it; None for a run whose history has no such picture
/// (no history, another shape, no such training input).
fn compared_history_frames(app: &App, shown: &HistoryFrame) -> Vec<Option<HistoryFrame>> {
    let Some(comparison) = &app.comparison else {
        return Vec::new();
    };
    let stem = &app.samples[shown.sample].stem;
    comparison
        .runs
        .iter()
        .map(|r| {
            let sample = r.stems.iter().position(|s| s == stem)?;
            let history = History::open(&r.run.path.join(HISTORY_FILE)).ok()??;
            let shape = (r.run.width, r.run.height, r.run.channels);
            if !history.layout().holds(shape, sample) {
                return None;
            }
            let epochs: Vec<usize> = history.epochs().collect();
            let index = app::scrub::target(&epochs, Some(shown.epoch), Step::Stay)?;
            let bytes = history.picture(index, sample).ok()?;
            Some(HistoryFrame {
                epoch: epochs[index],
                index,
                count: epochs.len(),
                sample,
                values: export::bytes_to_values(&bytes),
            })
        })
        .collect()
}

/// What an animation export paints: the frames of the random walk that plays (from where it
/// started), or else of the path.
struct AnimationInputs {
    walk_start: Option<Vec<f32>>,
    waypoints: Vec<Vec<f32>>,
}

/// Frames of an exported random walk.
const EXPORTED_WALK_FRAMES: usize = 240;

fn animation_inputs(app: &App) -> AnimationInputs {
    let walk_start = match &app.motion.playing {
        Some(app::motion::Playing::Walk { start, .. }) => Some(start.clone()),
        _ => None,
    };
    AnimationInputs {
        walk_start,
        waypoints: app.motion.waypoints.clone(),
    }
}

impl AnimationInputs {
    /// The file stem, the inputs and the recipe of the animation.
    fn finish(self, recipe: Recipe, epoch: usize) -> (String, Vec<Vec<f32>>, Recipe) {
        use crate::render::motion::{path_frames, random_walk};
        match self.walk_start {
            Some(start) => {
                let kind = format!(
                    "random walk from {}, seed {}, {EXPORTED_WALK_FRAMES} steps, speed {}",
                    crate::render::recipe::format_vector(&start),
                    app::motion::WALK_SEED,
                    app::motion::WALK_STEP
                );
                let inputs = random_walk(
                    &start,
                    EXPORTED_WALK_FRAMES,
                    app::motion::WALK_STEP,
                    app::motion::WALK_SEED,
                );
                let recipe = Recipe {
                    kind: Some(kind),
                    ..recipe
                };
                (format!("walk-e{epoch}"), inputs, recipe)
            }
            None => {
                let t = app::motion::TIMING;
                let kind = format!(
                    "path, {} frames per leg, hold {}, ping-pong",
                    t.frames_per_leg, t.hold
                );
                let inputs = path_frames(&self.waypoints, t);
                let recipe = Recipe {
                    path: Some(self.waypoints),
                    kind: Some(kind),
                    ..recipe
                };
                (format!("path-e{epoch}"), inputs, recipe)
            }
        }
    }
}

/// The picture of the history that `step` leads to for the shown training input (None:
/// the live picture), read from the run's `history.bin`. A few hundred kilobytes at most are
/// read, on a key press, so the UI thread does it.
fn history_frame(app: &App, step: Step) -> Result<Option<HistoryFrame>, String> {
    let Some(sample) = app.matching_sample() else {
        return Ok(None);
    };
    let path = app.run.path.join(HISTORY_FILE);
    let history = match History::open(&path) {
        Ok(Some(h)) if !h.is_empty() => h,
        Ok(_) => return Err("this run has no picture history yet".into()),
        Err(e) => return Err(format!("{e:#}")),
    };
    let shape = (app.run.width, app.run.height, app.run.channels);
    if !history.layout().holds(shape, sample) {
        return Err(format!("{}: holds pictures of another shape", Shown(&path)));
    }
    let epochs: Vec<usize> = history.epochs().collect();
    let Some(index) = app::scrub::target(&epochs, app.scrub.epoch(), step) else {
        return Ok(None);
    };
    let bytes = history
        .picture(index, sample)
        .map_err(|e| format!("{e:#}"))?;
    Ok(Some(HistoryFrame {
        epoch: epochs[index],
        index,
        count: epochs.len(),
        sample,
        values: export::bytes_to_values(&bytes),
    }))
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

/// Writes every run's picture side by side on a thread; the result comes back as an
/// `Event::Status`.
fn spawn_comparison_export(app: &App, tx: &Sender<Event>, options: &Options) {
    let Some(comparison) = &app.comparison else {
        return;
    };
    let map = app.view.color_map;
    let mut runs = vec![export::ComparedPicture {
        header: header_lines(&app.run, app.output.epoch, None),
        net: app.output.net.clone(),
        spec: PictureSpec::of(&app.run, map),
    }];
    runs.extend(comparison.runs.iter().map(|r| export::ComparedPicture {
        header: header_lines(&r.run, r.output.epoch, r.problem.as_deref()),
        net: r.output.net.clone().filter(|_| r.problem.is_none()),
        spec: PictureSpec::of(&r.run, map),
    }));
    let target = app.matching_sample().and_then(|i| {
        let run = &app.run;
        let t = &app.samples[i].target;
        crate::render::Picture::from_output(t, run.width, run.height, run.channels, map)
    });
    let input = app.inputs.buttons.clone();
    let names: Vec<String> = std::iter::once(&app.run)
        .chain(comparison.runs.iter().map(|r| &r.run))
        .map(|r| Shown(&r.path).to_string())
        .collect();
    let recipe = comparison_recipe(&names, None, map);
    let (dir, scale) = (options.samples_dir.clone(), options.export_scale.max(1));
    let done = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("nnimg-export".into())
        .spawn(move || {
            let result = export::export_comparison(&runs, &input, target, scale, &dir, &recipe);
            let _ = done.send(Event::Status(export::status_of(result)));
        });
    if let Err(e) = spawned {
        let _ = tx.send(Event::Status(Status::error(format!(
            "cannot start the export: {e}"
        ))));
    }
}

/// A run's column header in a side-by-side export: name, preset (unless it is the name)
/// and epoch, or that it cannot be read.
fn header_lines(run: &app::RunInfo, epoch: usize, problem: Option<&str>) -> Vec<String> {
    let mut lines = vec![run.name.clone()];
    if problem.is_some() {
        lines.push("cannot be read".into());
        return lines;
    }
    if run.preset != run.name {
        lines.push(run.preset.clone());
    }
    lines.push(format!("epoch {epoch}"));
    lines
}

/// Exports on a thread; the result comes back as an `Event::Status`.
fn spawn_export(app: &App, effect: Effect, tx: &Sender<Event>, options: &Options) {
    let Some(net) = app.output.net.as_ref().map(Arc::clone) else {
        return;
    };
    let spec = PictureSpec::of(&app.run, app.view.color_map);
    let input = app.inputs.buttons.clone();
    let animation = animation_inputs(app);
    let (fps, sample) = (app.motion.fps(), app.matching_sample().unwrap_or(0));
    let history = app.run.path.join(HISTORY_FILE);
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
            let result = match effect {
                Effect::ExportSheet => export::export_sheet(&net, &spec, &dir, &recipe),
                Effect::ExportAnimation => {
                    let (stem, inputs, recipe) = animation.finish(recipe, epoch);
                    export::export_animation(&net, &inputs, &spec, fps, &dir, &stem, &recipe)
                }
                Effect::ExportTimelapse => export::export_timelapse(
                    &history, sample, &net, &input, &spec, fps, &dir, &recipe,
                ),
                _ => export::export_png(&net, &input, &spec, scale, &dir, &recipe),
            };
            let _ = done.send(Event::Status(export::status_of(result)));
        });
    if let Err(e) = spawned {
        let _ = tx.send(Event::Status(Status::error(format!(
            "cannot start the export: {e}"
        ))));
    }
}
