//! [`truncate_after`]: cuts a log back to what a resume from a checkpoint needs, reading
//! only its header and its last rows, from the end, so that a resume costs the same
//! whether the log holds a thousand rows or a hundred million.
//!
//! The rows it reads are checked as a reader checks them (columns, numbers, the order of
//! the last two kept rows); a malformed row further back is left for the readers of the
//! log to report. The cut shortens the file in place: the kept bytes are never rewritten.

use super::reader::{MAX_LINE, MetricsReader};
use super::{Header, LogPlan, MetricsRow};
use crate::atomic::replace_file;
use crate::shown::Shown;
use anyhow::{Context, Result, anyhow, bail};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::Path;

/// Bytes read at a time while walking back from the end.
const CHUNK: u64 = 64 << 10;

/// Cuts the log at `path` back to the header for `stems` and the rows up to and including
/// epoch `keep_through` (the checkpoint's last planned row; `checkpoint_epoch` names the
/// checkpoint in messages). Returns the header the rows that follow must match.
///
/// A missing, empty or headless file gets just the header. A last line without its newline
/// and rows after `keep_through` are dropped. A header naming other samples, a malformed
/// row among those read, or rows that end before `keep_through`, is an error, and the file
/// is left as it was.
pub fn truncate_after(
    path: &Path,
    stems: &[String],
    keep_through: usize,
    checkpoint_epoch: usize,
    plan: LogPlan,
) -> Result<Header> {
    let new_log = || -> Result<Header> {
        let header = Header::new(stems);
        replace_file(path, (header.line() + "\n").as_bytes())?;
        Ok(header)
    };
    let cannot_read = || format!("{}: cannot read", Shown(path));
    let mut file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return new_log(),
        Err(e) => return Err(e).with_context(cannot_read),
    };
    let (header, header_end) = {
        let reader = MetricsReader::new(BufReader::new(&file), plan)
            .map_err(|e| anyhow!("{}: {e:#}", Shown(path)))?;
        match reader.header() {
            Some(h) => (h.clone(), reader.offset()),
            None => return new_log(),
        }
    };
    if header.stems != stems {
        bail!(
            "{}: the header names other samples than run.json; move the file away to start a new log",
            Shown(path)
        );
    }
    let plan = if header.ranged {
        plan
    } else {
        LogPlan::every_epoch()
    };
    let len = file.metadata().with_context(cannot_read)?.len();
    let mut tail = Tail {
        file: &mut file,
        floor: header_end,
    };
    let bad_row = |tail: &mut Tail, start: u64, e: String| -> anyhow::Error {
        let n = tail.line_number(start).unwrap_or(0);
        anyhow!(
            "{}: line {n}: {e}; fix or delete that line (rows after the checkpoint are dropped anyway)",
            Shown(path)
        )
    };
    // Walk back over the rows after `keep_through` to the last one to keep.
    let mut end = tail.end_of_last_line(len).with_context(cannot_read)?;
    let mut row = MetricsRow::default();
    let kept = loop {
        let Some((start, line)) = tail.line_before(end).with_context(cannot_read)? else {
            break None;
        };
        header
            .parse_row(&line, &mut row)
            .map_err(|e| bad_row(&mut tail, start, e))?;
        if row.epoch <= keep_through {
            break Some((start, end, row.epoch));
        }
        end = start;
    };
    let cut = match kept {
        None => header_end,
        Some((start, end, epoch)) => {
            if epoch < keep_through {
                bail!(
                    "{}: ends at epoch {epoch} but the checkpoint is at epoch {checkpoint_epoch}; rows are missing, so the log \
                     cannot go on without a gap; move the file away to start a new log after epoch {checkpoint_epoch}",
                    Shown(path),
                );
            }
            // The row before the last kept one must lead to it without a planned row missing.
            if let Some((before, line)) = tail.line_before(start).with_context(cannot_read)? {
                let mut previous = MetricsRow::default();
                header
                    .parse_row(&line, &mut previous)
                    .map_err(|e| bad_row(&mut tail, before, e))?;
                if previous.epoch >= epoch || plan.next_logged(previous.epoch) < epoch {
                    let e = format!("epoch {epoch} follows epoch {}", previous.epoch);
                    return Err(bad_row(&mut tail, start, e));
                }
            }
            end
        }
    };
    if cut < len {
        file.set_len(cut)
            .and_then(|()| file.sync_data())
            .with_context(|| format!("{}: cannot write", Shown(path)))?;
    }
    Ok(header)
}

/// Reads lines backwards from the end of a log, never before `floor` (the end of the
/// header), holding one line at a time.
struct Tail<'a> {
    file: &'a mut File,
    floor: u64,
}

