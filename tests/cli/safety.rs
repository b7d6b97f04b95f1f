//! Other people's files: names that carry escape sequences, control characters, bidirectional
//! overrides or bytes that are not UTF-8 reach the terminal only as visible escapes, in every
//! command's messages and in the explorer's screens; and a run this user cannot write opens
//! read-only instead of failing.
//!
//! The read-only tests need a situation where writes really fail, which permission bits alone
//! do not give to root (as CI runs): a read-only tmpfs (needs `mount`, i.e. root) and the
//! binary run as the unprivileged user `nobody` through `setpriv` (or as the current user
//! when that is not root). Where neither is possible the test prints a SKIP line that shows
//! in the normal test output.

#![cfg(unix)] // names made of arbitrary bytes, permission bits, mounts and ptys

use crate::common::*;
use crate::tmux::{Tmux, skip};
use nnimg::cmd::explore::watching_app;
use nnimg::data::Sample;
use nnimg::render::color::ColorMode;
use nnimg::train::run_dir::ReadOnlyRun;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A name that would set the terminal's title, turn the text red, return to the start of the
/// line, erase a character and reverse the rest, if printed raw.
const HIDDEN: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[31m\r\u{8}\u{202e}\u{2067}";

/// Width and height of the terminal the end-to-end tests use.
const PANE: (u16, u16) = (120, 30);

/// How nnimg shows [`HIDDEN`].
const HIDDEN_SHOWN: &str = r"\e]0;PWNED\x07\e[31m\r\x08\u{202e}\u{2067}";

/// `prefix` + HIDDEN + a byte that is not UTF-8 + `suffix`, as a file name.
fn hidden_name(prefix: &str, suffix: &str) -> OsString {
    let mut bytes = prefix.as_bytes().to_vec();
    bytes.extend_from_slice(HIDDEN.as_bytes());
    bytes.push(0xff);
    bytes.extend_from_slice(suffix.as_bytes());
    OsString::from_vec(bytes)
}

/// How nnimg shows [`hidden_name`].
fn hidden_name_shown(prefix: &str, suffix: &str) -> String {
    format!(r"{prefix}{HIDDEN_SHOWN}\xff{suffix}")
}

/// Fails when `bytes` carry to the terminal any control character but newline, any
/// bidirectional control, or a byte that is not UTF-8. The list is this test's own, so a
/// gap in nnimg's list would show here.
fn assert_clean(what: &str, bytes: &[u8]) {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => panic!(
            "{what}: a byte that is not UTF-8 reached the terminal ({e}):\n{}",
            String::from_utf8_lossy(bytes)
        ),
    };
    let raw = |c: char| {
        (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}')
    };
    if let Some(c) = text.chars().find(|&c| raw(c)) {
        panic!("{what}: {c:?} reached the terminal raw:\n{text:?}");
    }
}

