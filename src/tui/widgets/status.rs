//! The bottom line: what the last key did (or what went wrong), else the main keys.

use crate::tui::app::{App, Mode};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub struct StatusLine<'a>(pub &'a App);

impl Widget for StatusLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let theme = app.view.theme;
        let line = match &app.status {
            Some(s) if s.is_error => Line::from(Span::styled(format!(" {}", s.text), theme.bad())),
            Some(s) => Line::from(Span::styled(format!(" {}", s.text), theme.good())),
            None => {
                let pause = match app.run_status.mode {
                    Mode::Training => "pause",
                    Mode::Paused => "continue training",
                    _ => "",
                };
                let mut hints = vec![("?", "help")];
                if !pause.is_empty() {
                    hints.push(("space", pause));
                }
                if app.comparison.is_some() {
                    hints.extend([("d", "difference"), ("b", "blink")]);
                }
                hints.extend([
                    ("1-8", "buttons"),
                    ("t", "training inputs"),
                    ("e", "export PNG"),
                    ("q", "quit"),
                ]);
                if app.motion.is_playing() {
                    hints.extend([("p", "stop"), ("< >", "speed"), ("E", "export GIF")]);
                } else {
                    hints.extend([("m", "waypoint"), ("p", "play"), ("W", "walk")]);
                }
                if app.scrub.shown.is_some() {
                    hints.extend([(", .", "history"), ("End", "live")]);
                } else {
                    hints.push((",", "history"));
                }
                // Keep what fits; "? help" comes first, so it always does.
                let mut width = 1;
                hints.retain(|(k, what)| {
                    width += k.len() + what.chars().count() + 3;
                    width <= usize::from(area.width)
                });
                let mut spans = vec![Span::raw(" ")];
                for (k, what) in hints {
                    spans.push(Span::styled(k, theme.key()));
                    spans.push(Span::styled(format!(" {what}  "), theme.dim()));
                }
                Line::from(spans)
            }
        };
        line.render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::app;
    use crate::tui::event::Status;
    use crate::tui::widgets::tests::text_of;

    #[test]
    fn without_a_message_the_line_lists_the_main_keys() {
        let app = app();
        assert_eq!(
            text_of(StatusLine(&app), 60, 1),
            Buffer::with_lines([" ? help  space pause  1-8 buttons  t training inputs        "])
        );
    }

    #[test]
    fn a_message_takes_the_line_in_the_colour_of_its_kind() {
        let mut app = app();
        app.status = Some(Status::error("no weights yet"));
        assert_eq!(
            text_of(StatusLine(&app), 30, 1),
            Buffer::with_lines([" no weights yet               "])
        );
        let mut buf = Buffer::empty(Rect::new(0, 0, 30, 1));
        StatusLine(&app).render(buf.area, &mut buf);
        assert_eq!(
            Some(buf[(1, 0)].fg),
            crate::tui::theme::Theme::DARK.bad().fg
        );
    }
}
