//! The inner loops of the forward pass and the SGD step, in a portable version, an AVX2+FMA
//! version and an AVX-512 version, the widest the CPU has chosen at run time (binaries are
//! built for plain x86-64, so the wide versions are enabled per function with
//! `#[target_feature]`, never assumed globally). The AVX2 and AVX-512 versions give the same
//! bits; the portable one rounds differently (no FMA, another order of sums).
//!
//! Shapes: a layer's weights W are `[rows, cols]` with rows padded to `stride` floats (a
//! multiple of 16) and 64-byte aligned ([`Matrix`]); every activation, delta and gradient
//! vector is zero-padded to the stride of the matrix that reads it. Padding stays zero.
//!
//! The output layer is swept in tiles of [`TILE`] rows: for each tile, 16 dot products
//! z = W[i]·h, a vectorised y = σ(z), d = (y − t)·y(1 − y), then for each row, while it is
//! still in L1, g += d_i·W[i] (the old row) and W[i] −= lr·d_i·h. The tiles are grouped into
//! [`BLOCKS`] fixed blocks, each with its own partial g and error sum, which the caller adds
//! in block order: the result does not depend on how many threads swept the blocks.

use super::Matrix;
use std::ops::Range;

#[cfg(target_arch = "x86_64")]
/// Calls `$body` with `$c` bound to the const number of vectors per row (1..=8).
macro_rules! with_chunks {
    ($chunks:expr, $c:ident => $body:expr) => {
        match $chunks {
            1 => {
                const $c: usize = 1;
                $body
            }
            2 => {
                const $c: usize = 2;
                $body
            }
            3 => {
                const $c: usize = 3;
                $body
            }
            4 => {
                const $c: usize = 4;
                $body
            }
            5 => {
                const $c: usize = 5;
                $body
            }
            6 => {
                const $c: usize = 6;
                $body
            }
            7 => {
                const $c: usize = 7;
                $body
            }
            8 => {
                const $c: usize = 8;
                $body
            }
            _ => unreachable!("rows longer than 8 vectors use the portable kernel"),
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx2_columns;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod column_epoch;
mod floor;
#[cfg(target_arch = "aarch64")]
mod neon;
mod portable;

pub use column_epoch::ColumnEpoch;

/// Rows per tile of the output sweep (one 16-lane vector of sigmoids).
pub const TILE: usize = 16;

/// Fixed number of row blocks of the output layer, each with its own partial W_Lᵀd and
/// error sum; also the most threads that can share the output sweep.
pub const BLOCKS: usize = 8;

/// Which implementation of the loops runs. Only [`Kernel::detect`], [`Kernel::available`] and
/// [`Kernel::by_name`] hand out the wide versions, and only on a CPU that has them, so using
/// one is always sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kernel(Isa);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Isa {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

/// Every kernel's name, widest first (for `--kernel` and its messages).
pub const KERNEL_NAMES: [&str; 3] = ["avx512", "avx2", "portable"];

impl Kernel {
    /// The fastest kernel this CPU supports: AVX-512, else AVX2+FMA, else portable.
    pub fn detect() -> Kernel {
        *Kernel::available()
            .last()
            .expect("the portable kernel runs anywhere")
    }

    /// Plain Rust that any target compiles (auto-vectorised for the baseline instruction set).
    pub fn portable() -> Kernel {
        Kernel(Isa::Portable)
    }

    /// Every kernel this CPU can run, portable first and the fastest last (for tests and
    /// benchmarks).
    pub fn available() -> Vec<Kernel> {
        #[allow(unused_mut)] // only x86-64 has more than one
        let mut all = vec![Kernel::portable()];
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx2") && has!("fma") {
                all.push(Kernel(Isa::Avx2));
            }
            if has!("avx512f") {
                all.push(Kernel(Isa::Avx512));
            }
        }
        all
    }

    /// The kernel called `name` (one of [`KERNEL_NAMES`]), if this CPU can run it.
    pub fn by_name(name: &str) -> Result<Kernel, String> {
        let available = Kernel::available();
        if let Some(&kernel) = available.iter().find(|k| k.name() == name) {
            return Ok(kernel);
        }
        let here: Vec<&str> = available.iter().rev().map(|k| k.name()).collect();
        if KERNEL_NAMES.contains(&name) {
            Err(format!(
                "this CPU cannot run the {name} kernel; available here: {}",
                here.join(", ")
            ))
        } else {
            Err(format!(
                "unknown kernel '{name}'; use one of {}",
                KERNEL_NAMES.join(", ")
            ))
        }
    }

    pub fn name(self) -> &'static str {
        match self.0 {
            Isa::Portable => "portable",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => "avx2",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => "avx512",
        }
    }

    /// The wide versions handle rows of at most 8 lines (128 floats), h and g held in
    /// registers; wider layers use the portable loops.
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_variables))]
    fn for_stride(self, stride: usize) -> Isa {
        match self.0 {
            #[cfg(target_arch = "x86_64")]
            isa @ (Isa::Avx512 | Isa::Avx2) if stride <= 8 * 16 => isa,
            _ => Isa::Portable,
        }
    }

    /// h_out[i] = σ(W[i]·h_in) for every row i; the padding of `h_out` is left zero.
    ///
    /// `h_in.len() >= w.stride()` (zero-padded), `h_out.len() >= w.rows()`.
    pub fn forward_layer(self, w: &Matrix, h_in: &[f32], h_out: &mut [f32]) {
        assert!(h_in.len() >= w.stride() && h_out.len() >= w.rows());
        match self.for_stride(w.stride()) {
            Isa::Portable => portable::forward_layer(w, h_in, h_out),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Isa::Avx512` exists only when the CPU has AVX-512F (see `detect`);
            // the lengths were checked above.
            Isa::Avx512 => unsafe { avx512::forward_layer(w, h_in, h_out) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Isa::Avx2` exists only when the CPU has AVX2 and FMA; lengths checked.
            Isa::Avx2 => unsafe { avx2::forward_layer(w, h_in, h_out) },
        }
    }

    /// A hidden layer's fused backward sweep: for every row i, g += d_i·W[i] (old row, when
    /// `g` is given), then W[i] −= lr·d_i·h_in.
    ///
    /// `d.len() == w.rows()`; `h_in` and `g` have at least `w.stride()` floats; g is
    /// overwritten, not accumulated into.
    pub fn backward_layer(
        self,
        w: &mut Matrix,
        d: &[f32],
        h_in: &[f32],
        lr: f32,
        g: Option<&mut [f32]>,
    ) {
        let stride = w.stride();
        assert!(d.len() == w.rows() && h_in.len() >= stride);
        assert!(g.as_ref().is_none_or(|g| g.len() >= stride));
        match self.for_stride(stride) {
            Isa::Portable => portable::backward_layer(w, d, h_in, lr, g),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F is present (see `detect`); lengths checked above.
            Isa::Avx512 => unsafe { avx512::backward_layer(w, d, h_in, lr, g) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX2 and FMA are present (see `available`); lengths checked above.
            Isa::Avx2 => unsafe { avx2::backward_layer(w, d, h_in, lr, g) },
        }
    }

    /// Sweeps the output layer's `tiles` once: y, d, g = Σ d_i·W[i] over the tiles' rows
    /// (stored into `g[..stride]`, if `layer.backprop`) and the update. Returns Σ (y − t)²
    /// over those rows.
    ///
    /// # Safety
    /// `layer`'s pointers must be valid for its shapes, and no one else may read or write
    /// the tiles' rows of W, t and y during the call. `g.len() >= layer.stride`.
    pub(crate) unsafe fn sweep_output(
        self,
        layer: &OutputLayer,
        tiles: Range<usize>,
        g: &mut [f32],
    ) -> f64 {
        assert!(g.len() >= layer.stride && tiles.end <= layer.tiles());
        match self.for_stride(layer.stride) {
            // SAFETY: the caller upholds the pointer contract.
            Isa::Portable => unsafe { portable::sweep_output(layer, tiles, g) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F is present (see `detect`); the caller upholds the rest.
            Isa::Avx512 => unsafe { avx512::sweep_output(layer, tiles, g) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX2 and FMA are present (see `available`); the caller upholds the rest.
            Isa::Avx2 => unsafe { avx2::sweep_output(layer, tiles, g) },
        }
    }
}

/// The order in which one sample's output sweep visits the tiles of each block.
///
/// W_L is larger than the L2 caches, and a sweep that starts where the previous one ended
/// finds that end still cached (about a fifth less time on a 2-core machine with 2 MB of L2
/// per core), so the trainer alternates. The order changes how a block's partial sums are
/// rounded, so it is part of what makes a run reproducible: the trainer derives it from the
/// sample's position in the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RowOrder {
    #[default]
    Ascending,
    Descending,
}

impl RowOrder {
    /// Ascending for even positions, descending for odd ones.
    pub fn alternating(position: usize) -> RowOrder {
        if position.is_multiple_of(2) {
            RowOrder::Ascending
        } else {
            RowOrder::Descending
        }
    }

    /// The tiles (or blocks) of `tiles` in this order.
    pub fn tiles(self, tiles: Range<usize>) -> impl Iterator<Item = usize> {
        let descending = self == RowOrder::Descending;
        let (start, n) = (tiles.start, tiles.len());
        (0..n).map(move |i| {
            if descending {
                start + n - 1 - i
            } else {
                start + i
            }
        })
    }
}

/// The output layer of one SGD step as raw parts, so that threads can sweep disjoint rows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OutputLayer {
    /// W_L: `rows × stride` floats, rows 64-byte aligned.
    pub w: *mut f32,
    pub rows: usize,
    pub stride: usize,
    /// h_{L−1}: `stride` floats, zero-padded.
    pub h: *const f32,
    /// Targets: `rows` floats.
    pub t: *const f32,
    /// Output y: `rows` floats written.
    pub y: *mut f32,
    pub lr: f32,
    /// Whether to compute W_Lᵀd (not needed when the layer below is the input).
    pub backprop: bool,
    /// The order of the tiles within each block.
    pub order: RowOrder,
}

