//! The quit dialog: stop training and keep exploring, quit (saving), or cancel; one key.
//!
//! Training goes on while the dialog is open, and the dialog says so: it is a question, and
//! a cancelled question should leave the run as it was. The checkpoint is taken at the answer.

use crate::tui::app::{App, Mode};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

pub struct QuitDialog<'a>(pub &'a App);

impl Widget for QuitDialog<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        let option = |k: &'static str, what: String| {
            Line::from(vec![
                Span::styled(format!("  {k:<9}"), theme.key()),
                Span::raw(what),
            ])
        };
        let mut lines = vec![Line::raw("")];
        if app.run_status.mode.owns_training() {
            lines.push(option(
                "s",
                "stop training, save, keep exploring".to_string(),
            ));
            lines.push(option("q Enter", "save and quit".to_string()));
        } else {
            lines.push(option("q Enter", "quit".to_string()));
        }
        lines.push(option("Esc", "cancel".to_string()));
        lines.push(Line::raw(""));
        if app.run_status.mode == Mode::Training {
            lines.push(Line::styled(
                "  training goes on until you choose",
                theme.dim(),
            ));
            lines.push(Line::raw(""));
        }
        let height = lines.len() as u16 + 2;
        let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4;
        let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
        Clear.render(popup, buf);
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .border_style(theme.accent())
                    .title(Line::styled(" quit? ", theme.title())),
            )
            .render(popup, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::Mode;
    use crate::tui::app::tests::app;
    use crate::tui::widgets::tests::text_of;

    #[test]
    fn the_dialog_offers_to_stop_training_while_there_is_training() {
        let app = app();
        assert_eq!(
            text_of(QuitDialog(&app), 50, 9),
            Buffer::with_lines([
                "┌ quit? ─────────────────────────────────────────┐",
                "│                                                │",
                "│  s        stop training, save, keep exploring  │",
                "│  q Enter  save and quit                        │",
                "│  Esc      cancel                               │",
                "│                                                │",
                "│  training goes on until you choose             │",
                "│                                                │",
                "└────────────────────────────────────────────────┘",
            ])
        );
    }

    #[test]
    fn a_watched_run_can_only_be_quit_or_left_open() {
        let mut app = app();
        app.run_status.mode = Mode::Watching(crate::tui::app::Watched::Training);
        assert_eq!(
            text_of(QuitDialog(&app), 30, 7),
            Buffer::with_lines([
                "                              ",
                "     ┌ quit? ────────────┐    ",
                "     │                   │    ",
                "     │  q Enter  quit    │    ",
                "     │  Esc      cancel  │    ",
                "     │                   │    ",
                "     └───────────────────┘    ",
            ])
        );
    }
}
