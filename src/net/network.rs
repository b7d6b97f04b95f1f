//! [`Network`]: layer sizes and weights W_1 … W_L, and the sigmoid σ of every non-input layer.
//! The forward pass that runs it is `forward`'s.

use super::matrix::Matrix;

/// The logistic sigmoid σ(z) = 1 / (1 + e^(−z)).
///
/// Exactly 0 below −88 (where e^(−z) nears the f32 limit and σ would be a slow subnormal)
/// and 1 above 88; never NaN for a non-NaN input; NaN for NaN.
#[inline]
pub fn sigmoid(z: f32) -> f32 {
    if z < -88.0 {
        0.0
    } else {
        1.0 / (1.0 + (-z).exp())
    }
}

/// A fully connected network without biases: h_l = σ(W_l h_{l−1}), h_0 = x.
///
/// `layers[0]` is the input size, `layers[L]` the output size; `weights[l - 1]` is W_l with
/// shape `[layers[l], layers[l - 1]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    layers: Vec<usize>,
    weights: Vec<Matrix>,
}

impl Network {
    /// A network of the given layer sizes with all weights zero.
    ///
    /// Panics if there are fewer than two layers or a layer is empty; callers validate sizes
    /// that come from users (see `train::config`).
    pub fn zeros(layers: &[usize]) -> Self {
        assert!(
            layers.len() >= 2,
            "a network needs an input and an output layer"
        );
        assert!(layers.iter().all(|&n| n > 0), "layers must not be empty");
        let weights = layers
            .windows(2)
            .map(|w| Matrix::zeros(w[1], w[0]))
            .collect();
        Network {
            layers: layers.to_vec(),
            weights,
        }
    }

    /// A network from its weight matrices; `None` if consecutive shapes do not chain.
    pub fn from_weights(weights: Vec<Matrix>) -> Option<Self> {
        let first = weights.first()?;
        let mut layers = vec![first.cols()];
        for w in &weights {
            if w.cols() != *layers.last()? || w.rows() == 0 || w.cols() == 0 {
                return None;
            }
            layers.push(w.rows());
        }
        Some(Network { layers, weights })
    }

    /// Layer sizes, input first.
    pub fn layers(&self) -> &[usize] {
        &self.layers
    }

    pub fn input_len(&self) -> usize {
        self.layers[0]
    }

    pub fn output_len(&self) -> usize {
        self.layers[self.layers.len() - 1]
    }

    /// Weight matrices W_1 … W_L.
    pub fn weights(&self) -> &[Matrix] {
        &self.weights
    }

    pub fn weights_mut(&mut self) -> &mut [Matrix] {
        &mut self.weights
    }

    /// True when no weight is NaN or infinite.
    pub fn is_finite(&self) -> bool {
        self.weights.iter().all(Matrix::is_finite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_saturates_without_nan() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(-88.5), 0.0);
        assert!(sigmoid(f32::NAN).is_nan());
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(f32::NEG_INFINITY), 0.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-7);
    }

    #[test]
    fn from_weights_rejects_shapes_that_do_not_chain() {
        assert!(Network::from_weights(vec![Matrix::zeros(4, 3), Matrix::zeros(5, 3)]).is_none());
        let net = Network::from_weights(vec![Matrix::zeros(4, 3), Matrix::zeros(5, 4)]);
        assert_eq!(net.map(|n| n.layers().to_vec()), Some(vec![3, 4, 5]));
    }
}
