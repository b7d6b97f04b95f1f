//! The column sweep of a single-layer network (inputs straight to outputs), in a portable and
//! an AVX-512 version.
//!
//! The weights are stored by column: Wᵀ is a [`Matrix`] `[inputs, outputs]` whose row j holds
//! w_ij for every output i, 64-byte aligned and zero-padded to a multiple of 16. For 16 outputs
//! at a time (a tile), z = Σ_j x_j·Wᵀ[j] is a few vector FMAs with no horizontal sums, and
//! inputs with x_j = 0 are skipped: their products are zero (up to the sign of a zero, which
//! σ does not see) and their weights get no update.
//!
//! A single-layer network back-propagates nothing, so output i's weights change only through
//! output i's own deltas: outputs are independent. The sweep therefore takes a whole epoch at
//! once, tile by tile, applying every sample in the epoch's order to a tile while its weights
//! and targets sit in L1. Each output sees exactly the operations of a sample-by-sample sweep,
//! in the same order, so the weights are the same bits; only the error sums are added in a
//! different (but fixed) order.

#[cfg(target_arch = "x86_64")]
use super::Isa;
use super::Kernel;
use crate::net::{Matrix, sigmoid};
use std::ops::Range;

/// Outputs per tile (one 16-lane vector).
pub const COLUMN_TILE: usize = 16;

/// One epoch of per-sample SGD for a single-layer network, as the column sweep reads it.
pub struct ColumnEpoch<'a> {
    /// Wᵀ: `[inputs, outputs]`, row j holding w_ij for every output i; padding zero.
    pub w_t: &'a mut Matrix,
    /// Targets `[samples, outputs]`, row k being sample k's t; padding zero.
    pub targets: &'a Matrix,
    /// Per sample k: (j, x_j) for every input with x_j ≠ 0, j ascending.
    pub active: &'a [Vec<(usize, f32)>],
    /// The samples in the order the epoch visits them.
    pub visit: &'a [usize],
    pub lr: f32,
}

impl ColumnEpoch<'_> {
    /// Number of tiles: outputs / 16 rounded up.
    pub fn tiles(&self) -> usize {
        self.w_t.cols().div_ceil(COLUMN_TILE)
    }

    /// Panics unless the shapes agree and every index is in range (what the kernels rely on).
    fn check(&self, tiles: &Range<usize>, sum_sq: &[f64]) {
        let (inputs, outputs) = (self.w_t.rows(), self.w_t.cols());
        assert_eq!(
            self.targets.cols(),
            outputs,
            "targets must match the outputs"
        );
        assert_eq!(
            self.active.len(),
            self.targets.rows(),
            "one input per target"
        );
        assert!(self.visit.iter().all(|&k| k < self.active.len()));
        assert!(self.active.iter().flatten().all(|&(j, _)| j < inputs));
        assert!(tiles.start <= tiles.end && tiles.end <= self.tiles());
        assert_eq!(sum_sq.len(), self.visit.len(), "one error sum per visit");
    }
}

