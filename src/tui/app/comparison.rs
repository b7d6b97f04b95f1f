//! [`Comparison`]: the runs shown beside the explorer's own (`--compare`), each followed
//! read-only, and how they are shown: side by side, as the difference of the two runs in
//! focus, or blinking between them.
//!
//! The explorer's own run keeps its state in `App` as without a comparison; here are the
//! others, each with the same parts (its [`RunInfo`], a [`RunStatus`] for the charts and
//! the per-image panel, an [`Output`] for its pane). Runs are numbered as on screen: 0 is
//! the explorer's own run, 1… the compared ones.

use super::scrub::HistoryFrame;
use super::{App, Output, RunInfo, RunStatus};
use crate::train::comparison::{ErrorTable, RunErrors, error_table};
use crate::train::update::Update;

/// Most runs on screen at once: the explorer's own and three compared.
pub const MAX_RUNS: usize = 4;

/// How the compared runs' pictures are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareView {
    /// One pane per run.
    SideBySide,
    /// The two runs in focus and |A − B| as a heat map.
    Difference,
    /// One large pane alternating between the two runs in focus.
    Blink,
}

/// A run shown beside the explorer's own.
#[derive(Debug)]
pub struct ComparedRun {
    pub run: RunInfo,
    /// Its training images' stems, in its training order.
    pub stems: Vec<String>,
    pub status: RunStatus,
    pub output: Output,
    /// Why the run cannot be shown (unreadable files, a network that does not fit): its
    /// pane says so instead of drawing a picture; the other panes go on.
    pub problem: Option<String>,
}

impl ComparedRun {
    pub fn new(run: RunInfo, stems: Vec<String>) -> Self {
        ComparedRun {
            run,
            stems,
            status: RunStatus::new(super::Mode::Watching(super::Watched::Training)),
            output: Output::default(),
            problem: None,
        }
    }

    /// A run that could not be opened: a pane with `problem` and nothing else.
    pub fn unreadable(name: String, problem: String) -> Self {
        let run = RunInfo {
            name,
            path: Default::default(),
            preset: String::new(),
            layers: Vec::new(),
            width: 0,
            height: 0,
            channels: 1,
            total_epochs: 0,
        };
        ComparedRun {
            problem: Some(problem),
            ..ComparedRun::new(run, Vec::new())
        }
    }

    /// Applies what its watcher found; `buttons` are the explorer's inputs, for the output.
    pub fn apply(&mut self, update: Update, buttons: &[f32]) {
        match update {
            Update::Progress(p) => self.status.add_progress(p),
            Update::Weights { net, epoch } => {
                if net.layers() != self.run.layers.as_slice() {
                    self.problem = Some("the checkpoint's layers do not match run.json".into());
                } else {
                    self.problem = None;
                    self.output.set_weights(net, epoch, buttons);
                }
            }
            Update::State(state) => self.status.set_state(state),
            Update::Saved { .. } | Update::LogRead => {}
            Update::Failed(e) => self.problem = Some(e),
            Update::Watched(w) => {
                self.run.total_epochs = w.total_epochs;
                self.status.set_watched(w);
            }
        }
    }

    /// The latest epoch known, from the metrics or the weights.
    pub fn epoch(&self) -> usize {
        self.status.history.last_epoch().max(self.output.epoch)
    }
}

/// The compared runs and how they are shown.
#[derive(Debug)]
pub struct Comparison {
    /// The runs beside the explorer's own (at most [`MAX_RUNS`] − 1).
    pub runs: Vec<ComparedRun>,
    pub view: CompareView,
    /// The two runs the difference and blink views show, as on-screen numbers (0 is the
    /// explorer's own run), A < B.
    pub focus: (usize, usize),
    /// The first run of the side-by-side panes when not all of them fit.
    pub first_pane: usize,
    /// The blink view shows B (else A).
    pub blink_on_b: bool,
}

impl Comparison {
    pub fn new(runs: Vec<ComparedRun>) -> Self {
        Comparison {
            runs,
            view: CompareView::SideBySide,
            focus: (0, 1),
            first_pane: 0,
            blink_on_b: false,
        }
    }

    /// Runs on screen, the explorer's own included.
    pub fn total(&self) -> usize {
        self.runs.len() + 1
    }

    /// The next pair of runs in focus: (0,1), (0,2), …, (1,2), …, then (0,1) again.
    pub fn next_focus(&mut self) {
        let n = self.total();
        let (a, b) = self.focus;
        self.focus = if b + 1 < n {
            (a, b + 1)
        } else if a + 2 < n {
            (a + 1, a + 2)
        } else {
            (0, 1)
        };
        self.blink_on_b = false;
    }

    /// Shows the difference view, or the panes again if it is shown.
    pub fn toggle_view(&mut self, view: CompareView) {
        self.view = if self.view == view {
            CompareView::SideBySide
        } else {
            view
        };
        self.blink_on_b = false;
    }

