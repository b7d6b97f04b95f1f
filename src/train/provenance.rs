//! Where a picture comes from: the recipe of a run's pictures, and the fingerprint of the
//! weights that painted them (the SHA-256 written into every recipe, so that
//! `nnimg render --from` can tell whether the run's weights are still the ones that painted
//! a picture).
//!
//! The hash covers the layer sizes and every weight's bits (row by row, little-endian f32,
//! without the rows' padding), not the checkpoint file: the same weights give the same
//! fingerprint whether they come from a checkpoint, a live trainer or another file format.

use crate::net::Network;
use crate::render::recipe::Recipe;
use crate::shown::Shown;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The recipe of a picture that `net` (the weights of the run at `run` after `epoch` epochs)
/// paints: the run as named, epoch, preset, layers, fingerprint and nnimg's version. The
/// caller adds the input (or path), colour map and scale.
pub fn run_recipe(run: &Path, preset: &str, epoch: usize, net: &Network) -> Recipe {
    Recipe {
        run: Some(Shown(run).to_string()),
        epoch: Some(epoch),
        preset: Some(preset.to_owned()),
        layers: Some(net.layers().to_vec()),
        weights_sha256: Some(weights_sha256(net)),
        version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        ..Recipe::default()
    }
}

/// Lower-case hex SHA-256 of `net`'s layer sizes and weights.
pub fn weights_sha256(net: &Network) -> String {
    let mut hasher = Sha256::new();
    for &n in net.layers() {
        hasher.update((n as u64).to_le_bytes());
    }
    for w in net.weights() {
        for r in 0..w.rows() {
            for v in &w.row(r)[..w.cols()] {
                hasher.update(v.to_le_bytes());
            }
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;

    #[test]
    fn the_same_weights_give_the_same_fingerprint_and_any_change_another() {
        let a = init_network(&[3, 4, 5], 1);
        let mut b = a.clone();
        assert_eq!(weights_sha256(&a), weights_sha256(&b));
        assert_eq!(weights_sha256(&a).len(), 64);
        b.weights_mut()[1].row_mut(2)[3] += 1e-6;
        assert_ne!(weights_sha256(&a), weights_sha256(&b));
        assert_ne!(
            weights_sha256(&a),
            weights_sha256(&init_network(&[3, 4, 5], 2))
        );
    }
}