/// stdout and stderr of `out`, checked clean; returns them as text.
fn clean_output(what: &str, out: &Output) -> String {
    assert_clean(&format!("{what} (stdout)"), &out.stdout);
    assert_clean(&format!("{what} (stderr)"), &out.stderr);
    assert_no_panic(&String::from_utf8_lossy(&out.stderr));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `cmd` expecting success; both streams clean, and `shown` among them.
fn succeeds_showing(what: &str, cmd: &mut Command, shown: &str) -> String {
    let out = output(cmd);
    let text = clean_output(what, &out);
    assert!(out.status.success(), "{what} failed:\n{text}");
    assert!(
        text.contains(shown),
        "{what}: {shown:?} not shown in\n{text}"
    );
    text
}

/// Runs `cmd` expecting the one-line error (exit 1) with `parts`; both streams clean.
fn fails_showing(what: &str, cmd: &mut Command, parts: &[&str]) -> String {
    let out = output(cmd);
    clean_output(what, &out);
    assert_error(&out, 1, parts)
}

/// A word for `sh` that stands for exactly the bytes of `s`, whatever they are.
fn shell_word(s: &OsStr) -> String {
    let octal: String = s.as_bytes().iter().map(|b| format!("\\{b:03o}")).collect();
    format!("\"$(printf '{octal}')\"")
}

/// A shell command line running the nnimg binary with `args`.
fn shell_command(args: &[&OsStr]) -> String {
    let mut line = shell_word(bin().as_os_str());
    for arg in args {
        line.push(' ');
        line.push_str(&shell_word(arg));
    }
    line
}

/// The tiny training set's run, trained for `epochs` into `run`.
fn train_tiny(fx: &Fixture, run: &Path, epochs: usize) {
    run_ok(fx.new_run(run, &["--epochs", &epochs.to_string()]));
}

#[test]
fn a_training_file_named_with_any_control_character_is_refused_and_named_visibly() {
    let fx = Fixture::new();
    // NUL cannot be part of a file name; every other C0 control and DEL can.
    let controls = (0x01u8..=0x1f).chain([0x7f]).map(char::from);
    let mut names: Vec<(OsString, String)> = controls
        .map(|c| {
            let shown = match c {
                '\t' => r"\t".to_string(),
                '\n' => r"\n".to_string(),
                '\r' => r"\r".to_string(),
                '\u{1b}' => r"\e".to_string(),
                c => format!(r"\x{:02x}", u32::from(c)),
            };
            (format!("0{c}_1_1.png").into(), format!("0{shown}_1_1.png"))
        })
        .collect();
    names.push((
        format!("{HIDDEN} red1.png").into(),
        format!("{HIDDEN_SHOWN} red1.png"),
    ));
    names.push(("0\u{202e}1_1.png".into(), r"0\u{202e}1_1.png".into()));
    names.push((hidden_name("1", ".png"), hidden_name_shown("1", ".png")));
    for (name, shown) in &names {
        let bad = fx.data.join(name);
        fs::copy(fx.data.join("001.png"), &bad).unwrap();
        let run = fx.path("run");
        let line = fails_showing(
            &format!("train with {shown}"),
            &mut fx.new_run(&run, &[]),
            &[shown],
        );
        assert!(!run.exists(), "a run was started: {line}");
        fs::remove_file(&bad).unwrap();
    }
    println!(
        "a training file named with each of {} bad names is refused with its name escaped",
        names.len()
    );
}

#[test]
fn train_render_grid_and_show_print_a_hidden_run_name_escaped() {
    let fx = Fixture::new();
    fs::write(fx.data.join(hidden_name("README", ".txt")), "notes").unwrap();
    let run = fx.dir.path().join(hidden_name("run-", ""));
    let run_shown = hidden_name_shown("run-", "");

    // Training: the start, the note about the skipped file, the summary; then a resume.
    let text = succeeds_showing(
        "train",
        &mut fx.new_run(&run, &["--epochs", "5"]),
        &format!("{run_shown}: trained to epoch 5"),
    );
    assert!(
        text.contains(&hidden_name_shown("README", ".txt")),
        "{text}"
    );
    assert!(text.contains(&format!("training {}", fx.path(&run_shown).display())));
    succeeds_showing(
        "train (resume)",
        &mut fx.resume(&run, &["--epochs", "8"]),
        &format!("{run_shown}: trained to epoch 8"),
    );
    fails_showing(
        "train (resume with fixed settings)",
        &mut fx.resume(&run, &["--seed", "2"]),
        &[&format!("{run_shown}: is an existing run")],
    );

    // Pictures from the run, written under hidden names: the names printed are escaped.
    let mut render = fx.nnimg(&["render", "--input", "101"]);
    render
        .arg("--run")
        .arg(&run)
        .arg("--out")
        .arg(hidden_name("out", ".png"));
    succeeds_showing("render", &mut render, &hidden_name_shown("out", ".png"));
    fails_showing(
        "render over an existing file",
        &mut render,
        &[&hidden_name_shown("out", ".png"), "already exists"],
    );
    let mut grid = fx.nnimg(&["grid"]);
    grid.arg("--run")
        .arg(&run)
        .arg("--out")
        .arg(hidden_name("grid", ".png"));
    succeeds_showing("grid", &mut grid, &hidden_name_shown("grid", ".png"));

    // Values from the command line.
    let mut show = fx.nnimg(&["show", "--input"]);
    show.arg(format!("1{HIDDEN}0")).arg("--run").arg(&run);
    fails_showing("show --input", &mut show, &[&format!("1{HIDDEN_SHOWN}0")]);
    let mut render = fx.nnimg(&["render", "--input"]);
    render.arg(format!("1_{HIDDEN}")).arg("--run").arg(&run);
    fails_showing(
        "render --input",
        &mut render,
        &[&format!("1_{HIDDEN_SHOWN}")],
    );
    let mut preset = fx.nnimg(&["train", "--preset", HIDDEN]);
    preset.arg("--data").arg(&fx.data);
    fails_showing("train --preset", &mut preset, &["unknown preset"]);
    let mut colormap = fx.nnimg(&["render", "--input", "101", "--colormap", HIDDEN]);
    colormap.arg("--run").arg(&run);
    let out = output(&mut colormap);
    clean_output("render --colormap", &out);
    assert_error(&out, 2, &["--colormap"]);

    // Picture files: missing, and not a picture.
    let mut show = fx.nnimg(&["show"]);
    show.arg(fx.dir.path().join(hidden_name("missing", ".png")));
    fails_showing(
        "show a missing file",
        &mut show,
        &[&hidden_name_shown("missing", ".png")],
    );
    let not_png = fx.dir.path().join(hidden_name("text", ".png"));
    fs::write(&not_png, format!("{HIDDEN}\n")).unwrap();
    let mut show = fx.nnimg(&["show"]);
    show.arg(&not_png);
    fails_showing(
        "show a file that is not a picture",
        &mut show,
        &[&hidden_name_shown("text", ".png"), "not a readable image"],
    );
    println!("train, render, grid and show print a run named with escape sequences escaped");
}

#[test]
fn values_read_back_from_a_run_are_shown_escaped() {
    let fx = Fixture::new();
    let run = fx.dir.path().join(hidden_name("run-", ""));
    let run_shown = hidden_name_shown("run-", "");
    train_tiny(&fx, &run, 3);

    // run.json with a field nnimg does not know, named with escape sequences: serde quotes it.
    let json = fs::read_to_string(run.join("run.json")).unwrap();
    let tampered = json.replacen('{', &format!("{{\"{}\": 1,", HIDDEN.escape_default()), 1);
    fs::write(run.join("run.json"), &tampered).unwrap();
    let mut render = fx.nnimg(&["render", "--input", "101"]);
    render.arg("--run").arg(&run);
    fails_showing(
        "render with a tampered run.json",
        &mut render,
        &[
            &format!("{run_shown}/run.json: not a valid run.json"),
            HIDDEN_SHOWN,
        ],
    );
    fs::write(run.join("run.json"), &json).unwrap();

    // A metrics.csv row with escape sequences in a number's place.
    let metrics = fs::read_to_string(run.join("metrics.csv")).unwrap();
    let mut lines: Vec<String> = metrics.lines().map(String::from).collect();
    lines[2] = lines[2].replacen(',', &format!(",{HIDDEN}"), 1);
    fs::write(run.join("metrics.csv"), lines.join("\n") + "\n").unwrap();
    fails_showing(
        "resume with a tampered metrics.csv",
        &mut fx.resume(&run, &["--epochs", "5"]),
        &[&format!("{run_shown}/metrics.csv"), HIDDEN_SHOWN],
    );
    println!("run.json keys and metrics.csv values are shown escaped in errors");
}

/// Runs `prefix` + `nnimg args` in `dir` under `script`, which gives the binary a terminal of
/// its own, and checks that it fails with one clean line containing `expected`. False (with
/// a SKIP line) when `script` is not installed.
fn fails_on_a_terminal(dir: &Path, prefix: &str, args: &[&OsStr], expected: &str) -> bool {
    let out = Command::new("script")
        .current_dir(dir)
        .args(["-q", "-e", "-c"])
        .arg(format!("{prefix}{}", shell_command(args)))
        .arg("/dev/null")
        .stdin(std::process::Stdio::null())
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            skip(&format!(
                "explore's errors on a terminal: cannot run script ({e})"
            ));
            return false;
        }
    };
    // The terminal turns each newline into CR LF; any other CR is a leak.
    let stdout = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    assert_clean("explore on a terminal", stdout.as_bytes());
    assert!(stdout.contains(expected), "{expected:?} not in {stdout:?}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    true
}

