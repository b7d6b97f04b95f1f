//! [`Update`]: what a run's training did, in one vocabulary whether the trainer runs on a
//! thread of this process (`worker`) or another process writes the run's files (`watch`).
//!
//! The facts are filled in where they are born: the epochs, their errors and rates and the
//! halvings by the trainer (or read from metrics.csv), the state by the worker. Whoever
//! consumes updates (the explorer) works none of them out again.

use super::metrics::MetricsRow;
use super::schedule::Halving;
use super::trainer::{EpochReport, TrainState};
use crate::net::Network;
use std::sync::Arc;

/// One message about a run's training.
#[derive(Clone, Debug)]
pub enum Update {
    /// Epochs completed since the last update.
    Progress(Progress),
    /// The weights after `epoch`.
    Weights { net: Arc<Network>, epoch: usize },
    /// What the trainer is doing now (only a trainer in this process says).
    State(WorkerState),
    /// A checkpoint of this epoch is on disk.
    Saved { epoch: usize },
    /// One line saying what went wrong and what to do: training failed, or a watched run's
    /// files cannot be read (repeated only when it changes).
    Failed(String),
}

/// What the trainer of this process is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerState {
    Training,
    Paused,
    /// The run reached its epoch total; its outputs are written.
    Done,
    /// Training stopped on an error (sent just before as [`Update::Failed`]).
    Failed,
}

/// The epochs completed since the last update, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// The epochs seen before are to be forgotten: a watched run's metrics.csv was
    /// rewritten (by a resume from an older checkpoint).
    pub restarted: bool,
    /// Epoch of `errors[0]` (1-based).
    pub first_epoch: usize,
    /// Error of each epoch.
    pub errors: Vec<f64>,
    /// Learning rate each epoch used.
    pub learning_rates: Vec<f32>,
    /// The halvings at the end of these epochs, oldest first.
    pub halvings: Vec<Halving>,
    /// Each sample's error in the last epoch, in file order.
    pub sample_errors: Vec<f64>,
    /// The rate the next epoch will use.
    pub next_learning_rate: f32,
    /// Seconds spent training this run (over all sessions, pauses not counted).
    pub seconds: f64,
}

impl Progress {
    /// Epoch of the last entry (0 when empty and nothing came before).
    pub fn last_epoch(&self) -> usize {
        (self.first_epoch + self.errors.len()).saturating_sub(1)
    }

    /// Adds the epoch the trainer just finished; the caller sets `seconds` and
    /// `next_learning_rate` before sending.
    pub fn push(&mut self, report: EpochReport) {
        if self.errors.is_empty() {
            self.first_epoch = report.epoch;
        }
        self.errors.push(report.error);
        self.learning_rates.push(report.learning_rate);
        self.halvings.extend(report.halving);
        self.sample_errors = report.sample_errors;
    }

    /// The epochs of metrics.csv rows, which must count up by one. The log holds the rate
    /// each epoch used, not the halvings, so a halving is read where the rate changes:
    /// between two rows, or between `previous_rate` (the rate of the row before `rows`, as
    /// a follower saw it) and the first. The next epoch's rate is taken to be the last row's.
    pub fn from_rows(rows: &[MetricsRow], previous_rate: Option<f32>) -> Progress {
        let mut progress = Progress {
            first_epoch: rows.first().map_or(0, |r| r.epoch),
            ..Progress::default()
        };
        let mut rate = previous_rate;
        for row in rows {
            if rate.is_some_and(|r| r != row.learning_rate) {
                progress.halvings.push(Halving {
                    epoch: row.epoch.saturating_sub(1),
                    learning_rate: row.learning_rate,
                });
            }
            rate = Some(row.learning_rate);
            progress.errors.push(row.error);
            progress.learning_rates.push(row.learning_rate);
        }
        if let Some(last) = rows.last() {
            progress.sample_errors.clone_from(&last.sample_errors);
            progress.next_learning_rate = last.learning_rate;
            progress.seconds = last.seconds;
        }
        progress
    }

    /// Takes the halvings within these epochs and the next rate from `state`, a checkpoint's
    /// state at the last of them: exact where rows alone are not (a halving at the end of the
    /// last row shows in no row).
    pub fn with_state(mut self, state: &TrainState) -> Progress {
        let epochs = self.first_epoch..=self.last_epoch();
        self.halvings = (state.halvings.iter())
            .filter(|h| epochs.contains(&h.epoch))
            .copied()
            .collect();
        self.next_learning_rate = state.learning_rate;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(epoch: usize, learning_rate: f32) -> MetricsRow {
        MetricsRow {
            epoch,
            error: 1.0 / epoch as f64,
            learning_rate,
            seconds: epoch as f64,
            sample_errors: vec![epoch as f64],
        }
    }

    #[test]
    fn the_trainers_halvings_travel_with_their_epochs() {
        let mut progress = Progress::default();
        for epoch in 7..=8 {
            progress.push(EpochReport {
                epoch,
                error: 0.5,
                learning_rate: 0.1,
                sample_errors: vec![0.5],
                halving: (epoch == 8).then_some(Halving {
                    epoch,
                    learning_rate: 0.05,
                }),
            });
        }
        assert_eq!((progress.first_epoch, progress.last_epoch()), (7, 8));
        assert_eq!(
            progress.halvings,
            [Halving {
                epoch: 8,
                learning_rate: 0.05
            }]
        );
    }

    #[test]
    fn rows_mark_a_halving_where_the_rate_changes() {
        let rows = [row(1, 0.1), row(2, 0.1), row(3, 0.05), row(4, 0.05)];
        let progress = Progress::from_rows(&rows, None);
        assert_eq!(
            progress.halvings,
            [Halving {
                epoch: 2,
                learning_rate: 0.05
            }]
        );
        assert_eq!(progress.errors.len(), 4);
        assert_eq!(progress.next_learning_rate, 0.05);
        assert_eq!(progress.seconds, 4.0);
        assert_eq!(progress.sample_errors, [4.0]);
    }

    #[test]
    fn a_change_across_two_polls_is_a_halving_too() {
        let progress = Progress::from_rows(&[row(5, 0.025)], Some(0.05));
        assert_eq!(
            progress.halvings,
            [Halving {
                epoch: 4,
                learning_rate: 0.025
            }]
        );
        assert!(
            Progress::from_rows(&[row(5, 0.05)], Some(0.05))
                .halvings
                .is_empty()
        );
    }

    #[test]
    fn a_checkpoint_state_adds_the_halving_at_the_last_row() {
        let halving = |epoch| Halving {
            epoch,
            learning_rate: 0.05,
        };
        let state = TrainState {
            halvings: vec![halving(1), halving(3)],
            ..TrainState::new(0.05)
        };
        let progress = Progress::from_rows(&[row(2, 0.1), row(3, 0.1)], None).with_state(&state);
        assert_eq!(progress.halvings, [halving(3)]);
        assert_eq!(progress.next_learning_rate, 0.05);
    }
}
