//! [`MetricsFollower`]: reads the rows another process appends to a log, each byte once.
//!
//! Every poll reads from where the last one stopped, at most [`MAX_POLL_BYTES`] at a time,
//! so a long log is taken in steps of bounded memory and a growing one costs only its new
//! rows. A log cut back by a resume is not read again: the rows that come after the cut
//! repeat epochs already seen (training is deterministic, so they are the same rows) and are
//! skipped. Only another file at the path (a new run in its place) is read from the start.

use super::{Header, MetricsRow};
use crate::shown::Shown;
use crate::train::history::Point;
use anyhow::{Context, Result};
use std::fs::{File, Metadata};
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Most bytes one poll reads: about 15 thousand rows of eight samples.
pub const MAX_POLL_BYTES: u64 = 4 << 20;

/// Follows a `metrics.csv` that another process appends to.
pub struct MetricsFollower {
    path: PathBuf,
    /// Which file is followed; another one at the path is read from its start.
    file_id: Option<(u64, u64)>,
    /// Bytes up to the end of the last complete line read.
    offset: u64,
    /// Bytes read after `offset`: the start of a line not yet complete.
    pending: Vec<u8>,
    header: Option<Header>,
    header_len: u64,
    last_epoch: Option<usize>,
    /// After a cut: rows up to this epoch were seen before it.
    seen_through: Option<usize>,
    row: MetricsRow,
}

/// What a poll found.
#[derive(Debug, Default, PartialEq)]
pub struct FollowUpdate {
    /// The file is another one than before (or went back to a row seen already): the rows
    /// seen before are to be forgotten.
    pub restarted: bool,
    /// The new rows, oldest first.
    pub points: Vec<Point>,
    /// The last new row in full (its sample errors and seconds).
    pub last: Option<MetricsRow>,
    /// More of the file is waiting than one poll reads: poll again without a pause.
    pub more: bool,
    /// A line that is not a row (skipped), with what is wrong.
    pub problem: Option<String>,
}

impl MetricsFollower {
    pub fn new(path: &Path) -> Self {
        MetricsFollower {
            path: path.to_path_buf(),
            file_id: None,
            offset: 0,
            pending: Vec::new(),
            header: None,
            header_len: 0,
            last_epoch: None,
            seen_through: None,
            row: MetricsRow::default(),
        }
    }

    /// The header, once it has been read.
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// Reads what was appended since the last poll. A missing file yields nothing.
    pub fn poll(&mut self) -> Result<FollowUpdate> {
        let mut update = FollowUpdate::default();
        let path = self.path.clone();
        let cannot_read = || format!("{}: cannot read", Shown(&path));
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(update),
            Err(e) => return Err(e).with_context(cannot_read),
        };
        let meta = file.metadata().with_context(cannot_read)?;
        let id = file_id(&meta);
        let len = meta.len();
        if self.file_id.is_some() && id != self.file_id || len < self.header_len {
            *self = MetricsFollower::new(&path);
            update.restarted = true;
        }
        self.file_id = id;
        let read_to = self.offset + self.pending.len() as u64;
        if len < read_to {
            // Cut back by a resume: what stays was read already.
            if len >= self.offset {
                self.pending.truncate((len - self.offset) as usize);
            } else {
                self.offset = len;
                self.pending.clear();
            }
            self.seen_through = self.seen_through.max(self.last_epoch);
        }
        let start = self.offset + self.pending.len() as u64;
        let want = (len - start).min(MAX_POLL_BYTES);
        file.seek(SeekFrom::Start(start))
            .with_context(cannot_read)?;
        let got = file
            .take(want)
            .read_to_end(&mut self.pending)
            .with_context(cannot_read)?;
        update.more = start + (got as u64) < len;
        self.take_lines(&mut update);
        Ok(update)
    }

    /// Parses the complete lines in `pending` into `update` and keeps the rest.
    fn take_lines(&mut self, update: &mut FollowUpdate) {
        let mut used = 0;
        while let Some(end) = self.pending[used..].iter().position(|&b| b == b'\n') {
            let line = &self.pending[used..used + end];
            used += end + 1;
            let line = match std::str::from_utf8(line) {
                Ok(l) => l,
                Err(_) => {
                    update.problem = Some("a line is not text".into());
                    continue;
                }
            };
            let Some(header) = &self.header else {
                match Header::parse(line) {
                    Ok(h) => {
                        self.header = Some(h);
                        self.header_len = used as u64;
                    }
                    Err(e) => update.problem = Some(e),
                }
                continue;
            };
            if let Err(e) = header.parse_row(line, &mut self.row) {
                update.problem = Some(format!("epoch after {:?}: {e}", self.last_epoch));
                continue;
            }
            let epoch = self.row.epoch;
            if self.seen_through.is_some_and(|s| epoch <= s) {
                continue;
            }
            self.seen_through = None;
            if self.last_epoch.is_some_and(|l| epoch <= l) {
                update.restarted = true;
                update.points.clear();
            }
            self.last_epoch = Some(epoch);
            update.points.push(Point::from(&self.row));
            update.last = Some(self.row.clone());
        }
        self.offset += used as u64;
        self.pending.drain(..used);
        if let Some(p) = &mut update.problem {
            *p = format!("{}: {p}", Shown(&self.path));
        }
    }
}

