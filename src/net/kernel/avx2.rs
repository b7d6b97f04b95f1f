//! The loops with AVX2 and FMA, for x86-64 CPUs without AVX-512 (most laptops and desktops):
//! the same fused design as [`super::avx512`], each 16-float line of a row held as two 8-float
//! vectors, and the **same bits**: every lane sees the same operations in the same order.
//!
//! - Dot products keep 16 lane-wise partial sums per row (two vectors), chained over the
//!   row's lines with FMA exactly as the AVX-512 kernel does, then add them by the same tree:
//!   lane l + lane l + 8, then + 4, + 2, + 1.
//! - σ is the same Cephes polynomial; AVX-512's `scalef` (e_r·2ⁿ, rounded once) becomes two
//!   exact multiplications by powers of two, the second of which does that one rounding.
//! - AVX2 has 16 vector registers, too few to hold h and g (14 vectors each for the default
//!   network's rows). The update therefore runs over groups of 4 rows line by line, with the
//!   group's d and step and one line of h and of g in registers; each lane of g still adds the
//!   rows in row order, so the result is that of the row-by-row update. The dot products take
//!   4 rows at a time too, so that each line of h is loaded once per 4 rows.
//! - As in the AVX-512 kernel, the next tile's dot products and σ are issued before this
//!   tile's update (software pipelining), and rows 2 tiles ahead are prefetched.
//!
//! Every function here needs AVX2 and FMA; [`super::Kernel`] calls them only after detecting
//! both.

use super::{OutputLayer, RowOrder, TILE};
use crate::net::Matrix;
use std::arch::x86_64::*;
use std::ops::Range;

/// Floats per vector.
const W: usize = 8;

/// How many tiles ahead of the sweep to prefetch (as in the AVX-512 kernel).
const PREFETCH_TILES: usize = 2;

/// The row whose partial sums go into slot s of [`reduce8`]'s input, so that its output lane i
/// holds row i: the tree leaves slot s in lane s / 2 + 4·(s mod 2).
const SLOT_ROW: [usize; 8] = [0, 4, 1, 5, 2, 6, 3, 7];

/// h_out[i] = σ(W[i]·h_in). Needs AVX2 and FMA, `h_in.len() >= stride`, `h_out.len() >= rows`.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn forward_layer(w: &Matrix, h_in: &[f32], h_out: &mut [f32]) {
    with_chunks!(w.stride() / 16, C => forward::<C>(w, h_in, h_out))
}

#[target_feature(enable = "avx2,fma")]
fn forward<const C: usize>(w: &Matrix, h_in: &[f32], h_out: &mut [f32]) {
    let h = Lines::<C>::load(h_in);
    let (rows, stride) = (w.rows(), w.stride());
    let base = w.as_slice().as_ptr();
    for r0 in (0..rows).step_by(TILE) {
        let n = (rows - r0).min(TILE);
        let mut y = [0.0f32; TILE];
        // SAFETY: rows r0..r0 + n exist (stride floats each, 64-byte aligned).
        let z = unsafe { tile_dots::<C>(base.add(r0 * stride), stride, n, &h) };
        store16(&mut y, [sigmoid8(z[0]), sigmoid8(z[1])]);
        h_out[r0..r0 + n].copy_from_slice(&y[..n]);
    }
}

/// One fused backward sweep of a hidden layer: g = Σ d_i·W[i] (old rows), W[i] −= lr·d_i·h.
/// Needs AVX2 and FMA; lengths as in [`super::Kernel::backward_layer`].
#[target_feature(enable = "avx2,fma")]
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

#[target_feature(enable = "avx2,fma")]
fn backward<const C: usize, const BACKPROP: bool>(
    w: &mut Matrix,
    d: &[f32],
    h_in: &[f32],
    lr: f32,
    g_out: &mut [f32],
) {
    let h = Lines::<C>::load(h_in);
    let mut g = Lines::<C>::zero();
    let (rows, stride) = (w.rows().min(d.len()), w.stride());
    let base = w.as_mut_slice().as_mut_ptr();
    for r0 in (0..rows).step_by(TILE) {
        let n = (rows - r0).min(TILE);
        let mut ds = [0.0f32; TILE];
        let mut steps = [0.0f32; TILE];
        for k in 0..n {
            ds[k] = d[r0 + k];
            // −lr·d rounded as the AVX-512 kernel rounds it.
            steps[k] = -lr * d[r0 + k];
        }
        // SAFETY: rows r0..r0 + n exist and are ours (the matrix is borrowed mutably).
        unsafe {
            update_tile::<C, BACKPROP>(base.add(r0 * stride), stride, n, &ds, &steps, &h, &mut g)
        };
    }
    if BACKPROP {
        g.store(g_out);
    }
}

