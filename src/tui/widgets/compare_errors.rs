//! Per-image errors of compared runs: for every training image, its latest error in each run
//! and its rank within that run (1 = the run's best-learnt image). A rank that differs from
//! the first run's is marked ↑ (better there) in green or ↓ (worse) in red, so "better at
//! different images" shows at a glance; "–" where a run does not train on the image.
//!
//! ```text
//! ┌ image     v0.1.6       v0.1.6.1     two-layer ───┐   the runs' names in the border,
//! │ 00000001  5.77e-7  6   1.00e-5  7↓  1.35e-8  3↑  │   so every row is an image
//! └ error and rank per training image ───────────────┘
//! ```
//! Where that is too wide, only the ranks are shown.

use crate::train::comparison::ErrorTable;
use crate::tui::app::App;
use crate::tui::theme::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

/// Columns per run: "1.23e-4  8↓" and a gap.
pub const RUN_COLUMN: usize = 13;

/// Columns per run with ranks only: a name of up to 9 characters and a gap.
pub const COMPACT_RUN_COLUMN: usize = 10;

/// Columns per run with the errors, or (`compact`) the ranks only.
fn column_width(compact: bool) -> usize {
    if compact {
        COMPACT_RUN_COLUMN
    } else {
        RUN_COLUMN
    }
}

/// Width the table wants for `runs` runs and stems of `stem_width` characters, with the
/// errors or (`compact`) the ranks only.
pub fn width_for(runs: usize, stem_width: usize, compact: bool) -> u16 {
    (2 + stem_width.max(5) + 2 + column_width(compact) * runs + 1) as u16
}

pub struct CompareErrors<'a>(pub &'a App);

impl Widget for CompareErrors<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        let runs = app.runs_on_screen();
        let table = app.error_table();
        let stem_width = table.stems.iter().map(String::len).max().unwrap_or(0);
        let stem_width = stem_width.max(5);
        let compact = area.width < width_for(runs.len(), stem_width, false);
        let column = column_width(compact);
        // The column heads sit in the top border, above the rows' text.
        let first = Span::styled(format!(" {:stem_width$}  ", "image"), theme.title());
        let heads = std::iter::once(first).chain(runs.iter().map(|r| {
            let name: String = r.run.name.chars().take(column - 1).collect();
            let color = Style::new().fg(theme.run_color(r.number));
            Span::styled(format!("{name:column$}"), color)
        }));
        let what = if compact {
            " rank per training image (↑↓: against the first run) "
        } else {
            " error and rank per training image (↑↓: rank against the first run) "
        };
        let block = Block::bordered()
            .border_style(theme.border())
            .title(Line::from(heads.collect::<Vec<_>>()))
            .title_bottom(Line::styled(what, theme.dim()));
        let lines: Vec<Line> = (table.stems.iter().enumerate())
            .map(|(i, stem)| {
                let mut spans = vec![Span::raw(format!(" {stem:stem_width$}  "))];
                for r in 0..runs.len() {
                    spans.extend(cell(&table, i, r, compact, theme));
                }
                Line::from(spans)
            })
            .collect();
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

/// The spans of image `i` in run `r`: error (unless `compact`), rank and its move, padded
/// to the column.
fn cell(table: &ErrorTable, i: usize, r: usize, compact: bool, theme: Theme) -> Vec<Span<'static>> {
    let column = column_width(compact);
    let Some(Some(s)) = table.cells[i].get(r) else {
        return vec![Span::styled(format!("{:column$}", "–"), theme.dim())];
    };
    let (mark, style) = match table.rank_change(i, r) {
        Some(d) if d < 0 => ("↑", theme.good()),
        Some(d) if d > 0 => ("↓", theme.bad()),
        _ => ("", Style::new()),
    };
    let error = if compact {
        String::new()
    } else {
        format!("{}  ", theme::sci(s.error))
    };
    let rank = format!("{}{mark}", s.rank);
    let pad = column.saturating_sub(error.chars().count() + rank.chars().count());
    vec![
        Span::raw(error),
        Span::styled(rank, style),
        Span::raw(" ".repeat(pad)),
    ]
}