impl Kernel {
    /// Trains the outputs of `tiles` on every sample of `epoch.visit`, in order: for each
    /// output i, z = Σ_j x_j·w_ij, y = σ(z), d = (y − t)·y(1 − y), then w_ij −= lr·d·x_j.
    ///
    /// `sum_sq[p]` is set to Σ (y − t)² over those outputs for the sample at position p of
    /// the visit, measured before its update. Panics if the shapes disagree.
    pub fn sweep_columns(self, epoch: &mut ColumnEpoch, tiles: Range<usize>, sum_sq: &mut [f64]) {
        epoch.check(&tiles, sum_sq);
        match self.0 {
            Isa::Portable => portable_sweep(epoch, tiles, sum_sq),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Isa::Avx512` exists only when the CPU has AVX-512F (see
            // `Kernel::detect`); shapes and indices were checked above.
            Isa::Avx512 => unsafe { avx512::sweep(epoch, tiles, sum_sq) },
        }
    }
}

/// The sweep in plain Rust, output by output.
fn portable_sweep(epoch: &mut ColumnEpoch, tiles: Range<usize>, sum_sq: &mut [f64]) {
    let outputs = epoch.w_t.cols();
    let stride = epoch.w_t.stride();
    let w_t = epoch.w_t.as_mut_slice();
    sum_sq.fill(0.0);
    for tile in tiles {
        let lanes = tile * COLUMN_TILE..((tile + 1) * COLUMN_TILE).min(outputs);
        for (sum_sq, &k) in sum_sq.iter_mut().zip(epoch.visit) {
            let (active, t) = (&epoch.active[k], epoch.targets.row(k));
            for i in lanes.clone() {
                let z: f32 = active.iter().map(|&(j, x)| x * w_t[j * stride + i]).sum();
                let y = sigmoid(z);
                let diff = y - t[i];
                let d = diff * y * (1.0 - y);
                for &(j, x) in active {
                    w_t[j * stride + i] -= epoch.lr * d * x;
                }
                *sum_sq += f64::from(diff * diff);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{COLUMN_TILE, ColumnEpoch};
    use crate::net::kernel::avx512::{add_squares, lane_mask, sigmoid16};
    use std::arch::x86_64::*;
    use std::ops::Range;

    /// Samples whose f64 error sums are held at once (a chunk of the visit).
    const CHUNK: usize = 16;

    /// See [`super::Kernel::sweep_columns`].
    ///
    /// # Safety
    /// AVX-512F must be present and `epoch` must have passed `ColumnEpoch::check` for these
    /// `tiles` and `sum_sq`.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn sweep(epoch: &mut ColumnEpoch, tiles: Range<usize>, sum_sq: &mut [f64]) {
        let outputs = epoch.w_t.cols();
        let stride = epoch.w_t.stride();
        let t_stride = epoch.targets.stride();
        let w_t = epoch.w_t.as_mut_slice().as_mut_ptr();
        let targets = epoch.targets.as_slice().as_ptr();
        let neg_lr = _mm512_set1_ps(-epoch.lr);
        let one = _mm512_set1_ps(1.0);
        // Lanes past the last output (only in the last tile) get d = 0, so their weights,
        // the padding, stay zero.
        let last_mask = lane_mask(outputs - (epoch.tiles() - 1) * COLUMN_TILE);
        let last_tile = epoch.tiles() - 1;
        // Per sample, (y − t)² summed in f64 over the tiles, lane by lane; chunks of the
        // visit in turn (each output still sees the samples in the epoch's order).
        for (visit, sum_sq) in epoch.visit.chunks(CHUNK).zip(sum_sq.chunks_mut(CHUNK)) {
            let mut acc = [_mm512_setzero_pd(); CHUNK];
            for tile in tiles.clone() {
                let mask = if tile == last_tile { last_mask } else { !0 };
                let offset = tile * COLUMN_TILE;
                for (acc, &k) in acc.iter_mut().zip(visit) {
                    let active = &epoch.active[k];
                    // SAFETY: j < inputs, k < samples and the tile lies within the stride
                    // (checked by `ColumnEpoch::check`), and rows are 64-byte aligned, so
                    // every pointer below is an aligned, in-bounds vector of 16 floats.
                    unsafe {
                        let mut z = _mm512_setzero_ps();
                        for &(j, x) in active {
                            let w = _mm512_load_ps(w_t.add(j * stride + offset));
                            z = _mm512_fmadd_ps(_mm512_set1_ps(x), w, z);
                        }
                        let y = sigmoid16(z);
                        let t = _mm512_load_ps(targets.add(k * t_stride + offset));
                        let diff = _mm512_maskz_sub_ps(mask, y, t);
                        let d = _mm512_mul_ps(_mm512_mul_ps(diff, y), _mm512_sub_ps(one, y));
                        let step = _mm512_mul_ps(d, neg_lr);
                        for &(j, x) in active {
                            let p = w_t.add(j * stride + offset);
                            let w = _mm512_load_ps(p);
                            _mm512_store_ps(p, _mm512_fmadd_ps(step, _mm512_set1_ps(x), w));
                        }
                        *acc = add_squares(*acc, _mm512_mul_ps(diff, diff));
                    }
                }
            }
            for (sum_sq, acc) in sum_sq.iter_mut().zip(&acc) {
                let mut lanes = [0.0f64; 8];
                // SAFETY: `lanes` has room for 8 f64.
                unsafe { _mm512_storeu_pd(lanes.as_mut_ptr(), *acc) };
                *sum_sq = lanes.iter().sum();
            }
        }
    }
}
