//! `metrics.csv`, the run's log: its format, which epochs get a row, and one row's text.
//!
//! The header is `epoch,error,learning_rate,seconds,error_min,error_max` and then one error
//! column per training sample, named by its stem. The first [`FULL_RESOLUTION_EPOCHS`]
//! epochs get a row each; after that one epoch in `log_every` does ([`LogPlan`]), plus every
//! epoch that halved the learning rate and the last epoch of each training session. A row
//! holds the error, rate, seconds and sample errors of its own epoch, and the lowest and
//! highest epoch error since the row before it (`error_min`, `error_max`), so a one-epoch
//! spike between two rows is still in the log. Logs written before these two columns
//! existed (a row for every epoch) read as rows whose minimum and maximum are their error.
//!
//! `writer` appends rows, `reader` streams a log row by row, `truncate` cuts a log back to a
//! checkpoint reading only its end, `follower` reads what another process appends. None of
//! them ever holds the whole file.

mod follower;
mod reader;
#[cfg(test)]
mod test_log;
mod truncate;
mod writer;

pub use follower::{FollowUpdate, MetricsFollower};
pub use reader::{Metrics, MetricsReader, read, row_at};
pub use truncate::truncate_after;
pub use writer::{MetricsSyncer, MetricsWriter};

use super::history::Point;
pub use super::trainer::LogBucket;
use crate::shown::Shown;

/// The fixed leading columns.
pub const FIXED_COLUMNS: [&str; 4] = ["epoch", "error", "learning_rate", "seconds"];

/// The columns after the fixed ones that hold the range of the epochs a row stands for.
pub const RANGE_COLUMNS: [&str; 2] = ["error_min", "error_max"];

/// Epochs at the start of every run that get a row each, whatever `log_every` says: the
/// error falls fastest there, and short runs keep their whole story.
pub const FULL_RESOLUTION_EPOCHS: usize = 10_000;

/// `log_every` of a new run when `--log-every` is not given: a million-epoch run logs about
/// 20 thousand rows (5 MB with eight samples) instead of a million (270 MB).
pub const DEFAULT_LOG_EVERY: usize = 100;

/// Which epochs get a row: every epoch up to `full_until`, then every `every`-th.
/// Epochs that halve the rate and a session's last epoch get a row as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogPlan {
    pub full_until: usize,
    pub every: usize,
}

impl LogPlan {
    /// The plan of a run whose `run.json` says `log_every` (at least 1).
    pub fn new(log_every: usize) -> Self {
        LogPlan {
            full_until: FULL_RESOLUTION_EPOCHS,
            every: log_every.max(1),
        }
    }

    /// A row for every epoch (logs written before `log_every` existed).
    pub fn every_epoch() -> Self {
        LogPlan::new(1)
    }

    /// True when `epoch` gets a row by the plan alone.
    pub fn is_logged(self, epoch: usize) -> bool {
        epoch <= self.full_until || epoch.is_multiple_of(self.every)
    }

    /// The first epoch after `epoch` that gets a row by the plan alone: no row may come
    /// later than that, or rows are missing.
    pub fn next_logged(self, epoch: usize) -> usize {
        let next = epoch + 1;
        if next <= self.full_until {
            next
        } else {
            next.next_multiple_of(self.every)
        }
    }
}

/// One parsed row. For a row of an old log without the range columns, `error_min` and
/// `error_max` equal `error`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricsRow {
    pub epoch: usize,
    pub error: f64,
    pub learning_rate: f32,
    pub seconds: f64,
    /// Lowest and highest epoch error from the epoch after the previous row to this one.
    pub error_min: f64,
    pub error_max: f64,
    pub sample_errors: Vec<f64>,
}

impl From<&MetricsRow> for Point {
    fn from(row: &MetricsRow) -> Self {
        Point {
            epoch: row.epoch,
            error: row.error,
            error_min: row.error_min,
            error_max: row.error_max,
            learning_rate: row.learning_rate,
        }
    }
}

/// What a header says: the sample stems, and whether rows carry the range columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub stems: Vec<String>,
    /// False for logs written before `error_min` and `error_max` existed.
    pub ranged: bool,
}

impl Header {
    /// The header of a new log for these stems.
    pub fn new(stems: &[String]) -> Self {
        Header {
            stems: stems.to_vec(),
            ranged: true,
        }
    }

