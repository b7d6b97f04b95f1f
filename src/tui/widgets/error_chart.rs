//! The error history chart: the whole run (or the recent window) on a logarithmic error
//! axis, downsampled to the chart's width with the minimum and maximum of each bucket so
//! spikes survive, optionally with TensorBoard-style exponential smoothing.
//!
//! ratatui's `Chart` has no log axis, so the chart plots log10 of the errors and labels the
//! ticks with the errors themselves.
//!
//! When runs are compared, every run is one series in its own colour on the same log axis,
//! named in the legend; the recent window is the last epochs of the furthest run.

use crate::train::history::{Bucket, RECENT_EPOCHS};
use crate::tui::app::App;
use crate::tui::theme::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Constraint;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, LegendPosition, Widget};

/// Smallest error plotted (log10 needs a positive value).
const FLOOR: f64 = 1e-12;

/// A chart line: `(epoch, log10 error)` pairs.
pub type Series = Vec<(f64, f64)>;

/// The lines of the chart for `buckets` (from the history, already at most the chart's
/// width): each bucket's lowest and highest error in the order they occur, and the smoothed
/// error at each bucket's end.
pub fn series(buckets: &[Bucket]) -> (Series, Series) {
    let point = |(epoch, error): (usize, f64)| (epoch as f64, error.max(FLOOR).log10());
    let mut raw = Vec::with_capacity(2 * buckets.len());
    for b in buckets {
        let (lo, hi) = (point(b.min), point(b.max));
        match b.min.0.cmp(&b.max.0) {
            std::cmp::Ordering::Less => raw.extend([lo, hi]),
            std::cmp::Ordering::Greater => raw.extend([hi, lo]),
            std::cmp::Ordering::Equal => raw.push(if lo == hi { lo } else { hi }),
        }
    }
    raw.retain(|(_, y)| y.is_finite());
    let smoothed = buckets
        .iter()
        .map(|b| point((b.last, b.smoothed)))
        .filter(|(_, y)| y.is_finite())
        .collect();
    (raw, smoothed)
}

/// Bounds of a log10 axis around `lo..=hi` (log10 values): padded a little so lines do not
/// sit on the frame, at least a tenth of a decade tall.
pub fn log_bounds(lo: f64, hi: f64) -> [f64; 2] {
    let span = (hi - lo).max(0.1);
    let mid = (lo + hi) / 2.0;
    [mid - span * 0.55, mid + span * 0.55]
}

/// Three tick labels (bottom, middle, top) for a log10 axis with `bounds`.
pub fn log_labels(bounds: [f64; 2]) -> Vec<String> {
    let [lo, hi] = bounds;
    [lo, (lo + hi) / 2.0, hi]
        .iter()
        .map(|&x| theme::sci(10f64.powf(x)))
        .collect()
}

/// The error chart for the app's history.
pub struct ErrorChart<'a>(pub &'a App);

impl Widget for ErrorChart<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        if app.comparison.is_some() {
            render_runs(app, area, buf);
            return;
        }
        let h = &app.run_status.history;
        let block = frame(app);
        let inner = block.inner(area);
        block.render(area, buf);
        if h.is_empty() {
            Line::styled(" no epochs yet", theme.dim()).render(inner, buf);
            return;
        }
        let width = chart_width(inner);
        let buckets = if app.view.recent_only {
            h.recent(RECENT_EPOCHS, width)
        } else {
            h.whole_run(width)
        };
        plot(
            &buckets,
            app.view.smoothing,
            app.scrub.epoch(),
            theme,
            inner,
            buf,
        );
    }
}

/// One run's errors as one line of the chart.
struct RunSeries {
    name: String,
    color: Color,
    /// The run's history, already at most the chart's width.
    buckets: Vec<Bucket>,
}

/// Buckets for a chart in `area`: two columns of braille dots per cell, less about 9 columns
/// for the y labels.
fn chart_width(area: Rect) -> usize {
    usize::from(area.width.saturating_sub(10)).max(1) * 2
}

