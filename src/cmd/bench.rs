//! `nnimg bench`: training speed of each preset's network and of the colour network, on
//! synthetic samples of the exact shapes (eight one-hot inputs, seeded random targets), and
//! the floors that speed is bound by on this machine, measured in the same run.
//!
//! Prints, per network, kernel and thread count: the median epoch's milliseconds (the median
//! over the repeats of each run's median), the projected time of a 10000-epoch run, the two floors of the output layer
//! ([`floor`]: a bare read+write sweep, and the multiply-adds at this CPU's rate), the
//! trainer's time over the higher of them, its time over the first kernel's, and the
//! process's peak resident memory so far (VmHWM). The cases of one network are timed in
//! interleaved rounds, so a machine whose speed drifts affects them alike.
//! `benches/training.rs` times the same trainers with criterion; [`contended`] measures
//! training on a machine shared with other work (`--contended`).

mod contended;
mod floor;

use crate::cli::BenchArgs;
use crate::data::Sample;
use crate::net::column_sgd::ColumnSgd;
use crate::net::init::init_network;
use crate::net::kernel::Kernel;
use crate::train::config::{Order, PRESETS, TrainConfig};
use crate::train::trainer::{TrainState, Trainer};
use anyhow::{Result, bail};
use floor::Floors;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::process::ExitCode;
use std::time::Instant;

/// Pixels of the default 110 × 110 picture.
const PIXELS: usize = 110 * 110;
/// Epochs run before timing, so caches, page faults and CPU clocks have settled.
const WARM_UP_EPOCHS: usize = 20;

/// A network to time: a name and its layer sizes.
pub struct BenchNet {
    pub name: String,
    pub layers: Vec<usize>,
    pub adaptive: bool,
}

/// The presets' networks (greyscale, 8 inputs, 110 × 110) and the colour network.
pub fn bench_nets() -> Vec<BenchNet> {
    let mut nets: Vec<BenchNet> = PRESETS
        .iter()
        .map(|p| BenchNet {
            name: p.name.to_string(),
            layers: [8]
                .iter()
                .chain(p.hidden)
                .copied()
                .chain([PIXELS])
                .collect(),
            adaptive: p.adaptive,
        })
        .collect();
    nets.push(BenchNet {
        name: format!("{} --color", PRESETS[0].name),
        layers: [8]
            .iter()
            .chain(PRESETS[0].hidden)
            .copied()
            .chain([3 * PIXELS])
            .collect(),
        adaptive: PRESETS[0].adaptive,
    });
    nets
}

