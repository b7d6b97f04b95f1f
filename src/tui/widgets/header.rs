//! The top lines: run name, layers and preset (named as such: `v0.1.6.1` is not nnimg's version), epoch N / total, epochs/s, training time, ETA
//! and state; and below it the epoch progress gauge.

use crate::tui::app::{App, Mode, Watched};
use crate::tui::theme::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Widget};

/// One line about the run.
pub struct Header<'a>(pub &'a App);

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        let layers = app
            .run
            .layers
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("·");
        let rate = app
            .run_status
            .epochs_per_sec()
            .map_or("– ep/s".to_string(), |r| format!("{r:.0} ep/s"));
        let eta = match (app.run_status.mode, app.eta_seconds()) {
            (Mode::Done | Mode::Watching(Watched::Done), _) => "done".to_string(),
            (_, Some(s)) => format!("ETA {}", theme::duration(s)),
            (_, None) => "ETA –".to_string(),
        };
        let lr = app
            .run_status
            .learning_rate
            .map_or(String::new(), |lr| format!("lr {lr}"));
        // (priority, spans): when the line is too long the lowest priorities go first.
        let segments: Vec<(u8, Vec<Span>)> = vec![
            (9, vec![Span::styled(" nnimg", theme.title())]),
            (8, vec![Span::styled(app.run.name.clone(), theme.accent())]),
            (
                2,
                vec![Span::raw(format!("{layers} (preset {})", app.run.preset))],
            ),
            (
                9,
                vec![Span::styled(
                    format!("epoch {}/{}", app.epoch(), app.run.total_epochs),
                    theme.title(),
                )],
            ),
            (6, vec![Span::raw(rate)]),
            (4, vec![Span::raw(lr)]),
            (
                3,
                // Time spent in epochs, not since the explorer opened: pauses do not count.
                vec![Span::raw(format!(
                    "trained {}",
                    theme::duration(app.run_status.seconds)
                ))],
            ),
            (5, vec![Span::raw(eta)]),
            (10, vec![state_badge(app.run_status.mode, theme)]),
        ];
        fit_line(segments, area.width).render(area, buf);
    }
}

/// The segments that fit in `width` (two spaces apart), dropping the lowest priorities first.
fn fit_line(mut segments: Vec<(u8, Vec<Span<'_>>)>, width: u16) -> Line<'_> {
    segments.retain(|(_, spans)| spans.iter().any(|s| !s.content.is_empty()));
    let len = |segs: &[(u8, Vec<Span>)]| -> usize {
        segs.iter()
            .map(|(_, spans)| spans.iter().map(Span::width).sum::<usize>() + 2)
            .sum()
    };
    while len(&segments) > usize::from(width) && segments.len() > 1 {
        let lowest = segments
            .iter()
            .enumerate()
            .min_by_key(|(_, (p, _))| *p)
            .map_or(0, |(i, _)| i);
        segments.remove(lowest);
    }
    let mut line = Vec::new();
    for (i, (_, spans)) in segments.into_iter().enumerate() {
        if i > 0 {
            line.push(Span::raw("  "));
        }
        line.extend(spans);
    }
    Line::from(line)
}

fn state_badge(mode: Mode, theme: Theme) -> Span<'static> {
    Span::styled(
        format!(" {} ", mode.name().to_uppercase()),
        theme.badge(mode),
    )
}

/// Epochs done out of the total, as a bar.
pub struct EpochGauge<'a>(pub &'a App);

impl Widget for EpochGauge<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        let total = app.run.total_epochs.max(1);
        let ratio = (app.epoch() as f64 / total as f64).clamp(0.0, 1.0);
        Gauge::default()
            .ratio(ratio)
            .label(format!(
                "{} / {} epochs ({:.0}%)",
                app.epoch(),
                app.run.total_epochs,
                ratio * 100.0
            ))
            .gauge_style(theme.gauge())
            .use_unicode(true)
            .render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::app;
    use crate::tui::widgets::tests::text_of;
    use crate::tui::widgets::tests::trained;

    #[test]
    fn the_header_keeps_what_matters_most_when_the_line_is_short() {
        let mut app = app();
        app.run_status.add_progress(trained());
        // The layers and the elapsed time are the first to go.
        assert_eq!(
            text_of(Header(&app), 70, 1),
            Buffer::with_lines([
                " nnimg  test-1  epoch 8/100  – ep/s  lr 0.05  ETA –   TRAINING        ",
            ])
        );
    }

    #[test]
    fn the_gauge_shows_the_epochs_done_of_the_total() {
        let mut app = app();
        app.run_status.add_progress(trained());
        assert_eq!(
            text_of(EpochGauge(&app), 40, 1),
            Buffer::with_lines(["███▎      8 / 100 epochs (8%)           "])
        );
    }
}
