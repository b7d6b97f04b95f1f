//! The adaptive learning-rate rule, as a pure function of the error history.
//!
//! At the end of every `window`-th epoch, once 2·window epochs exist, the rate is halved if
//! the mean epoch error of the last `window` epochs is greater than the mean of the `window`
//! epochs before them. With the experiment's window of 100: checked after epochs 200, 300, …

use serde::{Deserialize, Serialize};

/// One halving of the learning rate: after `epoch`, the rate became `learning_rate`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Halving {
    pub epoch: usize,
    pub learning_rate: f32,
}

/// Whether to halve the rate at the end of `epoch` (1-based, the epoch just finished).
///
/// `recent` holds the epoch errors up to and including `epoch`, newest last; only its last
/// 2·window values are read, so a caller may keep just those.
pub fn should_halve(epoch: usize, recent: &[f64], window: usize) -> bool {
    if window == 0
        || !epoch.is_multiple_of(window)
        || epoch < 2 * window
        || recent.len() < 2 * window
    {
        return false;
    }
    let last = &recent[recent.len() - window..];
    let before = &recent[recent.len() - 2 * window..recent.len() - window];
    mean(last) > mean(before)
}

/// Arithmetic mean, summed in order in f64.
fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(before: f64, last: f64, window: usize) -> Vec<f64> {
        let mut h = vec![before; window];
        h.extend(vec![last; window]);
        h
    }

    #[test]
    fn halves_the_rate_when_the_last_window_is_worse() {
        assert!(should_halve(200, &history(0.1, 0.2, 100), 100));
    }

    #[test]
    fn keeps_the_rate_when_the_last_window_is_better_or_equal() {
        assert!(!should_halve(200, &history(0.2, 0.1, 100), 100));
        assert!(!should_halve(200, &history(0.2, 0.2, 100), 100));
    }

    #[test]
    fn never_checks_before_two_windows_exist() {
        assert!(!should_halve(100, &history(0.1, 0.2, 50), 100));
        let mut h = vec![0.1; 100];
        h[99] = 9.0;
        assert!(!should_halve(100, &h, 100));
    }

    #[test]
    fn checks_only_at_the_end_of_a_window() {
        let mut h = history(0.1, 0.2, 100);
        h.push(0.3);
        assert!(!should_halve(201, &h, 100));
        h.extend(vec![0.3; 99]);
        assert!(should_halve(300, &h, 100));
    }

    #[test]
    fn compares_means_not_single_values() {
        // The last window ends lower than it started but its mean is higher.
        let mut h = vec![0.5; 10];
        h.extend([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1]);
        assert!(should_halve(20, &h, 10));
    }

    #[test]
    fn reads_only_the_last_two_windows() {
        let mut h = vec![100.0; 50];
        h.extend(history(0.1, 0.2, 10));
        assert!(should_halve(70, &h, 10));
    }
}
