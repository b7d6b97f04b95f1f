//! [`MetricsReader`]: a log read row by row, in memory that does not grow with the log.
//!
//! A last line without its newline (a row being written, or cut by a kill) is ignored; any
//! other malformed line is reported with its number. Rows must come in the order the
//! [`LogPlan`] writes them: epochs going up, none of the plan's rows missing.

use super::{Header, LogPlan, MetricsRow};
use crate::shown::Shown;
use anyhow::{Context, Result, anyhow, bail};
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::Path;

/// Longest line a log may have; a longer one is not a row of ours (and reading it whole
/// would take memory in proportion to a damaged file).
pub(super) const MAX_LINE: u64 = 16 << 20;

/// Streams the rows of a log.
pub struct MetricsReader<R> {
    input: R,
    /// None for an empty file or one whose first line is not complete yet.
    header: Option<Header>,
    plan: LogPlan,
    line: String,
    /// Number of the last line read (1 is the header).
    line_no: usize,
    /// Epoch of the last row read.
    prev: Option<usize>,
    /// Bytes up to the end of the last complete line read.
    offset: u64,
}

impl MetricsReader<BufReader<File>> {
    /// Opens `path`; errors name the file.
    pub fn open(path: &Path, plan: LogPlan) -> Result<Self> {
        let file = File::open(path).with_context(|| format!("{}: cannot read", Shown(path)))?;
        MetricsReader::new(BufReader::with_capacity(1 << 16, file), plan)
            .map_err(|e| anyhow!("{}: {e:#}", Shown(path)))
    }
}

impl<R: BufRead> MetricsReader<R> {
    /// Reads the header from `input`. `plan` is the run's; a log without the range columns
    /// was written with a row for every epoch, and is read so.
    pub fn new(input: R, plan: LogPlan) -> Result<Self> {
        let mut reader = MetricsReader {
            input,
            header: None,
            plan,
            line: String::new(),
            line_no: 0,
            prev: None,
            offset: 0,
        };
        if reader.next_line()? {
            let header = Header::parse(reader.current_line()).map_err(|e| anyhow!(e))?;
            if !header.ranged {
                reader.plan = LogPlan::every_epoch();
            }
            reader.header = Some(header);
        }
        Ok(reader)
    }

    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// Bytes from the start of the file to the end of the last complete line read.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads the next row into `row` (reusing its memory); false at the end of the rows.
    pub fn next_row(&mut self, row: &mut MetricsRow) -> Result<bool> {
        if self.header.is_none() || !self.next_line()? {
            return Ok(false);
        }
        let n = self.line_no;
        let header = self.header.as_ref().expect("checked above");
        header
            .parse_row(self.line.trim_end_matches('\n'), row)
            .map_err(|e| anyhow!("line {n}: {e}"))?;
        if let Some(prev) = self.prev
            && (row.epoch <= prev || row.epoch > self.plan.next_logged(prev))
        {
            bail!("line {n}: epoch {} follows epoch {prev}", row.epoch);
        }
        self.prev = Some(row.epoch);
        Ok(true)
    }

    /// Reads one complete line into `self.line`; false at the end of the file or before a
    /// last line without its newline.
    fn next_line(&mut self) -> Result<bool> {
        self.line.clear();
        let n = self.line_no + 1;
        let read = (&mut self.input)
            .take(MAX_LINE)
            .read_line(&mut self.line)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidData => anyhow!("line {n}: is not text"),
                _ => anyhow!("cannot read: {e}"),
            })?;
        if !self.line.ends_with('\n') {
            if read as u64 == MAX_LINE {
                bail!("line {n}: longer than {} MiB", MAX_LINE >> 20);
            }
            return Ok(false);
        }
        self.line_no = n;
        self.offset += read as u64;
        Ok(true)
    }

    fn current_line(&self) -> &str {
        self.line.trim_end_matches('\n')
    }
}

/// A whole parsed log: for tests and small logs. Readers of a run's log stream it instead.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    pub stems: Vec<String>,
    pub rows: Vec<MetricsRow>,
}

