//! The explorer comparing runs (`--compare`), rendered with ratatui's TestBackend and
//! compared with reviewed insta snapshots: 2 and 3 runs at 200x70 and 80x24, a terminal too
//! narrow for every pane, the difference and blink views, a run that cannot be read, and
//! the help listing the comparison keys.

use crate::screens::{press, screen};
use crossterm::event::KeyCode;
use nnimg::data::Sample;
use nnimg::net::init::init_network;
use nnimg::render::color::ColorMode;
use nnimg::train::Halving;
use nnimg::train::history::Point;
use nnimg::train::update::{Progress, Update, WorkerState};
use nnimg::tui::app::{App, CompareView, ComparedRun, Comparison, Mode, RunInfo};
use nnimg::tui::event::Event;
use std::sync::Arc;

const STEMS: [&str; 4] = ["1000", "0100", "0010", "0001"];

fn run_info(name: &str, preset: &str, layers: Vec<usize>, side: u32) -> RunInfo {
    RunInfo {
        name: name.into(),
        path: format!("runs/{name}").into(),
        preset: preset.into(),
        layers,
        width: side,
        height: side,
        channels: 1,
        total_epochs: 2000,
    }
}

/// 2000 epochs of a made-up run: its error falls at `speed`, its rate is halved at
/// `halvings`, and image k's error is `image_errors[k]`.
fn progress(speed: f64, halvings: &[usize], image_errors: [f64; 4]) -> Progress {
    let epochs = 2000;
    let mut rate = 0.1f32;
    let mut learning_rates = Vec::new();
    for e in 1..=epochs {
        learning_rates.push(rate);
        if halvings.contains(&e) {
            rate /= 2.0;
        }
    }
    Progress {
        restarted: false,
        points: (1..=epochs)
            .zip(learning_rates)
            .map(|(e, lr)| Point::single(e, 0.1 * (-(e as f64) * speed).exp() + 1e-5, lr))
            .collect(),
        halvings: halvings
            .iter()
            .enumerate()
            .map(|(k, &epoch)| Halving {
                epoch,
                learning_rate: 0.1 / 2f32.powi(k as i32 + 1),
            })
            .collect(),
        sample_errors: image_errors.to_vec(),
        next_learning_rate: rate,
        seconds: 10.0,
    }
}

fn stems() -> Vec<String> {
    STEMS.iter().map(|s| s.to_string()).collect()
}

/// A compared run of `layers` (24×24 pictures) after 2000 epochs.
fn compared(name: &str, preset: &str, layers: Vec<usize>, seed: u64, p: Progress) -> ComparedRun {
    let mut run = ComparedRun::new(run_info(name, preset, layers.clone(), 24), stems());
    let buttons = [1.0, 0.0, 0.0, 0.0];
    run.apply(Update::Progress(p), &buttons);
    run.apply(
        Update::Weights {
            net: Arc::new(init_network(&layers, seed)),
            epoch: 2000,
        },
        &buttons,
    );
    run
}

/// The explorer on a deep run (its own, done) with `others` runs beside it (1 or 2), button
/// 1 pressed.
fn comparing(others: usize) -> App {
    let layers = vec![4, 6, 576];
    let samples = STEMS
        .iter()
        .enumerate()
        .map(|(i, stem)| Sample {
            stem: stem.to_string(),
            input: (0..4).map(|j| f32::from(u8::from(i == j))).collect(),
            target: vec![0.5; 576],
        })
        .collect();
    let own = run_info("v0.1.6", "v0.1.6", layers.clone(), 24);
    let mut app = App::new(own, Mode::Starting, samples, ColorMode::Ansi256);
    app.update(Event::Training(Update::State(WorkerState::Done)));
    app.update(Event::Training(Update::Progress(progress(
        0.002,
        &[],
        [4e-4, 1e-4, 3e-4, 2e-4],
    ))));
    app.update(Event::Training(Update::Weights {
        net: Arc::new(init_network(&layers, 1)),
        epoch: 2000,
    }));
    let mut runs = vec![compared(
        "v0.1.6.1",
        "v0.1.6.1",
        layers.clone(),
        2,
        progress(0.0015, &[700, 1500], [1e-4, 4e-4, 2e-4, 3e-4]),
    )];
    if others > 1 {
        runs.push(compared(
            "two-layer",
            "two-layer",
            vec![4, 576],
            3,
            progress(0.004, &[], [2e-5, 1e-5, 4e-5, 3e-5]),
        ));
    }
    app.comparison = Some(Comparison::new(runs));
    press(&mut app, KeyCode::Char('1'));
    app
}