// SAFETY: the pointers are only dereferenced under `sweep_output`'s contract (disjoint rows
// per thread, valid for the duration of the step that made them).
unsafe impl Send for OutputLayer {}
// SAFETY: as above; shared references only copy the pointers.
unsafe impl Sync for OutputLayer {}

impl OutputLayer {
    /// Number of tiles: rows / 16 rounded up.
    pub fn tiles(&self) -> usize {
        self.rows.div_ceil(TILE)
    }

    /// The tiles of block `b` (0..BLOCKS): a fixed split that depends only on the shape.
    pub fn block_tiles(&self, b: usize) -> Range<usize> {
        let n = self.tiles();
        b * n / BLOCKS..(b + 1) * n / BLOCKS
    }
}

/// The blocks thread `k` of `threads` sweeps: a contiguous share of the [`BLOCKS`].
pub fn thread_blocks(k: usize, threads: usize) -> Range<usize> {
    k * BLOCKS / threads..(k + 1) * BLOCKS / threads
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::sigmoid;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random_matrix(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> Matrix {
        let v: Vec<f32> = (0..rows * cols)
            .map(|_| rng.random_range(-1.0..1.0))
            .collect();
        Matrix::from_rows(rows, cols, &v)
    }

    fn padded(rng: &mut ChaCha8Rng, n: usize, stride: usize) -> Vec<f32> {
        let mut v: Vec<f32> = (0..n).map(|_| rng.random_range(0.0..1.0)).collect();
        v.resize(stride, 0.0);
        v
    }

    #[test]
    fn every_kernel_computes_the_forward_layer_and_keeps_padding_zero() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for (rows, cols) in [(37, 110), (16, 8), (5, 3), (40, 130)] {
            let w = random_matrix(&mut rng, rows, cols);
            let h = padded(&mut rng, cols, w.stride());
            for kernel in Kernel::available() {
                let mut out = vec![0.0; rows.div_ceil(16) * 16];
                kernel.forward_layer(&w, &h, &mut out);
                for (i, &y) in out.iter().enumerate().take(rows) {
                    let z: f64 = (0..cols)
                        .map(|j| f64::from(w.row(i)[j]) * f64::from(h[j]))
                        .sum();
                    let expected = 1.0 / (1.0 + (-z).exp());
                    assert!(
                        (f64::from(y) - expected).abs() < 1e-6,
                        "{} row {i}",
                        kernel.name()
                    );
                }
                assert!(out[rows..].iter().all(|&p| p == 0.0), "{}", kernel.name());
            }
        }
    }

    #[test]
    fn every_kernel_saturates_the_sigmoid_without_nan() {
        // One row per input z: W[i] = [z], h = [1].
        let zs = [-1e30, -200.0, -88.5, -30.0, 0.0, 30.0, 88.5, 200.0, 1e30];
        let w = Matrix::from_rows(zs.len(), 1, &zs);
        let mut h = vec![0.0; 16];
        h[0] = 1.0;
        for kernel in Kernel::available() {
            let mut out = vec![0.0; 16];
            kernel.forward_layer(&w, &h, &mut out);
            for (&z, &y) in zs.iter().zip(&out) {
                assert!(y.is_finite() && (0.0..=1.0).contains(&y), "σ({z}) = {y}");
                if z < -88.0 {
                    assert_eq!(y, 0.0, "{}: σ({z})", kernel.name());
                }
                assert!((y - sigmoid(z)).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn every_kernel_lets_a_nan_through_the_sigmoid() {
        let w = Matrix::from_rows(1, 1, &[f32::NAN]);
        let mut h = vec![0.0; 16];
        h[0] = 1.0;
        for kernel in Kernel::available() {
            let mut out = vec![0.0; 16];
            kernel.forward_layer(&w, &h, &mut out);
            assert!(out[0].is_nan(), "{}", kernel.name());
        }
    }

    #[test]
    fn the_avx2_kernel_gives_the_avx512_kernels_bits() {
        let kernels = Kernel::available();
        let [Ok(avx2), Ok(avx512)] = ["avx2", "avx512"].map(Kernel::by_name) else {
            return; // needs a CPU with both (the other kernels are checked everywhere)
        };
        assert!(kernels.contains(&avx2) && kernels.contains(&avx512));
        // Rows of 1 to 8 lines, partial tiles, a two-layer network (no back-propagation),
        // weights large enough to saturate some sigmoids, and rows wider than 8 lines.
        for layers in [
            &[8, 110, 110, 300][..],
            &[3, 17, 40],
            &[16, 37],
            &[100, 50, 129],
            &[8, 130, 20],
        ] {
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let samples: Vec<(Vec<f32>, Vec<f32>)> = (0..5)
                .map(|_| {
                    let x = padded(&mut rng, layers[0], layers[0]);
                    let outputs = layers[layers.len() - 1];
                    let t = padded(&mut rng, outputs, outputs);
                    (x, t)
                })
                .collect();
            let train = |kernel: Kernel| {
                let mut net = crate::net::init::init_network(layers, 3);
                for w in net.weights_mut() {
                    w.as_mut_slice().iter_mut().for_each(|v| *v *= 6.0);
                }
                let mut ws = crate::net::Workspace::with_kernel(&net, kernel);
                let mut errors = Vec::new();
                for round in 0..30 {
                    for (x, t) in &samples {
                        let order = RowOrder::alternating(round);
                        let e = crate::net::sgd::step_in_order(&mut net, &mut ws, x, t, 0.5, order);
                        errors.push(e.to_bits());
                    }
                }
                let predicted = net.predict(&samples[0].0);
                (net, errors, predicted)
            };
            let (a, b) = (train(avx2), train(avx512));
            assert!(a.1 == b.1, "{layers:?}: the errors differ");
            assert!(a.0 == b.0, "{layers:?}: the weights differ");
            assert!(a.2 == b.2, "{layers:?}: the outputs differ");
        }
    }

    #[test]
    fn the_avx2_column_sweep_gives_the_avx512_ones_bits() {
        use crate::net::column_sgd::ColumnSgd;
        use crate::net::parallel::Team;
        let [Ok(avx2), Ok(avx512)] = ["avx2", "avx512"].map(Kernel::by_name) else {
            return; // needs a CPU with both
        };
        // Groups of 8 and of 4 tiles and single tiles, a partial last tile, 1 to 16 inputs.
        for (inputs, outputs) in [(8, 1000), (3, 37), (16, 200), (1, 5)] {
            let mut rng = ChaCha8Rng::seed_from_u64(21);
            let samples: Vec<(Vec<f32>, Vec<f32>)> = (0..6)
                .map(|k| {
                    let x = (0..inputs)
                        .map(|j| match (j + k) % 3 {
                            0 => 0.0,
                            1 => rng.random_range(-1.0..2.0),
                            _ => 1.0,
                        })
                        .collect();
                    let t = padded(&mut rng, outputs, outputs);
                    (x, t)
                })
                .collect();
            let visit = [5, 0, 3, 3, 1, 2, 4, 0];
            let net = crate::net::init::init_network(&[inputs, outputs], 8);
            let train = |kernel: Kernel| {
                let pairs = samples.iter().map(|(x, t)| (x.as_slice(), t.as_slice()));
                let mut sgd = ColumnSgd::with_kernel(&net, pairs, kernel);
                let mut errors = vec![0.0; visit.len()];
                let mut bits = Vec::new();
                for _ in 0..40 {
                    sgd.epoch(&Team::new(1), &visit, 2.0, &mut errors);
                    bits.extend(errors.iter().map(|e| e.to_bits()));
                }
                (sgd.to_network(), bits)
            };
            let (a, b) = (train(avx2), train(avx512));
            assert!(a.1 == b.1, "{inputs} → {outputs}: the errors differ");
            assert!(a.0 == b.0, "{inputs} → {outputs}: the weights differ");
        }
    }

    #[test]
    fn blocks_cover_every_tile_once_for_any_thread_count() {
        for threads in 1..=BLOCKS {
            let blocks: Vec<usize> = (0..threads)
                .flat_map(|k| thread_blocks(k, threads))
                .collect();
            assert_eq!(blocks, (0..BLOCKS).collect::<Vec<_>>());
        }
        let layer = OutputLayer {
            w: std::ptr::null_mut(),
            rows: 12100,
            stride: 112,
            h: std::ptr::null(),
            t: std::ptr::null(),
            y: std::ptr::null_mut(),
            lr: 0.1,
            backprop: true,
            order: RowOrder::Ascending,
        };
        let tiles: Vec<usize> = (0..BLOCKS).flat_map(|b| layer.block_tiles(b)).collect();
        assert_eq!(tiles, (0..757).collect::<Vec<_>>());
        let down: Vec<usize> = RowOrder::Descending.tiles(3..7).collect();
        assert_eq!(down, [6, 5, 4, 3]);
    }
}
