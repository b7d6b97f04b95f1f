//! [`Trainer`]: epochs over the samples, the schedule, and an [`EpochReport`] per epoch.
//! Deterministic (same config, same bits) and free of I/O.

use super::config::{Order, TrainConfig};
use super::schedule::{Halving, should_halve};
use crate::data::Sample;
use crate::net::Network;
use crate::net::Workspace;
use crate::net::column_sgd::ColumnSgd;
use crate::net::kernel::{Kernel, RowOrder};
use crate::net::parallel::{Team, TeamStats, default_threads};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;

/// Everything besides the weights that an exact resume needs. The shuffle of epoch e is
/// drawn from stream e of a ChaCha8 generator seeded with the run's seed, so no generator
/// state needs saving: the epoch number is the RNG state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainState {
    /// Epochs completed.
    pub epoch: usize,
    /// The rate the next epoch will use.
    pub learning_rate: f32,
    /// Every halving so far, oldest first.
    pub halvings: Vec<Halving>,
    /// The last epoch errors (at most 2·window), newest last: the schedule's memory.
    pub recent_errors: Vec<f64>,
    /// Training seconds so far, over all sessions of the run.
    pub seconds: f64,
    /// The metrics log's epochs since its last planned row. Absent in checkpoints written
    /// before the log skipped epochs: their log has a row for every epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogBucket>,
}

impl TrainState {
    pub fn new(learning_rate: f32) -> Self {
        TrainState {
            epoch: 0,
            learning_rate,
            halvings: Vec::new(),
            recent_errors: Vec::new(),
            seconds: 0.0,
            log: None,
        }
    }
}

/// The epochs trained since the last row: what the next row's `error_min` and `error_max`
/// cover (see `metrics`). Saved in the checkpoint, so that a resumed run logs exactly the rows an
/// uninterrupted one does.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogBucket {
    /// Epoch of the last row the plan called for (a session's closing row does not count:
    /// a resume drops it and logs its epochs again).
    pub last_row: usize,
    /// Lowest and highest epoch error after `last_row`; `f64::MAX` and `f64::MIN` (not the
    /// infinities, which JSON cannot hold) while no epoch has been trained since.
    pub min: f64,
    pub max: f64,
}

impl LogBucket {
    /// The bucket after a row at `epoch`.
    pub fn empty_after(epoch: usize) -> Self {
        LogBucket {
            last_row: epoch,
            min: f64::MAX,
            max: f64::MIN,
        }
    }

    /// Adds one epoch's error.
    pub fn add(&mut self, error: f64) {
        self.min = self.min.min(error);
        self.max = self.max.max(error);
    }
}

/// What one epoch did.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochReport {
    /// The epoch just completed (1-based).
    pub epoch: usize,
    /// Mean over samples of each sample's per-pixel mean (y − t)², before its update.
    pub error: f64,
    /// The rate this epoch used.
    pub learning_rate: f32,
    /// Each sample's error, in file-name order (not the shuffled order).
    pub sample_errors: Vec<f64>,
    /// Set when the schedule halved the rate at the end of this epoch.
    pub halving: Option<Halving>,
}

/// Largest share of output values (over every sample and output node) that may be exactly
/// 0.0 or 1.0 in f32 before the network counts as diverged. An output is that saturated only
/// when |w·h| exceeds about 17 (for 1) or 88 (for 0); its delta y(1 − y)(y − t) is then zero
/// and it never learns again. Training at a sane rate never gets there (the gradient fades
/// as y approaches 0 or 1); a rate like `--lr 1000` overshoots into it within a few epochs
/// (measured: 45-95% of the outputs), while the error stays finite.
pub const MAX_SATURATED_SHARE: f64 = 0.01;

/// Training failed in a way the caller must tell apart from I/O errors.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TrainError {
    #[error("training diverged at epoch {epoch}: the error became {error}; try a smaller --lr")]
    Diverged { epoch: usize, error: f64 },
    #[error(
        "training diverged by epoch {epoch}: a weight became NaN or infinite; try a smaller --lr"
    )]
    NotFinite { epoch: usize },
    #[error(
        "training diverged by epoch {epoch}: {percent:.0}% of the output values are stuck at exactly 0 or 1, far from their targets \
         (saturated sigmoids learn nothing more); try a smaller --lr"
    )]
    Saturated { epoch: usize, percent: f64 },
}

