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
//! When runs are compared, the body is the runs' pictures above their charts:
//! ```text
//! run 1 pane | run 2 pane | …  (or A | B | |A−B|, or one blinking pane)
//! error chart, all runs   | per-image errors
//! learning rates          |   and ranks
//! ```
//! Below [`MIN_WIDTH`] x [`MIN_HEIGHT`] the screen says how large it needs to be instead.
//! [`Rows`] and [`OneRun`] are the layout as data, so a click is found where it was drawn
//! ([`target_at`]).

use super::app::{App, Overlay, Target};
use super::widgets::buttons::{Buttons, button_at, panel_height};
use super::widgets::compare_errors::{self, CompareErrors};
use super::widgets::compare_panes::ComparePanes;
use super::widgets::dialog::QuitDialog;
use super::widgets::error_chart::ErrorChart;
use super::widgets::full_picture::FullPicture;
use super::widgets::header::{EpochGauge, Header};
use super::widgets::help::Help;
use super::widgets::output::OutputPane;
use super::widgets::rate_chart::RateChart;
use super::widgets::sample_errors::{SampleErrors, sample_at};
use super::widgets::status::StatusLine;
use crate::render::halfblock::display_size;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;

/// Narrowest the output pane gets (its title needs some room).
const MIN_PANE_WIDTH: u16 = 30;

/// Fewest rows the compared runs' pictures get.
const MIN_COMPARE_PANES_HEIGHT: u16 = 8;

/// Narrowest the dashboard column gets next to the output pane.
const MIN_DASHBOARD_WIDTH: u16 = 40;

/// The rows of every screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rows {
    pub header: Rect,
    pub gauge: Rect,
    pub buttons: Rect,
    pub body: Rect,
    pub status: Rect,
}

impl Rows {
    /// The rows of `app` on `area`; None when the screen is too small for the dashboard.
    pub fn of(app: &App, area: Rect) -> Option<Rows> {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let buttons_h = panel_height(app.inputs.buttons.len(), area.width);
        let [header, gauge, buttons, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(buttons_h),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        Some(Rows {
            header,
            gauge,
            buttons,
            body,
            status,
        })
    }
}

/// The body with one run: its charts beside its picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OneRun {
    pub pane: Rect,
    pub errors: Rect,
    /// Empty when the body is too short for it.
    pub rates: Rect,
    pub samples: Rect,
}

impl OneRun {
    pub fn of(app: &App, body: Rect) -> OneRun {
        // The pane is as wide as the picture at the body's height, leaving the dashboard
        // at least its minimum; it does not change when a target appears beside it.
        let (pic_w, _) = display_size(
            app.run.width,
            app.run.height,
            body.width,
            body.height.saturating_sub(2),
        );
        let pane_w = (pic_w as u16 + 2)
            .max(MIN_PANE_WIDTH)
            .min(body.width.saturating_sub(MIN_DASHBOARD_WIDTH));
        let [dashboard, pane] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(pane_w)]).areas(body);
        let samples_h = SampleErrors::height_for(app.samples.len(), dashboard.height / 3);
        let charts_h = dashboard.height.saturating_sub(samples_h);
        let rate_h = if charts_h >= 15 { charts_h / 3 } else { 0 };
        let [errors, rates, samples] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(rate_h),
            Constraint::Length(samples_h),
        ])
        .areas(dashboard);
        OneRun {
            pane,
            errors,
            rates,
            samples,
        }
    }
}

/// What is under screen cell (`column`, `row`) of a screen `area`: an input button, or with
/// one run a training image's row, as they were drawn.
pub fn target_at(app: &App, area: Rect, column: u16, row: u16) -> Option<Target> {
    let rows = Rows::of(app, area)?;
    let inner = |r: Rect| Block::bordered().inner(r);
    if let Some(i) = button_at(app.inputs.buttons.len(), inner(rows.buttons), column, row) {
        return Some(Target::Button(i));
    }
    if app.comparison.is_some() {
        return None;
    }
    let samples = OneRun::of(app, rows.body).samples;
    sample_at(app.samples.len(), inner(samples), column, row).map(Target::Sample)
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(rows) = Rows::of(self, area) else {
            too_small(self, area, buf);
            return;
        };
        Header(self).render(rows.header, buf);
        EpochGauge(self).render(rows.gauge, buf);
        Buttons(self).render(rows.buttons, buf);
        StatusLine(self).render(rows.status, buf);
        if self.comparison.is_some() {
            comparison_body(self, rows.body, buf);
        } else {
            one_run_body(self, rows.body, buf);
        }

        match self.overlay {
            Overlay::Help => Help {
                comparing: self.comparison.is_some(),
                theme: self.view.theme,
            }
            .render(area, buf),
            Overlay::Quit => QuitDialog(self).render(area, buf),
            Overlay::FullPicture(scale) => FullPicture { app: self, scale }.render(area, buf),
            Overlay::None => {}
        }
    }
}

/// The body with one run: its charts beside its picture.
fn one_run_body(app: &App, body: Rect, buf: &mut Buffer) {
    let areas = OneRun::of(app, body);
    OutputPane(app).render(areas.pane, buf);
    ErrorChart(app).render(areas.errors, buf);
    if !areas.rates.is_empty() {
        RateChart(app).render(areas.rates, buf);
    }
    SampleErrors(app).render(areas.samples, buf);
}

/// The body when runs are compared: their pictures above their charts and the per-image
/// table.
fn comparison_body(app: &App, body: Rect, buf: &mut Buffer) {
    // The pictures take about half, leaving the table a row per training image (as far as
    // the pictures keep a few rows).
    let table = app.error_table();
    let images = table.stems.len() as u16;
    let panes_h = body
        .height
        .saturating_sub(images + 2)
        .clamp(
            MIN_COMPARE_PANES_HEIGHT,
            (body.height * 11 / 20).max(MIN_COMPARE_PANES_HEIGHT),
        )
        .min(body.height);
    let [panes, dashboard] =
        Layout::vertical([Constraint::Length(panes_h), Constraint::Fill(1)]).areas(body);
    ComparePanes(app).render(panes, buf);
    let runs = app.runs_on_screen().len();
    let stem_width = table.stems.iter().map(String::len).max().unwrap_or(8);
    // The errors too when they fit in a little over half the width; else the ranks only.
    let room = dashboard.width * 11 / 20;
    let full = compare_errors::width_for(runs, stem_width, false);
    let table_w = if full <= room {
        full
    } else {
        compare_errors::width_for(runs, stem_width, true).min(room)
    };
    let [charts, table] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(table_w)]).areas(dashboard);
    let rate_h = if charts.height >= 15 {
        charts.height / 3
    } else {
        0
    };
    let [errors, rates] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(rate_h)]).areas(charts);
    ErrorChart(app).render(errors, buf);
    if rate_h > 0 {
        RateChart(app).render(rates, buf);
    }
    CompareErrors(app).render(table, buf);
}

fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.view.theme;
    let mut text = vec![
        Line::styled("nnimg: this terminal is too small", theme.title()),
        Line::raw(format!(
            "it is {}×{}; the explorer needs at least {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::raw("enlarge the window (q quits)"),
    ];
    if app.overlay == Overlay::Quit {
        text.push(Line::styled(
            "quit? q: save and quit · Esc: cancel",
            theme.key(),
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
