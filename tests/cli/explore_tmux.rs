//! End to end: the real `nnimg explore` in a tmux pane on a tiny training set — it starts,
//! epochs advance, a button press shows, `e` exports a PNG into samples/, `q` Enter quits
//! with a checkpoint, and the terminal is restored (alternate screen left, cursor shown); the
//! picture uses the 256-colour palette without COLORTERM, and keeps its colours under
//! NO_COLOR while the rest of the screen has none.
//! Skipped with a SKIPPED line when tmux is not installed, a failure under CI (.ci/run
//! installs it).

use crate::tmux::Tmux;
use std::path::Path;

fn write_training_set(dir: &Path) {
    std::fs::create_dir(dir).unwrap();
    for (stem, value) in [("10", 255u8), ("01", 60)] {
        let img = image::GrayImage::from_fn(8, 8, |x, _| image::Luma([value / (1 + x as u8)]));
        img.save(dir.join(format!("{stem}.png"))).unwrap();
    }
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

/// The epoch in the header line "epoch N/T".
fn epoch_on(screen: &str) -> Option<usize> {
    let rest = &screen[screen.find("epoch ")? + 6..];
    rest[..rest.find('/')?].parse().ok()
}

#[test]
fn explore_trains_takes_a_button_exports_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    write_training_set(&dir.path().join("training_input"));
    // TERM=xterm-256color and no COLORTERM: what an ssh session usually gets.
    let command = format!(
        "env -u COLORTERM -u NO_COLOR {} explore --size 8 --epochs 1000000",
        env!("CARGO_BIN_EXE_nnimg")
    );
    let Some(tmux) = Tmux::open("the explorer end to end", dir.path(), (100, 30), &command) else {
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
    let dir = tempfile::tempdir().unwrap();
    write_training_set(&dir.path().join("training_input"));
    let command = format!(
        "env -u COLORTERM NO_COLOR=1 {} explore --size 8 --epochs 1000000",
        env!("CARGO_BIN_EXE_nnimg")
    );
    let Some(tmux) = Tmux::open(
        "the explorer under NO_COLOR",
        dir.path(),
        (100, 30),
        &command,
    ) else {
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

/// Trains a tiny run of `layers` on `data` into `run` with the built binary.
fn train_run(data: &Path, run: &Path, layers: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nnimg"))
        .args(["train", "--size", "8", "--epochs", "50", "--layers", layers])
        .arg("--data")
        .arg(data)
        .arg("--run")
        .arg(run)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn explore_compares_runs_side_by_side_and_exports_them_together() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("training_input");
    write_training_set(&data);
    // A deep run and a two-layer run: different shapes, the same two buttons.
    train_run(&data, &dir.path().join("deep"), "2,6,64");
    train_run(&data, &dir.path().join("flat"), "2,64");
    let nnimg = env!("CARGO_BIN_EXE_nnimg");
    let command = format!(
        "{nnimg} explore --run deep --compare flat; echo FIRST $?; \
         {nnimg} explore --run deep --compare ./deep"
    );
    let Some(tmux) = Tmux::open(
        "the explorer comparing runs",
        dir.path(),
        (120, 40),
        &command,
    ) else {
        return;
    };

    // Both runs have a pane, each named; the per-image table ranks both.
    let screen = tmux.wait_for("both panes", |s| {
        s.contains("A deep") && s.contains("B flat") && s.contains("epoch 50")
    });
    assert!(screen.contains("rank"), "{screen}");

    // The buttons drive both panes; d shows their difference.
    tmux.keys(&["1"]);
    tmux.keys(&["d"]);
    tmux.wait_for("the difference view", |s| s.contains("|A−B| deep − flat"));
    tmux.keys(&["d"]);

    // e writes one PNG with both runs side by side.
    tmux.keys(&["e"]);
    let screen = tmux.wait_for("the export", |s| s.contains("saved samples/compare-10"));
    let path = dir.path().join("samples").join("compare-10.png");
    let png = image::open(&path).unwrap_or_else(|e| panic!("{e}; the screen:\n{screen}"));
    // The target and two runs, 8×8 each enlarged to at least a tile, with labels.
    assert!(png.width() > 3 * 8, "{}", png.width());

    tmux.keys(&["q"]);
    tmux.wait_for("the quit dialog", |s| s.contains("quit?"));
    tmux.keys(&["Enter"]);
    // Then the same run named twice is refused in one line.
    let screen = tmux.wait_for("the refusal", |s| s.contains("EXITED"));
    assert!(screen.contains("FIRST 0"), "{screen}");
    assert!(screen.contains("named twice"), "{screen}");
    assert!(screen.contains("EXITED 1"), "{screen}");
}
