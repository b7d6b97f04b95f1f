//! The error history chart: the whole run (or the recent window) on a logarithmic error
//! axis, downsampled to the chart's width with the minimum and maximum of each bucket so
//! spikes survive, optionally with TensorBoard-style exponential smoothing.
//!
//! ratatui's `Chart` has no log axis, so the chart plots log10 of the errors and labels the
//! ticks with the errors themselves.

use crate::tui::app::App;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Widget};

/// Epochs shown in the recent window (the `w` key).
pub const RECENT_EPOCHS: usize = 500;

/// Weight of the exponential moving average when smoothing is on.
pub const SMOOTHING: f64 = 0.9;

/// Smallest error plotted (log10 needs a positive value).
const FLOOR: f64 = 1e-12;

/// `values` (the value of x = `first_x + i` at index i) reduced to at most `2 * buckets`
/// points: for each of `buckets` runs of consecutive values, its minimum and its maximum,
/// in the order they occur, each at its own x. Fewer values than that are returned as they
/// are. Non-finite values are skipped.
pub fn min_max_downsample(values: &[f64], first_x: usize, buckets: usize) -> Vec<(f64, f64)> {
    let points = values
        .iter()
        .enumerate()
        .map(|(i, &v)| ((first_x + i) as f64, v))
        .filter(|(_, v)| v.is_finite());
    if buckets == 0 || values.len() <= 2 * buckets {
        return points.collect();
    }
    let mut out = Vec::with_capacity(2 * buckets);
    for b in 0..buckets {
        let (start, end) = (b * values.len() / buckets, (b + 1) * values.len() / buckets);
        let chunk = values[start..end]
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite());
        let lo = chunk.clone().min_by(|a, b| a.1.total_cmp(b.1));
        let hi = chunk.max_by(|a, b| a.1.total_cmp(b.1));
        if let (Some((i, &lo)), Some((j, &hi))) = (lo, hi) {
            let lo = ((first_x + start + i) as f64, lo);
            let hi = ((first_x + start + j) as f64, hi);
            if i == j {
                out.push(lo);
            } else if i < j {
                out.extend([lo, hi]);
            } else {
                out.extend([hi, lo]);
            }
        }
    }
    out
}

/// Exponential moving average with TensorBoard's debiasing:
/// `s_k = w s_(k-1) + (1 - w) v_k` from `s_0 = 0`, reported as `s_k / (1 - w^(k+1))`, so the
/// first points are not dragged towards 0. Non-finite values are passed through unchanged.
pub fn smooth(values: &[f64], weight: f64) -> Vec<f64> {
    let mut s = 0.0;
    let mut debias = 1.0;
    values
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                return v;
            }
            s = weight * s + (1.0 - weight) * v;
            debias *= weight;
            s / (1.0 - debias)
        })
        .collect()
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
        let h = &app.run_status.history;
        let (values, first) = if app.view.recent_only && h.errors.len() > RECENT_EPOCHS {
            let skip = h.errors.len() - RECENT_EPOCHS;
            (&h.errors[skip..], h.first_epoch + skip)
        } else {
            (&h.errors[..], h.first_epoch)
        };
        let block = frame(app);
        let inner = block.inner(area);
        block.render(area, buf);
        if values.is_empty() {
            Line::styled(" no epochs yet", theme::dim()).render(inner, buf);
            return;
        }
        plot(
            values,
            first,
            app.view.smoothing,
            app.scrub.epoch(),
            inner,
            buf,
        );
    }
}

