//! End to end: the real `nnimg explore` in a tmux pane on a tiny training set — it starts,
//! epochs advance, a button press shows, `e` exports a PNG into samples/, `q` Enter quits
//! with a checkpoint, and the terminal is restored (alternate screen left, cursor shown).
//! Skipped with a note when tmux is not installed (.ci/run installs it).

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of our own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        self.run(&args);
    }

    fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "e2e", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Polls the pane until `ok` holds, or fails after a generous timeout with the screen.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn write_training_set(dir: &Path) {
    std::fs::create_dir(dir).unwrap();
    for (stem, value) in [("10", 255u8), ("01", 60)] {
        let img = image::GrayImage::from_fn(8, 8, |x, _| image::Luma([value / (1 + x as u8)]));
        img.save(dir.join(format!("{stem}.png"))).unwrap();
    }
}

/// The epoch in the header line "epoch N/T".
fn epoch_on(screen: &str) -> Option<usize> {
    let rest = &screen[screen.find("epoch ")? + 6..];
    rest[..rest.find('/')?].parse().ok()
}

#[test]
fn explore_trains_takes_a_button_exports_and_restores_the_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("note: tmux is not installed; skipping the explorer's end-to-end test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write_training_set(&dir.path().join("training_input"));
    let tmux = Tmux {
        socket: format!("nnimg-e2e-{}", std::process::id()),
    };
    let command = format!(
        "env TERM=xterm-256color {} explore --size 8 --epochs 1000000; echo EXITED $?; sleep 60",
        env!("CARGO_BIN_EXE_nnimg")
    );
    let dir_arg = dir.path().to_str().unwrap();
    let out = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "100",
        "-y",
        "30",
        "-c",
        dir_arg,
        &command,
    ]);
    assert!(
        out.status.success(),
        "tmux: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Epochs advance.
    let first = tmux.wait_for("training to start", |s| epoch_on(s).is_some_and(|e| e > 0));
    let first = epoch_on(&first).unwrap();
    tmux.wait_for("more epochs", |s| epoch_on(s).is_some_and(|e| e > first));
    assert_eq!(tmux.display("#{alternate_on}"), "1");

    // A button press shows on its button and in the output pane's title.
    tmux.keys(&["1"]);
    tmux.wait_for("button 1 pressed", |s| s.contains("output 10 "));

    // Export.
    tmux.keys(&["e"]);
    let screen = tmux.wait_for("the export", |s| s.contains("saved samples/10-e"));
    let samples: Vec<_> = std::fs::read_dir(dir.path().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(samples.len(), 1, "{samples:?}");
    assert!(
        screen.contains(&format!("saved samples/{}", samples[0])),
        "{screen}"
    );
    let png = image::open(dir.path().join("samples").join(&samples[0])).unwrap();
    assert_eq!((png.width(), png.height()), (8, 8));

    // Quit through the dialog: saved, and the terminal is back to normal.
    tmux.keys(&["q"]);
    tmux.wait_for("the quit dialog", |s| s.contains("save and quit"));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the exit", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
    assert!(screen.contains("checkpoint saved"), "{screen}");
    assert_eq!(tmux.display("#{alternate_on}"), "0");
    assert_eq!(tmux.display("#{cursor_flag}"), "1");
    let run = dir.path().join("runs").join("v0.1.6.1-1");
    assert!(run.join("checkpoint.safetensors").is_file());
}
