//! End to end: the real `nnimg explore` in a tmux pane on a tiny training set — it starts,
//! epochs advance, a button press shows, `e` exports a PNG into samples/, `q` Enter quits
//! with a checkpoint, and the terminal is restored (alternate screen left, cursor shown); the
//! picture uses the 256-colour palette without COLORTERM, and keeps its colours under
//! NO_COLOR while the rest of the screen has none.
//! Skipped with a note when tmux is not installed (.ci/run installs it).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Tests run in parallel: each starts its own tmux server.
static SESSIONS: AtomicUsize = AtomicUsize::new(0);

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

/// The SGR parameter lists of every escape sequence in `line` (`\x1b[…m`).
fn sgr_params(line: &str) -> Vec<Vec<u32>> {
    line.split("\x1b[")
        .skip(1)
        .filter_map(|rest| rest.split_once('m'))
        .map(|(params, _)| params.split(';').filter_map(|p| p.parse().ok()).collect())
        .collect()
}

/// True when an SGR list sets a foreground or background colour.
fn sets_color(params: &[u32]) -> bool {
    params
        .iter()
        .any(|&p| matches!(p, 30..=38 | 40..=48 | 90..=97 | 100..=107))
}

/// `nnimg explore` on a tiny training set in a 100x30 tmux pane, with `env` (arguments of
/// `env`, e.g. `-u COLORTERM NO_COLOR=1`) in front; None when tmux is not installed.
fn start(env: &str) -> Option<(Tmux, tempfile::TempDir)> {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("note: tmux is not installed; skipping the explorer's end-to-end test");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    write_training_set(&dir.path().join("training_input"));
    let tmux = Tmux {
        socket: format!(
            "nnimg-e2e-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::Relaxed)
        ),
    };
    let command = format!(
        "env {env} {} explore --size 8 --epochs 1000000; echo EXITED $?; sleep 60",
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
    Some((tmux, dir))
}

impl Tmux {
    /// The pane with its colours, as SGR escape sequences.
    fn screen_with_colors(&self) -> String {
        let out = self.run(&["capture-pane", "-e", "-p", "-t", "e2e"]);
        String::from_utf8_lossy(&out.stdout).into()
    }
}

#[test]
fn explore_trains_takes_a_button_exports_and_restores_the_terminal() {
    // TERM=xterm-256color and no COLORTERM: what an ssh session usually gets.
    let Some((tmux, dir)) = start("-u COLORTERM -u NO_COLOR TERM=xterm-256color") else {
        return;
    };

    // Epochs advance.
    let first = tmux.wait_for("training to start", |s| epoch_on(s).is_some_and(|e| e > 0));
    let first = epoch_on(&first).unwrap();
    tmux.wait_for("more epochs", |s| epoch_on(s).is_some_and(|e| e > first));
    assert_eq!(tmux.display("#{alternate_on}"), "1");

    // The picture is drawn from the 256-colour palette, never in 24-bit colour.
    let colors = tmux.screen_with_colors();
    let sgr: Vec<Vec<u32>> = colors.lines().flat_map(sgr_params).collect();
    assert!(sgr.iter().any(|p| p.starts_with(&[38, 5])), "{colors}");
    assert!(
        !sgr.iter().any(|p| p.windows(2).any(|w| w == [38, 2])),
        "{colors}"
    );

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

#[test]
fn with_no_color_the_chrome_is_plain_and_the_picture_keeps_its_colours() {
    let Some((tmux, _dir)) = start("-u COLORTERM NO_COLOR=1 TERM=xterm-256color") else {
        return;
    };
    tmux.wait_for("training to start", |s| epoch_on(s).is_some_and(|e| e > 0));
    tmux.wait_for("the picture", |s| s.contains('▀'));
    let screen = tmux.screen_with_colors();
    let lines: Vec<&str> = screen.lines().collect();
    // The picture's half blocks have colours.
    let picture: Vec<Vec<u32>> = lines
        .iter()
        .filter(|l| l.contains('▀'))
        .flat_map(|l| sgr_params(l))
        .collect();
    assert!(picture.iter().any(|p| sets_color(p)), "{screen}");
    // The header, the gauge and the key line have none (emphasis is bold or reverse video).
    for line in [lines[0], lines[1], lines[lines.len() - 1]] {
        assert!(
            !sgr_params(line).iter().any(|p| sets_color(p)),
            "a coloured chrome line: {line:?}"
        );
    }
    tmux.keys(&["q"]);
    tmux.wait_for("the quit dialog", |s| s.contains("save and quit"));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the exit", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
}
