//! The help overlay: every key of [`KEYS`], the table the key handler reads too, in as many
//! columns as the screen's height needs.

use crate::tui::keys::KEYS;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
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
            .border_style(theme::accent())
            .title(Line::styled(" keys ", theme::title()))
            .title_bottom(Line::styled(" any key closes ", theme::dim()));
        let inner = block.inner(popup);
        block.render(popup, buf);
        let areas = Layout::horizontal(widths.iter().map(|&w| Constraint::Length(w))).split(inner);
        for (chunk, &column) in chunks.into_iter().zip(areas.iter()) {
            Paragraph::new(chunk).render(column, buf);
        }
    }
}