/// Runs epochs of per-sample SGD over a fixed training set.
pub struct Trainer {
    weights: Weights,
    samples: Vec<Sample>,
    order: Order,
    seed: u64,
    adaptive: bool,
    window: usize,
    state: TrainState,
    visit: Vec<usize>,
    /// The errors of the epoch's samples in visiting order (column path).
    visit_errors: Vec<f64>,
    sample_errors: Vec<f64>,
}

/// The weights and the machinery that trains them; either way, `team` shares the work and
/// the weights do not depend on how many threads it has.
enum Weights {
    /// Any network: row-major weights, one step per sample, the output layer shared by the
    /// team at every sample.
    Rows {
        net: Network,
        workspace: Workspace,
        team: Team,
    },
    /// A single-layer network with few inputs (the two-layer preset): trained by column, a
    /// whole epoch per sweep, the outputs shared by the team once per epoch. `net` is the
    /// row-major copy, made when someone asks for the network and dropped by every epoch, so
    /// the column copy is never seen.
    Columns {
        sgd: ColumnSgd,
        net: OnceCell<Network>,
        team: Team,
    },
}

impl Trainer {
    /// A trainer for `config` starting from `net` and `state` (a fresh or resumed run).
    /// `samples` must match the network's input and output sizes.
    pub fn new(
        config: &TrainConfig,
        net: Network,
        samples: Vec<Sample>,
        state: TrainState,
    ) -> Self {
        assert!(
            samples
                .iter()
                .all(|s| s.input.len() == net.input_len() && s.target.len() == net.output_len()),
            "samples must match the network's shape"
        );
        let weights = if ColumnSgd::fits(&net) {
            let xt = samples
                .iter()
                .map(|s| (s.input.as_slice(), s.target.as_slice()));
            Weights::Columns {
                sgd: ColumnSgd::new(&net, xt),
                team: Team::new(default_threads(&net)),
                net: OnceCell::from(net),
            }
        } else {
            Weights::Rows {
                workspace: Workspace::new(&net),
                team: Team::new(default_threads(&net)),
                net,
            }
        };
        Trainer {
            weights,
            order: config.order,
            seed: config.seed,
            adaptive: config.adaptive,
            window: config.window,
            state,
            visit: (0..samples.len()).collect(),
            visit_errors: vec![0.0; samples.len()],
            sample_errors: vec![0.0; samples.len()],
            samples,
        }
    }

    /// Uses `threads` threads per step (clamped to 1..=8), or the default for the network's
    /// size when None. The results are the same bits either way; only the speed changes.
    pub fn set_threads(&mut self, threads: Option<usize>) {
        let threads = threads.unwrap_or_else(|| default_threads(self.network()));
        let team = self.team_mut();
        if threads != team.threads() {
            *team = Team::new(threads);
        }
    }

    /// Trains with `kernel` from now on (`--kernel`; tests and benchmarks compare kernels).
    /// The AVX2 and AVX-512 kernels give the same bits; the portable one rounds differently.
    pub fn set_kernel(&mut self, kernel: Kernel) {
        match &mut self.weights {
            Weights::Rows { net, workspace, .. } => {
                *workspace = Workspace::with_kernel(net, kernel)
            }
            Weights::Columns { sgd, .. } => sgd.set_kernel(kernel),
        }
    }

    /// The kernel that trains.
    pub fn kernel(&self) -> Kernel {
        match &self.weights {
            Weights::Rows { workspace, .. } => workspace.kernel(),
            Weights::Columns { sgd, .. } => sgd.kernel(),
        }
    }

    /// Whether the team may run on one thread while that is faster (the default; `false` for
    /// measuring the whole team on a busy machine).
    pub fn set_adaptive_team(&mut self, adaptive: bool) {
        self.team_mut().set_adaptive(adaptive);
    }

    /// How the team has run the steps so far (alone or together).
    pub fn team_stats(&self) -> TeamStats {
        match &self.weights {
            Weights::Rows { team, .. } | Weights::Columns { team, .. } => team.stats(),
        }
    }

