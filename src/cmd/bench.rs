//! `nnimg bench`: training speed of each preset's network and of the colour network, on
//! synthetic samples of the exact shapes (eight one-hot inputs, seeded random targets).
//!
//! Prints, per network: the median milliseconds per epoch over the repeats, epochs per
//! second, the projected time of a 10000-epoch run, the threads used, and the process's peak
//! resident memory so far (VmHWM). `benches/training.rs` times the same trainers with criterion.

use crate::cli::BenchArgs;
use crate::data::Sample;
use crate::net::init::init_network;
use crate::net::kernel::Kernel;
use crate::train::config::{Order, PRESETS, TrainConfig};
use crate::train::trainer::{TrainState, Trainer};
use anyhow::{Result, bail};
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
        epochs: 10_000,
        learning_rate: 0.1,
        adaptive,
        window: 100,
        seed: 1,
        order: Order::Shuffle,
        checkpoint_every: 100,
        data: "synthetic".into(),
        init: None,
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

pub fn run(args: BenchArgs) -> Result<ExitCode> {
    if args.epochs == 0 || args.repeats == 0 {
        bail!("--epochs and --repeats must be at least 1");
    }
    if args.threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let kernel = args.kernel.unwrap_or_else(Kernel::detect);
    println!(
        "nnimg bench: median of {} runs of {} epochs (8 samples each); kernel {}; {cores} cores",
        args.repeats,
        args.epochs,
        kernel.name()
    );
    println!(
        "{:<18} {:<16} {:>7} {:>9} {:>9} {:>13} {:>9}",
        "network", "layers", "threads", "ms/epoch", "epochs/s", "10000 epochs", "peak RSS"
    );
    for net in bench_nets() {
        let mut trainer = synthetic_trainer(&net.layers, net.adaptive, args.threads);
        trainer.set_kernel(kernel);
        for _ in 0..WARM_UP_EPOCHS {
            trainer.run_epoch()?;
        }
        let mut ms_per_epoch: Vec<f64> = (0..args.repeats)
            .map(|_| {
                let started = Instant::now();
                for _ in 0..args.epochs {
                    trainer.run_epoch()?;
                }
                Ok(started.elapsed().as_secs_f64() * 1e3 / args.epochs as f64)
            })
            .collect::<Result<_>>()?;
        ms_per_epoch.sort_by(f64::total_cmp);
        let median = ms_per_epoch[ms_per_epoch.len() / 2];
        let layers: Vec<String> = net.layers.iter().map(usize::to_string).collect();
        println!(
            "{:<18} {:<16} {:>7} {:>9.3} {:>9.0} {:>11.1} s {:>9}",
            net.name,
            layers.join(","),
            trainer.threads(),
            median,
            1e3 / median,
            median * 10.0,
            peak_rss().unwrap_or_else(|| "n/a".into())
        );
    }
    println!("peak RSS: the whole bench process so far (each network adds its own weights)");
    Ok(ExitCode::SUCCESS)
}

/// The process's peak resident memory, from VmHWM in /proc/self/status (Linux only).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.1} MB", kb / 1024.0))
}