/// Reads and parses the whole log at `path`; errors name the file.
pub fn read(path: &Path, plan: LogPlan) -> Result<Metrics> {
    let mut reader = MetricsReader::open(path, plan)?;
    let stems = reader.header().map_or_else(Vec::new, |h| h.stems.clone());
    let mut rows = Vec::new();
    let mut row = MetricsRow::default();
    while reader
        .next_row(&mut row)
        .map_err(|e| anyhow!("{}: {e:#}", Shown(path)))?
    {
        rows.push(row.clone());
    }
    Ok(Metrics { stems, rows })
}

/// The row of the log at `path` for `epoch`, read row by row: the last row at or before it
/// (a thinned log may have no row of its own for it), or the last row if all come after.
pub fn row_at(path: &Path, plan: LogPlan, epoch: usize) -> Result<Option<MetricsRow>> {
    let mut reader = MetricsReader::open(path, plan)?;
    let (mut row, mut found) = (MetricsRow::default(), None::<MetricsRow>);
    while reader
        .next_row(&mut row)
        .map_err(|e| anyhow!("{}: {e:#}", Shown(path)))?
    {
        if row.epoch > epoch && found.is_some() {
            break;
        }
        found = Some(row.clone());
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::metrics::test_log::{append, epochs, every, log_with, stems};
    use std::fs;

    #[test]
    fn the_row_for_an_epoch_is_the_last_one_at_or_before_it() {
        let plan = LogPlan {
            full_until: 3,
            every: 10,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = log_with(dir.path(), 35, plan);
        let at = |epoch| row_at(&path, plan, epoch).unwrap().map(|r| r.epoch);
        assert_eq!(at(20), Some(20));
        assert_eq!(at(27), Some(20));
        assert_eq!(at(1000), Some(30));
        assert_eq!(at(0), Some(1));
    }

    #[test]
    fn rows_read_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let m = read(&log_with(dir.path(), 3, every()), every()).unwrap();
        assert_eq!(m.stems, stems());
        assert_eq!(m.rows.len(), 3);
        assert_eq!(m.rows[2].error, 0.1 / 3.0);
        assert_eq!(m.rows[2].sample_errors, vec![0.2 / 3.0, 1.0 / 3.0]);
    }

    #[test]
    fn ignores_a_last_line_cut_by_a_kill() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with(dir.path(), 2, every());
        append(&path, "3,0.0");
        assert_eq!(epochs(&path, every()), [1, 2]);
    }

    fn parse(text: &str, plan: LogPlan) -> Result<Metrics> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        fs::write(&path, text).unwrap();
        read(&path, plan)
    }

    #[test]
    fn names_the_line_of_a_malformed_row() {
        let e = |text: &str| format!("{:#}", parse(text, every()).unwrap_err());
        let m = e("epoch,error,learning_rate,seconds,a\n1,0.1,0.1,0,0.1\n2,x,0.1,0,0.1\n");
        assert!(m.contains("line 3: column 2 'x' is not a number"), "{m}");
        let m = e("epoch,error,learning_rate,seconds\n1,0.1,0.1,0,9\n");
        assert!(m.contains("line 2: has 5 columns, the header has 4"), "{m}");
        let m = e("epoch,error\n");
        assert!(m.contains("header must start with"), "{m}");
        let m = e("epoch,error,learning_rate,seconds\n1,0,0,0\n3,0,0,0\n");
        assert!(m.contains("line 3: epoch 3 follows epoch 1"), "{m}");
        let m = e("epoch,error,learning_rate,seconds\n1,0,0,0\n\u{0}\u{ff}x\n");
        assert!(m.contains("line 3:"), "{m}");
    }

    #[test]
    fn a_sparse_log_may_skip_epochs_but_not_its_planned_rows() {
        let plan = LogPlan {
            full_until: 3,
            every: 10,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = log_with(dir.path(), 35, plan);
        assert_eq!(epochs(&path, plan), [1, 2, 3, 10, 20, 30]);
        // The same rows read with a row per epoch expected: the gaps are reported.
        let e = format!("{:#}", read(&path, every()).unwrap_err());
        assert!(e.contains("line 5: epoch 10 follows epoch 3"), "{e}");
        // A planned row deleted: reported.
        let text = fs::read_to_string(&path).unwrap();
        let without_20: String = text
            .lines()
            .filter(|l| !l.starts_with("20,"))
            .map(|l| format!("{l}\n"))
            .collect();
        let e = format!("{:#}", parse(&without_20, plan).unwrap_err());
        assert!(e.contains("epoch 30 follows epoch 10"), "{e}");
    }
}
