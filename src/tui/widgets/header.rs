//! The top lines: run name, layers and preset, epoch N / total, epochs/s, elapsed time, ETA
//! and state; and below it the epoch progress gauge.

use crate::tui::app::{App, Mode};
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Widget};

/// One line about the run.
pub struct Header<'a>(pub &'a App);

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let layers = app
            .run
            .layers
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("·");
        let rate = app
            .epochs_per_sec()
            .map_or("– ep/s".to_string(), |r| format!("{r:.0} ep/s"));
        let eta = match (app.mode, app.eta_seconds()) {
            (Mode::Done, _) => "done".to_string(),
            (_, Some(s)) => format!("ETA {}", theme::duration(s)),
            (_, None) => "ETA –".to_string(),
        };
        let sep = || Span::styled("  ", Style::new());
        let line = Line::from(vec![
            Span::styled(" nnimg ", Style::new().add_modifier(Modifier::BOLD)),
            Span::styled(app.run.name.clone(), theme::accent()),
            sep(),
            Span::raw(format!("{layers} ({})", app.run.preset)),
            sep(),
            Span::styled(
                format!("epoch {}/{}", app.epoch(), app.run.total_epochs),
                theme::title(),
            ),
            sep(),
            Span::raw(rate),
            sep(),
            Span::raw(format!("⏱ {}", theme::duration(app.seconds))),
            sep(),
            Span::raw(eta),
            sep(),
            state_badge(app.mode),
        ]);
        line.render(area, buf);
    }
}

fn state_badge(mode: Mode) -> Span<'static> {
    let color = match mode {
        Mode::Training => Color::Green,
        Mode::Paused | Mode::Starting => Color::Yellow,
        Mode::Done => Color::Cyan,
        Mode::Stopped => Color::Magenta,
        Mode::Failed => Color::Red,
        Mode::Watching => Color::Blue,
    };
    Span::styled(
        format!(" {} ", mode.name().to_uppercase()),
        Style::new()
            .fg(Color::Black)
            .bg(color)
            .add_modifier(Modifier::BOLD),
    )
}

/// Epochs done out of the total, as a bar.
pub struct EpochGauge<'a>(pub &'a App);

impl Widget for EpochGauge<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
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
            .gauge_style(Style::new().fg(Color::Cyan).bg(Color::Black))
            .use_unicode(true)
            .render(area, buf);
    }
}
