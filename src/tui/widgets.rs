//! The explorer's parts, one widget per file; each renders from `&App` (or less) and owns
//! no state. Each has a test that draws it into a small buffer and compares the text with
//! `Buffer::with_lines`, so the expectation reads as a picture.

pub mod buttons;
pub mod compare_errors;
pub mod compare_panes;
pub mod dialog;
pub mod error_chart;
pub mod full_picture;
pub mod header;
pub mod help;
pub mod output;
pub mod rate_chart;
pub mod sample_errors;
pub mod status;

#[cfg(test)]
pub(crate) mod tests {
    use crate::train::Halving;
    use crate::train::history::Point;
    use crate::train::update::Progress;
    use crate::tui::app::App;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    use ratatui::widgets::Widget;

    /// `widget` drawn into a `width` x `height` buffer with the styles taken off: what
    /// `Buffer::with_lines` of the expected text equals, so a test's expectation is a picture.
    pub(crate) fn text_of(widget: impl Widget, width: u16, height: u16) -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
        widget.render(buf.area, &mut buf);
        buf.set_style(buf.area, Style::reset());
        buf
    }

    /// Inputs 0, 0.5 and 0.3, the third selected, set by keys' intent methods.
    pub(crate) fn set_inputs_0_half_and_3_tenths(app: &mut App) {
        app.toggle_input(1);
        app.nudge_input(-0.5);
        app.toggle_input(2);
        app.nudge_input(-0.5);
        app.nudge_input(-0.2);
    }

    /// Eight epochs with the rate halved after the fourth, as the trainer reports them.
    pub(crate) fn trained() -> Progress {
        Progress {
            points: [0.5, 0.4, 0.3, 0.35, 0.2, 0.1, 0.05, 0.04]
                .into_iter()
                .enumerate()
                .map(|(i, e)| Point::single(i + 1, e, if i < 4 { 0.1 } else { 0.05 }))
                .collect(),
            halvings: vec![Halving {
                epoch: 4,
                learning_rate: 0.05,
            }],
            sample_errors: vec![0.02, 0.06],
            next_learning_rate: 0.05,
            seconds: 2.0,
            restarted: false,
        }
    }
}
