//! The help overlay: every key of [`KEYS`], the table the key handler reads too (the keys
//! for comparing runs only when runs are compared), in as many columns as the screen's
//! height needs.

use crate::tui::keys::KEYS;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

pub struct Help {
    /// Runs are compared: their keys are listed too.
    pub comparing: bool,
    pub theme: Theme,
}

impl Help {
    /// The lines of the overlay, one per key binding.
    pub fn lines(&self) -> Vec<Line<'static>> {
        let theme = self.theme;
        let width = KEYS
            .iter()
            .map(|b| b.label.chars().count())
            .max()
            .unwrap_or(0);
        KEYS.iter()
            .filter(|b| self.comparing || !b.comparing)
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
        let lines = self.lines();
        let theme = self.theme;
        // The fewest columns whose rows fit between the borders.
        let room = usize::from(area.height.saturating_sub(2)).max(1);
        let columns = lines.len().div_ceil(room).max(1);
        let rows = lines.len().div_ceil(columns);
        let chunks: Vec<Vec<Line>> = lines.chunks(rows).map(<[Line]>::to_vec).collect();
        let widths: Vec<u16> = chunks
            .iter()
            .map(|c| c.iter().map(Line::width).max().unwrap_or(0) as u16)
            .collect();
        let width = widths.iter().sum::<u16>() + 2;
        let popup = area.centered(
            Constraint::Length(width),
            Constraint::Length(rows as u16 + 2),
        );
        Clear.render(popup, buf);
        let block = Block::bordered()
            .border_style(theme.accent())
            .title(Line::styled(" keys ", theme.title()))
            .title_bottom(Line::styled(" any key closes ", theme.dim()));
        let inner = block.inner(popup);
        block.render(popup, buf);
        let areas = Layout::horizontal(widths.iter().map(|&w| Constraint::Length(w))).split(inner);
        for (chunk, &column) in chunks.into_iter().zip(areas.iter()) {
            Paragraph::new(chunk).render(column, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::widgets::tests::text_of;

    #[test]
    fn the_overlay_lists_every_key_of_the_table_in_two_columns_at_80x20() {
        assert_eq!(
            text_of(
                Help {
                    comparing: false,
                    theme: Theme::DARK,
                },
                80,
                20,
            ),
            Buffer::with_lines([
                "                                                                                ",
                "  ┌ keys ────────────────────────────────────────────────────────────────────┐  ",
                "  │ 1-9      toggle input N             x        path: clear                 │  ",
                "  │ ← h ↑ k  select the previous input  p        play / stop the path        │  ",
                "  │ → l ↓ j  select the next input      W        random walk / stop          │  ",
                "  │ + ]      raise it by 0.1            >        animation faster            │  ",
                "  │ - [      lower it by 0.1            <        animation slower            │  ",
                "  │ 0        all inputs 0               E        export the animation        │  ",
                "  │ r        random inputs              ,        history: back               │  ",
                "  │ t        training input and target  .        history: forward            │  ",
                "  │ space    pause / resume training    Home     history: first epoch        │  ",
                "  │ s        save a checkpoint now      End      history: live picture       │  ",
                "  │ w        chart: whole run / recent  T        export a timelapse          │  ",
                "  │ a        chart: smoothing on / off  z        full resolution (+ - scale) │  ",
                "  │ c        next colour map            M        mouse on / off              │  ",
                "  │ e        export the picture (PNG)   ?        this help                   │  ",
                "  │ g        export all inputs (grid)   q Esc    quit (asks first)           │  ",
                "  │ m        path: add a waypoint       Ctrl-C   save and quit at once       │  ",
                "  │ u        path: remove the last                                           │  ",
                "  └ any key closes ──────────────────────────────────────────────────────────┘  ",
            ])
        );
    }
}
