//! The learning-rate schedule: the rate over the epochs as a step line on a log axis, each
//! halving marked with a dot and listed with its epoch. When runs are compared, each run's
//! schedule is a step line in its colour with its halvings marked in the same colour, and
//! the bottom line counts each run's halvings.

use super::error_chart::{log_bounds, log_chart};
use crate::train::schedule::Halving;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Dataset, GraphType, Widget};

/// The corners of the step line from `first` to `last` starting at `initial`, one step down
/// at each halving (at the end of its epoch): `(epoch, rate)` pairs.
pub fn step_points(
    first: usize,
    last: usize,
    initial: f32,
    halvings: &[Halving],
) -> Vec<(f64, f64)> {
    let mut points = vec![(first as f64, f64::from(initial))];
    let mut rate = f64::from(initial);
    for h in halvings
        .iter()
        .filter(|h| h.epoch >= first && h.epoch <= last)
    {
        points.push((h.epoch as f64, rate));
        rate = f64::from(h.learning_rate);
        points.push((h.epoch as f64, rate));
    }
    points.push((last.max(first) as f64, rate));
    points
}

pub struct RateChart<'a>(pub &'a App);

impl Widget for RateChart<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        if app.comparison.is_some() {
            render_runs(app, area, buf);
            return;
        }
        let h = &app.run_status.history;
        let current = app.run_status.learning_rate.or(h.last_learning_rate());
        let mut title = vec![Span::styled(" learning rate ", theme.title())];
        if let Some(lr) = current {
            title.push(Span::styled(format!("{lr} "), theme.accent()));
        }
        let footer = halvings_footer(h.halvings(), area.width);
        let block = Block::bordered()
            .border_style(theme.border())
            .title(Line::from(title))
            .title_bottom(Line::styled(footer, theme.dim()));
        let inner = block.inner(area);
        block.render(area, buf);
        let (Some(initial), Some(_)) = (h.initial_learning_rate(), current) else {
            return;
        };
        plot(
            h.first_epoch(),
            h.last_epoch(),
            initial,
            h.halvings(),
            theme,
            inner,
            buf,
        );
    }
}

/// Every run's schedule, each in its colour.
fn render_runs(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.view.theme;
    let runs = app.runs_on_screen();
    let mut footer = vec![Span::raw(" ½ ×")];
    for r in &runs {
        footer.push(Span::raw(" "));
        footer.push(Span::styled(
            r.status.history.halvings().len().to_string(),
            Style::new().fg(theme.run_color(r.number)),
        ));
    }
    footer.push(Span::raw(" "));
    let block = Block::bordered()
        .border_style(theme.border())
        .title(Line::styled(" learning rate ", theme.title()))
        .title_bottom(Line::from(footer));
    let inner = block.inner(area);
    block.render(area, buf);
    let schedules: Vec<Schedule> = runs
        .iter()
        .filter_map(|r| {
            let h = &r.status.history;
            Some(Schedule {
                first: h.first_epoch(),
                last: h.last_epoch(),
                initial: h.initial_learning_rate()?,
                halvings: h.halvings(),
                color: theme.run_color(r.number),
            })
        })
        .collect();
    if !schedules.is_empty() {
        plot_schedules(&schedules, theme, inner, buf);
    }
}

/// One run's schedule: epochs `first..=last` from rate `initial`, halved at `halvings`.
struct Schedule<'a> {
    first: usize,
    last: usize,
    initial: f32,
    halvings: &'a [Halving],
    color: Color,
}

/// The bottom line: the epochs of the latest halvings that fit in `width`.
fn halvings_footer(halvings: &[Halving], width: u16) -> String {
    let halvings: Vec<String> = halvings.iter().map(|h| h.epoch.to_string()).collect();
    if halvings.is_empty() {
        return " no halvings yet ".to_string();
    }
    // The latest halvings matter most; keep what fits.
    let room = usize::from(width.saturating_sub(16));
    let mut shown: Vec<&str> = Vec::new();
    let mut len = 0;
    for e in halvings.iter().rev() {
        if len + e.len() + 2 > room {
            break;
        }
        len += e.len() + 2;
        shown.push(e);
    }
    shown.reverse();
    let more = if shown.len() < halvings.len() {
        "…, "
    } else {
        ""
    };
    format!(" ½ at {more}{} ", shown.join(", "))
}

