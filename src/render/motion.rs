//! Motion through the input space: the input vectors of an animation, frame by frame.
//!
//! Two kinds, as CPPN and GAN explorers have them: a path of waypoints played as a morph
//! (straight lines between waypoints, a hold at each, optionally back again), and a seeded
//! random walk that drifts through 0..=1 in every button. Both are plain lists of input
//! vectors; drawing them is the caller's job (one forward pass a frame).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How a path is played.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Frames from one waypoint to the next, the waypoint itself included (at least 1).
    pub frames_per_leg: usize,
    /// Extra frames each waypoint is held for.
    pub hold: usize,
    /// Play back to the start after the last waypoint, so the animation loops seamlessly.
    pub ping_pong: bool,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            frames_per_leg: 24,
            hold: 8,
            ping_pong: true,
        }
    }
}

/// The input vectors of a morph through `waypoints`, one per frame.
///
/// Each waypoint is shown `1 + hold` times, followed by `frames_per_leg - 1` frames on the
/// straight line to the next waypoint. Without ping-pong the path ends on the last waypoint;
/// with it the path turns there and comes back, stopping just before the first waypoint, so
/// that playing the frames in a loop never shows a waypoint twice in a row. One waypoint
/// gives `1 + hold` frames of it; none gives none.
///
/// # Panics
/// If the waypoints differ in length or `frames_per_leg` is 0 (callers check user input first).
pub fn path_frames(waypoints: &[Vec<f32>], timing: Timing) -> Vec<Vec<f32>> {
    assert!(
        timing.frames_per_leg > 0,
        "frames_per_leg must be at least 1"
    );
    if let Some(first) = waypoints.first() {
        assert!(
            waypoints.iter().all(|w| w.len() == first.len()),
            "every waypoint must have the same length"
        );
    }
    let stops: Vec<&Vec<f32>> = if timing.ping_pong && waypoints.len() > 1 {
        // There and back: a, b, c, b (then a again, as the loop restarts).
        let back = waypoints[1..waypoints.len() - 1].iter().rev();
        waypoints.iter().chain(back).collect()
    } else {
        waypoints.iter().collect()
    };
    let looped = timing.ping_pong && stops.len() > 1;
    let mut frames = Vec::new();
    for (i, &stop) in stops.iter().enumerate() {
        frames.extend(std::iter::repeat_n(stop.clone(), 1 + timing.hold));
        let next = match stops.get(i + 1) {
            Some(&next) => next,
            None if looped => stops[0],
            None => break,
        };
        for j in 1..timing.frames_per_leg {
            let t = j as f32 / timing.frames_per_leg as f32;
            frames.push(lerp(stop, next, t));
        }
    }
    frames
}

/// The point a fraction `t` of the way from `a` to `b`.
fn lerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    a.iter().zip(b).map(|(&a, &b)| a + (b - a) * t).collect()
}

/// A random walk through the input space: `steps` frames starting at `start`, each moving
/// every button by at most `speed` (a fraction of the full range per frame).
///
/// The walk has momentum, so it drifts rather than jitters: each button's velocity is mostly
/// kept and partly renewed at random every frame, and a button that would leave 0..=1 bounces
/// back. Same seed, same walk.
pub fn random_walk(start: &[f32], steps: usize, speed: f32, seed: u64) -> Vec<Vec<f32>> {
    let mut walker = RandomWalk::new(start, speed, seed);
    (0..steps).map(|_| walker.step()).collect()
}

/// The state of a random walk, advanced one frame at a time (the explorer's live walk).
#[derive(Clone, Debug)]
pub struct RandomWalk {
    position: Vec<f32>,
    velocity: Vec<f32>,
    speed: f32,
    rng: ChaCha8Rng,
}

/// How much of a button's velocity is kept from one frame to the next.
const MOMENTUM: f32 = 0.9;

