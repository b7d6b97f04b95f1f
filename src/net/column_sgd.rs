//! [`ColumnSgd`]: per-sample SGD for a single-layer network (inputs straight to outputs, at
//! most [`MAX_INPUTS`] of them), with the weights stored by column while it trains.
//!
//! The row-major step pads each row of W to 16 floats (with 8 inputs, half of every vector is
//! padding) and spends most of its time adding up 16 dot products across lanes. Stored by
//! column, Wᵀ gives each input j a contiguous vector of w_ij over the outputs, and the sweep in
//! `kernel::column_epoch` needs only vector FMAs; it also skips inputs that are zero, which the
//! one-hot training inputs mostly are.
//!
//! The column copy is the truth while training; [`ColumnSgd::to_network`] transposes it back
//! whenever someone needs the network. The outputs are split into the same fixed [`BLOCKS`]
//! as the row-major output sweep, shared out between the threads of a [`Team`] once per
//! epoch, each block with its own error sums added in block order: the same bits whichever
//! thread sweeps which block.

use super::kernel::{BLOCKS, ColumnEpoch, Kernel, thread_blocks};
use super::parallel::Team;
use super::{Matrix, Network};
use std::sync::Mutex;

/// Only a sweep that panicked poisons a block's sums, and that panic ends the training.
const UNPOISONED: &str = "a panicked sweep ends the training";

/// Most inputs a network may have for the column path: with more, a row of W fills a vector
/// or more, and the row-major kernels waste no lanes.
pub const MAX_INPUTS: usize = 16;

/// A single-layer network and its training samples, laid out for the column sweep.
#[derive(Debug)]
pub struct ColumnSgd {
    /// Wᵀ: `[inputs, outputs]`.
    w_t: Matrix,
    /// The samples' targets, `[samples, outputs]`.
    targets: Matrix,
    /// Per sample: (j, x_j) for every input with x_j ≠ 0, j ascending.
    active: Vec<Vec<(usize, f32)>>,
    /// Per block b (whichever thread sweeps it) and visit position p: Σ (y − t)².
    partial_sq: Vec<Mutex<Vec<f64>>>,
    kernel: Kernel,
}

impl ColumnSgd {
    /// True when `net` can be trained by column: a single layer with at most [`MAX_INPUTS`]
    /// inputs.
    pub fn fits(net: &Network) -> bool {
        net.weights().len() == 1 && net.input_len() <= MAX_INPUTS
    }

