//! The pictures of compared runs for the same buttons: one pane per run (as many as fit,
//! `n` shows the others), the difference |A − B| of the two runs in focus as a heat map
//! beside them, or one large pane blinking between them. Each pane is titled with its
//! run's name (in the run's colour), preset and epoch; a run that cannot be read says why
//! in its pane.
//!
//! ```text
//! ┌ A v0.1.6 · v0.1.6 · epoch 10000 ┐┌ B v0.1.6.1 · … ┐┌ two-layer · … ┐
//! │           (picture)             ││                ││               │
//! └─────────────────────────────────┘└────────────────┘└ n: next ──────┘
//! ```

use super::output::draw_picture;
use crate::render::Picture;
use crate::render::difference::difference;
use crate::tui::app::comparison::RunView;
use crate::tui::app::{App, CompareView, Comparison};
use crate::tui::theme::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

/// Narrowest a pane gets; fewer panes are shown (and `n` cycles them) below this.
pub const MIN_PANE_WIDTH: u16 = 24;

/// How many side-by-side panes fit in `width` columns, for `runs` runs.
pub fn panes_that_fit(width: u16, runs: usize) -> usize {
    usize::from(width / MIN_PANE_WIDTH).clamp(1, runs.max(1))
}

pub struct ComparePanes<'a>(pub &'a App);

impl Widget for ComparePanes<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let Some(comparison) = &app.comparison else {
            return;
        };
        let runs = app.runs_on_screen();
        let (a, b) = comparison.focus;
        let (Some(run_a), Some(run_b)) = (runs.get(a), runs.get(b)) else {
            return;
        };
        match comparison.view {
            CompareView::SideBySide => side_by_side(app, comparison, &runs, area, buf),
            CompareView::Difference => {
                let panes = if area.width >= 3 * MIN_PANE_WIDTH {
                    3
                } else {
                    1
                };
                let areas = Layout::horizontal(vec![Constraint::Fill(1); panes]).split(area);
                if panes == 3 {
                    RunPane::new(app, run_a, Some('A')).render(areas[0], buf);
                    RunPane::new(app, run_b, Some('B')).render(areas[1], buf);
                }
                DifferencePane(app, run_a, run_b).render(areas[panes - 1], buf);
            }
            CompareView::Blink => {
                let (shown, letter) = if comparison.blink_on_b {
                    (run_b, 'B')
                } else {
                    (run_a, 'A')
                };
                let mut pane = RunPane::new(app, shown, Some(letter));
                pane.note = Some(format!(
                    " blinking A {} ⇄ B {} · b stops ",
                    run_a.run.name, run_b.run.name
                ));
                pane.render(area, buf);
            }
        }
    }
}

/// One pane per run, as many as fit in `area`.
fn side_by_side(
    app: &App,
    comparison: &Comparison,
    runs: &[RunView],
    area: Rect,
    buf: &mut Buffer,
) {
    let fit = panes_that_fit(area.width, runs.len());
    let shown = comparison.panes(fit);
    let areas = Layout::horizontal(vec![Constraint::Fill(1); shown.len()]).split(area);
    let (a, b) = comparison.focus;
    for (k, (&i, &pane_area)) in shown.iter().zip(areas.iter()).enumerate() {
        let letter = match i {
            _ if i == a => Some('A'),
            _ if i == b => Some('B'),
            _ => None,
        };
        let mut pane = RunPane::new(app, &runs[i], letter);
        if k + 1 == shown.len() && shown.len() < runs.len() {
            pane.note = Some(format!(
                " n: next ({} of {} shown) ",
                shown.len(),
                runs.len()
            ));
        }
        pane.render(pane_area, buf);
    }
}

/// The picture of one run for the buttons.
struct RunPane<'a> {
    app: &'a App,
    view: &'a RunView<'a>,
    /// "A" or "B" when the run is in focus.
    letter: Option<char>,
    /// Said on the bottom border.
    note: Option<String>,
}

impl<'a> RunPane<'a> {
    fn new(app: &'a App, view: &'a RunView<'a>, letter: Option<char>) -> Self {
        RunPane {
            app,
            view,
            letter,
            note: None,
        }
    }
}

