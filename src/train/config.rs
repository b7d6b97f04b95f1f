//! [`TrainConfig`] and the experiment's presets: exactly what `run.json` holds.

use crate::data::Fit;
use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Seed used when none is given, so that two runs with the same flags are identical.
pub const DEFAULT_SEED: u64 = 1;

/// Most weights a network may have: 2^28 f32 values are 1 GiB, twice that with the
/// workspace and checkpoint copy, which is more than a tool like this should take.
pub const MAX_WEIGHTS: usize = 1 << 28;

/// Largest output side in pixels.
pub const MAX_SIDE: u32 = 2048;

/// The order samples are visited in within an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// A new seeded permutation every epoch (the experiment's choice).
    Shuffle,
    /// File-name order every epoch.
    Fixed,
}

/// A named starting point: the experiment's recorded versions and the two-layer variant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    pub name: &'static str,
    /// Hidden layer sizes; the input and output layers follow the data and the image size.
    pub hidden: &'static [usize],
    pub adaptive: bool,
    pub epochs: usize,
    pub learning_rate: f32,
    pub summary: &'static str,
}

/// The presets, the default first.
pub const PRESETS: [Preset; 3] = [
    Preset {
        name: "v0.1.6.1",
        hidden: &[110, 110],
        adaptive: true,
        epochs: 10_000,
        learning_rate: 0.1,
        summary: "8,110,110,12100 with the adaptive learning rate (the default)",
    },
    Preset {
        name: "v0.1.6",
        hidden: &[110, 110],
        adaptive: false,
        epochs: 10_000,
        learning_rate: 0.1,
        summary: "8,110,110,12100 with a constant learning rate of 0.1",
    },
    Preset {
        name: "two-layer",
        hidden: &[],
        adaptive: true,
        epochs: 10_000,
        learning_rate: 0.1,
        summary: "8,12100: inputs straight to pixels, adaptive learning rate",
    },
];

impl Preset {
    pub fn default_preset() -> &'static Preset {
        &PRESETS[0]
    }

    /// The preset called `name`, or an error listing the known ones.
    pub fn named(name: &str) -> Result<&'static Preset> {
        match PRESETS.iter().find(|p| p.name == name) {
            Some(p) => Ok(p),
            None => {
                let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
                bail!(
                    "unknown preset '{}'; the presets are {}",
                    crate::shown::Shown(name),
                    names.join(", ")
                )
            }
        }
    }
}

/// Every setting needed to reproduce a run; serialised as `run.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Version of nnimg that created the run.
    pub nnimg_version: String,
    /// The preset the run started from (explicit flags may have changed its values).
    pub preset: String,
    /// Layer sizes, input first; the last is width · height · (3 if color else 1).
    pub layers: Vec<usize>,
    pub width: u32,
    pub height: u32,
    /// Learn RGB (three output nodes per pixel) instead of luma (one).
    pub color: bool,
    /// How training pictures of another shape are fitted to width × height. Absent in
    /// run.json files written before there was a choice, whose pictures were stretched.
    #[serde(default = "Fit::unrecorded")]
    pub fit: Fit,
    /// Total epochs the run aims for.
    pub epochs: usize,
    /// Initial learning rate.
    pub learning_rate: f32,
    /// Halve the rate when the last `window` epochs are worse than the `window` before.
    pub adaptive: bool,
    pub window: usize,
    pub seed: u64,
    pub order: Order,
    /// Save a checkpoint every this many epochs (and at the end, and on interruption).
    pub checkpoint_every: usize,
    /// After the first `metrics::FULL_RESOLUTION_EPOCHS` epochs, log one epoch in this many.
    /// Runs made before the setting existed log every epoch.
    #[serde(default = "every_epoch")]
    pub log_every: usize,
    /// The training folder, as given.
    pub data: PathBuf,
    /// Weights the run started from, if not from a seeded initialisation.
    pub init: Option<PathBuf>,
    /// Half-width R of the seeded initialisation, every weight uniform in [−R, R]; `None`
    /// (and runs from before this setting existed) is uniform ±1/√fan_in per layer.
    #[serde(default)]
    pub init_range: Option<f32>,
    /// Stems of the training samples, in training order: the identity of the training set.
    pub samples: Vec<String>,
}

impl TrainConfig {
    /// Output channels per pixel: 3 for colour, 1 for greyscale.
    pub fn channels(&self) -> usize {
        if self.color { 3 } else { 1 }
    }

    pub fn shape(&self) -> crate::data::Shape {
        crate::data::Shape {
            width: self.width,
            height: self.height,
            channels: self.channels(),
        }
    }

    /// Checks every value for sense; the message names the setting and what to do.
    pub fn validate(&self) -> Result<()> {
        if self.width == 0 || self.height == 0 || self.width > MAX_SIDE || self.height > MAX_SIDE {
            bail!(
                "size {}x{}: each side must be between 1 and {MAX_SIDE} pixels",
                self.width,
                self.height
            );
        }
        validate_layers(&self.layers)?;
        let outputs = self.shape().len();
        if self.layers[self.layers.len() - 1] != outputs {
            bail!(
                "--layers: the output layer has {} nodes but a {}x{} {} image needs {outputs}",
                self.layers[self.layers.len() - 1],
                self.width,
                self.height,
                if self.color { "colour" } else { "greyscale" },
            );
        }
        if self.epochs == 0 {
            bail!("--epochs must be at least 1");
        }
        if !self.learning_rate.is_finite() || self.learning_rate <= 0.0 {
            bail!(
                "--lr {}: the learning rate must be a finite number above 0",
                self.learning_rate
            );
        }
        if self.adaptive && self.window == 0 {
            bail!("--window must be at least 1");
        }
        if self.checkpoint_every == 0 {
            bail!("--checkpoint-every must be at least 1");
        }
        if self.log_every == 0 {
            bail!("--log-every must be at least 1");
        }
        if let Some(r) = self.init_range {
            validate_init_range(r)?;
            if self.init.is_some() {
                bail!("--init-range and --init both choose the initial weights; give one of them");
            }
        }
        Ok(())
    }
}

