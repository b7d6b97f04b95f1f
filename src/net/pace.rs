//! [`Pace`]: whether a [`Team`](super::parallel::Team)'s second thread pays right now,
//! measured rather than assumed.
//!
//! Threads that meet at every sample are fast only while both run. On a machine shared with
//! other work (a build, a browser, a second training, the explorer's own drawing) the
//! scheduler deschedules one of them for milliseconds at a time, and every meeting waits for
//! it (measured, a default run beside one other busy process took 1.5 times as long on two
//! threads as on one). So the team times its own steps, in windows of [`WINDOW`] of busy time,
//! and compares two ways of running: all threads ([`Mode::Team`]) or the calling thread alone
//! with the others parked ([`Mode::Solo`]). It keeps the faster and now and then probes the
//! other for one window. A probe that loses doubles the wait before the next one, up to
//! [`max_probe_every`]: 2 s while the team runs together, 0.5 s while it runs alone. A mistake
//! costs more one way than the other: a team wrongly run alone on a quiet machine loses half
//! its speed until the next probe, while a probe of the team on a busy machine loses part of
//! one 20 ms window (about 4 % of the time at most, at the team's slower pace, not at none).
//! Leaving the team also asks for a clearer win (10 %) than returning to it (5 %), since a
//! window on a quiet machine can still catch a checkpoint save or another short burst. Both
//! modes give the same bits, so this changes only the speed.

use std::time::Duration;

/// Busy time per measurement window.
pub const WINDOW: Duration = Duration::from_millis(20);
/// Fewest steps per window (a step of the colour network on a busy machine takes ms).
const MIN_STEPS: u32 = 4;
/// The first wait between probes, and the wait after a probe that won.
const FIRST_PROBE_EVERY: Duration = Duration::from_millis(250);
/// The longest wait between probes of the other mode, by the current mode.
pub fn max_probe_every(mode: Mode) -> Duration {
    match mode {
        Mode::Team => Duration::from_secs(2),
        Mode::Solo => Duration::from_millis(500),
    }
}

/// How much faster a probed mode must be to be kept (measurements on a shared machine are
/// noisy, and switching back and forth costs a thread wake-up).
fn probe_margin(probed: Mode) -> f64 {
    match probed {
        Mode::Team => 1.05,
        Mode::Solo => 1.10,
    }
}
/// The current mode's rate must fall this far below the other's last rate to probe the other
/// at once, before its time.
const EARLY_MARGIN: f64 = 1.15;

/// How a team runs its next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every thread sweeps its share (and takes over a late partner's).
    Team,
    /// The calling thread sweeps everything; the workers park.
    Solo,
}

impl Mode {
    fn other(self) -> Mode {
        match self {
            Mode::Team => Mode::Solo,
            Mode::Solo => Mode::Team,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The chooser: the current mode, the last measured rate of each, and when to probe.
#[derive(Clone, Debug)]
pub struct Pace {
    mode: Mode,
    /// Steps per second of busy time in the last window of each mode.
    rate: [Option<f64>; 2],
    window_busy: Duration,
    window_steps: u32,
    /// The current window measures the other mode on trial.
    probing: bool,
    since_probe: Duration,
    probe_every: Duration,
    /// Steps taken in each mode so far.
    steps: [u64; 2],
    /// False: stay in the current mode (for measuring one mode on a busy machine).
    adaptive: bool,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            mode: Mode::Team,
            rate: [None, None],
            window_busy: Duration::ZERO,
            window_steps: 0,
            probing: false,
            since_probe: Duration::ZERO,
            probe_every: FIRST_PROBE_EVERY,
            steps: [0, 0],
            adaptive: true,
        }
    }
}

impl Pace {
    /// The mode of the next step.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// A pace that stays in `mode`.
    pub fn fixed(mode: Mode) -> Pace {
        Pace {
            mode,
            adaptive: false,
            ..Pace::default()
        }
    }

    /// Steps taken so far in `mode`.
    pub fn steps(&self, mode: Mode) -> u64 {
        self.steps[mode.index()]
    }

    /// Records a step of the current mode that took `busy` (wall clock, from the start of the
    /// step to its end) and returns the mode of the next step.
    pub fn record(&mut self, busy: Duration) -> Mode {
        self.steps[self.mode.index()] += 1;
        self.window_busy += busy;
        self.window_steps += 1;
        if self.adaptive && self.window_busy >= WINDOW && self.window_steps >= MIN_STEPS {
            self.end_window();
        }
        self.mode
    }

