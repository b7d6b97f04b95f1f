//! Files written whole or not at all.
//!
//! Both functions write into a temporary file beside the destination (same folder, so the
//! final step is a rename or link within one file system), fsync it, and only then make it
//! visible. A crash or a full disk leaves the old file (or no file), never a torn one; the
//! temporary file is removed on error.

use anyhow::{Context, Result, bail};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// Replaces `path` with `bytes` atomically (temporary file, fsync, rename, fsync folder).
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temporary_path(path);
    write_synced(&tmp, path, bytes)
        .and_then(|()| {
            fs::rename(&tmp, path).with_context(|| format!("{}: cannot replace", path.display()))
        })
        .inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })?;
    sync_folder(path);
    Ok(())
}

/// Creates `path` with `bytes`, failing if it already exists; never overwrites.
pub fn create_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.exists() {
        bail!("{}: already exists; not overwriting it", path.display());
    }
    let tmp = temporary_path(path);
    let linked = write_synced(&tmp, path, bytes).and_then(|()| match fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            bail!("{}: already exists; not overwriting it", path.display())
        }
        Err(e) => Err(e).with_context(|| format!("{}: cannot create", path.display())),
    });
    let _ = fs::remove_file(&tmp);
    linked?;
    sync_folder(path);
    Ok(())
}

/// `.NAME.tmp-PID` beside `path`: hidden, and distinct per process.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes and syncs `tmp`; errors name `path`, the file the user knows about.
fn write_synced(tmp: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)
        .with_context(|| format!("{}: cannot create", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    file.sync_all()
        .with_context(|| format!("{}: cannot write to disk", path.display()))
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
        // Errors used to name the hidden temporary (.a.bin.tmp-PID), e.g. on a full disk.
        assert!(e.starts_with(&format!("{}: ", path.display())), "{e}");
        assert!(!e.contains(".tmp-"), "{e}");
    }
}
