//! [`History`]: what the charts show of a run's error and learning rate, in memory that does
//! not grow with the run.
//!
//! Two resolutions: the last [`RECENT_EPOCHS`] epochs point by point (the recent view), and
//! the whole run in at most [`MAX_BUCKETS`] buckets of equal epoch width, each with its
//! lowest and highest error and where they were, so a one-epoch spike in a hundred million
//! still shows. When the buckets run out their width doubles and neighbours merge: the cost
//! of a point stays constant and nothing is ever read again. The smoothed curve is an
//! exponential moving average kept along the way.
//!
//! Fed with [`Point`]s: epochs from the trainer, or rows of the log (a row may stand for
//! the epochs since the row before it, with their lowest and highest error).

use super::schedule::Halving;
use std::collections::VecDeque;

/// Epochs the recent view shows, every one of them.
pub const RECENT_EPOCHS: usize = 500;

/// Most buckets of the whole-run view: several times the widest chart, in about 100 KB.
pub const MAX_BUCKETS: usize = 2048;

/// Weight of the exponential moving average of the smoothed curve.
pub const SMOOTHING: f64 = 0.9;

/// One epoch, or one row of the log standing for the epochs since the previous row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub epoch: usize,
    /// The error of `epoch` itself.
    pub error: f64,
    /// Lowest and highest error of the epochs the point stands for.
    pub error_min: f64,
    pub error_max: f64,
    /// The rate `epoch` used.
    pub learning_rate: f32,
}

impl Point {
    /// A point for one epoch.
    pub fn single(epoch: usize, error: f64, learning_rate: f32) -> Self {
        Point {
            epoch,
            error,
            error_min: error,
            error_max: error,
            learning_rate,
        }
    }
}

/// Epochs `first..=last` of a chart: their lowest and highest error, each at an epoch where
/// it was seen (a log row's range is placed at the row's epoch), and the smoothed error at
/// `last`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub first: usize,
    pub last: usize,
    pub min: (usize, f64),
    pub max: (usize, f64),
    pub smoothed: f64,
}

impl Bucket {
    fn of(p: &Point, smoothed: f64) -> Self {
        Bucket {
            first: p.epoch,
            last: p.epoch,
            min: (p.epoch, p.error_min),
            max: (p.epoch, p.error_max),
            smoothed,
        }
    }

    /// Takes in `later`, which follows this bucket.
    fn merge(&mut self, later: &Bucket) {
        self.last = later.last;
        // Non-finite values never win: a NaN would hide every other value.
        if later.min.1 < self.min.1 || !self.min.1.is_finite() {
            self.min = later.min;
        }
        if later.max.1 > self.max.1 || !self.max.1.is_finite() {
            self.max = later.max;
        }
        self.smoothed = later.smoothed;
    }
}

/// Merges consecutive `buckets` into at most `n` covering equal shares of their epochs.
pub fn downsample(buckets: &[Bucket], n: usize) -> Vec<Bucket> {
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return Vec::new();
    };
    if buckets.len() <= n || n == 0 {
        return buckets.to_vec();
    }
    let span = last.last - first.first + 1;
    let share = |b: &Bucket| (b.first - first.first) * n / span;
    let mut out: Vec<Bucket> = Vec::with_capacity(n);
    let mut current = None;
    for b in buckets {
        let k = share(b);
        match out.last_mut() {
            Some(o) if current == Some(k) => o.merge(b),
            _ => {
                out.push(*b);
                current = Some(k);
            }
        }
    }
    out
}

/// Exponential moving average with TensorBoard's debiasing:
/// `s_k = w s_(k-1) + (1 - w) v_k` from `s_0 = 0`, reported as `s_k / (1 - w^k)`, so the
/// first points are not dragged towards 0. Non-finite values are passed through unchanged.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Smoother {
    s: f64,
    debias: f64,
}

impl Default for Smoother {
    fn default() -> Self {
        Smoother {
            s: 0.0,
            debias: 1.0,
        }
    }
}

impl Smoother {
    fn add(&mut self, v: f64) -> f64 {
        if !v.is_finite() {
            return v;
        }
        self.s = SMOOTHING * self.s + (1.0 - SMOOTHING) * v;
        self.debias *= SMOOTHING;
        self.s / (1.0 - self.debias)
    }
}

