//! Whole explorer screens rendered with ratatui's TestBackend at 80x24 and 200x70 and
//! compared with reviewed insta snapshots (text only; colours are checked in the unit tests
//! of `tui::widgets::output`).

use crate::screens::{press, screen};
use crossterm::event::KeyCode;
use nnimg::data::Sample;
use nnimg::net::init::init_network;
use nnimg::render::color::ColorMode;
use nnimg::train::Halving;
use nnimg::train::history::Point;
use nnimg::train::update::{Progress, Update, WorkerState};
use nnimg::tui::app::{App, Mode, RunInfo};
use nnimg::tui::event::Event;
use std::sync::Arc;

const SIDE: u32 = 110;

/// An app as it looks after 3000 epochs of a made-up run: errors falling with noise and a
/// spike, the rate halved twice, weights from a seeded initialisation.
fn demo_app() -> App {
    let layers = vec![8, 6, (SIDE * SIDE) as usize];
    let samples: Vec<Sample> = (0..8)
        .map(|i| {
            let mut input = vec![0.0; 8];
            input[i] = 1.0;
            Sample {
                stem: input
                    .iter()
                    .map(|&v| if v == 1.0 { '1' } else { '0' })
                    .collect(),
                input,
                target: (0..SIDE * SIDE)
                    .map(|p| ((p % SIDE + p / SIDE) as usize).is_multiple_of(i + 2) as u8 as f32)
                    .collect(),
            }
        })
        .collect();
    let run = RunInfo {
        name: "v0.1.6.1-1".into(),
        path: "runs/v0.1.6.1-1".into(),
        preset: "v0.1.6.1".into(),
        layers: layers.clone(),
        width: SIDE,
        height: SIDE,
        channels: 1,
        total_epochs: 10_000,
    };
    let mut app = App::new(run, Mode::Starting, samples, ColorMode::Ansi256);
    app.update(Event::Training(Update::State(WorkerState::Training)));
    let mut epoch = 1;
    for (batch, seconds) in [(1500, 1.0), (1500, 2.0)] {
        let points = (epoch..epoch + batch)
            .map(|e| {
                let spike = if e == 1234 { 5.0 } else { 1.0 };
                let error =
                    spike * (0.1 * (-(e as f64) / 700.0).exp() + 0.002 + 0.0005 * (e as f64).sin());
                let learning_rate = match e {
                    ..=800 => 0.1,
                    801..=2100 => 0.05,
                    _ => 0.025,
                };
                Point::single(e, error, learning_rate)
            })
            .collect();
        // The trainer halved the rate at the end of epochs 800 and 2100.
        let halvings = [(800, 0.05), (2100, 0.025)]
            .into_iter()
            .filter(|&(e, _)| (epoch..epoch + batch).contains(&e))
            .map(|(epoch, learning_rate)| Halving {
                epoch,
                learning_rate,
            })
            .collect();
        app.update(Event::Training(Update::Progress(Progress {
            restarted: false,
            points,
            halvings,
            sample_errors: (0..8).map(|i| 0.001 * (i as f64 + 1.0)).collect(),
            // The rate after the batch: the one its next epoch uses.
            next_learning_rate: if epoch + batch <= 2100 { 0.05 } else { 0.025 },
            seconds,
        })));
        epoch += batch;
    }
    app.update(Event::Training(Update::Weights {
        net: Arc::new(init_network(&layers, 3)),
        epoch: 3000,
    }));
    app
}

#[test]
fn training_dashboard_200x70() {
    insta::assert_snapshot!(screen(&demo_app(), 200, 70));
}

#[test]
fn training_dashboard_80x24() {
    insta::assert_snapshot!(screen(&demo_app(), 80, 24));
}

#[test]
fn a_training_input_shows_its_target_beside_the_output_200x70() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('t'));
    press(&mut app, KeyCode::Char('w'));
    press(&mut app, KeyCode::Char('a'));
    insta::assert_snapshot!(screen(&app, 200, 70));
}

#[test]
fn half_pressed_buttons_80x24() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Right);
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('+'));
    }
    insta::assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn help_overlay_lists_every_key_80x24() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('?'));
    let text = screen(&app, 80, 24);
    // The keys for comparing runs are listed only when runs are compared.
    for binding in nnimg::tui::keys::KEYS.iter().filter(|b| !b.comparing) {
        assert!(text.contains(binding.help), "{} missing", binding.help);
    }
    insta::assert_snapshot!(text);
}

#[test]
fn quit_dialog_80x24() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('q'));
    insta::assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn a_small_terminal_says_how_large_it_must_be() {
    let text = screen(&demo_app(), 50, 12);
    assert!(text.contains("at least 60×18"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn playing_a_path_200x70() {
    let mut app = demo_app();
    for keys in [['1', 'm'], ['1', '2'], ['m', 'p']] {
        for c in keys {
            press(&mut app, KeyCode::Char(c));
        }
    }
    // The first frame of the path is due at once.
    app.advance_motion(std::time::Instant::now());
    let text = screen(&app, 200, 70);
    assert!(text.contains("▶ path 1/64"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn history_scrubbed_back_80x24() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('t'));
    app.show_history(Ok(Some(nnimg::tui::app::HistoryFrame {
        epoch: 50,
        index: 14,
        count: 30,
        sample: 0,
        values: vec![0.25; (SIDE * SIDE) as usize],
    })));
    let text = screen(&app, 80, 24);
    assert!(text.contains("epoch 50 · history 15/30"), "{text}");
    insta::assert_snapshot!(text);
}
