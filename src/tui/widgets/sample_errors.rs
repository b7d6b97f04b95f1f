//! Per-sample errors: each training image's current error as a bar and a number, so one sees
//! which images the network has learnt. The sample shown beside the output is highlighted;
//! the best is green, the worst red.

use crate::shown::Shown;
use crate::tui::app::App;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

/// Columns needed to list `n` samples in at most `rows` rows.
pub fn columns_for(n: usize, rows: usize) -> usize {
    n.div_ceil(rows.max(1)).max(1)
}

/// A bar of `width` cells, `fraction` (0..1) of it filled, in eighths.
pub fn bar(fraction: f64, width: usize) -> String {
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    let eighths = (fraction.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut s: String = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8 - 1]);
    }
    let used = s.chars().count();
    s + &" ".repeat(width.saturating_sub(used))
}

/// Where the row of sample `i` of `n` is drawn in the widget's `inner` area: samples fill
/// columns top to bottom, as many columns as needed; empty when it does not fit.
pub fn sample_rect(n: usize, inner: Rect, i: usize) -> Rect {
    let rows = usize::from(inner.height).max(1);
    let cols = columns_for(n, rows);
    let per_col = n.div_ceil(cols).max(1);
    let col_width = inner.width / cols as u16;
    let (c, r) = (i / per_col, i % per_col);
    let x = inner.x + c as u16 * col_width;
    let y = inner.y + r as u16;
    Rect::new(x, y, col_width, 1).intersection(inner)
}

/// The sample of `n` whose row is drawn at cell (`column`, `row`) of the `inner` area.
pub fn sample_at(n: usize, inner: Rect, column: u16, row: u16) -> Option<usize> {
    let cell = Rect::new(column, row, 1, 1);
    (0..n).find(|&i| sample_rect(n, inner, i).intersects(cell))
}

pub struct SampleErrors<'a>(pub &'a App);

impl SampleErrors<'_> {
    /// Rows this widget wants (borders included) to list every sample in `width` columns
    /// when it may take at most `max_height` rows.
    pub fn height_for(n: usize, max_height: u16) -> u16 {
        let rows = usize::from(max_height.saturating_sub(2)).max(1);
        let cols = columns_for(n, rows);
        (n.div_ceil(cols) as u16).max(1) + 2
    }
}

impl Widget for SampleErrors<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        let block = Block::bordered()
            .border_style(theme.border())
            .title(Line::from(vec![
                Span::styled(" error per training image ", theme.title()),
                Span::styled("(t shows each) ", theme.dim()),
            ]));
        let inner = block.inner(area);
        block.render(area, buf);
        let n = app.samples.len();
        if n == 0 || inner.height == 0 {
            return;
        }
        let col_width = usize::from(sample_rect(n, inner, 0).width);
        let errors = &app.run_status.sample_errors;
        let max = errors.iter().copied().fold(0.0f64, f64::max);
        let best = arg(errors, |a, b| a < b);
        let worst = arg(errors, |a, b| a > b);
        let shown = app.matching_sample();
        let stems: Vec<String> = app
            .samples
            .iter()
            .map(|s| Shown(&s.stem).to_string())
            .collect();
        let stem_width = stems.iter().map(|s| s.chars().count()).max().unwrap_or(0);
        for (i, stem) in stems.iter().enumerate() {
            let rect = sample_rect(n, inner, i);
            if rect.is_empty() {
                continue;
            }
            let error = errors.get(i).copied();
            let value = error.map_or("–".to_string(), theme::sci);
            let bar_width = col_width.saturating_sub(stem_width + value.len() + 4);
            let fraction = match error {
                Some(e) if max > 0.0 => e / max,
                _ => 0.0,
            };
            let value_style = if Some(i) == best {
                theme.good()
            } else if Some(i) == worst {
                theme.bad()
            } else {
                Style::new()
            };
            let mut stem_style = Style::new();
            if Some(i) == shown {
                stem_style = stem_style.add_modifier(Modifier::REVERSED);
            }
            let line = Line::from(vec![
                Span::raw(" "),
                Span::styled(format!("{stem:<stem_width$}"), stem_style),
                Span::raw(" "),
                Span::styled(bar(fraction, bar_width), theme.accent()),
                Span::raw(" "),
                Span::styled(value, value_style),
            ]);
            line.render(rect, buf);
        }
    }
}

/// Index of the element that wins `better` against all others.
fn arg(values: &[f64], better: fn(f64, f64) -> bool) -> Option<usize> {
    if values.len() < 2 {
        return None;
    }
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if better(v, values[best]) {
            best = i;
        }
    }
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::app;
    use crate::tui::widgets::tests::text_of;
    use crate::tui::widgets::tests::trained;

    #[test]
    fn bars_fill_in_eighths() {
        assert_eq!(bar(1.0, 3), "███");
        assert_eq!(bar(0.5, 3), "█▌ ");
        assert_eq!(bar(0.0, 2), "  ");
        assert_eq!(bar(0.5, 0), "");
    }

    #[test]
    fn a_click_finds_the_sample_row_drawn_there() {
        // 8 samples in 4 rows: two columns of 20 cells, filled top to bottom.
        let inner = Rect::new(1, 10, 40, 4);
        assert_eq!(sample_at(8, inner, 1, 10), Some(0));
        assert_eq!(sample_at(8, inner, 19, 13), Some(3));
        assert_eq!(sample_at(8, inner, 21, 10), Some(4));
        assert_eq!(sample_at(8, inner, 40, 13), Some(7));
        assert_eq!(sample_at(8, inner, 5, 14), None);
        assert_eq!(sample_at(3, inner, 5, 13), None);
    }

    #[test]
    fn samples_wrap_into_columns_when_rows_run_out() {
        assert_eq!(columns_for(8, 8), 1);
        assert_eq!(columns_for(8, 4), 2);
        assert_eq!(columns_for(8, 3), 3);
        assert_eq!(SampleErrors::height_for(8, 20), 10);
        assert_eq!(SampleErrors::height_for(8, 6), 6);
    }

    #[test]
    fn each_sample_gets_a_bar_scaled_to_the_worst() {
        let mut app = app();
        app.run_status.add_progress(trained());
        assert_eq!(
            text_of(SampleErrors(&app), 40, 4),
            Buffer::with_lines([
                "┌ error per training image (t shows eac┐",
                "│ 100 ████████                 2.00e-2 │",
                "│ 010 ████████████████████████ 6.00e-2 │",
                "└──────────────────────────────────────┘",
            ])
        );
    }
}
