//! A picture's recipe: what it takes to paint it again, carried inside the file.
//!
//! Every PNG, GIF and APNG that nnimg writes holds its recipe as text: one PNG `tEXt` chunk per
//! field (keywords `nnimg:input`, `nnimg:run`, …), or one GIF comment with the same
//! `key=value` lines. Users of image generators treat a saved picture without its settings as
//! a bug; here `nnimg render --from FILE.png` and `nnimg explore --inputs-from FILE.png` read
//! it back. This module only turns recipes into text and back; which values go in is the
//! caller's business.

use crate::shown::Shown;
use anyhow::{Context, Result, bail};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// Prefix of every text keyword nnimg writes, so other tools' chunks are left alone.
pub const KEY_PREFIX: &str = "nnimg:";

/// How a picture was made. Every field is optional on reading, so a recipe from an older or
/// newer nnimg still reads; [`Recipe::input`] is what `render --from` needs at least.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recipe {
    /// The input vector of a still, at full precision.
    pub input: Option<Vec<f32>>,
    /// The waypoints of an animation along a path.
    pub path: Option<Vec<Vec<f32>>>,
    /// What else the picture is, in words ("random walk, seed 3, 240 steps", "timelapse …").
    pub kind: Option<String>,
    /// The run folder, as the user named it.
    pub run: Option<String>,
    /// The epoch of the weights that painted it.
    pub epoch: Option<usize>,
    pub preset: Option<String>,
    pub layers: Option<Vec<usize>>,
    pub colormap: Option<String>,
    pub scale: Option<u32>,
    /// SHA-256 of the weights (see `train::provenance`), lower-case hex.
    pub weights_sha256: Option<String>,
    /// nnimg's version that wrote the file.
    pub version: Option<String>,
}

impl Recipe {
    /// The recipe as `(keyword, text)` pairs, in a fixed order (so files are reproducible).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((format!("{KEY_PREFIX}{key}"), value));
            }
        };
        put("input", self.input.as_deref().map(format_vector));
        put(
            "path",
            self.path.as_ref().map(|p| {
                p.iter()
                    .map(|v| format_vector(v))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
        );
        put("kind", self.kind.clone());
        put("run", self.run.clone());
        put("epoch", self.epoch.map(|e| e.to_string()));
        put("preset", self.preset.clone());
        put(
            "layers",
            self.layers
                .as_ref()
                .map(|l| l.iter().map(usize::to_string).collect::<Vec<_>>().join(",")),
        );
        put("colormap", self.colormap.clone());
        put("scale", self.scale.map(|s| s.to_string()));
        put("weights-sha256", self.weights_sha256.clone());
        put("version", self.version.clone());
        pairs
    }

    /// Reads a recipe from `(keyword, text)` pairs; pairs without the `nnimg:` prefix are
    /// ignored, a value that does not parse is an error naming the keyword.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        let mut recipe = Recipe::default();
        for (key, value) in pairs {
            let Some(key) = key.strip_prefix(KEY_PREFIX) else {
                continue;
            };
            let bad = || format!("text chunk {KEY_PREFIX}{key} holds '{}'", Shown(value));
            match key {
                "input" => recipe.input = Some(parse_vector(value).with_context(bad)?),
                "path" => {
                    let path = value.split(',').map(parse_vector).collect::<Result<_>>();
                    recipe.path = Some(path.with_context(bad)?);
                }
                "kind" => recipe.kind = Some(value.to_owned()),
                "run" => recipe.run = Some(value.to_owned()),
                "epoch" => recipe.epoch = Some(value.parse().with_context(bad)?),
                "preset" => recipe.preset = Some(value.to_owned()),
                "layers" => {
                    let layers = value.split(',').map(str::parse).collect::<Result<_, _>>();
                    recipe.layers = Some(layers.with_context(bad)?);
                }
                "colormap" => recipe.colormap = Some(value.to_owned()),
                "scale" => recipe.scale = Some(value.parse().with_context(bad)?),
                "weights-sha256" => recipe.weights_sha256 = Some(value.to_owned()),
                "version" => recipe.version = Some(value.to_owned()),
                _ => {} // A field from a newer nnimg.
            }
        }
        Ok(recipe)
    }

    /// The recipe as one `key=value` line per field, for a GIF comment.
    pub fn to_comment(&self) -> String {
        self.to_pairs()
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect()
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.to_pairs().is_empty()
    }
}