/// The output layer's fused sweep over `tiles`; see [`super::Kernel::sweep_output`].
///
/// # Safety
/// AVX2 and FMA must be present; the caller upholds `sweep_output`'s contract.
#[target_feature(enable = "avx2,fma")]
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

#[target_feature(enable = "avx2,fma")]
unsafe fn sweep<const C: usize, const BACKPROP: bool>(
    l: &OutputLayer,
    tiles: Range<usize>,
    g_out: &mut [f32],
) -> f64 {
    // SAFETY: h has `stride` = 16·C floats (the caller's contract).
    let h = Lines::<C>::load(unsafe { std::slice::from_raw_parts(l.h, l.stride) });
    let mut g = Lines::<C>::zero();
    // Σ (y − t)² in f64, lanes 0..4 and 4..8 (the AVX-512 kernel's 8 f64 lanes).
    let mut sum_sq = [_mm256_setzero_pd(); 2];
    let neg_lr = _mm256_set1_ps(-l.lr);
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
            let next = prepare::<C>(l, r0, n, &h, neg_lr, &mut sum_sq);
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
        g.store(g_out);
    } else {
        g_out[..l.stride].fill(0.0);
    }
    let mut lanes = [0.0f64; 8];
    // SAFETY: `lanes` has room for 8 f64.
    unsafe {
        _mm256_storeu_pd(lanes.as_mut_ptr(), sum_sq[0]);
        _mm256_storeu_pd(lanes.as_mut_ptr().add(4), sum_sq[1]);
    }
    lanes.iter().sum()
}

/// A tile whose d and step are known and whose rows await their update.
struct Pending {
    r0: usize,
    n: usize,
    ds: [f32; TILE],
    steps: [f32; TILE],
}

/// The first half of a tile of the output sweep: y (stored), d and the step of its `n` rows, and adds their (y − t)² to `sum_sq`.
///
/// # Safety
/// Rows r0..r0 + n of W, t and y are valid and ours alone; AVX2 and FMA are present.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn prepare<const C: usize>(
    l: &OutputLayer,
    r0: usize,
    n: usize,
    h: &Lines<C>,
    neg_lr: __m256,
    sum_sq: &mut [__m256d; 2],
) -> Pending {
    let one = _mm256_set1_ps(1.0);
    let mut tile = Pending {
        r0,
        n,
        ds: [0.0; TILE],
        steps: [0.0; TILE],
    };
    // SAFETY: rows r0..r0 + n exist; t and y are read and written only in the n lanes.
    unsafe {
        let base = l.w.add(r0 * l.stride);
        let z = tile_dots::<C>(base, l.stride, n, h);
        let mut t = [0.0f32; TILE];
        t[..n].copy_from_slice(std::slice::from_raw_parts(l.t.add(r0), n));
        let mut diffs = [_mm256_setzero_ps(); 2];
        let mut ys = [0.0f32; TILE];
        for half in 0..2 {
            let mask = lane_mask(n.saturating_sub(W * half));
            let y = sigmoid8(z[half]);
            let t = _mm256_loadu_ps(t.as_ptr().add(W * half));
            let diff = _mm256_and_ps(mask, _mm256_sub_ps(y, t));
            let d = _mm256_mul_ps(_mm256_mul_ps(diff, y), _mm256_sub_ps(one, y));
            _mm256_storeu_ps(ys.as_mut_ptr().add(W * half), y);
            _mm256_storeu_ps(tile.ds.as_mut_ptr().add(W * half), d);
            _mm256_storeu_ps(
                tile.steps.as_mut_ptr().add(W * half),
                _mm256_mul_ps(d, neg_lr),
            );
            diffs[half] = diff;
        }
        std::slice::from_raw_parts_mut(l.y.add(r0), n).copy_from_slice(&ys[..n]);
        *sum_sq = add_squares(*sum_sq, diffs);
    }
    tile
}

