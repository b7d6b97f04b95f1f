//! Motion and recipes through the real binary: `nnimg animate` (GIF and APNG decoded back),
//! `nnimg render --from` (the recipe round trip), and their bad input.

use crate::common::*;
use image::{AnimationDecoder, RgbImage};
use std::fs;
use std::io::Cursor;
use std::path::Path;

/// Decoded frames (as RGB) and each frame's delay in milliseconds.
fn gif_frames(path: &Path) -> Vec<(RgbImage, u32)> {
    let bytes = fs::read(path).unwrap();
    let decoder = image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).unwrap();
    frames_of(decoder.into_frames())
}

fn apng_frames(path: &Path) -> Vec<(RgbImage, u32)> {
    let bytes = fs::read(path).unwrap();
    let decoder = image::codecs::png::PngDecoder::new(Cursor::new(bytes)).unwrap();
    frames_of(decoder.apng().unwrap().into_frames())
}

fn frames_of(frames: image::Frames) -> Vec<(RgbImage, u32)> {
    frames
        .collect_frames()
        .unwrap()
        .into_iter()
        .map(|f| {
            let (num, den) = f.delay().numer_denom_ms();
            let rgb = image::DynamicImage::ImageRgba8(f.into_buffer()).to_rgb8();
            (rgb, num / den)
        })
        .collect()
}

/// `nnimg render` of one input, decoded.
fn rendered(fx: &Fixture, run: &Path, input: &str, extra: &[&str]) -> RgbImage {
    let out = fx.path(&format!("direct-{input}.png"));
    let mut cmd = fx.nnimg(&["render", "--force", "--input", input]);
    cmd.arg("--run").arg(run).arg("--out").arg(&out).args(extra);
    run_ok(cmd);
    image::open(&out).unwrap().to_rgb8()
}

fn trained_run(fx: &Fixture, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let run = fx.path(name);
    let mut cmd = fx.nnimg(&["train", "--size", "8", "--epochs", "60", "--run"]);
    cmd.arg(&run).arg("--data").arg(&fx.data).args(extra);
    run_ok(cmd);
    run
}

#[test]
fn a_path_animates_as_a_gif_whose_frames_are_the_renders_of_its_inputs() {
    let fx = Fixture::new();
    let run = trained_run(&fx, "run", &["--layers", "3,6,64"]);
    let gif = fx.path("morph.gif");
    let mut cmd = fx.nnimg(&["animate", "--path", "100,010,001", "--frames-per-leg", "5"]);
    cmd.args([
        "--hold",
        "2",
        "--fps",
        "20",
        "--scale",
        "2",
        "--colormap",
        "magma",
    ]);
    cmd.arg("--run").arg(&run).arg("--out").arg(&gif);
    run_ok(cmd);

    let frames = gif_frames(&gif);
    // Ping-pong through 100, 010, 001, 010: four stops of 1 + 2 frames, four legs of 4.
    assert_eq!(frames.len(), 4 * 3 + 4 * 4);
    assert!(
        frames
            .iter()
            .all(|(f, delay)| f.dimensions() == (16, 16) && *delay == 50)
    );
    let direct = |input| rendered(&fx, &run, input, &["--scale", "2", "--colormap", "magma"]);
    assert_eq!(frames[0].0, direct("100"), "first frame");
    assert_eq!(frames[3 + 4].0, direct("010"), "the second waypoint");
    assert_eq!(frames[2 * (3 + 4)].0, direct("001"), "the turning point");

    // One way: the last frame is the last waypoint.
    let mut cmd = fx.nnimg(&[
        "animate",
        "--path",
        "100,001",
        "--one-way",
        "--out",
        "once.gif",
    ]);
    cmd.arg("--run").arg(&run);
    run_ok(cmd);
    let frames = gif_frames(&fx.path("once.gif"));
    assert_eq!(frames.len(), (1 + 8) + 23 + (1 + 8));
    assert_eq!(frames.last().unwrap().0, rendered(&fx, &run, "001", &[]));
}

#[test]
fn a_colour_network_animates_as_an_apng_and_refuses_a_gif() {
    let fx = Fixture::new();
    let run = trained_run(&fx, "colour", &["--color", "--layers", "3,6,192"]);
    let out = fx.path("walk.png");
    let mut cmd = fx.nnimg(&["animate", "--random-walk", "--steps", "12", "--seed", "3"]);
    cmd.arg("--run").arg(&run).arg("--out").arg(&out);
    run_ok(cmd);
    let frames = apng_frames(&out);
    assert_eq!(frames.len(), 12);
    assert!(frames.iter().all(|(_, delay)| *delay == 40));
    // A random walk starts with every button half pressed.
    assert_eq!(frames[0].0, rendered(&fx, &run, "0.5_0.5_0.5", &[]));

    let mut cmd = fx.nnimg(&["animate", "--random-walk", "--out", "walk.gif", "--run"]);
    cmd.arg(&run);
    fails_with(cmd, &["walk.gif", "256 colours", ".png"]);
}

