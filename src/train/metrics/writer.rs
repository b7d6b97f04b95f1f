//! [`MetricsWriter`]: appends the rows a [`LogPlan`] calls for, with the error range of the
//! epochs in between, and flushes at least once a second so another process can follow.

use super::{Header, LogBucket, LogPlan, MetricsRow};
use crate::shown::Shown;
use crate::train::trainer::EpochReport;
use anyhow::{Context, Result};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Longest time rows may sit in the writer's buffer.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// Appends rows to `metrics.csv`, flushing at least every [`FLUSH_INTERVAL`].
pub struct MetricsWriter {
    path: PathBuf,
    out: BufWriter<File>,
    last_flush: Instant,
    header: Header,
    plan: LogPlan,
    bucket: LogBucket,
    /// The last epoch trained and its training seconds, for a session's closing row.
    last: Option<(EpochReport, f64)>,
    /// The row being written, kept to reuse its memory.
    row: MetricsRow,
    line: String,
}

impl MetricsWriter {
    /// Opens `path` for appending; it must already hold `header`. `bucket` is what the
    /// checkpoint the run continues from says about the epochs since the last row.
    pub fn append_to(
        path: &Path,
        header: Header,
        plan: LogPlan,
        bucket: LogBucket,
    ) -> Result<Self> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("{}: cannot open for writing", Shown(path)))?;
        Ok(MetricsWriter {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            last_flush: Instant::now(),
            header,
            plan,
            bucket,
            last: None,
            row: MetricsRow::default(),
            line: String::new(),
        })
    }

    /// The epochs since the last planned row, for the checkpoint.
    pub fn bucket(&self) -> LogBucket {
        self.bucket
    }

    /// Logs one epoch: a row if the plan calls for one or the epoch halved the rate, else
    /// only its error into the next row's range. Flushes if the last flush is a second old.
    pub fn append(&mut self, report: &EpochReport, seconds: f64) -> Result<()> {
        self.bucket.add(report.error);
        if self.plan.is_logged(report.epoch) || report.halving.is_some() {
            self.write_row(report, seconds)?;
            self.bucket = LogBucket::empty_after(report.epoch);
            self.last = None;
        } else {
            match &mut self.last {
                Some((last, s)) => {
                    last.clone_from(report);
                    *s = seconds;
                }
                None => self.last = Some((report.clone(), seconds)),
            }
        }
        if self.last_flush.elapsed() >= FLUSH_INTERVAL {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the row of the last epoch trained if the plan did not call for one, so the
    /// log ends where the session does. The bucket stays open: a resume drops this row and
    /// the next planned row covers its epochs again.
    pub fn close(&mut self) -> Result<()> {
        if let Some((report, seconds)) = self.last.take() {
            self.write_row(&report, seconds)?;
        }
        self.flush()
    }

    fn write_row(&mut self, report: &EpochReport, seconds: f64) -> Result<()> {
        self.row.epoch = report.epoch;
        self.row.error = report.error;
        self.row.learning_rate = report.learning_rate;
        self.row.seconds = seconds;
        self.row.error_min = self.bucket.min;
        self.row.error_max = self.bucket.max;
        self.row.sample_errors.clone_from(&report.sample_errors);
        self.line.clear();
        self.header.format_row(&self.row, &mut self.line);
        self.out
            .write_all(self.line.as_bytes())
            .with_context(|| format!("{}: cannot write", Shown(&self.path)))
    }

    /// Writes buffered rows to the file.
    pub fn flush(&mut self) -> Result<()> {
        self.last_flush = Instant::now();
        self.out
            .flush()
            .with_context(|| format!("{}: cannot write", Shown(&self.path)))
    }

    /// A handle that puts the rows flushed so far on disk, for the checkpoint thread: before
    /// a checkpoint is saved, so that after a crash the log never ends before the checkpoint.
    pub fn syncer(&self) -> Result<MetricsSyncer> {
        let file = self
            .out
            .get_ref()
            .try_clone()
            .with_context(|| format!("{}: cannot open for writing", Shown(&self.path)))?;
        Ok(MetricsSyncer {
            path: self.path.clone(),
            file,
        })
    }
}

/// Puts the rows a [`MetricsWriter`] has flushed on disk; may live on another thread.
pub struct MetricsSyncer {
    path: PathBuf,
    /// The writer's file (a duplicate handle): fsync covers what any handle wrote to it.
    file: File,
}

impl MetricsSyncer {
    /// Waits until every row flushed before this call is on disk.
    pub fn sync(&self) -> Result<()> {
        self.file
            .sync_data()
            .with_context(|| format!("{}: cannot write to disk", Shown(&self.path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::Halving;
    use crate::train::metrics::read;
    use std::fs;

    fn report(epoch: usize, error: f64) -> EpochReport {
        EpochReport {
            epoch,
            error,
            learning_rate: 0.1,
            sample_errors: vec![error, 1.0 / 3.0],
            halving: None,
        }
    }

    fn new_log(dir: &Path) -> (PathBuf, Header) {
        let path = dir.join("metrics.csv");
        let header = Header::new(&["10".to_string(), "01".to_string()]);
        fs::write(&path, header.line() + "\n").unwrap();
        (path, header)
    }

    const PLAN: LogPlan = LogPlan {
        full_until: 3,
        every: 5,
    };

    #[test]
    fn skipped_epochs_leave_their_lowest_and_highest_error_in_the_next_row() {
        let dir = tempfile::tempdir().unwrap();
        let (path, header) = new_log(dir.path());
        let mut w =
            MetricsWriter::append_to(&path, header, PLAN, LogBucket::empty_after(0)).unwrap();
        let errors = [0.9, 0.8, 0.7, 0.6, 5.0, 0.5, 0.01, 0.4, 0.3, 0.35, 0.3, 0.2];
        for (i, &e) in errors.iter().enumerate() {
            w.append(&report(i + 1, e), i as f64).unwrap();
        }
        w.flush().unwrap();
        let m = read(&path, PLAN).unwrap();
        let rows: Vec<_> = m
            .rows
            .iter()
            .map(|r| (r.epoch, r.error, r.error_min, r.error_max))
            .collect();
        assert_eq!(
            rows,
            [
                (1, 0.9, 0.9, 0.9),
                (2, 0.8, 0.8, 0.8),
                (3, 0.7, 0.7, 0.7),
                (5, 5.0, 0.6, 5.0),
                (10, 0.35, 0.01, 0.5),
            ]
        );
        assert_eq!(w.bucket().last_row, 10);
        assert_eq!((w.bucket().min, w.bucket().max), (0.2, 0.3));
    }

    #[test]
    fn a_halving_epoch_gets_its_row_and_a_session_ends_with_one() {
        let dir = tempfile::tempdir().unwrap();
        let (path, header) = new_log(dir.path());
        let mut w =
            MetricsWriter::append_to(&path, header, PLAN, LogBucket::empty_after(3)).unwrap();
        w.append(&report(4, 0.5), 0.0).unwrap();
        let mut halved = report(6, 0.4);
        halved.halving = Some(Halving {
            epoch: 6,
            learning_rate: 0.05,
        });
        w.append(&report(5, 0.6), 0.0).unwrap();
        w.append(&halved, 0.0).unwrap();
        w.append(&report(7, 0.3), 0.0).unwrap();
        w.append(&report(8, 0.2), 0.0).unwrap();
        w.close().unwrap();
        let epochs: Vec<usize> = read(&path, PLAN)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.epoch)
            .collect();
        assert_eq!(epochs, [5, 6, 8]);
        // The closing row does not close the bucket: the next planned row covers 7..=10.
        assert_eq!(w.bucket().last_row, 6);
        assert_eq!((w.bucket().min, w.bucket().max), (0.2, 0.3));
    }
}
