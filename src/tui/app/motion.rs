//! [`Motion`]: the explorer's animation — a path of waypoints played as a morph (with a hold
//! at each and back again), or a random walk — and the clock that says when the next frame is
//! due. Pure state: the loop asks [`Motion::next_frame_in`] how long it may sleep and calls
//! [`Motion::advance`] with the time; the frames themselves are `render::motion`'s.

use crate::render::motion::{RandomWalk, Timing, path_frames};
use std::time::{Duration, Instant};

/// Frame rates the speed keys step through, in frames per second.
pub const SPEEDS: [u32; 6] = [4, 8, 12, 18, 25, 40];
/// The speed a new explorer starts at (an index into [`SPEEDS`]).
const DEFAULT_SPEED: usize = 3;
/// Frames per leg and hold of the explorer's paths.
pub const TIMING: Timing = Timing {
    frames_per_leg: 24,
    hold: 8,
    ping_pong: true,
};
/// Most a button moves per frame of a random walk.
pub const WALK_STEP: f32 = 0.03;
/// Seed of the random walks: the same walk each time from the same buttons.
pub const WALK_SEED: u64 = 1;
/// Most waypoints a path keeps.
pub const MAX_WAYPOINTS: usize = 16;

/// Frames in a minute at `frame` each: the most frames a late random walk catches up on.
fn frames_per_minute(frame: Duration) -> usize {
    usize::try_from(60_000_000 / frame.as_micros().max(1)).unwrap_or(usize::MAX)
}

/// What is playing.
#[derive(Clone, Debug)]
pub enum Playing {
    /// The frames of the path, the one shown and the one due next.
    Path {
        frames: Vec<Vec<f32>>,
        shown: usize,
        next: usize,
    },
    /// A random walk from `start`.
    Walk {
        walk: Box<RandomWalk>,
        start: Vec<f32>,
    },
}

/// The path, what plays, and how fast.
#[derive(Clone, Debug, Default)]
pub struct Motion {
    /// Waypoints of the path, in order.
    pub waypoints: Vec<Vec<f32>>,
    pub playing: Option<Playing>,
    /// Index into [`SPEEDS`].
    speed: Option<usize>,
    next_frame_at: Option<Instant>,
}

impl Motion {
    /// Frames per second of playing and of exported animations.
    pub fn fps(&self) -> u32 {
        SPEEDS[self.speed.unwrap_or(DEFAULT_SPEED)]
    }

    fn frame_time(&self) -> Duration {
        Duration::from_secs(1) / self.fps()
    }

