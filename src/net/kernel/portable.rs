//! The loops in plain Rust for any CPU. Dot products keep 16 lane-wise partial sums (so the
//! compiler can vectorise them without reordering a sum) and add them in a fixed tree. On
//! aarch64 the two inner loops (`dot`, `update_row`) are `neon`'s instead.

use super::{OutputLayer, TILE};
use crate::net::{Matrix, sigmoid};
use std::ops::Range;

#[cfg(not(target_arch = "aarch64"))]
const LANES: usize = 16;

#[cfg(target_arch = "aarch64")]
use super::neon::dot;

/// Σ a_j b_j over slices whose length is a multiple of 16.
#[cfg(not(target_arch = "aarch64"))]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (a, b) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for k in 0..LANES {
            acc[k] += a[k] * b[k];
        }
    }
    let mut n = LANES;
    while n > 1 {
        n /= 2;
        for k in 0..n {
            acc[k] += acc[k + n];
        }
    }
    acc[0]
}

pub fn forward_layer(w: &Matrix, h_in: &[f32], h_out: &mut [f32]) {
    let h_in = &h_in[..w.stride()];
    for (i, out) in h_out.iter_mut().take(w.rows()).enumerate() {
        *out = sigmoid(dot(w.row(i), h_in));
    }
}

pub fn backward_layer(w: &mut Matrix, d: &[f32], h_in: &[f32], lr: f32, g: Option<&mut [f32]>) {
    let stride = w.stride();
    let h_in = &h_in[..stride];
    match g {
        Some(g) => {
            let g = &mut g[..stride];
            g.fill(0.0);
            for (i, &d) in d.iter().enumerate() {
                update_row(w.row_mut(i), d, lr, h_in, Some(g));
            }
        }
        None => {
            for (i, &d) in d.iter().enumerate() {
                update_row(w.row_mut(i), d, lr, h_in, None);
            }
        }
    }
}

/// g += d·row (old row), then row −= lr·d·h.
#[inline]
fn update_row(row: &mut [f32], d: f32, lr: f32, h: &[f32], g: Option<&mut [f32]>) {
    let step = lr * d;
    #[cfg(target_arch = "aarch64")]
    return super::neon::update_row(row, d, step, h, g);
    #[cfg(not(target_arch = "aarch64"))]
    match g {
        Some(g) => {
            for ((g, w), &h) in g.iter_mut().zip(row.iter_mut()).zip(h) {
                *g += d * *w;
                *w -= step * h;
            }
        }
        None => {
            for (w, &h) in row.iter_mut().zip(h) {
                *w -= step * h;
            }
        }
    }
}

/// # Safety
/// See [`super::Kernel::sweep_output`].
pub unsafe fn sweep_output(layer: &OutputLayer, tiles: Range<usize>, g: &mut [f32]) -> f64 {
    let stride = layer.stride;
    // SAFETY: the caller guarantees that h holds `stride` floats.
    let h = unsafe { std::slice::from_raw_parts(layer.h, stride) };
    let g = &mut g[..stride];
    g.fill(0.0);
    let mut sum_sq = 0.0f64;
    for tile in layer.order.tiles(tiles) {
        let first = tile * TILE;
        let n = (layer.rows - first).min(TILE);
        // SAFETY: the caller guarantees exclusive access to this tile's rows of W, t and y,
        // and that the pointers are valid for `rows` rows of `stride` floats.
        let (w, t, y) = unsafe {
            (
                std::slice::from_raw_parts_mut(layer.w.add(first * stride), n * stride),
                std::slice::from_raw_parts(layer.t.add(first), n),
                std::slice::from_raw_parts_mut(layer.y.add(first), n),
            )
        };
        for ((row, &t), y) in w.chunks_exact_mut(stride).zip(t).zip(y) {
            let yi = sigmoid(dot(row, h));
            let diff = yi - t;
            let d = diff * yi * (1.0 - yi);
            *y = yi;
            sum_sq += f64::from(diff * diff);
            update_row(row, d, layer.lr, h, layer.backprop.then_some(&mut *g));
        }
    }
    sum_sq
}
