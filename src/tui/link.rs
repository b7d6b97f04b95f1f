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
/// ratatui writes through crossterm (measured by an integration test, `explore_screens`): a
/// cursor move, the foreground and background colours, the character.
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
