//! `metrics.csv`: one row per epoch, `epoch,error,learning_rate,seconds` and then one error
//! column per training sample, named by its stem.
//!
//! The writer appends and flushes at least once a second, so another process can follow the
//! file; a reader ignores a last line without its newline (a row being written, or cut by a
//! kill) and reports any other malformed line with its number.

use super::trainer::EpochReport;
use crate::atomic::replace_file;
use crate::shown::Shown;
use anyhow::{Context, Result, anyhow, bail};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The fixed leading columns.
pub const FIXED_COLUMNS: [&str; 4] = ["epoch", "error", "learning_rate", "seconds"];

/// Longest time rows may sit in the writer's buffer.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// One parsed row.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricsRow {
    pub epoch: usize,
    pub error: f64,
    pub learning_rate: f32,
    pub seconds: f64,
    pub sample_errors: Vec<f64>,
}

/// A whole parsed file.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    pub stems: Vec<String>,
    pub rows: Vec<MetricsRow>,
}

/// The header line (without newline) for these sample stems.
pub fn header(stems: &[String]) -> String {
    FIXED_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(stems.iter().cloned())
        .collect::<Vec<_>>()
        .join(",")
}

/// One row (without newline). Errors use the shortest text that reads back to the same f64.
pub fn format_row(report: &EpochReport, seconds: f64) -> String {
    let mut line = format!(
        "{},{},{},{:.3}",
        report.epoch, report.error, report.learning_rate, seconds
    );
    for e in &report.sample_errors {
        line.push(',');
        line.push_str(&e.to_string());
    }
    line
}

/// Parses a header line into sample stems.
fn parse_header(line: &str) -> Result<Vec<String>> {
    let columns: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
    if columns.len() < FIXED_COLUMNS.len() || columns[..4] != FIXED_COLUMNS {
        bail!(
            "line 1: the header must start with {}",
            FIXED_COLUMNS.join(",")
        );
    }
    Ok(columns[4..].iter().map(|s| s.to_string()).collect())
}

/// Parses one data line with `samples` per-sample columns.
fn parse_row(line: &str, samples: usize) -> Result<MetricsRow, String> {
    let fields: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
    if fields.len() != 4 + samples {
        return Err(format!(
            "has {} columns, the header has {}",
            fields.len(),
            4 + samples
        ));
    }
    let number = |i: usize| {
        fields[i]
            .parse::<f64>()
            .map_err(|_| format!("column {} '{}' is not a number", i + 1, Shown(fields[i])))
    };
    let epoch = fields[0]
        .parse::<usize>()
        .map_err(|_| format!("epoch '{}' is not a whole number", Shown(fields[0])))?;
    Ok(MetricsRow {
        epoch,
        error: number(1)?,
        learning_rate: number(2)? as f32,
        seconds: number(3)?,
        sample_errors: (4..fields.len()).map(number).collect::<Result<_, _>>()?,
    })
}

/// Parses a whole file's text. Epochs must count up by one from the first row. A last line
/// without a newline is ignored.
pub fn parse(text: &str) -> Result<Metrics> {
    let complete = match text.rfind('\n') {
        Some(end) => &text[..end],
        None => "",
    };
    let mut lines = complete.split('\n');
    let stems = match lines.next() {
        Some(h) if !h.is_empty() => parse_header(h)?,
        _ => {
            return Ok(Metrics {
                stems: Vec::new(),
                rows: Vec::new(),
            });
        }
    };
    let mut rows: Vec<MetricsRow> = Vec::new();
    for (i, line) in lines.enumerate() {
        let row = parse_row(line, stems.len()).map_err(|e| anyhow!("line {}: {e}", i + 2))?;
        if let Some(prev) = rows.last()
            && row.epoch != prev.epoch + 1
        {
            bail!(
                "line {}: epoch {} follows epoch {}",
                i + 2,
                row.epoch,
                prev.epoch
            );
        }
        rows.push(row);
    }
    Ok(Metrics { stems, rows })
}

