//! The input nodes as buttons: each shows its number, its weight as a bar and as a value;
//! pressed (1) buttons are bright, the selected one is framed in reverse video. As many
//! buttons as the network has inputs, wrapping onto more rows when they do not fit.

use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

/// Narrowest button, in cells: "1▕▌▏.5 ".
const MIN_BUTTON_WIDTH: u16 = 7;
/// Widest button, in cells.
const MAX_BUTTON_WIDTH: u16 = 24;

/// Buttons per row and rows for `n` buttons in `inner_width` cells.
pub fn grid(n: usize, inner_width: u16) -> (usize, usize) {
    let per_row = usize::from((inner_width / MIN_BUTTON_WIDTH).max(1)).min(n.max(1));
    (per_row, n.div_ceil(per_row).max(1))
}

/// Rows the panel needs (borders included) for `n` buttons in `width` cells.
pub fn panel_height(n: usize, width: u16) -> u16 {
    grid(n, width.saturating_sub(2)).1 as u16 + 2
}

/// A weight as shown on a button: "0", "1", or ".5"-style for fractions.
pub fn weight_label(w: f32) -> String {
    if w <= 0.0 {
        "0".into()
    } else if w >= 1.0 {
        "1".into()
    } else {
        format!("{w:.1}").trim_start_matches('0').to_string()
    }
}

/// One button in `width` cells: "3 ▕████      ▏0.4".
pub fn button_text(index: usize, weight: f32, width: usize) -> String {
    let label = (index + 1).to_string();
    let value = weight_label(weight);
    let bar_width = width.saturating_sub(label.len() + value.len() + 4);
    let bar = super::sample_errors::bar(f64::from(weight), bar_width);
    format!("{label}▕{bar}▏{value:<2}")
}

/// Where button `i` of `n` is drawn in the panel's `inner` area (one cell narrower than its
/// slot, which keeps a gap); empty when it does not fit.
pub fn button_rect(n: usize, inner: Rect, i: usize) -> Rect {
    let (per_row, _) = grid(n, inner.width);
    let width = (inner.width / per_row as u16).clamp(MIN_BUTTON_WIDTH, MAX_BUTTON_WIDTH);
    let x = inner.x + (i % per_row) as u16 * width;
    let y = inner.y + (i / per_row) as u16;
    Rect::new(x, y, width - 1, 1).intersection(inner)
}

/// The button of `n` drawn at cell (`column`, `row`) of the panel's `inner` area.
pub fn button_at(n: usize, inner: Rect, column: u16, row: u16) -> Option<usize> {
    let cell = Rect::new(column, row, 1, 1);
    (0..n).find(|&i| button_rect(n, inner, i).intersects(cell))
}

pub struct Buttons<'a>(pub &'a App);

impl Widget for Buttons<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        let title = Line::from(vec![
            Span::styled(" inputs ", theme.title()),
            Span::styled(
                "1-9 toggle · ←→ select · +/- weight · 0 clear · r random · t training ",
                theme.dim(),
            ),
        ]);
        let block = Block::bordered().border_style(theme.border()).title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        let n = app.inputs.buttons.len();
        if n == 0 || inner.is_empty() {
            return;
        }
        for (i, &w) in app.inputs.buttons.iter().enumerate() {
            let rect = button_rect(n, inner, i);
            if rect.is_empty() {
                break;
            }
            let mut style = if w > 0.0 {
                theme.pressed(w >= 1.0)
            } else {
                theme.dim()
            };
            if i == app.inputs.cursor {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let width = usize::from(rect.width);
            let text = button_text(i, w, width);
            buf.set_stringn(rect.x, rect.y, text, width, style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::app;
    use crate::tui::widgets::tests::{set_inputs_0_half_and_3_tenths, text_of};

    #[test]
    fn weights_read_short() {
        assert_eq!(weight_label(0.0), "0");
        assert_eq!(weight_label(1.0), "1");
        assert_eq!(weight_label(0.5), ".5");
    }

    #[test]
    fn a_button_is_exactly_as_wide_as_asked() {
        let text = button_text(2, 0.5, 12);
        assert_eq!(text, "3▕██▌  ▏.5");
        assert_eq!(text.chars().count(), 10);
        assert_eq!(button_text(0, 1.0, 8).chars().count(), 7);
    }

    #[test]
    fn a_click_finds_the_button_drawn_there() {
        // 8 buttons in one row of 80 cells: 10 cells a slot, the last cell of each a gap.
        let inner = Rect::new(1, 3, 80, 1);
        assert_eq!(button_at(8, inner, 1, 3), Some(0));
        assert_eq!(button_at(8, inner, 9, 3), Some(0));
        assert_eq!(button_at(8, inner, 10, 3), None);
        assert_eq!(button_at(8, inner, 11, 3), Some(1));
        assert_eq!(button_at(8, inner, 75, 3), Some(7));
        assert_eq!(button_at(8, inner, 5, 4), None);
        // Two rows when narrow.
        let narrow = Rect::new(0, 0, 30, 2);
        assert_eq!(button_at(8, narrow, 0, 1), Some(4));
    }

    #[test]
    fn buttons_wrap_when_the_panel_is_narrow() {
        assert_eq!(grid(8, 200), (8, 1));
        assert_eq!(grid(8, 30), (4, 2));
        assert_eq!(panel_height(8, 80), 3);
    }

    #[test]
    fn buttons_show_their_weights_and_the_selected_one_is_reversed() {
        let mut app = app();
        set_inputs_0_half_and_3_tenths(&mut app);
        assert_eq!(
            text_of(Buttons(&app), 40, 3),
            Buffer::with_lines([
                "┌ inputs 1-9 toggle · ←→ select · +/- w┐",
                "│1▕     ▏0   2▕██  ▏.5   3▕█▎  ▏.3     │",
                "└──────────────────────────────────────┘",
            ])
        );
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 3));
        Buttons(&app).render(buf.area, &mut buf);
        assert!(buf[(25, 1)].modifier.contains(Modifier::REVERSED));
        assert!(!buf[(1, 1)].modifier.contains(Modifier::REVERSED));
    }
}
