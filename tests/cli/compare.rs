//! End-to-end comparison of runs: `nnimg compare` (the sheet's tiles against direct
//! renders, the table and CSV against the runs' metrics, bad input), `nnimg experiment`
//! (three presets from one seed, resumed after an interruption) and `--init-range`.

use crate::common::*;
use nnimg::cmd::compare::{default_untrained, open_runs, sheet_of, table_of};
use nnimg::render::compare_sheet::{Cell, SheetLayout};
use nnimg::render::pixels::ColorMap;
use nnimg::train::TrainConfig;
use nnimg::train::run_dir::{Holder, RunDir};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Trains a tiny run `name` in the fixture (8×8 grey unless `flags` say otherwise).
fn trained(fx: &Fixture, name: &str, flags: &[&str]) -> PathBuf {
    let run = fx.path(name);
    let mut cmd = fx.nnimg(&["train", "--epochs", "30"]);
    cmd.arg("--data").arg(&fx.data).arg("--run").arg(&run);
    if flags.is_empty() {
        cmd.args(TINY);
    } else {
        cmd.args(flags);
    }
    run_ok(cmd);
    run
}

/// A grey 8×8 deep run and a colour 8×4 two-layer run: different shapes, same buttons.
fn two_runs(fx: &Fixture) -> (PathBuf, PathBuf) {
    let a = trained(fx, "deep", &[]);
    let b = trained(
        fx,
        "wide",
        &["--size", "8x4", "--color", "--layers", "3,96", "--lr", "1"],
    );
    (a, b)
}

