//! Bad input through the binary: every loader case, corrupt checkpoints, run.json and
//! metrics.csv edited by hand, and command-line values. Each asserts the exit code, the
//! one-line `nnimg: …` error and that nothing panicked. Every case is a test of its own,
//! named for what is wrong, so a failure names its case.

use crate::common::*;
use safetensors::{Dtype, tensor::TensorView};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A training folder with the tiny set plus whatever `add` puts in it.
fn data_with(fx: &Fixture, name: &str, add: impl FnOnce(&Path)) -> PathBuf {
    let dir = fx.path(name);
    write_training_set(&dir, &STEMS);
    add(&dir);
    dir
}

/// `nnimg train` of a new tiny run on `data`.
fn train_on(fx: &Fixture, data: &Path, run: &str) -> Command {
    let mut cmd = fx.nnimg(&["train", "--epochs", "3"]);
    cmd.args(TINY)
        .arg("--data")
        .arg(data)
        .arg("--run")
        .arg(fx.path(run));
    cmd
}

/// Runs with a deadline, so a hang fails the test instead of stalling it.
fn output_within(cmd: &mut Command, seconds: u64) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(seconds) {
            child.kill().unwrap();
            panic!("{cmd:?} hung for {seconds} s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose header claims `width × height` pixels (colour type 6, `depth` bits) and
/// holds no pixel data: a decompression bomb's first bytes.
fn png_header_claiming(width: u32, height: u32, depth: u8) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        png.extend(&body);
        png.extend(crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([depth, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Bad training folders: each case is the tiny set plus one bad entry.
mod training_folder {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::ffi::OsStrExt;

    /// A new run on the tiny set plus what `add` puts in its folder fails with one line
    /// naming the folder and containing `parts`, and leaves no run folder behind.
    fn refused(add: impl FnOnce(&Path), parts: &[&str]) {
        let fx = Fixture::new();
        let data = data_with(&fx, "data", add);
        let out = output_within(&mut train_on(&fx, &data, "run"), 30);
        let line = assert_error(&out, 1, parts);
        assert!(
            line.starts_with(&format!("nnimg: {}", data.display())),
            "{line}"
        );
        assert!(!fx.path("run").exists(), "a failed start left a run folder");
    }

    fn save(d: &Path, name: &str, k: usize) {
        picture(k, 8, 8).save(d.join(name)).unwrap();
    }

    cases! { refused {
        a_fake_image: (
            |d: &Path| fs::write(d.join("011.png"), "not a png").unwrap(),
            &["011.png: not a readable image"],
        ),
        a_truncated_image: (
            |d: &Path| {
                let png = fs::read(d.join("001.png")).unwrap();
                fs::write(d.join("011.png"), &png[..png.len() / 2]).unwrap()
            },
            &["011.png: not a readable image"],
        ),
        an_empty_file: (
            |d: &Path| fs::write(d.join("011.png"), "").unwrap(),
            &["011.png: not a readable image"],
        ),
        png_bytes_named_jpg: (
            |d: &Path| fs::write(d.join("011.jpg"), b"\xff\xd8\xff\xe0garbage").unwrap(),
            &["011.jpg: not a readable image"],
        ),
        a_stem_that_is_not_a_vector: (
            |d: &Path| save(d, "hello.png", 0),
            &["hello.png: stem 'hello' is not an input vector"],
        ),
        a_stem_with_an_empty_part: (
            |d: &Path| save(d, "1__0.png", 0),
            &["1__0.png: stem '1__0' is not an input vector"],
        ),
        inconsistent_lengths: (
            |d: &Path| save(d, "0101.png", 0),
            &["0101.png: stem '0101' has 4 values, 001 has 3"],
        ),
        the_same_vector_twice: (
            |d: &Path| save(d, "010.jpg", 1),
            &["010.png: the same input vector as", "010.jpg; keep one of them"],
        ),
        the_same_vector_in_both_stem_forms: (
            |d: &Path| save(d, "0_1_0.png", 1),
            &["the same input vector as"],
        ),
        a_nan: (
            |d: &Path| save(d, "NaN_0_0.png", 1),
            &["NaN_0_0.png: stem 'NaN_0_0' has the value NaN", "within 0..=1"],
        ),
        an_infinity: (
            |d: &Path| save(d, "0_inf_0.png", 1),
            &["0_inf_0.png: stem '0_inf_0' has the value inf"],
        ),
        a_value_above_1: (
            |d: &Path| save(d, "1.5_0_0.png", 1),
            &["1.5_0_0.png: stem '1.5_0_0' has the value 1.5"],
        ),
        a_value_below_0: (
            |d: &Path| save(d, "-0.5_0_0.png", 1),
            &["-0.5_0_0.png: stem '-0.5_0_0' has the value -0.5"],
        ),
        a_header_claiming_100000x100000: (
            |d: &Path| {
                fs::write(d.join("011.png"), png_header_claiming(100_000, 100_000, 8)).unwrap()
            },
            &["011.png: not a readable image"],
        ),
        a_header_claiming_16000x16000_16_bit_rgba_of_2_gb: (
            |d: &Path| {
                fs::write(d.join("011.png"), png_header_claiming(16_000, 16_000, 16)).unwrap()
            },
            &["011.png: not a readable image"],
        ),
        #[cfg(unix)] // symlinks need a privilege on Windows
        a_symlink_loop: (
            |d: &Path| std::os::unix::fs::symlink(d.join("011.png"), d.join("011.png")).unwrap(),
            &["011.png: cannot read", "symbolic links"],
        ),
        #[cfg(unix)] // symlinks need a privilege on Windows
        a_dangling_symlink: (
            |d: &Path| std::os::unix::fs::symlink(d.join("gone"), d.join("011.png")).unwrap(),
            &["011.png: cannot read", "No such file"],
        ),
        a_folder_named_like_an_image: (
            |d: &Path| fs::create_dir(d.join("011.png")).unwrap(),
            &["011.png: is a folder, not an image"],
        ),
        #[cfg(unix)] // Windows file names are UTF-16, not bytes
        a_non_utf8_file_name: (
            |d: &Path| {
                let name = std::ffi::OsStr::from_bytes(b"0\xff1.png");
                picture(1, 8, 8).save(d.join(name)).unwrap()
            },
            &["the file name is not valid UTF-8"],
        ),
        #[cfg(unix)] // named pipes are made with mkfifo
        a_named_pipe_named_like_an_image: (
            |d: &Path| {
                let status = Command::new("mkfifo")
                    .arg(d.join("011.png"))
                    .status()
                    .unwrap();
                assert!(status.success());
            },
            &["011.png: is not a regular file"],
        ),
    }}

    #[test]
    fn an_empty_or_missing_folder() {
        let fx = Fixture::new();
        let empty = fx.path("empty");
        fs::create_dir(&empty).unwrap();
        fs::write(empty.join("README.md"), "hi").unwrap();
        fails_with(
            train_on(&fx, &empty, "r-empty"),
            &[&format!("{}: no training images found", empty.display())],
        );
        let missing = fx.path("missing");
        fails_with(
            train_on(&fx, &missing, "r-missing"),
            &[&format!(
                "{}: cannot read the training folder",
                missing.display()
            )],
        );
    }
}

#[test]
fn other_files_are_skipped_with_a_note_and_odd_sizes_are_resized() {
    let fx = Fixture::new();
    let data = data_with(&fx, "data", |d| {
        fs::write(d.join("README.md"), "about").unwrap();
        fs::write(d.join(".DS_Store"), [0u8, 1, 2]).unwrap();
        fs::write(d.join("notes"), "no extension").unwrap();
        // A 1-pixel-wide and a 1-pixel-tall image, and a big one: fitted, not refused.
        picture(1, 1, 8).save(d.join("011.png")).unwrap();
        picture(2, 8, 1).save(d.join("101.png")).unwrap();
        picture(3, 300, 200).save(d.join("111.png")).unwrap();
    });
    let stderr = run_ok(train_on(&fx, &data, "run"));
    for skipped in ["README.md", ".DS_Store", "notes"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("nnimg: note: skipped") && l.contains(skipped)),
            "{skipped}: {stderr}"
        );
    }
    assert!(
        stderr.contains("nnimg: note: images of another shape cropped from the centre to 8×8"),
        "{stderr}"
    );
    assert_eq!(load_checkpoint(&fx.path("run")).state.epoch, 3);
}

/// A safetensors file from tensors and optional metadata.
fn safetensors_file(
    path: &Path,
    tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)],
    meta: Option<HashMap<String, String>>,
) {
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.to_string(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    fs::write(path, safetensors::serialize(views, meta).unwrap()).unwrap();
}

fn metadata_of(path: &Path) -> HashMap<String, String> {
    let bytes = fs::read(path).unwrap();
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    header.metadata().clone().unwrap()
}

/// Bad checkpoints on resume: each case replaces a good run's checkpoint.
mod checkpoint {
    use super::*;

    /// The good checkpoint a case starts from.
    struct Good<'a> {
        fx: &'a Fixture,
        meta: HashMap<String, String>,
        w1: Vec<u8>,
        w2: Vec<u8>,
        bytes: Vec<u8>,
    }

    impl Good<'_> {
        /// The good tensors (w1 [6, 3], w2 [64, 6]) with `meta` as metadata.
        fn with_meta(&self, p: &Path, meta: Option<HashMap<String, String>>) {
            let t = [
                ("w1", Dtype::F32, vec![6, 3], self.w1.clone()),
                ("w2", Dtype::F32, vec![64, 6], self.w2.clone()),
            ];
            safetensors_file(p, &t, meta);
        }

        /// The good metadata with `key` set to `value`, or removed.
        fn meta_with(&self, key: &str, value: Option<&str>) -> Option<HashMap<String, String>> {
            let mut m = self.meta.clone();
            match value {
                Some(v) => m.insert(key.to_string(), v.to_string()),
                None => m.remove(key),
            };
            Some(m)
        }
    }

    fn zeros(n: usize) -> Vec<u8> {
        vec![0u8; 4 * n]
    }

    /// A resume of a tiny run whose checkpoint `write` replaced fails with one line naming
    /// the checkpoint and containing `parts`; with its checkpoint back, the run resumes.
    fn refused(write: impl FnOnce(&Path, &Good), parts: &[&str]) {
        let fx = Fixture::new();
        let run = fx.path("run");
        run_ok(fx.new_run(&run, &["--epochs", "5"]));
        let ckpt = run.join("checkpoint.safetensors");
        let tensors = tensor_bytes(&ckpt);
        let good = Good {
            fx: &fx,
            meta: metadata_of(&ckpt),
            w1: tensors[0].1.clone(),
            w2: tensors[1].1.clone(),
            bytes: fs::read(&ckpt).unwrap(),
        };
        fs::remove_file(&ckpt).unwrap();
        write(&ckpt, &good);
        let line = fails_with(fx.resume(&run, &["--epochs", "8"]), parts);
        assert!(
            line.starts_with(&format!("nnimg: {}: ", ckpt.display())),
            "{line}"
        );
        // Nothing touched the run: with its checkpoint back, it resumes.
        if ckpt.is_dir() {
            fs::remove_dir(&ckpt).unwrap();
        } else {
            fs::remove_file(&ckpt).unwrap();
        }
        fs::write(&ckpt, &good.bytes).unwrap();
        run_ok(fx.resume(&run, &["--epochs", "8"]));
    }

    cases! { refused {
        empty: (
            |p: &Path, _: &Good| fs::write(p, "").unwrap(),
            &["not a safetensors file"],
        ),
        truncated: (
            |p: &Path, g: &Good| fs::write(p, &g.bytes[..g.bytes.len() / 2]).unwrap(),
            &["not a safetensors file"],
        ),
        cut_by_one_byte: (
            |p: &Path, g: &Good| fs::write(p, &g.bytes[..g.bytes.len() - 1]).unwrap(),
            &["not a safetensors file"],
        ),
        random_bytes: (
            |p: &Path, _: &Good| {
                let mut rng = Lcg(7);
                let bytes: Vec<u8> = (0..4096).map(|_| rng.next_below(256) as u8).collect();
                fs::write(p, bytes).unwrap()
            },
            &["not a safetensors file"],
        ),
        a_header_length_of_2_to_the_63: (
            |p: &Path, _: &Good| fs::write(p, b"\xff\xff\xff\xff\xff\xff\xff\x7f{}").unwrap(),
            &["not a safetensors file"],
        ),
        wrong_tensor_names: (
            |p: &Path, g: &Good| {
                let t = [
                    ("layer1", Dtype::F32, vec![6, 3], g.w1.clone()),
                    ("layer2", Dtype::F32, vec![64, 6], g.w2.clone()),
                ];
                safetensors_file(p, &t, Some(g.meta.clone()))
            },
            &["expected exactly w1 … w2"],
        ),
        a_missing_tensor: (
            |p: &Path, g: &Good| {
                let t = [("w2", Dtype::F32, vec![64, 6], g.w2.clone())];
                safetensors_file(p, &t, Some(g.meta.clone()))
            },
            &["expected exactly w1 … w1"],
        ),
        a_wrong_dtype: (
            |p: &Path, g: &Good| {
                let t = [
                    ("w1", Dtype::F64, vec![6, 3], vec![0u8; 8 * 18]),
                    ("w2", Dtype::F32, vec![64, 6], g.w2.clone()),
                ];
                safetensors_file(p, &t, Some(g.meta.clone()))
            },
            &["tensor w1 has dtype F64; expected F32"],
        ),
        a_1_d_tensor: (
            |p: &Path, g: &Good| {
                let t = [
                    ("w1", Dtype::F32, vec![18], g.w1.clone()),
                    ("w2", Dtype::F32, vec![64, 6], g.w2.clone()),
                ];
                safetensors_file(p, &t, Some(g.meta.clone()))
            },
            &["tensor w1 has shape [18]; expected [out, in]"],
        ),
        shapes_that_do_not_chain: (
            |p: &Path, g: &Good| {
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], g.w1.clone()),
                    ("w2", Dtype::F32, vec![64, 5], zeros(320)),
                ];
                safetensors_file(p, &t, Some(g.meta.clone()))
            },
            &["do not chain"],
        ),
        another_runs_layers: (
            |p: &Path, g: &Good| {
                let t = [
                    ("w1", Dtype::F32, vec![7, 3], zeros(21)),
                    ("w2", Dtype::F32, vec![64, 7], zeros(448)),
                ];
                safetensors_file(p, &t, Some(g.meta.clone()))
            },
            &["layers [3, 7, 64] do not match run.json's [3, 6, 64]"],
        ),
        a_nan_weight: (
            |p: &Path, g: &Good| {
                let mut bad = g.w1.clone();
                bad[..4].copy_from_slice(&f32::NAN.to_le_bytes());
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], bad),
                    ("w2", Dtype::F32, vec![64, 6], g.w2.clone()),
                ];
                safetensors_file(p, &t, Some(g.meta.clone()))
            },
            &["the weights contain NaN or infinity"],
        ),
        no_metadata_as_in_a_plain_weights_file: (
            |p: &Path, g: &Good| g.with_meta(p, None),
            &["no metadata: not an nnimg checkpoint"],
        ),
        metadata_without_state: (
            |p: &Path, g: &Good| g.with_meta(p, g.meta_with("state", None)),
            &["metadata has no 'state'"],
        ),
        a_malformed_state: (
            |p: &Path, g: &Good| g.with_meta(p, g.meta_with("state", Some("{\"epoch\":"))),
            &["metadata 'state' is malformed"],
        ),
        a_negative_learning_rate_in_state: (
            |p: &Path, g: &Good| {
                let state =
                    g.meta["state"].replace("\"learning_rate\":0.1", "\"learning_rate\":-0.1");
                assert_ne!(state, g.meta["state"]);
                g.with_meta(p, g.meta_with("state", Some(&state)))
            },
            &["invalid learning rate -0.1"],
        ),
        another_format: (
            |p: &Path, g: &Good| g.with_meta(p, g.meta_with("format", Some("pytorch"))),
            &["not an nnimg checkpoint"],
        ),
        a_future_format_version: (
            |p: &Path, g: &Good| g.with_meta(p, g.meta_with("format_version", Some("99"))),
            &["checkpoint format version 99 is not supported"],
        ),
        a_checkpoint_from_a_run_of_another_preset: (
            |p: &Path, g: &Good| {
                let other = g.fx.path("other");
                run_ok(g.fx.new_run(&other, &["--epochs", "2", "--preset", "two-layer"]));
                fs::copy(other.join("checkpoint.safetensors"), p).unwrap();
            },
            &["written by a run of preset 'two-layer', but run.json says preset 'v0.1.6.1'"],
        ),
        a_folder: (
            |p: &Path, _: &Good| fs::create_dir(p).unwrap(),
            &["is a folder, not a checkpoint"],
        ),
    }}
}

