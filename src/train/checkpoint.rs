//! `checkpoint.safetensors`: the weights as tensors `w1` … `wN` (f32, shape `[out, in]`,
//! readable from numpy or PyTorch) and, in the metadata, the training state an exact resume
//! needs. Saved atomically; loaded with every name, shape, dtype and value checked.

use super::trainer::TrainState;
use crate::atomic::replace_file_with;
use crate::net::{Matrix, Network};
use crate::shown::Shown;
use anyhow::{Context, Result, anyhow, bail};
use safetensors::tensor::{Metadata, TensorInfo};
use safetensors::{Dtype, SafeTensors};
use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Value of the `format` metadata key.
pub const FORMAT: &str = "nnimg-checkpoint";
/// Version of the metadata layout; bumped on incompatible changes.
pub const FORMAT_VERSION: &str = "1";

/// Largest checkpoint file read, in bytes: the weight limit plus room for the header.
const MAX_FILE_BYTES: u64 = (crate::train::config::MAX_WEIGHTS as u64) * 4 + (16 << 20);

/// A loaded checkpoint: weights, training state, and the preset of the run that wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub net: Network,
    pub state: TrainState,
    pub preset: String,
}

/// Serialises weights and state into safetensors bytes (what [`save`] writes).
pub fn to_bytes(net: &Network, state: &TrainState, preset: &str) -> Result<Vec<u8>> {
    let mut bytes = header(net, state, preset)?;
    write_tensors(&mut bytes, net)?;
    Ok(bytes)
}

/// Saves atomically: the previous checkpoint stays intact until the new one is on disk.
/// Refuses to save weights that are not finite.
///
/// The tensors are streamed from the weights into the file: this runs every
/// `checkpoint_every` epochs beside the training, and a 5 MB buffer built and copied for
/// each save would cost it memory and CPU time.
pub fn save(path: &Path, net: &Network, state: &TrainState, preset: &str) -> Result<()> {
    if !net.is_finite() {
        bail!(
            "{}: not saved: the weights contain NaN or infinity",
            Shown(path)
        );
    }
    let header =
        header(net, state, preset).with_context(|| format!("{}: cannot encode", Shown(path)))?;
    replace_file_with(path, |out| {
        out.write_all(&header)?;
        write_tensors(out, net)
    })
}

/// The start of a safetensors file: the header's length (u64, little-endian), then the
/// header, JSON padded with spaces to a multiple of 8 bytes, naming each tensor `w1` … `wN`
/// (F32, `[out, in]`, its byte range) and holding our metadata. The same layout
/// `safetensors::serialize` writes, built with its own types; the data follows in layer order.
fn header(net: &Network, state: &TrainState, preset: &str) -> Result<Vec<u8>> {
    let mut offset = 0;
    let tensors = net
        .weights()
        .iter()
        .enumerate()
        .map(|(l, w)| {
            let len = w.rows() * w.cols() * 4;
            offset += len;
            let info = TensorInfo {
                dtype: Dtype::F32,
                shape: vec![w.rows(), w.cols()],
                data_offsets: (offset - len, offset),
            };
            (format!("w{}", l + 1), info)
        })
        .collect();
    let layers = net
        .layers()
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let metadata = HashMap::from([
        ("format".to_string(), FORMAT.to_string()),
        ("format_version".to_string(), FORMAT_VERSION.to_string()),
        (
            "nnimg_version".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        ("preset".to_string(), preset.to_string()),
        ("layers".to_string(), layers),
        ("epoch".to_string(), state.epoch.to_string()),
        ("learning_rate".to_string(), state.learning_rate.to_string()),
        ("state".to_string(), serde_json::to_string(state)?),
    ]);
    let mut json = serde_json::to_vec(&Metadata::new(Some(metadata), tensors)?)?;
    json.resize(json.len().next_multiple_of(8), b' ');
    let mut bytes = (json.len() as u64).to_le_bytes().to_vec();
    bytes.extend(json);
    Ok(bytes)
}

/// Writes each matrix's values row-major without padding, as little-endian f32, in layer
/// order: the data part of the file [`header`] describes.
fn write_tensors(out: &mut dyn Write, net: &Network) -> io::Result<()> {
    let mut row_bytes = Vec::new();
    for w in net.weights() {
        row_bytes.resize(w.cols() * 4, 0);
        for r in 0..w.rows() {
            for (b, v) in row_bytes.chunks_exact_mut(4).zip(w.row(r)) {
                b.copy_from_slice(&v.to_le_bytes());
            }
            out.write_all(&row_bytes)?;
        }
    }
    Ok(())
}

/// Loads a checkpoint written by [`save`]; every problem is an error naming the file.
pub fn load(path: &Path) -> Result<Checkpoint> {
    let bytes = read_bounded(path)?;
    from_bytes(&bytes).map_err(|e| anyhow!("{}: {e:#}", Shown(path)))
}

/// Loads just the weights `w1` … `wN` (e.g. a file written with numpy), for `--init`.
pub fn load_weights(path: &Path) -> Result<Network> {
    let bytes = read_bounded(path)?;
    let tensors = SafeTensors::deserialize(&bytes).map_err(|e| {
        anyhow!(
            "{}: not a safetensors file: {}",
            Shown(path),
            Shown(e.to_string())
        )
    })?;
    weights_from(&tensors).map_err(|e| anyhow!("{}: {e:#}", Shown(path)))
}

fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    let meta = fs::metadata(path)
        .with_context(|| format!("{}: cannot read the checkpoint", Shown(path)))?;
    if meta.is_dir() {
        bail!("{}: is a folder, not a checkpoint", Shown(path));
    }
    if meta.len() > MAX_FILE_BYTES {
        bail!(
            "{}: {} bytes is larger than any checkpoint nnimg writes",
            Shown(path),
            meta.len()
        );
    }
    fs::read(path).with_context(|| format!("{}: cannot read the checkpoint", Shown(path)))
}