#[test]
fn explore_startup_errors_show_names_escaped() {
    let fx = Fixture::new();
    let missing = fx.dir.path().join(hidden_name("gone-", ""));
    let broken = fx.dir.path().join(hidden_name("broken-", ""));
    fs::create_dir(&broken).unwrap();
    fs::write(broken.join("run.json"), "{").unwrap();
    let cases: [(&[&OsStr], String); 2] = [
        (
            &[
                "explore".as_ref(),
                "--run".as_ref(),
                missing.as_os_str(),
                "--watch".as_ref(),
            ],
            format!("{}: no such run folder", hidden_name_shown("gone-", "")),
        ),
        (
            &["explore".as_ref(), "--run".as_ref(), broken.as_os_str()],
            format!(
                "{}/run.json: not a valid run.json",
                hidden_name_shown("broken-", "")
            ),
        ),
    ];
    for (args, expected) in cases {
        if !fails_on_a_terminal(fx.dir.path(), "", args, &expected) {
            return;
        }
    }
    println!("explore's startup errors on a terminal show names escaped");
}

/// The text of every cell of the explorer's screen for `app` at `width` x `height`.
fn screen_text(app: &nnimg::tui::app::App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..height {
        for x in 0..width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[test]
fn the_explorers_screens_show_hidden_names_escaped() {
    let fx = Fixture::new();
    let run = fx.dir.path().join(hidden_name("run-", ""));
    train_tiny(&fx, &run, 3);
    // The run's preset and training folder as another machine might have written them.
    let json = fs::read_to_string(run.join("run.json")).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&json).unwrap();
    config["preset"] = HIDDEN.into();
    config["data"] = format!("/elsewhere/{HIDDEN}").into();
    fs::write(run.join("run.json"), config.to_string()).unwrap();

    let read_only = ReadOnlyRun {
        path: run.clone(),
        reason: "no write permission",
    };
    let samples_dir = fx.dir.path().join(hidden_name("samples-", ""));
    for read_only in [None, Some(&read_only)] {
        let (mut app, _) =
            watching_app(&run, read_only, &samples_dir, ColorMode::TrueColor).unwrap();
        for (width, height) in [(80, 24), (200, 70)] {
            let screen = screen_text(&app, width, height);
            assert_clean(
                &format!("the explorer at {width}x{height}"),
                screen.as_bytes(),
            );
            // The status line notes why the run is read-only, with the samples folder, or
            // the missing training images; at 200 columns the header has room for the
            // run's name and preset too.
            let status = screen.lines().last().unwrap();
            let start = match read_only {
                Some(_) => " read-only, no write permission".to_string(),
                None => format!(" /elsewhere/{HIDDEN_SHOWN}"),
            };
            assert!(status.starts_with(&start), "{status}");
            if width == 200 {
                let name = hidden_name_shown("run-", "");
                assert!(screen.contains(&name), "{screen}");
                assert!(screen.contains(HIDDEN_SHOWN), "preset: {screen}");
                let notes = match read_only {
                    Some(_) => vec![
                        "read-only, no write permission: training is off; e exports to "
                            .to_string(),
                        hidden_name_shown("samples-", ""),
                    ],
                    None => vec![format!(
                        "/elsewhere/{HIDDEN_SHOWN}: training images not found"
                    )],
                };
                for note in notes {
                    assert!(screen.contains(&note), "{note:?} not in\n{screen}");
                }
            }
        }
        // Sample stems (from a training folder here) are shown escaped too.
        app.samples = vec![Sample {
            stem: format!("1{HIDDEN}"),
            input: vec![1.0, 0.0, 0.0],
            target: vec![0.5; 64],
        }];
        app.inputs.buttons = vec![1.0, 0.0, 0.0];
        let screen = screen_text(&app, 200, 70);
        assert_clean("the explorer with a hidden stem", screen.as_bytes());
        assert!(screen.contains(&format!("1{HIDDEN_SHOWN}")), "{screen}");
    }
    println!("the explorer's screens at 80x24 and 200x70 show hidden names escaped");
}

#[test]
fn a_hidden_run_name_never_sets_the_title_of_a_real_terminal() {
    let fx = Fixture::new();
    // The check can fail: printed raw, the name does set the pane's title.
    let Some(control) = Tmux::open(
        "the terminal title check",
        fx.dir.path(),
        PANE,
        &format!("printf {}", shell_word(OsStr::new(HIDDEN))),
    ) else {
        return;
    };
    control.wait_for("printf", |s| s.contains("EXITED"));
    assert_eq!(control.display("#{pane_title}"), "PWNED");
    drop(control);

    // `train` on a terminal: the progress bar names the run.
    let run = fx.dir.path().join(hidden_name("run-", ""));
    let mut args: Vec<&OsStr> = vec!["train".as_ref(), "--data".as_ref(), fx.data.as_os_str()];
    args.extend(["--run".as_ref(), run.as_os_str()]);
    args.extend(TINY.iter().map(OsStr::new));
    args.extend(["--epochs", "2000", "--checkpoint-every", "500"].map(OsStr::new));
    let Some(tmux) = Tmux::open(
        "train on a terminal",
        fx.dir.path(),
        PANE,
        &shell_command(&args),
    ) else {
        return;
    };
    let screen = tmux.wait_for("the end of training", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
    assert!(screen.contains("trained to epoch 2000"), "{screen}");
    assert!(screen.contains(r"\e]0;PWNED\x07"), "{screen}");
    assert_ne!(tmux.display("#{pane_title}"), "PWNED", "{screen}");
    drop(tmux);

    // The explorer on that run, and its summary after it trained some more.
    let args: Vec<&OsStr> = ["explore".as_ref(), "--run".as_ref(), run.as_os_str()]
        .into_iter()
        .chain(["--epochs", "2100"].map(OsStr::new))
        .collect();
    let Some(tmux) = Tmux::open(
        "explore on a terminal",
        fx.dir.path(),
        PANE,
        &shell_command(&args),
    ) else {
        return;
    };
    tmux.wait_for("the explorer", |s| s.contains("PAUSED"));
    assert!(
        tmux.screen().contains(r"run-\e]0;PWNED\x07"),
        "{}",
        tmux.screen()
    );
    tmux.keys(&["Space"]);
    tmux.wait_for("the end of training", |s| s.contains("DONE"));
    tmux.keys(&["q"]);
    tmux.wait_for("the quit dialog", |s| s.contains("quit?"));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the exit", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
    assert!(screen.contains(r"\e]0;PWNED\x07"), "{screen}");
    assert!(screen.contains("trained to epoch 2100"), "{screen}");
    assert_ne!(tmux.display("#{pane_title}"), "PWNED", "{screen}");
    println!("a run named with an OSC title sequence leaves the terminal's title alone");
}

/// Who runs the binary where writes must fail: `nobody` (through setpriv) when the tests
/// run as root, else the current user, for whom permission bits already count.
enum Unprivileged {
    Nobody { uid: u32, gid: u32 },
    CurrentUser,
}

impl Unprivileged {
    /// None, with a SKIP line, when there is no way to run the binary unprivileged here.
    fn find(what: &str) -> Option<Self> {
        let id = |args: &[&str]| -> Option<u32> {
            let out = Command::new("id").args(args).output().ok()?;
            String::from_utf8_lossy(&out.stdout).trim().parse().ok()
        };
        match id(&["-u"]) {
            Some(0) => {}
            Some(_) => return Some(Unprivileged::CurrentUser),
            None => {
                skip(&format!("{what}: cannot tell who runs the tests (id -u)"));
                return None;
            }
        }
        let (Some(uid), Some(gid)) = (id(&["-u", "nobody"]), id(&["-g", "nobody"])) else {
            skip(&format!("{what}: there is no user nobody"));
            return None;
        };
        let me = Unprivileged::Nobody { uid, gid };
        match me.command(&["--version".as_ref()]).output() {
            Ok(out) if out.status.success() => Some(me),
            Ok(out) => {
                let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
                skip(&format!("{what}: nobody cannot run the binary ({why})"));
                None
            }
            Err(e) => {
                skip(&format!("{what}: cannot run setpriv ({e})"));
                None
            }
        }
    }

    /// The words that run a command as this user, for `sh`.
    fn shell_prefix(&self) -> String {
        match self {
            Unprivileged::Nobody { uid, gid } => {
                format!("setpriv --reuid={uid} --regid={gid} --clear-groups ")
            }
            Unprivileged::CurrentUser => String::new(),
        }
    }

    /// `nnimg <args>` as this user.
    fn command(&self, args: &[&OsStr]) -> Command {
        match self {
            Unprivileged::Nobody { uid, gid } => {
                let mut cmd = Command::new("setpriv");
                cmd.arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .arg("--clear-groups")
                    .arg(bin())
                    .args(args);
                cmd
            }
            Unprivileged::CurrentUser => {
                let mut cmd = Command::new(bin());
                cmd.args(args);
                cmd
            }
        }
    }

    /// A folder of this user's own, `name` inside `parent`.
    fn own_folder(&self, parent: &Path, name: &str) -> PathBuf {
        let dir = parent.join(name);
        fs::create_dir(&dir).unwrap();
        if let Unprivileged::Nobody { uid, gid } = self {
            std::os::unix::fs::chown(&dir, Some(*uid), Some(*gid)).unwrap();
        }
        dir
    }
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Gives or takes write permission on `run`, its files and `outputs/`.
fn set_writable(run: &Path, writable: bool) {
    let (dir, file) = if writable {
        (0o755, 0o644)
    } else {
        (0o555, 0o444)
    };
    for d in [run.join("outputs"), run.to_path_buf()] {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                set_mode(&path, file);
            }
        }
        set_mode(&d, dir);
    }
}

/// Every file of `dir` (one level, and `outputs/`) with its bytes, to show nothing changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for d in [dir.to_path_buf(), dir.join("outputs")] {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                files.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// `render`, `grid` and `show` on a run this user cannot write, with pictures written to
/// `out` (a folder of the user's own).
fn pictures_from(who: &Unprivileged, run: &Path, out: &Path) {
    let (png, sheet) = (out.join("r.png"), out.join("g.png"));
    let words: [&[&OsStr]; 3] = [
        &[
            "render".as_ref(),
            "--input".as_ref(),
            "101".as_ref(),
            "--out".as_ref(),
            png.as_ref(),
        ],
        &["grid".as_ref(), "--out".as_ref(), sheet.as_ref()],
        &["show".as_ref(), "--input".as_ref(), "110".as_ref()],
    ];
    for args in words {
        let mut cmd = who.command(args);
        cmd.arg("--run").arg(run).current_dir(out);
        let out = output(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?} failed:\n{stderr}");
        assert_no_panic(&stderr);
    }
    assert_eq!(image::open(&png).unwrap().width(), 8);
    assert!(image::open(&sheet).unwrap().width() > 8);
}

/// What `who`, who cannot write `run` (`reason`), gets from each command, working in `home`
/// (a folder of the user's own): `train` refuses in one line that says what to do instead;
/// `render`, `grid` and `show` work; the explorer opens read-only and exports into
/// `home/samples`. Returns false when the explorer could not be tried (no tmux).
fn read_only_run_works(who: &Unprivileged, run: &Path, home: &Path, reason: &str) -> bool {
    let out = output(who.command(&["train".as_ref(), "--run".as_ref(), run.as_os_str()]));
    let refused = format!("{}: cannot train this run: {reason}", run.display());
    assert_error(&out, 1, &[&refused, "nnimg explore --run"]);
    pictures_from(who, run, home);
    explore_read_only(
        who,
        run,
        home,
        &format!("read-only, {reason}: training is off"),
    )
}

/// The explorer on `run` as `who`, in a terminal, from `home` (the user's own folder): it
/// opens read-only with `note`, exports into `home/samples`, and says why on Space.
fn explore_read_only(who: &Unprivileged, run: &Path, home: &Path, note: &str) -> bool {
    let command = format!(
        "{}{}",
        who.shell_prefix(),
        shell_command(&["explore".as_ref(), "--run".as_ref(), run.as_os_str()])
    );
    let Some(tmux) = Tmux::open("explore a read-only run", home, PANE, &command) else {
        return false;
    };
    let screen = tmux.wait_for("the read-only note", |s| {
        s.contains(note) || s.contains("EXITED")
    });
    assert!(screen.contains("WATCHING"), "{screen}");
    assert!(
        screen.contains(&format!("{note}; e exports to samples")),
        "{screen}"
    );
    tmux.keys(&["1", "e"]);
    tmux.wait_for("the export", |s| s.contains("saved samples/100-e"));
    let exported = fs::read_dir(home.join("samples")).unwrap().count();
    assert_eq!(exported, 1);
    tmux.keys(&["Space"]);
    tmux.wait_for("why training is off", |s| {
        s.contains(note) && !s.contains("saved samples/")
    });
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("the exit", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
    true
}

#[test]
fn another_users_run_opens_read_only_and_an_unreadable_one_is_named() {
    let Some(who) = Unprivileged::find("another user's run") else {
        return;
    };
    let fx = Fixture::new();
    set_mode(fx.dir.path(), 0o755);
    let run = fx.path("theirs");
    train_tiny(&fx, &run, 5);
    // Not root: the run must not be writable by us, as another user's would not be.
    let ours = matches!(who, Unprivileged::CurrentUser);
    if ours {
        set_writable(&run, false);
    }
    let before = snapshot(&run);
    let home = who.own_folder(fx.dir.path(), "home");

    let explored = read_only_run_works(&who, &run, &home, "no write permission");
    assert_eq!(snapshot(&run), before, "the run changed");

    // A run folder that cannot be read either: every command names it in one line.
    set_mode(&run, 0o000);
    let unreadable = format!("{}: cannot read the run folder", run.display());
    for args in [
        &[
            "render".as_ref(),
            "--input".as_ref(),
            "101".as_ref(),
            "--run".as_ref(),
            run.as_os_str(),
        ][..],
        &["grid".as_ref(), "--run".as_ref(), run.as_os_str()],
        &[
            "show".as_ref(),
            "--input".as_ref(),
            "101".as_ref(),
            "--run".as_ref(),
            run.as_os_str(),
        ],
    ] {
        assert_error(
            &output(who.command(args).current_dir(&home)),
            1,
            &[&unreadable],
        );
    }
    let out = output(who.command(&["train".as_ref(), "--run".as_ref(), run.as_os_str()]));
    let cannot_list = format!("{}: exists and cannot be read", run.display());
    assert_error(&out, 1, &[&cannot_list]);
    let explore: &[&OsStr] = &["explore".as_ref(), "--run".as_ref(), run.as_os_str()];
    fails_on_a_terminal(&home, &who.shell_prefix(), explore, &cannot_list);
    let watch = [explore, &["--watch".as_ref()]].concat();
    fails_on_a_terminal(&home, &who.shell_prefix(), &watch, &unreadable);
    set_mode(&run, 0o755);
    if ours {
        set_writable(&run, true);
    }
    let how = match who {
        Unprivileged::Nobody { .. } => "as nobody through setpriv",
        Unprivileged::CurrentUser => "as the current user, the run made read-only by chmod",
    };
    println!(
        "another user's run, {how}: train refused in one line, render/grid/show work, \
         explore {}; an unreadable run is named in one line",
        if explored {
            "opens read-only and exports"
        } else {
            "skipped (no tmux)"
        }
    );
}

#[test]
fn a_run_on_a_read_only_mount_opens_read_only_and_still_renders() {
    let Some(tmpfs) = Tmpfs::mount("size=1m") else {
        skip("a run on a read-only mount: cannot mount a tmpfs here (needs root)");
        return;
    };
    let fx = Fixture::new();
    let run = tmpfs.path().join("run");
    train_tiny(&fx, &run, 5);
    tmpfs.remount("ro");
    let before = snapshot(&run);
    let who = Unprivileged::CurrentUser;
    let home = fx.path("home");
    fs::create_dir(&home).unwrap();

    let explored = read_only_run_works(&who, &run, &home, "read-only file system");
    tmpfs.remount("rw");
    assert_eq!(snapshot(&run), before, "the run changed");
    println!(
        "a run on a read-only tmpfs: train refused in one line, render/grid/show work, explore {}",
        if explored {
            "opens read-only and exports"
        } else {
            "skipped (no tmux)"
        }
    );
}

/// A 2x2 grey PNG carrying `chunks` as tEXt chunks (keyword, Latin-1 text).
fn png_with_text(path: &Path, chunks: &[(&str, &str)]) {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 2, 2);
    encoder.set_color(png::ColorType::Grayscale);
    for (keyword, text) in chunks {
        encoder
            .add_text_chunk((*keyword).to_string(), (*text).to_string())
            .unwrap();
    }
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&[0, 64, 128, 255])
        .unwrap();
    fs::write(path, bytes).unwrap();
}