    /// Moves the side-by-side panes on by one run (seen only when not all of them fit:
    /// the app does not know the terminal's width).
    pub fn next_panes(&mut self) {
        self.first_pane = (self.first_pane + 1) % self.total();
    }

    /// The on-screen numbers of the runs in the side-by-side panes when `shown` fit: all
    /// of them, or `shown` consecutive ones (wrapping) from `first_pane`.
    pub fn panes(&self, shown: usize) -> Vec<usize> {
        let n = self.total();
        if shown >= n {
            return (0..n).collect();
        }
        (0..shown.max(1))
            .map(|i| (self.first_pane + i) % n)
            .collect()
    }

    /// Recomputes every compared run's output for new buttons.
    pub fn refresh(&mut self, buttons: &[f32]) {
        for run in &mut self.runs {
            run.output.refresh(buttons);
        }
    }
}

/// One run as the comparison widgets draw it, the explorer's own or a compared one.
#[derive(Clone, Copy, Debug)]
pub struct RunView<'a> {
    /// On-screen number: 0 for the explorer's own run.
    pub number: usize,
    pub run: &'a RunInfo,
    pub status: &'a RunStatus,
    pub output: &'a Output,
    /// Why it cannot be shown, if it cannot.
    pub problem: Option<&'a str>,
    /// The picture history's frame shown instead of the live output, while scrubbed.
    pub history: Option<&'a HistoryFrame>,
}

impl RunView<'_> {
    /// The epoch on screen: the history frame's, or the latest known from the metrics or
    /// the weights.
    pub fn epoch(&self) -> usize {
        match self.history {
            Some(frame) => frame.epoch,
            None => self.status.history.last_epoch().max(self.output.epoch),
        }
    }

    /// The output values on screen: the history frame's, or the live output's.
    pub fn values(&self) -> &[f32] {
        match self.history {
            Some(frame) => &frame.values,
            None => &self.output.values,
        }
    }
}

impl App {
    /// Every run on screen in order, the explorer's own first; just that one without a
    /// comparison.
    pub fn runs_on_screen(&self) -> Vec<RunView<'_>> {
        let own = RunView {
            number: 0,
            run: &self.run,
            status: &self.run_status,
            output: &self.output,
            problem: None,
            history: self.scrub.shown.as_ref(),
        };
        let others = self.comparison.iter().flat_map(|c| &c.runs);
        std::iter::once(own)
            .chain(others.enumerate().map(|(i, r)| RunView {
                number: i + 1,
                run: &r.run,
                status: &r.status,
                output: &r.output,
                problem: r.problem.as_deref(),
                history: self.scrub.compared_frame(i),
            }))
            .collect()
    }

    /// Each training image's latest error and rank in every run on screen.
    pub fn error_table(&self) -> ErrorTable {
        let own: Vec<String> = self.samples.iter().map(|s| s.stem.clone()).collect();
        let mut runs = vec![RunErrors {
            stems: &own,
            errors: &self.run_status.sample_errors,
        }];
        for r in self.comparison.iter().flat_map(|c| &c.runs) {
            runs.push(RunErrors {
                stems: &r.stems,
                errors: &r.status.sample_errors,
            });
        }
        error_table(&runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(others: usize) -> Comparison {
        let runs = (0..others)
            .map(|i| ComparedRun::unreadable(format!("r{i}"), "missing".into()))
            .collect();
        Comparison::new(runs)
    }

    #[test]
    fn focus_visits_every_pair_of_runs_in_turn() {
        let mut c = comparison(2);
        let mut seen = vec![c.focus];
        for _ in 0..3 {
            c.next_focus();
            seen.push(c.focus);
        }
        assert_eq!(seen, [(0, 1), (0, 2), (1, 2), (0, 1)]);
        let mut two = comparison(1);
        two.next_focus();
        assert_eq!(two.focus, (0, 1));
    }

    #[test]
    fn panes_that_do_not_fit_are_cycled_through() {
        let mut c = comparison(3);
        assert_eq!(c.panes(4), [0, 1, 2, 3]);
        assert_eq!(c.panes(2), [0, 1]);
        c.next_panes();
        assert_eq!(c.panes(2), [1, 2]);
        c.next_panes();
        c.next_panes();
        assert_eq!(c.panes(2), [3, 0]);
        // When all fit, all are shown in order whatever the first pane.
        assert_eq!(c.panes(4), [0, 1, 2, 3]);
    }

    #[test]
    fn a_view_key_twice_returns_to_the_panes() {
        let mut c = comparison(1);
        c.toggle_view(CompareView::Difference);
        assert_eq!(c.view, CompareView::Difference);
        c.toggle_view(CompareView::Blink);
        assert_eq!(c.view, CompareView::Blink);
        c.toggle_view(CompareView::Blink);
        assert_eq!(c.view, CompareView::SideBySide);
    }
}