/// The second half of a tile: the update of its rows and their share of g, prefetching the
/// rows `ahead` floats away.
///
/// # Safety
/// As for [`prepare`] of the same tile.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn apply<const C: usize, const BACKPROP: bool>(
    l: &OutputLayer,
    tile: &Pending,
    h: &Lines<C>,
    g: &mut Lines<C>,
    ahead: isize,
) {
    // SAFETY: the tile's rows are ours alone (the contract above).
    unsafe {
        let base = l.w.add(tile.r0 * l.stride);
        // Ask for the rows PREFETCH_TILES tiles ahead, as the AVX-512 kernel does;
        // prefetching past the end is harmless (it cannot fault).
        for k in 0..tile.n {
            let ahead = base.add(k * l.stride).wrapping_offset(ahead);
            for c in 0..C {
                _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(16 * c).cast());
            }
        }
        update_tile::<C, BACKPROP>(base, l.stride, tile.n, &tile.ds, &tile.steps, h, g);
    }
}

/// For each of `n` rows k from `base`: g += ds[k]·row (the old row), then row += steps[k]·h.
/// Rows go in groups of [`GROUP`], line by line within a group, so that a group's d and step
/// and one line of h and of g sit in registers; each lane of g still adds the rows in row
/// order, as a row-by-row update would.
///
/// # Safety
/// `base` points at n rows of `stride` = 16·C floats, 64-byte aligned, that no one else
/// touches; AVX2 and FMA are present.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn update_tile<const C: usize, const BACKPROP: bool>(
    base: *mut f32,
    stride: usize,
    n: usize,
    ds: &[f32; TILE],
    steps: &[f32; TILE],
    h: &Lines<C>,
    g: &mut Lines<C>,
) {
    let mut k = 0;
    // SAFETY: rows k..k + GROUP (or k) are below n (the contract above).
    unsafe {
        while k + GROUP <= n {
            update_rows::<C, BACKPROP, GROUP>(
                base.add(k * stride),
                stride,
                &ds[k..],
                &steps[k..],
                h,
                g,
            );
            k += GROUP;
        }
        while k < n {
            update_rows::<C, BACKPROP, 1>(
                base.add(k * stride),
                stride,
                &ds[k..],
                &steps[k..],
                h,
                g,
            );
            k += 1;
        }
    }
}

/// Rows per group in [`update_tile`] and [`tile_dots`].
const GROUP: usize = 4;

/// [`update_tile`] for R rows from `base`, with the first R of `ds` and `steps`.
///
/// # Safety
/// As for [`update_tile`] with n = R.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn update_rows<const C: usize, const BACKPROP: bool, const R: usize>(
    base: *mut f32,
    stride: usize,
    ds: &[f32],
    steps: &[f32],
    h: &Lines<C>,
    g: &mut Lines<C>,
) {
    let d: [__m256; R] = std::array::from_fn(|r| _mm256_set1_ps(ds[r]));
    let step: [__m256; R] = std::array::from_fn(|r| _mm256_set1_ps(steps[r]));
    for v in 0..2 * C {
        let (hv, mut gv) = (h.0[v], g.0[v]);
        for r in 0..R {
            // SAFETY: in bounds and aligned by the contract above.
            unsafe {
                let p = base.add(r * stride + W * v);
                let w = _mm256_load_ps(p);
                if BACKPROP {
                    gv = _mm256_fmadd_ps(d[r], w, gv);
                }
                _mm256_store_ps(p, _mm256_fmadd_ps(step[r], hv, w));
            }
        }
        g.0[v] = gv;
    }
}

/// z_i = W[i]·h for the `n` (1..=16) rows from `base`: rows 0..8 in the first vector, 8..16
/// in the second; lanes past n are 0.
///
/// # Safety
/// `base` points at n rows of `stride` = 16·C floats, 64-byte aligned; AVX2 and FMA present.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn tile_dots<const C: usize>(
    base: *const f32,
    stride: usize,
    n: usize,
    h: &Lines<C>,
) -> [__m256; 2] {
    // Per row, lane l + lane l + 8 of its 16 partial sums (the tree's first level).
    let mut sums = [_mm256_setzero_ps(); TILE];
    let mut k = 0;
    // SAFETY: rows k..k + GROUP (or k) are below n (the contract above).
    unsafe {
        while k + GROUP <= n {
            let group = row_sums::<C, GROUP>(base.add(k * stride), stride, h);
            sums[k..k + GROUP].copy_from_slice(&group);
            k += GROUP;
        }
        while k < n {
            sums[k] = row_sums::<C, 1>(base.add(k * stride), stride, h)[0];
            k += 1;
        }
    }
    [0, 1].map(|half| {
        let slots: [__m256; W] = std::array::from_fn(|s| sums[W * half + SLOT_ROW[s]]);
        reduce8(&slots)
    })
}