impl RandomWalk {
    /// A walk from `start` (clamped to 0..=1) moving at most `speed` per frame.
    pub fn new(start: &[f32], speed: f32, seed: u64) -> Self {
        RandomWalk {
            position: start.iter().map(|v| v.clamp(0.0, 1.0)).collect(),
            velocity: vec![0.0; start.len()],
            speed: speed.clamp(0.0, 1.0),
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// The current position; the first `step` returns it unchanged.
    pub fn position(&self) -> &[f32] {
        &self.position
    }

    /// Changes the speed from the next step on.
    pub fn set_speed(&mut self, speed: f32) {
        self.speed = speed.clamp(0.0, 1.0);
    }

    /// Returns the current position, then moves one frame on.
    pub fn step(&mut self) -> Vec<f32> {
        let here = self.position.clone();
        for (x, v) in self.position.iter_mut().zip(&mut self.velocity) {
            let kick: f32 = self.rng.random_range(-1.0..=1.0);
            *v = (MOMENTUM * *v + (1.0 - MOMENTUM) * kick).clamp(-1.0, 1.0);
            let mut next = *x + *v * self.speed;
            if !(0.0..=1.0).contains(&next) {
                // Bounce off the wall: reflect the position and reverse the velocity.
                next = if next < 0.0 { -next } else { 2.0 - next };
                *v = -*v;
            }
            *x = next.clamp(0.0, 1.0);
        }
        here
    }
}

/// A frame delay in milliseconds for `fps` frames per second, never below the 20 ms that
/// browsers still honour (they show shorter GIF delays as 100 ms), rounded to the GIF's
/// 10 ms unit.
pub fn frame_delay_ms(fps: f32) -> u32 {
    let ms = (1000.0 / fps.max(f32::MIN_POSITIVE)).round();
    let ms = ms.clamp(MIN_DELAY_MS as f32, 60_000.0) as u32;
    (ms + 5) / 10 * 10
}

/// The shortest frame delay an exported animation gets, in milliseconds.
pub const MIN_DELAY_MS: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(frames_per_leg: usize, hold: usize, ping_pong: bool) -> Timing {
        Timing {
            frames_per_leg,
            hold,
            ping_pong,
        }
    }

    #[test]
    fn a_morph_goes_in_straight_steps_and_holds_each_waypoint() {
        let a = vec![0.0, 1.0];
        let b = vec![1.0, 0.0];
        let frames = path_frames(&[a.clone(), b.clone()], timing(4, 1, false));
        assert_eq!(
            frames,
            vec![
                a.clone(),
                a,
                vec![0.25, 0.75],
                vec![0.5, 0.5],
                vec![0.75, 0.25],
                b.clone(),
                b
            ]
        );
    }

    #[test]
    fn ping_pong_comes_back_without_showing_a_waypoint_twice_in_a_row() {
        let (a, b, c) = (vec![0.0], vec![0.5], vec![1.0]);
        let frames = path_frames(&[a.clone(), b.clone(), c.clone()], timing(2, 0, true));
        // a, a→b, b, b→c, c, c→b, b, b→a; the loop then starts again at a.
        assert_eq!(
            frames,
            vec![
                a,
                vec![0.25],
                b.clone(),
                vec![0.75],
                c,
                vec![0.75],
                b,
                vec![0.25]
            ]
        );
    }

    #[test]
    fn a_single_waypoint_is_a_still_held_for_its_frames() {
        let frames = path_frames(&[vec![0.3, 0.7]], timing(10, 3, true));
        assert_eq!(frames, vec![vec![0.3, 0.7]; 4]);
        assert!(path_frames(&[], Timing::default()).is_empty());
    }

    #[test]
    fn one_frame_per_leg_jumps_from_waypoint_to_waypoint() {
        let frames = path_frames(&[vec![0.0], vec![1.0]], timing(1, 0, false));
        assert_eq!(frames, vec![vec![0.0], vec![1.0]]);
    }

    #[test]
    fn a_random_walk_stays_in_range_moves_and_repeats_with_its_seed() {
        let start = vec![0.0, 0.5, 1.0, 0.5];
        let walk = random_walk(&start, 2000, 0.2, 7);
        assert_eq!(walk.len(), 2000);
        assert_eq!(walk[0], start);
        assert!(walk.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
        for pair in walk.windows(2) {
            for (a, b) in pair[0].iter().zip(&pair[1]) {
                assert!((a - b).abs() <= 0.2 + 1e-6, "moved {a} -> {b}");
            }
        }
        let spread = |i: usize| {
            let (lo, hi) = walk
                .iter()
                .fold((1.0f32, 0.0f32), |(lo, hi), x| (lo.min(x[i]), hi.max(x[i])));
            hi - lo
        };
        assert!((0..4).all(|i| spread(i) > 0.5), "the walk explores");
        assert_eq!(walk, random_walk(&start, 2000, 0.2, 7));
        assert_ne!(walk, random_walk(&start, 2000, 0.2, 8));
    }

    #[test]
    fn frame_delays_follow_the_rate_but_never_drop_under_twenty_ms() {
        assert_eq!(frame_delay_ms(25.0), 40);
        assert_eq!(frame_delay_ms(10.0), 100);
        assert_eq!(frame_delay_ms(50.0), 20);
        assert_eq!(frame_delay_ms(120.0), 20);
        assert_eq!(frame_delay_ms(30.0), 30);
    }
}
