//! Seeded weight initialisation.
//!
//! Each weight of W_l is drawn uniformly from [−r, r], row by row, from a ChaCha8 stream
//! seeded with the run's seed (stream 0, so the epochs' shuffles, on streams 1…, never
//! overlap it). By default r = 1/√fan_in (fan_in = size of layer l − 1); a run may instead
//! fix r for every layer (`--init-range`). Same seed and range, same bits.

use super::Network;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A network of the given sizes with seeded uniform ±1/√fan_in weights.
pub fn init_network(layers: &[usize], seed: u64) -> Network {
    init_network_in_range(layers, seed, None)
}

/// A network of the given sizes with seeded uniform weights in [−r, r]: r = `range` for
/// every layer when given (a finite number above 0, checked by the caller), else
/// r = 1/√fan_in per layer.
pub fn init_network_in_range(layers: &[usize], seed: u64, range: Option<f32>) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(0);
    let mut net = Network::zeros(layers);
    for w in net.weights_mut() {
        let cols = w.cols();
        let r = range.unwrap_or(1.0 / (cols as f32).sqrt());
        for i in 0..w.rows() {
            for v in &mut w.row_mut(i)[..cols] {
                *v = rng.random_range(-r..=r);
            }
        }
    }
    net
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_the_same_weights() {
        assert_eq!(init_network(&[3, 4, 5], 7), init_network(&[3, 4, 5], 7));
        assert_ne!(init_network(&[3, 4, 5], 7), init_network(&[3, 4, 5], 8));
    }

    #[test]
    fn weights_stay_within_one_over_root_fan_in() {
        let net = init_network(&[8, 110], 1);
        let r = 1.0 / 8f32.sqrt();
        assert!(net.weights()[0].to_rows().iter().all(|w| w.abs() <= r));
    }

    #[test]
    fn a_fixed_range_bounds_every_layer_and_is_used_to_its_edges() {
        let net = init_network_in_range(&[8, 110, 110], 1, Some(1.0));
        for w in net.weights() {
            let rows = w.to_rows();
            assert!(rows.iter().all(|w| w.abs() <= 1.0));
            // ±1/√110 would keep every weight under 0.1; a range of 1 reaches far beyond.
            assert!(rows.iter().any(|w| w.abs() > 0.9), "{:?}", &rows[..4]);
        }
    }

    #[test]
    fn no_range_is_the_default_initialisation() {
        assert_eq!(
            init_network_in_range(&[3, 4, 5], 7, None),
            init_network(&[3, 4, 5], 7)
        );
    }
}
