//! The output pane: the network's output for the current buttons as half-block art (each cell
//! `▀` with the upper pixel as foreground and the lower pixel as background) in the
//! terminal's colour mode, or as a ramp of characters without colour; area-scaled down to
//! fit and never cropped; the title says when it is scaled. When the buttons equal a training
//! input, its target is drawn beside the output.

use crate::render::cells::{Background, Ink, TermCell};
use crate::render::color::ColorMode;
use crate::render::halfblock::cell_rows;
use crate::render::picture::Picture;
use crate::shown::Shown;
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

/// The basic colours in palette order, as ratatui names them (`Gray` is ANSI white, `White`
/// bright white).
const BASIC: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

/// A picture colour as ratatui writes it: the basic colours by name (SGR 30-37, 90-97, which
/// a 16-colour terminal understands), the others by index or RGB; `None` is the terminal's
/// own colour.
pub fn ink_color(ink: Option<Ink>) -> Color {
    match ink {
        None => Color::Reset,
        Some(Ink::Rgb([r, g, b])) => Color::Rgb(r, g, b),
        Some(Ink::Indexed(i)) => BASIC
            .get(usize::from(i))
            .copied()
            .unwrap_or(Color::Indexed(i)),
    }
}

/// Draws `picture` centred in `area` (scaled to fit first) as the cells of `mode`; returns
/// the size it was drawn at.
pub fn draw_picture(
    picture: &Picture,
    area: Rect,
    mode: ColorMode,
    background: Background,
    buf: &mut Buffer,
) -> (u32, u32) {
    let picture = picture.fit_to_cells(area.width, area.height);
    let (w, h) = picture.size();
    let rows = cell_rows(h);
    let x0 = area.x + (area.width - w as u16) / 2;
    let y0 = area.y + (area.height - rows as u16) / 2;
    for (i, cell) in picture.cells(mode, background).iter().enumerate() {
        let (col, row) = (i as u32 % w, i as u32 / w);
        if let Some(c) = buf.cell_mut((x0 + col as u16, y0 + row as u16)) {
            put_cell(c, cell);
        }
    }
    (w, h)
}

/// One picture cell into a buffer cell.
fn put_cell(c: &mut ratatui::buffer::Cell, cell: &TermCell) {
    c.set_char(cell.symbol)
        .set_fg(ink_color(cell.fg))
        .set_bg(ink_color(cell.bg));
}

pub struct OutputPane<'a>(pub &'a App);

impl Widget for OutputPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        let target = app
            .matching_sample()
            .and_then(|i| Some((i, app.picture_of(&app.samples[i].target)?)));
        let block = Block::bordered().border_style(theme.border());
        let inner = block.inner(area);
        let (pic_area, target_area) = match target {
            Some(_) => {
                let [a, _, b] = Layout::horizontal([
                    Constraint::Fill(1),
                    Constraint::Length(1),
                    Constraint::Fill(1),
                ])
                .areas(inner);
                (a, Some(b))
            }
            None => (inner, None),
        };
        let mut notes = SizeNotes::default();
        let (mode, background) = (app.view.color_mode, theme.background);
        // A scrubbed history shows its picture instead of the live one, which is the picture
        // the screen shows: it catches up with the output at the link's pace.
        let picture = match &app.scrub.shown {
            Some(frame) => app.picture_of(&frame.values),
            None => app.shown_picture(),
        };
        if let Some(img) = picture {
            let shown = draw_picture(&img, pic_area, mode, background, buf);
            notes = SizeNotes::new(shown, img.size());
        } else {
            Line::styled("waiting for weights…", theme.dim()).render(pic_area, buf);
        }
        let mut footer = Vec::new();
        if let Some(note) = motion_note(app) {
            footer.push(Span::styled(note, theme.accent()));
        }
        if let (Some((i, img)), Some(t_area)) = (&target, target_area) {
            draw_picture(img, t_area, mode, background, buf);
            footer.push(Span::styled(
                format!(" right: target {} ", Shown(&app.samples[*i].stem)),
                theme.dim(),
            ));
        }
        let title = title(app, &notes, area.width, &mut footer);
        block
            .title(title)
            .title_bottom(Line::from(footer))
            .render(area, buf);
    }
}

