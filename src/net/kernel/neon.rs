//! The portable kernel's two inner loops written with NEON intrinsics, for aarch64 (where
//! NEON and fused multiply-add are part of every CPU): the compiler vectorises the plain
//! loops only two lanes wide there and never fuses a multiply with an add, so these use
//! four 128-bit `fmla` accumulators instead. Same contract as the plain versions in
//! `portable`; the results differ from them only in rounding (fused, and summed in
//! another order).

use std::arch::aarch64::{vaddq_f32, vaddvq_f32, vdupq_n_f32, vfmaq_f32, vld1q_f32, vst1q_f32};

/// Floats per NEON register.
const LANES: usize = 4;

/// Σ a_j b_j over the first `min(a.len(), b.len())` floats rounded down to a multiple of 16.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len()) / 16 * 16;
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    // SAFETY: NEON is part of the aarch64 baseline; every load reads floats i..i + 16 with
    // i + 16 <= n, inside both slices.
    unsafe {
        let mut acc = [vdupq_n_f32(0.0); 4];
        let mut i = 0;
        while i < n {
            for (k, acc) in acc.iter_mut().enumerate() {
                let j = i + LANES * k;
                *acc = vfmaq_f32(*acc, vld1q_f32(pa.add(j)), vld1q_f32(pb.add(j)));
            }
            i += 16;
        }
        vaddvq_f32(vaddq_f32(
            vaddq_f32(acc[0], acc[1]),
            vaddq_f32(acc[2], acc[3]),
        ))
    }
}

/// g += d·row (the old row), then row −= step·h, over the slices' common length.
pub fn update_row(row: &mut [f32], d: f32, step: f32, h: &[f32], g: Option<&mut [f32]>) {
    let n = row.len().min(h.len());
    let vector = n / LANES * LANES;
    let (pw, ph) = (row.as_mut_ptr(), h.as_ptr());
    // SAFETY: NEON is part of the aarch64 baseline; every access covers floats i..i + 4 with
    // i + 4 <= vector <= n, inside `row`, `h` and (checked below) `g`.
    unsafe {
        let minus_step = vdupq_n_f32(-step);
        match g {
            Some(g) => {
                assert!(g.len() >= n, "g holds a float per weight of the row");
                let pg = g.as_mut_ptr();
                let dv = vdupq_n_f32(d);
                for i in (0..vector).step_by(LANES) {
                    let w = vld1q_f32(pw.add(i));
                    vst1q_f32(pg.add(i), vfmaq_f32(vld1q_f32(pg.add(i)), dv, w));
                    vst1q_f32(pw.add(i), vfmaq_f32(w, minus_step, vld1q_f32(ph.add(i))));
                }
                let tail = g[vector..n].iter_mut().zip(&mut row[vector..n]);
                for ((g, w), &h) in tail.zip(&h[vector..n]) {
                    *g = d.mul_add(*w, *g);
                    *w = (-step).mul_add(h, *w);
                }
            }
            None => {
                for i in (0..vector).step_by(LANES) {
                    let w = vld1q_f32(pw.add(i));
                    vst1q_f32(pw.add(i), vfmaq_f32(w, minus_step, vld1q_f32(ph.add(i))));
                }
                for (w, &h) in row[vector..n].iter_mut().zip(&h[vector..n]) {
                    *w = (-step).mul_add(h, *w);
                }
            }
        }
    }
}