/// An input vector at full precision: each value in Rust's shortest form that reads back to
/// the same `f32`, joined with `_` (the stem syntax, so `data::parse_stem` reads it too).
pub fn format_vector(input: &[f32]) -> String {
    input
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join("_")
}

/// Reads a vector written by [`format_vector`]: `_`-separated numbers, each within 0..=1.
pub fn parse_vector(text: &str) -> Result<Vec<f32>> {
    text.split('_')
        .map(|part| match part.parse::<f32>() {
            Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
            _ => bail!("'{}' is not a number within 0..=1", Shown(part)),
        })
        .collect()
}

/// Reads the recipe of the PNG (or APNG) at `path`, without decoding its pixels.
///
/// Errors name the file: not readable, not a PNG, or a PNG without nnimg's text chunks.
pub fn read_png_recipe(path: &Path) -> Result<Recipe> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", Shown(path)))?;
    let decoder = png::Decoder::new(BufReader::new(file));
    let reader = decoder
        .read_info()
        .with_context(|| format!("{}: not a readable PNG", Shown(path)))?;
    let info = reader.info();
    let latin1 = info
        .uncompressed_latin1_text
        .iter()
        .map(|c| (c.keyword.as_str(), c.text.as_str()));
    let recipe =
        Recipe::from_pairs(latin1).with_context(|| format!("{}: bad recipe", Shown(path)))?;
    if recipe.is_empty() {
        bail!(
            "{}: holds no nnimg recipe (it was not written by nnimg, or the text chunks were stripped)",
            Shown(path)
        );
    }
    Ok(recipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Recipe {
        Recipe {
            input: Some(vec![0.1, 1.0 / 3.0, 0.0, 1.0]),
            path: Some(vec![vec![0.0, 1.0], vec![0.25, 0.123_456_79]]),
            kind: Some("random walk, seed 3".into()),
            run: Some("runs/v0.1.6.1-1".into()),
            epoch: Some(10_000),
            preset: Some("v0.1.6.1".into()),
            layers: Some(vec![8, 110, 110, 12100]),
            colormap: Some("magma".into()),
            scale: Some(4),
            weights_sha256: Some("ab".repeat(32)),
            version: Some("0.1.0".into()),
        }
    }

    #[test]
    fn a_recipe_reads_back_exactly_from_its_text() {
        let recipe = full();
        let pairs = recipe.to_pairs();
        let back = Recipe::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back.expect("reads"), recipe);
    }

    #[test]
    fn vectors_keep_full_precision() {
        let v = vec![1.0 / 3.0, 0.1, 1e-7, 0.999_999_94];
        assert_eq!(parse_vector(&format_vector(&v)).expect("reads"), v);
    }

    #[test]
    fn other_tools_chunks_and_unknown_fields_are_ignored() {
        let recipe = Recipe::from_pairs([
            ("Software", "GIMP"),
            ("nnimg:future-field", "x"),
            ("nnimg:epoch", "12"),
        ])
        .expect("reads");
        assert_eq!(recipe.epoch, Some(12));
        assert_eq!(recipe.input, None);
    }

    #[test]
    fn a_bad_value_names_its_keyword() {
        let err = Recipe::from_pairs([("nnimg:epoch", "twelve")]).expect_err("bad epoch");
        assert!(format!("{err:#}").contains("nnimg:epoch"), "{err:#}");
        let err = Recipe::from_pairs([("nnimg:input", "0_2")]).expect_err("out of range");
        assert!(format!("{err:#}").contains("nnimg:input"), "{err:#}");
    }
}
