//! One per-sample SGD step on E = ½ Σ (y − t)², and the [`Workspace`] buffers it reuses.
//!
//! For a sample (x, t): forward h_0 = x, h_l = σ(W_l h_{l−1}), y = h_L; deltas
//! d_L = (y − t)·y(1 − y) and d_l = (W_{l+1}ᵀ d_{l+1})·h_l(1 − h_l), all from the weights as
//! they were before this sample; then W_l −= lr · d_l ⊗ h_{l−1} for every layer.
//!
//! The output layer is row-local: y_i, d_i, row i's share d_i·W_L[i] of W_Lᵀ d and the update
//! of row i need only that row, so one sweep over W_L does all four (the old row is read
//! before it is written). Hidden layers get the same fused backward sweep.

use super::network::{Network, activation_len, dot, sigmoid};

/// Buffers for one network's forward and backward passes, made once and reused, so the
/// per-sample loop never allocates. All vectors are zero-padded to the row stride.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// Activations h_0 (the input) … h_L (the output y).
    pub(crate) h: Vec<Vec<f32>>,
    /// Deltas of the current layer.
    d: Vec<f32>,
    /// W_{l}ᵀ d_{l}, the back-propagated error into layer l − 1.
    g: Vec<f32>,
    /// The back-propagated error being accumulated for the layer below.
    g_next: Vec<f32>,
    /// Number of output values (the output buffer is longer by its padding).
    output_len: usize,
}

impl Workspace {
    pub fn new(net: &Network) -> Self {
        let widest = net
            .layers()
            .iter()
            .map(|&n| activation_len(n))
            .max()
            .unwrap_or(0);
        Workspace {
            h: net
                .layers()
                .iter()
                .map(|&n| vec![0.0; activation_len(n)])
                .collect(),
            d: vec![0.0; widest],
            g: vec![0.0; widest],
            g_next: vec![0.0; widest],
            output_len: net.output_len(),
        }
    }

    pub(crate) fn set_input(&mut self, x: &[f32]) {
        self.h[0][..x.len()].copy_from_slice(x);
    }

    /// The output y of the last forward pass or step: `output_len` values in 0..1.
    pub fn output(&self) -> &[f32] {
        &self.h[self.h.len() - 1][..self.output_len]
    }
}

/// One SGD step on the sample (x, t) with learning rate `lr`.
///
/// Returns the sample's error, the per-pixel mean of (y − t)² measured on the forward pass
/// before the update. `x.len()` must be the input size and `t.len()` the output size.
pub fn step(net: &mut Network, ws: &mut Workspace, x: &[f32], t: &[f32], lr: f32) -> f64 {
    let depth = net.weights().len();
    ws.set_input(x);
    for l in 0..depth - 1 {
        let (below, above) = ws.h.split_at_mut(l + 1);
        let w = &net.weights()[l];
        for (i, out) in above[0].iter_mut().take(w.rows()).enumerate() {
            *out = sigmoid(dot(w.row(i), &below[l]));
        }
    }

    let error = output_layer_step(net, ws, t, lr);

    for l in (0..depth - 1).rev() {
        std::mem::swap(&mut ws.g, &mut ws.g_next);
        let n = net.layers()[l + 1];
        hidden_deltas(&ws.g[..n], &ws.h[l + 1][..n], &mut ws.d[..n]);
        let back_propagate = l > 0;
        fused_backward(
            &mut net.weights_mut()[l],
            &ws.d[..n],
            &ws.h[l],
            lr,
            back_propagate.then_some(&mut ws.g_next),
        );
    }
    error
}

/// The output layer in one sweep: y = σ(W_L h), d = (y − t)·y(1 − y), g_next = W_Lᵀ d with the
/// old rows, W_L −= lr · d ⊗ h. Returns mean (y − t)².
fn output_layer_step(net: &mut Network, ws: &mut Workspace, t: &[f32], lr: f32) -> f64 {
    let depth = net.weights().len();
    let (below, above) = ws.h.split_at_mut(depth);
    let h = &below[depth - 1];
    let y = &mut above[0];
    let w = &mut net.weights_mut()[depth - 1];
    let g = &mut ws.g_next;
    g.fill(0.0);
    let mut sum_sq = 0.0f64;
    for (i, &t) in t.iter().enumerate().take(w.rows()) {
        let row = w.row_mut(i);
        let yi = sigmoid(dot(row, h));
        let d = (yi - t) * yi * (1.0 - yi);
        y[i] = yi;
        sum_sq += f64::from((yi - t) * (yi - t));
        for ((g, w), &h) in g.iter_mut().zip(row.iter_mut()).zip(h) {
            *g += d * *w;
            *w -= lr * d * h;
        }
    }
    sum_sq / t.len() as f64
}

/// Hidden-layer deltas: d = g · h(1 − h), where g = W_{l+1}ᵀ d_{l+1}.
fn hidden_deltas(g: &[f32], h: &[f32], d: &mut [f32]) {
    for ((d, &g), &h) in d.iter_mut().zip(g).zip(h) {
        *d = g * h * (1.0 - h);
    }
}

/// One sweep over W: optionally g += Wᵀ d with the old rows, then W −= lr · d ⊗ h.
fn fused_backward(w: &mut super::Matrix, d: &[f32], h: &[f32], lr: f32, g: Option<&mut Vec<f32>>) {
    match g {
        Some(g) => {
            g.fill(0.0);
            for (i, &d) in d.iter().enumerate() {
                for ((g, w), &h) in g.iter_mut().zip(w.row_mut(i).iter_mut()).zip(h) {
                    *g += d * *w;
                    *w -= lr * d * h;
                }
            }
        }
        None => {
            for (i, &d) in d.iter().enumerate() {
                for (w, &h) in w.row_mut(i).iter_mut().zip(h) {
                    *w -= lr * d * h;
                }
            }
        }
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
        let mut ws = Workspace::new(&net);
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
                    "layer {} weight {k}: numeric {g_numeric}, backprop {g_backprop}",
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
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let layers = [8, 20, 17, 40];
        let mut net = init_network(&layers, 2);
        let mut reference = RefNet::from_network(&net);
        let samples: Vec<(Vec<f32>, Vec<f32>)> = (0..6)
            .map(|_| (random_vector(&mut rng, 8), random_vector(&mut rng, 40)))
            .collect();
        let mut ws = Workspace::new(&net);
        for _ in 0..100 {
            for (x, t) in &samples {
                let e = step(&mut net, &mut ws, x, t, 0.1);
                let e_ref = reference.step(x, t, 0.1);
                assert!((e - e_ref).abs() < 1e-4 * e_ref.max(1e-3));
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
        assert!(worst < 1e-3, "largest weight difference {worst}");
    }

    #[test]
    fn forward_equals_the_output_of_a_step() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut net = init_network(&[4, 6, 9], 3);
        let x = random_vector(&mut rng, 4);
        let t = random_vector(&mut rng, 9);
        let predicted = net.predict(&x);
        let mut ws = Workspace::new(&net);
        step(&mut net, &mut ws, &x, &t, 0.1);
        assert_eq!(ws.output(), predicted.as_slice());
    }
}
