//! `nnimg bench --contended`: training speed on a machine shared with other work.
//!
//! Six cases, each with its own trainer(s) that keep running in that case only, timed in
//! interleaved rounds of a fixed wall-clock window (median over the rounds):
//! alone; beside one busy thread (a loop of arithmetic started for the window and stopped
//! after it, scheduled like any other CPU-bound process of the same session); and two
//! trainings at once (each on its own thread, with its own team) — each with the default
//! thread count and with one thread. It prints the two ratios the default must meet: beside
//! a busy thread, the default's time over one thread's (at most 1.05), and each of two
//! trainings' throughput as a share of a lone default run's (at least 45 %).

use super::{BenchNet, median, synthetic_trainer};
use crate::cli::BenchArgs;
use crate::net::kernel::Kernel;
use crate::train::trainer::Trainer;
use anyhow::Result;
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Wall-clock time per case and round.
const WINDOW: Duration = Duration::from_millis(600);

/// What shares the machine with the training(s) of a case.
#[derive(Clone, Copy, PartialEq)]
enum Company {
    Alone,
    BusyThread,
    SecondTraining,
}

impl Company {
    fn label(self) -> &'static str {
        match self {
            Company::Alone => "alone",
            Company::BusyThread => "beside one busy thread",
            Company::SecondTraining => "two trainings at once (each)",
        }
    }
}

struct Case {
    company: Company,
    /// One trainer, or two for `SecondTraining`.
    trainers: Vec<Trainer>,
    ms_per_epoch: Vec<f64>,
}

pub fn run(args: &BenchArgs, net: &BenchNet, kernel: Kernel) -> Result<ExitCode> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let layers: Vec<String> = net.layers.iter().map(usize::to_string).collect();
    outln!(
        "nnimg bench --contended: {} ({}), kernel {}, {cores} cores; median of {} interleaved \
         rounds of {:.1} s per case",
        net.name,
        layers.join(","),
        kernel.name(),
        args.repeats,
        WINDOW.as_secs_f64()
    );
    let default_threads = args.threads.first().copied();
    let mut cases = Vec::new();
    for company in [Company::Alone, Company::BusyThread, Company::SecondTraining] {
        for threads in [default_threads, Some(1)] {
            let count = if company == Company::SecondTraining {
                2
            } else {
                1
            };
            let trainers = (0..count)
                .map(|_| {
                    let mut t = synthetic_trainer(&net.layers, net.adaptive, threads);
                    t.set_kernel(kernel);
                    t
                })
                .collect();
            cases.push(Case {
                company,
                trainers,
                ms_per_epoch: Vec::new(),
            });
        }
    }
    for _ in 0..args.repeats {
        for case in &mut cases {
            let times = run_window(case.company, &mut case.trainers)?;
            case.ms_per_epoch.extend(times);
        }
    }
    outln!(
        "{:<30} {:>7} {:>9} {:>14} {:>10}",
        "case",
        "threads",
        "ms/epoch",
        "× alone, dflt",
        "solo steps"
    );
    let medians: Vec<f64> = cases
        .iter_mut()
        .map(|c| median(&mut c.ms_per_epoch))
        .collect();
    let lone_default = medians[0];
    for (case, &ms) in cases.iter().zip(&medians) {
        let stats: Vec<_> = case.trainers.iter().map(Trainer::team_stats).collect();
        let (solo, all) = stats.iter().fold((0, 0), |(s, a), st| {
            (s + st.solo_steps, a + st.solo_steps + st.team_steps)
        });
        let solo = if all == 0 {
            "-".to_string()
        } else {
            format!("{:.0} %", 100.0 * solo as f64 / all as f64)
        };
        outln!(
            "{:<30} {:>7} {:>9.3} {:>14.2} {:>10}",
            case.company.label(),
            case.trainers[0].threads(),
            ms,
            ms / lone_default,
            solo
        );
    }
    outln!(
        "beside a busy thread: the default thread count takes {:.2} × the time of one thread \
         (target: at most 1.05)",
        medians[2] / medians[3]
    );
    outln!(
        "two trainings at once: each gets {:.0} % of a lone default run's throughput \
         (target: at least 45 %)",
        100.0 * lone_default / medians[4]
    );
    outln!(
        "solo steps: the share of steps a team ran on its leader alone, because that was faster"
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `trainers` (each on a thread of its own) for [`WINDOW`] in `company`; returns each
/// one's ms per epoch.
fn run_window(company: Company, trainers: &mut [Trainer]) -> Result<Vec<f64>> {
    let stop = AtomicBool::new(false);
    let deadline = Instant::now() + WINDOW;
    std::thread::scope(|s| {
        let busy = (company == Company::BusyThread).then(|| s.spawn(|| spin(&stop)));
        let runs: Vec<_> = trainers
            .iter_mut()
            .map(|t| s.spawn(move || train_until(t, deadline)))
            .collect();
        let times: Vec<Result<f64>> = runs
            .into_iter()
            .map(|h| h.join().expect("a training thread panicked"))
            .collect();
        stop.store(true, Ordering::Relaxed);
        if let Some(busy) = busy {
            busy.join().expect("the busy thread panicked");
        }
        times.into_iter().collect()
    })
}

/// Trains epochs until `deadline`; returns ms per epoch.
fn train_until(trainer: &mut Trainer, deadline: Instant) -> Result<f64> {
    let started = Instant::now();
    let mut epochs = 0;
    while Instant::now() < deadline || epochs == 0 {
        trainer.run_epoch()?;
        epochs += 1;
    }
    Ok(started.elapsed().as_secs_f64() * 1e3 / f64::from(epochs))
}

/// A CPU-bound loop of arithmetic, until `stop`.
fn spin(stop: &AtomicBool) {
    let mut x = 1.0f64;
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..10_000 {
            x = black_box(x * 1.000_001 + 1e-9);
        }
    }
    black_box(x);
}
