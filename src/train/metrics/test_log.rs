//! Logs for the metrics tests: epochs with known errors written by the real writer, and
//! ways to read or damage them.

use super::{Header, LogBucket, LogPlan, MetricsWriter, read};
use crate::train::trainer::EpochReport;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Epoch `epoch` with error 0.1/epoch and two samples.
pub fn report(epoch: usize) -> EpochReport {
    EpochReport {
        epoch,
        error: 0.1 / epoch as f64,
        learning_rate: 0.1,
        sample_errors: vec![0.2 / epoch as f64, 1.0 / 3.0],
        halving: None,
    }
}

/// The two samples' stems.
pub fn stems() -> Vec<String> {
    vec!["10".into(), "01".into()]
}

/// A row for every epoch.
pub fn every() -> LogPlan {
    LogPlan::every_epoch()
}

/// `dir/metrics.csv` holding epochs 1..=n written with `plan`.
pub fn log_with(dir: &Path, n: usize, plan: LogPlan) -> PathBuf {
    let path = dir.join("metrics.csv");
    let header = Header::new(&stems());
    fs::write(&path, header.line() + "\n").unwrap();
    let mut w = MetricsWriter::append_to(&path, header, plan, LogBucket::empty_after(0)).unwrap();
    for e in 1..=n {
        w.append(&report(e), e as f64).unwrap();
    }
    w.flush().unwrap();
    path
}

/// The epochs of the rows of the log at `path`.
pub fn epochs(path: &Path, plan: LogPlan) -> Vec<usize> {
    read(path, plan)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.epoch)
        .collect()
}

/// Appends `text` as it is (a torn line, rows by hand).
pub fn append(path: &Path, text: &str) {
    let mut f = OpenOptions::new().append(true).open(path).unwrap();
    write!(f, "{text}").unwrap();
}