/// Device and inode: what tells a new file at the same path from the old one.
#[cfg(unix)]
fn file_id(meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::metrics::test_log::{report, stems};
    use crate::train::metrics::{LogBucket, LogPlan, MetricsWriter, truncate_after};
    use std::fs::{self, OpenOptions};
    use std::io::Write;

    fn write_epochs(path: &Path, epochs: std::ops::RangeInclusive<usize>) {
        let header = Header::new(&stems());
        if !path.exists() {
            fs::write(path, header.line() + "\n").unwrap();
        }
        let start = epochs.start() - 1;
        let mut w = MetricsWriter::append_to(
            path,
            header,
            LogPlan::every_epoch(),
            LogBucket::empty_after(start),
        )
        .unwrap();
        for e in epochs {
            w.append(&report(e), e as f64).unwrap();
        }
        w.flush().unwrap();
    }

    fn epochs(u: &FollowUpdate) -> Vec<usize> {
        u.points.iter().map(|p| p.epoch).collect()
    }

    #[test]
    fn sees_new_rows_once_and_waits_for_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        let mut follower = MetricsFollower::new(&path);
        assert_eq!(follower.poll().unwrap(), FollowUpdate::default());
        write_epochs(&path, 1..=2);
        let u = follower.poll().unwrap();
        assert_eq!(epochs(&u), [1, 2]);
        assert_eq!(u.last.unwrap().sample_errors, [0.1, 1.0 / 3.0]);
        assert_eq!(follower.header().unwrap().stems, stems());
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        write!(f, "3,0.0").unwrap();
        assert!(follower.poll().unwrap().points.is_empty());
        writeln!(f, "3,0.1,3,0.03,0.03,0.2,0.5").unwrap();
        let u = follower.poll().unwrap();
        assert_eq!((u.restarted, epochs(&u)), (false, vec![3]));
    }

    #[test]
    fn a_log_cut_back_by_a_resume_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        write_epochs(&path, 1..=6);
        let mut follower = MetricsFollower::new(&path);
        assert_eq!(epochs(&follower.poll().unwrap()), [1, 2, 3, 4, 5, 6]);
        let plan = LogPlan::every_epoch();
        truncate_after(&path, &stems(), 4, 4, plan).unwrap();
        write_epochs(&path, 5..=8);
        let u = follower.poll().unwrap();
        assert_eq!((u.restarted, epochs(&u)), (false, vec![7, 8]));
    }

    #[test]
    fn another_file_in_its_place_is_read_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        write_epochs(&path, 1..=6);
        let mut follower = MetricsFollower::new(&path);
        follower.poll().unwrap();
        // A new file (another inode) as long as the old one.
        let moved = dir.path().join("old.csv");
        fs::rename(&path, &moved).unwrap();
        write_epochs(&path, 1..=6);
        let u = follower.poll().unwrap();
        assert!(u.restarted);
        assert_eq!(epochs(&u), [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_long_log_is_read_in_bounded_steps() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        write_epochs(&path, 1..=200_000);
        let size = fs::metadata(&path).unwrap().len();
        assert!(size > 3 * MAX_POLL_BYTES, "{size}");
        let mut follower = MetricsFollower::new(&path);
        let (mut polls, mut seen) = (0, 0);
        loop {
            let u = follower.poll().unwrap();
            polls += 1;
            seen += u.points.len();
            assert!(u.points.len() as u64 <= MAX_POLL_BYTES / 20);
            if !u.more {
                break;
            }
        }
        assert_eq!(seen, 200_000);
        assert!(polls > 3, "{polls}");
    }

    #[test]
    fn a_bad_line_is_reported_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        write_epochs(&path, 1..=2);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        writeln!(f, "3,x").unwrap();
        drop(f);
        write_epochs(&path, 4..=4);
        let mut follower = MetricsFollower::new(&path);
        let u = follower.poll().unwrap();
        assert_eq!(epochs(&u), [1, 2, 4]);
        let problem = u.problem.unwrap();
        assert!(problem.contains("has 2 columns"), "{problem}");
    }
}