#[test]
fn bad_init_files_give_one_line_naming_them() {
    let fx = Fixture::new();
    let ok = fx.path("ok");
    run_ok(fx.new_run(&ok, &["--epochs", "2"]));
    let other = fx.path("other");
    let mut cmd = fx.nnimg(&[
        "train", "--size", "8", "--layers", "3,7,64", "--epochs", "2",
    ]);
    run_ok(cmd.arg("--data").arg(&fx.data).arg("--run").arg(&other));
    let garbage = fx.path("garbage.safetensors");
    fs::write(&garbage, "garbage").unwrap();
    let missing = fx.path("missing.safetensors");
    let cases = [
        (
            other.join("checkpoint.safetensors"),
            "has layers [3, 7, 64] but this run needs [3, 6, 64]",
        ),
        (garbage.clone(), "not a safetensors file"),
        (missing.clone(), "cannot read the checkpoint"),
        (fx.data.clone(), "is a folder, not a checkpoint"),
    ];
    for (i, (file, problem)) in cases.iter().enumerate() {
        let run = fx.path(&format!("r{i}"));
        let mut cmd = fx.new_run(&run, &["--epochs", "2"]);
        cmd.arg("--init").arg(file);
        fails_with(&mut cmd, &[&format!("{}: {problem}", file.display())]);
        assert!(!run.exists(), "a failed start left a run folder");
    }
}

