//! The help overlay: every key of [`KEYS`], the table the key handler reads too.

use crate::tui::keys::KEYS;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

/// The overlay, drawn in a theme.
pub struct Help(pub Theme);

impl Help {
    /// The lines of the overlay, one per key binding.
    pub fn lines(theme: Theme) -> Vec<Line<'static>> {
        let width = KEYS
            .iter()
            .map(|b| b.label.chars().count())
            .max()
            .unwrap_or(0);
        KEYS.iter()
            .map(|b| {
                let pad = width - b.label.chars().count();
                Line::from(vec![
                    Span::styled(format!(" {}{} ", b.label, " ".repeat(pad)), theme.key()),
                    Span::raw(format!(" {} ", b.help)),
                ])
            })
            .collect()
    }
}

impl Widget for Help {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.0;
        let lines = Help::lines(theme);
        let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
        let height = lines.len() as u16 + 2;
        let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
        Clear.render(popup, buf);
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .border_style(theme.accent())
                    .title(Line::styled(" keys ", theme.title()))
                    .title_bottom(Line::styled(" any key closes ", theme.dim())),
            )
            .render(popup, buf);
    }
}