#[test]
fn two_runs_side_by_side_200x70() {
    insta::assert_snapshot!(screen(&comparing(1), 200, 70));
}

#[test]
fn two_runs_side_by_side_80x24() {
    insta::assert_snapshot!(screen(&comparing(1), 80, 24));
}

#[test]
fn three_runs_side_by_side_200x70() {
    let text = screen(&comparing(2), 200, 70);
    // Each pane names its run; the table ranks every image in every run.
    for name in ["v0.1.6 ", "v0.1.6.1", "two-layer"] {
        assert!(text.contains(name), "{name} missing");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn three_runs_side_by_side_80x24() {
    insta::assert_snapshot!(screen(&comparing(2), 80, 24));
}

#[test]
fn a_narrow_terminal_shows_fewer_panes_and_n_cycles_them() {
    let mut app = comparing(2);
    let text = screen(&app, 60, 24);
    assert!(text.contains("n: next (2 of 3 shown)"), "{text}");
    assert!(!text.contains("two-layer ·"), "{text}");
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Char('n'));
    let text = screen(&app, 60, 24);
    insta::assert_snapshot!(text);
}

#[test]
fn the_difference_view_shows_a_and_b_beside_their_difference_200x70() {
    let mut app = comparing(2);
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('d'));
    let text = screen(&app, 200, 70);
    assert!(text.contains("|A−B| v0.1.6 − two-layer"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_blink_view_alternates_the_runs_in_focus() {
    let mut app = comparing(1);
    press(&mut app, KeyCode::Char('b'));
    assert_eq!(app.comparison.as_ref().unwrap().view, CompareView::Blink);
    let first = screen(&app, 80, 24);
    assert!(first.contains("A v0.1.6 "), "{first}");
    assert!(app.update(Event::Blink));
    let second = screen(&app, 80, 24);
    assert!(second.contains("B v0.1.6.1"), "{second}");
    insta::assert_snapshot!(second);
    // Back to the panes: blinking stops, and a late blink event changes nothing.
    press(&mut app, KeyCode::Char('b'));
    assert!(!app.update(Event::Blink));
}

#[test]
fn a_run_that_cannot_be_read_says_so_in_its_pane_and_the_others_go_on() {
    let mut app = comparing(1);
    if let Some(c) = &mut app.comparison {
        c.runs.push(ComparedRun::unreadable(
            "runs/gone".into(),
            "runs/gone: no such run folder".into(),
        ));
    }
    let text = screen(&app, 200, 70);
    assert!(text.contains("runs/gone: no such run folder"), "{text}");
    assert!(text.contains("v0.1.6.1"), "{text}");
    // A corrupt checkpoint of a compared run, as its watcher reports it.
    app.update(Event::Compared {
        run: 0,
        update: Update::Failed(
            "runs/v0.1.6.1/checkpoint.safetensors: not a safetensors file".into(),
        ),
    });
    let text = screen(&app, 200, 70);
    assert!(text.contains("not a safetensors file"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_help_lists_the_comparison_keys_when_comparing_80x24() {
    let mut app = comparing(2);
    press(&mut app, KeyCode::Char('?'));
    let text = screen(&app, 80, 24);
    for binding in nnimg::tui::keys::KEYS {
        assert!(text.contains(binding.help), "{} missing", binding.help);
    }
    insta::assert_snapshot!(text);
}