/// The error and learning rate of a run, as the charts need them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// The points of the last [`RECENT_EPOCHS`] epochs with their smoothed error, oldest
    /// first; the last one is the latest point.
    recent: VecDeque<(Point, f64)>,
    buckets: Vec<Bucket>,
    /// Epochs per bucket, a power of two: a bucket holds the points of epochs
    /// `k·width + 1 ..= (k + 1)·width` for some k.
    width: usize,
    first_epoch: usize,
    initial_learning_rate: Option<f32>,
    /// Where the rate was halved: the epoch at whose end it changed, and the new rate.
    halvings: Vec<Halving>,
    best: Option<(usize, f64)>,
    smoother: Smoother,
}

impl History {
    /// Adds a point. A point that does not come after the last one starts a new history
    /// (a watched run restarted from an older checkpoint).
    pub fn push(&mut self, p: Point) {
        if self.recent.back().is_some_and(|(q, _)| p.epoch <= q.epoch) {
            *self = History::default();
        }
        if self.recent.is_empty() {
            self.first_epoch = p.epoch;
            self.initial_learning_rate = Some(p.learning_rate);
            self.width = 1;
        }
        if p.error_min.is_finite() && self.best.is_none_or(|(_, b)| p.error_min < b) {
            self.best = Some((p.epoch, p.error_min));
        }
        let smoothed = self.smoother.add(p.error);
        self.recent.push_back((p, smoothed));
        while self
            .recent
            .front()
            .is_some_and(|(q, _)| q.epoch + RECENT_EPOCHS <= p.epoch)
        {
            self.recent.pop_front();
        }
        self.add_to_buckets(Bucket::of(&p, smoothed));
    }

    /// Adds one epoch.
    pub fn push_epoch(&mut self, epoch: usize, error: f64, learning_rate: f32) {
        self.push(Point::single(epoch, error, learning_rate));
    }

    /// Records a halving (as the trainer reported it, or as read from the log); one at an
    /// epoch already recorded is not recorded twice.
    pub fn mark_halving(&mut self, halving: Halving) {
        if self.halvings.last().map(|h| h.epoch) != Some(halving.epoch) {
            self.halvings.push(halving);
        }
    }

