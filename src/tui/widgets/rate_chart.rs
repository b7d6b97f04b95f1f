//! The learning-rate schedule: the rate over the epochs as a step line on a log axis, each
//! halving marked with a dot and listed with its epoch.

use super::error_chart::{log_bounds, log_labels};
use crate::train::schedule::Halving;
use crate::tui::app::App;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Widget};

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
        let h = &app.run_status.history;
        let current = app
            .run_status
            .learning_rate
            .or(h.learning_rates.last().copied());
        let mut title = vec![Span::styled(" learning rate ", theme::title())];
        if let Some(lr) = current {
            title.push(Span::styled(format!("{lr} "), theme::accent()));
        }
        let footer = halvings_footer(&h.halvings, area.width);
        let block = Block::bordered()
            .border_style(theme::border())
            .title(Line::from(title))
            .title_bottom(Line::styled(footer, theme::dim()));
        let inner = block.inner(area);
        block.render(area, buf);
        let (Some(&initial), Some(_)) = (h.learning_rates.first(), current) else {
            return;
        };
        plot(
            h.first_epoch,
            h.last_epoch(),
            initial,
            &h.halvings,
            inner,
            buf,
        );
    }
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
    area: Rect,
    buf: &mut Buffer,
) {
    let log = |p: &[(f64, f64)]| -> Vec<(f64, f64)> {
        p.iter().map(|&(x, y)| (x, y.max(1e-30).log10())).collect()
    };
    let steps = log(&step_points(first, last, initial, halvings));
    let marks: Vec<(f64, f64)> = log(&halvings
        .iter()
        .filter(|h| h.epoch >= first)
        .map(|h| (h.epoch as f64, f64::from(h.learning_rate)))
        .collect::<Vec<_>>());
    let (lo, hi) = steps
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
            (lo.min(y), hi.max(y))
        });
    let y_bounds = log_bounds(lo, hi);
    let x_bounds = [first as f64, (last as f64).max(first as f64 + 1.0)];
    let datasets = vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(Color::Magenta))
            .data(&steps),
        Dataset::default()
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(Style::new().fg(Color::Yellow))
            .data(&marks),
    ];
    Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds(x_bounds)
                .style(theme::dim())
                .labels([first.to_string(), last.to_string()]),
        )
        .y_axis(
            Axis::default()
                .bounds(y_bounds)
                .style(theme::dim())
                .labels(log_labels(y_bounds)),
        )
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