/// For the bottom border: the history's picture shown, what plays, or the path's length.
fn motion_note(app: &App) -> Option<String> {
    if let Some(f) = &app.scrub.shown {
        return Some(format!(
            " ◂ epoch {} · history {}/{} ",
            f.epoch,
            f.index + 1,
            f.count
        ));
    }
    if let Some(label) = app.motion.label() {
        return Some(format!(" {label} "));
    }
    match app.motion.waypoints.len() {
        0 => None,
        1 => Some(" path: 1 waypoint (m adds) ".to_owned()),
        n => Some(format!(" path: {n} waypoints (p plays) ")),
    }
}

/// What the title says of the picture's size: in full, and short for the bottom border.
#[derive(Default)]
struct SizeNotes {
    full: String,
    short: String,
}

impl SizeNotes {
    fn new((w, h): (u32, u32), (full_w, full_h): (u32, u32)) -> Self {
        if (w, h) != (full_w, full_h) {
            SizeNotes {
                full: format!(" · shown {w}×{h} of {full_w}×{full_h}"),
                short: format!(" · {w}×{h} of {full_w}×{full_h}"),
            }
        } else {
            let note = format!(" · {w}×{h}");
            SizeNotes {
                full: note.clone(),
                short: note,
            }
        }
    }
}

/// The title: the input's stem and the details (epoch, colour map, size, colours) when they
/// fit in `width`; otherwise the details go to the bottom border, unless the target's name is
/// there.
fn title(app: &App, notes: &SizeNotes, width: u16, footer: &mut Vec<Span>) -> Line<'static> {
    let theme = app.view.theme;
    let stem = crate::data::format_stem(&app.inputs.buttons);
    let map = if app.run.channels == 1 {
        app.view.color_map.name()
    } else {
        "rgb"
    };
    let mode = app.view.color_mode.name();
    let epoch = app.scrub.epoch().unwrap_or(app.output.epoch);
    let details = format!(" · epoch {epoch} · {map} (c){} · {mode} ", notes.full);
    let mut title = vec![
        Span::styled(" output ", theme.title()),
        Span::styled(stem, theme.accent()),
    ];
    let room = usize::from(width.saturating_sub(2));
    if title.iter().map(Span::width).sum::<usize>() + details.chars().count() <= room {
        title.push(Span::styled(details, theme.dim()));
    } else {
        title.push(Span::raw(" "));
        if footer.is_empty() {
            footer.push(Span::styled(format!(" {map}{} ", notes.short), theme.dim()));
        }
    }
    Line::from(title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::app;
    use crate::tui::widgets::tests::{set_inputs_0_half_and_3_tenths, text_of};
    use image::Rgb;

    #[test]
    fn basic_colours_are_written_by_name_and_the_others_by_number() {
        assert_eq!(ink_color(Some(Ink::Rgb([1, 2, 3]))), Color::Rgb(1, 2, 3));
        assert_eq!(ink_color(Some(Ink::Indexed(196))), Color::Indexed(196));
        assert_eq!(ink_color(Some(Ink::Indexed(8))), Color::DarkGray);
        assert_eq!(ink_color(Some(Ink::Indexed(15))), Color::White);
        assert_eq!(ink_color(None), Color::Reset);
    }

    #[test]
    fn draws_upper_and_lower_pixels_into_one_cell() {
        let img = Picture::from_image(image::RgbImage::from_fn(2, 2, |_, y| {
            if y == 0 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        }));
        let mut buf = Buffer::empty(Rect::new(0, 0, 2, 1));
        draw_picture(
            &img,
            buf.area,
            ColorMode::TrueColor,
            Background::Dark,
            &mut buf,
        );
        let cell = &buf[(0, 0)];
        assert_eq!(cell.symbol(), "▀");
        assert_eq!(cell.fg, Color::Rgb(255, 0, 0));
        assert_eq!(cell.bg, Color::Rgb(0, 0, 255));
    }

    #[test]
    fn the_pane_draws_the_picture_enlarged_with_its_size_below() {
        let mut app = app();
        set_inputs_0_half_and_3_tenths(&mut app);
        assert_eq!(
            text_of(OutputPane(&app), 60, 4),
            Buffer::with_lines([
                "┌ output 0_0.5_0.3 ────────────────────────────────────────┐",
                "│                           ▀▀▀▀                           │",
                "│                           ▀▀▀▀                           │",
                "└ grey · 4×4 of 2×2 ───────────────────────────────────────┘",
            ])
        );
    }
}
