//! Whole explorer screens for snapshot tests: an `App` drawn on ratatui's TestBackend, and
//! keys fed to it as the input thread would.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use nnimg::tui::app::App;
use nnimg::tui::event::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The screen `app` draws on a `width` x `height` terminal, as text (one quoted line per row).
pub fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .unwrap();
    terminal.backend().to_string()
}

/// One key press without modifiers.
pub fn press(app: &mut App, code: KeyCode) {
    app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}
