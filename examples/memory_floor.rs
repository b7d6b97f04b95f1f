//! The memory floor of the output sweep on this machine: bare sweeps over rows of 112 floats
//! (the default network's W3 rows) with each kernel's vector width, no sigmoid, no reductions
//! and no other work ([`Kernel::floor_sweep`]), read-only and read+write, on one thread and on
//! two threads that each sweep their own half. `nnimg bench` measures the read+write floor of
//! every network beside its trainer; this example adds the read-only sweeps.
//!
//! Each sweep alternates direction as the trainer does, so that it starts where the previous
//! one ended. Prints the median µs per sweep and what eight of them (one epoch) would cost.
//!
//! Run: `cargo run --release --example memory_floor`

use nnimg::net::Matrix;
use nnimg::net::kernel::Kernel;
use std::time::Instant;

/// Floats per row: 110 weights padded to whole 64-byte lines.
const ROW: usize = 112;
/// Rows of the default network's output layer.
const ROWS: usize = 12100;
const SWEEPS: usize = 300;

fn main() {
    println!("bare sweeps of W3-shaped rows, median of {SWEEPS}, alternating direction");
    println!(
        "{:<9} {:<34} {:>10} {:>13}",
        "kernel", "case", "µs/sweep", "ms per epoch"
    );
    for kernel in Kernel::available().into_iter().rev() {
        for (threads, rows) in [(1, ROWS), (2, ROWS / 2), (1, 3 * ROWS)] {
            for write in [false, true] {
                let label = format!(
                    "{threads} thread(s) × {:.1} MB, {}",
                    (rows * ROW * 4) as f64 / 1e6,
                    if write { "read+write" } else { "read only" }
                );
                let us = sweep_time(kernel, threads, rows, write);
                println!(
                    "{:<9} {label:<34} {us:>10.1} {:>13.3}",
                    kernel.name(),
                    us * 8.0 / 1e3
                );
            }
        }
    }
}

/// Median µs per sweep of `rows` rows on each of `threads` threads (the slowest thread).
fn sweep_time(kernel: Kernel, threads: usize, rows: usize, write: bool) -> f64 {
    let medians: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut w = Matrix::zeros(rows, ROW);
                    w.as_mut_slice().fill(0.5);
                    let mut times = Vec::with_capacity(SWEEPS);
                    for k in 0..SWEEPS {
                        let started = Instant::now();
                        let sum = kernel.floor_sweep(w.as_mut_slice(), ROW, k % 2 == 1, write);
                        std::hint::black_box(sum);
                        times.push(started.elapsed().as_secs_f64() * 1e6);
                    }
                    times.sort_by(f64::total_cmp);
                    times[SWEEPS / 2]
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a sweep thread panicked"))
            .collect()
    });
    medians.into_iter().fold(0.0, f64::max)
}