/// run.json edited by hand: each case rewrites a good run's run.json.
mod run_json {
    use super::*;

    /// `good` with the first `from` replaced by `to` (which must be there).
    fn edit(good: &str, from: &str, to: &str) -> String {
        let text = good.replacen(from, to, 1);
        assert_ne!(text, good, "{from}");
        text
    }

    /// A resume of a tiny run whose run.json `text` rewrote fails with one line containing
    /// `problem` (naming run.json, unless the problem is the training images); with its
    /// run.json back, the run resumes.
    fn refused(text: impl FnOnce(&str) -> String, problem: &str) {
        let fx = Fixture::new();
        let run = fx.path("run");
        run_ok(fx.new_run(&run, &["--epochs", "4"]));
        let path = run.join("run.json");
        let good = fs::read_to_string(&path).unwrap();
        fs::write(&path, text(&good)).unwrap();
        let line = fails_with(fx.resume(&run, &[]), &[problem]);
        if !problem.contains("training images changed") {
            assert!(
                line.starts_with(&format!("nnimg: {}: ", path.display())),
                "{line}"
            );
        }
        fs::write(&path, &good).unwrap();
        run_ok(fx.resume(&run, &[]));
    }

    cases! { refused {
        cut_in_half: (|g: &str| g[..g.len() / 2].to_string(), "not a valid run.json"),
        empty: (|_: &str| String::new(), "not a valid run.json"),
        a_list: (|_: &str| "[1, 2, 3]".into(), "not a valid run.json"),
        epochs_that_are_text: (
            |g: &str| edit(g, "\"epochs\": 4", "\"epochs\": \"many\""),
            "not a valid run.json",
        ),
        negative_epochs: (
            |g: &str| edit(g, "\"epochs\": 4", "\"epochs\": -4"),
            "not a valid run.json",
        ),
        an_unknown_field: (
            |g: &str| edit(g, "\"seed\": 1", "\"seed\": 1, \"colour\": true"),
            "unknown field `colour`",
        ),
        zero_epochs: (
            |g: &str| edit(g, "\"epochs\": 4", "\"epochs\": 0"),
            "--epochs must be at least 1",
        ),
        a_negative_learning_rate: (
            |g: &str| edit(g, "\"learning_rate\": 0.1", "\"learning_rate\": -1.0"),
            "the learning rate must be a finite number above 0",
        ),
        an_infinite_learning_rate: (
            |g: &str| edit(g, "\"learning_rate\": 0.1", "\"learning_rate\": 1e999"),
            "not a valid run.json",
        ),
        a_width_that_does_not_fit_the_output_layer: (
            |g: &str| edit(g, "\"width\": 8", "\"width\": 9"),
            "the output layer has 64 nodes but a 9x8 greyscale image needs 72",
        ),
        a_zero_width: (
            |g: &str| edit(g, "\"width\": 8", "\"width\": 0"),
            "each side must be between 1 and 2048",
        ),
        an_empty_layer: (
            |g: &str| edit(g, "    6,\n", "    0,\n"),
            "a layer cannot have 0 nodes",
        ),
        a_zero_checkpoint_interval: (
            |g: &str| edit(g, "\"checkpoint_every\": 100", "\"checkpoint_every\": 0"),
            "--checkpoint-every must be at least 1",
        ),
        a_sample_missing: (
            |g: &str| edit(g, "\"001\",", ""),
            "the training images changed since the run started",
        ),
        no_samples: (
            |g: &str| {
                let mut json = serde_json::from_str::<serde_json::Value>(g).unwrap();
                json["samples"] = serde_json::json!([]);
                json.to_string()
            },
            "lists no training samples",
        ),
    }}