fn read_config(run: &Path) -> TrainConfig {
    serde_json::from_str(&fs::read_to_string(run.join("run.json")).unwrap()).unwrap()
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `cmd`, asserts that it succeeded without a panic, and returns its stdout.
fn stdout_ok(cmd: std::process::Command) -> String {
    let out = output(cmd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_no_panic(&stderr);
    stdout_of(&out)
}

/// The centre pixel of a picture file.
fn centre_of(path: &Path) -> [u8; 3] {
    let img = image::open(path).unwrap().to_rgb8();
    img.get_pixel(img.width() / 2, img.height() / 2).0
}

#[test]
fn the_sheet_shows_each_runs_own_pictures_in_its_column() {
    let fx = Fixture::new();
    let (a, b) = two_runs(&fx);
    let sheet_png = fx.path("sheet.png");
    let mut cmd = fx.nnimg(&["compare"]);
    cmd.arg(&a).arg(&b).arg("--out").arg(&sheet_png);
    run_ok(cmd);
    let png = image::open(&sheet_png).unwrap().to_rgb8();

    // Where the tiles are, from the library's layout of the same comparison.
    let runs = open_runs(&[a.clone(), b.clone()]).unwrap();
    let table = table_of(&runs);
    let untrained = default_untrained(&runs, &table);
    let (sheet, _) = sheet_of(&runs, &table, &untrained, ColorMap::Grey);
    let layout = SheetLayout::of(&sheet);
    assert_eq!(png.dimensions(), (layout.width, layout.height));
    let counts: Vec<usize> = sheet.sections.iter().map(|s| s.rows.len()).collect();
    // Four training images; the pairs 101 and 011 (110 is trained) and all at 0.5.
    assert_eq!(counts, [4, 3]);

    let mut checked = 0;
    for (s, section) in sheet.sections.iter().enumerate() {
        for (r, row) in section.rows.iter().enumerate() {
            for (c, run) in [&a, &b].into_iter().enumerate() {
                // What the run paints for this input, rendered by nnimg on its own: the
                // outputs written at the end of training, or `nnimg render`.
                let direct = if s == 0 {
                    run.join("outputs").join(format!("{}.png", row.label))
                } else {
                    let file = fx.path(&format!("{}-{}.png", c, row.label));
                    let mut render = fx.nnimg(&["render", "--input", &row.label, "--run"]);
                    render.arg(run).arg("--out").arg(&file);
                    run_ok(render);
                    file
                };
                let y = layout.row_y(&counts, s, r);
                let (x, y, w, h) = layout.tile_box(c + 1, y);
                assert_eq!(
                    png.get_pixel(x + w / 2, y + h / 2).0,
                    centre_of(&direct),
                    "{} of {}",
                    row.label,
                    run.display()
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 14);
    // The target column shows the training picture (as the grey run learns it) beside
    // the training rows, and nothing beside the untrained ones.
    assert!(matches!(
        sheet.sections[0].rows[0].pictures[0],
        Cell::Picture(_)
    ));
    assert!(matches!(sheet.sections[1].rows[0].pictures[0], Cell::Blank));
}

/// Ranks of `errors`, 1 for the smallest, computed here independently of nnimg.
fn ranks(errors: &[f64]) -> Vec<usize> {
    errors
        .iter()
        .enumerate()
        .map(|(i, e)| {
            1 + errors
                .iter()
                .enumerate()
                .filter(|&(j, f)| f < e || (f == e && j < i))
                .count()
        })
        .collect()
}

#[test]
fn the_table_and_the_csv_give_each_runs_last_errors_and_ranks() {
    let fx = Fixture::new();
    let (a, b) = two_runs(&fx);
    let csv = fx.path("table.csv");
    let mut cmd = fx.nnimg(&["compare", "--out", "s.png", "--csv"]);
    cmd.arg(&csv).arg(&a).arg(&b);
    let stdout = stdout_ok(cmd);
    let text = fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "image,deep_error,deep_rank,wide_error,wide_rank"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for (k, run) in [&a, &b].into_iter().enumerate() {
        let last = read_metrics(run).rows.pop().unwrap();
        assert_eq!(last.epoch, 30);
        let expected_ranks = ranks(&last.sample_errors);
        for (i, stem) in STEMS.iter().enumerate() {
            let row = &rows[i];
            assert_eq!(row[0], *stem);
            let error: f64 = row[1 + 2 * k].parse().unwrap();
            assert_eq!(error, last.sample_errors[i], "{stem} in {}", run.display());
            assert_eq!(row[2 + 2 * k], expected_ranks[i].to_string());
        }
        // The stdout table: the same figures, rounded, and each run's epoch error.
        assert!(
            stdout.contains(&format!("{:.3e}", last.sample_errors[0])),
            "{stdout}"
        );
        let epoch_line = stdout.lines().last().unwrap();
        assert!(
            epoch_line.contains(&format!("{:.3e}", last.error)),
            "{epoch_line}"
        );
    }
    assert_eq!(rows.len(), STEMS.len());
    assert!(stdout.starts_with("image"), "{stdout}");
}

#[test]
fn runs_with_different_training_images_compare_the_images_they_share() {
    let fx = Fixture::new();
    let a = trained(&fx, "a", &[]);
    let other = fx.path("other-data");
    write_training_set(&other, &["001", "010", "100", "111"]);
    let c = fx.path("c");
    let mut cmd = fx.nnimg(&["train", "--epochs", "10", "--run"]);
    cmd.arg(&c).arg("--data").arg(&other).args(TINY);
    run_ok(cmd);

    let csv = fx.path("t.csv");
    let mut cmd = fx.nnimg(&["compare", "--csv"]);
    cmd.arg(&csv).arg(&a).arg(&c);
    let stdout = stdout_ok(cmd);
    let text = fs::read_to_string(&csv).unwrap();
    let stems: Vec<&str> = text.lines().skip(1).map(|l| &l[..3]).collect();
    assert_eq!(stems, ["001", "010", "100", "110", "111"]);
    assert!(text.contains("\n110,") && text.contains(",,\n"), "{text}");
    assert!(text.contains("\n111,,,"), "{text}");
    let line_111 = stdout.lines().find(|l| l.starts_with("111")).unwrap();
    assert!(line_111.contains('-'), "{line_111}");
    assert!(fx.path("compare.png").exists());
}

#[test]
fn a_run_being_trained_by_another_process_is_compared_as_it_stands() {
    let fx = Fixture::new();
    let (a, b) = two_runs(&fx);
    // This test process holds b's training lock, as a training process would.
    let mut held = RunDir::open(&b).unwrap();
    held.lock_for_training(Holder::Train).unwrap();
    let mut cmd = fx.nnimg(&["compare"]);
    cmd.arg(&a).arg(&b);
    run_ok(cmd);
    assert!(fx.path("compare.png").exists());
    drop(held);
}

#[test]
fn bad_comparisons_stop_with_one_line_and_write_nothing() {
    let fx = Fixture::new();
    let a = trained(&fx, "a", &[]);
    let a_str = a.to_str().unwrap();

    fails_with(fx.nnimg(&["compare", a_str]), &["at least two runs"]);
    let dotted = format!("{}/../a", a_str);
    fails_with(fx.nnimg(&["compare", a_str, &dotted]), &["named twice"]);
    fails_with(
        fx.nnimg(&["compare", a_str, "missing-run"]),
        &["missing-run: no such run folder"],
    );

    let broken = fx.path("broken");
    fs::create_dir(&broken).unwrap();
    for file in ["run.json", "metrics.csv", "checkpoint.safetensors"] {
        fs::copy(a.join(file), broken.join(file)).unwrap();
    }
    fs::write(broken.join("checkpoint.safetensors"), b"not a checkpoint").unwrap();
    fails_with(
        fx.nnimg(&["compare", a_str, broken.to_str().unwrap()]),
        &["broken/checkpoint.safetensors"],
    );

    let four = fx.path("four-buttons");
    write_training_set(&four, &["0001", "0010", "0100", "1000"]);
    let d = fx.path("d");
    let mut cmd = fx.nnimg(&["train", "--epochs", "2", "--size", "8", "--layers", "4,64"]);
    cmd.arg("--run").arg(&d).arg("--data").arg(&four);
    run_ok(cmd);
    fails_with(
        fx.nnimg(&["compare", a_str, d.to_str().unwrap()]),
        &["the network has 4 inputs", "has 3", "the same buttons"],
    );
    fails_with(
        fx.nnimg(&["compare", a_str, d.to_str().unwrap(), "--inputs", "11"]),
        &["the same buttons"],
    );
    let b = trained(&fx, "b", &[]);
    let b_str = b.to_str().unwrap();
    fails_with(
        fx.nnimg(&["compare", a_str, b_str, "--inputs", "1100"]),
        &["--inputs '1100'", "has 4 values"],
    );

    // More runs than a sheet or the explorer shows.
    let nine: Vec<&str> = std::iter::repeat_n(a_str, 9).collect();
    let mut cmd = fx.nnimg(&["compare"]);
    cmd.args(&nine);
    fails_with(cmd, &["9 runs given", "at most 8"]);
    let mut cmd = fx.nnimg(&["explore", "--run", a_str]);
    for _ in 0..4 {
        cmd.args(["--compare", b_str]);
    }
    fails_with(cmd, &["--compare given 4 times", "at most 4 runs"]);

    fs::write(fx.path("taken.png"), b"precious").unwrap();
    fs::write(fx.path("taken.csv"), b"precious").unwrap();
    fails_with(
        fx.nnimg(&["compare", a_str, b_str, "--out", "taken.png"]),
        &["taken.png: already exists", "--force"],
    );
    fails_with(
        fx.nnimg(&["compare", a_str, b_str, "--csv", "taken.csv"]),
        &["taken.csv: already exists"],
    );
    assert_eq!(fs::read(fx.path("taken.png")).unwrap(), b"precious");
    assert_eq!(fs::read(fx.path("taken.csv")).unwrap(), b"precious");
    // Nothing was written by any of the refusals.
    assert!(!fx.path("compare.png").exists());
}

/// `nnimg experiment` on the tiny training set with 8×8 pictures, in `fx/ex`.
fn experiment(fx: &Fixture, epochs: &str, extra: &[&str]) -> std::process::Command {
    let mut cmd = fx.nnimg(&[
        "experiment",
        "--size",
        "8",
        "--epochs",
        epochs,
        "--out",
        "ex",
    ]);
    cmd.arg("--data").arg(&fx.data).args(extra);
    cmd
}

#[test]
fn an_experiment_trains_the_three_presets_from_one_seed_and_compares_them() {
    let fx = Fixture::new();
    let out = output(experiment(&fx, "3", &[]));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert_no_panic(&stderr);
    let ex = fx.path("ex");
    for (preset, layers) in [
        ("v0.1.6", vec![3, 110, 110, 64]),
        ("v0.1.6.1", vec![3, 110, 110, 64]),
        ("two-layer", vec![3, 64]),
    ] {
        let c = read_config(&ex.join(preset));
        assert_eq!((c.preset.as_str(), c.seed, c.layers), (preset, 1, layers));
        assert_eq!(c.init_range, None);
        assert_eq!(load_checkpoint(&ex.join(preset)).state.epoch, 3);
    }
    // One seed: before any halving the constant and adaptive runs are the same network.
    assert_eq!(
        tensor_bytes(&ex.join("v0.1.6/checkpoint.safetensors")),
        tensor_bytes(&ex.join("v0.1.6.1/checkpoint.safetensors"))
    );
    let csv = fs::read_to_string(ex.join("errors.csv")).unwrap();
    assert!(
        csv.starts_with(
            "image,v0.1.6_error,v0.1.6_rank,v0.1.6.1_error,v0.1.6.1_rank,two-layer_error,two-layer_rank\n"
        ),
        "{csv}"
    );
    assert!(image::open(ex.join("compare.png")).is_ok());
    assert!(stdout_of(&out).starts_with("image"));
    assert!(
        stderr
            .contains("nnimg explore --run ex/v0.1.6 --compare ex/v0.1.6.1 --compare ex/two-layer"),
        "{stderr}"
    );

    // Again with more epochs: every run continues, and the new comparison is written
    // beside the old one, which is kept.
    let first_sheet = fs::read(ex.join("compare.png")).unwrap();
    run_ok(experiment(&fx, "5", &[]));
    for preset in ["v0.1.6", "v0.1.6.1", "two-layer"] {
        let m = read_metrics(&ex.join(preset));
        let epochs: Vec<usize> = m.rows.iter().map(|r| r.epoch).collect();
        assert_eq!(epochs, [1, 2, 3, 4, 5], "{preset}");
    }
    assert_eq!(fs::read(ex.join("compare.png")).unwrap(), first_sheet);
    assert!(ex.join("compare-2.png").exists() && ex.join("errors-2.csv").exists());
    // Once more: nothing to train, nothing new to write.
    let stderr = run_ok(experiment(&fx, "5", &[]));
    assert!(stderr.contains("already up to date"), "{stderr}");
    assert!(!ex.join("compare-3.png").exists());

    // The folder belongs to this seed and initialisation.
    fails_with(
        experiment(&fx, "5", &["--seed", "2"]),
        &["ex/v0.1.6", "--seed 1", "another --out"],
    );
    fails_with(
        experiment(&fx, "5", &["--init-range", "0"]),
        &["--init-range 0"],
    );
}

#[test]
fn an_interrupted_experiment_resumes_each_run_when_run_again() {
    let fx = Fixture::new();
    let mut child = experiment(&fx, "300", &[])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let first = fx.path("ex/v0.1.6");
    wait_for_rows(&mut child, &first, 5);
    signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    let line = assert_error(&out, 130, &["run the same command again"]);
    assert!(line.contains("stopped"), "{line}");
    // The signal may come while the first run trains or a later one: either way some run
    // stopped short of its total, with a checkpoint, and no comparison was written.
    let saved: usize = ["v0.1.6", "v0.1.6.1", "two-layer"]
        .iter()
        .map(|p| fx.path("ex").join(p))
        .filter(|r| r.join("checkpoint.safetensors").exists())
        .map(|r| load_checkpoint(&r).state.epoch)
        .sum();
    assert!((5..900).contains(&saved), "{saved}");
    assert!(!fx.path("ex/compare.png").exists());

    run_ok(experiment(&fx, "300", &[]));
    for preset in ["v0.1.6", "v0.1.6.1", "two-layer"] {
        let run = fx.path("ex").join(preset);
        assert_eq!(load_checkpoint(&run).state.epoch, 300, "{preset}");
        let epochs: Vec<usize> = read_metrics(&run).rows.iter().map(|r| r.epoch).collect();
        assert_eq!(epochs, (1..=300).collect::<Vec<_>>(), "{preset}");
    }
    assert!(fx.path("ex/compare.png").exists());
}

#[test]
fn an_init_range_is_recorded_bounds_the_first_weights_and_is_kept_on_resume() {
    let fx = Fixture::new();
    // A tiny rate, so one epoch leaves the initial weights almost as they were.
    let run = fx.path("wide-init");
    run_ok(fx.new_run(
        &run,
        &["--init-range", "2", "--epochs", "1", "--lr", "1e-9"],
    ));
    assert_eq!(read_config(&run).init_range, Some(2.0));
    let net = load_checkpoint(&run).net;
    let w = &net.weights()[1];
    let w2: Vec<f32> = (0..w.rows()).flat_map(|r| w.row(r).to_vec()).collect();
    // The default would keep every weight of the 6 → 64 layer within 1/√6 ≈ 0.41.
    assert!(w2.iter().all(|w| w.abs() <= 2.0));
    assert!(w2.iter().any(|w| w.abs() > 1.0));

    // Stopped at 4 and resumed to 8 equals 8 at once, so the resume drew nothing anew.
    let staged = fx.path("staged");
    run_ok(fx.new_run(&staged, &["--init-range", "2", "--epochs", "4"]));
    run_ok(fx.resume(&staged, &["--epochs", "8"]));
    let straight = fx.path("straight");
    run_ok(fx.new_run(&straight, &["--init-range", "2", "--epochs", "8"]));
    let default = fx.path("default");
    run_ok(fx.new_run(&default, &["--epochs", "8"]));
    let bytes = |r: &Path| tensor_bytes(&r.join("checkpoint.safetensors"));
    assert_eq!(bytes(&staged), bytes(&straight));
    assert_ne!(bytes(&staged), bytes(&default));

    fails_with(
        fx.resume(&staged, &["--init-range", "3"]),
        &["settings are fixed", "--init-range given"],
    );
    fails_with(
        fx.new_run(&fx.path("nan"), &["--init-range", "NaN"]),
        &["--init-range NaN"],
    );
    let out = output(fx.new_run(
        &fx.path("both"),
        &["--init-range", "1", "--init", "w.safetensors"],
    ));
    assert_error(&out, 2, &["--init"]);
    assert!(!fx.path("nan").exists() && !fx.path("both").exists());
}
