//! [`RunDir`]: the folder that holds one run — `run.json`, `metrics.csv`,
//! `checkpoint.safetensors`, `outputs/` — created without clobbering anything, opened with
//! its settings checked, and locked while a process trains it.

use super::config::TrainConfig;
use crate::atomic::{create_new_file, replace_file};
use crate::shown::Shown;
use anyhow::{Context, Result, anyhow, bail};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Write};
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
                    .with_context(|| format!("{}: cannot create the run folder", Shown(path)))?;
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("{}: cannot create the run folder", Shown(path)));
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
                    .with_context(|| format!("{}: exists and cannot be read", Shown(path)));
            }
        };
        let is_leftover =
            |name: &std::ffi::OsStr| name == LOCK || name.to_str().is_some_and(is_temporary);
        let mut names = entries.map(|e| e.map(|e| e.file_name()));
        if names.any(|n| n.map_or(true, |n| !is_leftover(&n))) {
            bail!(
                "{}: already exists and is not empty, and has no {RUN_JSON} to resume from; choose another --run",
                Shown(path)
            );
        }
        Ok(())
    }

    /// Creates `parent/NAME-1`, or `-2`, … whichever is free first.
    pub fn create_numbered(parent: &Path, name: &str) -> Result<Self> {
        fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create the runs folder", Shown(parent)))?;
        for n in 1..100_000 {
            let path = parent.join(format!("{name}-{n}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(RunDir { path, lock: None }),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("{}: cannot create the run folder", Shown(path)));
                }
            }
        }
        bail!(
            "{}: no free run name left; clean up old runs",
            Shown(parent)
        )
    }

    /// Opens an existing run (a folder with `run.json`). A folder this process may not
    /// read is an error that says so, rather than "not a run".
    pub fn open(path: &Path) -> Result<Self> {
        let unreadable = || format!("{}: cannot read the run folder", Shown(path));
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {}
            Err(e) if e.kind() == ErrorKind::PermissionDenied => {
                return Err(e).with_context(unreadable);
            }
            _ => bail!("{}: no such run folder", Shown(path)),
        }
        match fs::metadata(path.join(RUN_JSON)) {
            Ok(meta) if meta.is_file() => {}
            Err(e) if e.kind() == ErrorKind::PermissionDenied => {
                return Err(e).with_context(unreadable);
            }
            _ => bail!("{}: not an nnimg run (no {RUN_JSON})", Shown(path)),
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
    /// The lock is the OS's, tied to an open file: it disappears with a killed process. The
    /// file says who holds it (`holder` and the process id), so that a refused second
    /// process can tell the user which program has the run open.
    ///
    /// A run this process may not write (another user's, or on a read-only mount) fails
    /// with a [`ReadOnlyRun`] underneath, so a caller can open it read-only instead.
    ///
    /// A watcher probing the lock ([`RunDir::has_trainer`]) holds it for an instant, so a
    /// lock found taken is tried a few more times before the run counts as trained elsewhere.
    pub fn lock_for_training(&mut self, holder: Holder) -> Result<()> {
        let path = self.path.join(LOCK);
        let file = match OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
        {
            Ok(file) => file,
            // Only an existing run can be looked at instead; a new one just cannot start.
            Err(e) => match ReadOnlyRun::from_error(&self.path, &e)
                .filter(|_| Self::exists_at(&self.path))
            {
                Some(read_only) => return Err(read_only.into()),
                None => {
                    return Err(e)
                        .with_context(|| format!("{}: cannot create the lock file", Shown(&path)));
                }
            },
        };
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
                // Only a hint for a refused process: a failure to write it changes nothing.
                let _ = file
                    .set_len(0)
                    .and_then(|()| writeln!(&file, "{} {}", holder.command(), std::process::id()));
                self.lock = Some(file);
                self.remove_temporaries();
                Ok(())
            }
            Err(TryLockError::WouldBlock) => {
                let held_by = fs::read_to_string(&path).unwrap_or_default();
                Err(anyhow!("{}", held_elsewhere(&self.path, &held_by)))
            }
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("{}: cannot lock", Shown(&path)))
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
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read", Shown(&path))),
        };
        match file.try_lock_shared() {
            // Dropping the file releases the shared lock at once.
            Ok(()) => Ok(false),
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("{}: cannot lock", Shown(&path)))
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

    /// The folder's name, for display (escaped: see [`Shown`]).
    pub fn name(&self) -> String {
        match self.path.file_name() {
            Some(name) => Shown(name).to_string(),
            None => Shown(&self.path).to_string(),
        }
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
        let text =
            fs::read_to_string(&path).with_context(|| format!("{}: cannot read", Shown(&path)))?;
        let config: TrainConfig = serde_json::from_str(&text).map_err(|e| {
            anyhow!(
                "{}: not a valid run.json: {}; restore it or start a new run",
                Shown(&path),
                Shown(e.to_string())
            )
        })?;
        config
            .validate()
            .map_err(|e| anyhow!("{}: {e:#}", Shown(&path)))?;
        if config.samples.is_empty() {
            bail!("{}: lists no training samples", Shown(&path));
        }
        Ok(config)
    }
}

/// A run that this process can read but not write: another user's run, or one on a
/// read-only mount. It can be explored (as `--watch` does), rendered and exported from, but
/// not trained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOnlyRun {
    pub path: PathBuf,
    /// Why it cannot be written: "no write permission" or "read-only file system".
    pub reason: &'static str,
}