    #[test]
    fn not_utf8_or_deleted() {
        let fx = Fixture::new();
        let run = fx.path("run");
        run_ok(fx.new_run(&run, &["--epochs", "4"]));
        let path = run.join("run.json");
        let good = fs::read_to_string(&path).unwrap();
        fs::write(&path, b"\xff\xfe not utf-8").unwrap();
        fails_with(
            fx.resume(&run, &[]),
            &[&format!("{}: cannot read", path.display())],
        );
        // Deleted: the folder is then not a run, and is never clobbered by a new one.
        fs::remove_file(&path).unwrap();
        fails_with(
            fx.resume(&run, &[]),
            &["already exists and is not empty, and has no run.json to resume from"],
        );
        fs::write(&path, &good).unwrap();
        run_ok(fx.resume(&run, &[]));
    }
}

/// metrics.csv edited by hand: refused with one line, or recovered from.
mod metrics_csv {
    use super::*;

    /// A resume of a tiny run (10 epochs, checkpoints every 5) whose metrics.csv `edit`
    /// rewrote from its lines fails with one line naming the file and containing `problem`,
    /// and leaves the file as it was.
    fn refused(edit: impl FnOnce(&mut Vec<String>), problem: &str) {
        let fx = Fixture::new();
        let run = fx.path("run");
        run_ok(fx.new_run(&run, &["--epochs", "10", "--checkpoint-every", "5"]));
        let path = run.join("metrics.csv");
        let good = fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = good.lines().map(String::from).collect();
        edit(&mut lines);
        let text = lines.join("\n") + "\n";
        fs::write(&path, &text).unwrap();
        let line = fails_with(fx.resume(&run, &["--epochs", "12"]), &[problem]);
        assert!(
            line.starts_with(&format!("nnimg: {}: ", path.display())),
            "{line}"
        );
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            text,
            "a failed resume changed the log"
        );
    }

    // A resume reads only the log's end (its cost must not grow with the log), so the
    // bad rows it refuses are the last ones; a bad row further back is named by the
    // log's readers (see below).
    cases! { refused {
        a_bad_row_at_the_checkpoint: (
            |lines: &mut Vec<String>| lines[10] = "10,not a number,0.1,0.0,0,0,0,0,0,0".into(),
            "line 11: column 2 'not a number' is not a number; fix or delete that line",
        ),
        a_header_naming_other_samples: (
            |lines: &mut Vec<String>| lines[0] = lines[0].replace(",110", ",111"),
            "the header names other samples than run.json",
        ),
        a_gap_before_the_checkpoint: (
            |lines: &mut Vec<String>| {
                lines.remove(9);
            },
            "line 10: epoch 10 follows epoch 8",
        ),
        a_header_without_the_fixed_columns: (
            |lines: &mut Vec<String>| *lines = vec!["epoch,error".into()],
            "line 1: the header must start with",
        ),
    }}

    #[test]
    fn a_cut_row_rows_after_the_checkpoint_and_an_emptied_log_are_recovered_from() {
        let fx = Fixture::new();
        let run = fx.path("run");
        run_ok(fx.new_run(&run, &["--epochs", "10", "--checkpoint-every", "5"]));
        let path = run.join("metrics.csv");
        let good = fs::read_to_string(&path).unwrap();
        // Recoveries, each followed by a resume two epochs further.
        let epochs = || -> Vec<usize> { read_metrics(&run).rows.iter().map(|r| r.epoch).collect() };
        let resume_to = |total: usize| run_ok(fx.resume(&run, &["--epochs", &total.to_string()]));
        // A last line cut by a kill is dropped.
        fs::write(&path, format!("{good}11,0.0")).unwrap();
        resume_to(12);
        assert_eq!(epochs(), (1..=12).collect::<Vec<_>>());
        // Rows after the checkpoint (epoch 12) are dropped and trained again.
        let text = fs::read_to_string(&path).unwrap();
        let fake =
            "13,0.5,0.1,0.0,0.5,0.5,0.5,0.5,0.5,0.5\n14,0.5,0.1,0.0,0.5,0.5,0.5,0.5,0.5,0.5\n";
        fs::write(&path, format!("{text}{fake}")).unwrap();
        resume_to(14);
        assert_eq!(epochs(), (1..=14).collect::<Vec<_>>());
        assert!(read_metrics(&run).rows.iter().all(|r| r.error != 0.5));
        // A bad row far from the end: a resume does not read it (so a resume costs the same
        // however long the log); the log's readers, the explorer among them, name its line.
        let damaged = fs::read_to_string(&path)
            .unwrap()
            .replacen("\n3,", "\n3,not a number,", 1);
        fs::write(&path, &damaged).unwrap();
        resume_to(15);
        let plan = nnimg::train::metrics::LogPlan::new(100);
        let e = format!(
            "{:#}",
            nnimg::train::metrics::read(&path, plan).unwrap_err()
        );
        assert!(
            e.contains("line 4: has 11 columns, the header has 10"),
            "{e}"
        );
        // An emptied or deleted log starts again after the checkpoint.
        fs::write(&path, "").unwrap();
        resume_to(17);
        assert_eq!(epochs(), [16, 17]);
        fs::remove_file(&path).unwrap();
        resume_to(19);
        assert_eq!(epochs(), [18, 19]);
    }

    #[test]
    fn a_metrics_log_that_ends_before_the_checkpoint_is_refused_before_it_gets_a_gap() {
        // A log missing its last rows (cut by hand) used to be resumed, appending rows after
        // the checkpoint: the gap then made the next resume fail with "epoch 11 follows 7".
        let fx = Fixture::new();
        let run = fx.path("run");
        run_ok(fx.new_run(&run, &["--epochs", "10"]));
        let path = run.join("metrics.csv");
        let good = fs::read_to_string(&path).unwrap();
        let cut: String = good.lines().take(8).map(|l| format!("{l}\n")).collect();
        fs::write(&path, &cut).unwrap();
        let line = fails_with(
            fx.resume(&run, &["--epochs", "12"]),
            &["ends at epoch 7 but the checkpoint is at epoch 10"],
        );
        assert!(
            line.starts_with(&format!("nnimg: {}: ", path.display())),
            "{line}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), cut);
    }
}

