//! [`App`]: everything the explorer shows, as plain data, and [`App::update`], the one place
//! events change it. No terminal in here: key handling is tested by feeding events to an `App`.
//!
//! What an event asks of the outside world (a command to the worker, a PNG export) is left in
//! [`App::effects`] for the loop in `tui.rs` to carry out. The key bindings live in [`KEYS`],
//! read by both the key handler and the help overlay.

use super::event::Event;
use super::watch::WatchUpdate;
use crate::data::Sample;
use crate::net::Network;
use crate::net::sgd::Workspace;
use crate::render::color::ColorMode;
use crate::render::pixels::ColorMap;
use crate::train::TrainConfig;
use crate::train::history::Point;
use crate::train::metrics::MetricsRow;
use crate::train::run_dir::RunDir;
use crate::train::schedule::Halving;
use crate::train::worker::{Command, Progress, Report, WorkerState};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

/// Step of the `+`/`-` keys and grid of the random weights.
pub const WEIGHT_STEP: f32 = 0.1;

/// Epochs shown in the error chart's recent window.
pub const RECENT_EPOCHS: usize = 500;

/// Training seconds over which epochs/s is averaged.
const RATE_WINDOW_SECONDS: f64 = 3.0;

/// What the explorer is doing with the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Waiting for the worker's first report.
    Starting,
    Training,
    Paused,
    /// The run reached its epoch total.
    Done,
    /// Training was stopped from the quit dialog; the weights can still be explored.
    Stopped,
    /// Training stopped on an error (see the status line).
    Failed,
    /// Following a run that another process trains; read-only.
    Watching,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Starting => "starting",
            Mode::Training => "training",
            Mode::Paused => "paused",
            Mode::Done => "done",
            Mode::Stopped => "stopped",
            Mode::Failed => "failed",
            Mode::Watching => "watching",
        }
    }

    /// True while a worker may still train (so quitting must save).
    pub fn owns_training(self) -> bool {
        matches!(self, Mode::Starting | Mode::Training | Mode::Paused)
    }
}

/// What is drawn over the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    /// "Stop and save, quit, or cancel?"
    Quit,
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
}

/// Everything a key can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Toggle the input named by the digit key between 0 and 1.
    ToggleButton,
    CursorPrev,
    CursorNext,
    Increase,
    Decrease,
    ClearButtons,
    RandomButtons,
    NextTrainingInput,
    PauseResume,
    Checkpoint,
    ToggleRecent,
    ToggleSmoothing,
    NextColorMap,
    ExportPng,
    ExportSheet,
    Help,
    Quit,
    SaveAndQuit,
}

/// One row of the key table: the keys, how the help overlay names them, what they do.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub label: &'static str,
    pub keys: &'static [KeyCode],
    /// The keys need Ctrl held.
    pub ctrl: bool,
    pub action: Action,
    pub help: &'static str,
}

const fn bind(
    label: &'static str,
    keys: &'static [KeyCode],
    action: Action,
    help: &'static str,
) -> Binding {
    Binding {
        label,
        keys,
        ctrl: false,
        action,
        help,
    }
}

use KeyCode::{Char, Down, Enter, Esc, Left, Right, Up};

