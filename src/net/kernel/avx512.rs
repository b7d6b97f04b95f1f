//! The loops with AVX-512F intrinsics: one 16-float vector per 64-byte line of a row, h and
//! g held in registers for rows of up to 8 vectors (the row length C is a const parameter),
//! dot products of 16 rows added together by a shuffle tree, and a vectorised sigmoid.
//!
//! Every function here needs AVX-512F; [`super::Kernel`] calls them only after detecting it.

use super::{OutputLayer, RowOrder, TILE};
use crate::net::Matrix;
use std::arch::x86_64::*;
use std::ops::Range;

/// The row whose dot product goes into slot s of [`reduce16`]'s input, so that its output
/// lane i holds row i: the tree leaves slot 4a + b in lane 4b + a.
const SLOT_ROW: [usize; 16] = {
    let mut rows = [0; 16];
    let mut s = 0;
    while s < 16 {
        rows[s] = 4 * (s % 4) + s / 4;
        s += 1;
    }
    rows
};

/// How many tiles ahead of the sweep to prefetch.
const PREFETCH_TILES: usize = 2;

/// h_out[i] = σ(W[i]·h_in). Needs AVX-512F, `h_in.len() >= stride`, `h_out.len() >= rows`.
#[target_feature(enable = "avx512f")]
pub unsafe fn forward_layer(w: &Matrix, h_in: &[f32], h_out: &mut [f32]) {
    with_chunks!(w.stride() / 16, C => forward::<C>(w, h_in, h_out))
}

#[target_feature(enable = "avx512f")]
fn forward<const C: usize>(w: &Matrix, h_in: &[f32], h_out: &mut [f32]) {
    let h = load_vector::<C>(h_in);
    let (rows, stride) = (w.rows(), w.stride());
    let base = w.as_slice().as_ptr();
    for r0 in (0..rows).step_by(TILE) {
        let n = (rows - r0).min(TILE);
        // SAFETY: rows r0..r0 + n exist (stride floats each), and the masked store writes
        // h_out[r0..r0 + n], within the `rows` floats the caller guarantees.
        unsafe {
            let z = tile_dots::<C>(base.add(r0 * stride), stride, n, &h);
            _mm512_mask_storeu_ps(h_out.as_mut_ptr().add(r0), lane_mask(n), sigmoid16(z));
        }
    }
}

/// One fused backward sweep of a hidden layer: g = Σ d_i·W[i] (old rows), W[i] −= lr·d_i·h.
/// Needs AVX-512F; lengths as in [`super::Kernel::backward_layer`].
#[target_feature(enable = "avx512f")]
pub unsafe fn backward_layer(
    w: &mut Matrix,
    d: &[f32],
    h_in: &[f32],
    lr: f32,
    g: Option<&mut [f32]>,
) {
    with_chunks!(w.stride() / 16, C => match g {
        Some(g) => backward::<C, true>(w, d, h_in, lr, g),
        None => backward::<C, false>(w, d, h_in, lr, &mut []),
    })
}

#[target_feature(enable = "avx512f")]
fn backward<const C: usize, const BACKPROP: bool>(
    w: &mut Matrix,
    d: &[f32],
    h_in: &[f32],
    lr: f32,
    g_out: &mut [f32],
) {
    let h = load_vector::<C>(h_in);
    let mut g = [_mm512_setzero_ps(); C];
    for (i, &d) in d.iter().enumerate().take(w.rows()) {
        let row = w.row_mut(i);
        // SAFETY: the row has stride = 16·C floats, 64-byte aligned (Matrix guarantees it).
        unsafe { update_row::<C, BACKPROP>(row.as_mut_ptr(), d, -lr * d, &h, &mut g) };
    }
    if BACKPROP {
        store_vector(&g, g_out);
    }
}

/// The output layer's fused sweep over `tiles`; see [`super::Kernel::sweep_output`].
///
/// # Safety
/// AVX-512F must be present; the caller upholds `sweep_output`'s contract.
#[target_feature(enable = "avx512f")]
pub unsafe fn sweep_output(layer: &OutputLayer, tiles: Range<usize>, g: &mut [f32]) -> f64 {
    // SAFETY: forwarded contract.
    unsafe {
        with_chunks!(layer.stride / 16, C => if layer.backprop {
            sweep::<C, true>(layer, tiles, g)
        } else {
            sweep::<C, false>(layer, tiles, g)
        })
    }
}