/// Bad command-line values for a new run.
mod command_line {
    use super::*;

    /// `nnimg train` of a new run on the tiny set with `flags`.
    fn new_run(fx: &Fixture, flags: &[&str]) -> Command {
        let mut cmd = fx.nnimg(&["train"]);
        cmd.arg("--data")
            .arg(&fx.data)
            .arg("--run")
            .arg(fx.path("run"))
            .args(flags);
        cmd
    }

    /// Refused by nnimg: exit 1, one line containing `problem`, no run folder left behind.
    fn refused(flags: &[&str], problem: &str) {
        let fx = Fixture::new();
        fails_with(new_run(&fx, flags), &[problem]);
        assert!(!fx.path("run").exists(), "{flags:?} left a run folder");
    }

    cases! { refused {
        zero_epochs: (&["--epochs", "0"], "--epochs must be at least 1"),
        an_empty_layer: (
            &["--layers", "3,0,64", "--size", "8"],
            "--layers 3,0,64: a layer cannot have 0 nodes",
        ),
        a_single_layer: (
            &["--layers", "64", "--size", "8"],
            "at least an input and an output layer",
        ),
        a_huge_layer: (
            &["--layers", "3,100000000,64", "--size", "8"],
            "too many weights for memory",
        ),
        a_layer_of_usize_max: (
            &["--layers", "3,18446744073709551615,64", "--size", "8"],
            "too many weights for memory",
        ),
        an_input_layer_that_does_not_fit_the_stems: (
            &["--layers", "5,6,64", "--size", "8"],
            "the input layer has 5 nodes but the stems in",
        ),
        an_output_layer_that_does_not_fit_the_size: (
            &["--layers", "3,6,65", "--size", "8"],
            "the output layer has 65 nodes but a 8x8 greyscale image needs 64",
        ),
        a_size_beyond_2048: (
            &["--size", "100000"],
            "size 100000x100000: each side must be between 1 and 2048",
        ),
        a_size_too_large_for_memory: (&["--size", "2048"], "too many weights for memory"),
        a_nan_learning_rate: (
            &["--lr", "nan"],
            "--lr NaN: the learning rate must be a finite number above 0",
        ),
        an_infinite_learning_rate: (
            &["--lr", "inf"],
            "--lr inf: the learning rate must be a finite number above 0",
        ),
        a_negative_learning_rate: (
            &["--lr=-1"],
            "--lr -1: the learning rate must be a finite number above 0",
        ),
        a_zero_learning_rate: (
            &["--lr", "0"],
            "--lr 0: the learning rate must be a finite number above 0",
        ),
        a_learning_rate_beyond_f32: (
            &["--lr", "1e39"],
            "--lr inf: the learning rate must be a finite number above 0",
        ),
        a_zero_window: (&["--window", "0"], "--window must be at least 1"),
        a_zero_checkpoint_interval: (
            &["--checkpoint-every", "0"],
            "--checkpoint-every must be at least 1",
        ),
        an_unknown_preset: (
            &["--preset", "v2"],
            "unknown preset 'v2'; the presets are v0.1.6.1, v0.1.6, two-layer",
        ),
    }}