/// Reads and parses `path`; errors name the file.
pub fn read(path: &Path) -> Result<Metrics> {
    let text = fs::read_to_string(path).with_context(|| format!("{}: cannot read", Shown(path)))?;
    parse(&text).map_err(|e| anyhow!("{}: {e:#}", Shown(path)))
}

/// Rewrites `path` (atomically) to hold the header for `stems` and the rows up to and
/// including `epoch`: what a resume from a checkpoint at `epoch` needs. A missing file gets
/// just the header; a file whose header names other samples, or whose rows end before
/// `epoch`, is an error.
pub fn truncate_after(path: &Path, stems: &[String], epoch: usize) -> Result<()> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("{}: cannot read", Shown(path))),
    };
    let mut out = header(stems);
    out.push('\n');
    if !text.is_empty() {
        let old = parse(&text).map_err(|e| {
            anyhow!(
                "{}: {e:#}; fix or delete that line (rows after the checkpoint are dropped anyway)",
                Shown(path)
            )
        })?;
        if !old.stems.is_empty() && old.stems != stems {
            bail!(
                "{}: the header names other samples than run.json; move the file away to start a new log",
                Shown(path)
            );
        }
        if let Some(last) = old.rows.last()
            && last.epoch < epoch
        {
            bail!(
                "{}: ends at epoch {} but the checkpoint is at epoch {epoch}; rows are missing, so the log \
                 cannot go on without a gap; move the file away to start a new log after epoch {epoch}",
                Shown(path),
                last.epoch
            );
        }
        let kept_lines = text
            .split('\n')
            .skip(1)
            .take(old.rows.iter().filter(|r| r.epoch <= epoch).count());
        for line in kept_lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    replace_file(path, out.as_bytes())
}

/// Appends rows to `metrics.csv`, flushing at least every [`FLUSH_INTERVAL`].
pub struct MetricsWriter {
    path: PathBuf,
    out: BufWriter<File>,
    last_flush: Instant,
}

