//! What a new user meets in the first hour: how to get the command, tests that say when they
//! skip, honest training times, resumes, folders of photos, `show` in a small pane, dumb
//! terminals, and the small messages along the way.

use std::fs;
use std::path::Path;
use std::process::Command;

fn read_repo_file(name: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

#[test]
fn the_readme_says_how_to_get_the_command_and_which_rust_it_needs() {
    // The README's examples called `nnimg …` without saying where it comes from, and named
    // no prerequisites.
    let readme = read_repo_file("README.md");
    let manifest = read_repo_file("Cargo.toml");
    let rust_version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    assert!(
        readme.contains(&format!("Rust {rust_version} or newer")),
        "the README does not name Rust {rust_version}"
    );
    for needed in ["cargo install --path .", "cargo run --release -- ", "tmux"] {
        assert!(
            readme.contains(needed),
            "the README does not mention {needed:?}"
        );
    }
    // The first screen still starts with the two commands everyone needs.
    let first_block: String = readme.lines().take(12).collect::<Vec<_>>().join("\n");
    assert!(
        first_block.contains("cargo run --release "),
        "{first_block}"
    );
    assert!(first_block.contains("cargo test "), "{first_block}");
}

/// Needs a tool that no machine has; run only by the test below, in a child process.
#[test]
#[ignore = "run by a_test_whose_tool_is_missing_says_skipped_and_fails_under_ci"]
fn a_test_needing_a_missing_tool() {
    if !crate::common::has_tool("nnimg-no-such-tool") {
        return;
    }
    panic!("nnimg-no-such-tool exists?");
}

#[test]
fn a_test_whose_tool_is_missing_says_skipped_and_fails_under_ci() {
    // Without tmux, `cargo test` reported the explorer's end-to-end test as a plain `ok`: its
    // note was captured with the test's output and shown only with --nocapture.
    let run = |ci: Option<&str>| {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["a_test_needing_a_missing_tool", "--ignored"]);
        cmd.env_remove("CI");
        if let Some(ci) = ci {
            cmd.env("CI", ci);
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    };
    let (passed, text) = run(None);
    assert!(passed && text.contains("1 passed"), "{text}");
    assert!(
        text.contains(
            "SKIPPED first_hour::a_test_needing_a_missing_tool: nnimg-no-such-tool is not installed"
        ),
        "{text}"
    );
    let (passed, text) = run(Some("true"));
    assert!(!passed, "{text}");
    assert!(
        text.contains("nnimg-no-such-tool is not installed, and CI is set"),
        "{text}"
    );
}

#[test]
fn a_resume_below_the_epochs_already_trained_is_refused_and_changes_nothing() {
    // `train --run R --epochs 15000` on a run at 20000 did nothing, exited 0 and rewrote
    // run.json's total to 15000; the explorer then read "epoch 20000/15000".
    let fx = crate::common::Fixture::new();
    let run = fx.path("run");
    crate::common::run_ok(fx.new_run(&run, &["--epochs", "40"]));
    let before: Vec<Vec<u8>> = ["run.json", "metrics.csv", "checkpoint.safetensors"]
        .iter()
        .map(|f| fs::read(run.join(f)).unwrap())
        .collect();
    crate::common::fails_with(
        fx.resume(&run, &["--epochs", "20"]),
        &[
            "has trained 40 epochs already, more than --epochs 20",
            "give more than 40 to train further",
        ],
    );
    let after: Vec<Vec<u8>> = ["run.json", "metrics.csv", "checkpoint.safetensors"]
        .iter()
        .map(|f| fs::read(run.join(f)).unwrap())
        .collect();
    assert!(before == after, "the refused resume changed the run");
    // The same total, or a larger one, is still a resume.
    crate::common::run_ok(fx.resume(&run, &["--epochs", "40"]));
    crate::common::run_ok(fx.resume(&run, &["--epochs", "50"]));
    assert_eq!(crate::common::load_checkpoint(&run).state.epoch, 50);
}

/// A training folder of two 16 × 8 pictures (for an 8 × 8 output), stems 10 and 01.
fn wide_pictures(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    for (k, stem) in ["10", "01"].iter().enumerate() {
        crate::common::picture(k, 16, 8)
            .save(dir.join(format!("{stem}.png")))
            .unwrap();
    }
}

fn run_json(run: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(run.join("run.json")).unwrap()).unwrap()
}

