//! The run's picture history: the outputs for every training input at spaced epochs, in one
//! append-only file (`history.bin` in the run directory), so the explorer can scrub back
//! through training and a timelapse of one picture forming can be exported.
//!
//! Which epochs are kept: 0 (the initial weights), every epoch up to 9, then a record every
//! half-decade step — 10, 15, 20, … 95, 100, 150, … 950, 1000, 1500, … — so the early epochs,
//! where pictures change fastest, are kept densely, and a run of any length keeps about 18
//! records per tenfold of epochs (65 for 10000 epochs, 137 for 100 million), never more than
//! [`MAX_RECORDS`]. Pixels are stored as bytes: 8 × 12100 bytes a record for the default net.
//!
//! File layout (little-endian):
//! ```text
//! header  "NNIMGHIS" u32 version=1  u32 samples  u32 width  u32 height  u32 channels
//! record  u32 0x4352_4552 ("RERC")  u64 epoch  [samples × width × height × channels] u8
//!         u32 CRC-32 of epoch and pixels
//! ```
//! Records are appended whole by one `write` and never rewritten. A process killed while
//! appending leaves at worst a torn last record: readers stop at the first record that is
//! short or fails its checksum, and the writer cuts such a tail off before appending again.
//! Resuming from a checkpoint also cuts records newer than the checkpoint, which the resumed
//! training will write again (bit for bit the same, as training resumes exactly).

use crate::shown::Shown;
use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The file's name inside a run directory.
pub const HISTORY_FILE: &str = "history.bin";
/// Most records a history keeps; with the spacing above a run would need 10^48 epochs.
pub const MAX_RECORDS: usize = 1000;

const MAGIC: &[u8; 8] = b"NNIMGHIS";
const VERSION: u32 = 1;
const HEADER_LEN: u64 = 8 + 4 * 5;
const RECORD_MAGIC: u32 = 0x4352_4552;
/// Record overhead: magic, epoch, checksum.
const RECORD_FRAME: u64 = 4 + 8 + 4;

/// True when the history keeps the outputs of `epoch` (see the module doc for the spacing).
pub fn is_kept_epoch(epoch: usize) -> bool {
    if epoch < 10 {
        return true;
    }
    let decade = 10usize.pow(epoch.ilog10());
    epoch.is_multiple_of(decade / 2)
}

/// What one record holds: `samples` pictures of `width` x `height` x `channels` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub samples: usize,
    pub width: u32,
    pub height: u32,
    pub channels: usize,
}

impl Layout {
    /// True when the records hold pictures of `width` x `height` x `channels` and a sample
    /// number `sample`: a history that a run of that shape can show.
    pub fn holds(&self, (width, height, channels): (u32, u32, usize), sample: usize) -> bool {
        (self.width, self.height, self.channels) == (width, height, channels)
            && sample < self.samples
    }

    /// Bytes of one picture.
    pub fn picture_len(&self) -> usize {
        self.width as usize * self.height as usize * self.channels
    }

    fn record_len(&self) -> u64 {
        RECORD_FRAME + (self.samples * self.picture_len()) as u64
    }

    fn header(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        for v in [
            VERSION,
            self.samples as u32,
            self.width,
            self.height,
            self.channels as u32,
        ] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes
    }
}

/// A network output value (0..1) as a byte, rounded to nearest; NaN is 0.
pub fn to_byte(v: f32) -> u8 {
    if v.is_nan() {
        0
    } else {
        (v.clamp(0.0, 1.0) * 255.0).round() as u8
    }
}

/// The epochs a history file holds and where their records start; pictures are read on
/// demand, so opening a history costs a few bytes per record, not its pixels.
#[derive(Clone, Debug)]
pub struct History {
    path: PathBuf,
    layout: Layout,
    /// `(epoch, offset of the record's pixels)`, epochs increasing.
    records: Vec<(usize, u64)>,
    /// Bytes of valid records (header included); anything after is a torn or corrupt tail.
    valid_len: u64,
    /// Set when the file has bytes after its last valid record.
    pub damaged_tail: bool,
}

