//! The forward pass h_0 = x, h_l = σ(W_l h_{l−1}), y = h_L, and the [`Workspace`] whose
//! buffers it (and the SGD step in `sgd`) reuses, so the per-sample loop never allocates.

use super::kernel::{BLOCKS, Kernel};
use super::matrix::padded_len;
use super::network::Network;

/// Buffers for one network's forward and backward passes, made once and reused, so the
/// per-sample loop never allocates. All vectors are zero-padded to the row stride.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// Activations h_0 (the input) … h_L (the output y).
    pub(super) h: Vec<Vec<f32>>,
    /// Deltas of the current layer.
    pub(super) d: Vec<f32>,
    /// W_{l}ᵀ d_{l}, the back-propagated error into layer l − 1.
    pub(super) g: Vec<f32>,
    /// The back-propagated error being accumulated for the layer below.
    pub(super) g_next: Vec<f32>,
    /// Each output block's share of W_Lᵀ d: `BLOCKS` vectors of W_L's stride.
    pub(super) partial_g: Vec<f32>,
    /// Each output block's Σ (y − t)².
    pub(super) partial_sq: [f64; BLOCKS],
    /// Number of output values (the output buffer is longer by its padding).
    pub(super) output_len: usize,
    pub(super) kernel: Kernel,
}

impl Workspace {
    /// A workspace for `net` that uses the fastest kernel of this CPU.
    pub fn new(net: &Network) -> Self {
        Self::with_kernel(net, Kernel::detect())
    }

    /// A workspace for `net` that runs `kernel` (tests and benchmarks compare kernels).
    pub fn with_kernel(net: &Network, kernel: Kernel) -> Self {
        let widest = net
            .layers()
            .iter()
            .map(|&n| activation_len(n))
            .max()
            .unwrap_or(0);
        let layers = net.layers();
        let output_stride = activation_len(layers[layers.len() - 2]);
        Workspace {
            h: layers
                .iter()
                .map(|&n| vec![0.0; activation_len(n)])
                .collect(),
            d: vec![0.0; widest],
            g: vec![0.0; widest],
            g_next: vec![0.0; widest],
            partial_g: vec![0.0; BLOCKS * output_stride],
            partial_sq: [0.0; BLOCKS],
            output_len: net.output_len(),
            kernel,
        }
    }

    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    pub(super) fn set_input(&mut self, x: &[f32]) {
        self.h[0][..x.len()].copy_from_slice(x);
    }

    /// The output y of the last forward pass or step: `output_len` values in 0..1.
    pub fn output(&self) -> &[f32] {
        &self.h[self.h.len() - 1][..self.output_len]
    }
}

impl Network {
    /// Runs x through the network and returns the output y (`output_len()` values in 0..1).
    ///
    /// `x.len()` must be `input_len()`; the workspace must have been made for this network.
    pub fn forward<'w>(&self, x: &[f32], ws: &'w mut Workspace) -> &'w [f32] {
        ws.set_input(x);
        let kernel = ws.kernel();
        for (l, w) in self.weights().iter().enumerate() {
            let (below, above) = ws.h.split_at_mut(l + 1);
            kernel.forward_layer(w, &below[l], &mut above[0]);
        }
        ws.output()
    }

    /// Convenience for one-off use (rendering, tests): allocates a workspace.
    pub fn predict(&self, x: &[f32]) -> Vec<f32> {
        let mut ws = Workspace::new(self);
        self.forward(x, &mut ws).to_vec()
    }
}

/// Length of the zero-padded buffer that holds a layer of `n` activations.
pub fn activation_len(n: usize) -> usize {
    padded_len(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_of_zero_weights_is_one_half_everywhere() {
        let net = Network::zeros(&[3, 4, 5]);
        assert_eq!(net.predict(&[1.0, 0.0, 1.0]), vec![0.5; 5]);
    }
}