    /// Columns of each row.
    pub fn columns(&self) -> usize {
        FIXED_COLUMNS.len() + if self.ranged { RANGE_COLUMNS.len() } else { 0 } + self.stems.len()
    }

    /// The header line, without newline.
    pub fn line(&self) -> String {
        let range: &[&str] = if self.ranged { &RANGE_COLUMNS } else { &[] };
        FIXED_COLUMNS
            .iter()
            .chain(range)
            .map(|c| c.to_string())
            .chain(self.stems.iter().cloned())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses a header line (without its newline).
    pub fn parse(line: &str) -> Result<Self, String> {
        let columns: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        if columns.len() < FIXED_COLUMNS.len() || columns[..4] != FIXED_COLUMNS {
            return Err(format!(
                "line 1: the header must start with {}",
                FIXED_COLUMNS.join(",")
            ));
        }
        // Stems are input vectors (digits, points, underscores), so never these names.
        let ranged = columns[4..].starts_with(&RANGE_COLUMNS);
        let skip = 4 + if ranged { 2 } else { 0 };
        Ok(Header {
            stems: columns[skip..].iter().map(|s| s.to_string()).collect(),
            ranged,
        })
    }

    /// Parses one data line (without its newline) into `row`, reusing its sample vector.
    pub fn parse_row(&self, line: &str, row: &mut MetricsRow) -> Result<(), String> {
        let line = line.trim_end_matches('\r');
        let count = line.split(',').count();
        if count != self.columns() {
            return Err(format!(
                "has {count} columns, the header has {}",
                self.columns()
            ));
        }
        let mut fields = line.split(',').enumerate();
        let mut next = || fields.next().expect("the columns were counted");
        let number = |(i, field): (usize, &str)| {
            field
                .parse::<f64>()
                .map_err(|_| format!("column {} '{}' is not a number", i + 1, Shown(field)))
        };
        let (_, epoch) = next();
        row.epoch = epoch
            .parse::<usize>()
            .map_err(|_| format!("epoch '{}' is not a whole number", Shown(epoch)))?;
        row.error = number(next())?;
        row.learning_rate = number(next())? as f32;
        row.seconds = number(next())?;
        if self.ranged {
            row.error_min = number(next())?;
            row.error_max = number(next())?;
            // NaN fails both comparisons and is refused with them.
            if !(row.error_min <= row.error && row.error <= row.error_max) {
                return Err(format!(
                    "error {} is not within error_min {} and error_max {}",
                    row.error, row.error_min, row.error_max
                ));
            }
        } else {
            row.error_min = row.error;
            row.error_max = row.error;
        }
        row.sample_errors.clear();
        for _ in 0..self.stems.len() {
            row.sample_errors.push(number(next())?);
        }
        Ok(())
    }

    /// Appends one row's text (with newline) to `out`. Numbers use the shortest text that
    /// reads back to the same value, in scientific notation when that is shorter
    /// (`1.6294442827721283e-14`, not 31 characters of zeros first).
    pub fn format_row(&self, row: &MetricsRow, out: &mut String) {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = write!(out, "{},", row.epoch);
        push_number(out, row.error);
        out.push(',');
        push_number(out, row.learning_rate);
        let _ = write!(out, ",{:.3}", row.seconds);
        if self.ranged {
            out.push(',');
            push_number(out, row.error_min);
            out.push(',');
            push_number(out, row.error_max);
        }
        for &e in &row.sample_errors {
            out.push(',');
            push_number(out, e);
        }
        out.push('\n');
    }
}

/// Appends `x` as the shortest text that reads back to it: plain between 0.001 and 10^7,
/// scientific outside (where the plain form is longer).
fn push_number<T>(out: &mut String, x: T)
where
    T: std::fmt::Display + std::fmt::LowerExp + Into<f64> + Copy,
{
    use std::fmt::Write;
    let magnitude = x.into().abs();
    let _ = if magnitude != 0.0 && !(1e-3..1e7).contains(&magnitude) {
        write!(out, "{x:e}")
    } else {
        write!(out, "{x}")
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_logs_every_early_epoch_then_every_nth() {
        let plan = LogPlan {
            full_until: 10,
            every: 4,
        };
        let logged: Vec<usize> = (1..=20).filter(|&e| plan.is_logged(e)).collect();
        assert_eq!(logged, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 20]);
        assert_eq!(plan.next_logged(9), 10);
        assert_eq!(plan.next_logged(10), 12);
        assert_eq!(plan.next_logged(13), 16);
        assert_eq!(LogPlan::every_epoch().next_logged(123_456), 123_457);
    }

    #[test]
    fn an_old_header_without_the_range_columns_still_reads() {
        let old = Header::parse("epoch,error,learning_rate,seconds,10,01").unwrap();
        assert_eq!((old.stems.len(), old.ranged), (2, false));
        let mut row = MetricsRow::default();
        old.parse_row("7,0.5,0.1,1.25,0.25,0.75", &mut row).unwrap();
        assert_eq!((row.error_min, row.error_max), (0.5, 0.5));
        assert_eq!(row.sample_errors, [0.25, 0.75]);
    }

    #[test]
    fn a_row_reads_back_exactly_as_it_was_written() {
        let header = Header::new(&["10".to_string(), "01".to_string()]);
        assert_eq!(
            header.line(),
            "epoch,error,learning_rate,seconds,error_min,error_max,10,01"
        );
        let row = MetricsRow {
            epoch: 12_300,
            error: 0.1 / 3.0,
            learning_rate: 0.05,
            seconds: 12.5,
            error_min: 0.01 / 3.0,
            error_max: 0.7,
            sample_errors: vec![1.0 / 7.0, 2.0 / 9.0],
        };
        let mut text = String::new();
        header.format_row(&row, &mut text);
        let mut back = MetricsRow::default();
        header
            .parse_row(text.trim_end_matches('\n'), &mut back)
            .unwrap();
        assert_eq!(back, row);
    }

    #[test]
    fn small_errors_are_written_in_scientific_notation() {
        let header = Header::new(&["1".to_string()]);
        let row = MetricsRow {
            epoch: 3,
            error: 1.6294442827721283e-14,
            learning_rate: 0.1,
            seconds: 0.5,
            error_min: 0.0,
            error_max: 0.25,
            sample_errors: vec![1.5e9],
        };
        let mut text = String::new();
        header.format_row(&row, &mut text);
        assert_eq!(text, "3,1.6294442827721283e-14,0.1,0.500,0,0.25,1.5e9\n");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn written_rows_read_back_exactly(
                error in any::<f64>().prop_filter("finite", |x| x.is_finite()),
                spread in 0.0f64..1e3,
                lr in any::<f32>().prop_filter("finite", |x| x.is_finite()),
                samples in proptest::collection::vec(any::<f64>().prop_filter("finite", |x| x.is_finite()), 0..4),
            ) {
                let stems: Vec<String> = (0..samples.len()).map(|i| i.to_string()).collect();
                let header = Header::new(&stems);
                let row = MetricsRow {
                    epoch: 7,
                    error,
                    learning_rate: lr,
                    seconds: 1.0,
                    error_min: error - spread,
                    error_max: error + spread,
                    sample_errors: samples,
                };
                let mut text = String::new();
                header.format_row(&row, &mut text);
                let mut back = MetricsRow::default();
                header.parse_row(text.trim_end_matches('\n'), &mut back).unwrap();
                prop_assert_eq!(back, row);
            }

            #[test]
            fn arbitrary_lines_parse_or_are_refused_without_panicking(line in "[0-9.,eE+a-z-]{0,60}") {
                let header = Header::new(&["10".to_string(), "01".to_string()]);
                let _ = header.parse_row(&line, &mut MetricsRow::default());
                let _ = Header::parse(&line);
            }
        }
    }

    #[test]
    fn a_row_whose_error_is_outside_its_range_is_refused() {
        let header = Header::new(&["1".to_string()]);
        let mut row = MetricsRow::default();
        let e = header
            .parse_row("5,0.9,0.1,0,0.1,0.5,0.3", &mut row)
            .unwrap_err();
        assert!(e.contains("not within error_min"), "{e}");
        let e = header
            .parse_row("5,0.3,0.1,0,0.1,0.5", &mut row)
            .unwrap_err();
        assert_eq!(e, "has 6 columns, the header has 7");
    }
}
