//! [`App`]: everything the explorer shows, as plain data grouped by concept, and
//! [`App::update`], the one place events change it. No terminal in here: key handling is
//! tested by feeding events to an `App`, or by calling its intent methods directly.
//!
//! The state, by concept: the run's fixed facts ([`RunInfo`], the training samples),
//! [`Inputs`] (the buttons), [`RunStatus`] (mode, chart history, rate, times), [`ViewOptions`]
//! (how things are drawn), [`Output`] (the weights and their output for the buttons) and the
//! [`Overlay`] (help or the quit dialog). A key becomes an [`Action`] through the table in
//! `tui::keys`, and each action is one small intent method here (`toggle_input`,
//! `nudge_input`, `export_picture`, …).
//!
//! What an event asks of the outside world (a command to the worker, a PNG export) is left in
//! [`App::effects`] for the loop in `tui.rs` to carry out.

pub mod comparison;
pub mod inputs;
pub mod motion;
pub mod output;
pub mod run_status;
pub mod scrub;

use super::event::{Event, Status};
use super::keys::{Action, action_for};
use super::terminal::graphics::Protocol;
use super::theme::Theme;
use crate::data::Sample;
use crate::net::Network;
use crate::render::Picture;
use crate::render::color::ColorMode;
use crate::render::pixels::ColorMap;
use crate::shown::Shown;
use crate::train::TrainConfig;
use crate::train::run_dir::RunDir;
use crate::train::update::Update;
use crate::train::worker::Command;
pub use comparison::{CompareView, ComparedRun, Comparison};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
pub use inputs::{Inputs, WEIGHT_STEP};
pub use motion::Motion;
pub use output::Output;
pub use run_status::{Mode, RunStatus, Watched};
pub use scrub::{HistoryFrame, Scrub, Step};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// What is drawn over the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    /// "Stop and save, quit, or cancel?"
    Quit,
    /// The picture at full resolution through the terminal's graphics protocol, enlarged
    /// this many times (see [`App::still`]).
    FullPicture(u32),
}

/// Largest enlargement of the full-resolution view.
pub const MAX_FULL_SCALE: u32 = 8;

/// Where a click or a scroll landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Input button `i`.
    Button(usize),
    /// The row of training sample `i` in the per-image errors.
    Sample(usize),
}

/// What the mouse did there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gesture {
    Click,
    ScrollUp,
    ScrollDown,
}

/// Work for the loop outside the app state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Worker(Command),
    /// End the training thread (it saves a checkpoint) but keep exploring.
    StopTraining,
    /// Write the current output as a PNG.
    ExportPng,
    /// Write the contact sheet of all button combinations.
    ExportSheet,
    /// Capture the mouse (true) or give it back to the terminal.
    Mouse(bool),
    /// Write every compared run's picture side by side.
    ExportComparison,
    /// Write the path or the random walk as an animation.
    ExportAnimation,
    /// Write the shown training input's picture history as an animation.
    ExportTimelapse,
    /// Show another picture of the history (read by the loop, then `show_history`).
    Scrub(Step),
}

/// The run being shown.
#[derive(Clone, Debug, PartialEq)]
pub struct RunInfo {
    pub name: String,
    pub path: PathBuf,
    pub preset: String,
    /// Layer sizes, input first.
    pub layers: Vec<usize>,
    pub width: u32,
    pub height: u32,
    /// 1 for greyscale, 3 for colour.
    pub channels: usize,
    pub total_epochs: usize,
}

impl RunInfo {
    /// What the header shows of the run in `run` with settings `config`; the names are
    /// escaped for the screen (see [`Shown`]).
    pub fn new(run: &RunDir, config: &TrainConfig) -> Self {
        RunInfo {
            name: run.name(),
            path: run.path().to_path_buf(),
            preset: Shown(&config.preset).to_string(),
            layers: config.layers.clone(),
            width: config.width,
            height: config.height,
            channels: config.channels(),
            total_epochs: config.epochs,
        }
    }
}

/// How the dashboard draws things; only keys change it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewOptions {
    /// How greyscale outputs are coloured.
    pub color_map: ColorMap,
    /// What colours the terminal shows.
    pub color_mode: ColorMode,
    /// The error chart shows the recent epochs only.
    pub recent_only: bool,
    /// The error chart adds a smoothed line.
    pub smoothing: bool,
    /// The chrome's colours (light or dark background, or none).
    pub theme: Theme,
    /// Clicks and scrolls reach the explorer (mouse capture is on).
    pub mouse: bool,
}

/// What the terminal can do beyond text, learned once at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// The graphics protocol for the full-resolution view, or why there is none.
    pub graphics: Result<Protocol, String>,
    /// A cell's size in pixels (width, height), when the terminal said.
    pub cell_pixels: Option<(u16, u16)>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            graphics: Err("the terminal was not asked about graphics".into()),
            cell_pixels: None,
        }
    }
}

/// The explorer's state.
#[derive(Debug)]
pub struct App {
    pub run: RunInfo,
    /// Training samples (stem, input, target); targets may be empty when the images were not
    /// found (a watched run on another machine's paths).
    pub samples: Vec<Sample>,
    pub inputs: Inputs,
    pub run_status: RunStatus,
    pub view: ViewOptions,
    pub output: Output,
    /// The animation: path, random walk, speed.
    pub motion: Motion,
    /// The picture history shown instead of the live output, if scrubbed.
    pub scrub: Scrub,
    pub overlay: Overlay,
    /// The picture the full-resolution view shows: the output when it was opened.
    pub still: Option<Picture>,
    pub capabilities: Capabilities,
    /// The runs shown beside this one (`--compare`), if any.
    pub comparison: Option<Comparison>,
    /// One line for the user: what a key did, or what went wrong.
    pub status: Option<Status>,
    /// Why this explorer cannot train the run, when it had to open it read-only (another
    /// user's run, a read-only mount) rather than because `--watch` asked for it.
    pub read_only: Option<String>,
    pub should_quit: bool,
    pub effects: Vec<Effect>,
}

impl App {
    /// A new explorer for `run` in `mode`, with the run's training samples.
    pub fn new(run: RunInfo, mode: Mode, samples: Vec<Sample>, color_mode: ColorMode) -> Self {
        let inputs = Inputs::new(run.layers.first().copied().unwrap_or(0));
        App {
            run,
            samples,
            inputs,
            run_status: RunStatus::new(mode),
            view: ViewOptions {
                color_map: ColorMap::Grey,
                color_mode,
                recent_only: false,
                smoothing: false,
                theme: Theme::DARK,
                mouse: false,
            },
            output: Output::default(),
            motion: Motion::default(),
            scrub: Scrub::default(),
            overlay: Overlay::None,
            still: None,
            capabilities: Capabilities::default(),
            comparison: None,
            status: None,
            read_only: None,
            should_quit: false,
            effects: Vec::new(),
        }
    }

