//! [`RunStatus`]: what the explorer knows of the run's training, as the updates told it: the
//! [`Mode`], the chart [`History`], the rate the next epoch uses, each sample's latest error
//! and the training time (with the recent window that gives epochs/s).

use crate::train::update::{Progress, WorkerState};
use crate::tui::history::History;
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

    /// Epochs the trainer finished (or a watched run's log gained).
    pub fn add_progress(&mut self, p: Progress) {
        if p.restarted {
            self.history = History::default();
            self.rate_points.clear();
        }
        if p.errors.is_empty() {
            return;
        }
        for (i, (&e, &lr)) in p.errors.iter().zip(&p.learning_rates).enumerate() {
            self.history.push(p.first_epoch + i, e, lr);
        }
        self.history.halvings.extend(&p.halvings);
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
        if !matches!(self.mode, Mode::Training | Mode::Watching) {
            return None;
        }
        let (&(s0, e0), &(s1, e1)) = (self.rate_points.front()?, self.rate_points.back()?);
        (s1 > s0 && e1 > e0).then(|| (e1 - e0) as f64 / (s1 - s0))
    }
}