/// A trainer for `layers` on eight one-hot inputs with seeded random targets, using
/// `threads` threads (None: the default for its size).
pub fn synthetic_trainer(layers: &[usize], adaptive: bool, threads: Option<usize>) -> Trainer {
    let (inputs, outputs) = (layers[0], layers[layers.len() - 1]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let samples: Vec<Sample> = (0..8)
        .map(|k| {
            let input: Vec<f32> = (0..inputs).map(|i| f32::from(u8::from(i == k))).collect();
            Sample {
                stem: input.iter().map(|v| v.to_string()).collect(),
                input,
                target: (0..outputs).map(|_| rng.random_range(0.0..=1.0)).collect(),
            }
        })
        .collect();
    let config = TrainConfig {
        nnimg_version: env!("CARGO_PKG_VERSION").to_string(),
        preset: "bench".into(),
        layers: layers.to_vec(),
        width: 110,
        height: (outputs / 110) as u32,
        color: outputs > PIXELS,
        fit: crate::data::Fit::Crop,
        epochs: 10_000,
        learning_rate: 0.1,
        adaptive,
        window: 100,
        seed: 1,
        order: Order::Shuffle,
        checkpoint_every: 100,
        log_every: crate::train::metrics::DEFAULT_LOG_EVERY,
        data: "synthetic".into(),
        init: None,
        init_range: None,
        samples: samples.iter().map(|s| s.stem.clone()).collect(),
    };
    let mut trainer = Trainer::new(
        &config,
        init_network(layers, config.seed),
        samples,
        TrainState::new(config.learning_rate),
    );
    trainer.set_threads(threads);
    trainer
}

/// The median milliseconds of `epochs` epochs of `trainer`, each timed on its own: on a
/// machine busy with other work, a median epoch is what the trainer does when it runs, as the
/// floors' median sweeps are (the machine's share of time is `--contended`'s subject).
fn time_epochs(trainer: &mut Trainer, epochs: usize) -> Result<f64> {
    let mut times = Vec::with_capacity(epochs);
    for _ in 0..epochs {
        let started = Instant::now();
        trainer.run_epoch()?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    Ok(median(&mut times))
}

/// The median of `values` (which must not be empty).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One network, kernel and thread count being timed.
struct Case {
    kernel: Kernel,
    trainer: Trainer,
    ms_per_epoch: Vec<f64>,
    floors: Vec<Floors>,
}

pub fn run(args: BenchArgs) -> Result<ExitCode> {
    if args.epochs == 0 || args.repeats == 0 {
        bail!("--epochs and --repeats must be at least 1");
    }
    if args.threads.contains(&0) {
        bail!("--threads must be at least 1");
    }
    let nets: Vec<BenchNet> = bench_nets()
        .into_iter()
        .filter(|n| args.network.is_empty() || args.network.contains(&n.name))
        .collect();
    if nets.is_empty() {
        let names: Vec<String> = bench_nets().into_iter().map(|n| n.name).collect();
        bail!("--network: none of those; use one of {}", names.join(", "));
    }
    let kernels = if args.kernel.is_empty() {
        vec![Kernel::detect()]
    } else {
        args.kernel.clone()
    };
    if args.contended {
        return contended::run(&args, &nets[0], kernels[0]);
    }
    let threads: Vec<Option<usize>> = if args.threads.is_empty() {
        vec![None]
    } else {
        args.threads.iter().copied().map(Some).collect()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let names: Vec<&str> = kernels.iter().map(|k| k.name()).collect();
    outln!(
        "nnimg bench: median epoch (8 samples) of {} interleaved runs of {} epochs; kernel {}; \
         {cores} cores",
        args.repeats,
        args.epochs,
        names.join(", ")
    );
    outln!(
        "{:<17} {:<16} {:<8} {:>3} {:>8} {:>8} {:>8} {:>8} {:>11} {:>7} {:>8}",
        "network",
        "layers",
        "kernel",
        "thr",
        "ms/epoch",
        "10k ep.",
        "mem flr",
        "fma flr",
        "× floor",
        "× first",
        "peak RSS"
    );
    for net in nets {
        let mut cases: Vec<Case> = Vec::new();
        for &threads in &threads {
            for &kernel in &kernels {
                let mut trainer = synthetic_trainer(&net.layers, net.adaptive, threads);
                trainer.set_kernel(kernel);
                trainer.set_adaptive_team(!args.always_together);
                for _ in 0..WARM_UP_EPOCHS {
                    trainer.run_epoch()?;
                }
                cases.push(Case {
                    kernel,
                    trainer,
                    ms_per_epoch: Vec::new(),
                    floors: Vec::new(),
                });
            }
        }
        let shape = floor::Shape::of(cases[0].trainer.network(), cases[0].trainer.samples());
        for _ in 0..args.repeats {
            for case in &mut cases {
                let ms = time_epochs(&mut case.trainer, args.epochs)?;
                case.ms_per_epoch.push(ms);
                let floors = shape.measure(case.kernel, case.trainer.threads());
                case.floors.push(floors);
            }
        }
        let layers: Vec<String> = net.layers.iter().map(usize::to_string).collect();
        let mut first: Vec<(usize, f64)> = Vec::new();
        for case in &mut cases {
            let ms = median(&mut case.ms_per_epoch);
            let threads = case.trainer.threads();
            let floors = Floors::median(&case.floors);
            let versus_first = match first.iter().find(|(t, _)| *t == threads) {
                Some(&(_, first_ms)) => format!("{:.2}", ms / first_ms),
                None => {
                    first.push((threads, ms));
                    "1.00".into()
                }
            };
            outln!(
                "{:<17} {:<16} {:<8} {:>3} {:>8.3} {:>6.1} s {:>8.3} {:>8.3} {:>11} {:>7} {:>8}",
                net.name,
                layers.join(","),
                case.kernel.name(),
                threads,
                ms,
                ms * 10.0,
                floors.memory_ms,
                floors.arithmetic_ms,
                floors.ratio(ms),
                versus_first,
                peak_rss().unwrap_or_else(|| "n/a".into())
            );
        }
    }
    outln!(
        "mem flr: a bare read+write sweep of the output layer per sample; fma flr: its \
         multiply-adds at this CPU's measured rate (ms per epoch, on the same threads)"
    );
    outln!(
        "× floor: ms/epoch over the higher floor (named); × first: over the first kernel's; \
         peak RSS: the whole bench process so far"
    );
    Ok(ExitCode::SUCCESS)
}

/// True when a trainer for `net` trains by column (see [`ColumnSgd`]).
fn by_column(net: &crate::net::Network) -> bool {
    ColumnSgd::fits(net)
}

/// The process's peak resident memory, from VmHWM in /proc/self/status (Linux only).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.1} MB", kb / 1024.0))
}