/// Every key of the explorer; the help overlay lists them in this order.
pub const KEYS: &[Binding] = &[
    bind(
        "1-9",
        &[
            Char('1'),
            Char('2'),
            Char('3'),
            Char('4'),
            Char('5'),
            Char('6'),
            Char('7'),
            Char('8'),
            Char('9'),
        ],
        Action::ToggleButton,
        "toggle input N between 0 and 1",
    ),
    bind(
        "← h ↑ k",
        &[Left, Char('h'), Up, Char('k')],
        Action::CursorPrev,
        "select the previous input",
    ),
    bind(
        "→ l ↓ j",
        &[Right, Char('l'), Down, Char('j')],
        Action::CursorNext,
        "select the next input",
    ),
    bind(
        "+ ]",
        &[Char('+'), Char('='), Char(']')],
        Action::Increase,
        "raise the selected input by 0.1",
    ),
    bind(
        "- [",
        &[Char('-'), Char('_'), Char('[')],
        Action::Decrease,
        "lower the selected input by 0.1",
    ),
    bind(
        "0",
        &[Char('0')],
        Action::ClearButtons,
        "set all inputs to 0",
    ),
    bind(
        "r",
        &[Char('r')],
        Action::RandomButtons,
        "random input weights",
    ),
    bind(
        "t",
        &[Char('t')],
        Action::NextTrainingInput,
        "next training input (its target shows beside)",
    ),
    bind(
        "space",
        &[Char(' ')],
        Action::PauseResume,
        "pause / resume (continue) training",
    ),
    bind(
        "s",
        &[Char('s')],
        Action::Checkpoint,
        "save a checkpoint now",
    ),
    bind(
        "w",
        &[Char('w')],
        Action::ToggleRecent,
        "error chart: whole run / recent epochs",
    ),
    bind(
        "a",
        &[Char('a')],
        Action::ToggleSmoothing,
        "error chart: smoothing on / off",
    ),
    bind(
        "c",
        &[Char('c')],
        Action::NextColorMap,
        "next colour map (greyscale networks)",
    ),
    bind(
        "e",
        &[Char('e')],
        Action::ExportPng,
        "export the picture as a PNG",
    ),
    bind(
        "g",
        &[Char('g')],
        Action::ExportSheet,
        "export a PNG grid of all button combinations",
    ),
    bind("?", &[Char('?')], Action::Help, "show / hide this help"),
    bind(
        "q Esc",
        &[Char('q'), Esc],
        Action::Quit,
        "quit (asks: stop training, quit, cancel)",
    ),
    Binding {
        label: "Ctrl-C",
        keys: &[Char('c')],
        ctrl: true,
        action: Action::SaveAndQuit,
        help: "save and quit at once",
    },
];

/// The action bound to `key`, if any. Shift is ignored (terminals differ on `+` and `?`);
/// Alt combinations are not ours.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if key.modifiers.contains(KeyModifiers::ALT) {
        return None;
    }
    KEYS.iter()
        .find(|b| b.ctrl == ctrl && b.keys.contains(&key.code))
        .map(|b| b.action)
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
    /// What the header shows of the run in `run` with settings `config`.
    pub fn new(run: &RunDir, config: &TrainConfig) -> Self {
        RunInfo {
            name: run.name(),
            path: run.path().to_path_buf(),
            preset: config.preset.clone(),
            layers: config.layers.clone(),
            width: config.width,
            height: config.height,
            channels: config.channels(),
            total_epochs: config.epochs,
        }
    }
}

/// The error and learning rate of every epoch seen so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Epoch of `errors[0]`.
    pub first_epoch: usize,
    pub errors: Vec<f64>,
    pub learning_rates: Vec<f32>,
    /// Where the rate was halved: the epoch at whose end it changed, and the new rate.
    pub halvings: Vec<Halving>,
    /// Lowest error so far and its epoch.
    pub best: Option<(usize, f64)>,
}

impl History {
    /// The last epoch recorded, 0 if none.
    pub fn last_epoch(&self) -> usize {
        if self.errors.is_empty() {
            0
        } else {
            self.first_epoch + self.errors.len() - 1
        }
    }

    pub fn current(&self) -> Option<f64> {
        self.errors.last().copied()
    }

    /// Appends one epoch. An epoch that does not follow the last one starts a new history
    /// (a watched run that was restarted from an older checkpoint).
    pub fn push(&mut self, epoch: usize, error: f64, learning_rate: f32) {
        if !self.errors.is_empty() && epoch != self.last_epoch() + 1 {
            *self = History::default();
        }
        if self.errors.is_empty() {
            self.first_epoch = epoch;
        }
        if let Some(&last) = self.learning_rates.last()
            && learning_rate != last
            && self.halvings.last().map(|h| h.epoch) != Some(epoch - 1)
        {
            self.halvings.push(Halving {
                epoch: epoch - 1,
                learning_rate,
            });
        }
        self.errors.push(error);
        self.learning_rates.push(learning_rate);
        if error.is_finite() && self.best.is_none_or(|(_, b)| error < b) {
            self.best = Some((epoch, error));
        }
    }
}

