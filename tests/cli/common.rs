//! Shared support for the integration tests: tiny training sets drawn into temp folders,
//! the built `nnimg` binary, and checks on its one-line errors and on run directories.
//!
//! Every test trains a tiny network (`3 → 6 → 8×8`) on four 8×8 pictures, so a few hundred
//! epochs take well under a second even in a debug build.

use image::{Rgb, RgbImage};
use nnimg::train::checkpoint::{self, Checkpoint};
use nnimg::train::metrics::{self, Metrics};
use safetensors::SafeTensors;
use std::borrow::BorrowMut;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The stems of the tiny training set: three buttons, four pictures.
pub const STEMS: [&str; 4] = ["001", "010", "100", "110"];

/// Flags for a network small enough for debug-build tests: 3 inputs, 6 hidden, 8×8 output.
pub const TINY: [&str; 4] = ["--size", "8", "--layers", "3,6,64"];

/// Path of the `nnimg` binary cargo built for these tests.
pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_nnimg"))
}

/// A distinct 8×8 picture per index: stripes, a gradient and a disc in different colours.
pub fn picture(k: usize, width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let v = match k % 4 {
            0 => {
                if (x / 2) % 2 == 0 {
                    255
                } else {
                    0
                }
            }
            1 => (255 * x / width.max(1)) as u8,
            2 => {
                let (dx, dy) = (x as i32 - 4, y as i32 - 4);
                if dx * dx + dy * dy < 9 { 230 } else { 20 }
            }
            _ => {
                if (y / 2) % 2 == 0 {
                    200
                } else {
                    40
                }
            }
        };
        Rgb([v, 255 - v, (k as u8).wrapping_mul(60)])
    })
}

/// Writes one PNG per stem into `dir` (created if needed).
pub fn write_training_set(dir: &Path, stems: &[&str]) {
    fs::create_dir_all(dir).unwrap();
    for (k, stem) in stems.iter().enumerate() {
        picture(k, 8, 8)
            .save(dir.join(format!("{stem}.png")))
            .unwrap();
    }
}

/// A temp folder holding `data/` (the tiny training set); runs go beside it.
pub struct Fixture {
    pub dir: TempDir,
    pub data: PathBuf,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        write_training_set(&data, &STEMS);
        Fixture { dir, data }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `nnimg train --data DATA --run RUN <TINY> <extra>`, run in the fixture's folder.
    pub fn new_run(&self, run: &Path, extra: &[&str]) -> Command {
        let mut cmd = self.nnimg(&["train"]);
        cmd.arg("--data").arg(&self.data).arg("--run").arg(run);
        cmd.args(TINY).args(extra);
        cmd
    }

    /// `nnimg train --run RUN <extra>`: a resume.
    pub fn resume(&self, run: &Path, extra: &[&str]) -> Command {
        let mut cmd = self.nnimg(&["train", "--run"]);
        cmd.arg(run).args(extra);
        cmd
    }

    /// `nnimg <args>` with the fixture's folder as working directory.
    pub fn nnimg(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.current_dir(self.dir.path()).args(args);
        cmd
    }
}

/// Runs a command to completion and returns its output.
pub fn output(mut cmd: impl BorrowMut<Command>) -> Output {
    cmd.borrow_mut().stdin(Stdio::null()).output().unwrap()
}

/// Runs a command and asserts that it succeeded; returns its stderr.
pub fn run_ok(mut cmd: impl BorrowMut<Command>) -> String {
    let cmd = cmd.borrow_mut();
    let out = output(&mut *cmd);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{cmd:?} failed:\n{stderr}");
    assert_no_panic(&stderr);
    stderr
}

pub fn assert_no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked"), "nnimg panicked:\n{stderr}");
    assert!(
        !stderr.contains("RUST_BACKTRACE"),
        "nnimg panicked:\n{stderr}"
    );
}

/// Asserts the exit code, no panic, and that the last stderr line is one `nnimg: …` error
/// containing every part; returns that line.
pub fn assert_error(out: &Output, code: i32, parts: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_no_panic(&stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code; stderr:\n{stderr}"
    );
    let line = stderr.lines().last().unwrap_or_default().to_string();
    assert!(
        line.starts_with("nnimg: ") && !line.starts_with("nnimg: note:"),
        "last line is not an nnimg error:\n{stderr}"
    );
    for part in parts {
        assert!(line.contains(part), "{line:?} does not contain {part:?}");
    }
    line
}