#[test]
fn a_rendered_picture_renders_again_byte_for_byte_from_its_recipe() {
    let fx = Fixture::new();
    let run = trained_run(&fx, "run", &["--layers", "3,6,64"]);
    let mut cmd = fx.nnimg(&["render", "--input", "0.3333333_1_0", "--scale", "3"]);
    cmd.args(["--colormap", "viridis", "--out", "first.png", "--run"]);
    cmd.arg(&run);
    run_ok(cmd);
    let stderr = run_ok(fx.nnimg(&["render", "--from", "first.png", "--out", "again.png"]));
    assert!(!stderr.contains("note"), "{stderr}");
    assert_eq!(
        fs::read(fx.path("first.png")).unwrap(),
        fs::read(fx.path("again.png")).unwrap()
    );

    // Train on: the same recipe paints with the new weights and says so.
    run_ok(fx.resume(&run, &["--epochs", "80"]));
    let stderr = run_ok(fx.nnimg(&["render", "--from", "first.png", "--out", "later.png"]));
    assert!(
        stderr.contains("painted at epoch 60") && stderr.contains("epoch 80"),
        "{stderr}"
    );
    assert_ne!(
        fs::read(fx.path("first.png")).unwrap(),
        fs::read(fx.path("later.png")).unwrap()
    );
}

#[test]
fn a_runs_outputs_carry_their_recipe() {
    let fx = Fixture::new();
    let run = trained_run(&fx, "run", &["--layers", "3,6,64"]);
    let recipe = nnimg::render::recipe::read_png_recipe(&run.join("outputs/110.png")).unwrap();
    assert_eq!(recipe.input, Some(vec![1.0, 1.0, 0.0]));
    assert_eq!(recipe.epoch, Some(60));
    assert_eq!(recipe.layers, Some(vec![3, 6, 64]));
    assert_eq!(recipe.weights_sha256.map(|s| s.len()), Some(64));
}

#[test]
fn bad_animation_requests_get_a_one_line_error() {
    let fx = Fixture::new();
    let run = trained_run(&fx, "run", &["--layers", "3,6,64"]);
    let animate = |args: &[&str]| {
        let mut cmd = fx.nnimg(&["animate", "--run"]);
        cmd.arg(&run).args(args);
        cmd
    };
    fails_with(
        animate(&["--path", "100,01"]),
        &["--path", "waypoint 2", "2 values", "3 inputs"],
    );
    fails_with(
        animate(&["--path", "100,0_2_0"]),
        &["--path", "waypoint 2", "0..=1"],
    );
    fails_with(animate(&["--path", "100", "--fps", "0"]), &["--fps 0"]);
    fails_with(
        animate(&["--path", "100", "--frames-per-leg", "0"]),
        &["--frames-per-leg 0"],
    );
    fails_with(
        animate(&["--random-walk", "--steps", "2000000", "--scale", "64"]),
        &["2000000 frames of 512x512", "MB", "--scale"],
    );
    fails_with(
        animate(&["--path", "100", "--out", "a.bmp"]),
        &["a.bmp", ".gif or .png"],
    );
    run_ok(animate(&["--path", "100,010", "--out", "a.gif"]));
    fails_with(
        animate(&["--path", "100,010", "--out", "a.gif"]),
        &["a.gif", "already exists"],
    );
    assert_error(&output(animate(&[])), 2, &["--path"]);
}

#[test]
fn render_from_a_picture_without_a_recipe_says_so() {
    let fx = Fixture::new();
    picture(0, 8, 8).save(fx.path("plain.png")).unwrap();
    fails_with(
        fx.nnimg(&["render", "--from", "plain.png"]),
        &["plain.png", "no nnimg recipe"],
    );
    fs::write(fx.path("text.png"), "not a png").unwrap();
    fails_with(
        fx.nnimg(&["render", "--from", "text.png"]),
        &["text.png", "PNG"],
    );
    fails_with(
        fx.nnimg(&["render", "--from", "missing.png"]),
        &["missing.png"],
    );
}

#[test]
fn the_explorer_starts_with_the_buttons_of_a_pictures_recipe() {
    let fx = Fixture::new();
    let run = trained_run(&fx, "run", &["--layers", "3,6,64"]);
    let mut cmd = fx.nnimg(&["render", "--input", "0.25_1_0", "--out", "pic.png", "--run"]);
    cmd.arg(&run);
    run_ok(cmd);
    let command = format!(
        "{} explore --run run --inputs-from pic.png",
        bin().display()
    );
    let Some(tmux) =
        crate::tmux::Tmux::open("explore --inputs-from", fx.dir.path(), (100, 30), &command)
    else {
        return;
    };
    tmux.wait_for("the picture's buttons", |s| s.contains("output 0.25_1_0"));
    tmux.keys(&["q"]);
    tmux.wait_for("the quit dialog", |s| s.contains("quit?"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the exit", |s| s.contains("EXITED 0"));

    // A picture that is not there is refused before the explorer starts.
    let command = format!(
        "{} explore --run run --inputs-from missing.png",
        bin().display()
    );
    let Some(tmux) = crate::tmux::Tmux::open(
        "explore --inputs-from missing",
        fx.dir.path(),
        (100, 30),
        &command,
    ) else {
        return;
    };
    let screen = tmux.wait_for("the refusal", |s| s.contains("EXITED"));
    assert!(
        screen.contains("nnimg: missing.png: cannot open"),
        "{screen}"
    );
    assert!(screen.contains("EXITED 1"), "{screen}");
}