/// Parses checkpoint bytes; errors do not name a file (the caller adds it).
pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint> {
    let (_, header) = SafeTensors::read_metadata(bytes)
        .map_err(|e| anyhow!("not a safetensors file: {}", Shown(e.to_string())))?;
    let tensors = SafeTensors::deserialize(bytes)
        .map_err(|e| anyhow!("not a safetensors file: {}", Shown(e.to_string())))?;
    let meta = header
        .metadata()
        .as_ref()
        .ok_or_else(|| anyhow!("no metadata: not an nnimg checkpoint"))?;
    let get = |key: &str| {
        meta.get(key)
            .ok_or_else(|| anyhow!("metadata has no '{key}': not an nnimg checkpoint"))
    };
    if get("format")? != FORMAT {
        bail!("metadata 'format' is not '{FORMAT}': not an nnimg checkpoint");
    }
    let version = get("format_version")?;
    if version != FORMAT_VERSION {
        bail!(
            "checkpoint format version {} is not supported (this nnimg reads {FORMAT_VERSION})",
            Shown(version)
        );
    }
    let state: TrainState = serde_json::from_str(get("state")?)
        .map_err(|e| anyhow!("metadata 'state' is malformed: {}", Shown(e.to_string())))?;
    // Zero is a rate halved all the way down (older nnimg did that in very long runs): such
    // a run no longer learns, but it still opens, renders and resumes.
    if !state.learning_rate.is_finite() || state.learning_rate < 0.0 {
        bail!(
            "metadata 'state' has an invalid learning rate {}",
            state.learning_rate
        );
    }
    let log_range = state.log.iter().flat_map(|b| [b.min, b.max]);
    if state
        .recent_errors
        .iter()
        .copied()
        .chain(log_range)
        .any(|e| !e.is_finite())
        || !state.seconds.is_finite()
    {
        bail!("metadata 'state' holds a value that is not finite");
    }
    let net = weights_from(&tensors)?;
    if !net.is_finite() {
        bail!("the weights contain NaN or infinity");
    }
    Ok(Checkpoint {
        net,
        state,
        preset: get("preset")?.clone(),
    })
}

