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

/// How often, and how far apart, a taken lock is tried again before giving up: longer
/// than a watcher's probe holds it.
const LOCK_RETRIES: usize = 5;
const LOCK_RETRY_INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);

/// A run directory on disk.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
    /// Held open while this process trains the run; the OS drops the lock when it dies.
    lock: Option<File>,
}

impl RunDir {
    /// Creates the folder for a new run at `path`; see [`RunDir::check_new`] for what may
    /// already be there.
    pub fn create(path: &Path) -> Result<Self> {
        match fs::create_dir(path) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Self::check_new(path)?,
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

    /// Checks that a new run may be created at `path`: nothing is there, or an empty folder,
    /// or one holding only a lock file and temporaries (a start killed before it wrote
    /// run.json). A folder with anything else in it is refused, so no run is ever clobbered.
    pub fn check_new(path: &Path) -> Result<()> {
        let entries = match fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("{}: exists and cannot be read", path.display()));
            }
        };
        let is_leftover =
            |name: &std::ffi::OsStr| name == LOCK || name.to_str().is_some_and(is_temporary);
        let mut names = entries.map(|e| e.map(|e| e.file_name()));
        if names.any(|n| n.map_or(true, |n| !is_leftover(&n))) {
            bail!(
                "{}: already exists and is not empty, and has no {RUN_JSON} to resume from; choose another --run",
                path.display()
            );
        }
        Ok(())
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
    /// A watcher probing the lock ([`RunDir::has_trainer`]) holds it for an instant, so a
    /// lock found taken is tried a few more times before the run counts as trained elsewhere.
    pub fn lock_for_training(&mut self) -> Result<()> {
        let path = self.path.join(LOCK);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("{}: cannot create the lock file", path.display()))?;
        let mut attempt = file.try_lock();
        for _ in 0..LOCK_RETRIES {
            if !matches!(attempt, Err(TryLockError::WouldBlock)) {
                break;
            }
            std::thread::sleep(LOCK_RETRY_INTERVAL);
            attempt = file.try_lock();
        }
        match attempt {
            Ok(()) => {
                self.lock = Some(file);
                self.remove_temporaries();
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

    /// True while a process holds the training lock (a trainer, or an explorer training the
    /// run). Finds out by taking a shared lock for an instant, never writing anything.
    pub fn has_trainer(&self) -> Result<bool> {
        let path = self.path.join(LOCK);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read", path.display())),
        };
        match file.try_lock_shared() {
            // Dropping the file releases the shared lock at once.
            Ok(()) => Ok(false),
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("{}: cannot lock", path.display()))
            }
        }
    }

    /// Removes temporaries that a killed process left in the run folder and `outputs/`.
    /// Only called with the training lock held, so no live process is writing them.
    fn remove_temporaries(&self) {
        for dir in [self.path.clone(), self.outputs()] {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry.file_name().to_str().is_some_and(is_temporary) {
                    let _ = fs::remove_file(entry.path());
                }
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

/// True for the hidden temporary names nnimg writes before a rename or link:
/// `.NAME.tmp-PID` (crate::atomic) and `.NAME.PID-N.tmp` (render::png).
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && (name.contains(".tmp-") || name.ends_with(".tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    impl RunDir {
        fn open_unchecked(path: &Path) -> Self {
            RunDir {
                path: path.to_path_buf(),
                lock: None,
            }
        }
    }

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
    fn a_folder_left_by_a_start_killed_before_run_json_can_be_created_again() {
        // A kill between taking the lock and writing run.json used to leave a folder that
        // neither a new run (not empty) nor a resume (no run.json) would accept.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r");
        fs::create_dir(&path).unwrap();
        fs::write(path.join(LOCK), "").unwrap();
        fs::write(path.join(".run.json.tmp-123"), "{").unwrap();
        let mut run = RunDir::create(&path).unwrap();
        run.lock_for_training().unwrap();
        assert!(!path.join(".run.json.tmp-123").exists());
        fs::write(path.join("notes.txt"), "mine").unwrap();
        assert!(RunDir::create(&path).is_err());
    }

    #[test]
    fn taking_the_lock_removes_temporaries_of_killed_processes() {
        // Every kill -9 during a checkpoint write used to leave one more
        // .checkpoint.safetensors.tmp-PID behind, for ever.
        let dir = tempfile::tempdir().unwrap();
        let mut run = RunDir::create(&dir.path().join("r")).unwrap();
        fs::create_dir(run.outputs()).unwrap();
        let stale = [
            run.path().join(".checkpoint.safetensors.tmp-4242"),
            run.outputs().join(".001.png.4242-1.tmp"),
        ];
        for p in &stale {
            fs::write(p, "half").unwrap();
        }
        fs::write(run.outputs().join("001.png"), "keep").unwrap();
        run.lock_for_training().unwrap();
        assert!(stale.iter().all(|p| !p.exists()));
        assert!(run.outputs().join("001.png").exists());
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
    fn a_probe_tells_whether_a_process_trains_the_run_without_getting_in_its_way() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r");
        let watcher = RunDir::create(&path).unwrap();
        assert!(!watcher.has_trainer().unwrap());
        let mut trainer = RunDir::open_unchecked(&path);
        trainer.lock_for_training().unwrap();
        assert!(watcher.has_trainer().unwrap());
        drop(trainer);
        assert!(!watcher.has_trainer().unwrap());
        // A trainer starting while a probe holds the shared lock waits for it.
        let probe = File::open(path.join(LOCK)).unwrap();
        probe.try_lock_shared().unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(30));
            drop(probe);
        });
        RunDir::open_unchecked(&path).lock_for_training().unwrap();
        release.join().unwrap();
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
