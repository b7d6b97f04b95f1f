//! A plain, obviously correct f64 implementation for the tests: nested loops over unpadded
//! row-major weights, the equations exactly as the README writes them. The fast paths are
//! checked against it.

// Index loops on purpose: they read like the equations, which is the point of a reference.
#![allow(clippy::needless_range_loop)]

use super::Network;

/// Weights as f64 row-major `[out, in]` vectors, `w[l - 1]` being W_l.
pub struct RefNet {
    pub layers: Vec<usize>,
    pub w: Vec<Vec<f64>>,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl RefNet {
    pub fn from_network(net: &Network) -> Self {
        RefNet {
            layers: net.layers().to_vec(),
            w: net
                .weights()
                .iter()
                .map(|m| m.to_rows().into_iter().map(f64::from).collect())
                .collect(),
        }
    }

    /// Activations h_0 … h_L.
    pub fn forward(&self, x: &[f32]) -> Vec<Vec<f64>> {
        let mut h = vec![x.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>()];
        for l in 1..self.layers.len() {
            let (n_in, n_out) = (self.layers[l - 1], self.layers[l]);
            let mut out = vec![0.0; n_out];
            for (i, o) in out.iter_mut().enumerate() {
                let mut z = 0.0;
                for j in 0..n_in {
                    z += self.w[l - 1][i * n_in + j] * h[l - 1][j];
                }
                *o = sigmoid(z);
            }
            h.push(out);
        }
        h
    }

    /// E = ½ Σ (y − t)².
    pub fn loss(&self, x: &[f32], t: &[f32]) -> f64 {
        let h = self.forward(x);
        h[h.len() - 1]
            .iter()
            .zip(t)
            .map(|(y, &t)| 0.5 * (y - f64::from(t)).powi(2))
            .sum()
    }

    /// Mean over outputs of (y − t)².
    pub fn mean_squared_error(&self, x: &[f32], t: &[f32]) -> f64 {
        2.0 * self.loss(x, t) / t.len() as f64
    }

    /// One SGD step; returns the mean squared error before the update.
    pub fn step(&mut self, x: &[f32], t: &[f32], lr: f64) -> f64 {
        let h = self.forward(x);
        let depth = self.layers.len() - 1;
        let y = &h[depth];
        let error = y
            .iter()
            .zip(t)
            .map(|(y, &t)| (y - f64::from(t)).powi(2))
            .sum::<f64>()
            / t.len() as f64;
        let mut d: Vec<f64> = y
            .iter()
            .zip(t)
            .map(|(&y, &t)| (y - f64::from(t)) * y * (1.0 - y))
            .collect();
        let mut deltas = vec![Vec::new(); depth + 1];
        for l in (1..=depth).rev() {
            deltas[l] = d.clone();
            if l > 1 {
                let (n_in, n_out) = (self.layers[l - 1], self.layers[l]);
                let mut below = vec![0.0; n_in];
                for (j, b) in below.iter_mut().enumerate() {
                    let mut g = 0.0;
                    for i in 0..n_out {
                        g += self.w[l - 1][i * n_in + j] * d[i];
                    }
                    *b = g * h[l - 1][j] * (1.0 - h[l - 1][j]);
                }
                d = below;
            }
        }
        for l in 1..=depth {
            let (n_in, n_out) = (self.layers[l - 1], self.layers[l]);
            for i in 0..n_out {
                for j in 0..n_in {
                    self.w[l - 1][i * n_in + j] -= lr * deltas[l][i] * h[l - 1][j];
                }
            }
        }
        error
    }
}

/// ∂E/∂w for every weight by central differences (w ± eps), layer by layer.
pub fn numeric_gradient(net: &RefNet, x: &[f32], t: &[f32], eps: f64) -> Vec<Vec<f64>> {
    let mut probe = RefNet {
        layers: net.layers.clone(),
        w: net.w.clone(),
    };
    let mut grads = Vec::new();
    for l in 0..net.w.len() {
        let mut layer = Vec::new();
        for k in 0..net.w[l].len() {
            let w = net.w[l][k];
            probe.w[l][k] = w + eps;
            let up = probe.loss(x, t);
            probe.w[l][k] = w - eps;
            let down = probe.loss(x, t);
            probe.w[l][k] = w;
            layer.push((up - down) / (2.0 * eps));
        }
        grads.push(layer);
    }
    grads
}
