//! [`Update`]: what a run's training did, in one vocabulary whether the trainer runs on a
//! thread of this process (`worker`) or another process writes the run's files (`watch`).
//!
//! The facts are filled in where they are born: the epochs, their errors and rates and the
//! halvings by the trainer (or read from metrics.csv), the state by the worker. Whoever
//! consumes updates (the explorer) works none of them out again.

use super::history::Point;
use super::metrics::{LogPlan, MetricsReader, MetricsRow};
use super::schedule::Halving;
use super::trainer::{EpochReport, TrainState};
use crate::net::Network;
use crate::shown::Shown;
use anyhow::{Result, anyhow};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Most points in one batch read from a log.
const LOG_BATCH: usize = 4096;

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
    /// What a watcher sees of the process that trains the run (sent when it changes).
    Watched(Watched),
    /// The run's earlier log has been read to its end (after its progress batches), or
    /// could not be (after a `Failed` saying why): training may go on.
    LogRead,
}

/// A run another process trains, as seen from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watched {
    /// A process holds the run's training lock: it trains the run (or has it open in an
    /// explorer, perhaps paused).
    pub training: bool,
    /// No process trains it and its checkpoint has reached the epoch total.
    pub done: bool,
    /// The epoch total in run.json; a resume with a new `--epochs` changes it.
    pub total_epochs: usize,
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
    /// The epochs seen before are to be forgotten: a watched run's metrics.csv is another
    /// file than before.
    pub restarted: bool,
    /// One point per epoch from a trainer; one per row from metrics.csv, where a row may
    /// stand for the epochs since the row before it (with their lowest and highest error).
    pub points: Vec<Point>,
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
    /// Epoch of the first point (0 when empty).
    pub fn first_epoch(&self) -> usize {
        self.points.first().map_or(0, |p| p.epoch)
    }

    /// Epoch of the last point (0 when empty).
    pub fn last_epoch(&self) -> usize {
        self.points.last().map_or(0, |p| p.epoch)
    }

    /// Adds the epoch the trainer just finished; the caller sets `seconds` and
    /// `next_learning_rate` before sending.
    pub fn push(&mut self, report: EpochReport) {
        self.points.push(Point::single(
            report.epoch,
            report.error,
            report.learning_rate,
        ));
        self.halvings.extend(report.halving);
        self.sample_errors = report.sample_errors;
    }

    /// The points of metrics.csv rows, and the last row in full. The log holds the rate
    /// each epoch used, not the halvings, so a halving is read where the rate changes: at
    /// the row before the change (the log has a row for every epoch that halved the rate),
    /// which may be `previous`, the row before `points` as a follower saw it. The next
    /// epoch's rate is taken to be the last row's.
    pub fn from_rows(
        points: Vec<Point>,
        last: Option<&MetricsRow>,
        previous: Option<Point>,
    ) -> Self {
        let mut halvings = Vec::new();
        let mut before = previous;
        for p in &points {
            if let Some(b) = before
                && b.learning_rate != p.learning_rate
            {
                halvings.push(Halving {
                    epoch: b.epoch,
                    learning_rate: p.learning_rate,
                });
            }
            before = Some(*p);
        }
        let mut progress = Progress {
            points,
            halvings,
            ..Progress::default()
        };
        if let Some(last) = last {
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
        let epochs = self.first_epoch()..=self.last_epoch();
        self.halvings = (state.halvings.iter())
            .filter(|h| epochs.contains(&h.epoch))
            .copied()
            .collect();
        self.next_learning_rate = state.learning_rate;
        self
    }
}

/// Reads the log of a resumed run on a thread of its own, so the explorer shows its first
/// frame at once however long the log is: `sink` gets the progress batches of
/// [`read_log`], then [`Update::LogRead`] (after [`Update::Failed`] if the log is bad).
/// Stops early when `sink` returns false.
pub fn spawn_log_reader<F>(
    path: PathBuf,
    plan: LogPlan,
    state: TrainState,
    mut sink: F,
) -> std::io::Result<()>
where
    F: FnMut(Update) -> bool + Send + 'static,
{
    std::thread::Builder::new()
        .name("nnimg-log".into())
        .spawn(move || {
            let mut open = true;
            let read = read_log(&path, plan, &state, |p| {
                open = open && sink(Update::Progress(p));
            });
            if let Err(e) = read
                && open
            {
                open = sink(Update::Failed(format!("{e:#}")));
            }
            if open {
                sink(Update::LogRead);
            }
        })
        .map(|_| ())
}

