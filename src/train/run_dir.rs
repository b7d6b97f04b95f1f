//! [`RunDir`]: the folder that holds one run — `run.json`, `metrics.csv`,
//! `checkpoint.safetensors`, `outputs/` — created without clobbering anything, opened with
//! its settings checked, and locked while a process trains it.

use super::config::TrainConfig;
use crate::atomic::{create_new_file, replace_file};
use anyhow::{Context, Result, anyhow, bail};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

pub const RUN_JSON: &str = "run.json";
pub const METRICS_CSV: &str = "metrics.csv";
pub const CHECKPOINT: &str = "checkpoint.safetensors";
pub const OUTPUTS: &str = "outputs";
pub const LOCK: &str = "train.lock";

/// A run directory on disk.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
    /// Held open while this process trains the run; the OS drops the lock when it dies.
    lock: Option<File>,
}

impl RunDir {
    /// Creates the folder for a new run at `path`. An existing empty folder is accepted; an
    /// existing folder with anything in it is refused, so no run is ever clobbered.
    pub fn create(path: &Path) -> Result<Self> {
        match fs::create_dir(path) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                let mut entries = fs::read_dir(path)
                    .with_context(|| format!("{}: exists and cannot be read", path.display()))?;
                if entries.next().is_some() {
                    bail!(
                        "{}: already exists and is not empty; choose another --run",
                        path.display()
                    );
                }
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                fs::create_dir_all(path)
                    .with_context(|| format!("{}: cannot create the run folder", path.display()))?;
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("{}: cannot create the run folder", path.display()));
            }
        }
        Ok(RunDir {
            path: path.to_path_buf(),
            lock: None,
        })
    }

    /// Creates `parent/NAME-1`, or `-2`, … whichever is free first.
    pub fn create_numbered(parent: &Path, name: &str) -> Result<Self> {
        fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create the runs folder", parent.display()))?;
        for n in 1..100_000 {
            let path = parent.join(format!("{name}-{n}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(RunDir { path, lock: None }),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("{}: cannot create the run folder", path.display())
                    });
                }
            }
        }
        bail!(
            "{}: no free run name left; clean up old runs",
            parent.display()
        )
    }

    /// Opens an existing run (a folder with `run.json`).
    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_dir() {
            bail!("{}: no such run folder", path.display());
        }
        if !path.join(RUN_JSON).is_file() {
            bail!("{}: not an nnimg run (no {RUN_JSON})", path.display());
        }
        Ok(RunDir {
            path: path.to_path_buf(),
            lock: None,
        })
    }

    /// True when `path` holds a run (has `run.json`).
    pub fn exists_at(path: &Path) -> bool {
        path.join(RUN_JSON).is_file()
    }

    /// Takes the training lock, so a second process cannot train this run at the same time.
    /// The lock is the OS's, tied to an open file: it disappears with a killed process.
    pub fn lock_for_training(&mut self) -> Result<()> {
        let path = self.path.join(LOCK);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("{}: cannot create the lock file", path.display()))?;
        match file.try_lock() {
            Ok(()) => {
                self.lock = Some(file);
                Ok(())
            }
            Err(TryLockError::WouldBlock) => bail!(
                "{}: another nnimg process is training this run; watch it with `nnimg explore --run {} --watch`",
                self.path.display(),
                self.path.display()
            ),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("{}: cannot lock", path.display()))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's name, for display.
    pub fn name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    pub fn run_json(&self) -> PathBuf {
        self.path.join(RUN_JSON)
    }

    pub fn metrics(&self) -> PathBuf {
        self.path.join(METRICS_CSV)
    }

    pub fn checkpoint(&self) -> PathBuf {
        self.path.join(CHECKPOINT)
    }

    pub fn outputs(&self) -> PathBuf {
        self.path.join(OUTPUTS)
    }

    /// Writes `run.json` for a new run; fails if one exists.
    pub fn write_new_config(&self, config: &TrainConfig) -> Result<()> {
        let json = serde_json::to_string_pretty(config)? + "\n";
        create_new_file(&self.run_json(), json.as_bytes())
    }

    /// Replaces `run.json` (e.g. when a resume extends the epochs).
    pub fn update_config(&self, config: &TrainConfig) -> Result<()> {
        let json = serde_json::to_string_pretty(config)? + "\n";
        replace_file(&self.run_json(), json.as_bytes())
    }

    /// Reads and validates `run.json`.
    pub fn read_config(&self) -> Result<TrainConfig> {
        let path = self.run_json();
        let text = fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let config: TrainConfig = serde_json::from_str(&text).map_err(|e| {
            anyhow!(
                "{}: not a valid run.json: {e}; restore it or start a new run",
                path.display()
            )
        })?;
        config
            .validate()
            .map_err(|e| anyhow!("{}: {e:#}", path.display()))?;
        if config.samples.is_empty() {
            bail!("{}: lists no training samples", path.display());
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_clobbers_a_folder_with_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("precious.txt"), "x").unwrap();
        let e = RunDir::create(dir.path()).unwrap_err().to_string();
        assert!(e.contains("already exists and is not empty"), "{e}");
        assert_eq!(
            fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
            "x"
        );
    }

    #[test]
    fn numbered_runs_take_the_first_free_name() {
        let dir = tempfile::tempdir().unwrap();
        let a = RunDir::create_numbered(dir.path(), "v0.1.6.1").unwrap();
        let b = RunDir::create_numbered(dir.path(), "v0.1.6.1").unwrap();
        assert_eq!(a.name(), "v0.1.6.1-1");
        assert_eq!(b.name(), "v0.1.6.1-2");
    }

    #[test]
    fn a_second_trainer_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = RunDir::create(&dir.path().join("r")).unwrap();
        first.lock_for_training().unwrap();
        let mut second = RunDir {
            path: first.path().to_path_buf(),
            lock: None,
        };
        assert!(
            second
                .lock_for_training()
                .unwrap_err()
                .to_string()
                .contains("another nnimg process")
        );
        drop(first);
        second.lock_for_training().unwrap();
    }

    #[test]
    fn open_refuses_folders_without_run_json() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            RunDir::open(dir.path())
                .unwrap_err()
                .to_string()
                .contains("not an nnimg run")
        );
        assert!(
            RunDir::open(&dir.path().join("x"))
                .unwrap_err()
                .to_string()
                .contains("no such run folder")
        );
    }
}