impl MetricsWriter {
    /// Opens `path` for appending; it must already hold the header.
    pub fn append_to(path: &Path) -> Result<Self> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("{}: cannot open for writing", Shown(path)))?;
        Ok(MetricsWriter {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            last_flush: Instant::now(),
        })
    }

    /// Appends one row; flushes if the last flush is a second old.
    pub fn append(&mut self, report: &EpochReport, seconds: f64) -> Result<()> {
        writeln!(self.out, "{}", format_row(report, seconds))
            .with_context(|| format!("{}: cannot write", Shown(&self.path)))?;
        if self.last_flush.elapsed() >= FLUSH_INTERVAL {
            self.flush()?;
        }
        Ok(())
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

/// Follows a `metrics.csv` that another process appends to: each `poll` returns the complete
/// rows added since the last one. A file that was rewritten (shorter than what was read, e.g.
/// by a resume) is read again from the start.
pub struct MetricsFollower {
    path: PathBuf,
    offset: u64,
    pending: String,
    stems: Option<Vec<String>>,
    next_epoch: Option<usize>,
}

/// What a poll found.
#[derive(Debug, Default, PartialEq)]
pub struct FollowUpdate {
    /// The file was rewritten; rows seen before should be forgotten.
    pub restarted: bool,
    pub rows: Vec<MetricsRow>,
}

impl MetricsFollower {
    pub fn new(path: &Path) -> Self {
        MetricsFollower {
            path: path.to_path_buf(),
            offset: 0,
            pending: String::new(),
            stems: None,
            next_epoch: None,
        }
    }

    /// Stems from the header, once it has been read.
    pub fn stems(&self) -> Option<&[String]> {
        self.stems.as_deref()
    }

    /// Reads what was appended since the last poll. A missing file yields nothing.
    pub fn poll(&mut self) -> Result<FollowUpdate> {
        let mut update = FollowUpdate::default();
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(update),
            Err(e) => {
                return Err(e).with_context(|| format!("{}: cannot read", Shown(&self.path)));
            }
        };
        let len = file
            .metadata()
            .with_context(|| format!("{}: cannot read", Shown(&self.path)))?
            .len();
        if len < self.offset {
            *self = MetricsFollower::new(&self.path);
            update.restarted = true;
        }
        file.seek(SeekFrom::Start(self.offset))
            .with_context(|| format!("{}: cannot read", Shown(&self.path)))?;
        let mut chunk = Vec::new();
        file.take(len - self.offset)
            .read_to_end(&mut chunk)
            .with_context(|| format!("{}: cannot read", Shown(&self.path)))?;
        self.offset += chunk.len() as u64;
        self.pending.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=end).collect();
            let line = line.trim_end_matches('\n');
            match &self.stems {
                None => {
                    self.stems = Some(
                        parse_header(line).map_err(|e| anyhow!("{}: {e:#}", Shown(&self.path)))?,
                    )
                }
                Some(stems) => {
                    let row = parse_row(line, stems.len())
                        .map_err(|e| anyhow!("{}: {e}", Shown(&self.path)))?;
                    if self.next_epoch.is_some_and(|n| n != row.epoch) {
                        update.restarted = true;
                        update.rows.clear();
                    }
                    self.next_epoch = Some(row.epoch + 1);
                    update.rows.push(row);
                }
            }
        }
        Ok(update)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(epoch: usize) -> EpochReport {
        EpochReport {
            epoch,
            error: 0.1 / epoch as f64,
            learning_rate: 0.1,
            sample_errors: vec![0.2 / epoch as f64, 1.0 / 3.0],
            halving: None,
        }
    }

    fn stems() -> Vec<String> {
        vec!["10".into(), "01".into()]
    }

    fn file_with_rows(dir: &Path, n: usize) -> PathBuf {
        let path = dir.join("metrics.csv");
        let mut text = header(&stems()) + "\n";
        for e in 1..=n {
            text += &(format_row(&report(e), e as f64) + "\n");
        }
        fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn rows_read_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let m = read(&file_with_rows(dir.path(), 3)).unwrap();
        assert_eq!(m.stems, stems());
        assert_eq!(m.rows.len(), 3);
        assert_eq!(m.rows[2].error, 0.1 / 3.0);
        assert_eq!(m.rows[2].sample_errors, vec![0.2 / 3.0, 1.0 / 3.0]);
    }

    #[test]
    fn ignores_a_last_line_cut_by_a_kill() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_with_rows(dir.path(), 2);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        write!(f, "3,0.0").unwrap();
        assert_eq!(read(&path).unwrap().rows.len(), 2);
    }

    #[test]
    fn names_the_line_of_a_malformed_row() {
        let e = format!(
            "{:#}",
            parse("epoch,error,learning_rate,seconds,a\n1,0.1,0.1,0,0.1\n2,x,0.1,0,0.1\n")
                .unwrap_err()
        );
        assert!(e.contains("line 3: column 2 'x' is not a number"), "{e}");
        let e = format!(
            "{:#}",
            parse("epoch,error,learning_rate,seconds\n1,0.1,0.1,0,9\n").unwrap_err()
        );
        assert!(e.contains("line 2: has 5 columns, the header has 4"), "{e}");
        let e = format!("{:#}", parse("epoch,error\n").unwrap_err());
        assert!(e.contains("header must start with"), "{e}");
        let e = format!(
            "{:#}",
            parse("epoch,error,learning_rate,seconds\n1,0,0,0\n3,0,0,0\n").unwrap_err()
        );
        assert!(e.contains("epoch 3 follows epoch 1"), "{e}");
    }

    #[test]
    fn truncation_keeps_rows_up_to_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_with_rows(dir.path(), 5);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        write!(f, "6,0.").unwrap();
        truncate_after(&path, &stems(), 3).unwrap();
        let m = read(&path).unwrap();
        assert_eq!(
            m.rows.iter().map(|r| r.epoch).collect::<Vec<_>>(),
            [1, 2, 3]
        );
    }

    #[test]
    fn truncation_refuses_a_log_that_ends_before_the_checkpoint() {
        // Such a log used to be kept and continued after the checkpoint, and the gap made
        // the next parse fail ("epoch 11 follows epoch 3").
        let dir = tempfile::tempdir().unwrap();
        let path = file_with_rows(dir.path(), 3);
        let before = fs::read_to_string(&path).unwrap();
        let e = format!("{:#}", truncate_after(&path, &stems(), 10).unwrap_err());
        assert!(
            e.contains("ends at epoch 3 but the checkpoint is at epoch 10"),
            "{e}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), before);
        truncate_after(&path, &stems(), 3).unwrap();
    }

    #[test]
    fn truncation_creates_a_missing_file_and_refuses_other_samples() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        truncate_after(&path, &stems(), 0).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "epoch,error,learning_rate,seconds,10,01\n"
        );
        assert!(truncate_after(&path, &["1".to_string()], 0).is_err());
    }

    #[test]
    fn writer_appends_rows_a_reader_can_parse() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_with_rows(dir.path(), 0);
        let mut w = MetricsWriter::append_to(&path).unwrap();
        w.append(&report(1), 0.5).unwrap();
        w.append(&report(2), 1.0).unwrap();
        w.flush().unwrap();
        assert_eq!(read(&path).unwrap().rows[1].seconds, 1.0);
    }

    #[test]
    fn follower_sees_new_rows_and_restarts_after_a_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_with_rows(dir.path(), 2);
        let mut follower = MetricsFollower::new(&path);
        assert_eq!(follower.poll().unwrap().rows.len(), 2);
        assert_eq!(follower.stems(), Some(stems().as_slice()));
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        write!(f, "{}\n4,0.", format_row(&report(3), 3.0)).unwrap();
        let u = follower.poll().unwrap();
        assert_eq!((u.restarted, u.rows.len()), (false, 1));
        writeln!(f, "1,0.1,4,0.1,0.1").unwrap();
        assert_eq!(follower.poll().unwrap().rows[0].epoch, 4);
        truncate_after(&path, &stems(), 1).unwrap();
        let u = follower.poll().unwrap();
        assert!(u.restarted);
        assert_eq!(u.rows.iter().map(|r| r.epoch).collect::<Vec<_>>(), [1]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn arbitrary_text_parses_or_is_refused_without_panicking(text in any::<String>()) {
                let _ = parse(&text);
            }

            #[test]
            fn csv_like_text_parses_or_is_refused_without_panicking(
                rows in proptest::collection::vec("[0-9.,eE+-]{0,30}", 0..6),
                cut in any::<prop::sample::Index>(),
            ) {
                let mut text = header(&["10".to_string(), "01".to_string()]) + "\n";
                for r in rows {
                    text.push_str(&r);
                    text.push('\n');
                }
                let _ = parse(&text);
                let end = cut.index(text.len() + 1);
                if text.is_char_boundary(end) {
                    let _ = parse(&text[..end]);
                }
            }

            #[test]
            fn written_rows_read_back_exactly(
                errors in proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0), 1..20)
            ) {
                let mut text = header(&["10".to_string(), "01".to_string()]) + "\n";
                for (i, (a, b)) in errors.iter().enumerate() {
                    let r = EpochReport {
                        epoch: i + 1,
                        error: (a + b) / 2.0,
                        learning_rate: 0.1,
                        sample_errors: vec![*a, *b],
                        halving: None,
                    };
                    text += &(format_row(&r, i as f64) + "\n");
                }
                let m = parse(&text).unwrap();
                prop_assert_eq!(m.rows.len(), errors.len());
                for (row, (a, b)) in m.rows.iter().zip(&errors) {
                    prop_assert_eq!(&row.sample_errors, &vec![*a, *b]);
                }
            }
        }
    }
}