    /// The column form of `net` (which must [`fit`](Self::fits)) for training on `samples`,
    /// each an (x, t) pair of the network's input and output sizes, with the fastest kernel.
    pub fn new<'a>(
        net: &Network,
        samples: impl IntoIterator<Item = (&'a [f32], &'a [f32])>,
    ) -> Self {
        Self::with_kernel(net, samples, Kernel::detect())
    }

    /// [`ColumnSgd::new`] with a chosen kernel (tests compare kernels).
    pub fn with_kernel<'a>(
        net: &Network,
        samples: impl IntoIterator<Item = (&'a [f32], &'a [f32])>,
        kernel: Kernel,
    ) -> Self {
        assert!(
            Self::fits(net),
            "the column path takes single-layer networks"
        );
        let w = &net.weights()[0];
        let (outputs, inputs) = (w.rows(), w.cols());
        let mut w_t = Matrix::zeros(inputs, outputs);
        for i in 0..outputs {
            for (j, &w_ij) in w.row(i)[..inputs].iter().enumerate() {
                w_t.row_mut(j)[i] = w_ij;
            }
        }
        let (mut active, mut t_rows) = (Vec::new(), Vec::new());
        for (x, t) in samples {
            assert!(
                x.len() == inputs && t.len() == outputs,
                "samples must fit the network"
            );
            active.push(
                x.iter()
                    .copied()
                    .enumerate()
                    .filter(|&(_, x)| x != 0.0)
                    .collect(),
            );
            t_rows.extend_from_slice(t);
        }
        ColumnSgd {
            w_t,
            targets: Matrix::from_rows(active.len(), outputs, &t_rows),
            active,
            partial_sq: (0..BLOCKS).map(|_| Mutex::new(Vec::new())).collect(),
            kernel,
        }
    }

    /// Sweeps with `kernel` from the next epoch on.
    pub fn set_kernel(&mut self, kernel: Kernel) {
        self.kernel = kernel;
    }

    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The network as it is now: Wᵀ transposed back (a fresh row-major copy).
    pub fn to_network(&self) -> Network {
        let (inputs, outputs) = (self.w_t.rows(), self.w_t.cols());
        let mut w = Matrix::zeros(outputs, inputs);
        for j in 0..inputs {
            for (i, &w_ij) in self.w_t.row(j)[..outputs].iter().enumerate() {
                w.row_mut(i)[j] = w_ij;
            }
        }
        Network::from_weights(vec![w]).expect("a single layer always chains")
    }

    /// One SGD step per sample, for the samples (indices into those given to `new`) in the
    /// order of `visit`, all at learning rate `lr`, the outputs shared by `team`'s threads.
    /// Sets `errors[p]` to the error of the sample at position p: its per-pixel mean of
    /// (y − t)², measured before its update. The same bits for any number of threads.
    ///
    /// Panics if `errors.len() != visit.len()` or an index is out of range.
    pub fn epoch(&mut self, team: &Team, visit: &[usize], lr: f32, errors: &mut [f64]) {
        assert_eq!(errors.len(), visit.len(), "one error per visit");
        let visits = visit.len();
        for sums in &mut self.partial_sq {
            // Grows on the first epoch only; never in the per-sample loop.
            sums.get_mut().expect(UNPOISONED).resize(visits, 0.0);
        }
        let epoch = ColumnEpoch::new(&mut self.w_t, &self.targets, &self.active, visit, lr);
        let (kernel, partial_sq) = (self.kernel, &self.partial_sq);
        let tiles = epoch.tiles();
        // One meeting of the threads per epoch: each sweeps its blocks for every sample.
        team.run_each(&|k| {
            for b in thread_blocks(k, team.threads()) {
                let mut sums = partial_sq[b].lock().expect(UNPOISONED);
                let block = b * tiles / BLOCKS..(b + 1) * tiles / BLOCKS;
                // SAFETY: blocks are disjoint tile ranges and each goes to one thread only.
                unsafe { kernel.sweep_columns(&epoch, block, &mut sums) };
            }
        });
        // The blocks' sums added in block order, whoever computed them.
        errors.fill(0.0);
        for sums in &mut self.partial_sq {
            for (error, &sum_sq) in errors
                .iter_mut()
                .zip(sums.get_mut().expect(UNPOISONED).iter())
            {
                *error += sum_sq;
            }
        }
        let outputs = self.w_t.cols() as f64;
        for error in errors {
            *error /= outputs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Workspace;
    use crate::net::init::init_network;
    use crate::net::reference::RefNet;
    use crate::net::sgd::step;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Inputs of every kind the sweep must handle: fractional, several buttons at once
    /// (including values above 1), one-hot, with zeros in between, and all zero.
    fn mixed_inputs(rng: &mut ChaCha8Rng, inputs: usize) -> Vec<Vec<f32>> {
        let fractional = (0..inputs).map(|_| rng.random_range(0.0..1.0)).collect();
        let some_zero = (0..inputs)
            .map(|j| {
                if j % 3 == 1 {
                    0.0
                } else {
                    rng.random_range(-1.0..1.0)
                }
            })
            .collect();
        let multi_hot = (0..inputs).map(|j| [1.0, 0.0, 2.0][j % 3]).collect();
        let one_hot = (0..inputs)
            .map(|j| f32::from(u8::from(j == inputs - 1)))
            .collect();
        vec![fractional, some_zero, multi_hot, one_hot, vec![0.0; inputs]]
    }

    fn samples_for(
        rng: &mut ChaCha8Rng,
        inputs: usize,
        outputs: usize,
    ) -> Vec<(Vec<f32>, Vec<f32>)> {
        mixed_inputs(rng, inputs)
            .into_iter()
            .map(|x| {
                (
                    x,
                    (0..outputs).map(|_| rng.random_range(0.0..=1.0)).collect(),
                )
            })
            .collect()
    }

    fn column_sgd(net: &Network, samples: &[(Vec<f32>, Vec<f32>)], kernel: Kernel) -> ColumnSgd {
        let pairs = samples.iter().map(|(x, t)| (x.as_slice(), t.as_slice()));
        ColumnSgd::with_kernel(net, pairs, kernel)
    }

    fn largest_difference(a: &Network, b: &RefNet) -> f64 {
        RefNet::from_network(a)
            .w
            .iter()
            .flatten()
            .zip(b.w.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    }

    fn padding_is_zero(net: &Network, sgd: &ColumnSgd) -> bool {
        let w = &net.weights()[0];
        (0..w.rows()).all(|i| w.row(i)[w.cols()..].iter().all(|&p| p == 0.0))
            && (0..sgd.w_t.rows())
                .all(|j| sgd.w_t.row(j)[sgd.w_t.cols()..].iter().all(|&p| p == 0.0))
    }

    #[test]
    fn stays_with_the_f64_reference_over_many_steps() {
        // 37 outputs: two full tiles and a partial one; 16 outputs: exactly one tile;
        // 200 outputs: 13 tiles, more than the blocks, unevenly spread; 700 outputs: blocks
        // of several groups of tiles and a remainder.
        for layers in [[8, 37], [16, 16], [3, 200], [1, 5], [8, 700]] {
            for kernel in Kernel::available() {
                follow_reference(kernel, &layers, &Team::new(1));
            }
        }
        follow_reference(Kernel::detect(), &[8, 700], &Team::new(2));
    }

    fn follow_reference(kernel: Kernel, layers: &[usize], team: &Team) {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let net = init_network(layers, 2);
        let samples = samples_for(&mut rng, layers[0], layers[1]);
        let mut reference = RefNet::from_network(&net);
        let mut sgd = column_sgd(&net, &samples, kernel);
        // A different order every epoch, like the trainer's shuffle.
        let mut visit: Vec<usize> = (0..samples.len()).collect();
        let mut errors = vec![0.0; visit.len()];
        for epoch in 0..100 {
            visit.rotate_left(epoch % 3 + 1);
            sgd.epoch(team, &visit, 0.1, &mut errors);
            for (&k, &e) in visit.iter().zip(&errors) {
                let (x, t) = &samples[k];
                let e_ref = reference.step(x, t, 0.1);
                assert!(
                    (e - e_ref).abs() < 1e-4 * e_ref.max(1e-3),
                    "{} {layers:?}: error {e}, reference {e_ref}",
                    kernel.name()
                );
            }
        }
        let net = sgd.to_network();
        let worst = largest_difference(&net, &reference);
        assert!(
            worst < 1e-3,
            "{} {layers:?}: largest weight difference {worst}",
            kernel.name()
        );
        assert!(padding_is_zero(&net, &sgd), "{} {layers:?}", kernel.name());
    }

    #[test]
    fn agrees_with_the_row_major_step() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let layers = [8, 300];
        let samples = samples_for(&mut rng, 8, 300);
        let team = Team::new(1);
        for kernel in Kernel::available() {
            let mut rows = init_network(&layers, 6);
            let mut sgd = column_sgd(&rows, &samples, kernel);
            let mut ws = Workspace::with_kernel(&rows, kernel);
            let visit: Vec<usize> = (0..samples.len()).collect();
            let mut errors = vec![0.0; visit.len()];
            for _ in 0..200 {
                sgd.epoch(&team, &visit, 0.5, &mut errors);
                for ((x, t), &e) in samples.iter().zip(&errors) {
                    let e_rows = step(&mut rows, &mut ws, x, t, 0.5);
                    assert!(
                        (e - e_rows).abs() < 1e-5 * e_rows.max(1e-3),
                        "{}",
                        kernel.name()
                    );
                }
            }
            let worst = largest_difference(&sgd.to_network(), &RefNet::from_network(&rows));
            assert!(
                worst < 1e-4,
                "{}: largest weight difference {worst}",
                kernel.name()
            );
        }
    }

    #[test]
    fn an_epoch_is_the_same_bits_as_its_samples_one_by_one() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let samples = samples_for(&mut rng, 5, 70);
        let net = init_network(&[5, 70], 3);
        // 20 visits: more than the AVX-512 sweep holds error sums for at once.
        let visit: Vec<usize> = (0..20).map(|p| (p * 7 + 2) % 5).collect();
        let team = Team::new(1);
        for kernel in Kernel::available() {
            let mut whole = column_sgd(&net, &samples, kernel);
            let mut errors = vec![0.0; visit.len()];
            whole.epoch(&team, &visit, 0.7, &mut errors);
            let mut one_by_one = column_sgd(&net, &samples, kernel);
            for (&k, &e) in visit.iter().zip(&errors) {
                let mut single = [0.0];
                one_by_one.epoch(&team, &[k], 0.7, &mut single);
                assert_eq!(single[0].to_bits(), e.to_bits(), "{}", kernel.name());
            }
            assert_eq!(
                whole.to_network(),
                one_by_one.to_network(),
                "{}",
                kernel.name()
            );
        }
    }

    #[test]
    fn any_number_of_threads_gives_the_same_bits() {
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        let samples = samples_for(&mut rng, 8, 1000);
        let net = init_network(&[8, 1000], 4);
        let visit = [4, 3, 2, 1, 0, 0, 2];
        for kernel in Kernel::available() {
            let train = |threads| {
                let (team, mut sgd) = (Team::new(threads), column_sgd(&net, &samples, kernel));
                let mut errors = vec![0.0; visit.len()];
                let bits: Vec<Vec<u64>> = (0..20)
                    .map(|_| {
                        sgd.epoch(&team, &visit, 0.3, &mut errors);
                        errors.iter().map(|e| e.to_bits()).collect()
                    })
                    .collect();
                (sgd.to_network(), bits)
            };
            let one = train(1);
            for threads in [2, 3, 8] {
                assert!(
                    train(threads) == one,
                    "{}: {threads} threads",
                    kernel.name()
                );
            }
        }
    }

    #[test]
    fn an_all_zero_input_changes_no_weight_and_sees_one_half_everywhere() {
        let net = init_network(&[8, 40], 1);
        let t: Vec<f32> = (0..40).map(|i| i as f32 / 40.0).collect();
        let x = vec![0.0; 8];
        let expected = t.iter().map(|&t| f64::from(0.5 - t).powi(2)).sum::<f64>() / 40.0;
        for kernel in Kernel::available() {
            let mut sgd = ColumnSgd::with_kernel(&net, [(x.as_slice(), t.as_slice())], kernel);
            let mut error = [0.0];
            sgd.epoch(&Team::new(1), &[0], 1.0, &mut error);
            assert!(
                (error[0] - expected).abs() < 1e-6 * expected,
                "{}",
                kernel.name()
            );
            assert_eq!(sgd.to_network(), net, "{}", kernel.name());
        }
    }

    #[test]
    fn the_column_copy_transposes_back_to_the_same_bits() {
        let net = init_network(&[8, 12100], 5);
        let x = vec![1.0; 8];
        let t = vec![0.5; 12100];
        let sgd = ColumnSgd::new(&net, [(x.as_slice(), t.as_slice())]);
        assert_eq!(sgd.to_network(), net);
    }

    #[test]
    fn takes_only_single_layer_networks_with_few_inputs() {
        assert!(ColumnSgd::fits(&Network::zeros(&[8, 12100])));
        assert!(ColumnSgd::fits(&Network::zeros(&[16, 3])));
        assert!(!ColumnSgd::fits(&Network::zeros(&[17, 3])));
        assert!(!ColumnSgd::fits(&Network::zeros(&[8, 4, 3])));
    }
}
