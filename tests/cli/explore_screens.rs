//! Whole explorer screens rendered with ratatui's TestBackend at 80x24 and 200x70 and
//! compared with reviewed insta snapshots: text, and in each colour mode and under NO_COLOR
//! a block of the picture's cells with their colours. And the bytes a fixed sequence of
//! training rounds writes to a terminal, within the link budget.

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
use ratatui::Terminal;
use ratatui::backend::TestBackend;
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

/// The colours of a cell, short: `#rrggbb`, `i123` (256 palette), a basic colour's name, or
/// `-` for the terminal's own.
fn color_code(color: ratatui::style::Color) -> String {
    use ratatui::style::Color;
    match color {
        Color::Reset => "-".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => format!("i{i}"),
        named => format!("{named:?}"),
    }
}

/// The screen as text, then the symbol and foreground/background of a 6x3 block of cells
/// inside the picture, one row of cells a line.
fn screen_with_picture_colors(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .unwrap();
    let buf = terminal.backend().buffer();
    let mut out = terminal.backend().to_string();
    for y in 12..15 {
        let cells: Vec<String> = (60..66)
            .map(|x| {
                let c = &buf[(x, y)];
                format!("{}{}/{}", c.symbol(), color_code(c.fg), color_code(c.bg))
            })
            .collect();
        out.push_str(&cells.join(" "));
        out.push('\n');
    }
    out
}

fn demo_app_in(mode: ColorMode) -> App {
    let mut app = demo_app();
    app.view.color_mode = mode;
    app
}

#[test]
fn the_picture_in_true_colour_80x24() {
    insta::assert_snapshot!(screen_with_picture_colors(&demo_app_in(
        ColorMode::TrueColor
    )));
}

#[test]
fn the_picture_dithered_onto_256_colours_80x24() {
    insta::assert_snapshot!(screen_with_picture_colors(&demo_app_in(ColorMode::Ansi256)));
}

#[test]
fn the_picture_dithered_onto_16_colours_80x24() {
    insta::assert_snapshot!(screen_with_picture_colors(&demo_app_in(ColorMode::Ansi16)));
}

#[test]
fn the_picture_as_plain_characters_80x24() {
    insta::assert_snapshot!(screen_with_picture_colors(&demo_app_in(ColorMode::Mono)));
}

#[test]
fn under_no_color_the_chrome_has_none_and_the_picture_keeps_its_colours() {
    let mut app = demo_app_in(ColorMode::Ansi256);
    app.view.theme.plain = true;
    let text = screen_with_picture_colors(&app);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(&app, frame.area()))
        .unwrap();
    let buf = terminal.backend().buffer();
    let (mut picture, mut chrome) = (0, 0);
    for cell in buf.content() {
        if cell.symbol() == "▀" {
            picture += 1;
            assert!(
                matches!(cell.fg, ratatui::style::Color::Indexed(_)),
                "{cell:?}"
            );
        } else {
            chrome += 1;
            assert_eq!(
                (cell.fg, cell.bg),
                (ratatui::style::Color::Reset, ratatui::style::Color::Reset),
                "a chrome cell with a colour: {cell:?}"
            );
        }
    }
    assert!(picture > 500 && chrome > 500, "{picture} {chrome}");
    insta::assert_snapshot!(text);
}

/// A writer that only counts what it is given.
#[derive(Clone, Default)]
struct Counter(std::rc::Rc<std::cell::Cell<usize>>);

impl std::io::Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + bytes.len());
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type CountingTerminal = Terminal<ratatui::backend::CrosstermBackend<Counter>>;

/// A `width` x `height` terminal that counts the bytes drawn to it, and its counter.
fn counting_terminal(width: u16, height: u16) -> (CountingTerminal, Counter) {
    use ratatui::{TerminalOptions, Viewport};
    let counter = Counter::default();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(ratatui::layout::Rect::new(0, 0, width, height)),
    };
    let backend = ratatui::backend::CrosstermBackend::new(counter.clone());
    (Terminal::with_options(backend, options).unwrap(), counter)
}

/// Bytes ratatui writes to change `cells` scattered cells of a 110x55 picture in `mode`.
fn bytes_for_scattered_changes(mode: ColorMode, cells: u32) -> usize {
    use nnimg::render::cells::{Background, picture_cells};
    use nnimg::tui::widgets::output::ink_color;
    let (mut terminal, counter) = counting_terminal(110, 55);
    let before =
        image::RgbImage::from_fn(110, 110, |x, y| image::Rgb([((x + y) % 200 + 20) as u8; 3]));
    let mut after = before.clone();
    // Every 6050 / cells-th cell, stepping over rows and columns.
    for k in 0..cells {
        let cell = k * (6050 / cells) + k % 7;
        let (x, row) = (cell % 110, cell / 110);
        for y in [2 * row, 2 * row + 1] {
            after.get_pixel_mut(x, y).0 = [((x * 7 + y * 3) % 250) as u8; 3];
        }
    }
    let mut draw = |img: &image::RgbImage| {
        terminal
            .draw(|frame| {
                let buf = frame.buffer_mut();
                for (i, cell) in picture_cells(img, mode, Background::Dark)
                    .iter()
                    .enumerate()
                {
                    buf[((i % 110) as u16, (i / 110) as u16)]
                        .set_char(cell.symbol)
                        .set_fg(ink_color(cell.fg))
                        .set_bg(ink_color(cell.bg));
                }
            })
            .unwrap();
    };
    draw(&before);
    let start = counter.0.get();
    draw(&after);
    counter.0.get() - start
}

