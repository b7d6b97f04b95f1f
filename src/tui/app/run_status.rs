//! [`RunStatus`]: what the explorer knows of the run's training, as the updates told it: the
//! [`Mode`], the chart [`History`], the rate the next epoch uses, each sample's latest error
//! and the training time (with the recent window that gives epochs/s).

use crate::train::history::History;
use crate::train::update::{self, Progress, WorkerState};
use std::collections::VecDeque;

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
    Watching(Watched),
}

/// A watched run's trainer, as far as can be seen from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watched {
    /// A process trains the run (or has it open to train).
    Training,
    /// No process trains it, and it has not reached its epoch total.
    Stopped,
    /// No process trains it, and it has reached its epoch total.
    Done,
}

impl From<update::Watched> for Watched {
    fn from(w: update::Watched) -> Self {
        match (w.training, w.done) {
            (true, _) => Watched::Training,
            (false, false) => Watched::Stopped,
            (false, true) => Watched::Done,
        }
    }
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
            Mode::Watching(Watched::Training) => "watching",
            Mode::Watching(Watched::Stopped) => "watching · stopped",
            Mode::Watching(Watched::Done) => "watching · done",
        }
    }

    /// True while a worker may still train (so quitting must save).
    pub fn owns_training(self) -> bool {
        matches!(self, Mode::Starting | Mode::Training | Mode::Paused)
    }
}

/// The run's training as far as the updates have told it.
#[derive(Debug)]
pub struct RunStatus {
    pub mode: Mode,
    pub history: History,
    /// The rate the next epoch uses.
    pub learning_rate: Option<f32>,
    /// Each training sample's latest error, in file order (empty until known).
    pub sample_errors: Vec<f64>,
    /// Seconds spent training the run.
    pub seconds: f64,
    /// Recent (training seconds, epoch) pairs, for epochs/s.
    rate_points: VecDeque<(f64, usize)>,
    /// The run's earlier log is still being read (on a thread): training waits for it, so
    /// that the chart's epochs keep their order.
    pub reading_log: bool,
}

impl RunStatus {
    pub fn new(mode: Mode) -> Self {
        RunStatus {
            mode,
            history: History::default(),
            learning_rate: None,
            sample_errors: Vec::new(),
            seconds: 0.0,
            rate_points: VecDeque::new(),
            reading_log: false,
        }
    }

    /// The worker's state becomes the mode.
    pub fn set_state(&mut self, state: WorkerState) {
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

    /// What a watcher saw of the run's trainer.
    pub fn set_watched(&mut self, watched: update::Watched) {
        let mode = Mode::Watching(watched.into());
        if mode != self.mode {
            // Epochs/s counts from the trainer's (re)start, not across its absence.
            self.rate_points.clear();
        }
        self.mode = mode;
    }

    /// Epochs the trainer finished (or a watched run's log gained).
    pub fn add_progress(&mut self, p: Progress) {
        if p.restarted {
            self.history = History::default();
            self.rate_points.clear();
        }
        if p.points.is_empty() {
            return;
        }
        for &point in &p.points {
            self.history.push(point);
        }
        for &h in &p.halvings {
            self.history.mark_halving(h);
        }
        self.learning_rate = Some(p.next_learning_rate);
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

    /// Epochs per second of training over the last few seconds; None when unknown or idle.
    pub fn epochs_per_sec(&self) -> Option<f64> {
        if !matches!(
            self.mode,
            Mode::Training | Mode::Watching(Watched::Training)
        ) {
            return None;
        }
        let (&(s0, e0), &(s1, e1)) = (self.rate_points.front()?, self.rate_points.back()?);
        (s1 > s0 && e1 > e0).then(|| (e1 - e0) as f64 / (s1 - s0))
    }
}
