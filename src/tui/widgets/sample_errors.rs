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
        let block = Block::bordered()
            .border_style(theme::border())
            .title(Line::from(vec![
                Span::styled(" error per training image ", theme::title()),
                Span::styled("(t shows each) ", theme::dim()),
            ]));
        let inner = block.inner(area);
        block.render(area, buf);
        let n = app.samples.len();
        if n == 0 || inner.height == 0 {
            return;
        }
        let rows = usize::from(inner.height);
        let cols = columns_for(n, rows);
        let col_width = usize::from(inner.width) / cols;
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
            let (c, r) = (i / rows.min(n.div_ceil(cols)), i % n.div_ceil(cols));
            let x = inner.x + (c * col_width) as u16;
            let y = inner.y + r as u16;
            if y >= inner.bottom() {
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
                theme::good()
            } else if Some(i) == worst {
                theme::bad()
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
                Span::styled(bar(fraction, bar_width), theme::accent()),
                Span::raw(" "),
                Span::styled(value, value_style),
            ]);
            line.render(Rect::new(x, y, col_width as u16, 1), buf);
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