    /// One speed step faster (`up`) or slower; false at the end of the range.
    pub fn change_speed(&mut self, up: bool) -> bool {
        let i = self.speed.unwrap_or(DEFAULT_SPEED);
        let next = if up {
            (i + 1).min(SPEEDS.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        self.speed = Some(next);
        next != i
    }

    /// Adds `input` as the path's last waypoint (not twice in a row); false when the path is
    /// full or it is already the last.
    pub fn add_waypoint(&mut self, input: &[f32]) -> bool {
        if self.waypoints.len() >= MAX_WAYPOINTS
            || self.waypoints.last().is_some_and(|w| w == input)
        {
            return false;
        }
        self.waypoints.push(input.to_vec());
        true
    }

    /// Removes the last waypoint; false when there is none.
    pub fn remove_waypoint(&mut self) -> bool {
        self.waypoints.pop().is_some()
    }

    pub fn clear_waypoints(&mut self) {
        self.waypoints.clear();
    }

    pub fn is_playing(&self) -> bool {
        self.playing.is_some()
    }

    /// Starts playing the path from its first waypoint; false with fewer than two.
    pub fn play_path(&mut self, now: Instant) -> bool {
        if self.waypoints.len() < 2 {
            return false;
        }
        let frames = path_frames(&self.waypoints, TIMING);
        self.playing = Some(Playing::Path {
            frames,
            shown: 0,
            next: 0,
        });
        self.next_frame_at = Some(now);
        true
    }

    /// Starts a random walk from `start`.
    pub fn play_walk(&mut self, start: &[f32], now: Instant) {
        self.playing = Some(Playing::Walk {
            walk: Box::new(RandomWalk::new(start, WALK_STEP, WALK_SEED)),
            start: start.to_vec(),
        });
        self.next_frame_at = Some(now);
    }

    pub fn stop(&mut self) {
        self.playing = None;
        self.next_frame_at = None;
    }

    /// How long until the next frame is due; None when nothing plays.
    pub fn next_frame_in(&self, now: Instant) -> Option<Duration> {
        self.next_frame_at.map(|t| t.saturating_duration_since(now))
    }

    /// The input of the frame due at `now`, if one is; frames missed while the loop was
    /// busy are skipped rather than played late, so playing keeps to the clock.
    pub fn advance(&mut self, now: Instant) -> Option<Vec<f32>> {
        let due = self.next_frame_at?;
        if now < due {
            return None;
        }
        let frame = self.frame_time();
        // Frames that fell due while the loop was busy: skipped, the newest one is shown.
        let missed = (now - due).as_nanos() / frame.as_nanos().max(1);
        let missed = usize::try_from(missed).unwrap_or(usize::MAX);
        let ahead = u32::try_from(missed.saturating_add(1)).unwrap_or(u32::MAX);
        self.next_frame_at = Some(due + frame * ahead);
        match self.playing.as_mut()? {
            Playing::Path {
                frames,
                shown,
                next,
            } => {
                *shown = (*next + missed % frames.len()) % frames.len();
                *next = (*shown + 1) % frames.len();
                Some(frames[*shown].clone())
            }
            Playing::Walk { walk, .. } => {
                for _ in 0..missed.min(frames_per_minute(frame)) {
                    walk.step();
                }
                Some(walk.step())
            }
        }
    }

    /// Where playing is, for the output pane's title: `path 12/96` or `walk`.
    pub fn label(&self) -> Option<String> {
        match self.playing.as_ref()? {
            Playing::Path { frames, shown, .. } => Some(format!(
                "▶ path {}/{} @{} fps",
                shown + 1,
                frames.len(),
                self.fps()
            )),
            Playing::Walk { .. } => Some(format!("▶ random walk @{} fps", self.fps())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_needs_two_waypoints_and_never_repeats_the_last() {
        let mut m = Motion::default();
        let now = Instant::now();
        assert!(m.add_waypoint(&[0.0, 1.0]));
        assert!(!m.add_waypoint(&[0.0, 1.0]));
        assert!(!m.play_path(now));
        assert!(m.add_waypoint(&[1.0, 0.0]));
        assert!(m.play_path(now));
        assert!(m.is_playing());
        assert!(m.remove_waypoint());
        assert_eq!(m.waypoints, vec![vec![0.0, 1.0]]);
    }

    #[test]
    fn frames_come_on_the_clock_and_late_ones_are_skipped() {
        let mut m = Motion::default();
        let t0 = Instant::now();
        m.add_waypoint(&[0.0]);
        m.add_waypoint(&[1.0]);
        m.play_path(t0);
        let frame = Duration::from_secs(1) / m.fps();
        assert_eq!(m.advance(t0), Some(vec![0.0]));
        assert_eq!(m.advance(t0 + frame / 2), None, "not due yet");
        assert_eq!(m.next_frame_in(t0 + frame / 2), Some(frame - frame / 2));
        // Three frames late: the clock keeps its pace, the path jumps ahead.
        assert!(m.advance(t0 + frame * 4).is_some());
        match &m.playing {
            Some(Playing::Path { shown, next, .. }) => assert_eq!((*shown, *next), (4, 5)),
            other => panic!("{other:?}"),
        }
        m.stop();
        assert_eq!(m.next_frame_in(t0), None);
        assert_eq!(m.advance(t0 + frame * 9), None);
    }

    #[test]
    fn a_path_loops_back_to_its_first_frame() {
        let mut m = Motion::default();
        let t0 = Instant::now();
        m.add_waypoint(&[0.0]);
        m.add_waypoint(&[1.0]);
        m.play_path(t0);
        let n = path_frames(&m.waypoints, TIMING).len();
        let frame = Duration::from_secs(1) / m.fps();
        let shown: Vec<Vec<f32>> = (0..=n as u32)
            .filter_map(|k| m.advance(t0 + frame * k))
            .collect();
        assert_eq!(shown.len(), n + 1);
        assert_eq!(shown[n], shown[0]);
    }

    #[test]
    fn speed_steps_within_its_range() {
        let mut m = Motion::default();
        assert_eq!(m.fps(), SPEEDS[DEFAULT_SPEED]);
        while m.change_speed(true) {}
        assert_eq!(m.fps(), *SPEEDS.last().expect("speeds"));
        while m.change_speed(false) {}
        assert_eq!(m.fps(), SPEEDS[0]);
    }

    #[test]
    fn a_walk_starts_where_the_buttons_are() {
        let mut m = Motion::default();
        let t0 = Instant::now();
        m.play_walk(&[0.2, 0.9], t0);
        assert_eq!(m.advance(t0), Some(vec![0.2, 0.9]));
        assert!(m.label().expect("playing").contains("walk"));
    }
}