/// The explorer's state.
#[derive(Debug)]
pub struct App {
    pub run: RunInfo,
    pub mode: Mode,
    pub overlay: Overlay,
    pub history: History,
    /// The rate the next epoch uses.
    pub learning_rate: Option<f32>,
    /// Each training sample's latest error, in file order (empty until known).
    pub sample_errors: Vec<f64>,
    /// Training samples (stem, input, target); targets may be empty when the images were not
    /// found (a watched run on another machine's paths).
    pub samples: Vec<Sample>,
    /// Seconds spent training the run.
    pub seconds: f64,
    /// Recent (training seconds, epoch) pairs, for epochs/s.
    rate_points: VecDeque<(f64, usize)>,
    /// Input weights, one per input node, each in 0..=1.
    pub buttons: Vec<f32>,
    pub cursor: usize,
    /// The training input `t` showed last.
    training_cursor: Option<usize>,
    pub net: Option<Arc<Network>>,
    workspace: Option<Workspace>,
    /// The network's output for `buttons`.
    pub output: Vec<f32>,
    /// Epoch of the weights in `net`.
    pub weights_epoch: usize,
    pub color_map: ColorMap,
    pub color_mode: ColorMode,
    pub recent_only: bool,
    pub smoothing: bool,
    /// One line for the user: what a key did, or what went wrong.
    pub status: Option<Status>,
    pub should_quit: bool,
    pub effects: Vec<Effect>,
    rng: ChaCha8Rng,
}

/// A line in the status bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub text: String,
    pub is_error: bool,
}

impl App {
    /// A new explorer for `run` in `mode`, with the run's training samples.
    pub fn new(run: RunInfo, mode: Mode, samples: Vec<Sample>, color_mode: ColorMode) -> Self {
        let inputs = run.layers.first().copied().unwrap_or(0);
        App {
            run,
            mode,
            overlay: Overlay::None,
            history: History::default(),
            learning_rate: None,
            sample_errors: Vec::new(),
            samples,
            seconds: 0.0,
            rate_points: VecDeque::new(),
            buttons: vec![0.0; inputs],
            cursor: 0,
            training_cursor: None,
            net: None,
            workspace: None,
            output: Vec::new(),
            weights_epoch: 0,
            color_map: ColorMap::Grey,
            color_mode,
            recent_only: false,
            smoothing: false,
            status: None,
            should_quit: false,
            effects: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(1),
        }
    }

    /// The latest epoch known: from the history, or the weights when there is none.
    pub fn epoch(&self) -> usize {
        self.history.last_epoch().max(self.weights_epoch)
    }

    /// Epochs per second of training over the last few seconds; None when unknown or idle.
    pub fn epochs_per_sec(&self) -> Option<f64> {
        if !matches!(self.mode, Mode::Training | Mode::Watching) {
            return None;
        }
        let (&(s0, e0), &(s1, e1)) = (self.rate_points.front()?, self.rate_points.back()?);
        (s1 > s0 && e1 > e0).then(|| (e1 - e0) as f64 / (s1 - s0))
    }

    /// Seconds to the epoch total at the current rate.
    pub fn eta_seconds(&self) -> Option<f64> {
        let left = self.run.total_epochs.saturating_sub(self.epoch());
        self.epochs_per_sec().map(|r| left as f64 / r)
    }