/// Runs `cmd`, expecting exit 1 and a one-line error containing `parts`.
pub fn fails_with(cmd: impl BorrowMut<Command>, parts: &[&str]) -> String {
    assert_error(&output(cmd), 1, parts)
}

/// The checkpoint of a run, loaded with nnimg's own validating loader.
pub fn load_checkpoint(run: &Path) -> Checkpoint {
    let path = run.join("checkpoint.safetensors");
    checkpoint::load(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()))
}

/// The raw tensor bytes of a checkpoint, by name: what "bit for bit" compares.
pub fn tensor_bytes(path: &Path) -> Vec<(String, Vec<u8>)> {
    let bytes = fs::read(path).unwrap();
    let tensors = SafeTensors::deserialize(&bytes).unwrap();
    let mut out: Vec<(String, Vec<u8>)> = tensors
        .tensors()
        .into_iter()
        .map(|(name, t)| (name, t.data().to_vec()))
        .collect();
    out.sort();
    out
}

/// The run's whole log, read with the run's own plan of which epochs get a row.
pub fn read_metrics(run: &Path) -> Metrics {
    let config: nnimg::train::TrainConfig =
        serde_json::from_str(&fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    let plan = metrics::LogPlan::new(config.log_every);
    metrics::read(&run.join("metrics.csv"), plan).unwrap()
}

/// Hidden temporary files (`.NAME.tmp-PID`, `.NAME.PID-N.tmp`) in `dir` and `dir/outputs`.
pub fn temporaries(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for d in [dir.to_path_buf(), dir.join("outputs")] {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".tmp") {
                found.push(e.path());
            }
        }
    }
    found
}

/// True when `tool` runs (`tool -V`); a test that needs it returns early when it does not,
/// after [`say_skipped`]. Under CI (the `CI` variable set, and not to `false` or `0`) a
/// missing tool fails the test instead: a CI run must not pass without the test it skipped.
pub fn has_tool(tool: &str) -> bool {
    if Command::new(tool).arg("-V").output().is_ok() {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "{tool} is not installed, and CI is set: install {tool} (.ci/run does)"
    );
    say_skipped(&format!(
        "{tool} is not installed; install it to run this test"
    ));
    false
}

/// Says that the running test skips its checks, and why, where `cargo test` shows it. A skip
/// must not read as a pass, and libtest keeps a passing test's `eprintln!` to itself, so the
/// line goes straight to the process's stderr. libtest names each test's thread after it.
pub fn say_skipped(why: &str) {
    use std::io::Write;
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// Sends a signal by name (`INT`, `TERM`, `HUP`, `KILL`) with the system's `kill`.
pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg("-s")
        .arg(name)
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -s {name} failed");
}

/// Waits until `metrics.csv` in `run` holds at least `rows` complete rows (training is
/// under way, signal handlers installed), or the child exits, or 60 s pass.
pub fn wait_for_rows(child: &mut Child, run: &Path, rows: usize) {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        let text = fs::read_to_string(run.join("metrics.csv")).unwrap_or_default();
        if text.matches('\n').count() > rows {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "training did not start"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A tiny deterministic pseudo-random generator (xorshift64*), for kill delays.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// A size-limited tmpfs mounted on a temp folder, unmounted on drop; `None` (saying the test
/// is skipped) where mounting is not allowed, e.g. when the tests do not run as root.
pub struct Tmpfs {
    pub dir: TempDir,
}

impl Tmpfs {
    pub fn mount(options: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "nnimg-test"])
            .arg(dir.path())
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs { dir }),
            Ok(o) => {
                say_skipped(&format!(
                    "cannot mount a tmpfs here ({})",
                    String::from_utf8_lossy(&o.stderr).trim()
                ));
                None
            }
            Err(e) => {
                say_skipped(&format!("cannot run mount ({e})"));
                None
            }
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Remounts read-only (or read-write), keeping the contents.
    pub fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "remount {options} failed");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}