/// For R rows from `base`: the row's 16 lane-wise partial sums of W[i]·h, chained over its
/// lines with FMA as the AVX-512 kernel chains them, then lane l + lane l + 8.
///
/// # Safety
/// `base` points at R rows of `stride` = 16·C floats, 64-byte aligned; AVX2 and FMA present.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn row_sums<const C: usize, const R: usize>(
    base: *const f32,
    stride: usize,
    h: &Lines<C>,
) -> [__m256; R] {
    let mut lo = [_mm256_setzero_ps(); R];
    let mut hi = [_mm256_setzero_ps(); R];
    for c in 0..C {
        let (h_lo, h_hi) = (h.0[2 * c], h.0[2 * c + 1]);
        for r in 0..R {
            // SAFETY: row r < R, line c < C: in bounds and aligned (the contract above).
            unsafe {
                let row = base.add(r * stride + 16 * c);
                let (w_lo, w_hi) = (_mm256_load_ps(row), _mm256_load_ps(row.add(W)));
                if c == 0 {
                    lo[r] = _mm256_mul_ps(w_lo, h_lo);
                    hi[r] = _mm256_mul_ps(w_hi, h_hi);
                } else {
                    lo[r] = _mm256_fmadd_ps(w_lo, h_lo, lo[r]);
                    hi[r] = _mm256_fmadd_ps(w_hi, h_hi, hi[r]);
                }
            }
        }
    }
    std::array::from_fn(|r| _mm256_add_ps(lo[r], hi[r]))
}

/// Lane i of the result is the sum of the 8 lanes of `v[s]`, where `SLOT_ROW[s] == i`: lane
/// e + lane e + 4, then + 2, then + 1, the last three levels of the AVX-512 kernel's tree.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn reduce8(v: &[__m256; W]) -> __m256 {
    let mut r = [_mm256_setzero_ps(); 4];
    for (m, r) in r.iter_mut().enumerate() {
        let (a, b) = (v[2 * m], v[2 * m + 1]);
        *r = _mm256_add_ps(
            _mm256_permute2f128_ps::<0x20>(a, b),
            _mm256_permute2f128_ps::<0x31>(a, b),
        );
    }
    let mut u = [_mm256_setzero_ps(); 2];
    for (q, u) in u.iter_mut().enumerate() {
        let (a, b) = (r[2 * q], r[2 * q + 1]);
        *u = _mm256_add_ps(
            _mm256_shuffle_ps::<0x44>(a, b),
            _mm256_shuffle_ps::<0xEE>(a, b),
        );
    }
    _mm256_add_ps(
        _mm256_shuffle_ps::<0x88>(u[0], u[1]),
        _mm256_shuffle_ps::<0xDD>(u[0], u[1]),
    )
}

/// σ(z) = 1 / (1 + e^(−z)) for 8 lanes, the same bits as the AVX-512 kernel's `sigmoid16`:
/// exactly 0 below −88, NaN stays NaN.
#[inline]
#[target_feature(enable = "avx2,fma")]
pub(super) fn sigmoid8(z: __m256) -> __m256 {
    let one = _mm256_set1_ps(1.0);
    // x = −z clamped to [−80, 100]; min/max return their second operand when one is NaN.
    let x = _mm256_sub_ps(_mm256_setzero_ps(), z);
    let x = _mm256_max_ps(
        _mm256_set1_ps(-80.0),
        _mm256_min_ps(_mm256_set1_ps(100.0), x),
    );
    let n = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(_mm256_mul_ps(
        x,
        _mm256_set1_ps(std::f32::consts::LOG2_E),
    ));
    let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693_359_4), x);
    let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.121_944_4e-4), r);
    let mut p = _mm256_set1_ps(1.987_569_1e-4);
    for c in [
        1.398_2e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        1.666_666_5e-1,
        0.5,
    ] {
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
    }
    let e_r = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, one));
    // e_r·2ⁿ with n in −115..=144: 2^⌊n/2⌋ and 2^(n − ⌊n/2⌋) are normal floats, e_r (about
    // 0.7 to 1.4) times the first is exact, and the second product rounds once (to ∞ or a
    // subnormal where the exact value lies there), just as `scalef` does. A NaN n only
    // occurs with a NaN e_r, which stays NaN.
    let n = _mm256_cvtps_epi32(n);
    let n1 = _mm256_srai_epi32::<1>(n);
    let n2 = _mm256_sub_epi32(n, n1);
    let pow2 = |e: __m256i| {
        _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(
            e,
            _mm256_set1_epi32(127),
        )))
    };
    let e_x = _mm256_mul_ps(_mm256_mul_ps(e_r, pow2(n1)), pow2(n2));
    let y = _mm256_div_ps(one, _mm256_add_ps(one, e_x));
    let below = _mm256_cmp_ps::<_CMP_LT_OQ>(z, _mm256_set1_ps(-88.0));
    _mm256_andnot_ps(below, y)
}