/// Reads the log at `path` (written with `plan`) of a run whose checkpoint state is `state`,
/// handing it to `sink` as batches of progress: a row at a time from the file and at most
/// [`LOG_BATCH`] points in memory, however long the log.
pub fn read_log(
    path: &Path,
    plan: LogPlan,
    state: &TrainState,
    mut sink: impl FnMut(Progress),
) -> Result<()> {
    let mut reader = MetricsReader::open(path, plan)?;
    let mut row = MetricsRow::default();
    let mut points = Vec::with_capacity(LOG_BATCH);
    loop {
        let more = (reader.next_row(&mut row)).map_err(|e| anyhow!("{}: {e:#}", Shown(path)))?;
        if more {
            points.push(Point::from(&row));
        }
        // `row` is the last row read, also at the end of the file.
        if points.len() == LOG_BATCH || !more && !points.is_empty() {
            let batch = std::mem::replace(&mut points, Vec::with_capacity(LOG_BATCH));
            sink(Progress::from_rows(batch, Some(&row), None).with_state(state));
        }
        if !more {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::history::{History, MAX_BUCKETS, RECENT_EPOCHS};

    fn row(epoch: usize, learning_rate: f32) -> MetricsRow {
        MetricsRow {
            epoch,
            error: 1.0 / epoch as f64,
            learning_rate,
            seconds: epoch as f64,
            error_min: 1.0 / epoch as f64,
            error_max: 1.0 / epoch as f64,
            sample_errors: vec![epoch as f64],
        }
    }

    /// What a follower hands over for `rows`.
    fn from_rows(rows: &[MetricsRow], previous: Option<MetricsRow>) -> Progress {
        let points = rows.iter().map(Point::from).collect();
        Progress::from_rows(points, rows.last(), previous.as_ref().map(Point::from))
    }

    /// Opens a synthetic log of `epochs` epochs (a spike of 50 at epoch `spike`) the way
    /// the explorer does, into the charts' history.
    fn open_synthetic_log(epochs: usize, spike: usize) -> History {
        use crate::train::metrics::{Header, LogBucket, MetricsWriter};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        let header = Header::new(&["10".to_string(), "01".to_string()]);
        std::fs::write(&path, header.line() + "\n").unwrap();
        let plan = LogPlan {
            full_until: 1000,
            every: 10,
        };
        let mut w =
            MetricsWriter::append_to(&path, header, plan, LogBucket::empty_after(0)).unwrap();
        for epoch in 1..=epochs {
            let error = if epoch == spike {
                50.0
            } else {
                1.0 / epoch as f64
            };
            let report = EpochReport {
                epoch,
                error,
                learning_rate: 0.1,
                sample_errors: vec![error, error],
                halving: None,
            };
            w.append(&report, 0.0).unwrap();
        }
        w.flush().unwrap();
        let mut history = History::default();
        let state = TrainState {
            epoch: epochs,
            ..TrainState::new(0.1)
        };
        read_log(&path, plan, &state, |p| {
            assert!(p.points.len() <= LOG_BATCH);
            p.points.iter().for_each(|&point| history.push(point));
        })
        .unwrap();
        history
    }

    #[test]
    fn opening_a_long_log_keeps_a_bounded_history_that_still_shows_its_spike() {
        let short = open_synthetic_log(20_000, 12_345);
        let long = open_synthetic_log(2_000_000, 1_234_567);
        assert_eq!(long.last_epoch(), 2_000_000);
        // At most 2048 buckets and the recent points, whether the log has 2900 rows or 200900.
        for h in [&short, &long] {
            assert!(h.stored() <= RECENT_EPOCHS + MAX_BUCKETS, "{}", h.stored());
        }
        // The spike fell between two rows (one in ten is logged): its row's range has it.
        for (history, spike) in [(short, 12_345usize), (long, 1_234_567)] {
            let row = spike.next_multiple_of(10);
            let chart = history.whole_run(100);
            assert!(chart.iter().any(|b| b.max == (row, 50.0)), "{chart:?}");
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
        assert_eq!((progress.first_epoch(), progress.last_epoch()), (7, 8));
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
        let progress = from_rows(&rows, None);
        assert_eq!(
            progress.halvings,
            [Halving {
                epoch: 2,
                learning_rate: 0.05
            }]
        );
        assert_eq!(progress.points.len(), 4);
        assert_eq!(progress.next_learning_rate, 0.05);
        assert_eq!(progress.seconds, 4.0);
        assert_eq!(progress.sample_errors, [4.0]);
    }

    #[test]
    fn in_a_thinned_log_the_halving_is_at_the_row_before_the_change() {
        let rows = [row(10_000, 0.1), row(10_037, 0.1), row(10_100, 0.05)];
        assert_eq!(
            from_rows(&rows, None).halvings,
            [Halving {
                epoch: 10_037,
                learning_rate: 0.05
            }]
        );
    }

    #[test]
    fn a_change_across_two_polls_is_a_halving_too() {
        let progress = from_rows(&[row(5, 0.025)], Some(row(4, 0.05)));
        assert_eq!(
            progress.halvings,
            [Halving {
                epoch: 4,
                learning_rate: 0.025
            }]
        );
        assert!(
            from_rows(&[row(5, 0.05)], Some(row(4, 0.05)))
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
        let progress = from_rows(&[row(2, 0.1), row(3, 0.1)], None).with_state(&state);
        assert_eq!(progress.halvings, [halving(3)]);
        assert_eq!(progress.next_learning_rate, 0.05);
    }
}