#[test]
fn pictures_of_another_shape_are_cropped_from_the_centre_unless_told_otherwise() {
    // Non-square pictures used to be stretched to the output's shape, without a choice.
    let fx = crate::common::Fixture::new();
    let data = fx.path("wide");
    wide_pictures(&data);
    let train = |run: &str, extra: &[&str]| {
        let mut cmd = fx.nnimg(&["train", "--epochs", "2", "--size", "8", "--layers", "2,64"]);
        cmd.arg("--data").arg(&data).arg("--run").arg(fx.path(run));
        crate::common::run_ok(cmd.args(extra))
    };
    let stderr = train("crop", &[]);
    assert!(
        stderr.contains(
            "nnimg: note: images of another shape cropped from the centre to 8×8 (e.g. one was 16×8); \
             --fit pad or --fit stretch keep the whole picture"
        ),
        "{stderr}"
    );
    assert_eq!(run_json(&fx.path("crop"))["fit"], "crop");
    let stderr = train("stretch", &["--fit", "stretch"]);
    assert!(
        stderr.contains("images of another shape stretched to 8×8"),
        "{stderr}"
    );
    assert_eq!(run_json(&fx.path("stretch"))["fit"], "stretch");
    // The fit is one of the run's settings: a resume keeps it.
    crate::common::fails_with(
        fx.resume(&fx.path("crop"), &["--fit", "pad"]),
        &["its settings are fixed (--fit given)"],
    );
}

#[test]
fn a_folder_of_photos_is_reported_as_a_whole_with_the_way_out() {
    // `nnimg train --data ~/photos` reported only the first file not named by a vector.
    let fx = crate::common::Fixture::new();
    let photos = fx.path("photos");
    fs::create_dir(&photos).unwrap();
    for name in ["IMG_0001.jpg", "IMG_0002.jpg", "beach.png"] {
        crate::common::picture(0, 12, 8)
            .save(photos.join(name))
            .unwrap();
    }
    let mut cmd = fx.nnimg(&["train"]);
    cmd.arg("--data").arg(&photos);
    let line = crate::common::fails_with(
        cmd,
        &[
            "3 of 3 images are not named after an input vector (IMG_0001.jpg, IMG_0002.jpg, beach.png)",
            "name each after the buttons that should paint it (10000000.png, 0.5_0_1.png)",
            &format!("`nnimg init-data {} NEW_DIR`", photos.display()),
        ],
    );
    assert!(
        line.starts_with(&format!("nnimg: {}: ", photos.display())),
        "{line}"
    );
    assert!(
        !fx.path("runs").exists(),
        "a refused start left a run folder"
    );
}

#[test]
fn init_data_makes_a_training_folder_from_any_pictures_and_never_overwrites() {
    // A folder of photos had no way in but renaming every file by hand.
    let fx = crate::common::Fixture::new();
    let photos = fx.path("photos");
    fs::create_dir(&photos).unwrap();
    let white = image::RgbImage::from_pixel(16, 8, image::Rgb([255; 3]));
    white.save(photos.join("wide, white.png")).unwrap();
    crate::common::picture(1, 8, 8)
        .save(photos.join("IMG_0002.jpg"))
        .unwrap();
    crate::common::picture(2, 8, 8)
        .save(photos.join("IMG_0001.png"))
        .unwrap();
    fs::write(photos.join("notes.txt"), "not a picture").unwrap();
    let data = fx.path("made/data");

    let init = |dir: &Path, extra: &[&str]| {
        let mut cmd = fx.nnimg(&["init-data"]);
        cmd.arg(&photos).arg(dir).args(["--size", "8"]).args(extra);
        crate::common::output(cmd)
    };
    let out = init(&data, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // One button per picture, in file-name order, said on screen and in mapping.csv.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "button  file     picture\n     1  100.png  IMG_0001.png\n     2  010.png  IMG_0002.jpg\n     3  001.png  wide, white.png\n"
    );
    assert_eq!(
        fs::read_to_string(data.join("mapping.csv")).unwrap(),
        "button,file,picture\n1,100.png,IMG_0001.png\n2,010.png,IMG_0002.jpg\n3,001.png,\"wide, white.png\"\n"
    );
    assert!(stderr.contains("skipped"), "{stderr}");
    assert!(
        stderr.contains("pictures of another shape cropped from the centre to 8×8"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "train with `nnimg train --data {} --size 8`",
            data.display()
        )),
        "{stderr}"
    );
    let cropped = image::open(data.join("001.png")).unwrap().to_rgb8();
    assert_eq!(cropped.dimensions(), (8, 8));
    assert!(cropped.pixels().all(|p| p.0 == [255; 3]));

    // Never over an existing folder with files in it; nothing there changes.
    let before = fs::read(data.join("100.png")).unwrap();
    let out = init(&data, &["--fit", "pad"]);
    crate::common::assert_error(
        &out,
        1,
        &["already exists and is not empty; choose a new folder"],
    );
    assert_eq!(fs::read(data.join("100.png")).unwrap(), before);
    assert_eq!(fs::read_dir(&data).unwrap().count(), 4);

    // --fit pad keeps the whole wide picture between black bars.
    let padded_dir = fx.path("padded");
    assert!(init(&padded_dir, &["--fit", "pad"]).status.success());
    let padded = image::open(padded_dir.join("001.png")).unwrap().to_rgb8();
    assert_eq!(padded.get_pixel(4, 0).0, [0; 3]);
    assert_eq!(padded.get_pixel(4, 4).0, [255; 3]);

    // The folder trains as it is, with no note about mapping.csv.
    let mut cmd = fx.nnimg(&["train", "--epochs", "2", "--size", "8", "--layers", "3,64"]);
    cmd.arg("--data")
        .arg(&data)
        .arg("--run")
        .arg(fx.path("run"));
    let stderr = crate::common::run_ok(cmd);
    assert!(!stderr.contains("note"), "{stderr}");
}