/// sum += the squares of 16 f32 lanes (`diff[0]` lanes 0..8, `diff[1]` lanes 8..16) widened
/// to f64, as the AVX-512 kernel adds them: f64 lane j gets lane j, then lane j + 8.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn add_squares(sum: [__m256d; 2], diff: [__m256; 2]) -> [__m256d; 2] {
    let (low, high) = (
        _mm256_mul_ps(diff[0], diff[0]),
        _mm256_mul_ps(diff[1], diff[1]),
    );
    let widen = |v: __m256| {
        [
            _mm256_cvtps_pd(_mm256_castps256_ps128(v)),
            _mm256_cvtps_pd(_mm256_extractf128_ps::<1>(v)),
        ]
    };
    let (low, high) = (widen(low), widen(high));
    [
        _mm256_add_pd(_mm256_add_pd(sum[0], low[0]), high[0]),
        _mm256_add_pd(_mm256_add_pd(sum[1], low[1]), high[1]),
    ]
}

/// All bits set in the first `n` (0..=8, more counts as 8) lanes.
#[inline]
#[target_feature(enable = "avx2,fma")]
pub(super) fn lane_mask(n: usize) -> __m256 {
    let n = n.min(W) as i32;
    let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes))
}

/// Stores two vectors into 16 floats.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn store16(out: &mut [f32; TILE], v: [__m256; 2]) {
    // SAFETY: 16 floats fit in `out`.
    unsafe {
        _mm256_storeu_ps(out.as_mut_ptr(), v[0]);
        _mm256_storeu_ps(out.as_mut_ptr().add(W), v[1]);
    }
}

/// A row's worth of vectors: 2·C vectors of 8 floats (C lines of 16).
#[derive(Clone, Copy)]
struct Lines<const C: usize>([__m256; 16]);

impl<const C: usize> Lines<C> {
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn zero() -> Self {
        Lines([_mm256_setzero_ps(); 16])
    }

    /// The first 16·C floats of `v`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn load(v: &[f32]) -> Self {
        let v = &v[..16 * C];
        let mut out = Self::zero();
        for (k, out) in out.0.iter_mut().enumerate().take(2 * C) {
            // SAFETY: 8 floats from 8·k < 16·C are within `v` (sliced above).
            *out = unsafe { _mm256_loadu_ps(v.as_ptr().add(W * k)) };
        }
        out
    }

    /// Stores the 2·C vectors into the first 16·C floats of `out`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn store(&self, out: &mut [f32]) {
        let out = &mut out[..16 * C];
        for (k, v) in self.0.iter().enumerate().take(2 * C) {
            // SAFETY: 8 floats from 8·k are within `out` (sliced above).
            unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(W * k), *v) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reduction_tree_puts_each_rows_sum_in_its_own_lane() {
        if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
            return;
        }
        // Row i's vector holds i + 1 in lane 0 and (i + 1)·100 in lane 7.
        let mut out = [0.0f32; W];
        // SAFETY: AVX2 is present (checked above); all pointers are to local arrays.
        unsafe {
            let mut v = [_mm256_setzero_ps(); W];
            for (slot, &row) in SLOT_ROW.iter().enumerate() {
                let mut lanes = [0.0f32; W];
                lanes[0] = (row + 1) as f32;
                lanes[7] = (row + 1) as f32 * 100.0;
                v[slot] = _mm256_loadu_ps(lanes.as_ptr());
            }
            _mm256_storeu_ps(out.as_mut_ptr(), reduce8(&v));
        }
        let expected: Vec<f32> = (1..=8).map(|i| i as f32 * 101.0).collect();
        assert_eq!(out.to_vec(), expected);
    }
}
