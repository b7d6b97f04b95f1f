//! Faults a long run must survive: kill -9 at random moments, SIGINT/SIGTERM/SIGHUP, a
//! full disk, read-only and missing folders. Each test prints what it survived.

use crate::common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::thread::sleep;
use std::time::Duration;

const KILLS: usize = 16;

/// What a kill -9 may leave behind, checked: a loadable checkpoint, a metrics log that
/// parses (a cut last line is ignored) and has a row for every checkpointed epoch.
fn check_after_kill(run: &Path) -> usize {
    let saved = load_checkpoint(run);
    let m = read_metrics(run);
    let last = m.rows.last().map_or(0, |r| r.epoch);
    assert!(
        last >= saved.state.epoch,
        "metrics end at epoch {last}, before the checkpoint's {}",
        saved.state.epoch
    );
    // The picture history reads (a torn last record is ignored) and is in epoch order; a
    // start killed just after its first checkpoint has none yet.
    let history = nnimg::train::output_history::History::open(&run.join("history.bin"));
    if let Some(history) = history.unwrap() {
        let epochs: Vec<usize> = history.epochs().collect();
        assert!(epochs.windows(2).all(|p| p[0] < p[1]), "{epochs:?}");
    }
    saved.state.epoch
}

fn spawn(cmd: &mut std::process::Command) -> Child {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) {
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&stderr);
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn kill_9_at_random_moments_never_loses_the_run_and_the_resumed_run_is_exact() {
    let fx = Fixture::new();
    let run = fx.path("run");
    // A checkpoint every epoch, so most kills land in or near a checkpoint write, and more
    // epochs than any machine trains before the last kill.
    let flags = [
        "--epochs",
        "1000000",
        "--checkpoint-every",
        "1",
        "--window",
        "20",
    ];
    let mut rng = Lcg(0x2545_f491);
    let (mut mid_write, mut launches) = (0, 0);
    let mut epochs_at_kill = Vec::new();
    for _ in 0..KILLS {
        // As a user would: the same command until the run exists, then a plain resume.
        let mut cmd = if run.join("run.json").exists() {
            fx.resume(&run, &[])
        } else {
            fx.new_run(&run, &flags)
        };
        let mut child = spawn(&mut cmd);
        launches += 1;
        sleep(Duration::from_millis(rng.next_below(150)));
        if let Some(status) = child.try_wait().unwrap() {
            panic!("nnimg stopped by itself ({status}) before the kill");
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if !temporaries(&run).is_empty() {
            mid_write += 1;
        }
        if run.join("run.json").exists() {
            epochs_at_kill.push(check_after_kill(&run));
        }
    }
    // Finish a little after the last checkpoint.
    let total = load_checkpoint(&run).state.epoch + 20;
    finish(spawn(
        &mut fx.resume(&run, &["--epochs", &total.to_string()]),
    ));

    assert_eq!(load_checkpoint(&run).state.epoch, total);
    let epochs: Vec<usize> = read_metrics(&run).rows.iter().map(|r| r.epoch).collect();
    assert_eq!(epochs, (1..=total).collect::<Vec<_>>());
    assert_eq!(temporaries(&run), Vec::<PathBuf>::new());
    // Nothing lost, nothing changed: the same weights as a run never killed (checkpoints
    // do not change the weights, so it may save just once, at the end).
    let straight = fx.path("straight");
    let t = total.to_string();
    run_ok(fx.new_run(
        &straight,
        &["--epochs", &t, "--checkpoint-every", &t, "--window", "20"],
    ));
    assert_eq!(
        tensor_bytes(&run.join("checkpoint.safetensors")),
        tensor_bytes(&straight.join("checkpoint.safetensors"))
    );
    // Torn records were cut and written again: the history is the uninterrupted run's.
    assert_eq!(
        std::fs::read(run.join("history.bin")).unwrap(),
        std::fs::read(straight.join("history.bin")).unwrap()
    );
    println!(
        "kill -9: survived {KILLS} kills ({mid_write} left a temporary file behind, i.e. \
         landed in a write), {launches} launches, checkpoints at epochs {epochs_at_kill:?}; \
         finished at {total} with weights equal to an uninterrupted run"
    );
}

#[test]
fn a_run_killed_while_starting_can_be_started_again_or_resumed() {
    let fx = Fixture::new();
    let mut outcomes = Vec::new();
    for (i, delay_ms) in [0u64, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20]
        .into_iter()
        .enumerate()
    {
        let run = fx.path(&format!("run{i}"));
        let flags = ["--epochs", "30", "--checkpoint-every", "1"];
        let mut child = spawn(&mut fx.new_run(&run, &flags));
        sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let state = if run.join("run.json").exists() {
            "run.json"
        } else if run.exists() {
            "folder"
        } else {
            "nothing"
        };
        // Run the same command again, then resume as a user would.
        let mut again = if run.join("run.json").exists() {
            fx.resume(&run, &[])
        } else {
            fx.new_run(&run, &flags)
        };
        run_ok(&mut again);
        assert_eq!(load_checkpoint(&run).state.epoch, 30);
        assert_eq!(temporaries(&run), Vec::<PathBuf>::new());
        outcomes.push(format!("{delay_ms}ms:{state}"));
    }
    println!("killed while starting, then recovered: {outcomes:?}");
}

#[test]
fn sigint_sigterm_and_sighup_save_a_checkpoint_exit_130_and_resume_from_it() {
    for name in ["INT", "TERM", "HUP"] {
        let fx = Fixture::new();
        let run = fx.path("run");
        // Checkpoints are rare, so the one after the signal is the signal's doing.
        let flags = ["--epochs", "1000000", "--checkpoint-every", "100000"];
        let mut child = spawn(&mut fx.new_run(&run, &flags));
        wait_for_rows(&mut child, &run, 20);
        signal(&child, name);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_no_panic(&stderr);
        assert_eq!(out.status.code(), Some(130), "SIG{name}: {stderr}");
        let epoch = load_checkpoint(&run).state.epoch;
        assert!(
            stderr.contains(&format!("stopped at epoch {epoch}, checkpoint saved")),
            "SIG{name}: {stderr}"
        );
        assert!(epoch >= 20, "SIG{name}: checkpoint at {epoch}");
        let rows: Vec<usize> = read_metrics(&run).rows.iter().map(|r| r.epoch).collect();
        assert_eq!(rows, (1..=epoch).collect::<Vec<_>>(), "SIG{name}");

        // The resumed run carries on from that epoch, exactly.
        let total = (epoch + 10).to_string();
        run_ok(fx.resume(&run, &["--epochs", &total]));
        let rows: Vec<usize> = read_metrics(&run).rows.iter().map(|r| r.epoch).collect();
        assert_eq!(rows, (1..=epoch + 10).collect::<Vec<_>>(), "SIG{name}");
        let straight = fx.path("straight");
        let flags = ["--epochs", &total, "--checkpoint-every", "100000"];
        run_ok(fx.new_run(&straight, &flags));
        assert_eq!(
            tensor_bytes(&run.join("checkpoint.safetensors")),
            tensor_bytes(&straight.join("checkpoint.safetensors")),
            "SIG{name}"
        );
        println!("SIG{name}: stopped at epoch {epoch}, exit 130, resumed to {total} exactly");
    }
}

#[test]
fn a_run_json_without_a_checkpoint_resumes_from_epoch_0_unless_epochs_were_logged() {
    // A start killed after run.json but before its first checkpoint used to leave a run
    // that could neither resume ("cannot read the checkpoint") nor start again.
    let fx = Fixture::new();
    let run = fx.path("run");
    run_ok(fx.new_run(&run, &["--epochs", "12"]));
    let reference = tensor_bytes(&run.join("checkpoint.safetensors"));
    fs::remove_file(run.join("checkpoint.safetensors")).unwrap();
    let text = fs::read_to_string(run.join("metrics.csv")).unwrap();
    let header = text.lines().next().unwrap().to_string() + "\n";
    fs::write(run.join("metrics.csv"), &header).unwrap();
    run_ok(fx.resume(&run, &[]));
    assert_eq!(tensor_bytes(&run.join("checkpoint.safetensors")), reference);

    // With epochs in the log, the weights are really lost: say so, change nothing.
    fs::remove_file(run.join("checkpoint.safetensors")).unwrap();
    let before = fs::read_to_string(run.join("metrics.csv")).unwrap();
    fails_with(
        fx.resume(&run, &[]),
        &["checkpoint.safetensors: cannot read the checkpoint"],
    );
    assert_eq!(fs::read_to_string(run.join("metrics.csv")).unwrap(), before);
}

/// Fills the file system under `dir` with 4 KiB files until it is full; returns them.
fn fill(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for i in 0.. {
        let path = dir.join(format!("filler-{i}"));
        if fs::write(&path, [0u8; 4096]).is_err() {
            let _ = fs::remove_file(&path);
            return files;
        }
        files.push(path);
    }
    unreachable!()
}

#[test]
fn a_full_disk_gives_a_clear_error_and_keeps_the_last_checkpoint() {
    let Some(tmpfs) = Tmpfs::mount("size=1m") else {
        return;
    };
    let fx = Fixture::new();
    let run = tmpfs.path().join("run");
    // A 3→200→64 net: a 54 KB checkpoint (14 pages), so some trials fail inside it.
    let mut cmd = fx.nnimg(&["train", "--size", "8", "--layers", "3,200,64"]);
    cmd.arg("--data").arg(&fx.data).arg("--run").arg(&run);
    run_ok(cmd.args(["--epochs", "3", "--checkpoint-every", "1"]));

    let mut failures: Vec<String> = Vec::new();
    let mut trials = 0;
    for free_pages in 0..40 {
        let filler = fill(tmpfs.path());
        for f in filler.iter().take(free_pages) {
            fs::remove_file(f).unwrap();
        }
        let before = load_checkpoint(&run);
        let before_bytes = fs::read(run.join("checkpoint.safetensors")).unwrap();
        let total = (before.state.epoch + 20).to_string();
        let out = output(fx.resume(&run, &["--epochs", &total]));
        trials += 1;
        for f in &filler {
            let _ = fs::remove_file(f);
        }
        if out.status.success() {
            break;
        }
        let line = assert_error(&out, 1, &["No space left on device"]);
        assert!(
            line.starts_with(&format!("nnimg: {}/", run.display())),
            "{line}"
        );
        // The checkpoint is the old one or a complete newer one, never torn.
        let after = load_checkpoint(&run);
        assert!(after.state.epoch >= before.state.epoch);
        if line.contains("checkpoint.safetensors") {
            assert_eq!(
                fs::read(run.join("checkpoint.safetensors")).unwrap(),
                before_bytes
            );
        }
        assert_eq!(temporaries(&run), Vec::<PathBuf>::new(), "{line}");
        read_metrics(&run);
        let file = line
            .trim_start_matches(&format!("nnimg: {}/", run.display()))
            .split(':')
            .next()
            .unwrap()
            .to_string();
        if !failures.contains(&file) {
            failures.push(file);
        }
    }
    // With room again, the run carries on.
    let total = (load_checkpoint(&run).state.epoch + 2).to_string();
    run_ok(fx.resume(&run, &["--epochs", &total]));
    println!("full disk: {trials} trials with 0.. free pages; failed cleanly writing {failures:?}");
    assert!(
        failures.iter().any(|f| f.contains("checkpoint")),
        "no trial failed in a checkpoint write: {failures:?}"
    );
}

#[test]
fn read_only_and_missing_folders_give_a_clear_error_naming_the_path() {
    let fx = Fixture::new();
    // Missing training folder, and a file where the folder should be.
    let missing = fx.path("no-such-folder");
    let mut cmd = fx.nnimg(&["train", "--size", "8", "--layers", "3,6,64", "--data"]);
    cmd.arg(&missing).arg("--run").arg(fx.path("r1"));
    fails_with(
        &mut cmd,
        &[&format!(
            "{}: cannot read the training folder",
            missing.display()
        )],
    );
    assert!(!fx.path("r1").exists(), "a failed start left a run folder");
    let file = fx.data.join("001.png");
    let mut cmd = fx.nnimg(&["train", "--size", "8", "--layers", "3,6,64", "--data"]);
    cmd.arg(&file).arg("--run").arg(fx.path("r2"));
    fails_with(
        &mut cmd,
        &[&format!(
            "{}: cannot read the training folder",
            file.display()
        )],
    );
    // A file where the run folder should be.
    let mut cmd = fx.new_run(&file, &[]);
    fails_with(
        &mut cmd,
        &[&file.display().to_string(), "exists and cannot be read"],
    );
    // A run whose training folder has gone.
    let run = fx.path("run");
    let moved = fx.path("moved");
    run_ok(fx.new_run(&run, &["--epochs", "3"]));
    fs::rename(&fx.data, &moved).unwrap();
    fails_with(
        fx.resume(&run, &["--epochs", "6"]),
        &[&format!(
            "{}: cannot read the training folder",
            fx.data.display()
        )],
    );
    fs::rename(&moved, &fx.data).unwrap();

    let Some(tmpfs) = Tmpfs::mount("size=1m") else {
        return;
    };
    let run = tmpfs.path().join("run");
    run_ok(fx.new_run(&run, &["--epochs", "3"]));
    let bytes = fs::read(run.join("checkpoint.safetensors")).unwrap();
    tmpfs.remount("ro");
    fails_with(
        fx.resume(&run, &["--epochs", "6"]),
        &[
            &run.display().to_string(),
            "cannot train this run: read-only file system",
        ],
    );
    let new = tmpfs.path().join("new");
    fails_with(
        fx.new_run(&new, &[]),
        &[
            &format!("{}: cannot create the run folder", new.display()),
            "Read-only",
        ],
    );
    // A read-only training folder is fine: it is only read.
    let data = tmpfs.path().join("data");
    tmpfs.remount("rw");
    write_training_set(&data, &STEMS);
    tmpfs.remount("ro");
    let mut cmd = fx.nnimg(&[
        "train", "--size", "8", "--layers", "3,6,64", "--epochs", "2",
    ]);
    cmd.arg("--data")
        .arg(&data)
        .arg("--run")
        .arg(fx.path("from-ro"));
    run_ok(&mut cmd);
    tmpfs.remount("rw");
    assert_eq!(fs::read(run.join("checkpoint.safetensors")).unwrap(), bytes);
    run_ok(fx.resume(&run, &["--epochs", "6"]));
}