    /// Refused by the argument parser: exit 2, clap's message naming the flag, on one line,
    /// no run folder.
    fn unparsable(flags: &[&str]) {
        let fx = Fixture::new();
        let out = output(new_run(&fx, flags));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_no_panic(&stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.starts_with("nnimg: "), "{flags:?}: {stderr}");
        let named = flags
            .iter()
            .any(|f| stderr.contains(f.split('=').next().unwrap()));
        assert!(named, "{flags:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{flags:?}: {stderr}");
        assert!(!fx.path("run").exists());
    }

    cases! { unparsable {
        negative_epochs: (&["--epochs", "-5"]),
        negative_epochs_after_an_equals_sign: (&["--epochs=-5"]),
        epochs_in_exponent_notation: (&["--epochs", "1e3"]),
        epochs_beyond_u64: (&["--epochs", "99999999999999999999999"]),
        a_zero_size: (&["--size", "0"]),
        a_zero_height: (&["--size", "8x0"]),
        a_negative_size: (&["--size=-3"]),
        a_size_that_is_a_word: (&["--size", "big"]),
        a_negative_layer: (&["--layers", "3,-6,64"]),
        a_missing_layer: (&["--layers", "3,,64"]),
        a_learning_rate_that_is_a_word: (&["--lr", "fast"]),
        an_unknown_order: (&["--order", "random"]),
        a_negative_seed: (&["--seed", "-1"]),
        an_unknown_kernel: (&["--kernel", "sse9"]),
    }}