    /// Threads used per step.
    pub fn threads(&self) -> usize {
        match &self.weights {
            Weights::Rows { team, .. } | Weights::Columns { team, .. } => team.threads(),
        }
    }

    fn team_mut(&mut self) -> &mut Team {
        match &mut self.weights {
            Weights::Rows { team, .. } | Weights::Columns { team, .. } => team,
        }
    }

    /// The network as it is now. For a network trained by column, the first call after an
    /// epoch transposes the weights back (about 0.2 ms for 8 × 12100).
    pub fn network(&self) -> &Network {
        match &self.weights {
            Weights::Rows { net, .. } => net,
            Weights::Columns { sgd, net, .. } => net.get_or_init(|| sgd.to_network()),
        }
    }

    pub fn state(&self) -> &TrainState {
        &self.state
    }

    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Records the training seconds of the whole run so far (kept in the checkpoint so the
    /// metrics log's clock carries on after a resume).
    pub fn set_seconds(&mut self, seconds: f64) {
        self.state.seconds = seconds;
    }

    /// Records where the metrics log stands (kept in the checkpoint so a resumed run logs
    /// the rows an uninterrupted one does).
    pub fn set_log(&mut self, log: LogBucket) {
        self.state.log = Some(log);
    }

    /// Runs one epoch: every sample once, in this epoch's order, one SGD step each; then the
    /// schedule. A non-finite error stops with [`TrainError::Diverged`] (the weights are then
    /// not to be saved).
    pub fn run_epoch(&mut self) -> Result<EpochReport, TrainError> {
        let epoch = self.state.epoch + 1;
        let lr = self.state.learning_rate;
        self.arrange_visit(epoch);
        let mut sum = 0.0f64;
        match &mut self.weights {
            Weights::Rows {
                net,
                workspace,
                team,
            } => {
                for (position, &k) in self.visit.iter().enumerate() {
                    let s = &self.samples[k];
                    // Alternate the output sweep's direction (cache reuse); derived from the
                    // position in the epoch so that a resumed run repeats it exactly.
                    let order = RowOrder::alternating(position);
                    let e = team.step(net, workspace, &s.input, &s.target, lr, order);
                    self.sample_errors[k] = e;
                    sum += e;
                }
            }
            Weights::Columns { sgd, net, team } => {
                net.take();
                sgd.epoch(team, &self.visit, lr, &mut self.visit_errors);
                for (&k, &e) in self.visit.iter().zip(&self.visit_errors) {
                    self.sample_errors[k] = e;
                    sum += e;
                }
            }
        }
        let error = sum / self.samples.len() as f64;
        if !error.is_finite() {
            return Err(TrainError::Diverged { epoch, error });
        }

        self.state.epoch = epoch;
        let keep = 2 * self.window.max(1);
        self.state.recent_errors.push(error);
        if self.state.recent_errors.len() > keep {
            let excess = self.state.recent_errors.len() - keep;
            self.state.recent_errors.drain(..excess);
        }
        // After some 150 halvings (a long run) the rate is the smallest f32 above zero, and
        // halving it would give zero, which stops learning for good. It stays there instead,
        // unrecorded, so the list of halvings kept in every checkpoint stops growing.
        let halving = (self.adaptive
            && lr / 2.0 > 0.0
            && should_halve(epoch, &self.state.recent_errors, self.window))
        .then(|| {
            self.state.learning_rate = lr / 2.0;
            let h = Halving {
                epoch,
                learning_rate: self.state.learning_rate,
            };
            self.state.halvings.push(h);
            h
        });
        Ok(EpochReport {
            epoch,
            error,
            learning_rate: lr,
            sample_errors: self.sample_errors.clone(),
            halving,
        })
    }

    /// Checks that the network can still learn: every weight finite and at most
    /// [`MAX_SATURATED_SHARE`] of the outputs saturated at the wrong end (exactly 0 or 1 and
    /// more than 0.5 away from the target). Costs one forward pass per sample,
    /// so it runs before each checkpoint rather than every epoch.
    pub fn check_health(&self) -> Result<(), TrainError> {
        let epoch = self.state.epoch;
        let net = self.network();
        if !net.is_finite() {
            return Err(TrainError::NotFinite { epoch });
        }
        let (mut saturated, mut total) = (0usize, 0usize);
        for s in &self.samples {
            let y = net.predict(&s.input);
            // Stuck at the wrong end: a saturated output that matches its target (a black or
            // white pixel learned very well) is not divergence.
            let stuck = |(&y, &t): (&f32, &f32)| (y == 0.0 || y == 1.0) && (y - t).abs() > 0.5;
            saturated += y.iter().zip(&s.target).filter(|&p| stuck(p)).count();
            total += y.len();
        }
        let share = saturated as f64 / total.max(1) as f64;
        if share > MAX_SATURATED_SHARE {
            return Err(TrainError::Saturated {
                epoch,
                percent: 100.0 * share,
            });
        }
        Ok(())
    }

    /// The visiting order of `epoch`: file order, or its permutation by stream `epoch`.
    fn arrange_visit(&mut self, epoch: usize) {
        for (i, v) in self.visit.iter_mut().enumerate() {
            *v = i;
        }
        if self.order == Order::Shuffle {
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            rng.set_stream(epoch as u64);
            self.visit.shuffle(&mut rng);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::net::init::init_network;
    use crate::net::reference::RefNet;

    /// A 2 → 3 → 4 network's settings for [`tiny_samples`]; also used by the session tests.
    pub(crate) fn tiny_config(order: Order) -> TrainConfig {
        TrainConfig {
            nnimg_version: "test".into(),
            preset: "custom".into(),
            layers: vec![2, 3, 4],
            width: 2,
            height: 2,
            color: false,
            fit: crate::data::Fit::Crop,
            epochs: 50,
            learning_rate: 0.5,
            adaptive: true,
            window: 5,
            seed: 7,
            order,
            checkpoint_every: 10,
            log_every: 1,
            data: "x".into(),
            init: None,
            init_range: None,
            samples: vec![],
        }
    }

    /// Three samples for [`tiny_config`]: thousands of epochs a second in a debug build.
    pub(crate) fn tiny_samples() -> Vec<Sample> {
        vec![
            Sample {
                stem: "10".into(),
                input: vec![1.0, 0.0],
                target: vec![1.0, 0.0, 0.0, 1.0],
            },
            Sample {
                stem: "01".into(),
                input: vec![0.0, 1.0],
                target: vec![0.0, 1.0, 1.0, 0.0],
            },
            Sample {
                stem: "11".into(),
                input: vec![1.0, 1.0],
                target: vec![0.5, 0.5, 0.5, 0.5],
            },
        ]
    }

    fn trainer(order: Order) -> Trainer {
        let c = tiny_config(order);
        Trainer::new(
            &c,
            init_network(&c.layers, c.seed),
            tiny_samples(),
            TrainState::new(c.learning_rate),
        )
    }

    #[test]
    fn lowers_the_error_on_a_tiny_problem() {
        let mut t = trainer(Order::Shuffle);
        let first = t.run_epoch().unwrap().error;
        let mut last = first;
        for _ in 0..300 {
            last = t.run_epoch().unwrap().error;
        }
        assert!(last < first / 2.0, "{first} -> {last}");
    }

    #[test]
    fn same_seed_gives_the_same_weights() {
        let (mut a, mut b) = (trainer(Order::Shuffle), trainer(Order::Shuffle));
        for _ in 0..20 {
            assert_eq!(a.run_epoch(), b.run_epoch());
        }
        assert_eq!(a.network(), b.network());
    }

    #[test]
    fn one_and_two_threads_give_the_same_weights() {
        let c = TrainConfig {
            layers: vec![2, 5, 70],
            ..tiny_config(Order::Shuffle)
        };
        let samples: Vec<Sample> = tiny_samples()
            .into_iter()
            .map(|s| Sample {
                target: s.target.iter().cycle().take(70).copied().collect(),
                ..s
            })
            .collect();
        let run = |threads| {
            let net = init_network(&c.layers, c.seed);
            let mut t = Trainer::new(&c, net, samples.clone(), TrainState::new(0.5));
            t.set_threads(Some(threads));
            assert_eq!(t.threads(), threads);
            let reports: Vec<_> = (0..30).map(|_| t.run_epoch().unwrap()).collect();
            (reports, t.network().clone())
        };
        assert_eq!(run(1), run(2));
    }

    /// A single-layer network (2 → 70), which the trainer trains by column.
    fn single_layer_trainer(order: Order, threads: usize) -> Trainer {
        let c = TrainConfig {
            layers: vec![2, 70],
            ..tiny_config(order)
        };
        let samples: Vec<Sample> = tiny_samples()
            .into_iter()
            .map(|s| Sample {
                target: s.target.iter().cycle().take(70).copied().collect(),
                ..s
            })
            .collect();
        let net = init_network(&c.layers, c.seed);
        let mut t = Trainer::new(&c, net, samples, TrainState::new(0.5));
        t.set_threads(Some(threads));
        assert_eq!(t.threads(), threads);
        t
    }

    #[test]
    fn a_single_layer_network_gives_the_same_weights_on_one_and_two_threads() {
        let run = |threads| {
            let mut t = single_layer_trainer(Order::Shuffle, threads);
            let reports: Vec<_> = (0..30).map(|_| t.run_epoch().unwrap()).collect();
            (reports, t.network().clone())
        };
        assert_eq!(run(1), run(2));
    }

    #[test]
    fn a_single_layer_network_trains_like_the_f64_reference() {
        let mut t = single_layer_trainer(Order::Fixed, 1);
        let mut reference = RefNet::from_network(t.network());
        for _ in 0..50 {
            let report = t.run_epoch().unwrap();
            for (s, &e) in t.samples().iter().zip(&report.sample_errors) {
                let e_ref = reference.step(&s.input, &s.target, 0.5);
                assert!(
                    (e - e_ref).abs() < 1e-4 * e_ref,
                    "error {e}, reference {e_ref}"
                );
            }
        }
        let trained = RefNet::from_network(t.network());
        for (a, b) in trained.w[0].iter().zip(&reference.w[0]) {
            assert!((a - b).abs() < 1e-4, "weight {a}, reference {b}");
        }
    }

    #[test]
    fn looking_at_a_single_layer_network_between_epochs_changes_nothing() {
        // Its weights are stored by column while it trains and transposed back on demand.
        let (mut looked_at, mut left_alone) = (
            single_layer_trainer(Order::Shuffle, 1),
            single_layer_trainer(Order::Shuffle, 1),
        );
        let before = looked_at.network().clone();
        for epoch in 0..30 {
            looked_at.run_epoch().unwrap();
            left_alone.run_epoch().unwrap();
            if epoch % 4 == 0 {
                assert_eq!(looked_at.check_health(), Ok(()));
                assert_ne!(looked_at.network(), &before);
            }
        }
        assert_eq!(looked_at.network(), left_alone.network());
    }

    #[test]
    fn a_single_layer_network_with_a_nan_weight_stops_with_a_clear_error() {
        let c = TrainConfig {
            layers: vec![2, 4],
            ..tiny_config(Order::Fixed)
        };
        let mut net = init_network(&c.layers, 1);
        net.weights_mut()[0].row_mut(0)[0] = f32::NAN;
        let t = Trainer::new(&c, net.clone(), tiny_samples(), TrainState::new(0.5));
        assert_eq!(t.check_health(), Err(TrainError::NotFinite { epoch: 0 }));
        let mut t = Trainer::new(&c, net, tiny_samples(), TrainState::new(0.5));
        assert!(matches!(
            t.run_epoch(),
            Err(TrainError::Diverged { epoch: 1, .. })
        ));
    }

    #[test]
    fn shuffled_and_fixed_orders_differ() {
        let (mut a, mut b) = (trainer(Order::Shuffle), trainer(Order::Fixed));
        for _ in 0..5 {
            a.run_epoch().unwrap();
            b.run_epoch().unwrap();
        }
        assert_ne!(a.network(), b.network());
    }

    #[test]
    fn reports_the_mean_of_the_sample_errors() {
        let r = trainer(Order::Fixed).run_epoch().unwrap();
        let mean = r.sample_errors.iter().sum::<f64>() / 3.0;
        assert!((r.error - mean).abs() < 1e-12);
    }

    #[test]
    fn keeps_only_two_windows_of_errors() {
        let mut t = trainer(Order::Fixed);
        for _ in 0..23 {
            t.run_epoch().unwrap();
        }
        assert_eq!(t.state().recent_errors.len(), 10);
        assert_eq!(t.state().epoch, 23);
    }

    #[test]
    fn halves_at_the_end_of_a_window_that_is_worse_and_records_it() {
        let c = tiny_config(Order::Fixed);
        // Resume after 5 perfect epochs: the next window of 5 must be worse.
        let state = TrainState {
            epoch: 5,
            recent_errors: vec![0.0; 5],
            ..TrainState::new(0.5)
        };
        let mut t = Trainer::new(&c, init_network(&c.layers, 3), tiny_samples(), state);
        let halvings: Vec<_> = (0..5).map(|_| t.run_epoch().unwrap().halving).collect();
        let expected = Halving {
            epoch: 10,
            learning_rate: 0.25,
        };
        assert_eq!(halvings, [None, None, None, None, Some(expected)]);
        assert_eq!(t.state().halvings, [expected]);
        assert_eq!(t.state().learning_rate, 0.25);
    }

    #[test]
    fn the_rate_is_never_halved_to_zero() {
        // A 10-million-epoch two-layer run halved its rate to 0, then "halved" it every few
        // hundred epochs, logging each and growing the checkpoint's list of halvings, and the
        // checkpoint loader refused the rate 0, so the run could not be opened again.
        let c = tiny_config(Order::Fixed);
        let smallest = f32::from_bits(1);
        let state = TrainState {
            epoch: 5,
            recent_errors: vec![0.0; 5],
            ..TrainState::new(smallest)
        };
        let mut t = Trainer::new(&c, init_network(&c.layers, 3), tiny_samples(), state);
        let halvings: Vec<_> = (0..5).map(|_| t.run_epoch().unwrap().halving).collect();
        assert_eq!(halvings, [None; 5]);
        assert!(t.state().halvings.is_empty());
        assert_eq!(t.state().learning_rate, smallest);
    }

    #[test]
    fn a_constant_rate_never_halves() {
        let c = TrainConfig {
            adaptive: false,
            ..tiny_config(Order::Fixed)
        };
        let state = TrainState {
            epoch: 5,
            recent_errors: vec![0.0; 5],
            ..TrainState::new(0.5)
        };
        let mut t = Trainer::new(&c, init_network(&c.layers, 3), tiny_samples(), state);
        assert!((0..20).all(|_| t.run_epoch().unwrap().halving.is_none()));
        assert_eq!(t.state().learning_rate, 0.5);
    }

    #[test]
    fn a_healthy_network_passes_the_health_check() {
        let mut t = trainer(Order::Shuffle);
        for _ in 0..50 {
            t.run_epoch().unwrap();
        }
        assert_eq!(t.check_health(), Ok(()));
    }

    #[test]
    fn a_huge_rate_saturates_the_outputs_and_fails_the_health_check() {
        // --lr 1000 used to train on for ever with a finite error and a frozen, saturated
        // network, because only a non-finite error counted as divergence.
        let c = TrainConfig {
            learning_rate: 1000.0,
            ..tiny_config(Order::Shuffle)
        };
        let net = init_network(&c.layers, c.seed);
        let mut t = Trainer::new(&c, net, tiny_samples(), TrainState::new(1000.0));
        for _ in 0..10 {
            t.run_epoch().unwrap();
        }
        assert!(matches!(
            t.check_health(),
            Err(TrainError::Saturated { epoch: 10, .. })
        ));
    }

    #[test]
    fn infinite_weights_fail_the_health_check() {
        let c = tiny_config(Order::Fixed);
        let mut net = init_network(&c.layers, 1);
        net.weights_mut()[0].row_mut(0)[0] = f32::INFINITY;
        let t = Trainer::new(&c, net, tiny_samples(), TrainState::new(0.5));
        assert_eq!(t.check_health(), Err(TrainError::NotFinite { epoch: 0 }));
    }

    #[test]
    fn stops_with_a_clear_error_when_the_error_is_not_finite() {
        let c = tiny_config(Order::Fixed);
        let mut net = init_network(&c.layers, 1);
        net.weights_mut()[1].row_mut(0)[0] = f32::NAN;
        let mut t = Trainer::new(&c, net, tiny_samples(), TrainState::new(0.5));
        assert!(matches!(
            t.run_epoch(),
            Err(TrainError::Diverged { epoch: 1, .. })
        ));
    }
}
