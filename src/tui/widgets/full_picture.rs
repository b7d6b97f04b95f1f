//! The full-resolution view's frame: one line saying what is shown and how to leave, over an
//! empty screen that the loop then draws the still picture into through the terminal's
//! graphics protocol (ratatui draws text only; see `tui::terminal::graphics`).

use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};

/// A cell's size in pixels when the terminal did not say: on the large side, so a picture
/// is never taken to fit when it does not.
const CELL_PIXELS_GUESS: (u16, u16) = (10, 20);

/// Where the picture goes and how much it is enlarged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The cells the picture covers, below the title line.
    pub area: Rect,
    /// Whole times the picture is enlarged: the one asked for, or the largest that fits.
    pub scale: u32,
}

/// Where `app`'s still picture goes on a screen `area`, enlarged `scale` times or as much as
/// fits (at least once); None without a still.
pub fn placement(app: &App, area: Rect, scale: u32) -> Option<Placement> {
    let (w, h) = app.still.as_ref()?.size();
    let (cell_w, cell_h) = app.capabilities.cell_pixels.unwrap_or(CELL_PIXELS_GUESS);
    let (cell_w, cell_h) = (u32::from(cell_w.max(1)), u32::from(cell_h.max(1)));
    let below = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(1),
    );
    let fits = (u32::from(below.width) * cell_w / w.max(1))
        .min(u32::from(below.height) * cell_h / h.max(1))
        .max(1);
    let scale = scale.clamp(1, fits);
    let cols = (w * scale).div_ceil(cell_w).min(u32::from(below.width)) as u16;
    let rows = (h * scale).div_ceil(cell_h).min(u32::from(below.height)) as u16;
    Some(Placement {
        area: Rect::new(below.x, below.y, cols, rows),
        scale,
    })
}

/// The view's frame, for the scale asked for.
pub struct FullPicture<'a> {
    pub app: &'a App,
    pub scale: u32,
}

impl Widget for FullPicture<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        Clear.render(area, buf);
        let theme = self.app.view.theme;
        let (Some(still), Some(place), Ok(protocol)) = (
            self.app.still.as_ref(),
            placement(self.app, area, self.scale),
            self.app.capabilities.graphics.as_ref(),
        ) else {
            return;
        };
        let (w, h) = still.size();
        let fitted = if place.scale < self.scale {
            " (the largest that fits)"
        } else {
            ""
        };
        Line::from(vec![
            Span::styled(" full resolution ", theme.title()),
            Span::styled(
                format!("{w}×{h} ×{}{fitted} · {} ", place.scale, protocol.name()),
                theme.dim(),
            ),
            Span::styled("+ - 1-8", theme.key()),
            Span::styled(" scale · ", theme.dim()),
            Span::styled("any other key", theme.key()),
            Span::styled(" returns", theme.dim()),
        ])
        .render(Rect::new(area.x, area.y, area.width, 1), buf);
    }
}
