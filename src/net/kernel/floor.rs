//! The floors the output sweep cannot beat on this machine, measured with each kernel's own
//! vector width: a bare read+write sweep over rows of the output layer's shape (memory), and
//! a run of independent multiply-adds (arithmetic). `nnimg bench` divides the trainer's time
//! by them; `examples/memory_floor` prints the memory floors alone.
//!
//! The sweep does the least the trainer must do per sample: load every line of every row,
//! multiply-add it into independent accumulators (no dependency chain longer than the sweep),
//! store it back updated, and prefetch two tiles (32 rows) ahead, in the given direction.

use super::{Isa, Kernel};
use std::hint::black_box;

/// Rows ahead of the sweep to prefetch (two tiles, as the trainer does).
#[cfg(target_arch = "x86_64")]
const AHEAD: usize = 32;

impl Kernel {
    /// One bare sweep over `w` (rows of `stride` floats, a multiple of 16, 64-byte aligned as
    /// a [`crate::net::Matrix`] keeps them), descending if asked, stored back updated if
    /// `write`. Returns a sum that keeps the loads alive.
    pub fn floor_sweep(self, w: &mut [f32], stride: usize, descending: bool, write: bool) -> f32 {
        assert!(stride > 0 && stride.is_multiple_of(16) && w.len().is_multiple_of(stride));
        assert!(
            w.as_ptr().cast::<u8>().align_offset(64) == 0,
            "rows must be 64-byte aligned"
        );
        match self.0 {
            Isa::Portable => portable_sweep(w, stride, descending, write),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the ISA was detected (see `Kernel::available`); shapes checked above.
            Isa::Avx512 => unsafe { avx512_sweep(w, stride, descending, write) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Isa::Avx2 => unsafe { avx2_sweep(w, stride, descending, write) },
        }
    }

    /// Runs `rounds` rounds of 12 independent vector multiply-adds and returns how many float
    /// multiply-adds that was (12 × rounds × the vector's lanes).
    pub fn multiply_adds(self, rounds: usize) -> usize {
        match self.0 {
            Isa::Portable => portable_fmas(rounds),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the ISA was detected (see `Kernel::available`).
            Isa::Avx512 => unsafe { avx512_fmas(rounds) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Isa::Avx2 => unsafe { avx2_fmas(rounds) },
        }
    }
}

/// The row indices of a sweep over `rows` rows in the given direction.
fn row_order(rows: usize, descending: bool) -> impl Iterator<Item = usize> {
    (0..rows).map(move |k| if descending { rows - 1 - k } else { k })
}

fn portable_sweep(w: &mut [f32], stride: usize, descending: bool, write: bool) -> f32 {
    let mut acc = [0.0f32; 16];
    let rows = w.len() / stride;
    for i in row_order(rows, descending) {
        for line in w[i * stride..(i + 1) * stride].chunks_exact_mut(16) {
            for (acc, x) in acc.iter_mut().zip(line.iter_mut()) {
                *acc += *x * 0.1;
                if write {
                    *x += 1e-9 * 0.1;
                }
            }
        }
    }
    acc.iter().sum()
}

fn portable_fmas(rounds: usize) -> usize {
    let mut acc = [[1.0f32; 16]; 12];
    let (a, b) = (black_box(0.999_999f32), black_box(1e-7f32));
    for _ in 0..rounds {
        for acc in &mut acc {
            for x in acc.iter_mut() {
                *x = *x * a + b;
            }
        }
    }
    black_box(acc);
    rounds * 12 * 16
}

/// Calls `$vector_op` per line: the AVX-512 and AVX2 sweeps differ only in their lines.
#[cfg(target_arch = "x86_64")]
macro_rules! sweep_body {
    ($w:expr, $stride:expr, $descending:expr, $lanes:expr, $line:expr) => {{
        let w: &mut [f32] = $w;
        let rows = w.len() / $stride;
        let base = w.as_mut_ptr();
        for i in row_order(rows, $descending) {
            let ahead = if $descending {
                i.checked_sub(AHEAD)
            } else {
                Some(i + AHEAD).filter(|&a| a < rows)
            };
            // SAFETY: rows i and `ahead` are < rows, within `w`; lines are aligned.
            unsafe {
                if let Some(a) = ahead {
                    for c in (0..$stride).step_by(16) {
                        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                            base.add(a * $stride + c).cast(),
                        );
                    }
                }
                for (v, c) in (0..$stride).step_by($lanes).enumerate() {
                    $line(v, base.add(i * $stride + c));
                }
            }
        }
    }};
}

/// # Safety
/// AVX-512F must be present; `w` as checked by [`Kernel::floor_sweep`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn avx512_sweep(w: &mut [f32], stride: usize, descending: bool, write: bool) -> f32 {
    use std::arch::x86_64::*;
    let (h, step) = (_mm512_set1_ps(0.1), _mm512_set1_ps(1e-9));
    let mut acc = [_mm512_setzero_ps(); 8];
    sweep_body!(w, stride, descending, 16, |v: usize, p: *mut f32| {
        // The macro calls this inside its unsafe block, with `p` an aligned line within `w`.
        let x = _mm512_load_ps(p);
        acc[v % 8] = _mm512_fmadd_ps(x, h, acc[v % 8]);
        if write {
            _mm512_store_ps(p, _mm512_fmadd_ps(step, h, x));
        }
    });
    _mm512_reduce_add_ps(
        acc.iter()
            .fold(_mm512_setzero_ps(), |t, &a| _mm512_add_ps(t, a)),
    )
}

