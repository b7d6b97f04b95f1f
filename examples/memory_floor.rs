//! The memory floor of the output sweep on this machine: bare AVX-512 sweeps over rows of 112
//! floats (the default network's W3 rows), with no sigmoid, no reductions and no other work,
//! read-only and read+write, on one thread and on two threads that each sweep their own half.
//!
//! Each sweep alternates direction as the trainer does, so that it starts where the previous
//! one ended. Prints the median µs per sweep and what eight of them (one epoch) would cost.
//!
//! Run: `cargo run --release --example memory_floor`

// Elsewhere than x86-64 only the note in `main` is left.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code, unused_imports))]

use std::time::Instant;

/// Floats per row: 110 weights padded to whole 64-byte lines.
const ROW: usize = 112;
/// Rows of the default network's output layer.
const ROWS: usize = 12100;
const SWEEPS: usize = 300;

#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct Line([f32; 16]);

fn main() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        println!("bare sweeps of W3-shaped rows, median of {SWEEPS}, alternating direction");
        println!("{:<34} {:>12} {:>14}", "case", "µs/sweep", "ms per epoch");
        for (threads, rows) in [(1, ROWS), (2, ROWS / 2), (1, 3 * ROWS)] {
            for write in [false, true] {
                let label = format!(
                    "{threads} thread(s) × {:.1} MB, {}",
                    (rows * ROW * 4) as f64 / 1e6,
                    if write { "read+write" } else { "read only" }
                );
                let us = sweep_time(threads, rows, write);
                println!("{label:<34} {us:>12.1} {:>14.3}", us * 8.0 / 1e3);
            }
        }
        return;
    }
    println!("this example needs an x86-64 CPU with AVX-512F");
}

/// Median µs per sweep of `rows` rows on each of `threads` threads (the slowest thread).
#[cfg(target_arch = "x86_64")]
fn sweep_time(threads: usize, rows: usize, write: bool) -> f64 {
    let medians: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut lines = vec![Line([0.5; 16]); rows * ROW / 16];
                    let mut times = Vec::with_capacity(SWEEPS);
                    let mut sink = 0.0;
                    for k in 0..SWEEPS {
                        let started = Instant::now();
                        // SAFETY: AVX-512F was detected by the caller; `lines` holds `rows`
                        // aligned rows.
                        sink += unsafe { sweep(&mut lines, rows, k % 2 == 1, write) };
                        times.push(started.elapsed().as_secs_f64() * 1e6);
                    }
                    std::hint::black_box(sink);
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

/// One sweep: each row's 7 vectors are loaded, multiplied into 7 independent accumulators
/// (no dependency chain longer than the sweep's own), and, if `write`, stored back updated.
/// Prefetches two tiles (32 rows) ahead, like the trainer.
///
/// # Safety
/// AVX-512F must be present; `lines` holds `rows * ROW / 16` lines.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sweep(lines: &mut [Line], rows: usize, descending: bool, write: bool) -> f32 {
    use std::arch::x86_64::*;
    assert!(lines.len() * 16 >= rows * ROW);
    let w = lines.as_mut_ptr().cast::<f32>();
    let h = _mm512_set1_ps(0.1);
    let step = _mm512_set1_ps(1e-9);
    let mut acc = [_mm512_setzero_ps(); ROW / 16];
    for k in 0..rows {
        let i = if descending { rows - 1 - k } else { k };
        let ahead = if descending {
            i.checked_sub(32)
        } else {
            Some(i + 32)
        };
        // SAFETY: every row index below is < rows (checked), within `lines`.
        unsafe {
            if let Some(a) = ahead.filter(|&a| a < rows) {
                for c in 0..ROW / 16 {
                    _mm_prefetch::<_MM_HINT_T0>(w.add(a * ROW + 16 * c).cast());
                }
            }
            for (c, acc) in acc.iter_mut().enumerate() {
                let p = w.add(i * ROW + 16 * c);
                let x = _mm512_load_ps(p);
                *acc = _mm512_fmadd_ps(x, h, *acc);
                if write {
                    _mm512_store_ps(p, _mm512_fmadd_ps(step, h, x));
                }
            }
        }
    }
    let total = acc
        .iter()
        .fold(_mm512_setzero_ps(), |t, &a| _mm512_add_ps(t, a));
    _mm512_reduce_add_ps(total)
}
