//! The floors of one network's output layer on this machine, in milliseconds per epoch:
//! what a bare read+write sweep of its weights costs (memory), and what its multiply-adds
//! cost at this CPU's measured rate (arithmetic), on as many threads as the trainer uses,
//! with the trainer's kernel ([`Kernel::floor_sweep`], [`Kernel::multiply_adds`]).

use super::by_column;
use crate::data::Sample;
use crate::net::kernel::Kernel;
use crate::net::matrix::padded_len;
use crate::net::{Matrix, Network};
use std::time::Instant;

/// Sweeps timed per thread and measurement (after [`WARM_UP_SWEEPS`]).
const SWEEPS: usize = 41;
/// Sweeps run first: they fault the fresh buffer's pages in.
const WARM_UP_SWEEPS: usize = 3;
/// Rounds of 12 vector multiply-adds per timed burst, and bursts per measurement.
const ROUNDS: usize = 20_000;
const BURSTS: usize = 9;

/// What the trainer must at least do per epoch with the output layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// Rows of floats swept, and their stride.
    rows: usize,
    stride: usize,
    /// Read+write sweeps over all the rows per epoch.
    sweeps_per_epoch: usize,
    /// Float multiply-adds per epoch.
    multiply_adds: usize,
}

/// Both floors, in ms per epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Floors {
    pub memory_ms: f64,
    pub arithmetic_ms: f64,
}

impl Shape {
    /// The output layer of `net` trained on `samples`. Row by row, each sample reads and
    /// writes every weight once and multiply-adds each three times (z, W_Lᵀd and the update;
    /// two without a layer below to back-propagate into). Trained by column, an epoch reads
    /// and writes once the weights of the inputs some sample uses, and each sample multiply-
    /// adds twice (z and the update) the weights of its non-zero inputs.
    pub fn of(net: &Network, samples: &[Sample]) -> Shape {
        let w = &net.weights()[net.weights().len() - 1];
        if by_column(net) {
            let stride = padded_len(w.rows());
            let used = (0..w.cols())
                .filter(|&j| samples.iter().any(|s| s.input[j] != 0.0))
                .count();
            let pairs: usize = samples
                .iter()
                .map(|s| s.input.iter().filter(|&&x| x != 0.0).count())
                .sum();
            return Shape {
                rows: used.max(1),
                stride,
                sweeps_per_epoch: 1,
                multiply_adds: 2 * pairs * stride,
            };
        }
        let per_weight = if net.weights().len() > 1 { 3 } else { 2 };
        Shape {
            rows: w.rows(),
            stride: w.stride(),
            sweeps_per_epoch: samples.len(),
            multiply_adds: per_weight * w.rows() * w.stride() * samples.len(),
        }
    }

    /// Measures both floors with `kernel` on `threads` threads at once, each taking its
    /// share of the rows (the memory floor is the slowest thread's median sweep).
    pub fn measure(&self, kernel: Kernel, threads: usize) -> Floors {
        let rows = self.rows.div_ceil(threads);
        let sweep_us = on_threads(threads, || {
            let mut w = Matrix::zeros(rows, self.stride);
            let mut times = Vec::with_capacity(SWEEPS);
            for k in 0..WARM_UP_SWEEPS + SWEEPS {
                let started = Instant::now();
                std::hint::black_box(kernel.floor_sweep(
                    w.as_mut_slice(),
                    self.stride,
                    k % 2 == 1,
                    true,
                ));
                if k >= WARM_UP_SWEEPS {
                    times.push(started.elapsed().as_secs_f64() * 1e6);
                }
            }
            super::median(&mut times)
        })
        .into_iter()
        .fold(0.0, f64::max);
        let rate = on_threads(threads, || {
            let mut rates: Vec<f64> = (0..BURSTS)
                .map(|_| {
                    let started = Instant::now();
                    let done = kernel.multiply_adds(ROUNDS);
                    done as f64 / started.elapsed().as_secs_f64()
                })
                .collect();
            super::median(&mut rates)
        })
        .into_iter()
        .fold(f64::INFINITY, f64::min);
        Floors {
            memory_ms: sweep_us * self.sweeps_per_epoch as f64 / 1e3,
            arithmetic_ms: self.multiply_adds as f64 / (rate * threads as f64) * 1e3,
        }
    }
}

/// Runs `f` on `threads` threads at once and returns each one's result.
fn on_threads(threads: usize, f: impl Fn() -> f64 + Sync) -> Vec<f64> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(&f)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a floor measurement panicked"))
            .collect()
    })
}

impl Floors {
    /// The median of each floor over several measurements (at least one).
    pub fn median(all: &[Floors]) -> Floors {
        let mut memory: Vec<f64> = all.iter().map(|f| f.memory_ms).collect();
        let mut arithmetic: Vec<f64> = all.iter().map(|f| f.arithmetic_ms).collect();
        Floors {
            memory_ms: super::median(&mut memory),
            arithmetic_ms: super::median(&mut arithmetic),
        }
    }

    /// `ms` over the higher floor, with that floor's name ("1.32 mem").
    pub fn ratio(&self, ms: f64) -> String {
        if self.memory_ms >= self.arithmetic_ms {
            format!("{:.2} mem", ms / self.memory_ms)
        } else {
            format!("{:.2} fma", ms / self.arithmetic_ms)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::bench::synthetic_trainer;

    #[test]
    fn the_default_networks_floor_is_eight_sweeps_of_its_output_layer() {
        let trainer = synthetic_trainer(&[8, 110, 110, 12100], true, Some(1));
        let shape = Shape::of(trainer.network(), trainer.samples());
        assert_eq!(
            shape,
            Shape {
                rows: 12100,
                stride: 112,
                sweeps_per_epoch: 8,
                multiply_adds: 3 * 12100 * 112 * 8
            }
        );
        let two_layer = synthetic_trainer(&[8, 12100], false, Some(1));
        let shape = Shape::of(two_layer.network(), two_layer.samples());
        assert_eq!(
            (shape.rows, shape.stride, shape.sweeps_per_epoch),
            (8, 12112, 1)
        );
        assert_eq!(shape.multiply_adds, 2 * 8 * 12112);
    }

    #[test]
    fn a_floor_names_the_higher_bound() {
        let floors = Floors {
            memory_ms: 0.5,
            arithmetic_ms: 0.25,
        };
        assert_eq!(floors.ratio(0.6), "1.20 mem");
        let floors = Floors {
            memory_ms: 0.1,
            arithmetic_ms: 0.4,
        };
        assert_eq!(floors.ratio(0.6), "1.50 fma");
        let small = Shape {
            rows: 40,
            stride: 16,
            sweeps_per_epoch: 2,
            multiply_adds: 1000,
        };
        for kernel in Kernel::available() {
            let f = small.measure(kernel, 2);
            assert!(
                f.memory_ms > 0.0 && f.arithmetic_ms > 0.0,
                "{}",
                kernel.name()
            );
        }
    }
}