/// # Safety
/// AVX2 and FMA must be present; `w` as checked by [`Kernel::floor_sweep`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_sweep(w: &mut [f32], stride: usize, descending: bool, write: bool) -> f32 {
    use std::arch::x86_64::*;
    let (h, step) = (_mm256_set1_ps(0.1), _mm256_set1_ps(1e-9));
    let mut acc = [_mm256_setzero_ps(); 8];
    sweep_body!(w, stride, descending, 8, |v: usize, p: *mut f32| {
        // The macro calls this inside its unsafe block, with `p` an aligned line within `w`.
        let x = _mm256_load_ps(p);
        acc[v % 8] = _mm256_fmadd_ps(x, h, acc[v % 8]);
        if write {
            _mm256_store_ps(p, _mm256_fmadd_ps(step, h, x));
        }
    });
    let mut lanes = [0.0f32; 8];
    let total = acc
        .iter()
        .fold(_mm256_setzero_ps(), |t, &a| _mm256_add_ps(t, a));
    // SAFETY: `lanes` has room for 8 floats.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), total) };
    lanes.iter().sum()
}

/// # Safety
/// AVX-512F must be present.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn avx512_fmas(rounds: usize) -> usize {
    use std::arch::x86_64::*;
    let (a, b) = (
        _mm512_set1_ps(black_box(0.999_999)),
        _mm512_set1_ps(black_box(1e-7)),
    );
    let mut acc = [_mm512_set1_ps(1.0); 12];
    for _ in 0..rounds {
        for acc in &mut acc {
            *acc = _mm512_fmadd_ps(*acc, a, b);
        }
    }
    black_box(acc);
    rounds * 12 * 16
}

/// # Safety
/// AVX2 and FMA must be present.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_fmas(rounds: usize) -> usize {
    use std::arch::x86_64::*;
    let (a, b) = (
        _mm256_set1_ps(black_box(0.999_999)),
        _mm256_set1_ps(black_box(1e-7)),
    );
    let mut acc = [_mm256_set1_ps(1.0); 12];
    for _ in 0..rounds {
        for acc in &mut acc {
            *acc = _mm256_fmadd_ps(*acc, a, b);
        }
    }
    black_box(acc);
    rounds * 12 * 8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Matrix;

    #[test]
    fn every_kernels_floor_sweep_reads_every_weight_and_writes_only_when_asked() {
        for kernel in Kernel::available() {
            let mut w = Matrix::zeros(70, 112);
            w.as_mut_slice().fill(1.0);
            for descending in [false, true] {
                let sum = kernel.floor_sweep(w.as_mut_slice(), 112, descending, false);
                assert!(
                    (sum - 0.1 * 70.0 * 112.0).abs() < 1.0,
                    "{}: {sum}",
                    kernel.name()
                );
                assert!(w.as_slice().iter().all(|&x| x == 1.0));
            }
            let mut zeros = Matrix::zeros(3, 16);
            kernel.floor_sweep(zeros.as_mut_slice(), 16, true, true);
            assert!(
                zeros.as_slice().iter().all(|&x| x > 0.0),
                "{}",
                kernel.name()
            );
            assert_eq!(kernel.multiply_adds(10) % 120, 0);
        }
    }
}