#[target_feature(enable = "avx512f")]
unsafe fn sweep<const C: usize, const BACKPROP: bool>(
    l: &OutputLayer,
    tiles: Range<usize>,
    g_out: &mut [f32],
) -> f64 {
    // SAFETY: h has `stride` = 16·C floats (the caller's contract).
    let h = load_vector::<C>(unsafe { std::slice::from_raw_parts(l.h, l.stride) });
    let mut g = [_mm512_setzero_ps(); C];
    let mut sum_sq = _mm512_setzero_pd();
    let neg_lr = _mm512_set1_ps(-l.lr);
    // Prefetch in the direction of the sweep.
    let ahead = match l.order {
        RowOrder::Ascending => (PREFETCH_TILES * TILE * l.stride) as isize,
        RowOrder::Descending => -((PREFETCH_TILES * TILE * l.stride) as isize),
    };
    // Software-pipelined: the next tile's dot products and σ are issued before this tile's
    // update, which does not depend on them, so the σ's latency hides behind the update. The
    // order of every sum is unchanged (g and the squares still go tile by tile).
    let mut pending: Option<Pending> = None;
    for tile in l.order.tiles(tiles) {
        let r0 = tile * TILE;
        let n = (l.rows - r0).min(TILE);
        // SAFETY: the tiles' rows, targets and outputs are ours alone (caller's contract).
        unsafe {
            let (next, sq) = prepare::<C>(l, r0, n, &h, neg_lr);
            sum_sq = add_squares(sum_sq, sq);
            if let Some(tile) = pending.replace(next) {
                apply::<C, BACKPROP>(l, &tile, &h, &mut g, ahead);
            }
        }
    }
    if let Some(tile) = pending {
        // SAFETY: as above.
        unsafe { apply::<C, BACKPROP>(l, &tile, &h, &mut g, ahead) };
    }
    if BACKPROP {
        store_vector(&g, g_out);
    } else {
        g_out[..l.stride].fill(0.0);
    }
    let mut lanes = [0.0f64; 8];
    // SAFETY: `lanes` has room for 8 f64.
    unsafe { _mm512_storeu_pd(lanes.as_mut_ptr(), sum_sq) };
    lanes.iter().sum()
}

/// A tile whose d and step are known and whose rows await their update.
struct Pending {
    r0: usize,
    n: usize,
    ds: [f32; TILE],
    steps: [f32; TILE],
}

/// The first half of a tile of the output sweep: y (stored), d and the step of its `n`
/// rows. Returns the tile and (y − t)² per lane, zero in lanes past `n`.
///
/// # Safety
/// Rows r0..r0 + n of W, t and y are valid and ours alone; AVX-512F is present.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn prepare<const C: usize>(
    l: &OutputLayer,
    r0: usize,
    n: usize,
    h: &[__m512; C],
    neg_lr: __m512,
) -> (Pending, __m512) {
    let mask = lane_mask(n);
    let mut tile = Pending {
        r0,
        n,
        ds: [0.0; TILE],
        steps: [0.0; TILE],
    };
    // SAFETY: rows r0..r0 + n exist; t and y are read and written only in the n lanes.
    unsafe {
        let z = tile_dots::<C>(l.w.add(r0 * l.stride), l.stride, n, h);
        let y = sigmoid16(z);
        let t = _mm512_maskz_loadu_ps(mask, l.t.add(r0));
        let diff = _mm512_maskz_sub_ps(mask, y, t);
        let one = _mm512_set1_ps(1.0);
        let d = _mm512_mul_ps(_mm512_mul_ps(diff, y), _mm512_sub_ps(one, y));
        _mm512_mask_storeu_ps(l.y.add(r0), mask, y);
        _mm512_storeu_ps(tile.ds.as_mut_ptr(), d);
        _mm512_storeu_ps(tile.steps.as_mut_ptr(), _mm512_mul_ps(d, neg_lr));
        (tile, _mm512_mul_ps(diff, diff))
    }
}

