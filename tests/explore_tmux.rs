//! End to end: the real `nnimg explore` in a tmux pane on a tiny training set — it starts,
//! epochs advance, a button press shows, `e` exports a PNG into samples/, `q` Enter quits
//! with a checkpoint, and the terminal is restored (alternate screen left, cursor shown).
//! Skipped with a SKIP line when tmux is not installed (.ci/run installs it).
#![allow(clippy::unwrap_used)]

mod common;

use common::tmux::Tmux;
use std::path::Path;

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
    let dir = tempfile::tempdir().unwrap();
    write_training_set(&dir.path().join("training_input"));
    let command = format!(
        "{} explore --size 8 --epochs 1000000",
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
