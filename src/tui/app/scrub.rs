//! [`Scrub`]: scrubbing back through the run's picture history for the shown training input.
//! The output pane follows the live weights until the user steps back; then it shows the
//! picture kept at that epoch, and stepping past the newest record follows the live weights
//! again. Which record a key leads to is [`target`]'s business (pure); reading the picture
//! is the loop's (`tui::history_frame`), so the state here stays plain data.

/// A scrub key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Back,
    Forward,
    First,
    /// Follow the live weights again.
    Latest,
    /// The same epoch again (another training input was chosen).
    Stay,
}

/// A picture from the history, shown instead of the live output.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryFrame {
    pub epoch: usize,
    /// Its position among the records, 0-based, and how many there are.
    pub index: usize,
    pub count: usize,
    /// The training sample it shows.
    pub sample: usize,
    /// The output values (0..1), as the network's output vector.
    pub values: Vec<f32>,
}

/// The record `step` leads to from the one showing `shown` (an epoch; None = live), among
/// records of `epochs` (increasing); None means live.
pub fn target(epochs: &[usize], shown: Option<usize>, step: Step) -> Option<usize> {
    let last = epochs.len().checked_sub(1)?;
    // The record at or before the shown epoch.
    let at = |epoch: usize| epochs.iter().rposition(|&e| e <= epoch);
    match (step, shown) {
        (Step::Latest, _) | (Step::Forward | Step::Stay, None) => None,
        (Step::First, _) => Some(0),
        (Step::Back, None) => Some(last),
        (Step::Back, Some(e)) => Some(at(e).map_or(0, |i| i.saturating_sub(1))),
        (Step::Forward, Some(e)) => match at(e) {
            Some(i) if i < last => Some(i + 1),
            Some(_) => None,
            None => Some(0),
        },
        (Step::Stay, Some(e)) => Some(at(e).unwrap_or(0)),
    }
}

/// The scrubber's state: the frame shown, if the user moved away from the live weights, and
/// for each compared run its picture of the same training input at the same epoch (or the
/// newest before it), where its history has one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scrub {
    pub shown: Option<HistoryFrame>,
    pub compared: Vec<Option<HistoryFrame>>,
}

impl Scrub {
    /// The epoch shown, when scrubbed.
    pub fn epoch(&self) -> Option<usize> {
        self.shown.as_ref().map(|f| f.epoch)
    }

    /// Back to the live pictures.
    pub fn follow_live(&mut self) {
        self.shown = None;
        self.compared.clear();
    }

    /// Compared run `i`'s history picture, while scrubbed.
    pub fn compared_frame(&self, i: usize) -> Option<&HistoryFrame> {
        self.shown.as_ref()?;
        self.compared.get(i)?.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPOCHS: [usize; 4] = [0, 1, 5, 10];

    #[test]
    fn stepping_back_from_live_shows_the_newest_record_then_older_ones() {
        assert_eq!(target(&EPOCHS, None, Step::Back), Some(3));
        assert_eq!(target(&EPOCHS, Some(10), Step::Back), Some(2));
        assert_eq!(
            target(&EPOCHS, Some(0), Step::Back),
            Some(0),
            "stays at the first"
        );
    }

    #[test]
    fn stepping_forward_past_the_newest_record_follows_live_again() {
        assert_eq!(target(&EPOCHS, Some(5), Step::Forward), Some(3));
        assert_eq!(target(&EPOCHS, Some(10), Step::Forward), None);
        assert_eq!(target(&EPOCHS, None, Step::Forward), None);
    }

    #[test]
    fn first_latest_and_stay_jump_where_they_say() {
        assert_eq!(target(&EPOCHS, None, Step::First), Some(0));
        assert_eq!(target(&EPOCHS, Some(5), Step::Latest), None);
        assert_eq!(target(&EPOCHS, Some(5), Step::Stay), Some(2));
        // A resumed run may have cut records: the nearest older one.
        assert_eq!(target(&EPOCHS, Some(7), Step::Stay), Some(2));
        assert_eq!(target(&EPOCHS, None, Step::Stay), None);
    }

    #[test]
    fn an_empty_history_always_means_live() {
        assert_eq!(target(&[], None, Step::Back), None);
        assert_eq!(target(&[], Some(3), Step::First), None);
    }
}