    /// The latest epoch known: from the history, or the weights when there is none.
    pub fn epoch(&self) -> usize {
        (self.run_status.history.last_epoch()).max(self.output.epoch)
    }

    /// Seconds to the epoch total at the current rate.
    pub fn eta_seconds(&self) -> Option<f64> {
        let left = self.run.total_epochs.saturating_sub(self.epoch());
        self.run_status.epochs_per_sec().map(|r| left as f64 / r)
    }

    /// The training sample whose input equals the buttons.
    pub fn matching_sample(&self) -> Option<usize> {
        self.inputs.matching(&self.samples)
    }

    fn set_status(&mut self, text: impl Into<String>, is_error: bool) {
        self.status = Some(Status {
            text: text.into(),
            is_error,
        });
    }

    /// Applies one event; returns true when the screen needs a redraw.
    pub fn update(&mut self, event: Event) -> bool {
        match event {
            Event::Key(key) => self.on_key(&key),
            // Found on the layout by the loop (`ui::target_at`), which calls `point`.
            Event::Mouse(_) => {}
            Event::Resize => {}
            Event::Training(update) => self.on_update(update),
            Event::Compared { run, update } => {
                let buttons = &self.inputs.buttons;
                if let Some(r) = (self.comparison.as_mut()).and_then(|c| c.runs.get_mut(run)) {
                    r.apply(update, buttons);
                }
            }
            Event::Blink => return self.blink(),
            Event::Status(status) => self.status = Some(status),
            Event::Quit(_) => self.should_quit = true,
        }
        true
    }

    /// True while the blink view is shown: the loop then sends [`Event::Blink`] at the
    /// blink rate.
    pub fn is_blinking(&self) -> bool {
        (self.comparison.as_ref()).is_some_and(|c| c.view == CompareView::Blink)
    }

    /// The blink view's next picture; false (nothing to redraw) when it is not shown.
    fn blink(&mut self) -> bool {
        match &mut self.comparison {
            Some(c) if c.view == CompareView::Blink => {
                c.blink_on_b = !c.blink_on_b;
                true
            }
            _ => false,
        }
    }

    fn on_key(&mut self, key: &KeyEvent) {
        let action = action_for(key);
        match self.overlay {
            Overlay::Help => {
                if action == Some(Action::SaveAndQuit) {
                    self.should_quit = true;
                }
                self.overlay = Overlay::None;
            }
            Overlay::Quit => self.on_quit_dialog_key(key),
            Overlay::FullPicture(scale) => self.on_full_picture_key(scale, key),
            Overlay::None => {
                if let Some(action) = action {
                    self.status = None;
                    self.perform(action, key);
                }
            }
        }
    }

    /// Carries out `action`, bound to `key` (whose digit names the input to toggle).
    fn perform(&mut self, action: Action, key: &KeyEvent) {
        match action {
            Action::ToggleButton => {
                if let KeyCode::Char(c) = key.code
                    && let Some(d) = c.to_digit(10)
                {
                    self.toggle_input(d as usize - 1);
                }
            }
            Action::CursorPrev => self.inputs.select_previous(),
            Action::CursorNext => self.inputs.select_next(),
            Action::Increase => self.nudge_input(WEIGHT_STEP),
            Action::Decrease => self.nudge_input(-WEIGHT_STEP),
            Action::ClearButtons => self.clear_inputs(),
            Action::RandomButtons => self.random_inputs(),
            Action::NextTrainingInput => self.next_training_input(),
            Action::PauseResume => self.pause_or_resume(),
            Action::Checkpoint => self.checkpoint_now(),
            Action::ToggleRecent => self.view.recent_only = !self.view.recent_only,
            Action::ToggleSmoothing => self.view.smoothing = !self.view.smoothing,
            Action::NextColorMap => self.next_color_map(),
            Action::ExportPng => self.export_picture(),
            Action::ExportSheet => self.export_sheet(),
            Action::FullPicture => self.open_full_picture(),
            Action::ToggleMouse => self.toggle_mouse(),
            Action::DifferenceView => self.compare_view(CompareView::Difference),
            Action::BlinkView => self.compare_view(CompareView::Blink),
            Action::NextFocus => {
                if let Some(c) = self.comparison_or_say() {
                    c.next_focus();
                }
            }
            Action::NextPanes => {
                if let Some(c) = self.comparison_or_say() {
                    c.next_panes();
                }
            }
            Action::AddWaypoint => self.add_waypoint(),
            Action::RemoveWaypoint => self.remove_waypoint(),
            Action::ClearPath => self.clear_path(),
            Action::PlayPath => self.play_or_stop_path(Instant::now()),
            Action::RandomWalk => self.random_walk(Instant::now()),
            Action::Faster => self.change_speed(true),
            Action::Slower => self.change_speed(false),
            Action::ExportAnimation => self.export_animation(),
            Action::HistoryBack => self.scrub_history(Step::Back),
            Action::HistoryForward => self.scrub_history(Step::Forward),
            Action::HistoryFirst => self.scrub_history(Step::First),
            Action::HistoryLatest => self.scrub_history(Step::Latest),
            Action::ExportTimelapse => self.export_timelapse(),
            Action::Help => self.overlay = Overlay::Help,
            Action::Quit => self.overlay = Overlay::Quit,
            Action::SaveAndQuit => self.should_quit = true,
        }
    }