/// The second half of a tile: the update of its rows and their share of g, prefetching the
/// rows `ahead` floats away.
///
/// # Safety
/// As for [`prepare`] of the same tile.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn apply<const C: usize, const BACKPROP: bool>(
    l: &OutputLayer,
    tile: &Pending,
    h: &[__m512; C],
    g: &mut [__m512; C],
    ahead: isize,
) {
    // SAFETY: the tile's rows are ours alone (the contract above).
    unsafe {
        let base = l.w.add(tile.r0 * l.stride);
        for k in 0..tile.n {
            let row = base.add(k * l.stride);
            // Ask for the same row PREFETCH_TILES tiles ahead while this one is in registers:
            // the sweep runs from L3 (or memory), whose latency the prefetchers alone hide
            // poorly at this rate. Prefetching past the end is harmless (it cannot fault).
            let ahead = row.wrapping_offset(ahead);
            for c in 0..C {
                _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(16 * c).cast());
            }
            update_row::<C, BACKPROP>(row, tile.ds[k], tile.steps[k], h, g);
        }
    }
}

/// g += d·row (the old row), then row += step·h, with step = −lr·d.
///
/// # Safety
/// `row` points at 16·C floats, 64-byte aligned, that no one else touches.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn update_row<const C: usize, const BACKPROP: bool>(
    row: *mut f32,
    d: f32,
    step: f32,
    h: &[__m512; C],
    g: &mut [__m512; C],
) {
    let d = _mm512_set1_ps(d);
    let step = _mm512_set1_ps(step);
    for c in 0..C {
        // SAFETY: in bounds and aligned by the contract above.
        unsafe {
            let p = row.add(16 * c);
            let w = _mm512_load_ps(p);
            if BACKPROP {
                g[c] = _mm512_fmadd_ps(d, w, g[c]);
            }
            _mm512_store_ps(p, _mm512_fmadd_ps(step, h[c], w));
        }
    }
}

/// z_i = W[i]·h for the `n` (1..=16) rows from `base`, in lanes 0..n; lanes past n are 0.
///
/// # Safety
/// `base` points at n rows of `stride` = 16·C floats, 64-byte aligned.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn tile_dots<const C: usize>(
    base: *const f32,
    stride: usize,
    n: usize,
    h: &[__m512; C],
) -> __m512 {
    let mut acc = [_mm512_setzero_ps(); 16];
    // Rows in memory order (for the prefetchers); SLOT_ROW is its own inverse.
    for (k, &slot) in SLOT_ROW.iter().enumerate().take(n) {
        // SAFETY: row k < n is in bounds and aligned (the contract above).
        unsafe {
            let row = base.add(k * stride);
            let mut a = _mm512_mul_ps(_mm512_load_ps(row), h[0]);
            for (c, &h) in h.iter().enumerate().skip(1) {
                a = _mm512_fmadd_ps(_mm512_load_ps(row.add(16 * c)), h, a);
            }
            acc[slot] = a;
        }
    }
    reduce16(&acc)
}

/// Lane i of the result is the sum of the 16 lanes of `v[s]`, where `SLOT_ROW[s] == i`:
/// four levels of pairwise shuffles and adds (45 instructions instead of 16 reductions).
#[inline]
#[target_feature(enable = "avx512f")]
fn reduce16(v: &[__m512; 16]) -> __m512 {
    // Level 1: 128-bit quarters 0,1 + 2,3 of each pair; each result holds two rows.
    let mut s = [_mm512_setzero_ps(); 8];
    for p in 0..8 {
        let (a, b) = (v[2 * p], v[2 * p + 1]);
        s[p] = _mm512_add_ps(
            _mm512_shuffle_f32x4::<0x44>(a, b),
            _mm512_shuffle_f32x4::<0xEE>(a, b),
        );
    }
    // Level 2: quarters 0 + 1 and 2 + 3; each quarter now holds four partial sums of one row.
    let mut r = [_mm512_setzero_ps(); 4];
    for m in 0..4 {
        let (a, b) = (s[2 * m], s[2 * m + 1]);
        r[m] = _mm512_add_ps(
            _mm512_shuffle_f32x4::<0x88>(a, b),
            _mm512_shuffle_f32x4::<0xDD>(a, b),
        );
    }
    // Levels 3 and 4: within each quarter, the same pattern on single floats.
    let mut u = [_mm512_setzero_ps(); 2];
    for q in 0..2 {
        let (a, b) = (r[2 * q], r[2 * q + 1]);
        u[q] = _mm512_add_ps(
            _mm512_shuffle_ps::<0x44>(a, b),
            _mm512_shuffle_ps::<0xEE>(a, b),
        );
    }
    _mm512_add_ps(
        _mm512_shuffle_ps::<0x88>(u[0], u[1]),
        _mm512_shuffle_ps::<0xDD>(u[0], u[1]),
    )
}