/// Builds a network from tensors named exactly `w1` … `wN`, f32, 2-D, shapes that chain.
fn weights_from(tensors: &SafeTensors) -> Result<Network> {
    let mut names = tensors.names();
    names.sort();
    let count = names.len();
    if count == 0 {
        bail!("holds no tensors; expected w1 … wN");
    }
    let mut weights = Vec::with_capacity(count);
    for l in 1..=count {
        let name = format!("w{l}");
        let t = tensors.tensor(&name).map_err(|_| {
            anyhow!(
                "has tensors {} but expected exactly w1 … w{count}",
                names
                    .iter()
                    .map(|n| Shown(n).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        if t.dtype() != Dtype::F32 {
            bail!("tensor {name} has dtype {:?}; expected F32", t.dtype());
        }
        let &[rows, cols] = t.shape() else {
            bail!(
                "tensor {name} has shape {:?}; expected [out, in]",
                t.shape()
            );
        };
        if rows == 0 || cols == 0 {
            bail!("tensor {name} has an empty shape {:?}", t.shape());
        }
        let values: Vec<f32> = t
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        weights.push(Matrix::from_rows(rows, cols, &values));
    }
    let shapes: Vec<String> = weights
        .iter()
        .map(|w| format!("{}x{}", w.rows(), w.cols()))
        .collect();
    Network::from_weights(weights).ok_or_else(|| {
        anyhow!(
            "tensor shapes {} do not chain (each w's in must be the previous w's out)",
            shapes.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;
    use crate::train::Halving;
    use safetensors::tensor::TensorView;

    fn state() -> TrainState {
        TrainState {
            epoch: 300,
            learning_rate: 0.05,
            halvings: vec![Halving {
                epoch: 200,
                learning_rate: 0.05,
            }],
            recent_errors: vec![0.1, 0.012_345_678_901_234_567, 1e-300],
            seconds: 1.5,
            log: Some(crate::train::metrics::LogBucket {
                last_row: 200,
                min: 0.012_345_678_901_234_567,
                max: f64::MIN,
            }),
        }
    }

    fn tensors_bytes(
        tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)],
        meta: Option<HashMap<String, String>>,
    ) -> Vec<u8> {
        let views: Vec<(String, TensorView)> = tensors
            .iter()
            .map(|(n, d, s, b)| (n.to_string(), TensorView::new(*d, s.clone(), b).unwrap()))
            .collect();
        safetensors::serialize(views, meta).unwrap()
    }

    #[test]
    fn a_rate_halved_to_zero_by_an_older_nnimg_still_loads() {
        // Such a checkpoint was refused ("invalid learning rate 0"), so a very long run
        // could not be resumed, explored or rendered.
        let net = init_network(&[3, 5, 7], 4);
        let stalled = TrainState {
            learning_rate: 0.0,
            ..state()
        };
        let bytes = to_bytes(&net, &stalled, "two-layer").unwrap();
        assert_eq!(from_bytes(&bytes).unwrap().state.learning_rate, 0.0);
    }

    #[test]
    fn round_trips_weights_and_state_bit_for_bit() {
        let net = init_network(&[3, 5, 7], 4);
        let bytes = to_bytes(&net, &state(), "v0.1.6").unwrap();
        let back = from_bytes(&bytes).unwrap();
        assert_eq!(
            back,
            Checkpoint {
                net,
                state: state(),
                preset: "v0.1.6".into()
            }
        );
    }

    #[test]
    fn writes_the_layout_safetensors_itself_writes() {
        // The header is built by hand from the crate's types, so compare with the crate's
        // own serialiser: same length, same data bytes (the header's key order follows a
        // HashMap, so it may differ), and each tensor reads back as the weights.
        let net = init_network(&[3, 5, 7], 4);
        let ours = to_bytes(&net, &state(), "p").unwrap();
        let parsed = SafeTensors::deserialize(&ours).unwrap();
        let metadata = SafeTensors::read_metadata(&ours)
            .unwrap()
            .1
            .metadata()
            .clone();
        let theirs = safetensors::serialize(parsed.tensors(), metadata).unwrap();
        assert_eq!(ours.len(), theirs.len());
        let header_len = u64::from_le_bytes(ours[..8].try_into().unwrap()) as usize;
        assert_eq!(header_len % 8, 0);
        assert_eq!(ours[8 + header_len..], theirs[8 + header_len..]);
        for (l, w) in net.weights().iter().enumerate() {
            let t = parsed.tensor(&format!("w{}", l + 1)).unwrap();
            assert_eq!(t.shape(), [w.rows(), w.cols()]);
            let values: Vec<u8> = w.to_rows().iter().flat_map(|v| v.to_le_bytes()).collect();
            assert_eq!(t.data(), values);
        }
    }

    #[test]
    fn save_streams_the_same_checkpoint_as_to_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.safetensors");
        let net = init_network(&[3, 5, 7], 4);
        save(&path, &net, &state(), "p").unwrap();
        let saved = fs::read(&path).unwrap();
        // Equal up to the metadata's key order: same length, same decoded checkpoint.
        let bytes = to_bytes(&net, &state(), "p").unwrap();
        assert_eq!(saved.len(), bytes.len());
        assert_eq!(from_bytes(&saved).unwrap(), from_bytes(&bytes).unwrap());
    }

    #[test]
    fn save_then_load_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.safetensors");
        let net = init_network(&[2, 3], 1);
        save(&path, &net, &state(), "two-layer").unwrap();
        assert_eq!(load(&path).unwrap().net, net);
    }

    #[test]
    fn refuses_to_save_weights_that_are_not_finite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.safetensors");
        let mut net = init_network(&[2, 3], 1);
        net.weights_mut()[0].row_mut(0)[0] = f32::NAN;
        assert!(save(&path, &net, &state(), "x").is_err());
        assert!(!path.exists());
    }

    #[test]
    fn rejects_truncated_bytes_and_random_bytes() {
        let bytes = to_bytes(&init_network(&[3, 4], 1), &state(), "p").unwrap();
        for cut in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert!(from_bytes(b"\xff\xff\xff\xff\xff\xff\xff\x7fgarbage").is_err());
    }

    #[test]
    fn rejects_wrong_names_dtypes_and_shapes() {
        let meta = || {
            let good = to_bytes(&init_network(&[2, 2], 1), &state(), "p").unwrap();
            SafeTensors::read_metadata(&good)
                .unwrap()
                .1
                .metadata()
                .clone()
        };
        let f32s = |n: usize| vec![0u8; 4 * n];
        let cases = [
            (
                vec![("w2", Dtype::F32, vec![2, 2], f32s(4))],
                "expected exactly w1",
            ),
            (
                vec![("weights", Dtype::F32, vec![2, 2], f32s(4))],
                "expected exactly w1",
            ),
            (
                vec![("w1", Dtype::F64, vec![2, 2], vec![0u8; 32])],
                "dtype F64",
            ),
            (
                vec![("w1", Dtype::F32, vec![4], f32s(4))],
                "expected [out, in]",
            ),
            (
                vec![
                    ("w1", Dtype::F32, vec![3, 2], f32s(6)),
                    ("w2", Dtype::F32, vec![2, 2], f32s(4)),
                ],
                "do not chain",
            ),
        ];
        for (tensors, expected) in cases {
            let e = format!(
                "{:#}",
                from_bytes(&tensors_bytes(&tensors, meta())).unwrap_err()
            );
            assert!(e.contains(expected), "{e}");
        }
    }

    #[test]
    fn rejects_missing_or_malformed_metadata() {
        let w = vec![("w1", Dtype::F32, vec![2, 2], vec![0u8; 16])];
        assert!(
            format!("{:#}", from_bytes(&tensors_bytes(&w, None)).unwrap_err())
                .contains("no metadata")
        );
        let mut meta: HashMap<String, String> = SafeTensors::read_metadata(
            &to_bytes(&init_network(&[2, 2], 1), &state(), "p").unwrap(),
        )
        .unwrap()
        .1
        .metadata()
        .clone()
        .unwrap();
        meta.insert("state".into(), "{\"epoch\": \"many\"}".into());
        let e = format!(
            "{:#}",
            from_bytes(&tensors_bytes(&w, Some(meta.clone()))).unwrap_err()
        );
        assert!(e.contains("'state' is malformed"), "{e}");
        meta.remove("state");
        let e = format!(
            "{:#}",
            from_bytes(&tensors_bytes(&w, Some(meta))).unwrap_err()
        );
        assert!(e.contains("no 'state'"), "{e}");
    }

    #[test]
    fn loads_plain_weight_files_for_init() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.safetensors");
        let values: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        fs::write(
            &path,
            tensors_bytes(&[("w1", Dtype::F32, vec![3, 2], values)], None),
        )
        .unwrap();
        let net = load_weights(&path).unwrap();
        assert_eq!(net.layers(), [2, 3]);
        assert_eq!(net.weights()[0].to_rows(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn valid_bytes() -> Vec<u8> {
            to_bytes(&init_network(&[3, 4, 2], 5), &state(), "p").unwrap()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn arbitrary_bytes_are_refused_without_panicking(
                bytes in proptest::collection::vec(any::<u8>(), 0..512)
            ) {
                prop_assert!(from_bytes(&bytes).is_err());
            }

            #[test]
            fn a_plausible_header_with_arbitrary_json_never_panics(json in "\\PC{0,200}") {
                let mut bytes = (json.len() as u64).to_le_bytes().to_vec();
                bytes.extend(json.as_bytes());
                let _ = from_bytes(&bytes);
            }

            #[test]
            fn a_checkpoint_with_flipped_or_cut_bytes_never_panics(
                flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
                cut in any::<prop::sample::Index>(),
            ) {
                let mut bytes = valid_bytes();
                for (at, value) in flips {
                    let i = at.index(bytes.len());
                    bytes[i] ^= value;
                }
                let _ = from_bytes(&bytes);
                let _ = from_bytes(&bytes[..cut.index(bytes.len())]);
            }
        }
    }
}
