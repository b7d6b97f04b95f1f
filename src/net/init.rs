//! Seeded weight initialisation.
//!
//! Each weight of W_l is drawn uniformly from [−r, r] with r = 1/√fan_in (fan_in = size of
//! layer l − 1), row by row, from a ChaCha8 stream seeded with the run's seed (stream 0, so
//! the epochs' shuffles, on streams 1…, never overlap it). Same seed, same bits.

use super::Network;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A network of the given sizes with seeded uniform ±1/√fan_in weights.
pub fn init_network(layers: &[usize], seed: u64) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(0);
    let mut net = Network::zeros(layers);
    for w in net.weights_mut() {
        let r = 1.0 / (w.cols() as f32).sqrt();
        let cols = w.cols();
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
}