    /// The quit dialog's keys: `s` stop training and keep exploring, `q`/`y`/Enter quit
    /// (saving), Esc/`n`/`c` cancel. Ctrl-C quits.
    fn on_quit_dialog_key(&mut self, key: &KeyEvent) {
        use KeyCode::{Char, Enter, Esc};
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            if key.code == Char('c') {
                self.should_quit = true;
            }
            return;
        }
        match key.code {
            Char('q') | Char('y') | Enter => self.should_quit = true,
            Char('s') if self.run_status.mode.owns_training() => {
                self.effects.push(Effect::StopTraining);
                self.overlay = Overlay::None;
            }
            Esc | Char('n') | Char('c') => self.overlay = Overlay::None,
            _ => {}
        }
    }

    /// The full-resolution view's keys: `+`/`-` or a digit change the scale, any other key
    /// returns to the dashboard. Ctrl-C quits.
    fn on_full_picture_key(&mut self, scale: u32, key: &KeyEvent) {
        use KeyCode::Char;
        let scale = match (action_for(key), key.code) {
            (Some(Action::SaveAndQuit), _) => {
                self.should_quit = true;
                None
            }
            (Some(Action::Increase), _) => Some(scale + 1),
            (Some(Action::Decrease), _) => Some(scale.saturating_sub(1)),
            (_, Char(c)) => c.to_digit(10),
            _ => None,
        };
        match scale {
            Some(k) if k >= 1 => self.overlay = Overlay::FullPicture(k.min(MAX_FULL_SCALE)),
            Some(_) => {}
            None => {
                self.overlay = Overlay::None;
                self.still = None;
            }
        }
    }

    /// Shows the picture on screen (the output, or the history's picture when scrubbed) at
    /// full resolution when the terminal has a graphics protocol; says why not otherwise.
    pub fn open_full_picture(&mut self) {
        if let Err(why) = &self.capabilities.graphics {
            let why = why.clone();
            self.set_status(why, true);
            return;
        }
        let picture = match &self.scrub.shown {
            Some(frame) => self.picture_of(&frame.values),
            None => self.output_picture(),
        };
        match picture {
            Some(picture) => {
                self.still = Some(picture);
                self.overlay = Overlay::FullPicture(1);
            }
            None => self.set_status("no weights yet", true),
        }
    }

    /// Turns mouse capture on or off (it takes text selection away while on).
    pub fn toggle_mouse(&mut self) {
        self.view.mouse = !self.view.mouse;
        self.effects.push(Effect::Mouse(self.view.mouse));
        let text = if self.view.mouse {
            "mouse on: click a button or a training image, scroll on a button (m turns it off)"
        } else {
            "mouse off: the terminal selects text again"
        };
        self.set_status(text, false);
    }

    /// A click or a scroll on `target`: a click toggles a button or shows a training image;
    /// scrolling on a button raises or lowers it by a step.
    pub fn point(&mut self, target: Target, gesture: Gesture) {
        if self.overlay != Overlay::None {
            return;
        }
        self.status = None;
        match (target, gesture) {
            (Target::Button(i), Gesture::Click) => self.toggle_input(i),
            (Target::Button(i), Gesture::ScrollUp | Gesture::ScrollDown) => {
                if i < self.inputs.buttons.len() {
                    self.inputs.cursor = i;
                    let up = gesture == Gesture::ScrollUp;
                    self.nudge_input(if up { WEIGHT_STEP } else { -WEIGHT_STEP });
                }
            }
            (Target::Sample(i), Gesture::Click) => {
                if self.inputs.take_training(i, &self.samples) {
                    self.inputs_changed();
                }
            }
            (Target::Sample(_), _) => {}
        }
    }

    /// Toggles input `i` (0-based) between 0 and 1 and selects it.
    pub fn toggle_input(&mut self, i: usize) {
        if self.inputs.toggle(i) {
            self.inputs_changed();
        } else {
            let n = self.inputs.buttons.len();
            self.set_status(format!("this network has {n} inputs"), true);
        }
    }

    /// Raises (or lowers, for a negative `delta`) the selected input, within 0..=1.
    pub fn nudge_input(&mut self, delta: f32) {
        if self.inputs.nudge(delta) {
            self.inputs_changed();
        }
    }

    /// Sets every input to 0.
    pub fn clear_inputs(&mut self) {
        self.inputs.clear();
        self.inputs_changed();
    }

    /// Random input weights on the 0.1 grid.
    pub fn random_inputs(&mut self) {
        self.inputs.randomize();
        self.inputs_changed();
    }

    /// The next training sample's input, so its target shows beside the output.
    pub fn next_training_input(&mut self) {
        match self.inputs.next_training(&self.samples) {
            Some(_) => self.inputs_changed(),
            None => self.set_status("no training inputs are known for this run", true),
        }
    }

    /// The user changed the buttons: an animation stops, and a scrubbed history shows the
    /// same epoch for the new training input (or gives way to the live picture).
    fn inputs_changed(&mut self) {
        if self.motion.is_playing() {
            self.motion.stop();
        }
        self.output.refresh(&self.inputs.buttons);
        self.show_output_now();
        self.refresh_compared();
        if self.scrub.shown.is_some() {
            if self.matching_sample().is_some() {
                self.effects.push(Effect::Scrub(Step::Stay));
            } else {
                self.scrub.follow_live();
            }
        }
    }

    /// The network's output for the buttons as a picture (None before the first weights).
    pub fn output_picture(&self) -> Option<Picture> {
        self.picture_of(&self.output.values)
    }

    /// An output `y` of this run's network as a picture in the current colour map (None when
    /// it does not fit the run's size).
    pub fn picture_of(&self, y: &[f32]) -> Option<Picture> {
        let run = &self.run;
        Picture::from_output(y, run.width, run.height, run.channels, self.view.color_map)
    }

    /// The screen shows the output whole at the next frame: a person asked for it.
    fn show_output_now(&mut self) {
        if let Some(picture) = self.output_picture() {
            self.output.shown.show(picture.as_image());
            self.output.behind = false;
        }
    }

    /// Moves the shown picture toward the output by at most `max_cells` cells, biggest
    /// changes first; returns true when the screen changed. Called by the loop at the
    /// picture's own pace while training.
    pub fn catch_up_picture(&mut self, max_cells: usize) -> bool {
        if !self.output.behind {
            return false;
        }
        let Some(picture) = self.output_picture() else {
            self.output.behind = false;
            return false;
        };
        let step = self.output.shown.approach(picture.as_image(), max_cells);
        self.output.behind = step.pending;
        step.cells > 0
    }

    /// What the output pane draws: the output as the screen shows it.
    pub fn shown_picture(&self) -> Option<Picture> {
        (self.output.shown.image()).map(|img| Picture::from_image(img.clone()))
    }

    /// Sets the buttons to `input` (from a picture's recipe); says why not when it does not
    /// fit the network.
    pub fn start_with_inputs(&mut self, input: &[f32]) -> Result<(), String> {
        let n = self.inputs.buttons.len();
        if input.len() != n {
            return Err(format!(
                "its input has {} values, the network has {n} inputs",
                input.len()
            ));
        }
        self.inputs.buttons = input.to_vec();
        self.output.refresh(&self.inputs.buttons);
        self.show_output_now();
        self.refresh_compared();
        Ok(())
    }

    /// Adds the buttons as the path's last waypoint.
    pub fn add_waypoint(&mut self) {
        if self.motion.add_waypoint(&self.inputs.buttons) {
            let n = self.motion.waypoints.len();
            let stem = crate::data::format_stem(&self.inputs.buttons);
            let next = if n >= 2 {
                "p plays the path"
            } else {
                "add another, then p plays the path"
            };
            self.set_status(format!("waypoint {n}: {stem}; {next}"), false);
        } else if self.motion.waypoints.len() >= motion::MAX_WAYPOINTS {
            self.set_status(
                format!("a path holds at most {} waypoints", motion::MAX_WAYPOINTS),
                true,
            );
        } else {
            self.set_status("that is the last waypoint already", true);
        }
    }

    /// Removes the path's last waypoint.
    pub fn remove_waypoint(&mut self) {
        if self.motion.remove_waypoint() {
            let n = self.motion.waypoints.len();
            self.set_status(format!("last waypoint removed; {n} left"), false);
        } else {
            self.set_status("the path has no waypoints", true);
        }
    }

    /// Forgets the path (and stops it if it plays).
    pub fn clear_path(&mut self) {
        if matches!(self.motion.playing, Some(motion::Playing::Path { .. })) {
            self.motion.stop();
        }
        self.motion.clear_waypoints();
        self.set_status("path cleared", false);
    }

    /// Plays the path from its first waypoint, or stops what plays.
    pub fn play_or_stop_path(&mut self, now: Instant) {
        if self.motion.is_playing() {
            self.motion.stop();
            self.set_status("animation stopped", false);
        } else if self.motion.play_path(now) {
            self.scrub.follow_live();
        } else {
            self.set_status(
                "a path needs two waypoints: m adds the buttons as one",
                true,
            );
        }
    }

    /// Starts a random walk from the buttons, or stops it.
    pub fn random_walk(&mut self, now: Instant) {
        if matches!(self.motion.playing, Some(motion::Playing::Walk { .. })) {
            self.motion.stop();
            self.set_status("random walk stopped", false);
        } else if !self.inputs.buttons.is_empty() {
            self.motion.play_walk(&self.inputs.buttons, now);
            self.scrub.follow_live();
        }
    }

    /// Plays animations one step faster (`up`) or slower.
    pub fn change_speed(&mut self, up: bool) {
        self.motion.change_speed(up);
        self.set_status(
            format!("animation speed {} frames/s", self.motion.fps()),
            false,
        );
    }

    /// Shows the next frame of the animation when one is due at `now`; true when it did.
    pub fn advance_motion(&mut self, now: Instant) -> bool {
        match self.motion.advance(now) {
            Some(input) if input.len() == self.inputs.buttons.len() => {
                self.inputs.buttons = input;
                self.output.refresh(&self.inputs.buttons);
                self.show_output_now();
                self.refresh_compared();
                true
            }
            _ => false,
        }
    }

    /// Asks the loop to write the random walk that plays, or else the path, as an animation.
    pub fn export_animation(&mut self) {
        let walking = matches!(self.motion.playing, Some(motion::Playing::Walk { .. }));
        if self.output.net.is_none() {
            self.set_status("no weights yet", true);
        } else if !walking && self.motion.waypoints.len() < 2 {
            self.set_status(
                "nothing to animate: m adds waypoints for a path, W starts a random walk",
                true,
            );
        } else {
            self.effects.push(Effect::ExportAnimation);
            self.set_status("exporting the animation…", false);
        }
    }

    /// Asks the loop for another picture of the history of the shown training input.
    pub fn scrub_history(&mut self, step: Step) {
        if self.matching_sample().is_none() {
            self.set_status(
                "the history keeps the training inputs' pictures: t shows one",
                true,
            );
        } else {
            self.motion.stop();
            self.effects.push(Effect::Scrub(step));
        }
    }

    /// Shows `frame` of the history, or the live picture for None; `Err` says why there is
    /// nothing to show.
    pub fn show_history(&mut self, frame: Result<Option<HistoryFrame>, String>) {
        match frame {
            Ok(Some(frame)) => self.scrub.shown = Some(frame),
            Ok(None) => self.scrub.follow_live(),
            Err(why) => {
                self.scrub.follow_live();
                self.set_status(why, true);
            }
        }
    }

    /// The compared runs' history pictures for the frame shown (one per compared run, None
    /// where a run's history has none).
    pub fn show_compared_history(&mut self, frames: Vec<Option<HistoryFrame>>) {
        self.scrub.compared = frames;
    }

    /// Asks the loop to write the shown training input's history as an animation.
    pub fn export_timelapse(&mut self) {
        if self.matching_sample().is_none() {
            self.set_status(
                "a timelapse shows a training input forming: t shows one",
                true,
            );
        } else {
            self.effects.push(Effect::ExportTimelapse);
            self.set_status("exporting the timelapse…", false);
        }
    }

    /// The compared runs' pictures for new buttons (all panes follow the buttons, whoever
    /// moves them: a key, an animation, a picture's recipe).
    fn refresh_compared(&mut self) {
        if let Some(c) = &mut self.comparison {
            c.refresh(&self.inputs.buttons);
        }
    }

    /// The comparison, or a status line saying there is none.
    fn comparison_or_say(&mut self) -> Option<&mut Comparison> {
        if self.comparison.is_none() {
            self.set_status(
                "no runs to compare: open one beside this with `--compare DIR`",
                true,
            );
        }
        self.comparison.as_mut()
    }

    /// Shows `view` of the compared runs, or the panes again when it is shown.
    pub fn compare_view(&mut self, view: CompareView) {
        if let Some(c) = self.comparison_or_say() {
            c.toggle_view(view);
        }
    }

    /// Pauses a training run, resumes a paused (or finished) one; says why not otherwise.
    pub fn pause_or_resume(&mut self) {
        if self.run_status.reading_log && self.run_status.mode != Mode::Training {
            let epoch = self.run_status.history.last_epoch();
            let text = format!(
                "reading the run's log (epoch {epoch} so far); Space works once it is read"
            );
            self.set_status(text, true);
            return;
        }
        match self.run_status.mode {
            Mode::Training => self.effects.push(Effect::Worker(Command::Pause)),
            Mode::Paused | Mode::Done => self.effects.push(Effect::Worker(Command::Resume)),
            Mode::Watching(_) => {
                let why = self.read_only.as_deref();
                let why = why.unwrap_or("watching another process's run: read-only");
                self.set_status(why.to_string(), true)
            }
            Mode::Stopped => self.set_status(
                "training was stopped; reopen the run with `nnimg explore --run DIR` to continue",
                true,
            ),
            Mode::Failed => self.set_status("training failed; see above", true),
            Mode::Starting => {}
        }
    }

    /// Asks the worker for a checkpoint now.
    pub fn checkpoint_now(&mut self) {
        let mode = self.run_status.mode;
        if mode.owns_training() || mode == Mode::Done {
            self.effects.push(Effect::Worker(Command::Checkpoint));
        } else {
            self.set_status("no training here to checkpoint", true);
        }
    }

    /// The next colour map, for greyscale networks.
    pub fn next_color_map(&mut self) {
        if self.run.channels == 1 {
            self.view.color_map = self.view.color_map.next();
            self.show_output_now();
        } else {
            self.set_status("colour maps apply to greyscale networks only", true);
        }
    }

    /// Asks the loop to write the picture on screen as a PNG: every run's side by side
    /// when comparing.
    pub fn export_picture(&mut self) {
        if self.output.net.is_none() {
            self.set_status("no weights yet", true);
        } else if self.comparison.is_some() {
            self.effects.push(Effect::ExportComparison);
            self.set_status("exporting the runs side by side…", false);
        } else {
            self.effects.push(Effect::ExportPng);
            self.set_status("exporting…", false);
        }
    }

    /// Asks the loop to write the contact sheet of every button combination.
    pub fn export_sheet(&mut self) {
        if self.output.net.is_none() {
            self.set_status("no weights yet", true);
        } else {
            self.effects.push(Effect::ExportSheet);
            self.set_status("exporting the grid…", false);
        }
    }

    /// New weights: keep them, and recompute the output; the screen catches up with it at
    /// the picture's pace (the first picture shows whole).
    pub fn set_weights(&mut self, net: Arc<Network>, epoch: usize) {
        self.output.set_weights(net, epoch, &self.inputs.buttons);
        if self.output.shown.image().is_none() {
            self.show_output_now();
        } else {
            self.output.behind = true;
        }
    }

    fn on_update(&mut self, update: Update) {
        match update {
            Update::Progress(p) => self.run_status.add_progress(p),
            Update::Weights { net, epoch } => {
                if net.layers() == self.run.layers.as_slice() {
                    self.set_weights(net, epoch);
                } else {
                    self.set_status("the checkpoint's layers do not match run.json", true);
                }
            }
            Update::State(state) => {
                self.run_status.set_state(state);
                // Paused or finished: the screen shows the last weights' picture whole, once,
                // rather than catching up over the next seconds.
                if !matches!(
                    self.run_status.mode,
                    Mode::Training | Mode::Watching(Watched::Training)
                ) {
                    self.show_output_now();
                }
            }
            Update::Saved { epoch } => {
                self.set_status(format!("checkpoint saved at epoch {epoch}"), false)
            }
            Update::Failed(e) => self.set_status(e, true),
            Update::LogRead => self.run_status.reading_log = false,
            Update::Watched(w) => {
                self.run.total_epochs = w.total_epochs;
                self.run_status.set_watched(w);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::net::init::init_network;
    use crate::train::history::Point;
    use crate::train::schedule::Halving;
    use crate::train::update::{self, Progress, WorkerState};
    use KeyCode::{Char, Esc, Left, Right};

    fn key(c: char) -> Event {
        Event::Key(KeyEvent::new(Char(c), KeyModifiers::NONE))
    }

    fn code(code: KeyCode) -> Event {
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    /// An explorer of a 3 → 4 → 2×2 greyscale network with seeded weights and two training
    /// samples; also drawn by the widgets' tests.
    pub(crate) fn app() -> App {
        let run = RunInfo {
            name: "test-1".into(),
            path: "runs/test-1".into(),
            preset: "custom".into(),
            layers: vec![3, 4, 4],
            width: 2,
            height: 2,
            channels: 1,
            total_epochs: 100,
        };
        let samples = vec![
            Sample {
                stem: "100".into(),
                input: vec![1.0, 0.0, 0.0],
                target: vec![1.0, 0.0, 0.0, 1.0],
            },
            Sample {
                stem: "010".into(),
                input: vec![0.0, 1.0, 0.0],
                target: vec![0.0, 1.0, 1.0, 0.0],
            },
        ];
        let mut app = App::new(run, Mode::Training, samples, ColorMode::TrueColor);
        app.set_weights(Arc::new(init_network(&[3, 4, 4], 1)), 0);
        app
    }

    #[test]
    fn digit_keys_toggle_their_input() {
        let mut app = app();
        app.update(key('2'));
        assert_eq!(app.inputs.buttons, [0.0, 1.0, 0.0]);
        assert_eq!(app.inputs.cursor, 1);
        app.update(key('2'));
        assert_eq!(app.inputs.buttons, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn a_digit_beyond_the_inputs_says_so() {
        let mut app = app();
        app.update(key('9'));
        assert_eq!(app.inputs.buttons, [0.0, 0.0, 0.0]);
        assert!(app.status.as_ref().is_some_and(|s| s.is_error));
    }

    #[test]
    fn plus_and_minus_step_the_selected_input_within_0_and_1() {
        let mut app = app();
        app.update(code(Right));
        app.update(key('+'));
        app.update(key(']'));
        assert_eq!(app.inputs.buttons, [0.0, 0.2, 0.0]);
        for _ in 0..15 {
            app.update(key('+'));
        }
        assert_eq!(app.inputs.buttons[1], 1.0);
        for _ in 0..15 {
            app.update(key('['));
        }
        assert_eq!(app.inputs.buttons[1], 0.0);
    }

    #[test]
    fn the_cursor_wraps_around() {
        let mut app = app();
        app.update(code(Left));
        assert_eq!(app.inputs.cursor, 2);
        app.update(key('l'));
        app.update(key('j'));
        assert_eq!(app.inputs.cursor, 1);
    }

    #[test]
    fn t_cycles_training_inputs_and_shows_their_target() {
        let mut app = app();
        app.update(key('t'));
        assert_eq!(app.inputs.buttons, [1.0, 0.0, 0.0]);
        assert_eq!(app.matching_sample(), Some(0));
        app.update(key('t'));
        assert_eq!(app.matching_sample(), Some(1));
        app.update(key('t'));
        assert_eq!(app.matching_sample(), Some(0));
        app.update(key('0'));
        assert_eq!(app.inputs.buttons, [0.0, 0.0, 0.0]);
        assert_eq!(app.matching_sample(), None);
    }

    #[test]
    fn random_weights_are_on_the_tenth_grid() {
        let mut app = app();
        app.update(key('r'));
        for b in &app.inputs.buttons {
            assert!((0.0..=1.0).contains(b));
            assert!(((b * 10.0).round() - b * 10.0).abs() < 1e-5);
        }
    }

    #[test]
    fn a_button_change_recomputes_the_output() {
        let mut app = app();
        let before = app.output.values.clone();
        assert_eq!(before.len(), 4);
        app.update(key('1'));
        assert_ne!(app.output.values, before);
    }

    #[test]
    fn space_pauses_and_resumes_through_the_worker() {
        let mut app = app();
        app.update(key(' '));
        assert_eq!(app.effects, [Effect::Worker(Command::Pause)]);
        app.update(Event::Training(Update::State(WorkerState::Paused)));
        assert_eq!(app.run_status.mode, Mode::Paused);
        app.effects.clear();
        app.update(key(' '));
        assert_eq!(app.effects, [Effect::Worker(Command::Resume)]);
    }

    #[test]
    fn space_on_a_run_opened_read_only_says_why_it_does_not_train() {
        let mut app = app();
        app.run_status.mode = Mode::Watching(crate::tui::app::Watched::Training);
        app.update(key(' '));
        assert!(app.effects.is_empty());
        assert!(
            app.status
                .as_ref()
                .unwrap()
                .text
                .contains("another process")
        );
        app.read_only = Some("read-only, no write permission: training is off".into());
        app.update(key(' '));
        assert!(app.effects.is_empty());
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "read-only, no write permission: training is off"
        );
    }

    #[test]
    fn quit_asks_first_and_cancel_keeps_running() {
        let mut app = app();
        app.update(key('q'));
        assert_eq!(app.overlay, Overlay::Quit);
        assert!(!app.should_quit);
        app.update(code(Esc));
        assert_eq!(app.overlay, Overlay::None);
        assert!(!app.should_quit);
        app.update(code(Esc));
        app.update(key('q'));
        assert!(app.should_quit);
    }

    #[test]
    fn the_quit_dialog_can_stop_training_and_keep_exploring() {
        let mut app = app();
        app.update(key('q'));
        app.update(key('s'));
        assert_eq!(app.effects, [Effect::StopTraining]);
        assert!(!app.should_quit);
    }

    #[test]
    fn ctrl_c_quits_at_once() {
        let mut app = app();
        app.update(Event::Key(KeyEvent::new(Char('c'), KeyModifiers::CONTROL)));
        assert!(app.should_quit);
        assert_eq!(app.view.color_map, ColorMap::Grey);
    }

    #[test]
    fn help_opens_and_any_key_closes_it() {
        let mut app = app();
        app.update(key('?'));
        assert_eq!(app.overlay, Overlay::Help);
        app.update(key('1'));
        assert_eq!(app.overlay, Overlay::None);
        assert_eq!(app.inputs.buttons, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn c_cycles_colour_maps() {
        let mut app = app();
        app.update(key('c'));
        assert_eq!(app.view.color_map, ColorMap::Viridis);
    }

    #[test]
    fn export_keys_leave_effects_for_the_loop() {
        let mut app = app();
        app.update(key('e'));
        app.update(key('g'));
        assert_eq!(app.effects, [Effect::ExportPng, Effect::ExportSheet]);
        let written = Ok(PathBuf::from("samples/100-e5.png"));
        app.update(Event::Status(crate::tui::export::status_of(written)));
        assert_eq!(
            app.status.as_ref().map(|s| s.text.as_str()),
            Some("saved samples/100-e5.png")
        );
    }

    /// Weights that differ from `app()`'s everywhere.
    fn other_weights() -> Arc<Network> {
        Arc::new(init_network(&[3, 4, 4], 99))
    }

    #[test]
    fn training_weights_reach_the_screen_at_the_picture_s_pace_and_keys_at_once() {
        let mut app = app();
        let first = app.shown_picture().unwrap();
        assert!(!app.output.behind);
        app.update(Event::Training(Update::Weights {
            net: other_weights(),
            epoch: 5,
        }));
        assert!(app.output.behind);
        assert_eq!(app.shown_picture().unwrap(), first, "not yet on screen");
        // One cell (the 2x2 picture has two) per refresh.
        assert!(app.catch_up_picture(1));
        assert!(app.output.behind);
        assert!(app.catch_up_picture(1));
        assert!(!app.output.behind);
        assert_eq!(app.shown_picture(), app.output_picture());
        assert!(!app.catch_up_picture(1));
        // A key shows the new output whole.
        app.update(key('1'));
        assert!(!app.output.behind);
        assert_eq!(app.shown_picture(), app.output_picture());
    }

    #[test]
    fn pausing_shows_the_latest_picture_whole() {
        let mut app = app();
        app.update(Event::Training(Update::Weights {
            net: other_weights(),
            epoch: 5,
        }));
        assert!(app.output.behind);
        app.update(Event::Training(Update::State(WorkerState::Paused)));
        assert!(!app.output.behind);
        assert_eq!(app.shown_picture(), app.output_picture());
    }

    #[test]
    fn z_says_why_without_a_graphics_protocol() {
        let mut app = app();
        app.capabilities.graphics = Err("inside tmux: no graphics".into());
        app.update(key('z'));
        assert_eq!(app.overlay, Overlay::None);
        let status = app.status.clone().unwrap();
        assert!(
            status.is_error && status.text.contains("tmux"),
            "{status:?}"
        );
    }

    #[test]
    fn the_full_picture_view_takes_a_scale_and_any_other_key_returns() {
        let mut app = app();
        app.capabilities.graphics = Ok(Protocol::Kitty);
        app.update(key('z'));
        assert_eq!(app.overlay, Overlay::FullPicture(1));
        assert_eq!(app.still, app.output_picture());
        app.update(key('+'));
        app.update(key('+'));
        assert_eq!(app.overlay, Overlay::FullPicture(3));
        app.update(key('-'));
        assert_eq!(app.overlay, Overlay::FullPicture(2));
        app.update(key('6'));
        assert_eq!(app.overlay, Overlay::FullPicture(6));
        app.update(key('9'));
        assert_eq!(app.overlay, Overlay::FullPicture(MAX_FULL_SCALE));
        app.update(key('0'));
        assert_eq!(app.overlay, Overlay::FullPicture(MAX_FULL_SCALE));
        // Any other key returns, and does nothing else.
        app.update(key('e'));
        assert_eq!(app.overlay, Overlay::None);
        assert!(app.still.is_none());
        assert!(app.effects.is_empty());
    }

    #[test]
    fn shift_m_turns_the_mouse_on_and_off_through_the_loop() {
        let mut app = app();
        app.update(key('M'));
        assert!(app.view.mouse);
        app.update(key('M'));
        assert!(!app.view.mouse);
        assert_eq!(app.effects, [Effect::Mouse(true), Effect::Mouse(false)]);
    }

    #[test]
    fn clicks_toggle_buttons_scrolls_step_them_and_a_sample_row_shows_its_input() {
        let mut app = app();
        app.point(Target::Button(1), Gesture::Click);
        assert_eq!(app.inputs.buttons, [0.0, 1.0, 0.0]);
        app.point(Target::Button(2), Gesture::ScrollUp);
        app.point(Target::Button(2), Gesture::ScrollUp);
        app.point(Target::Button(2), Gesture::ScrollUp);
        app.point(Target::Button(2), Gesture::ScrollDown);
        assert_eq!(app.inputs.buttons, [0.0, 1.0, 0.2]);
        assert_eq!(app.inputs.cursor, 2);
        app.point(Target::Sample(1), Gesture::Click);
        assert_eq!(app.inputs.buttons, [0.0, 1.0, 0.0]);
        assert_eq!(app.matching_sample(), Some(1));
        assert_eq!(app.shown_picture(), app.output_picture());
        // Beyond the inputs and samples: nothing but a word.
        app.point(Target::Sample(7), Gesture::Click);
        app.point(Target::Button(7), Gesture::ScrollUp);
        assert_eq!(app.inputs.buttons, [0.0, 1.0, 0.0]);
    }

    /// `app()` with one run beside it: a 3 → 4 network of other weights, 2×2 pictures.
    fn comparing() -> App {
        let mut app = app();
        let other = RunInfo {
            name: "other".into(),
            path: "runs/other".into(),
            ..app.run.clone()
        };
        let stems = vec!["100".to_string(), "010".to_string()];
        app.comparison = Some(Comparison::new(vec![ComparedRun::new(other, stems)]));
        app.update(Event::Compared {
            run: 0,
            update: Update::Weights {
                net: Arc::new(init_network(&[3, 4], 7)),
                epoch: 9,
            },
        });
        app
    }

    fn compared_output(app: &App) -> Vec<f32> {
        app.comparison.as_ref().unwrap().runs[0]
            .output
            .values
            .clone()
    }

    #[test]
    fn scrubbing_shows_every_compared_runs_history_picture_until_live_again() {
        let mut app = comparing();
        app.update(key('t'));
        let frame = |epoch, value| HistoryFrame {
            epoch,
            index: 1,
            count: 3,
            sample: 0,
            values: vec![value; 4],
        };
        app.show_history(Ok(Some(frame(50, 0.25))));
        app.show_compared_history(vec![Some(frame(45, 0.75))]);
        let runs = app.runs_on_screen();
        assert_eq!((runs[0].epoch(), runs[0].values()), (50, &[0.25; 4][..]));
        assert_eq!((runs[1].epoch(), runs[1].values()), (45, &[0.75; 4][..]));
        app.show_history(Ok(None));
        let runs = app.runs_on_screen();
        assert!(runs.iter().all(|r| r.history.is_none()), "live again");
    }

    #[test]
    fn a_compared_runs_weights_that_do_not_fit_its_run_json_are_a_problem_in_its_pane() {
        let app = comparing();
        let run = &app.comparison.as_ref().unwrap().runs[0];
        // init_network(&[3, 4]) is not the run's 3 → 4 → 4.
        assert!(run.problem.as_deref().unwrap().contains("do not match"));
    }

    #[test]
    fn buttons_drive_every_compared_runs_picture() {
        let mut app = comparing();
        app.update(Event::Compared {
            run: 0,
            update: Update::Weights {
                net: Arc::new(init_network(&[3, 4, 4], 7)),
                epoch: 9,
            },
        });
        assert_eq!(app.comparison.as_ref().unwrap().runs[0].problem, None);
        let before = compared_output(&app);
        assert_eq!(before.len(), 4);
        app.update(key('1'));
        let after = compared_output(&app);
        assert_ne!(before, after);
        // Its own network, not the explorer's.
        assert_ne!(after, app.output.values);
        // A late message for a run that is not there changes nothing.
        app.update(Event::Compared {
            run: 5,
            update: Update::Failed("gone".into()),
        });
    }

    #[test]
    fn a_pictures_recipe_moves_the_compared_panes_too() {
        let mut app = comparing();
        let net = Arc::new(init_network(&[3, 4, 4], 7));
        app.update(Event::Compared {
            run: 0,
            update: Update::Weights {
                net: Arc::clone(&net),
                epoch: 9,
            },
        });
        app.start_with_inputs(&[0.0, 1.0, 0.5]).unwrap();
        assert_eq!(compared_output(&app), net.predict(&[0.0, 1.0, 0.5]));
    }

    #[test]
    fn comparison_keys_switch_views_and_focus_and_e_exports_all_runs() {
        let mut app = comparing();
        app.update(key('d'));
        assert_eq!(
            app.comparison.as_ref().unwrap().view,
            CompareView::Difference
        );
        assert!(app.update(key('b')));
        assert!(app.is_blinking());
        app.update(key('f'));
        assert_eq!(app.comparison.as_ref().unwrap().focus, (0, 1));
        app.update(key('e'));
        assert_eq!(app.effects, [Effect::ExportComparison]);
    }

    #[test]
    fn comparison_keys_without_a_comparison_say_how_to_get_one() {
        let mut app = app();
        for c in ['d', 'b', 'f', 'n'] {
            app.update(key(c));
            let status = app.status.clone().unwrap();
            assert!(status.is_error && status.text.contains("--compare"), "{c}");
        }
        assert!(!app.update(Event::Blink));
    }

    #[test]
    fn a_watched_run_shows_its_trainer_stopping_finishing_and_being_extended() {
        // The watcher used to show "1415 ep/s … WATCHING" after the trainer had finished,
        // and "epoch 23700/20000" after the run was extended.
        let mut app = app();
        app.run_status.mode = Mode::Watching(Watched::Training);
        let watched = |training, done, total_epochs| {
            Event::Training(Update::Watched(update::Watched {
                training,
                done,
                total_epochs,
            }))
        };
        let rows = |first: usize, seconds: f64| {
            Event::Training(Update::Progress(Progress {
                points: (first..first + 10)
                    .map(|e| Point::single(e, 0.5, 0.1))
                    .collect(),
                seconds,
                ..Progress::default()
            }))
        };
        app.update(rows(1, 1.0));
        app.update(rows(11, 2.0));
        assert_eq!(app.run_status.epochs_per_sec(), Some(10.0));
        app.update(watched(false, false, 100));
        assert_eq!(app.run_status.mode.name(), "watching · stopped");
        assert_eq!(app.run_status.epochs_per_sec(), None);
        app.update(watched(false, true, 100));
        assert_eq!(app.run_status.mode.name(), "watching · done");
        app.update(watched(true, false, 300));
        assert_eq!(app.run.total_epochs, 300);
        assert_eq!(app.run_status.mode, Mode::Watching(Watched::Training));
        app.update(rows(21, 3.0));
        app.update(rows(31, 4.0));
        assert_eq!(app.run_status.epochs_per_sec(), Some(10.0));
    }

    #[test]
    fn training_waits_until_the_runs_log_is_read() {
        // The log is read on a thread; epochs trained meanwhile would come before the
        // log's older ones and start the chart again.
        let mut app = app();
        app.run_status.mode = Mode::Paused;
        app.run_status.reading_log = true;
        app.update(key(' '));
        assert!(app.effects.is_empty());
        assert!(
            app.status
                .as_ref()
                .is_some_and(|s| s.text.contains("reading the run's log"))
        );
        app.update(Event::Training(Update::LogRead));
        app.update(key(' '));
        assert_eq!(app.effects, [Effect::Worker(Command::Resume)]);
    }

    #[test]
    fn progress_extends_the_history_and_marks_halvings() {
        let mut app = app();
        app.update(Event::Training(Update::Progress(Progress {
            points: vec![
                Point::single(1, 0.5, 0.1),
                Point::single(2, 0.4, 0.1),
                Point::single(3, 0.3, 0.05),
            ],
            halvings: vec![
                Halving {
                    epoch: 2,
                    learning_rate: 0.05,
                },
                Halving {
                    epoch: 3,
                    learning_rate: 0.025,
                },
            ],
            sample_errors: vec![0.2, 0.4],
            next_learning_rate: 0.025,
            seconds: 1.0,
            restarted: false,
        })));
        assert_eq!(app.run_status.history.last_epoch(), 3);
        assert_eq!(app.run_status.history.best(), Some((3, 0.3)));
        let epochs: Vec<usize> = app
            .run_status
            .history
            .halvings()
            .iter()
            .map(|h| h.epoch)
            .collect();
        assert_eq!(epochs, [2, 3]);
        assert_eq!(app.run_status.sample_errors, [0.2, 0.4]);
    }

    #[test]
    fn waypoints_make_a_path_that_plays_on_the_clock_and_a_key_stops_it() {
        let mut app = app();
        app.update(key('p'));
        assert!(
            app.status.as_ref().is_some_and(|s| s.is_error),
            "needs waypoints"
        );
        app.update(key('1'));
        app.update(key('m'));
        app.update(key('1'));
        app.update(key('3'));
        app.update(key('m'));
        assert_eq!(
            app.motion.waypoints,
            [vec![1.0, 0.0, 0.0], vec![0.0, 0.0, 1.0]]
        );
        let t0 = Instant::now();
        app.play_or_stop_path(t0);
        assert!(app.advance_motion(t0));
        assert_eq!(app.inputs.buttons, [1.0, 0.0, 0.0]);
        let frame = std::time::Duration::from_secs(1) / app.motion.fps();
        let late = t0 + frame * (motion::TIMING.hold as u32 + 2);
        assert!(app.advance_motion(late));
        assert!(
            app.inputs.buttons[0] < 1.0 && app.inputs.buttons[2] > 0.0,
            "morphing"
        );
        app.update(key('2'));
        assert!(!app.motion.is_playing(), "a button stops the animation");
    }

    #[test]
    fn a_random_walk_moves_the_buttons_and_w_stops_it() {
        let mut app = app();
        let t0 = Instant::now();
        app.random_walk(t0);
        let frame = std::time::Duration::from_secs(1) / app.motion.fps();
        let before = app.inputs.buttons.clone();
        assert!(app.advance_motion(t0));
        assert!(app.advance_motion(t0 + frame * 5));
        assert_ne!(app.inputs.buttons, before);
        app.update(key('W'));
        assert!(!app.motion.is_playing());
    }

    #[test]
    fn exporting_an_animation_needs_a_path_or_a_walk() {
        let mut app = app();
        app.update(key('E'));
        assert!(app.effects.is_empty());
        app.update(key('m'));
        app.update(key('2'));
        app.update(key('m'));
        app.update(key('E'));
        assert_eq!(app.effects, [Effect::ExportAnimation]);
    }

    #[test]
    fn history_keys_ask_the_loop_for_pictures_of_the_shown_training_input() {
        let mut app = app();
        app.update(key(','));
        assert!(app.effects.is_empty(), "no training input shown");
        app.update(key('t'));
        app.update(key(','));
        app.update(key('.'));
        app.update(code(KeyCode::Home));
        app.update(code(KeyCode::End));
        app.update(key('T'));
        assert_eq!(
            app.effects,
            [
                Effect::Scrub(Step::Back),
                Effect::Scrub(Step::Forward),
                Effect::Scrub(Step::First),
                Effect::Scrub(Step::Latest),
                Effect::ExportTimelapse
            ]
        );
        let frame = HistoryFrame {
            epoch: 5,
            index: 3,
            count: 9,
            sample: 0,
            values: vec![0.5; 4],
        };
        app.show_history(Ok(Some(frame)));
        assert_eq!(app.scrub.epoch(), Some(5));
        app.effects.clear();
        app.update(key('t'));
        assert_eq!(
            app.effects,
            [Effect::Scrub(Step::Stay)],
            "same epoch, next input"
        );
        app.update(key('0'));
        assert_eq!(app.scrub.epoch(), None, "not a training input: live again");
        app.show_history(Err("this run has no picture history yet".into()));
        assert!(app.status.as_ref().is_some_and(|s| s.is_error));
    }
}