/// The chart of every run on screen, one series each.
fn render_runs(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.view.theme;
    let runs = app.runs_on_screen();
    let last = runs
        .iter()
        .map(|r| r.status.history.last_epoch())
        .max()
        .unwrap_or(0);
    // The recent window is the same epochs for every run: those after `from`.
    let from = last.saturating_sub(RECENT_EPOCHS);
    // The border takes a cell on each side.
    let width = chart_width(Block::bordered().inner(area));
    let series: Vec<RunSeries> = runs
        .iter()
        .map(|r| {
            let h = &r.status.history;
            let buckets = if app.view.recent_only {
                h.recent(h.last_epoch().saturating_sub(from), width)
            } else {
                h.whole_run(width)
            };
            RunSeries {
                name: r.run.name.clone(),
                color: theme.run_color(r.number),
                buckets,
            }
        })
        .collect();
    let title = title(app, &format!(" · {} runs", runs.len()));
    let mut footer = vec![Span::raw(" now")];
    for r in &runs {
        let now = r
            .status
            .history
            .current()
            .map_or("–".to_string(), theme::sci);
        footer.push(Span::raw(" "));
        footer.push(Span::styled(
            now,
            Style::new().fg(theme.run_color(r.number)),
        ));
    }
    footer.push(Span::raw(" "));
    let block = Block::bordered()
        .border_style(theme.border())
        .title(title)
        .title_bottom(Line::from(footer));
    let inner = block.inner(area);
    block.render(area, buf);
    if series.iter().all(|s| s.buckets.is_empty()) {
        Line::styled(" no epochs yet", theme.dim()).render(inner, buf);
        return;
    }
    plot_runs(&series, app.view.smoothing, theme, inner, buf);
}

/// Several runs' errors on one log axis in `area` (each run's smoothed curve instead when
/// `smoothing`), with a legend naming them.
fn plot_runs(series: &[RunSeries], smoothing: bool, theme: Theme, area: Rect, buf: &mut Buffer) {
    let points: Vec<Series> = series
        .iter()
        .map(|s| {
            let (raw, smoothed) = super::error_chart::series(&s.buckets);
            if smoothing { smoothed } else { raw }
        })
        .collect();
    let all = points.iter().flatten();
    let (lo, hi) = all
        .clone()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
            (lo.min(y), hi.max(y))
        });
    let (first, last) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &(x, _)| {
        (a.min(x), b.max(x))
    });
    let y_bounds = log_bounds(lo, hi);
    let x_bounds = [first, last.max(first + 1.0)];
    let datasets = series
        .iter()
        .zip(&points)
        .map(|(s, p)| {
            Dataset::default()
                .name(s.name.clone())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(s.color))
                .data(p)
        })
        .collect();
    let (first, last) = (first as usize, last as usize);
    let mid = (first + last) / 2;
    let x_labels = vec![first.to_string(), mid.to_string(), last.to_string()];
    log_chart(datasets, x_bounds, x_labels, y_bounds, theme)
        .legend_position(Some(LegendPosition::TopRight))
        .hidden_legend_constraints((Constraint::Percentage(25), Constraint::Percentage(40)))
        .render(area, buf);
}

/// `datasets` over an epoch axis (`x_bounds`, labelled `x_labels`) and a log10 axis
/// (`y_bounds`, labelled with the values themselves).
pub fn log_chart<'a>(
    datasets: Vec<Dataset<'a>>,
    x_bounds: [f64; 2],
    x_labels: Vec<String>,
    y_bounds: [f64; 2],
    theme: Theme,
) -> Chart<'a> {
    Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds(x_bounds)
                .style(theme.dim())
                .labels(x_labels),
        )
        .y_axis(
            Axis::default()
                .bounds(y_bounds)
                .style(theme.dim())
                .labels(log_labels(y_bounds)),
        )
}

/// The border, with the view in the title and the current and best errors at the bottom.
fn frame(app: &App) -> Block<'static> {
    let theme = app.view.theme;
    let h = &app.run_status.history;
    let title = title(app, "");
    let mut footer = vec![Span::raw(" ")];
    if let Some(now) = h.current() {
        footer.push(Span::raw("now "));
        footer.push(Span::styled(theme::sci(now), theme.accent()));
    }
    if let Some((epoch, best)) = h.best() {
        footer.push(Span::raw("  best "));
        footer.push(Span::styled(theme::sci(best), theme.good()));
        footer.push(Span::raw(format!(" @{epoch} ")));
    }
    Block::bordered()
        .border_style(theme.border())
        .title(title)
        .title_bottom(Line::from(footer))
}

