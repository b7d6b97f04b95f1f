//! One per-sample SGD step on E = ½ Σ (y − t)², in the [`Workspace`] of `forward`.
//!
//! For a sample (x, t): forward h_0 = x, h_l = σ(W_l h_{l−1}), y = h_L; deltas
//! d_L = (y − t)·y(1 − y) and d_l = (W_{l+1}ᵀ d_{l+1})·h_l(1 − h_l), all from the weights as
//! they were before this sample; then W_l −= lr · d_l ⊗ h_{l−1} for every layer.
//!
//! The output layer is row-local: y_i, d_i, row i's share d_i·W_L[i] of W_Lᵀ d and the update
//! of row i need only that row, so one sweep over W_L does all four (the old row is read
//! before it is written). Hidden layers get the same fused backward sweep.

use super::forward::Workspace;
use super::kernel::{BLOCKS, Kernel, OutputLayer, RowOrder};
use super::network::Network;

/// One SGD step on the sample (x, t) with learning rate `lr`, on the calling thread.
///
/// Returns the sample's error, the per-pixel mean of (y − t)² measured on the forward pass
/// before the update. `x.len()` must be the input size and `t.len()` the output size.
pub fn step(net: &mut Network, ws: &mut Workspace, x: &[f32], t: &[f32], lr: f32) -> f64 {
    step_in_order(net, ws, x, t, lr, RowOrder::Ascending)
}

/// [`step`] with the output rows swept in `order` (see [`RowOrder`]).
pub fn step_in_order(
    net: &mut Network,
    ws: &mut Workspace,
    x: &[f32],
    t: &[f32],
    lr: f32,
    order: RowOrder,
) -> f64 {
    step_with(
        net,
        ws,
        x,
        t,
        lr,
        order,
        |kernel, layer, partial_g, partial_sq| {
            let stride = layer.stride;
            for b in order.tiles(0..BLOCKS) {
                let g = &mut partial_g[b * stride..(b + 1) * stride];
                // SAFETY: `step_with` made `layer` from live, exclusively borrowed buffers of
                // the right shapes, and nothing else touches them during this call.
                partial_sq[b] = unsafe { kernel.sweep_output(layer, layer.block_tiles(b), g) };
            }
        },
    )
}

/// The step with the output sweep left to `sweep_output`, which must fill, for every block b
/// of [`OutputLayer::block_tiles`], `partial_g[b·stride..]` and `partial_sq[b]` (running
/// [`Kernel::sweep_output`] on them, from any thread) before it returns.
pub(crate) fn step_with(
    net: &mut Network,
    ws: &mut Workspace,
    x: &[f32],
    t: &[f32],
    lr: f32,
    order: RowOrder,
    sweep_output: impl FnOnce(Kernel, &OutputLayer, &mut [f32], &mut [f64; BLOCKS]),
) -> f64 {
    assert!(x.len() == net.input_len() && t.len() == net.output_len());
    assert!(ws.h.len() == net.layers().len() && ws.output_len == net.output_len());
    let depth = net.weights().len();
    let kernel = ws.kernel;
    ws.set_input(x);
    for l in 0..depth - 1 {
        let (below, above) = ws.h.split_at_mut(l + 1);
        kernel.forward_layer(&net.weights()[l], &below[l], &mut above[0]);
    }

    let (below, above) = ws.h.split_at_mut(depth);
    let w = &mut net.weights_mut()[depth - 1];
    assert!(below[depth - 1].len() == w.stride() && above[0].len() >= w.rows());
    let layer = OutputLayer {
        w: w.as_mut_slice().as_mut_ptr(),
        rows: w.rows(),
        stride: w.stride(),
        h: below[depth - 1].as_ptr(),
        t: t.as_ptr(),
        y: above[0].as_mut_ptr(),
        lr,
        backprop: depth > 1,
        order,
    };
    sweep_output(kernel, &layer, &mut ws.partial_g, &mut ws.partial_sq);
    let sum_sq: f64 = ws.partial_sq.iter().sum();

    // g = W_Lᵀ d: the blocks' partial sums added in block order, whoever computed them.
    let stride = layer.stride;
    let g = &mut ws.g_next[..stride];
    g.copy_from_slice(&ws.partial_g[..stride]);
    for partial in ws.partial_g.chunks_exact(stride).skip(1) {
        for (g, p) in g.iter_mut().zip(partial) {
            *g += p;
        }
    }

    for l in (0..depth - 1).rev() {
        std::mem::swap(&mut ws.g, &mut ws.g_next);
        let n = net.layers()[l + 1];
        hidden_deltas(&ws.g[..n], &ws.h[l + 1][..n], &mut ws.d[..n]);
        let back_propagate = l > 0;
        kernel.backward_layer(
            &mut net.weights_mut()[l],
            &ws.d[..n],
            &ws.h[l],
            lr,
            back_propagate.then_some(&mut ws.g_next[..]),
        );
    }
    sum_sq / t.len() as f64
}