/// The rate from `first` to `last` as a step line on a log axis in `area`, starting at
/// `initial`, with a dot at each halving.
fn plot(
    first: usize,
    last: usize,
    initial: f32,
    halvings: &[Halving],
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let schedule = Schedule {
        first,
        last,
        initial,
        halvings,
        color: theme.rate_color(),
    };
    plot_schedules(&[schedule], theme, area, buf);
}

/// Schedules as step lines on one log axis in `area`, each with a dot at each halving: in
/// its own colour when there are several, the theme's rate and halving colours when alone.
fn plot_schedules(schedules: &[Schedule], theme: Theme, area: Rect, buf: &mut Buffer) {
    let log = |p: &[(f64, f64)]| -> Vec<(f64, f64)> {
        p.iter().map(|&(x, y)| (x, y.max(1e-30).log10())).collect()
    };
    // Per schedule: its step line and its halving dots, as (epoch, log10 rate).
    type Points = Vec<(f64, f64)>;
    let lines: Vec<(Points, Points)> = schedules
        .iter()
        .map(|s| {
            let steps = log(&step_points(s.first, s.last, s.initial, s.halvings));
            let marks = log(&s
                .halvings
                .iter()
                .filter(|h| h.epoch >= s.first)
                .map(|h| (h.epoch as f64, f64::from(h.learning_rate)))
                .collect::<Vec<_>>());
            (steps, marks)
        })
        .collect();
    let (lo, hi) = lines
        .iter()
        .flat_map(|(steps, _)| steps)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
            (lo.min(y), hi.max(y))
        });
    let y_bounds = log_bounds(lo, hi);
    let first = schedules.iter().map(|s| s.first).min().unwrap_or(0);
    let last = schedules.iter().map(|s| s.last).max().unwrap_or(0);
    let x_bounds = [first as f64, (last as f64).max(first as f64 + 1.0)];
    let alone = schedules.len() == 1;
    let mut datasets = Vec::new();
    for (s, (steps, marks)) in schedules.iter().zip(&lines) {
        let dots = if alone {
            theme.halving_color()
        } else {
            s.color
        };
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(s.color))
                .data(steps),
        );
        datasets.push(
            Dataset::default()
                .marker(Marker::Dot)
                .graph_type(GraphType::Scatter)
                .style(Style::new().fg(dots))
                .data(marks),
        );
    }
    let x_labels = vec![first.to_string(), last.to_string()];
    log_chart(datasets, x_bounds, x_labels, y_bounds, theme).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::app;
    use crate::tui::widgets::tests::text_of;
    use crate::tui::widgets::tests::trained;

    #[test]
    fn steps_down_at_each_halving() {
        let halvings = [
            Halving {
                epoch: 200,
                learning_rate: 0.05,
            },
            Halving {
                epoch: 300,
                learning_rate: 0.025,
            },
        ];
        let p = step_points(1, 400, 0.1, &halvings);
        let expected = [
            (1.0, 0.1),
            (200.0, 0.1),
            (200.0, 0.05),
            (300.0, 0.05),
            (300.0, 0.025),
            (400.0, 0.025),
        ];
        assert_eq!(p.len(), expected.len());
        for (a, b) in p.iter().zip(expected) {
            assert_eq!(a.0, b.0);
            assert!((a.1 - b.1).abs() < 1e-7, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn a_constant_rate_is_one_flat_line() {
        let p = step_points(5, 50, 0.1, &[]);
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].0, 50.0);
    }

    #[test]
    fn the_chart_steps_down_at_the_halving_and_lists_it() {
        let mut app = app();
        app.run_status.add_progress(trained());
        assert_eq!(
            text_of(RateChart(&app), 40, 8),
            Buffer::with_lines([
                "┌ learning rate 0.05 ──────────────────┐",
                "│1.04e-1│⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⢲                 │",
                "│       │            ⢸                 │",
                "│7.07e-2│            ⢸                 │",
                "│4.83e-2│            •⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤│",
                "│       └──────────────────────────────│",
                "│       1                             8│",
                "└ ½ at 4 ──────────────────────────────┘",
            ])
        );
    }
}