/// The run's picture for the buttons, if it has weights that make one.
fn picture_of(app: &App, view: &RunView) -> Option<Picture> {
    let run = view.run;
    if view.problem.is_some() {
        return None;
    }
    let map = app.view.color_map;
    Picture::from_output(view.values(), run.width, run.height, run.channels, map)
}

/// The pane's title: letter, name in the run's colour, preset and epoch as far as they fit.
fn pane_title(view: &RunView, letter: Option<char>, width: u16, theme: Theme) -> Line<'static> {
    let color = Style::new().fg(theme.run_color(view.number));
    let mut spans = vec![Span::raw(" ")];
    if let Some(l) = letter {
        spans.push(Span::styled(format!("{l} "), theme.key()));
    }
    spans.push(Span::styled(
        view.run.name.clone(),
        color.patch(theme.title()),
    ));
    // A picture from the run's history says so.
    let kept = if view.history.is_some() { " ◂" } else { "" };
    let details = match view.run.preset.as_str() {
        "" => " ".to_string(),
        // A run named after its preset (as `nnimg experiment` names them) says it once.
        preset if preset == view.run.name => format!(" · epoch {}{} ", view.epoch(), kept),
        preset => format!(" · {preset} · epoch {}{} ", view.epoch(), kept),
    };
    let room = usize::from(width.saturating_sub(2));
    let used: usize = spans.iter().map(Span::width).sum();
    if used + details.chars().count() <= room {
        spans.push(Span::styled(details, theme.dim()));
    } else {
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

impl Widget for RunPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let view = self.view;
        let theme = self.app.view.theme;
        let mut block = Block::bordered()
            .border_style(theme.border())
            .title(pane_title(view, self.letter, area.width, theme));
        if let Some(note) = &self.note {
            block = block.title_bottom(Line::styled(note.clone(), theme.dim()));
        }
        let inner = block.inner(area);
        block.render(area, buf);
        if let Some(problem) = view.problem {
            Paragraph::new(Line::styled(problem.to_string(), theme.bad()))
                .wrap(Wrap { trim: true })
                .render(inner, buf);
            return;
        }
        match picture_of(self.app, view) {
            Some(p) => {
                draw_picture(&p, inner, self.app.view.color_mode, theme.background, buf);
            }
            None => Line::styled("waiting for weights…", theme.dim()).render(inner, buf),
        }
    }
}

/// |A − B| of the two runs in focus as a heat map (black: the same; bright: most apart).
struct DifferencePane<'a>(&'a App, &'a RunView<'a>, &'a RunView<'a>);

impl Widget for DifferencePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let DifferencePane(app, a, b) = self;
        let theme = app.view.theme;
        let pictures = picture_of(app, a).zip(picture_of(app, b));
        let diff = pictures.map(|(pa, pb)| difference(&pa, &pb));
        let mut title = vec![Span::styled(" |A−B| ", theme.title())];
        title.push(Span::styled(
            format!("{} − {} ", a.run.name, b.run.name),
            theme.dim(),
        ));
        let footer = match &diff {
            Some(d) => format!(
                " brightest {} · mean {} · d: back ",
                theme::sci(f64::from(d.max)),
                theme::sci(f64::from(d.mean))
            ),
            None => " d: back ".to_string(),
        };
        let block = Block::bordered()
            .border_style(theme.border())
            .title(Line::from(title))
            .title_bottom(Line::styled(footer, theme.dim()));
        let inner = block.inner(area);
        block.render(area, buf);
        match diff {
            Some(d) => {
                draw_picture(
                    &d.picture,
                    inner,
                    app.view.color_mode,
                    theme.background,
                    buf,
                );
            }
            None => Line::styled("needs the pictures of both runs", theme.dim()).render(inner, buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_narrower_than_the_minimum_are_not_drawn() {
        assert_eq!(panes_that_fit(200, 4), 4);
        assert_eq!(panes_that_fit(60, 3), 2);
        assert_eq!(panes_that_fit(20, 3), 1);
        assert_eq!(panes_that_fit(80, 2), 2);
    }
}
