//! The output pane: the network's output for the current buttons as half-block art (each cell
//! `▀` with the upper pixel as foreground and the lower pixel as background), in true colour
//! or the nearest 256-palette colours, area-scaled down to fit and never cropped; the title
//! says when it is scaled. When the buttons equal a training input, its target is drawn
//! beside the output.

use crate::render::cells::{Background, Ink, TermCell, picture_cells};
use crate::render::color::ColorMode;
use crate::render::halfblock::cell_rows;
use crate::render::pixels::{fit_within, output_to_image, scale_area, upscale_nearest};
use crate::tui::app::App;
use crate::tui::theme;
use image::RgbImage;
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

/// The size `img` is shown at in `cols` x `rows` cells of two pixels each: shrunk with its
/// aspect kept when it does not fit, enlarged a whole number of times when it fits at least
/// twice (so a tiny picture is not a speck), else as it is.
pub fn display_size(width: u32, height: u32, cols: u16, rows: u16) -> (u32, u32) {
    let (max_w, max_h) = (u32::from(cols), 2 * u32::from(rows));
    if width == 0 || height == 0 || width > max_w || height > max_h {
        return fit_within(width, height, max_w, max_h);
    }
    let k = (max_w / width).min(max_h / height).max(1);
    (width * k, height * k)
}

/// `img` at its `display_size`: area-averaged when shrunk, pixels repeated when enlarged.
pub fn fit_to_cells(img: &RgbImage, cols: u16, rows: u16) -> RgbImage {
    let (w, h) = display_size(img.width(), img.height(), cols, rows);
    if (w, h) == img.dimensions() {
        img.clone()
    } else if w > img.width() {
        upscale_nearest(img, w / img.width())
    } else {
        scale_area(img, w, h)
    }
}

/// Draws `img` centred in `area` (scaled to fit first) as the cells of `mode`.
pub fn draw_image(
    img: &RgbImage,
    area: Rect,
    mode: ColorMode,
    background: Background,
    buf: &mut Buffer,
) -> (u32, u32) {
    let img = fit_to_cells(img, area.width, area.height);
    let (w, h) = img.dimensions();
    let rows = cell_rows(h);
    let x0 = area.x + (area.width - w as u16) / 2;
    let y0 = area.y + (area.height - rows as u16) / 2;
    for (i, cell) in picture_cells(&img, mode, background).iter().enumerate() {
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

impl OutputPane<'_> {
    fn image(app: &App, y: &[f32]) -> Option<RgbImage> {
        let run = &app.run;
        let len = run.width as usize * run.height as usize * run.channels;
        (y.len() == len)
            .then(|| output_to_image(y, run.width, run.height, run.channels, app.color_map))
    }
}

impl Widget for OutputPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let stem = crate::data::format_stem(&app.buttons);
        let map = if app.run.channels == 1 {
            app.color_map.name()
        } else {
            "rgb"
        };
        let target = app
            .matching_sample()
            .and_then(|i| Some((i, Self::image(app, &app.samples[i].target)?)));
        let block = Block::bordered().border_style(theme::border());
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
        let mut footer = Vec::new();
        let mut size_note = String::new();
        let mut short_note = String::new();
        if let Some(img) = Self::image(app, &app.output) {
            let (w, h) = draw_image(&img, pic_area, app.color_mode, Background::Dark, buf);
            let (full_w, full_h) = img.dimensions();
            if (w, h) != (full_w, full_h) {
                size_note = format!(" · shown {w}×{h} of {full_w}×{full_h}");
                short_note = format!(" · {w}×{h} of {full_w}×{full_h}");
            } else {
                size_note = format!(" · {w}×{h}");
                short_note.clone_from(&size_note);
            }
        } else {
            Line::styled("waiting for weights…", theme::dim()).render(pic_area, buf);
        }
        if let (Some((i, img)), Some(t_area)) = (&target, target_area) {
            draw_image(img, t_area, app.color_mode, Background::Dark, buf);
            footer.push(Span::styled(
                format!(" right: target {} ", app.samples[*i].stem),
                theme::dim(),
            ));
        }
        let mode = app.color_mode.name();
        let details = format!(
            " · epoch {} · {map} (c){size_note} · {mode} ",
            app.weights_epoch
        );
        let mut title = vec![
            Span::styled(" output ", theme::title()),
            Span::styled(stem, theme::accent()),
        ];
        let room = usize::from(area.width.saturating_sub(2));
        if title.iter().map(Span::width).sum::<usize>() + details.chars().count() <= room {
            title.push(Span::styled(details, theme::dim()));
        } else {
            // Too narrow for one line: the details go to the bottom border, unless the
            // target's name is there.
            title.push(Span::raw(" "));
            if footer.is_empty() {
                footer.push(Span::styled(format!(" {map}{short_note} "), theme::dim()));
            }
        }
        let title = Line::from(title);
        block
            .title(title)
            .title_bottom(Line::from(footer))
            .render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn a_large_picture_is_shrunk_to_fit_and_a_tiny_one_enlarged_whole_times() {
        let img = RgbImage::from_pixel(110, 110, Rgb([9, 9, 9]));
        assert_eq!(fit_to_cells(&img, 40, 10).dimensions(), (20, 20));
        assert_eq!(fit_to_cells(&img, 200, 100).dimensions(), (110, 110));
        let tiny = RgbImage::from_pixel(8, 8, Rgb([9, 9, 9]));
        assert_eq!(fit_to_cells(&tiny, 30, 10).dimensions(), (16, 16));
    }

    #[test]
    fn draws_upper_and_lower_pixels_into_one_cell() {
        let img = RgbImage::from_fn(2, 2, |_, y| {
            if y == 0 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        });
        let mut buf = Buffer::empty(Rect::new(0, 0, 2, 1));
        draw_image(
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
}