    #[test]
    fn a_resume_refuses_zero_epochs_and_settings_that_the_run_fixes() {
        let fx = Fixture::new();
        let run = fx.path("run");
        run_ok(fx.new_run(&run, &["--epochs", "3"]));
        fails_with(
            fx.resume(&run, &["--epochs", "0"]),
            &["--epochs must be at least 1"],
        );
        fails_with(
            fx.resume(&run, &["--lr", "0.5", "--seed", "3"]),
            &["is an existing run, its settings are fixed (--lr, --seed given)"],
        );
    }
}

/// `render`, `show` and `grid` refusing bad inputs, runs and outputs.
mod pictures {
    use super::*;

    /// What a case's arguments may name: a trained tiny run, a PNG that exists, an output in
    /// a missing folder, a file that is not a PNG.
    struct Setup {
        run: String,
        existing: String,
        missing_dir_out: String,
        fake: String,
    }

    /// `nnimg <args>` fails with one line containing `problem`; an existing PNG is kept.
    fn refused(case: impl FnOnce(&Setup) -> (Vec<String>, String)) {
        let fx = Fixture::new();
        let run = fx.path("run");
        run_ok(fx.new_run(&run, &["--epochs", "3"]));
        let existing = fx.path("taken.png");
        fs::write(&existing, "mine").unwrap();
        let fake = fx.path("fake.png");
        fs::write(&fake, "not a png").unwrap();
        let setup = Setup {
            run: run.display().to_string(),
            existing: existing.display().to_string(),
            missing_dir_out: fx.path("no-such-folder/out.png").display().to_string(),
            fake: fake.display().to_string(),
        };
        let (args, problem) = case(&setup);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails_with(fx.nnimg(&args), &[&problem]);
        assert_eq!(fs::read_to_string(&existing).unwrap(), "mine");
    }

