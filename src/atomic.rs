//! Files written whole or not at all.
//!
//! Both functions write into a [`TempFile`] beside the destination (same folder, so the
//! final step is a rename or link within one file system), fsync it, and only then make it
//! visible. A crash or a full disk leaves the old file (or no file), never a torn one; the
//! temporary file is removed on error.

use crate::shown::Shown;
use anyhow::{Context, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Replaces `path` with `bytes` atomically (temporary file, fsync, rename, fsync folder).
/// Errors name `path`.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    replace_file_with(path, |out| out.write_all(bytes))
}

/// Like [`replace_file`], with the contents streamed by `write` (through a buffer) rather
/// than held in memory whole.
pub fn replace_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let context = || format!("{}: cannot write", Shown(path));
    let tmp = TempFile::write_beside_with(path, write).with_context(context)?;
    tmp.replace(path).with_context(context)?;
    sync_folder(path);
    Ok(())
}

/// Creates `path` with `bytes`, failing if anything is already there; never overwrites.
/// Errors name `path`; an existing file gives an `io::Error` of kind `AlreadyExists`
/// underneath (reachable with `downcast_ref`).
pub fn create_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = TempFile::write_beside(path, bytes)
        .with_context(|| format!("{}: cannot write", Shown(path)))?;
    tmp.link_new(path)
        .with_context(|| match fs::symlink_metadata(path) {
            Ok(_) => format!("{}: already exists; not overwriting it", Shown(path)),
            Err(_) => format!("{}: cannot write", Shown(path)),
        })?;
    sync_folder(path);
    Ok(())
}

/// A finished, synced temp file beside its target, removed on drop if it is still there.
pub struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// Writes `bytes` to a new hidden file `.<name>.<pid>-<n>.tmp` in `target`'s folder: the
    /// same filesystem, so it can be renamed or linked into place.
    pub fn write_beside(target: &Path, bytes: &[u8]) -> io::Result<TempFile> {
        Self::write_beside_with(target, |out| out.write_all(bytes))
    }

    /// Like [`TempFile::write_beside`], with the contents written by `write`.
    pub fn write_beside_with(
        target: &Path,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<TempFile> {
        // Unique within this process; the pid separates processes, and create_new catches
        // leftovers from a dead process that had the same pid.
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name")
        })?;
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp_name = format!(".{}.{}-{n}.tmp", name.to_string_lossy(), std::process::id());
            let path = target.with_file_name(tmp_name);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    // From here on, dropping `tmp` cleans up if writing fails.
                    let tmp = TempFile { path };
                    // Large enough that a streamed 5 MB checkpoint takes a few dozen write
                    // calls; a single large write_all bypasses it.
                    let mut out = BufWriter::with_capacity(256 << 10, file);
                    write(&mut out)?;
                    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
                    file.sync_all()?;
                    return Ok(tmp);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Atomically puts the file at `path`, replacing whatever is there.
    pub fn replace(&self, path: &Path) -> io::Result<()> {
        fs::rename(&self.path, path)
    }

    /// Puts a copy of the file at `path` only if nothing is there (`AlreadyExists` otherwise).
    pub fn link_new(&self, path: &Path) -> io::Result<()> {
        match fs::hard_link(&self.path, path) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                // No hard links on this filesystem (FAT, some network shares): claim the name
                // with create_new, then rename over our own empty placeholder.
                OpenOptions::new().write(true).create_new(true).open(path)?;
                fs::rename(&self.path, path).inspect_err(|_| {
                    let _ = fs::remove_file(path);
                })
            }
            linked => linked,
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // After a rename the file is gone and this fails harmlessly; after a hard link it
        // removes the extra name. A failure leaves only a hidden .tmp file, never a bad PNG.
        let _ = fs::remove_file(&self.path);
    }
}

/// Makes a rename durable; failures are ignored (some file systems cannot fsync folders).
fn sync_folder(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(f) = File::open(dir)
    {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_a_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        replace_file(&path, b"one").unwrap();
        replace_file(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn create_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        create_new_file(&path, b"first").unwrap();
        let e = create_new_file(&path, b"second").unwrap_err().to_string();
        assert!(e.contains("already exists"), "{e}");
        assert_eq!(fs::read(&path).unwrap(), b"first");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder").join("a.bin");
        let e = format!("{:#}", replace_file(&path, b"x").unwrap_err());
        assert!(!path.exists());
        // Errors used to name the hidden temporary (e.g. on a full disk), not the file.
        assert!(e.starts_with(&format!("{}: ", path.display())), "{e}");
        assert!(!e.contains(".a.bin."), "{e}");
    }
}
