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

use super::{Isa, Kernel};
use crate::net::{Matrix, sigmoid};
use std::marker::PhantomData;
use std::ops::Range;

/// Outputs per tile (one 16-lane vector).
pub const COLUMN_TILE: usize = 16;

/// One epoch of per-sample SGD for a single-layer network, as the column sweep reads it:
/// Wᵀ as raw parts, so that threads can sweep disjoint tiles of it at the same time.
#[derive(Clone, Copy, Debug)]
pub struct ColumnEpoch<'a> {
    /// Wᵀ: `[inputs, outputs]` with rows of `stride` floats, row j holding w_ij for every
    /// output i; padding zero. Borrowed exclusively for `'a` (see `new`).
    pub(super) w_t: *mut f32,
    pub(super) outputs: usize,
    pub(super) stride: usize,
    /// Targets `[samples, outputs]`, row k being sample k's t; padding zero.
    pub(super) targets: &'a Matrix,
    /// Per sample k: (j, x_j) for every input with x_j ≠ 0, j ascending.
    pub(super) active: &'a [Vec<(usize, f32)>],
    /// The samples in the order the epoch visits them.
    pub(super) visit: &'a [usize],
    pub(super) lr: f32,
    _w_t: PhantomData<&'a mut Matrix>,
}

// SAFETY: Wᵀ is only written under `sweep_columns`' contract (disjoint tiles per thread,
// while the epoch borrows it exclusively); the rest is shared and read-only.
unsafe impl Send for ColumnEpoch<'_> {}
// SAFETY: as above.
unsafe impl Sync for ColumnEpoch<'_> {}

impl<'a> ColumnEpoch<'a> {
    /// An epoch of `visit` (indices into `active` and the rows of `targets`) at rate `lr`.
    ///
    /// Panics unless the shapes agree and every index is in range, which the kernels rely on.
    pub fn new(
        w_t: &'a mut Matrix,
        targets: &'a Matrix,
        active: &'a [Vec<(usize, f32)>],
        visit: &'a [usize],
        lr: f32,
    ) -> Self {
        let (inputs, outputs) = (w_t.rows(), w_t.cols());
        assert_eq!(targets.cols(), outputs, "targets must match the outputs");
        assert_eq!(active.len(), targets.rows(), "one input per target");
        assert!(visit.iter().all(|&k| k < active.len()));
        assert!(active.iter().flatten().all(|&(j, _)| j < inputs));
        ColumnEpoch {
            stride: w_t.stride(),
            w_t: w_t.as_mut_slice().as_mut_ptr(),
            outputs,
            targets,
            active,
            visit,
            lr,
            _w_t: PhantomData,
        }
    }

    /// Number of tiles: outputs / 16 rounded up.
    pub fn tiles(&self) -> usize {
        self.outputs.div_ceil(COLUMN_TILE)
    }

    /// Number of samples visited.
    pub fn visits(&self) -> usize {
        self.visit.len()
    }
}