    /// The training sample whose input equals the buttons.
    pub fn matching_sample(&self) -> Option<usize> {
        self.samples.iter().position(|s| {
            s.input.len() == self.buttons.len()
                && s.input
                    .iter()
                    .zip(&self.buttons)
                    .all(|(a, b)| (a - b).abs() < 1e-4)
        })
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
            Event::Key(key) => {
                self.on_key(&key);
                true
            }
            Event::Resize => true,
            Event::Worker(report) => {
                self.on_report(report);
                true
            }
            Event::Watch(update) => {
                self.on_watch(update);
                true
            }
            Event::Exported(Ok(path)) => {
                self.set_status(format!("saved {}", path.display()), false);
                true
            }
            Event::Exported(Err(e)) => {
                self.set_status(e, true);
                true
            }
            Event::Quit(_) => {
                self.should_quit = true;
                true
            }
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
                return;
            }
            Overlay::Quit => {
                self.on_quit_dialog_key(key);
                return;
            }
            Overlay::None => {}
        }
        let Some(action) = action else {
            return;
        };
        self.status = None;
        match action {
            Action::ToggleButton => {
                if let Char(c) = key.code
                    && let Some(d) = c.to_digit(10)
                {
                    let i = d as usize - 1;
                    if i < self.buttons.len() {
                        self.cursor = i;
                        self.buttons[i] = if self.buttons[i] >= 0.5 { 0.0 } else { 1.0 };
                        self.buttons_changed();
                    } else {
                        self.set_status(
                            format!("this network has {} inputs", self.buttons.len()),
                            true,
                        );
                    }
                }
            }
            Action::CursorPrev => {
                let n = self.buttons.len().max(1);
                self.cursor = (self.cursor + n - 1) % n;
            }
            Action::CursorNext => {
                self.cursor = (self.cursor + 1) % self.buttons.len().max(1);
            }
            Action::Increase => self.nudge(WEIGHT_STEP),
            Action::Decrease => self.nudge(-WEIGHT_STEP),
            Action::ClearButtons => {
                self.buttons.fill(0.0);
                self.buttons_changed();
            }
            Action::RandomButtons => {
                for b in &mut self.buttons {
                    *b = self.rng.random_range(0..=10) as f32 * WEIGHT_STEP;
                }
                self.buttons_changed();
            }
            Action::NextTrainingInput => {
                if self.samples.is_empty() {
                    self.set_status("no training inputs are known for this run", true);
                } else {
                    let next = self
                        .training_cursor
                        .map_or(0, |i| (i + 1) % self.samples.len());
                    self.training_cursor = Some(next);
                    if self.samples[next].input.len() == self.buttons.len() {
                        self.buttons.clone_from(&self.samples[next].input);
                        self.buttons_changed();
                    }
                }
            }
            Action::PauseResume => match self.mode {
                Mode::Training => self.effects.push(Effect::Worker(Command::Pause)),
                Mode::Paused | Mode::Done => self.effects.push(Effect::Worker(Command::Resume)),
                Mode::Watching => {
                    self.set_status("watching another process's run: read-only", true)
                }
                Mode::Stopped => self.set_status(
                    "training was stopped; reopen the run with `nnimg explore --run DIR` to continue",
                    true,
                ),
                Mode::Failed => self.set_status("training failed; see above", true),
                Mode::Starting => {}
            },
            Action::Checkpoint => {
                if self.mode.owns_training() || self.mode == Mode::Done {
                    self.effects.push(Effect::Worker(Command::Checkpoint));
                } else {
                    self.set_status("no training here to checkpoint", true);
                }
            }
            Action::ToggleRecent => self.recent_only = !self.recent_only,
            Action::ToggleSmoothing => self.smoothing = !self.smoothing,
            Action::NextColorMap => {
                if self.run.channels == 1 {
                    self.color_map = self.color_map.next();
                } else {
                    self.set_status("colour maps apply to greyscale networks only", true);
                }
            }
            Action::ExportPng | Action::ExportSheet => {
                if self.net.is_none() {
                    self.set_status("no weights yet", true);
                } else if action == Action::ExportPng {
                    self.effects.push(Effect::ExportPng);
                    self.set_status("exporting…", false);
                } else {
                    self.effects.push(Effect::ExportSheet);
                    self.set_status("exporting the grid…", false);
                }
            }
            Action::Help => self.overlay = Overlay::Help,
            Action::Quit => self.overlay = Overlay::Quit,
            Action::SaveAndQuit => self.should_quit = true,
        }
    }

    /// The quit dialog's keys: `s` stop training and keep exploring, `q`/`y`/Enter quit
    /// (saving), Esc/`n`/`c` cancel. Ctrl-C quits.
    fn on_quit_dialog_key(&mut self, key: &KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            if key.code == Char('c') {
                self.should_quit = true;
            }
            return;
        }
        match key.code {
            Char('q') | Char('y') | Enter => self.should_quit = true,
            Char('s') if self.mode.owns_training() => {
                self.effects.push(Effect::StopTraining);
                self.overlay = Overlay::None;
            }
            Esc | Char('n') | Char('c') => self.overlay = Overlay::None,
            _ => {}
        }
    }

    fn nudge(&mut self, delta: f32) {
        if let Some(b) = self.buttons.get_mut(self.cursor) {
            // Stay on the 0.1 grid so names and labels stay short.
            *b = ((*b + delta) * 10.0).round().clamp(0.0, 10.0) / 10.0;
            self.buttons_changed();
        }
    }

    fn buttons_changed(&mut self) {
        self.refresh_output();
    }

    /// Runs the network on the buttons (one forward pass).
    fn refresh_output(&mut self) {
        let Some(net) = &self.net else {
            return;
        };
        if net.input_len() != self.buttons.len() {
            return;
        }
        let ws = match &mut self.workspace {
            Some(ws) => ws,
            None => self.workspace.insert(Workspace::new(net)),
        };
        self.output.clear();
        self.output
            .extend_from_slice(net.forward(&self.buttons, ws));
    }

    /// New weights: keep them, and recompute the picture.
    pub fn set_weights(&mut self, net: Arc<Network>, epoch: usize) {
        let same_shape = self
            .net
            .as_ref()
            .is_some_and(|old| old.layers() == net.layers());
        if !same_shape {
            self.workspace = None;
        }
        self.net = Some(net);
        self.weights_epoch = epoch;
        self.refresh_output();
    }

    fn on_report(&mut self, report: Report) {
        match report {
            Report::Progress(p) => self.on_progress(p),
            Report::Weights(net) => {
                let epoch = self.history.last_epoch();
                self.set_weights(net, epoch);
            }
            Report::State(state) => {
                self.mode = match state {
                    WorkerState::Training => Mode::Training,
                    WorkerState::Paused => Mode::Paused,
                    WorkerState::Done => Mode::Done,
                    WorkerState::Failed => Mode::Failed,
                };
                if state == WorkerState::Training {
                    // A pause is not training time: restart the rate window.
                    self.rate_points.clear();
                }
            }
            Report::Saved { epoch } => {
                self.set_status(format!("checkpoint saved at epoch {epoch}"), false)
            }
            Report::Failed(e) => self.set_status(e, true),
        }
    }

    fn on_progress(&mut self, p: Progress) {
        for (i, (&e, &lr)) in p.errors.iter().zip(&p.learning_rates).enumerate() {
            self.history.push(p.first_epoch + i, e, lr);
        }
        self.learning_rate = Some(p.next_learning_rate);
        if let Some(&last) = p.learning_rates.last()
            && p.next_learning_rate != last
        {
            // Halved at the end of the last epoch: show it now, not one epoch later.
            let halving = Halving {
                epoch: p.last_epoch(),
                learning_rate: p.next_learning_rate,
            };
            if self.history.halvings.last() != Some(&halving) {
                self.history.halvings.push(halving);
            }
        }
        self.note_time(p.seconds, p.last_epoch());
        self.sample_errors = p.sample_errors;
    }

    fn note_time(&mut self, seconds: f64, epoch: usize) {
        self.seconds = seconds;
        self.rate_points.push_back((seconds, epoch));
        while self
            .rate_points
            .front()
            .is_some_and(|&(s, _)| seconds - s > RATE_WINDOW_SECONDS)
            && self.rate_points.len() > 2
        {
            self.rate_points.pop_front();
        }
    }

    /// Rows read from a metrics.csv (on start-up, or by the watcher): their points, and the
    /// last one in full.
    pub fn add_rows(&mut self, points: &[Point], last: Option<&MetricsRow>) {
        for p in points {
            self.history.push(p.epoch, p.error, p.learning_rate);
        }
        if let Some(last) = last {
            self.sample_errors.clone_from(&last.sample_errors);
            self.learning_rate = Some(last.learning_rate);
            self.note_time(last.seconds, last.epoch);
        }
    }

    fn on_watch(&mut self, update: WatchUpdate) {
        match update {
            WatchUpdate::Rows {
                restarted,
                points,
                last,
            } => {
                if restarted {
                    self.history = History::default();
                    self.rate_points.clear();
                }
                self.add_rows(&points, last.as_ref());
            }
            WatchUpdate::Weights { net, epoch } => {
                if net.layers() == self.run.layers.as_slice() {
                    self.set_weights(net, epoch);
                } else {
                    self.set_status("the checkpoint's layers do not match run.json", true);
                }
            }
            WatchUpdate::Failed(e) => self.set_status(e, true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;

    fn key(c: char) -> Event {
        Event::Key(KeyEvent::new(Char(c), KeyModifiers::NONE))
    }

    fn code(code: KeyCode) -> Event {
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn app() -> App {
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
        assert_eq!(app.buttons, [0.0, 1.0, 0.0]);
        assert_eq!(app.cursor, 1);
        app.update(key('2'));
        assert_eq!(app.buttons, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn a_digit_beyond_the_inputs_says_so() {
        let mut app = app();
        app.update(key('9'));
        assert_eq!(app.buttons, [0.0, 0.0, 0.0]);
        assert!(app.status.as_ref().is_some_and(|s| s.is_error));
    }

    #[test]
    fn plus_and_minus_step_the_selected_input_within_0_and_1() {
        let mut app = app();
        app.update(code(Right));
        app.update(key('+'));
        app.update(key(']'));
        assert_eq!(app.buttons, [0.0, 0.2, 0.0]);
        for _ in 0..15 {
            app.update(key('+'));
        }
        assert_eq!(app.buttons[1], 1.0);
        for _ in 0..15 {
            app.update(key('['));
        }
        assert_eq!(app.buttons[1], 0.0);
    }

    #[test]
    fn the_cursor_wraps_around() {
        let mut app = app();
        app.update(code(Left));
        assert_eq!(app.cursor, 2);
        app.update(key('l'));
        app.update(key('j'));
        assert_eq!(app.cursor, 1);
    }

    #[test]
    fn t_cycles_training_inputs_and_shows_their_target() {
        let mut app = app();
        app.update(key('t'));
        assert_eq!(app.buttons, [1.0, 0.0, 0.0]);
        assert_eq!(app.matching_sample(), Some(0));
        app.update(key('t'));
        assert_eq!(app.matching_sample(), Some(1));
        app.update(key('t'));
        assert_eq!(app.matching_sample(), Some(0));
        app.update(key('0'));
        assert_eq!(app.buttons, [0.0, 0.0, 0.0]);
        assert_eq!(app.matching_sample(), None);
    }

    #[test]
    fn random_weights_are_on_the_tenth_grid() {
        let mut app = app();
        app.update(key('r'));
        for b in &app.buttons {
            assert!((0.0..=1.0).contains(b));
            assert!(((b * 10.0).round() - b * 10.0).abs() < 1e-5);
        }
    }

    #[test]
    fn a_button_change_recomputes_the_output() {
        let mut app = app();
        let before = app.output.clone();
        assert_eq!(before.len(), 4);
        app.update(key('1'));
        assert_ne!(app.output, before);
    }

    #[test]
    fn space_pauses_and_resumes_through_the_worker() {
        let mut app = app();
        app.update(key(' '));
        assert_eq!(app.effects, [Effect::Worker(Command::Pause)]);
        app.update(Event::Worker(Report::State(WorkerState::Paused)));
        assert_eq!(app.mode, Mode::Paused);
        app.effects.clear();
        app.update(key(' '));
        assert_eq!(app.effects, [Effect::Worker(Command::Resume)]);
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
        assert_eq!(app.color_map, ColorMap::Grey);
    }

    #[test]
    fn help_opens_and_any_key_closes_it() {
        let mut app = app();
        app.update(key('?'));
        assert_eq!(app.overlay, Overlay::Help);
        app.update(key('1'));
        assert_eq!(app.overlay, Overlay::None);
        assert_eq!(app.buttons, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn c_cycles_colour_maps() {
        let mut app = app();
        app.update(key('c'));
        assert_eq!(app.color_map, ColorMap::Viridis);
    }

    #[test]
    fn export_keys_leave_effects_for_the_loop() {
        let mut app = app();
        app.update(key('e'));
        app.update(key('g'));
        assert_eq!(app.effects, [Effect::ExportPng, Effect::ExportSheet]);
        app.update(Event::Exported(Ok("samples/100-e5.png".into())));
        assert_eq!(
            app.status.as_ref().map(|s| s.text.as_str()),
            Some("saved samples/100-e5.png")
        );
    }

    #[test]
    fn every_key_in_the_table_is_reachable() {
        for binding in KEYS {
            for &code in binding.keys {
                let modifiers = if binding.ctrl {
                    KeyModifiers::CONTROL
                } else {
                    KeyModifiers::NONE
                };
                let got = action_for(&KeyEvent::new(code, modifiers));
                assert_eq!(got, Some(binding.action), "{code:?}");
            }
        }
    }

    #[test]
    fn progress_extends_the_history_and_marks_halvings() {
        let mut app = app();
        app.update(Event::Worker(Report::Progress(Progress {
            first_epoch: 1,
            errors: vec![0.5, 0.4, 0.3],
            learning_rates: vec![0.1, 0.1, 0.05],
            sample_errors: vec![0.2, 0.4],
            next_learning_rate: 0.025,
            seconds: 1.0,
        })));
        assert_eq!(app.history.last_epoch(), 3);
        assert_eq!(app.history.best, Some((3, 0.3)));
        let epochs: Vec<usize> = app.history.halvings.iter().map(|h| h.epoch).collect();
        assert_eq!(epochs, [2, 3]);
        assert_eq!(app.sample_errors, [0.2, 0.4]);
    }
}