impl ReadOnlyRun {
    /// The read-only case behind an error from writing into the run at `path`, if it is one.
    pub fn from_error(path: &Path, e: &std::io::Error) -> Option<Self> {
        let reason = match e.kind() {
            ErrorKind::PermissionDenied => "no write permission",
            ErrorKind::ReadOnlyFilesystem => "read-only file system",
            _ => return None,
        };
        Some(ReadOnlyRun {
            path: path.to_path_buf(),
            reason,
        })
    }
}

impl std::fmt::Display for ReadOnlyRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = Shown(&self.path);
        write!(
            f,
            "{path}: cannot train this run: {}; train a copy of it (cp -r {path} COPY), \
             or look at it with `nnimg explore --run {path}`",
            self.reason
        )
    }
}

impl std::error::Error for ReadOnlyRun {}

/// Which program holds a run's lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// `nnimg train`: trains until done or stopped.
    Train,
    /// `nnimg explore`: holds the run while it is open, training or paused or done.
    Explore,
}

impl Holder {
    pub fn command(self) -> &'static str {
        match self {
            Holder::Train => "nnimg train",
            Holder::Explore => "nnimg explore",
        }
    }
}

/// The error for a run whose lock another process holds; `held_by` is the lock file's text
/// ("nnimg explore 1234"), empty when unknown (written by an older nnimg, or unreadable).
fn held_elsewhere(run: &Path, held_by: &str) -> String {
    let run = Shown(run);
    let watch = format!("`nnimg explore --run {run} --watch`");
    let (command, pid) = held_by.trim().rsplit_once(' ').unwrap_or_default();
    let pid = pid.parse::<u32>().ok();
    match (command, pid) {
        ("nnimg train", Some(pid)) => format!(
            "{run}: another nnimg process is training this run (`nnimg train`, pid {pid}); watch it with {watch}"
        ),
        ("nnimg explore", Some(pid)) => format!(
            "{run}: the run is open in `nnimg explore` (pid {pid}), which may train it while it is open; \
             quit that explorer first, or follow it read-only with {watch}"
        ),
        _ => format!(
            "{run}: another nnimg process has this run open (training or exploring it); \
             close it first, or follow it read-only with {watch}"
        ),
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
        /// The run at `path` without checking for run.json: a second handle on a test run.
        fn open_unchecked(path: &Path) -> RunDir {
            RunDir {
                path: path.to_path_buf(),
                lock: None,
            }
        }
    }

    #[test]
    fn only_permission_and_read_only_errors_make_a_run_read_only() {
        let path = Path::new("runs/theirs");
        let kind = |k: ErrorKind| ReadOnlyRun::from_error(path, &std::io::Error::from(k));
        assert_eq!(
            kind(ErrorKind::PermissionDenied).map(|r| r.reason),
            Some("no write permission")
        );
        assert_eq!(
            kind(ErrorKind::ReadOnlyFilesystem).map(|r| r.reason),
            Some("read-only file system")
        );
        assert_eq!(kind(ErrorKind::StorageFull), None);
        assert_eq!(kind(ErrorKind::NotFound), None);
        let message = kind(ErrorKind::PermissionDenied).unwrap().to_string();
        assert!(
            message.starts_with("runs/theirs: cannot train this run: no write permission; "),
            "{message}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_run_folder_name_for_display_is_escaped_not_replaced() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"r\x1b]0;x\x07\xff");
        let run = RunDir {
            path: Path::new("runs").join(name),
            lock: None,
        };
        assert_eq!(run.name(), r"r\e]0;x\x07\xff");
    }

    #[test]
    fn a_probe_tells_whether_a_process_trains_the_run_without_getting_in_its_way() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r");
        let watcher = RunDir::create(&path).unwrap();
        assert!(!watcher.has_trainer().unwrap());
        let mut trainer = RunDir::open_unchecked(&path);
        trainer.lock_for_training(Holder::Train).unwrap();
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
        RunDir::open_unchecked(&path)
            .lock_for_training(Holder::Train)
            .unwrap();
        release.join().unwrap();
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
        run.lock_for_training(Holder::Train).unwrap();
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
        run.lock_for_training(Holder::Train).unwrap();
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
        first.lock_for_training(Holder::Train).unwrap();
        let mut second = RunDir::open_unchecked(first.path());
        assert!(
            second
                .lock_for_training(Holder::Train)
                .unwrap_err()
                .to_string()
                .contains("another nnimg process")
        );
        drop(first);
        second.lock_for_training(Holder::Train).unwrap();
    }

    #[test]
    fn the_refusal_names_the_program_that_holds_the_run() {
        // A run open in a paused explorer used to be reported as "being trained".
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r");
        let mut explorer = RunDir::create(&path).unwrap();
        explorer.lock_for_training(Holder::Explore).unwrap();
        let mut second = RunDir::open_unchecked(&path);
        let e = second
            .lock_for_training(Holder::Train)
            .unwrap_err()
            .to_string();
        let pid = std::process::id();
        assert!(
            e.contains(&format!("the run is open in `nnimg explore` (pid {pid})")),
            "{e}"
        );
        assert!(!e.contains("training this run"), "{e}");
        // A lock file without a holder (an older nnimg) gives the general message.
        assert!(held_elsewhere(&path, "").contains("another nnimg process has this run open"));
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