impl Kernel {
    /// Trains the outputs of `tiles` on every sample of the epoch's visit, in order: for each
    /// output i, z = Σ_j x_j·w_ij, y = σ(z), d = (y − t)·y(1 − y), then w_ij −= lr·d·x_j.
    ///
    /// `sum_sq[p]` is set to Σ (y − t)² over those outputs for the sample at position p of
    /// the visit, measured before its update. Panics unless `tiles` is within the layer and
    /// `sum_sq.len()` is the number of visits.
    ///
    /// # Safety
    /// No one else may read or write the weights of `tiles` during the call (threads sweeping
    /// one epoch must take disjoint tiles).
    pub unsafe fn sweep_columns(
        self,
        epoch: &ColumnEpoch,
        tiles: Range<usize>,
        sum_sq: &mut [f64],
    ) {
        assert!(tiles.start <= tiles.end && tiles.end <= epoch.tiles());
        assert_eq!(sum_sq.len(), epoch.visits(), "one error sum per visit");
        if tiles.is_empty() {
            // Nothing to train (and the AVX-512 sweep assumes a last tile exists).
            sum_sq.fill(0.0);
            return;
        }
        match self.0 {
            // SAFETY: the caller's contract; shapes and indices were checked by `new`.
            Isa::Portable => unsafe { portable_sweep(epoch, tiles, sum_sq) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Isa::Avx2` exists only when the CPU has AVX2 and FMA; the rest as above.
            Isa::Avx2 => unsafe { super::avx2_columns::sweep(epoch, tiles, sum_sq) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Isa::Avx512` exists only when the CPU has AVX-512F (see
            // `Kernel::detect`); the rest as above.
            Isa::Avx512 => unsafe { avx512::sweep(epoch, tiles, sum_sq) },
        }
    }
}

/// The sweep in plain Rust, output by output.
///
/// # Safety
/// As for [`Kernel::sweep_columns`], whose checks have passed.
unsafe fn portable_sweep(epoch: &ColumnEpoch, tiles: Range<usize>, sum_sq: &mut [f64]) {
    sum_sq.fill(0.0);
    for tile in tiles {
        let lanes = tile * COLUMN_TILE..((tile + 1) * COLUMN_TILE).min(epoch.outputs);
        for (sum_sq, &k) in sum_sq.iter_mut().zip(epoch.visit) {
            let (active, t) = (&epoch.active[k], epoch.targets.row(k));
            for i in lanes.clone() {
                // SAFETY: j < inputs and i < outputs (checked), so w_ij is within Wᵀ; this
                // tile's weights are ours alone (the caller's contract).
                let w = |j: usize| unsafe { epoch.w_t.add(j * epoch.stride + i) };
                // SAFETY: see `w`.
                let z: f32 = active.iter().map(|&(j, x)| x * unsafe { *w(j) }).sum();
                let y = sigmoid(z);
                let diff = y - t[i];
                let d = diff * y * (1.0 - y);
                for &(j, x) in active {
                    // SAFETY: see `w`.
                    unsafe { *w(j) -= epoch.lr * d * x };
                }
                *sum_sq += f64::from(diff * diff);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{COLUMN_TILE, ColumnEpoch};
    use crate::net::kernel::avx512::{lane_mask, sigmoid16};
    use std::arch::x86_64::*;
    use std::ops::Range;

    /// Samples whose f64 error sums are held at once (a chunk of the visit).
    const CHUNK: usize = 16;

    /// Tiles trained side by side on each sample. One tile's σ is a chain of some 20
    /// dependent instructions; several independent chains keep the vector units busy.
    const GROUP: usize = 8;

    /// The sweep's pointers and constants.
    struct Sweep<'a> {
        w_t: *mut f32,
        stride: usize,
        targets: *const f32,
        t_stride: usize,
        active: &'a [Vec<(usize, f32)>],
        neg_lr: __m512,
        /// The last tile of the layer and its lanes that hold outputs.
        last_tile: usize,
        last_mask: __mmask16,
    }

    /// See [`super::Kernel::sweep_columns`].
    ///
    /// # Safety
    /// AVX-512F must be present; otherwise as for `sweep_columns`, whose checks have passed.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn sweep(epoch: &ColumnEpoch, tiles: Range<usize>, sum_sq: &mut [f64]) {
        let last_tile = epoch.tiles() - 1;
        let sweep = Sweep {
            stride: epoch.stride,
            t_stride: epoch.targets.stride(),
            w_t: epoch.w_t,
            targets: epoch.targets.as_slice().as_ptr(),
            active: epoch.active,
            neg_lr: _mm512_set1_ps(-epoch.lr),
            // Lanes past the last output get d = 0, so their weights (padding) stay zero.
            last_mask: lane_mask(epoch.outputs - last_tile * COLUMN_TILE),
            last_tile,
        };
        // Per sample, (y − t)² summed in f64 over the tiles, lane by lane; chunks of the
        // visit in turn (each output still sees the samples in the epoch's order).
        for (visit, sum_sq) in epoch.visit.chunks(CHUNK).zip(sum_sq.chunks_mut(CHUNK)) {
            let mut acc = [_mm512_setzero_pd(); CHUNK];
            let mut tile = tiles.start;
            // SAFETY: every group lies within `tiles` (the caller's contract).
            unsafe {
                while tile + GROUP <= tiles.end {
                    train_group::<GROUP>(&sweep, visit, tile, &mut acc);
                    tile += GROUP;
                }
                while tile < tiles.end {
                    train_group::<1>(&sweep, visit, tile, &mut acc);
                    tile += 1;
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

    /// Trains tiles `first..first + U` on the samples of `visit`, in order, adding each
    /// sample's (y − t)² to its lane sums in `acc`.
    ///
    /// # Safety
    /// AVX-512F is present; the tiles exist and every index of `visit` and of the active
    /// inputs is in range (`ColumnEpoch::new`).
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn train_group<const U: usize>(
        s: &Sweep,
        visit: &[usize],
        first: usize,
        acc: &mut [__m512d; CHUNK],
    ) {
        let one = _mm512_set1_ps(1.0);
        let masks: [__mmask16; U] = std::array::from_fn(|u| {
            if first + u == s.last_tile {
                s.last_mask
            } else {
                !0
            }
        });
        let offset = first * COLUMN_TILE;
        for (acc, &k) in acc.iter_mut().zip(visit) {
            let active = &s.active[k];
            // SAFETY: rows are 64-byte aligned and the U tiles from `first` lie within the
            // stride of Wᵀ and of the targets, so each pointer is an aligned, in-bounds
            // vector of 16 floats.
            unsafe {
                let mut z = [_mm512_setzero_ps(); U];
                for &(j, x) in active {
                    let (x, w) = (_mm512_set1_ps(x), s.w_t.add(j * s.stride + offset));
                    for (u, z) in z.iter_mut().enumerate() {
                        *z = _mm512_fmadd_ps(x, _mm512_load_ps(w.add(u * COLUMN_TILE)), *z);
                    }
                }
                let t = s.targets.add(k * s.t_stride + offset);
                let mut step = [_mm512_setzero_ps(); U];
                for u in 0..U {
                    let y = sigmoid16(z[u]);
                    let t = _mm512_load_ps(t.add(u * COLUMN_TILE));
                    let diff = _mm512_maskz_sub_ps(masks[u], y, t);
                    let d = _mm512_mul_ps(_mm512_mul_ps(diff, y), _mm512_sub_ps(one, y));
                    step[u] = _mm512_mul_ps(d, s.neg_lr);
                    *acc = _mm512_add_pd(*acc, square_pairs(diff));
                }
                for &(j, x) in active {
                    let (x, w) = (_mm512_set1_ps(x), s.w_t.add(j * s.stride + offset));
                    for (u, step) in step.iter().enumerate() {
                        let p = w.add(u * COLUMN_TILE);
                        _mm512_store_ps(p, _mm512_fmadd_ps(*step, x, _mm512_load_ps(p)));
                    }
                }
            }
        }
    }

    /// (y − t)² of 16 lanes as 8 f64s: lanes i and i + 8 added in f32 first (one rounding,
    /// like that of the squares themselves), then widened; half the conversions of widening
    /// every lane.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn square_pairs(diff: __m512) -> __m512d {
        let sq = _mm512_mul_ps(diff, diff);
        let low = _mm512_castps512_ps256(sq);
        let high = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(sq)));
        _mm512_cvtps_pd(_mm256_add_ps(low, high))
    }
}