fn every_epoch() -> usize {
    1
}

/// An initialisation range must be a finite number above 0.
pub fn validate_init_range(r: f32) -> Result<()> {
    if !r.is_finite() || r <= 0.0 {
        bail!("--init-range {r}: the range must be a finite number above 0, e.g. 1");
    }
    Ok(())
}

/// Layer sizes must be at least two, none empty, and small enough to fit in memory.
pub fn validate_layers(layers: &[usize]) -> Result<()> {
    let list = layers
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",");
    if layers.len() < 2 {
        bail!("--layers {list}: a network needs at least an input and an output layer");
    }
    if layers.contains(&0) {
        bail!("--layers {list}: a layer cannot have 0 nodes");
    }
    let weights = layers.windows(2).try_fold(0usize, |sum, w| {
        w[0].checked_mul(w[1]).and_then(|n| sum.checked_add(n))
    });
    match weights {
        Some(n) if n <= MAX_WEIGHTS => Ok(()),
        _ => bail!(
            "--layers {list}: too many weights for memory (at most {MAX_WEIGHTS}, {} MiB); use smaller layers",
            MAX_WEIGHTS * 4 / (1024 * 1024)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> TrainConfig {
        TrainConfig {
            nnimg_version: "0".into(),
            preset: "v0.1.6.1".into(),
            layers: vec![8, 110, 110, 12100],
            width: 110,
            height: 110,
            color: false,
            fit: Fit::Crop,
            epochs: 10,
            learning_rate: 0.1,
            adaptive: true,
            window: 100,
            seed: 1,
            order: Order::Shuffle,
            checkpoint_every: 100,
            log_every: 1,
            data: "training_input".into(),
            init: None,
            init_range: None,
            samples: vec![],
        }
    }

    #[test]
    fn accepts_the_reference_network() {
        config().validate().unwrap();
    }

    #[test]
    fn rejects_an_output_layer_that_does_not_match_the_image() {
        let c = TrainConfig {
            color: true,
            ..config()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("needs 36300")
        );
    }

    #[test]
    fn rejects_zero_huge_and_single_layers() {
        assert!(validate_layers(&[8, 0, 12100]).is_err());
        assert!(validate_layers(&[8]).is_err());
        let e = validate_layers(&[8, 1 << 40, 12100])
            .unwrap_err()
            .to_string();
        assert!(e.contains("too many weights"), "{e}");
        assert!(validate_layers(&[usize::MAX, usize::MAX]).is_err());
    }

    #[test]
    fn rejects_learning_rates_that_are_not_finite_and_positive() {
        for lr in [f32::NAN, f32::INFINITY, 0.0, -0.1] {
            assert!(
                TrainConfig {
                    learning_rate: lr,
                    ..config()
                }
                .validate()
                .is_err()
            );
        }
    }

    #[test]
    fn rejects_init_ranges_that_are_not_finite_and_positive_or_come_with_an_init_file() {
        for r in [f32::NAN, f32::INFINITY, 0.0, -1.0] {
            let c = TrainConfig {
                init_range: Some(r),
                ..config()
            };
            assert!(c.validate().is_err(), "{r}");
        }
        let both = TrainConfig {
            init_range: Some(1.0),
            init: Some("w.safetensors".into()),
            ..config()
        };
        let e = both.validate().unwrap_err().to_string();
        assert!(e.contains("give one of them"), "{e}");
    }

    #[test]
    fn a_run_json_without_an_init_range_reads_as_the_default_initialisation() {
        let mut json: serde_json::Value = serde_json::to_value(config()).unwrap();
        json.as_object_mut().unwrap().remove("init_range");
        let c: TrainConfig = serde_json::from_value(json).unwrap();
        assert_eq!(c.init_range, None);
    }

    #[test]
    fn run_json_round_trips() {
        let json = serde_json::to_string_pretty(&config()).unwrap();
        assert_eq!(
            serde_json::from_str::<TrainConfig>(&json).unwrap(),
            config()
        );
    }

    #[test]
    fn a_run_json_without_fit_was_trained_stretched() {
        let mut json = serde_json::to_value(config()).unwrap();
        json.as_object_mut().unwrap().remove("fit");
        let read: TrainConfig = serde_json::from_value(json).unwrap();
        assert_eq!(read.fit, Fit::Stretch);
    }

    #[test]
    fn finds_presets_by_name_and_lists_them_otherwise() {
        assert_eq!(Preset::named("two-layer").unwrap().hidden, &[] as &[usize]);
        assert!(
            Preset::named("v9")
                .unwrap_err()
                .to_string()
                .contains("v0.1.6.1, v0.1.6, two-layer")
        );
    }
}
