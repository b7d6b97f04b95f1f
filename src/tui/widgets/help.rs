//! The help overlay: every key of [`KEYS`], the table the key handler reads too.

use crate::tui::keys::KEYS;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

pub struct Help;

impl Help {
    /// The lines of the overlay, one per key binding.
    pub fn lines() -> Vec<Line<'static>> {
        let width = KEYS
            .iter()
            .map(|b| b.label.chars().count())
            .max()
            .unwrap_or(0);
        KEYS.iter()
            .map(|b| {
                let pad = width - b.label.chars().count();
                Line::from(vec![
                    Span::styled(format!(" {}{} ", b.label, " ".repeat(pad)), theme::key()),
                    Span::raw(format!(" {} ", b.help)),
                ])
            })
            .collect()
    }
}

impl Widget for Help {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = Help::lines();
        let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
        let height = lines.len() as u16 + 2;
        let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
        Clear.render(popup, buf);
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .border_style(theme::accent())
                    .title(Line::styled(" keys ", theme::title()))
                    .title_bottom(Line::styled(" any key closes ", theme::dim())),
            )
            .render(popup, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::widgets::tests::text_of;

    #[test]
    fn the_overlay_lists_every_key_of_the_table() {
        assert_eq!(
            text_of(Help, 64, 21),
            Buffer::with_lines([
                "                                                                ",
                "   ┌ keys ──────────────────────────────────────────────────┐   ",
                "   │ 1-9      toggle input N between 0 and 1                │   ",
                "   │ ← h ↑ k  select the previous input                     │   ",
                "   │ → l ↓ j  select the next input                         │   ",
                "   │ + ]      raise the selected input by 0.1               │   ",
                "   │ - [      lower the selected input by 0.1               │   ",
                "   │ 0        set all inputs to 0                           │   ",
                "   │ r        random input weights                          │   ",
                "   │ t        next training input (its target shows beside) │   ",
                "   │ space    pause / resume (continue) training            │   ",
                "   │ s        save a checkpoint now                         │   ",
                "   │ w        error chart: whole run / recent epochs        │   ",
                "   │ a        error chart: smoothing on / off               │   ",
                "   │ c        next colour map (greyscale networks)          │   ",
                "   │ e        export the picture as a PNG                   │   ",
                "   │ g        export a PNG grid of all button combinations  │   ",
                "   │ ?        show / hide this help                         │   ",
                "   │ q Esc    quit (asks: stop training, quit, cancel)      │   ",
                "   │ Ctrl-C   save and quit at once                         │   ",
                "   └ any key closes ────────────────────────────────────────┘   ",
            ])
        );
    }
}
