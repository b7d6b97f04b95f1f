//! How much the explorer may write to its terminal while training: a terminal over ssh is a
//! network link, and a full true-colour picture is about 230 KiB.
//!
//! Training progress (header, charts) is redrawn at most `fps` times a second. The picture
//! refreshes less often, and each refresh sends only the cells that changed visibly, the
//! biggest changes first, up to a number of bytes (see `render::screen_picture`). Over ssh every rate
//! is lower by itself. Keys are answered at once and show the whole new picture: a person
//! who presses a button wants to see it.

use crate::render::color::ColorMode;
use std::time::{Duration, Instant};

/// Redraws a second for training progress.
pub const DEFAULT_FPS: u32 = 10;
/// The same over ssh.
pub const SSH_FPS: u32 = 4;

/// How often and how much the explorer draws while training.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkBudget {
    /// Most redraws a second for training progress.
    pub fps: u32,
    /// Least time between two picture refreshes while training.
    pub picture_interval: Duration,
    /// Bytes one picture refresh may write, about.
    pub picture_bytes: usize,
}

impl LinkBudget {
    /// The budget for `fps` redraws a second (`None`: the default, lower over ssh): the
    /// picture refreshes at most 4 times a second (2 over ssh, never more often than `fps`),
    /// each time writing about 10 KiB (8 KiB over ssh), so about 40 KiB/s (16 over ssh).
    pub fn new(fps: Option<u32>, over_ssh: bool) -> Self {
        let default_fps = if over_ssh { SSH_FPS } else { DEFAULT_FPS };
        let fps = fps.unwrap_or(default_fps).max(1);
        let picture_fps = fps.min(if over_ssh { 2 } else { 4 });
        LinkBudget {
            fps,
            picture_interval: Duration::from_secs(1) / picture_fps,
            picture_bytes: if over_ssh { 8 << 10 } else { 10 << 10 },
        }
    }

    /// How many picture cells one refresh may change in `mode`.
    pub fn picture_cells(&self, mode: ColorMode) -> usize {
        self.picture_bytes / bytes_per_cell(mode)
    }
}

/// When the picture may next catch up with the output while training.
#[derive(Debug)]
pub struct PictureClock {
    interval: Duration,
    last: Option<Instant>,
}

impl PictureClock {
    pub fn new(interval: Duration) -> Self {
        PictureClock {
            interval,
            last: None,
        }
    }

    /// Time until the next refresh is allowed (zero: now).
    pub fn wait(&self, now: Instant) -> Duration {
        self.last.map_or(Duration::ZERO, |t| {
            (t + self.interval).saturating_duration_since(now)
        })
    }

    pub fn refreshed(&mut self, now: Instant) {
        self.last = Some(now);
    }
}

/// Bytes written for one changed picture cell among unchanged ones, rounded up from what
/// ratatui writes through crossterm (measured in the tests below): a cursor move, the
/// foreground and background colours, the character.
pub fn bytes_per_cell(mode: ColorMode) -> usize {
    match mode {
        ColorMode::TrueColor => 48,
        ColorMode::Ansi256 => 32,
        ColorMode::Ansi16 => 24,
        ColorMode::Mono => 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cells::{Background, picture_cells};
    use crate::tui::widgets::output::ink_color;
    use image::{Rgb, RgbImage};
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    /// A writer that only counts.
    #[derive(Clone, Default)]
    struct Counter(std::rc::Rc<std::cell::Cell<usize>>);

    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.set(self.0.get() + bytes.len());
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Bytes ratatui writes to change `cells` scattered cells of a 110x55 picture.
    fn bytes_for_scattered_changes(mode: ColorMode, cells: u32) -> usize {
        let area = Rect::new(0, 0, 110, 55);
        let options = TerminalOptions {
            viewport: Viewport::Fixed(area),
        };
        let counter = Counter::default();
        let mut terminal = Terminal::with_options(CrosstermBackend::new(counter.clone()), options)
            .expect("a terminal on a counter");
        let before = RgbImage::from_fn(110, 110, |x, y| Rgb([((x + y) % 200 + 20) as u8; 3]));
        let mut after = before.clone();
        // Every 6050 / cells-th cell, stepping over rows and columns.
        for k in 0..cells {
            let cell = k * (6050 / cells) + k % 7;
            let (x, row) = (cell % 110, cell / 110);
            for y in [2 * row, 2 * row + 1] {
                after.get_pixel_mut(x, y).0 = [((x * 7 + y * 3) % 250) as u8; 3];
            }
        }
        let mut draw = |img: &RgbImage| {
            terminal
                .draw(|frame| {
                    let buf = frame.buffer_mut();
                    for (i, cell) in picture_cells(img, mode, Background::Dark)
                        .iter()
                        .enumerate()
                    {
                        buf[((i % 110) as u16, (i / 110) as u16)]
                            .set_char(cell.symbol)
                            .set_fg(ink_color(cell.fg))
                            .set_bg(ink_color(cell.bg));
                    }
                })
                .expect("drawing into a counter");
        };
        draw(&before);
        let start = counter.0.get();
        draw(&after);
        counter.0.get() - start
    }

    #[test]
    fn the_estimates_cover_what_scattered_changes_cost() {
        for mode in [
            ColorMode::TrueColor,
            ColorMode::Ansi256,
            ColorMode::Ansi16,
            ColorMode::Mono,
        ] {
            let bytes = bytes_for_scattered_changes(mode, 100);
            let estimate = 100 * bytes_per_cell(mode);
            assert!(
                bytes <= estimate && bytes * 3 >= estimate * 2,
                "{mode:?}: 100 cells wrote {bytes} bytes, estimated {estimate}"
            );
        }
    }

    #[test]
    fn the_picture_clock_allows_one_refresh_an_interval() {
        let mut clock = PictureClock::new(Duration::from_millis(250));
        let t = Instant::now();
        assert!(clock.wait(t).is_zero());
        clock.refreshed(t);
        assert_eq!(
            clock.wait(t + Duration::from_millis(100)),
            Duration::from_millis(150)
        );
        assert!(clock.wait(t + Duration::from_millis(250)).is_zero());
    }

    #[test]
    fn over_ssh_every_rate_is_lower() {
        let local = LinkBudget::new(None, false);
        let ssh = LinkBudget::new(None, true);
        assert_eq!(local.fps, DEFAULT_FPS);
        assert_eq!(ssh.fps, SSH_FPS);
        assert!(ssh.picture_interval > local.picture_interval);
        assert!(ssh.picture_bytes < local.picture_bytes);
    }

    #[test]
    fn the_picture_never_refreshes_more_often_than_the_frames() {
        let slow = LinkBudget::new(Some(1), false);
        assert_eq!(slow.picture_interval, Duration::from_secs(1));
        let fast = LinkBudget::new(Some(60), false);
        assert_eq!(fast.fps, 60);
        assert_eq!(fast.picture_interval, Duration::from_millis(250));
    }

    #[test]
    fn a_refresh_changes_fewer_cells_in_costlier_modes() {
        let budget = LinkBudget::new(None, false);
        assert!(
            budget.picture_cells(ColorMode::TrueColor) < budget.picture_cells(ColorMode::Ansi256)
        );
        assert_eq!(budget.picture_cells(ColorMode::TrueColor), 10 * 1024 / 48);
    }
}
