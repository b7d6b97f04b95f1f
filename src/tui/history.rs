//! [`History`]: the error and learning rate of every epoch seen so far, what the charts draw.

use crate::train::schedule::Halving;

/// The error and learning rate of every epoch seen so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Epoch of `errors[0]`.
    pub first_epoch: usize,
    pub errors: Vec<f64>,
    pub learning_rates: Vec<f32>,
    /// Where the rate was halved, as the trainer reported it: the epoch at whose end it
    /// changed, and the new rate.
    pub halvings: Vec<Halving>,
    /// Lowest error so far and its epoch.
    pub best: Option<(usize, f64)>,
}

impl History {
    /// The last epoch recorded, 0 if none.
    pub fn last_epoch(&self) -> usize {
        if self.errors.is_empty() {
            0
        } else {
            self.first_epoch + self.errors.len() - 1
        }
    }

    pub fn current(&self) -> Option<f64> {
        self.errors.last().copied()
    }

    /// Appends one epoch. An epoch that does not follow the last one starts a new history
    /// (a watched run that was restarted from an older checkpoint).
    pub fn push(&mut self, epoch: usize, error: f64, learning_rate: f32) {
        if !self.errors.is_empty() && epoch != self.last_epoch() + 1 {
            *self = History::default();
        }
        if self.errors.is_empty() {
            self.first_epoch = epoch;
        }
        self.errors.push(error);
        self.learning_rates.push(learning_rate);
        if error.is_finite() && self.best.is_none_or(|(_, b)| error < b) {
            self.best = Some((epoch, error));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_that_does_not_follow_starts_a_new_history() {
        let mut h = History::default();
        h.push(1, 0.5, 0.1);
        h.push(2, 0.4, 0.1);
        assert_eq!(
            (h.first_epoch, h.last_epoch(), h.best),
            (1, 2, Some((2, 0.4)))
        );
        h.push(7, 0.6, 0.1);
        assert_eq!(
            (h.first_epoch, h.last_epoch(), h.best),
            (7, 7, Some((7, 0.6)))
        );
    }
}
