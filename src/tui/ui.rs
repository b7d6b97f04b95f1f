//! `impl Widget for &App`: the top-level layout, nothing else.
//!
//! ```text
//! header                       (1 row)
//! epoch gauge                  (1 row)
//! input buttons                (3+ rows)
//! error chart     | output pane (as wide as the picture needs)
//! learning rate   |
//! per-sample      |
//! status line                  (1 row)
//! ```
//! Below [`MIN_WIDTH`] x [`MIN_HEIGHT`] the screen says how large it needs to be instead.

use super::app::{App, Overlay};
use super::theme;
use super::widgets::buttons::{Buttons, panel_height};
use super::widgets::dialog::QuitDialog;
use super::widgets::error_chart::ErrorChart;
use super::widgets::header::{EpochGauge, Header};
use super::widgets::help::Help;
use super::widgets::output::OutputPane;
use super::widgets::rate_chart::RateChart;
use super::widgets::sample_errors::SampleErrors;
use super::widgets::status::StatusLine;
use crate::render::halfblock::display_size;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;

/// Narrowest the output pane gets (its title needs some room).
const MIN_PANE_WIDTH: u16 = 30;

/// Narrowest the dashboard column gets next to the output pane.
const MIN_DASHBOARD_WIDTH: u16 = 40;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            too_small(self, area, buf);
            return;
        }
        let buttons_h = panel_height(self.inputs.buttons.len(), area.width);
        let [header, gauge, buttons, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(buttons_h),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        Header(self).render(header, buf);
        EpochGauge(self).render(gauge, buf);
        Buttons(self).render(buttons, buf);
        StatusLine(self).render(status, buf);

        // The pane is as wide as the picture at the body's height, leaving the dashboard
        // at least its minimum; it does not change when a target appears beside it.
        let (pic_w, _) = display_size(
            self.run.width,
            self.run.height,
            body.width,
            body.height.saturating_sub(2),
        );
        let pane_w = (pic_w as u16 + 2)
            .max(MIN_PANE_WIDTH)
            .min(body.width.saturating_sub(MIN_DASHBOARD_WIDTH));
        let [dashboard, pane] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(pane_w)]).areas(body);
        OutputPane(self).render(pane, buf);

        let samples_h = SampleErrors::height_for(self.samples.len(), dashboard.height / 3);
        let charts_h = dashboard.height.saturating_sub(samples_h);
        let rate_h = if charts_h >= 15 { charts_h / 3 } else { 0 };
        let [errors, rates, samples] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(rate_h),
            Constraint::Length(samples_h),
        ])
        .areas(dashboard);
        ErrorChart(self).render(errors, buf);
        if rate_h > 0 {
            RateChart(self).render(rates, buf);
        }
        SampleErrors(self).render(samples, buf);

        match self.overlay {
            Overlay::Help => Help.render(area, buf),
            Overlay::Quit => QuitDialog(self).render(area, buf),
            Overlay::None => {}
        }
    }
}

fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let mut text = vec![
        Line::styled("nnimg: this terminal is too small", theme::title()),
        Line::raw(format!(
            "it is {}×{}; the explorer needs at least {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::raw("enlarge the window (q quits)"),
    ];
    if app.overlay == Overlay::Quit {
        text.push(Line::styled(
            "quit? q: save and quit · Esc: cancel",
            theme::key(),
        ));
    }
    let height = (text.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(height) / 2;
    Paragraph::new(text)
        .centered()
        .wrap(Wrap { trim: true })
        .render(
            Rect::new(area.x, y, area.width, area.height - (y - area.y)),
            buf,
        );
}