impl History {
    /// Reads the index of the history at `path`. `Ok(None)` when there is no file (runs
    /// made before histories existed). A torn or corrupt tail is not an error: the records
    /// before it are kept and `damaged_tail` says so. Errors name the file.
    pub fn open(path: &Path) -> Result<Option<History>> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot open", Shown(path))),
        };
        let len = file
            .metadata()
            .with_context(|| format!("{}: cannot read", Shown(path)))?
            .len();
        let mut reader = BufReader::new(file);
        let layout = read_header(&mut reader).with_context(|| format!("{}", Shown(path)))?;
        let mut history = History {
            path: path.to_path_buf(),
            layout,
            records: Vec::new(),
            valid_len: HEADER_LEN,
            damaged_tail: false,
        };
        let record_len = layout.record_len();
        let mut pixels = vec![0u8; layout.samples * layout.picture_len()];
        while history.valid_len + record_len <= len {
            match read_record(&mut reader, &mut pixels) {
                Ok(Some(epoch)) if history.last_epoch().is_none_or(|last| epoch > last) => {
                    history
                        .records
                        .push((epoch, history.valid_len + RECORD_FRAME - 4));
                    history.valid_len += record_len;
                }
                Ok(_) => break,
                Err(e) => {
                    return Err(e).with_context(|| format!("{}: cannot read", Shown(path)));
                }
            }
        }
        history.damaged_tail = history.valid_len < len;
        Ok(Some(history))
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The epochs held, increasing.
    pub fn epochs(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.records.iter().map(|&(epoch, _)| epoch)
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn last_epoch(&self) -> Option<usize> {
        self.records.last().map(|&(epoch, _)| epoch)
    }

    /// The picture of sample `sample` in record `index` (0 = oldest), as bytes
    /// (`Layout::picture_len` of them, row-major, channels interleaved).
    pub fn picture(&self, index: usize, sample: usize) -> Result<Vec<u8>> {
        let (epoch, offset) = self.records[index];
        assert!(sample < self.layout.samples, "sample {sample} out of range");
        let len = self.layout.picture_len();
        let mut file = File::open(&self.path)
            .with_context(|| format!("{}: cannot open", Shown(&self.path)))?;
        file.seek(SeekFrom::Start(offset + (sample * len) as u64))
            .and_then(|_| {
                let mut bytes = vec![0u8; len];
                file.read_exact(&mut bytes).map(|()| bytes)
            })
            .with_context(|| format!("{}: cannot read epoch {epoch}", Shown(&self.path)))
    }
}