    /// `words` as owned arguments.
    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    cases! { refused {
        render_with_too_few_inputs: (|s: &Setup| (
            args(&["render", "--run", &s.run, "--input", "10"]),
            "--input '10': has 2 values, the network has 3 inputs".into(),
        )),
        render_with_too_many_inputs: (|s: &Setup| (
            args(&["render", "--run", &s.run, "--input", "1010"]),
            "--input '1010': has 4 values, the network has 3 inputs".into(),
        )),
        render_with_an_input_that_is_a_word: (|s: &Setup| (
            args(&["render", "--run", &s.run, "--input", "abc"]),
            "--input: stem 'abc' is not an input vector".into(),
        )),
        render_with_a_nan_input: (|s: &Setup| (
            args(&["render", "--run", &s.run, "--input", "NaN_0_0"]),
            "--input: stem 'NaN_0_0' has the value NaN".into(),
        )),
        render_with_an_input_above_1: (|s: &Setup| (
            args(&["render", "--run", &s.run, "--input", "2_0_0"]),
            "every value must be a finite number within 0..=1".into(),
        )),
        render_at_scale_0: (|s: &Setup| (
            args(&["render", "--run", &s.run, "--input", "100", "--scale", "0"]),
            "--scale 0: use a factor from 1 to 64".into(),
        )),
        render_over_an_existing_file: (|s: &Setup| (
            args(&["render", "--run", &s.run, "--input", "100", "--out", &s.existing]),
            format!("{}: already exists; use --force to overwrite it", s.existing),
        )),
        render_into_a_missing_folder: (|s: &Setup| (
            args(&["render", "--run", &s.run, "--input", "100", "--out", &s.missing_dir_out]),
            format!("{}: cannot write", s.missing_dir_out),
        )),
        render_of_a_missing_run: (|_: &Setup| (
            args(&["render", "--run", "no-such-run", "--input", "100"]),
            "no-such-run: no such run folder".into(),
        )),
        show_with_too_few_inputs: (|s: &Setup| (
            args(&["show", "--run", &s.run, "--input", "10"]),
            "--input '10': has 2 values, the network has 3 inputs".into(),
        )),
        show_of_a_fake_png: (|s: &Setup| (
            args(&["show", &s.fake]),
            format!("{}: not a readable image", s.fake),
        )),
        show_of_a_missing_file: (|_: &Setup| (
            args(&["show", "no-such.png"]),
            "no-such.png: cannot read".into(),
        )),
        grid_of_a_missing_run: (|_: &Setup| (
            args(&["grid", "--run", "no-such-run"]),
            "no-such-run: no such run folder".into(),
        )),
    }}

    #[test]
    fn a_corrupt_checkpoint_or_too_many_buttons() {
        let fx = Fixture::new();
        let run = fx.path("run");
        run_ok(fx.new_run(&run, &["--epochs", "3"]));
        let r = run.display().to_string();
        // A corrupt checkpoint, for each command that reads one.
        fs::write(run.join("checkpoint.safetensors"), "garbage").unwrap();
        let ckpt = run.join("checkpoint.safetensors").display().to_string();
        for args in [
            vec!["render", "--run", &r, "--input", "100"],
            vec!["show", "--run", &r, "--input", "100"],
            vec!["grid", "--run", &r],
        ] {
            fails_with(
                fx.nnimg(&args),
                &[&format!("{ckpt}: not a safetensors file")],
            );
        }

        // More than 10 buttons is too many for a grid.
        let data = fx.path("eleven");
        write_training_set(&data, &["10000000000", "01000000000"]);
        let wide = fx.path("wide");
        let mut cmd = fx.nnimg(&[
            "train", "--size", "8", "--layers", "11,4,64", "--epochs", "2",
        ]);
        run_ok(cmd.arg("--data").arg(&data).arg("--run").arg(&wide));
        fails_with(
            fx.nnimg(&["grid", "--run", &wide.display().to_string()]),
            &["the network has 11 inputs; a grid covers at most 10 buttons"],
        );
    }
}