/// σ(z) = 1 / (1 + e^(−z)) for 16 lanes: exactly 0 below −88, NaN stays NaN.
///
/// e^x as in Cephes' expf: x = n·ln 2 + r with |r| ≤ ½ ln 2, a degree-7 polynomial for e^r
/// (relative error about 1e-7), and `scalef` for the 2^n (which overflows cleanly to ∞).
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn sigmoid16(z: __m512) -> __m512 {
    let one = _mm512_set1_ps(1.0);
    // x = −z clamped to [−80, 100] (σ is 1 resp. 0 in f32 beyond); min/max return their
    // second operand when one is NaN, so a NaN z stays NaN.
    let x = _mm512_sub_ps(_mm512_setzero_ps(), z);
    let x = _mm512_max_ps(
        _mm512_set1_ps(-80.0),
        _mm512_min_ps(_mm512_set1_ps(100.0), x),
    );
    let n = _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
        _mm512_mul_ps(x, _mm512_set1_ps(std::f32::consts::LOG2_E)),
    );
    let r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693_359_4), x);
    let r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.121_944_4e-4), r);
    let mut p = _mm512_set1_ps(1.987_569_1e-4);
    for c in [
        1.398_2e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        1.666_666_5e-1,
        0.5,
    ] {
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(c));
    }
    let e_r = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, one));
    let e_x = _mm512_scalef_ps(e_r, n);
    let y = _mm512_div_ps(one, _mm512_add_ps(one, e_x));
    let below = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(z, _mm512_set1_ps(-88.0));
    _mm512_mask_mov_ps(y, below, _mm512_setzero_ps())
}

/// sum += the 16 f32 lanes of `sq` widened to f64 (two vectors of 8), lane by lane.
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn add_squares(sum: __m512d, sq: __m512) -> __m512d {
    let low = _mm512_cvtps_pd(_mm512_castps512_ps256(sq));
    let high = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(
        _mm512_castps_pd(sq),
    )));
    _mm512_add_pd(_mm512_add_pd(sum, low), high)
}

/// The first `n` (0..=16) lanes.
#[inline]
pub(super) fn lane_mask(n: usize) -> __mmask16 {
    ((1u32 << n) - 1) as __mmask16
}

/// The first 16·C floats of `v` as C vectors.
#[inline]
#[target_feature(enable = "avx512f")]
fn load_vector<const C: usize>(v: &[f32]) -> [__m512; C] {
    let v = &v[..16 * C];
    let mut out = [_mm512_setzero_ps(); C];
    for (c, out) in out.iter_mut().enumerate() {
        // SAFETY: 16 floats from 16·c are within `v` (sliced above).
        *out = unsafe { _mm512_loadu_ps(v.as_ptr().add(16 * c)) };
    }
    out
}

/// Stores C vectors into the first 16·C floats of `out`.
#[inline]
#[target_feature(enable = "avx512f")]
fn store_vector<const C: usize>(v: &[__m512; C], out: &mut [f32]) {
    let out = &mut out[..16 * C];
    for (c, v) in v.iter().enumerate() {
        // SAFETY: 16 floats from 16·c are within `out` (sliced above).
        unsafe { _mm512_storeu_ps(out.as_mut_ptr().add(16 * c), *v) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reduction_tree_puts_each_rows_sum_in_its_own_lane() {
        if !std::arch::is_x86_feature_detected!("avx512f") {
            return;
        }
        // Row i's vector holds i + 1 in lane 0 and (i + 1)·100 in lane 15.
        let mut rows = [[0.0f32; 16]; 16];
        for (i, r) in rows.iter_mut().enumerate() {
            r[0] = (i + 1) as f32;
            r[15] = (i + 1) as f32 * 100.0;
        }
        let mut out = [0.0f32; 16];
        // SAFETY: AVX-512F is present (checked above); all pointers are to local arrays.
        unsafe {
            let mut v = [_mm512_setzero_ps(); 16];
            for (slot, &row) in SLOT_ROW.iter().enumerate() {
                v[slot] = _mm512_loadu_ps(rows[row].as_ptr());
            }
            _mm512_storeu_ps(out.as_mut_ptr(), reduce16(&v));
        }
        let expected: Vec<f32> = (1..=16).map(|i| i as f32 * 101.0).collect();
        assert_eq!(out.to_vec(), expected);
    }
}