    fn add_to_buckets(&mut self, b: Bucket) {
        let index = |b: &Bucket, width: usize| (b.last - 1) / width;
        match self.buckets.last_mut() {
            Some(last) if index(last, self.width) == index(&b, self.width) => last.merge(&b),
            _ => self.buckets.push(b),
        }
        if self.buckets.len() > MAX_BUCKETS {
            self.width *= 2;
            let mut merged: Vec<Bucket> = Vec::with_capacity(MAX_BUCKETS);
            for b in &self.buckets {
                match merged.last_mut() {
                    Some(m) if index(m, self.width) == index(b, self.width) => m.merge(b),
                    _ => merged.push(*b),
                }
            }
            self.buckets = merged;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.recent.is_empty()
    }

    /// Epoch of the first point, 0 if none.
    pub fn first_epoch(&self) -> usize {
        self.first_epoch
    }

    /// Epoch of the last point, 0 if none.
    pub fn last_epoch(&self) -> usize {
        self.recent.back().map_or(0, |(p, _)| p.epoch)
    }

    /// The latest point's error.
    pub fn current(&self) -> Option<f64> {
        self.recent.back().map(|(p, _)| p.error)
    }

    /// The rate of the first point and of the latest one.
    pub fn initial_learning_rate(&self) -> Option<f32> {
        self.initial_learning_rate
    }

    pub fn last_learning_rate(&self) -> Option<f32> {
        self.recent.back().map(|(p, _)| p.learning_rate)
    }

    pub fn halvings(&self) -> &[Halving] {
        &self.halvings
    }

    /// Lowest error so far, and the epoch of the point that holds it (for a log row standing
    /// for several epochs, the row's epoch).
    pub fn best(&self) -> Option<(usize, f64)> {
        self.best
    }

    /// The whole run in at most `n` buckets.
    pub fn whole_run(&self, n: usize) -> Vec<Bucket> {
        downsample(&self.buckets, n)
    }

    /// The last `epochs` epochs (at most [`RECENT_EPOCHS`]) in at most `n` buckets.
    pub fn recent(&self, epochs: usize, n: usize) -> Vec<Bucket> {
        let from = self.last_epoch().saturating_sub(epochs);
        let points: Vec<Bucket> = self
            .recent
            .iter()
            .filter(|(p, _)| p.epoch > from)
            .map(|(p, s)| Bucket::of(p, *s))
            .collect();
        downsample(&points, n)
    }

    /// Points and buckets held: bounded by [`RECENT_EPOCHS`] + [`MAX_BUCKETS`] however long
    /// the run.
    pub fn stored(&self) -> usize {
        self.recent.len() + self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(epochs: usize, error: impl Fn(usize) -> f64) -> History {
        let mut h = History::default();
        for e in 1..=epochs {
            h.push_epoch(e, error(e), 0.1);
        }
        h
    }

    #[test]
    fn what_is_kept_stays_bounded_as_the_run_grows() {
        let sizes: Vec<usize> = [1_000, 100_000, 3_000_000]
            .iter()
            .map(|&n| run(n, |e| 1.0 / e as f64).stored())
            .collect();
        assert_eq!(sizes[0], 1_000 + 500);
        assert!(sizes[1] <= RECENT_EPOCHS + MAX_BUCKETS, "{sizes:?}");
        assert!(sizes[2] <= RECENT_EPOCHS + MAX_BUCKETS, "{sizes:?}");
    }

    #[test]
    fn a_one_epoch_spike_survives_in_the_whole_run_view() {
        let h = run(2_000_000, |e| match e {
            1_234_567 => 50.0,
            777 => 1e-6,
            _ => 1.0,
        });
        let chart = h.whole_run(80);
        assert!(chart.len() <= 80);
        assert!(
            chart.iter().any(|b| b.max == (1_234_567, 50.0)),
            "{chart:?}"
        );
        assert!(chart.iter().any(|b| b.min == (777, 1e-6)));
        assert_eq!(h.best(), Some((777, 1e-6)));
        assert_eq!(
            (chart[0].first, chart[chart.len() - 1].last),
            (1, 2_000_000)
        );
    }

    #[test]
    fn the_recent_view_keeps_every_recent_epoch() {
        let h = run(10_000, |e| e as f64);
        let recent = h.recent(RECENT_EPOCHS, 1_000);
        let epochs: Vec<usize> = recent.iter().map(|b| b.last).collect();
        assert_eq!(epochs, (9_501..=10_000).collect::<Vec<_>>());
        assert_eq!(h.recent(100, 10).len(), 10);
    }

    #[test]
    fn a_log_row_standing_for_many_epochs_keeps_its_range() {
        let mut h = History::default();
        h.push_epoch(1, 0.5, 0.1);
        h.push(Point {
            epoch: 100,
            error: 0.3,
            error_min: 0.01,
            error_max: 9.0,
            learning_rate: 0.1,
        });
        let chart = h.whole_run(10);
        assert!(chart.iter().any(|b| b.max == (100, 9.0)));
        assert_eq!(h.best(), Some((100, 0.01)));
        assert_eq!(h.current(), Some(0.3));
    }

    #[test]
    fn halvings_are_recorded_once() {
        let mut h = History::default();
        h.push_epoch(1, 0.5, 0.1);
        h.push_epoch(2, 0.5, 0.1);
        for _ in 0..2 {
            h.mark_halving(Halving {
                epoch: 2,
                learning_rate: 0.05,
            });
        }
        h.push_epoch(3, 0.5, 0.05);
        h.push_epoch(10, 0.5, 0.025);
        assert_eq!(h.halvings().len(), 1);
        assert_eq!(h.initial_learning_rate(), Some(0.1));
        assert_eq!(h.last_learning_rate(), Some(0.025));
    }

    #[test]
    fn a_point_that_goes_back_starts_a_new_history() {
        let mut h = run(50, |_| 1.0);
        h.push_epoch(10, 0.5, 0.2);
        assert_eq!((h.first_epoch(), h.last_epoch()), (10, 10));
        assert_eq!(h.whole_run(100).len(), 1);
    }

    #[test]
    fn smoothing_is_debiased_and_follows_a_constant() {
        let h = run(3, |_| 2.0);
        assert!(h.recent(10, 10).iter().all(|b| b.smoothed == 2.0));
        let mut s = Smoother::default();
        // s1 = 0.1 -> 0.1 / 0.1 = 1; s2 = 0.09 -> 0.09 / 0.19.
        assert!((s.add(1.0) - 1.0).abs() < 1e-12);
        assert!((s.add(0.0) - 0.09 / 0.19).abs() < 1e-12);
    }

    #[test]
    fn downsampled_buckets_keep_epoch_order_and_cover_the_run() {
        let h = run(12_345, |e| ((e * 37) % 11) as f64);
        let chart = h.whole_run(7);
        assert!(chart.len() <= 7);
        assert!(chart.windows(2).all(|w| w[0].last < w[1].first));
        assert_eq!(chart[0].first, 1);
        assert_eq!(chart[chart.len() - 1].last, 12_345);
    }
}