fn read_u32(r: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_header(r: &mut impl Read) -> Result<Layout> {
    let mut magic = [0u8; 8];
    if r.read_exact(&mut magic).is_err() || &magic != MAGIC {
        bail!("not an nnimg picture history");
    }
    let version = read_u32(r)?;
    if version != VERSION {
        bail!("picture history version {version}; this nnimg reads version {VERSION}");
    }
    let [samples, width, height, channels] =
        [read_u32(r)?, read_u32(r)?, read_u32(r)?, read_u32(r)?];
    let layout = Layout {
        samples: samples as usize,
        width,
        height,
        channels: channels as usize,
    };
    if layout.samples == 0 || layout.picture_len() == 0 || !(channels == 1 || channels == 3) {
        bail!("picture history header is damaged");
    }
    Ok(layout)
}

/// Reads one record into `pixels`; `Ok(None)` when it is damaged (bad magic or checksum).
fn read_record(r: &mut impl Read, pixels: &mut [u8]) -> std::io::Result<Option<usize>> {
    if read_u32(r)? != RECORD_MAGIC {
        return Ok(None);
    }
    let mut epoch = [0u8; 8];
    r.read_exact(&mut epoch)?;
    r.read_exact(pixels)?;
    let stored = read_u32(r)?;
    Ok((checksum(&epoch, pixels) == stored).then(|| u64::from_le_bytes(epoch) as usize))
}

fn checksum(epoch: &[u8; 8], pixels: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(epoch);
    hasher.update(pixels);
    hasher.finalize()
}

/// Appends records to a run's history.
pub struct HistoryWriter {
    file: File,
    layout: Layout,
    last_epoch: Option<usize>,
    records: usize,
    path: PathBuf,
}

impl HistoryWriter {
    /// Opens the history at `path` for appending, creating it when missing. Records newer
    /// than `epoch` (the checkpoint training resumes from) and a damaged tail are cut off;
    /// a history of another shape, or one whose header is unreadable, is set aside as
    /// `history.bin.old` (or `.old-2`, …) and a new one begun, since the pictures can be
    /// painted again but a run must never stop for its history. Returns the writer and a
    /// note to show when something was cut or set aside.
    pub fn open(path: &Path, layout: Layout, epoch: usize) -> Result<(Self, Option<String>)> {
        let mut note = None;
        let existing = match History::open(path) {
            Ok(Some(h)) if h.layout == layout => Some(h),
            Ok(Some(_)) | Err(_) => {
                let aside = set_aside(path)?;
                note = Some(format!(
                    "{}: could not be continued; kept as {} and a new history begun",
                    Shown(path),
                    Shown(&aside)
                ));
                None
            }
            Ok(None) => None,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("{}: cannot open for writing", Shown(path)))?;
        let (keep_len, last_epoch, records) = match &existing {
            Some(h) => {
                let kept = h.records.iter().take_while(|&&(e, _)| e <= epoch).count();
                if h.damaged_tail && note.is_none() {
                    note = Some(format!(
                        "{}: its last record was torn or damaged and is dropped",
                        Shown(path)
                    ));
                }
                let keep_len = HEADER_LEN + kept as u64 * layout.record_len();
                let last = kept.checked_sub(1).map(|i| h.records[i].0);
                (keep_len, last, kept)
            }
            None => {
                file.set_len(0)
                    .and_then(|()| file.write_all(&layout.header()))
                    .with_context(|| format!("{}: cannot write", Shown(path)))?;
                (HEADER_LEN, None, 0)
            }
        };
        file.set_len(keep_len)
            .and_then(|()| file.seek(SeekFrom::End(0)).map(drop))
            .with_context(|| format!("{}: cannot write", Shown(path)))?;
        let writer = HistoryWriter {
            file,
            layout,
            last_epoch,
            records,
            path: path.to_path_buf(),
        };
        Ok((writer, note))
    }

    /// True when `epoch`'s pictures should be appended: a kept epoch newer than the last
    /// record, while the history has room.
    pub fn wants(&self, epoch: usize) -> bool {
        is_kept_epoch(epoch)
            && self.last_epoch.is_none_or(|last| epoch > last)
            && self.records < MAX_RECORDS
    }

    /// Appends the pictures of `epoch`, one output vector per sample (values 0..1), in one
    /// write.
    ///
    /// # Panics
    /// If the outputs do not match the layout (they come from the run's own network).
    pub fn append(&mut self, epoch: usize, outputs: &[Vec<f32>]) -> Result<()> {
        assert_eq!(outputs.len(), self.layout.samples, "one output per sample");
        let epoch_bytes = (epoch as u64).to_le_bytes();
        let mut record = Vec::with_capacity(self.layout.record_len() as usize);
        record.extend_from_slice(&RECORD_MAGIC.to_le_bytes());
        record.extend_from_slice(&epoch_bytes);
        for y in outputs {
            assert_eq!(y.len(), self.layout.picture_len(), "output length");
            record.extend(y.iter().map(|&v| to_byte(v)));
        }
        let crc = checksum(&epoch_bytes, &record[12..]);
        record.extend_from_slice(&crc.to_le_bytes());
        self.file
            .write_all(&record)
            .with_context(|| format!("{}: cannot append", Shown(&self.path)))?;
        self.last_epoch = Some(epoch);
        self.records += 1;
        Ok(())
    }
}

/// Renames `path` to the first free `path.old`, `path.old-2`, … and returns the new name.
fn set_aside(path: &Path) -> Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("."));
    let aside = (1..)
        .map(|n| match n {
            1 => dir.join(format!("{name}.old")),
            n => dir.join(format!("{name}.old-{n}")),
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .expect("some name is free");
    std::fs::rename(path, &aside).with_context(|| format!("{}: cannot rename", Shown(path)))?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: Layout = Layout {
        samples: 2,
        width: 3,
        height: 2,
        channels: 1,
    };

    fn outputs(epoch: usize) -> Vec<Vec<f32>> {
        (0..2)
            .map(|s| {
                (0..6)
                    .map(|i| ((epoch + s * 7 + i) % 11) as f32 / 10.0)
                    .collect()
            })
            .collect()
    }

    fn bytes(epoch: usize, sample: usize) -> Vec<u8> {
        outputs(epoch)[sample].iter().map(|&v| to_byte(v)).collect()
    }

    fn write(path: &Path, epochs: &[usize]) {
        let (mut w, _) = HistoryWriter::open(path, LAYOUT, usize::MAX).expect("open");
        for &e in epochs {
            w.append(e, &outputs(e)).expect("append");
        }
    }

    #[test]
    fn keeps_every_early_epoch_then_half_decade_steps() {
        let kept: Vec<usize> = (0..=1000).filter(|&e| is_kept_epoch(e)).collect();
        let expected: Vec<usize> = (0..10)
            .chain((10..100).step_by(5))
            .chain((100..1000).step_by(50))
            .chain([1000])
            .collect();
        assert_eq!(kept, expected);
        for e in [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 10_000, 100_000_000] {
            assert!(is_kept_epoch(e), "{e}");
        }
    }

    #[test]
    fn a_run_of_any_length_keeps_a_bounded_number_of_records() {
        let count = |n: usize| (0..=n).filter(|&e| is_kept_epoch(e)).count();
        assert_eq!(count(10_000), 65);
        assert_eq!(count(1_000_000), 101);
        assert!(count(100_000_000) < MAX_RECORDS / 5);
    }

    #[test]
    fn records_read_back_picture_by_picture() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(HISTORY_FILE);
        write(&path, &[0, 1, 2, 5]);
        let h = History::open(&path).expect("open").expect("exists");
        assert_eq!(h.epochs().collect::<Vec<_>>(), vec![0, 1, 2, 5]);
        assert!(!h.damaged_tail);
        assert_eq!(h.picture(2, 1).expect("read"), bytes(2, 1));
        assert_eq!(h.picture(3, 0).expect("read"), bytes(5, 0));
    }

    #[test]
    fn a_torn_last_record_is_ignored_then_cut_before_appending() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(HISTORY_FILE);
        write(&path, &[0, 1, 2]);
        let full = std::fs::metadata(&path).expect("meta").len();
        for cut in 1..LAYOUT.record_len() {
            // Tear the last record anywhere: the first two still read.
            let file = OpenOptions::new().write(true).open(&path).expect("open");
            file.set_len(full - cut).expect("truncate");
            let h = History::open(&path).expect("open").expect("exists");
            assert_eq!(h.epochs().collect::<Vec<_>>(), vec![0, 1], "cut {cut}");
            assert!(h.damaged_tail);
        }
        let (mut w, note) = HistoryWriter::open(&path, LAYOUT, 10).expect("reopen");
        assert!(note.expect("a note").contains("torn"));
        w.append(2, &outputs(2)).expect("append");
        w.append(3, &outputs(3)).expect("append");
        let h = History::open(&path).expect("open").expect("exists");
        assert_eq!(h.epochs().collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        assert!(!h.damaged_tail);
        assert_eq!(h.picture(3, 1).expect("read"), bytes(3, 1));
    }

    #[test]
    fn a_flipped_byte_ends_the_history_at_the_record_before() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(HISTORY_FILE);
        write(&path, &[0, 1, 2]);
        let mut raw = std::fs::read(&path).expect("read");
        let second_record_pixel = (HEADER_LEN + LAYOUT.record_len() + 13) as usize;
        raw[second_record_pixel] ^= 0x40;
        std::fs::write(&path, raw).expect("write");
        let h = History::open(&path).expect("open").expect("exists");
        assert_eq!(h.epochs().collect::<Vec<_>>(), vec![0]);
        assert!(h.damaged_tail);
    }

    #[test]
    fn resuming_cuts_records_newer_than_the_checkpoint() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(HISTORY_FILE);
        write(&path, &[0, 1, 2, 5, 10]);
        let (w, note) = HistoryWriter::open(&path, LAYOUT, 4).expect("reopen");
        assert_eq!(note, None);
        assert!(w.wants(3) && w.wants(5) && !w.wants(2) && !w.wants(0));
        let h = History::open(&path).expect("open").expect("exists");
        assert_eq!(h.epochs().collect::<Vec<_>>(), vec![0, 1, 2]);
    }

    #[test]
    fn a_history_of_another_shape_is_set_aside_not_destroyed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(HISTORY_FILE);
        write(&path, &[0]);
        let other = Layout {
            channels: 3,
            ..LAYOUT
        };
        let (_, note) = HistoryWriter::open(&path, other, 0).expect("reopen");
        assert!(note.expect("a note").contains("history.bin.old"));
        assert!(dir.path().join("history.bin.old").exists());
        let h = History::open(&path).expect("open").expect("exists");
        assert_eq!(h.layout(), other);
        assert!(h.is_empty());
    }

    #[test]
    fn a_missing_history_is_none_and_garbage_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(HISTORY_FILE);
        assert!(History::open(&path).expect("no file").is_none());
        std::fs::write(&path, b"hello").expect("write");
        let err = History::open(&path).expect_err("garbage");
        assert!(format!("{err:#}").contains(HISTORY_FILE), "{err:#}");
    }
}