#[test]
fn init_data_with_a_bad_picture_writes_nothing() {
    let fx = crate::common::Fixture::new();
    let photos = fx.path("photos");
    fs::create_dir(&photos).unwrap();
    crate::common::picture(0, 8, 8)
        .save(photos.join("a.png"))
        .unwrap();
    fs::write(photos.join("b.png"), "not a png").unwrap();
    let mut cmd = fx.nnimg(&["init-data"]);
    cmd.arg(&photos).arg(fx.path("made"));
    crate::common::fails_with(cmd, &["b.png: not a readable image"]);
    assert!(!fx.path("made").exists());
}

/// Lines of a captured pane that show picture cells (half blocks).
fn picture_rows(screen: &str) -> usize {
    screen.lines().filter(|l| l.contains(['▀', '▄'])).count()
}

#[test]
fn show_fits_the_picture_to_the_terminals_height_too() {
    // In a 100 × 40 pane `nnimg show` printed a 220 × 220 picture 50 rows high: it fitted
    // the width only, and the top of the picture scrolled off.
    if !crate::common::has_tool("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    crate::common::picture(2, 220, 220)
        .save(dir.path().join("big.png"))
        .unwrap();
    let command = format!(
        "env TERM=xterm-256color {} show big.png; printf \"SHOWN %s\" $?; sleep 60",
        crate::common::bin().display()
    );
    let tmux = crate::tmux::Tmux::start("show", 100, 40, dir.path(), &command);
    let screen = tmux.wait_for("the picture", |s| s.contains("SHOWN"));
    assert!(screen.contains("SHOWN 0"), "{screen}");
    let shown = picture_rows(&tmux.history());
    assert_eq!(shown, 39, "{screen}");
    assert_eq!(
        picture_rows(&screen),
        shown,
        "part of the picture scrolled off:\n{screen}"
    );
}

#[test]
fn a_dumb_terminal_gets_plain_progress_lines_and_the_explorer_says_it_cannot_draw() {
    // `TERM=dumb nnimg train` on a terminal printed nothing until the end (the progress bar
    // hid itself), and the explorer drew escape sequences the terminal could not follow.
    if !crate::common::has_tool("tmux") {
        return;
    }
    let fx = crate::common::Fixture::new();
    let train = format!(
        "env TERM=dumb {} train --data data --run run --size 8 --layers 3,6,64 --epochs 30; \
         printf \"TRAINED %s\" $?; sleep 60",
        crate::common::bin().display()
    );
    let tmux = crate::tmux::Tmux::start("dumb-train", 100, 30, fx.dir.path(), &train);
    let screen = tmux.wait_for("training", |s| s.contains("TRAINED"));
    assert!(screen.contains("TRAINED 0"), "{screen}");
    assert!(
        screen.contains(
            "nnimg: training run (preset v0.1.6.1, layers [3, 6, 64]) from epoch 0 to 30"
        ),
        "{screen}"
    );
    assert!(screen.contains("epoch 30/30  error "), "{screen}");
    drop(tmux);

    let explore = format!(
        "env TERM=dumb {} explore --data data --size 8; printf \"EXPLORED %s\" $?; sleep 60",
        crate::common::bin().display()
    );
    let tmux = crate::tmux::Tmux::start("dumb-explore", 100, 30, fx.dir.path(), &explore);
    let screen = tmux.wait_for("the explorer to refuse", |s| s.contains("EXPLORED"));
    assert!(screen.contains("EXPLORED 1"), "{screen}");
    assert!(
        screen.contains(
            "nnimg: the explorer needs a terminal that can move its cursor, and TERM is dumb"
        ),
        "{screen}"
    );
    assert!(
        !fx.path("runs").exists(),
        "the refused explorer started a run"
    );
}

#[test]
fn a_run_open_in_an_explorer_is_not_said_to_be_training() {
    // A run open in a paused explorer was refused with "another nnimg process is training
    // this run".
    if !crate::common::has_tool("tmux") {
        return;
    }
    let fx = crate::common::Fixture::new();
    let run = fx.path("run");
    crate::common::run_ok(fx.new_run(&run, &["--epochs", "20"]));
    let explore = format!(
        "env TERM=xterm-256color {} explore --run run; echo EXITED $?; sleep 60",
        crate::common::bin().display()
    );
    let tmux = crate::tmux::Tmux::start("locked", 100, 30, fx.dir.path(), &explore);
    tmux.wait_for("the explorer", |s| s.contains("DONE"));
    let line = crate::common::fails_with(
        fx.resume(&run, &["--epochs", "40"]),
        &[
            "the run is open in `nnimg explore` (pid ",
            "quit that explorer first",
        ],
    );
    assert!(!line.contains("training this run"), "{line}");

    // Leaving says how to open the run again: a plain `nnimg` would start a new one.
    tmux.keys(&["q"]);
    tmux.wait_for("the quit dialog", |s| s.contains("quit?"));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the exit", |s| s.contains("EXITED"));
    let joined = screen.replace('\n', "");
    assert!(
        joined.contains("nnimg: run: trained to epoch 20; outputs in run/outputs; open it again with `nnimg explore --run run`"),
        "{screen}"
    );
}

#[test]
fn a_new_run_is_named_after_its_shape_when_layers_override_the_preset() {
    // `--layers 8,12100` made runs/v0.1.6.1-4, a name that claims the preset's network.
    let fx = crate::common::Fixture::new();
    let train = |extra: &[&str]| {
        let mut cmd = fx.nnimg(&["train", "--data", "data", "--size", "8", "--epochs", "1"]);
        crate::common::run_ok(cmd.args(extra))
    };
    train(&["--layers", "3,64"]);
    train(&[]);
    let mut names: Vec<String> = fs::read_dir(fx.path("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["3-64-1", "v0.1.6.1-1"]);
}

#[test]
fn the_plain_log_reports_every_halving_of_the_rate() {
    // Halvings were reported above a terminal's progress bar but not in the plain log.
    let fx = crate::common::Fixture::new();
    let run = fx.path("run");
    // A high rate and a short window, so the schedule halves (at epochs 25 and 50).
    let flags = ["--window", "5", "--lr", "20", "--epochs", "60"];
    let stderr = crate::common::run_ok(fx.new_run(&run, &flags));
    // The preset is called a preset: v0.1.6.1 reads like nnimg's own version (0.1.0).
    assert!(
        stderr.contains("(preset v0.1.6.1, layers [3, 6, 64]) from epoch 0 to 60"),
        "{stderr}"
    );
    let halvings = crate::common::load_checkpoint(&run).state.halvings;
    assert!(!halvings.is_empty(), "the schedule should have halved");
    for h in halvings {
        let line = format!(
            "epoch {}: learning rate halved to {}",
            h.epoch, h.learning_rate
        );
        assert!(
            stderr.lines().any(|l| l == line),
            "no {line:?} in:\n{stderr}"
        );
    }
}

#[test]
fn the_explorer_says_it_received_sigterm_before_what_it_saved() {
    // On SIGTERM the explorer printed "stopped … checkpoint saved" and only then "received
    // SIGTERM", the effect before its cause.
    if !crate::common::has_tool("tmux") {
        return;
    }
    let fx = crate::common::Fixture::new();
    let explore = format!(
        "env TERM=xterm-256color sh -c 'echo $$ > pid; exec {} explore --data data --size 8 \
         --layers 3,6,64 --epochs 100000000'; echo EXITED $?; sleep 60",
        crate::common::bin().display()
    );
    let tmux = crate::tmux::Tmux::start("sigterm", 100, 30, fx.dir.path(), &explore);
    tmux.wait_for("training", |s| s.contains("TRAINING"));
    let pid = fs::read_to_string(fx.path("pid")).unwrap();
    let killed = Command::new("kill")
        .args(["-s", "TERM", pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    let screen = tmux.wait_for("the exit", |s| s.contains("EXITED"));
    let lines: Vec<&str> = screen
        .lines()
        .filter(|l| l.starts_with("nnimg: "))
        .collect();
    assert_eq!(lines.len(), 2, "{screen}");
    assert_eq!(lines[0], "nnimg: received SIGTERM");
    assert!(
        lines[1].contains(": stopped at epoch ") && lines[1].contains("checkpoint saved"),
        "{screen}"
    );
    assert!(screen.contains("EXITED 130"), "{screen}");
}