impl Tail<'_> {
    fn read_at(&mut self, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.file.seek(SeekFrom::Start(at))?;
        self.file.read_exact(buf)
    }

    /// Where the line holding the bytes just before `end` starts: after the last newline
    /// before `end`, or at the floor. Only `limit` bytes back are looked at before that
    /// line counts as too long.
    fn start_of_line(&mut self, end: u64, limit: u64) -> std::io::Result<u64> {
        let mut buf = vec![0; CHUNK as usize];
        let mut hi = end;
        while hi > self.floor {
            let lo = hi.saturating_sub(CHUNK).max(self.floor);
            let chunk = &mut buf[..(hi - lo) as usize];
            self.read_at(lo, chunk)?;
            if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
                return Ok(lo + i as u64 + 1);
            }
            if end - lo > limit {
                return Err(std::io::Error::new(
                    ErrorKind::InvalidData,
                    format!("a line longer than {} MiB", limit >> 20),
                ));
            }
            hi = lo;
        }
        Ok(self.floor)
    }

    /// The end of the last complete line before `end`: what follows it is a line still
    /// being written, or torn, of any length.
    fn end_of_last_line(&mut self, end: u64) -> std::io::Result<u64> {
        self.start_of_line(end, u64::MAX)
    }

    /// The line that ends (with its newline) at `end`, and where it starts; None at the floor.
    fn line_before(&mut self, end: u64) -> std::io::Result<Option<(u64, String)>> {
        if end <= self.floor {
            return Ok(None);
        }
        let body_end = end - 1; // the newline
        let start = self.start_of_line(body_end, MAX_LINE)?;
        let mut line = vec![0; (body_end - start) as usize];
        self.read_at(start, &mut line)?;
        let line = String::from_utf8(line)
            .map_err(|_| std::io::Error::new(ErrorKind::InvalidData, "a line is not text"))?;
        Ok(Some((start, line)))
    }

    /// The number of the line starting at byte `start`: counted only for a message, so the
    /// file is read once more only when something is wrong.
    fn line_number(&mut self, start: u64) -> std::io::Result<usize> {
        self.file.seek(SeekFrom::Start(0))?;
        let mut newlines = 0;
        let mut buf = vec![0; CHUNK as usize];
        let mut left = start;
        while left > 0 {
            let n = self.file.read(&mut buf[..left.min(CHUNK) as usize])?;
            if n == 0 {
                break;
            }
            newlines += buf[..n].iter().filter(|&&b| b == b'\n').count();
            left -= n as u64;
        }
        Ok(newlines + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::metrics::test_log::{append, epochs, every, log_with, stems};
    use std::fs;

    #[test]
    fn keeps_rows_up_to_the_checkpoint_and_drops_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with(dir.path(), 5, every());
        append(&path, "6,0.");
        truncate_after(&path, &stems(), 3, 3, every()).unwrap();
        assert_eq!(epochs(&path, every()), [1, 2, 3]);
    }

    #[test]
    fn an_old_log_keeps_its_form() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        fs::write(
            &path,
            "epoch,error,learning_rate,seconds,10,01\n1,0.5,0.1,0,0.5,0.5\n2,0.4,0.1,0,0.4,0.4\n",
        )
        .unwrap();
        let header = truncate_after(&path, &stems(), 1, 1, LogPlan::new(100)).unwrap();
        assert!(!header.ranged);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "epoch,error,learning_rate,seconds,10,01\n1,0.5,0.1,0,0.5,0.5\n"
        );
    }

    #[test]
    fn refuses_a_log_that_ends_before_the_checkpoint() {
        // Such a log used to be kept and continued after the checkpoint, and the gap made
        // the next parse fail ("epoch 11 follows epoch 3").
        let dir = tempfile::tempdir().unwrap();
        let path = log_with(dir.path(), 3, every());
        let before = fs::read_to_string(&path).unwrap();
        let e = format!(
            "{:#}",
            truncate_after(&path, &stems(), 10, 10, every()).unwrap_err()
        );
        assert!(
            e.contains("ends at epoch 3 but the checkpoint is at epoch 10"),
            "{e}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), before);
        truncate_after(&path, &stems(), 3, 3, every()).unwrap();
    }

    #[test]
    fn names_the_line_of_a_malformed_or_missing_row_near_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_with(dir.path(), 6, every());
        let good = fs::read_to_string(&path).unwrap();
        let mut lines: Vec<&str> = good.lines().collect();
        lines[6] = "6,not a number,0.1,0,0,0,0,0";
        fs::write(&path, lines.join("\n") + "\n").unwrap();
        let e = format!(
            "{:#}",
            truncate_after(&path, &stems(), 6, 6, every()).unwrap_err()
        );
        assert!(e.contains("line 7: column 2 'not a number'"), "{e}");
        lines.remove(6);
        lines.remove(4);
        fs::write(&path, lines.join("\n") + "\n").unwrap();
        let e = format!(
            "{:#}",
            truncate_after(&path, &stems(), 5, 5, every()).unwrap_err()
        );
        assert!(e.contains("line 5: epoch 5 follows epoch 3"), "{e}");
    }

    #[test]
    fn creates_a_missing_file_and_refuses_other_samples() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        truncate_after(&path, &stems(), 0, 0, every()).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "epoch,error,learning_rate,seconds,error_min,error_max,10,01\n"
        );
        assert!(truncate_after(&path, &["1".to_string()], 0, 0, every()).is_err());
        // Rows all after the checkpoint: only the header stays.
        let path = log_with(dir.path(), 4, every());
        truncate_after(&path, &stems(), 0, 0, every()).unwrap();
        assert_eq!(epochs(&path, every()), Vec::<usize>::new());
    }

    #[test]
    fn a_long_log_is_cut_in_place_after_reading_only_its_end() {
        // A malformed row far from the end is not read (its readers report it): what the
        // cut costs does not grow with the log.
        let plan = LogPlan {
            full_until: 10,
            every: 7,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = log_with(dir.path(), 50_000, plan);
        let mut text = fs::read_to_string(&path).unwrap();
        text = text.replacen("\n5,", "\n5,oops,", 1);
        fs::write(&path, &text).unwrap();
        append(&path, "49007,0.1,0.1,0,0.1");
        truncate_after(&path, &stems(), 48_993, 48_996, plan).unwrap();
        let after = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(&after));
        assert!(after.ends_with("\n"));
        let last = after.lines().last().unwrap();
        assert!(last.starts_with("48993,"), "{last}");
    }
}