/// The border, with the view in the title and the current and best errors at the bottom.
fn frame(app: &App) -> Block<'static> {
    let h = &app.run_status.history;
    let view = if app.view.recent_only {
        format!("last {RECENT_EPOCHS} epochs")
    } else {
        "whole run".to_string()
    };
    let mut title = vec![
        Span::styled(" error ", theme::title()),
        Span::styled(format!("(log) · {view}"), theme::dim()),
    ];
    if app.view.smoothing {
        title.push(Span::styled(" · smoothed", theme::dim()));
    }
    title.push(Span::raw(" "));
    let mut footer = vec![Span::raw(" ")];
    if let Some(now) = h.current() {
        footer.push(Span::raw("now "));
        footer.push(Span::styled(theme::sci(now), theme::accent()));
    }
    if let Some((epoch, best)) = h.best {
        footer.push(Span::raw("  best "));
        footer.push(Span::styled(theme::sci(best), theme::good()));
        footer.push(Span::raw(format!(" @{epoch} ")));
    }
    Block::bordered()
        .border_style(theme::border())
        .title(Line::from(title))
        .title_bottom(Line::from(footer))
}

/// The errors `values` of epochs `first…` on a log axis in `area`, downsampled to its width,
/// with the smoothed line over them when `smoothing`, and a vertical line at epoch `marked`
/// (the picture history's epoch on screen) when it is in view.
fn plot(
    values: &[f64],
    first: usize,
    smoothing: bool,
    marked: Option<usize>,
    area: Rect,
    buf: &mut Buffer,
) {
    let log = |v: &[f64]| -> Vec<f64> { v.iter().map(|&e| e.max(FLOOR).log10()).collect() };
    // Two columns of braille dots per cell; the y labels take about 9 of the columns.
    let buckets = usize::from(area.width.saturating_sub(10)).max(1) * 2;
    let raw = min_max_downsample(&log(values), first, buckets);
    let smoothed =
        smoothing.then(|| min_max_downsample(&log(&smooth(values, SMOOTHING)), first, buckets));
    let (lo, hi) = raw
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
            (lo.min(y), hi.max(y))
        });
    let y_bounds = log_bounds(lo, hi);
    let last = first + values.len() - 1;
    let x_bounds = [first as f64, (last as f64).max(first as f64 + 1.0)];
    let raw_style = if smoothing {
        Style::new().fg(Color::DarkGray)
    } else {
        theme::accent()
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
        datasets.push(line(theme::accent(), s));
    }
    if !mark.is_empty() {
        datasets.push(line(theme::marker(), &mark));
    }
    let mid = (first + last) / 2;
    Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds(x_bounds)
                .style(theme::dim())
                .labels([first.to_string(), mid.to_string(), last.to_string()]),
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
    fn short_series_are_kept_as_they_are() {
        let v = [3.0, 1.0, 2.0];
        assert_eq!(
            min_max_downsample(&v, 10, 4),
            [(10.0, 3.0), (11.0, 1.0), (12.0, 2.0)]
        );
    }

    #[test]
    fn downsampling_keeps_a_one_epoch_spike() {
        let mut v = vec![1.0; 1000];
        v[637] = 50.0;
        v[100] = 0.01;
        let points = min_max_downsample(&v, 1, 20);
        assert!(points.len() <= 40);
        assert!(points.contains(&(638.0, 50.0)));
        assert!(points.contains(&(101.0, 0.01)));
    }

    #[test]
    fn downsampled_points_stay_in_epoch_order() {
        let v: Vec<f64> = (0..500).map(|i| ((i * 37) % 11) as f64).collect();
        let points = min_max_downsample(&v, 1, 7);
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn smoothing_is_debiased_and_follows_a_constant() {
        assert_eq!(smooth(&[2.0, 2.0, 2.0], 0.9), [2.0, 2.0, 2.0]);
        let s = smooth(&[1.0, 0.0], 0.5);
        // s1 = 0.5 -> 0.5 / 0.5 = 1; s2 = 0.25 -> 0.25 / 0.75 = 1/3.
        assert!((s[0] - 1.0).abs() < 1e-12 && (s[1] - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn log_labels_name_the_errors() {
        assert_eq!(log_labels([-3.0, -1.0]), ["1.00e-3", "1.00e-2", "1.00e-1"]);
        let [lo, hi] = log_bounds(-2.0, -2.0);
        assert!(lo < -2.0 && hi > -2.0);
    }
}