#[test]
fn animations_and_recipes_in_png_text_chunks_are_shown_escaped() {
    let fx = Fixture::new();
    let run = fx.dir.path().join(hidden_name("run-", ""));
    train_tiny(&fx, &run, 3);

    // animate: the file it wrote, and a waypoint with escape sequences.
    let mut animate = fx.nnimg(&["animate", "--path", "100,010", "--frames-per-leg", "2"]);
    animate
        .arg("--run")
        .arg(&run)
        .arg("--out")
        .arg(hidden_name("walk", ".gif"));
    succeeds_showing("animate", &mut animate, &hidden_name_shown("walk", ".gif"));
    let mut animate = fx.nnimg(&["animate", "--path"]);
    animate
        .arg(format!("100,0{HIDDEN}1"))
        .arg("--run")
        .arg(&run);
    fails_showing(
        "animate --path",
        &mut animate,
        &[&format!("0{HIDDEN_SHOWN}1")],
    );

    // A picture whose recipe (PNG text chunks) names a run with escape sequences, and one
    // whose input chunk holds them. tEXt chunks are Latin-1, so no bidi overrides there.
    let latin1 = HIDDEN.trim_end_matches(['\u{202e}', '\u{2067}']);
    let latin1_shown = HIDDEN_SHOWN.trim_end_matches(r"\u{202e}\u{2067}");
    let picture = fx.dir.path().join(hidden_name("painted", ".png"));
    let gone = format!("gone{latin1}");
    png_with_text(&picture, &[("nnimg:input", "1_0_0"), ("nnimg:run", &gone)]);
    let mut render = fx.nnimg(&["render", "--from"]);
    render.arg(&picture);
    fails_showing(
        "render --from a recipe naming a hidden run",
        &mut render,
        &[
            &hidden_name_shown("painted", ".png"),
            &format!("run 'gone{latin1_shown}', which is not here"),
        ],
    );
    let bad_input = format!("1_{latin1}");
    png_with_text(&picture, &[("nnimg:input", &bad_input)]);
    fails_showing(
        "render --from a recipe with a hidden input",
        &mut render,
        &[&format!("holds '1_{latin1_shown}'")],
    );
    println!("animate and recipes read back from PNG text chunks show names escaped");
}
