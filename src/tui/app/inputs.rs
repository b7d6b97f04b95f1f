//! [`Inputs`]: the buttons (one weight in 0..=1 per input node), the selected one, and the
//! training input `t` showed last.

use crate::data::Sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Step of the `+`/`-` keys and grid of the random weights.
pub const WEIGHT_STEP: f32 = 0.1;

/// The input weights the output is drawn for.
#[derive(Debug)]
pub struct Inputs {
    /// Input weights, one per input node, each in 0..=1.
    pub buttons: Vec<f32>,
    /// The selected input, for `+`/`-`.
    pub cursor: usize,
    /// The training input `t` showed last.
    training_cursor: Option<usize>,
    rng: ChaCha8Rng,
}

impl Inputs {
    /// `n` inputs, all 0, the first selected.
    pub fn new(n: usize) -> Self {
        Inputs {
            buttons: vec![0.0; n],
            cursor: 0,
            training_cursor: None,
            rng: ChaCha8Rng::seed_from_u64(1),
        }
    }

    /// Toggles input `i` between 0 and 1 and selects it; false if there is no input `i`.
    pub fn toggle(&mut self, i: usize) -> bool {
        let Some(b) = self.buttons.get_mut(i) else {
            return false;
        };
        *b = if *b >= 0.5 { 0.0 } else { 1.0 };
        self.cursor = i;
        true
    }

    /// Selects the previous input, wrapping around.
    pub fn select_previous(&mut self) {
        let n = self.buttons.len().max(1);
        self.cursor = (self.cursor + n - 1) % n;
    }

    /// Selects the next input, wrapping around.
    pub fn select_next(&mut self) {
        self.cursor = (self.cursor + 1) % self.buttons.len().max(1);
    }

    /// Moves the selected input by `delta` within 0..=1; false when there is none.
    pub fn nudge(&mut self, delta: f32) -> bool {
        let Some(b) = self.buttons.get_mut(self.cursor) else {
            return false;
        };
        // Stay on the 0.1 grid so names and labels stay short.
        *b = ((*b + delta) * 10.0).round().clamp(0.0, 10.0) / 10.0;
        true
    }

    /// Sets every input to 0.
    pub fn clear(&mut self) {
        self.buttons.fill(0.0);
    }

    /// Random weights on the 0.1 grid (seeded, so a session's sequence repeats).
    pub fn randomize(&mut self) {
        for b in &mut self.buttons {
            *b = self.rng.random_range(0..=10) as f32 * WEIGHT_STEP;
        }
    }

    /// Moves on to the next of `samples` (cycling) and takes its input when it fits; returns
    /// the sample's index, or None when there are no samples.
    pub fn next_training(&mut self, samples: &[Sample]) -> Option<usize> {
        if samples.is_empty() {
            return None;
        }
        let next = self.training_cursor.map_or(0, |i| (i + 1) % samples.len());
        self.take_training(next, samples);
        Some(next)
    }

    /// Takes the input of sample `i` when it fits (and `t` continues from it); false when
    /// there is no sample `i`.
    pub fn take_training(&mut self, i: usize, samples: &[Sample]) -> bool {
        let Some(sample) = samples.get(i) else {
            return false;
        };
        self.training_cursor = Some(i);
        if sample.input.len() == self.buttons.len() {
            self.buttons.clone_from(&sample.input);
        }
        true
    }

    /// The index of the sample whose input equals the buttons.
    pub fn matching(&self, samples: &[Sample]) -> Option<usize> {
        samples.iter().position(|s| {
            s.input.len() == self.buttons.len()
                && s.input
                    .iter()
                    .zip(&self.buttons)
                    .all(|(a, b)| (a - b).abs() < 1e-4)
        })
    }
}