/// Hidden-layer deltas: d = g · h(1 − h), where g = W_{l+1}ᵀ d_{l+1}.
fn hidden_deltas(g: &[f32], h: &[f32], d: &mut [f32]) {
    for ((d, &g), &h) in d.iter_mut().zip(g).zip(h) {
        *d = g * h * (1.0 - h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;
    use crate::net::reference::{RefNet, numeric_gradient};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random_vector(rng: &mut ChaCha8Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.random_range(0.0..=1.0)).collect()
    }

    #[test]
    fn backprop_matches_central_differences_on_every_weight() {
        for kernel in Kernel::available() {
            check_gradient(kernel);
        }
    }

    fn check_gradient(kernel: Kernel) {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        // Large initial weights so that no gradient is tiny and the check is sharp.
        let mut net = init_network(&[3, 4, 5], 11);
        for w in net.weights_mut() {
            for v in w.as_mut_slice().iter_mut().filter(|v| **v != 0.0) {
                *v *= 4.0;
            }
        }
        let x = random_vector(&mut rng, 3);
        let t = random_vector(&mut rng, 5);
        let before = RefNet::from_network(&net);
        let numeric = numeric_gradient(&before, &x, &t, 1e-5);

        let lr = 1.0;
        let mut ws = Workspace::with_kernel(&net, kernel);
        step(&mut net, &mut ws, &x, &t, lr);
        let after = RefNet::from_network(&net);

        let mut checked = 0;
        for (l, layer) in numeric.iter().enumerate() {
            for (k, &g_numeric) in layer.iter().enumerate() {
                let g_backprop = (before.w[l][k] - after.w[l][k]) / f64::from(lr);
                let scale = g_numeric.abs().max(g_backprop.abs()).max(1e-4);
                let relative = (g_numeric - g_backprop).abs() / scale;
                assert!(
                    relative < 1e-3,
                    "{}: layer {} weight {k}: numeric {g_numeric}, backprop {g_backprop}",
                    kernel.name(),
                    l + 1
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 3 * 4 + 4 * 5);
    }

    #[test]
    fn step_reports_the_error_before_its_update() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut net = init_network(&[2, 3, 4], 1);
        let x = random_vector(&mut rng, 2);
        let t = random_vector(&mut rng, 4);
        let expected = RefNet::from_network(&net).mean_squared_error(&x, &t);
        let mut ws = Workspace::new(&net);
        let reported = step(&mut net, &mut ws, &x, &t, 0.5);
        assert!((reported - expected).abs() < 1e-6);
    }

    #[test]
    fn stays_with_the_f64_reference_over_many_steps() {
        for kernel in Kernel::available() {
            // 40 outputs: two full tiles and a partial one, spread over the blocks.
            follow_reference(kernel, &[8, 20, 17, 40]);
            // Two layers: the output sweep without back-propagation.
            follow_reference(kernel, &[8, 37]);
            // Rows of 9 vectors (130 inputs): wider than the AVX-512 kernel holds.
            follow_reference(kernel, &[8, 130, 20]);
        }
    }

    fn follow_reference(kernel: Kernel, layers: &[usize]) {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let (inputs, outputs) = (layers[0], layers[layers.len() - 1]);
        let mut net = init_network(layers, 2);
        let mut reference = RefNet::from_network(&net);
        let samples: Vec<(Vec<f32>, Vec<f32>)> = (0..6)
            .map(|_| {
                (
                    random_vector(&mut rng, inputs),
                    random_vector(&mut rng, outputs),
                )
            })
            .collect();
        let mut ws = Workspace::with_kernel(&net, kernel);
        for _ in 0..100 {
            for (x, t) in &samples {
                let e = step(&mut net, &mut ws, x, t, 0.1);
                let e_ref = reference.step(x, t, 0.1);
                assert!(
                    (e - e_ref).abs() < 1e-4 * e_ref.max(1e-3),
                    "{} {layers:?}: error {e}, reference {e_ref}",
                    kernel.name()
                );
            }
        }
        let fast = RefNet::from_network(&net);
        let worst = fast
            .w
            .iter()
            .flatten()
            .zip(reference.w.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            worst < 1e-3,
            "{} {layers:?}: largest weight difference {worst}",
            kernel.name()
        );
        // The padding of every row is still zero.
        for w in net.weights() {
            for r in 0..w.rows() {
                assert!(w.row(r)[w.cols()..].iter().all(|&p| p == 0.0));
            }
        }
    }

    #[test]
    fn forward_equals_the_output_of_a_step() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut net = init_network(&[4, 6, 19], 3);
        let x = random_vector(&mut rng, 4);
        let t = random_vector(&mut rng, 19);
        let predicted = net.predict(&x);
        let mut ws = Workspace::new(&net);
        step(&mut net, &mut ws, &x, &t, 0.1);
        assert_eq!(ws.output(), predicted.as_slice());
    }
}