#[test]
fn the_link_budget_s_cell_costs_cover_what_scattered_changes_write() {
    use nnimg::tui::link::bytes_per_cell;
    for mode in [
        ColorMode::TrueColor,
        ColorMode::Ansi256,
        ColorMode::Ansi16,
        ColorMode::Mono,
    ] {
        let bytes = bytes_for_scattered_changes(mode, 100);
        let estimate = 100 * bytes_per_cell(mode);
        assert!(
            bytes <= estimate && bytes * 3 >= estimate * 2,
            "{mode:?}: 100 cells wrote {bytes} bytes, estimated {estimate}"
        );
    }
}

/// Bytes written to a 200x70 terminal for each of 12 rounds of training: every round brings
/// a new epoch and completely different weights (a new seed), then the picture catches up by
/// at most `cells` cells and a frame is drawn.
fn bytes_per_round(mode: ColorMode, cells: usize) -> Vec<usize> {
    let mut app = demo_app_in(mode);
    let (mut terminal, counter) = counting_terminal(200, 70);
    terminal
        .draw(|frame| frame.render_widget(&app, frame.area()))
        .unwrap();
    let layers = app.run.layers.clone();
    (0..12)
        .map(|round| {
            let before = counter.0.get();
            let epoch = 3001 + round;
            app.update(Event::Training(Update::Progress(Progress {
                restarted: false,
                points: vec![Point::single(epoch, 0.002, 0.025)],
                halvings: Vec::new(),
                sample_errors: (0..8).map(|i| 0.001 * (i as f64 + 1.5)).collect(),
                next_learning_rate: 0.025,
                seconds: 3.0 + round as f64 * 0.1,
            })));
            app.update(Event::Training(Update::Weights {
                net: Arc::new(init_network(&layers, 100 + round as u64)),
                epoch,
            }));
            app.catch_up_picture(cells);
            terminal
                .draw(|frame| frame.render_widget(&app, frame.area()))
                .unwrap();
            counter.0.get() - before
        })
        .collect()
}

#[test]
fn while_training_each_round_writes_within_the_link_budget() {
    use nnimg::tui::link::LinkBudget;
    let budget = LinkBudget::new(None, false);
    for mode in [
        ColorMode::TrueColor,
        ColorMode::Ansi256,
        ColorMode::Ansi16,
        ColorMode::Mono,
    ] {
        let budgeted = bytes_per_round(mode, budget.picture_cells(mode));
        let whole = bytes_per_round(mode, usize::MAX);
        // The picture's share is bounded by the budget; the chrome (header, gauge, charts,
        // per-image errors) adds a little.
        let chrome = 4 << 10;
        for (round, &bytes) in budgeted.iter().enumerate() {
            assert!(
                bytes <= budget.picture_bytes + chrome,
                "{mode:?} round {round}: {bytes} bytes"
            );
        }
        let (budgeted, whole): (usize, usize) = (budgeted.iter().sum(), whole.iter().sum());
        eprintln!(
            "{mode:?}: {budgeted} bytes in 12 rounds within the budget, {whole} following the output whole"
        );
        if mode != ColorMode::Mono {
            assert!(whole > 3 * budgeted, "{mode:?}: {whole} vs {budgeted}");
        }
    }
}

#[test]
fn a_paused_screen_has_nothing_to_draw() {
    let mut app = demo_app_in(ColorMode::TrueColor);
    app.update(Event::Training(Update::Weights {
        net: Arc::new(init_network(&app.run.layers.clone(), 7)),
        epoch: 3000,
    }));
    assert!(app.output.behind);
    app.update(Event::Training(Update::State(WorkerState::Paused)));
    // The loop draws only when an event or a catch-up changed something.
    assert!(!app.output.behind);
    assert!(!app.catch_up_picture(usize::MAX));
    let (mut terminal, counter) = counting_terminal(200, 70);
    terminal
        .draw(|frame| frame.render_widget(&app, frame.area()))
        .unwrap();
    // Were it drawn anyway, no cell would be sent: only ratatui's colour reset at the end.
    let before = counter.0.get();
    terminal
        .draw(|frame| frame.render_widget(&app, frame.area()))
        .unwrap();
    assert!(
        counter.0.get() - before < 40,
        "{}",
        counter.0.get() - before
    );
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