    fn end_window(&mut self) {
        let rate = f64::from(self.window_steps) / self.window_busy.as_secs_f64();
        let (mode, other) = (self.mode, self.mode.other());
        self.rate[mode.index()] = Some(rate);
        self.since_probe += self.window_busy;
        self.window_busy = Duration::ZERO;
        self.window_steps = 0;
        if self.probing {
            // `mode` was on trial against `other`'s last rate.
            self.probing = false;
            self.since_probe = Duration::ZERO;
            let margin = probe_margin(mode);
            if self.rate[other.index()].is_some_and(|before| rate > before * margin) {
                self.probe_every = FIRST_PROBE_EVERY;
            } else {
                self.mode = other;
                self.probe_every = (self.probe_every * 2).min(max_probe_every(other));
            }
            return;
        }
        let probe = match self.rate[other.index()] {
            None => true,
            Some(theirs) => theirs > rate * EARLY_MARGIN || self.since_probe >= self.probe_every,
        };
        if probe {
            self.mode = other;
            self.probing = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `pace` steps of `per_step` each (by mode) until `busy` of them have passed;
    /// returns the steps taken in each mode.
    fn run(pace: &mut Pace, busy: Duration, team: Duration, solo: Duration) -> [u64; 2] {
        let before = [pace.steps(Mode::Team), pace.steps(Mode::Solo)];
        let mut elapsed = Duration::ZERO;
        while elapsed < busy {
            let step = match pace.mode() {
                Mode::Team => team,
                Mode::Solo => solo,
            };
            pace.record(step);
            elapsed += step;
        }
        [
            pace.steps(Mode::Team) - before[0],
            pace.steps(Mode::Solo) - before[1],
        ]
    }

    #[test]
    fn a_team_that_pays_stays_a_team_with_rare_probes() {
        let mut pace = Pace::default();
        let us = Duration::from_micros;
        let [team, solo] = run(&mut pace, Duration::from_secs(60), us(90), us(200));
        assert_eq!(pace.mode(), Mode::Team);
        // One 20 ms window of solo steps per probe: at most one per 2 s after the back-off.
        let solo_time = us(200) * solo as u32;
        assert!(solo_time < Duration::from_millis(700), "{solo} solo steps");
        assert!(team > 600_000, "{team} team steps");
    }

    #[test]
    fn a_team_slowed_by_a_busy_machine_goes_solo_and_comes_back_when_it_pays_again() {
        let mut pace = Pace::default();
        let us = Duration::from_micros;
        run(&mut pace, Duration::from_secs(1), us(90), us(200));
        assert_eq!(pace.mode(), Mode::Team);
        // Contention: the team's steps now take 3 times as long as a solo step.
        run(&mut pace, Duration::from_millis(100), us(600), us(200));
        assert_eq!(pace.mode(), Mode::Solo, "switches within a few windows");
        let [team, solo] = run(&mut pace, Duration::from_secs(60), us(600), us(200));
        // One window of team steps per probe, one per 0.5 s after the back-off.
        let team_time = (us(600) * team as u32).as_secs_f64();
        assert!(team_time / 60.0 < 0.045, "probes took {team_time} s of 60");
        assert!(solo > 250_000);
        // The machine is quiet again: the next probe finds the team faster.
        run(
            &mut pace,
            max_probe_every(Mode::Solo) + WINDOW * 4,
            us(90),
            us(200),
        );
        assert_eq!(pace.mode(), Mode::Team);
    }

    #[test]
    fn a_fixed_pace_never_switches() {
        let mut pace = Pace::fixed(Mode::Team);
        let us = Duration::from_micros;
        run(&mut pace, Duration::from_secs(5), us(900), us(100));
        assert_eq!(pace.steps(Mode::Solo), 0);
    }

    #[test]
    fn a_probe_within_the_noise_does_not_switch() {
        let mut pace = Pace::default();
        let us = Duration::from_micros;
        run(&mut pace, Duration::from_secs(2), us(100), us(102));
        assert_eq!(pace.mode(), Mode::Team);
        run(&mut pace, Duration::from_secs(2), us(102), us(100));
        assert_eq!(pace.mode(), Mode::Team, "2 % is within the margin");
    }
}
