//! The column sweep of a single-layer network (see [`super::column_epoch`]) with AVX2 and FMA, for
//! CPUs without AVX-512: the same bits as the AVX-512 column sweep. Each 16-output tile is two
//! 8-float vectors; every lane sees the same operations in the same order (z summed input by
//! input with FMA, the same σ, d and update), and each sample's error sum adds the squares of
//! lanes i and i + 8 in f32, then widens them to the same 8 f64 lanes, tile by tile in the
//! same order.

use super::avx2::{lane_mask, sigmoid8};
use super::column_epoch::{COLUMN_TILE, ColumnEpoch};
use std::arch::x86_64::*;
use std::ops::Range;

/// Samples whose f64 error sums are held at once (a chunk of the visit).
const CHUNK: usize = 16;

/// Tiles trained side by side on each sample: 4 tiles are 8 vectors of z, half of AVX2's
/// registers, and 4 independent σ chains.
const GROUP: usize = 4;

/// Floats per vector.
const W: usize = 8;

/// The sweep's pointers and constants.
struct Sweep<'a> {
    w_t: *mut f32,
    stride: usize,
    targets: *const f32,
    t_stride: usize,
    active: &'a [Vec<(usize, f32)>],
    neg_lr: __m256,
    /// The last tile of the layer and the number of its lanes that hold outputs.
    last_tile: usize,
    last_lanes: usize,
}

/// See [`super::Kernel::sweep_columns`].
///
/// # Safety
/// AVX2 and FMA must be present; otherwise as for `sweep_columns`, whose checks have passed
/// (and `tiles` is not empty).
#[target_feature(enable = "avx2,fma")]
pub unsafe fn sweep(epoch: &ColumnEpoch, tiles: Range<usize>, sum_sq: &mut [f64]) {
    let last_tile = epoch.tiles() - 1;
    let sweep = Sweep {
        stride: epoch.stride,
        t_stride: epoch.targets.stride(),
        w_t: epoch.w_t,
        targets: epoch.targets.as_slice().as_ptr(),
        active: epoch.active,
        neg_lr: _mm256_set1_ps(-epoch.lr),
        // Lanes past the last output get d = 0, so their weights (padding) stay zero.
        last_lanes: epoch.outputs - last_tile * COLUMN_TILE,
        last_tile,
    };
    for (visit, sum_sq) in epoch.visit.chunks(CHUNK).zip(sum_sq.chunks_mut(CHUNK)) {
        // Per sample, f64 lanes 0..4 and 4..8.
        let mut acc = [[_mm256_setzero_pd(); 2]; CHUNK];
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
            unsafe {
                _mm256_storeu_pd(lanes.as_mut_ptr(), acc[0]);
                _mm256_storeu_pd(lanes.as_mut_ptr().add(4), acc[1]);
            }
            *sum_sq = lanes.iter().sum();
        }
    }
}

/// Trains tiles `first..first + U` on the samples of `visit`, in order, adding each sample's
/// (y − t)² to its lane sums in `acc`.
///
/// # Safety
/// AVX2 and FMA are present; the tiles exist and every index of `visit` and of the active
/// inputs is in range (`ColumnEpoch::new`).
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn train_group<const U: usize>(
    s: &Sweep,
    visit: &[usize],
    first: usize,
    acc: &mut [[__m256d; 2]; CHUNK],
) {
    let one = _mm256_set1_ps(1.0);
    // All lanes, or only the outputs of the last tile.
    let masks: [[__m256; 2]; U] = std::array::from_fn(|u| {
        let lanes = if first + u == s.last_tile {
            s.last_lanes
        } else {
            COLUMN_TILE
        };
        [lane_mask(lanes), lane_mask(lanes.saturating_sub(W))]
    });
    let offset = first * COLUMN_TILE;
    for (acc, &k) in acc.iter_mut().zip(visit) {
        let active = &s.active[k];
        // SAFETY: rows are 64-byte aligned and the U tiles from `first` lie within the stride
        // of Wᵀ and of the targets, so each pointer is an aligned, in-bounds vector of 8.
        unsafe {
            let mut z = [[_mm256_setzero_ps(); 2]; U];
            for &(j, x) in active {
                let (x, w) = (_mm256_set1_ps(x), s.w_t.add(j * s.stride + offset));
                for (u, z) in z.iter_mut().enumerate() {
                    for (h, z) in z.iter_mut().enumerate() {
                        let p = w.add(u * COLUMN_TILE + W * h);
                        *z = _mm256_fmadd_ps(x, _mm256_load_ps(p), *z);
                    }
                }
            }
            let t = s.targets.add(k * s.t_stride + offset);
            let mut step = [[_mm256_setzero_ps(); 2]; U];
            for u in 0..U {
                let mut diff = [_mm256_setzero_ps(); 2];
                for h in 0..2 {
                    let y = sigmoid8(z[u][h]);
                    let t = _mm256_load_ps(t.add(u * COLUMN_TILE + W * h));
                    diff[h] = _mm256_and_ps(masks[u][h], _mm256_sub_ps(y, t));
                    let d = _mm256_mul_ps(_mm256_mul_ps(diff[h], y), _mm256_sub_ps(one, y));
                    step[u][h] = _mm256_mul_ps(d, s.neg_lr);
                }
                *acc = add_square_pairs(*acc, diff);
            }
            for &(j, x) in active {
                let (x, w) = (_mm256_set1_ps(x), s.w_t.add(j * s.stride + offset));
                for (u, step) in step.iter().enumerate() {
                    for (h, step) in step.iter().enumerate() {
                        let p = w.add(u * COLUMN_TILE + W * h);
                        _mm256_store_ps(p, _mm256_fmadd_ps(*step, x, _mm256_load_ps(p)));
                    }
                }
            }
        }
    }
}

/// acc += (y − t)² of a tile's 16 lanes as 8 f64s, lanes i and i + 8 added in f32 first, as
/// the AVX-512 column sweep adds them.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn add_square_pairs(acc: [__m256d; 2], diff: [__m256; 2]) -> [__m256d; 2] {
    let pairs = _mm256_add_ps(
        _mm256_mul_ps(diff[0], diff[0]),
        _mm256_mul_ps(diff[1], diff[1]),
    );
    [
        _mm256_add_pd(acc[0], _mm256_cvtps_pd(_mm256_castps256_ps128(pairs))),
        _mm256_add_pd(acc[1], _mm256_cvtps_pd(_mm256_extractf128_ps::<1>(pairs))),
    ]
}