/// The chart's title: the view (whole run or recent epochs, `extra`, smoothed or not).
fn title(app: &App, extra: &str) -> Line<'static> {
    let theme = app.view.theme;
    let view = if app.view.recent_only {
        format!("last {RECENT_EPOCHS} epochs")
    } else {
        "whole run".to_string()
    };
    let mut title = vec![
        Span::styled(" error ", theme.title()),
        Span::styled(format!("(log) · {view}{extra}"), theme.dim()),
    ];
    if app.view.smoothing {
        title.push(Span::styled(" · smoothed", theme.dim()));
    }
    title.push(Span::raw(" "));
    Line::from(title)
}

/// The `buckets` on a log axis in `area`, with the smoothed line over them when `smoothing`,
/// and a vertical line at epoch `marked` (the picture history's epoch on screen) when it is
/// in view.
fn plot(
    buckets: &[Bucket],
    smoothing: bool,
    marked: Option<usize>,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return;
    };
    let (first, last) = (first.first, last.last);
    let (raw, smoothed) = series(buckets);
    let smoothed = smoothing.then_some(smoothed);
    let (lo, hi) = raw
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
            (lo.min(y), hi.max(y))
        });
    let y_bounds = log_bounds(lo, hi);
    let x_bounds = [first as f64, (last as f64).max(first as f64 + 1.0)];
    let raw_style = if smoothing {
        theme.dim()
    } else {
        theme.accent()
    };
    let line = |style, data| {
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(style)
            .data(data)
    };
    let mark: Vec<(f64, f64)> = marked
        .filter(|&e| (first..=last).contains(&e))
        .map(|e| vec![(e as f64, y_bounds[0]), (e as f64, y_bounds[1])])
        .unwrap_or_default();
    let mut datasets = vec![line(raw_style, &raw)];
    if let Some(s) = &smoothed {
        datasets.push(line(theme.accent(), s));
    }
    if !mark.is_empty() {
        datasets.push(line(theme.marker(), &mark));
    }
    let mid = (first + last) / 2;
    let x_labels = vec![first.to_string(), mid.to_string(), last.to_string()];
    log_chart(datasets, x_bounds, x_labels, y_bounds, theme).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::app;
    use crate::tui::widgets::tests::text_of;
    use crate::tui::widgets::tests::trained;

    #[test]
    fn a_bucket_gives_its_extremes_in_the_order_they_occur() {
        let bucket = |min, max| Bucket {
            first: 1,
            last: 9,
            min,
            max,
            smoothed: 1.0,
        };
        let (raw, smoothed) = series(&[bucket((7, 0.01), (3, 10.0)), bucket((9, 1.0), (9, 1.0))]);
        assert_eq!(raw, [(3.0, 1.0), (7.0, -2.0), (9.0, 0.0)]);
        assert_eq!(smoothed, [(9.0, 0.0), (9.0, 0.0)]);
    }

    #[test]
    fn log_labels_name_the_errors() {
        assert_eq!(log_labels([-3.0, -1.0]), ["1.00e-3", "1.00e-2", "1.00e-1"]);
        let [lo, hi] = log_bounds(-2.0, -2.0);
        assert!(lo < -2.0 && hi > -2.0);
    }

    #[test]
    fn the_chart_draws_the_errors_on_a_log_axis_with_now_and_best() {
        let mut app = app();
        app.run_status.add_progress(trained());
        assert_eq!(
            text_of(ErrorChart(&app), 40, 8),
            Buffer::with_lines([
                "┌ error (log) · whole run ─────────────┐",
                "│5.67e-1│⠒⠒⠢⠤⠤⠤⢄⣀⣀⣀⣀⣀⣀⡀                │",
                "│       │             ⠈⠉⠒⠢⠤⣀⡀          │",
                "│1.41e-1│                   ⠈⠑⠒⠤⣀      │",
                "│3.53e-2│                        ⠉⠒⠒⠒⠤⠤│",
                "│       └──────────────────────────────│",
                "│       1               4             8│",
                "└ now 4.00e-2  best 4.00e-2 @8 ────────┘",
            ])
        );
    }
}
