//! Bad input through the binary: every loader case, corrupt checkpoints, run.json and
//! metrics.csv edited by hand, and command-line values. Each asserts the exit code, the
//! one-line `nnimg: …` error and that nothing panicked.

#![allow(clippy::unwrap_used)] // a test that cannot write its own fixture should panic

mod common;

use common::*;
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

#[test]
fn every_bad_training_folder_gives_one_line_naming_the_file() {
    use std::os::unix::ffi::OsStrExt;
    let fx = Fixture::new();
    let real_png = fs::read(fx.data.join("001.png")).unwrap();
    type Case = (&'static str, Box<dyn Fn(&Path)>, Vec<&'static str>);
    let cases: Vec<Case> = vec![
        (
            "fake image",
            Box::new(|d| fs::write(d.join("011.png"), "not a png").unwrap()),
            vec!["011.png: not a readable image"],
        ),
        (
            "truncated image",
            Box::new(move |d| {
                fs::write(d.join("011.png"), &real_png[..real_png.len() / 2]).unwrap()
            }),
            vec!["011.png: not a readable image"],
        ),
        (
            "empty file",
            Box::new(|d| fs::write(d.join("011.png"), "").unwrap()),
            vec!["011.png: not a readable image"],
        ),
        (
            "PNG bytes named .jpg",
            Box::new(|d| fs::write(d.join("011.jpg"), b"\xff\xd8\xff\xe0garbage").unwrap()),
            vec!["011.jpg: not a readable image"],
        ),
        (
            "stem that is not a vector",
            Box::new(|d| picture(0, 8, 8).save(d.join("hello.png")).unwrap()),
            vec!["hello.png: stem 'hello' is not an input vector"],
        ),
        (
            "stem with an empty part",
            Box::new(|d| picture(0, 8, 8).save(d.join("1__0.png")).unwrap()),
            vec!["1__0.png: stem '1__0' is not an input vector"],
        ),
        (
            "inconsistent lengths",
            Box::new(|d| picture(0, 8, 8).save(d.join("0101.png")).unwrap()),
            vec!["0101.png: stem '0101' has 4 values, 001 has 3"],
        ),
        (
            "the same vector twice",
            Box::new(|d| picture(1, 8, 8).save(d.join("010.jpg")).unwrap()),
            vec![
                "010.png: the same input vector as",
                "010.jpg; keep one of them",
            ],
        ),
        (
            "the same vector in both stem forms",
            Box::new(|d| picture(1, 8, 8).save(d.join("0_1_0.png")).unwrap()),
            vec!["the same input vector as"],
        ),
        (
            "NaN",
            Box::new(|d| picture(1, 8, 8).save(d.join("NaN_0_0.png")).unwrap()),
            vec![
                "NaN_0_0.png: stem 'NaN_0_0' has the value NaN",
                "within 0..=1",
            ],
        ),
        (
            "infinity",
            Box::new(|d| picture(1, 8, 8).save(d.join("0_inf_0.png")).unwrap()),
            vec!["0_inf_0.png: stem '0_inf_0' has the value inf"],
        ),
        (
            "above 1",
            Box::new(|d| picture(1, 8, 8).save(d.join("1.5_0_0.png")).unwrap()),
            vec!["1.5_0_0.png: stem '1.5_0_0' has the value 1.5"],
        ),
        (
            "below 0",
            Box::new(|d| picture(1, 8, 8).save(d.join("-0.5_0_0.png")).unwrap()),
            vec!["-0.5_0_0.png: stem '-0.5_0_0' has the value -0.5"],
        ),
        (
            "header claiming 100000x100000",
            Box::new(|d| {
                fs::write(d.join("011.png"), png_header_claiming(100_000, 100_000, 8)).unwrap()
            }),
            vec!["011.png: not a readable image"],
        ),
        (
            "header claiming 16000x16000 16-bit RGBA (2 GB)",
            Box::new(|d| {
                fs::write(d.join("011.png"), png_header_claiming(16_000, 16_000, 16)).unwrap()
            }),
            vec!["011.png: not a readable image"],
        ),
        (
            "symlink loop",
            Box::new(|d| std::os::unix::fs::symlink(d.join("011.png"), d.join("011.png")).unwrap()),
            vec!["011.png: cannot read", "symbolic links"],
        ),
        (
            "dangling symlink",
            Box::new(|d| std::os::unix::fs::symlink(d.join("gone"), d.join("011.png")).unwrap()),
            vec!["011.png: cannot read", "No such file"],
        ),
        (
            "folder named like an image",
            Box::new(|d| fs::create_dir(d.join("011.png")).unwrap()),
            vec!["011.png: is a folder, not an image"],
        ),
        (
            "non-UTF-8 file name",
            Box::new(|d| {
                let name = std::ffi::OsStr::from_bytes(b"0\xff1.png");
                picture(1, 8, 8).save(d.join(name)).unwrap()
            }),
            vec!["the file name is not valid UTF-8"],
        ),
        (
            "named pipe named like an image",
            Box::new(|d| {
                let status = Command::new("mkfifo")
                    .arg(d.join("011.png"))
                    .status()
                    .unwrap();
                assert!(status.success());
            }),
            vec!["011.png: is not a regular file"],
        ),
    ];
    let count = cases.len();
    for (i, (what, add, parts)) in cases.into_iter().enumerate() {
        let data = data_with(&fx, &format!("data{i}"), add);
        let run = format!("run{i}");
        let out = output_within(&mut train_on(&fx, &data, &run), 30);
        let line = assert_error(&out, 1, &parts);
        assert!(
            line.starts_with(&format!("nnimg: {}", data.display())),
            "{what}: {line}"
        );
        assert!(
            !fx.path(&run).exists(),
            "{what}: a failed start left a run folder"
        );
    }
    // Empty and missing folders.
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
    println!(
        "bad training folders: {} cases, each one clear line",
        count + 2
    );
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

#[test]
fn every_bad_checkpoint_gives_one_line_naming_it() {
    let fx = Fixture::new();
    let run = fx.path("run");
    run_ok(fx.new_run(&run, &["--epochs", "5"]));
    let ckpt = run.join("checkpoint.safetensors");
    let good = fs::read(&ckpt).unwrap();
    let meta = metadata_of(&ckpt);
    let tensors = tensor_bytes(&ckpt);
    let (w1, w2) = (tensors[0].1.clone(), tensors[1].1.clone());
    let zeros = |n: usize| vec![0u8; 4 * n];
    let with_meta = |key: &str, value: Option<&str>| {
        let mut m = meta.clone();
        match value {
            Some(v) => m.insert(key.to_string(), v.to_string()),
            None => m.remove(key),
        };
        Some(m)
    };
    let other_preset = fx.path("other");
    run_ok(fx.new_run(&other_preset, &["--epochs", "2", "--preset", "two-layer"]));

    type Write<'a> = Box<dyn Fn(&Path) + 'a>;
    let cases: Vec<(&str, Write, Vec<&str>)> = vec![
        (
            "empty",
            Box::new(|p| fs::write(p, "").unwrap()),
            vec!["not a safetensors file"],
        ),
        (
            "truncated",
            Box::new(|p| fs::write(p, &good[..good.len() / 2]).unwrap()),
            vec!["not a safetensors file"],
        ),
        (
            "cut by one byte",
            Box::new(|p| fs::write(p, &good[..good.len() - 1]).unwrap()),
            vec!["not a safetensors file"],
        ),
        (
            "random bytes",
            Box::new(|p| {
                let mut rng = Lcg(7);
                let bytes: Vec<u8> = (0..4096).map(|_| rng.next_below(256) as u8).collect();
                fs::write(p, bytes).unwrap()
            }),
            vec!["not a safetensors file"],
        ),
        (
            "a header length of 2^63",
            Box::new(|p| fs::write(p, b"\xff\xff\xff\xff\xff\xff\xff\x7f{}").unwrap()),
            vec!["not a safetensors file"],
        ),
        (
            "wrong tensor names",
            Box::new(|p| {
                let t = [
                    ("layer1", Dtype::F32, vec![6, 3], w1.clone()),
                    ("layer2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, Some(meta.clone()))
            }),
            vec!["expected exactly w1 … w2"],
        ),
        (
            "a missing tensor",
            Box::new(|p| {
                safetensors_file(
                    p,
                    &[("w2", Dtype::F32, vec![64, 6], w2.clone())],
                    Some(meta.clone()),
                )
            }),
            vec!["expected exactly w1 … w1"],
        ),
        (
            "wrong dtype",
            Box::new(|p| {
                let t = [
                    ("w1", Dtype::F64, vec![6, 3], vec![0u8; 8 * 18]),
                    ("w2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, Some(meta.clone()))
            }),
            vec!["tensor w1 has dtype F64; expected F32"],
        ),
        (
            "a 1-D tensor",
            Box::new(|p| {
                let t = [
                    ("w1", Dtype::F32, vec![18], w1.clone()),
                    ("w2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, Some(meta.clone()))
            }),
            vec!["tensor w1 has shape [18]; expected [out, in]"],
        ),
        (
            "shapes that do not chain",
            Box::new(|p| {
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], w1.clone()),
                    ("w2", Dtype::F32, vec![64, 5], zeros(320)),
                ];
                safetensors_file(p, &t, Some(meta.clone()))
            }),
            vec!["do not chain"],
        ),
        (
            "another run's layers",
            Box::new(|p| {
                let t = [
                    ("w1", Dtype::F32, vec![7, 3], zeros(21)),
                    ("w2", Dtype::F32, vec![64, 7], zeros(448)),
                ];
                safetensors_file(p, &t, Some(meta.clone()))
            }),
            vec!["layers [3, 7, 64] do not match run.json's [3, 6, 64]"],
        ),
        (
            "a NaN weight",
            Box::new(|p| {
                let mut bad = w1.clone();
                bad[..4].copy_from_slice(&f32::NAN.to_le_bytes());
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], bad),
                    ("w2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, Some(meta.clone()))
            }),
            vec!["the weights contain NaN or infinity"],
        ),
        (
            "no metadata (a plain weights file)",
            Box::new(|p| {
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], w1.clone()),
                    ("w2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, None)
            }),
            vec!["no metadata: not an nnimg checkpoint"],
        ),
        (
            "metadata without 'state'",
            Box::new(|p| {
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], w1.clone()),
                    ("w2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, with_meta("state", None))
            }),
            vec!["metadata has no 'state'"],
        ),
        (
            "malformed 'state'",
            Box::new(|p| {
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], w1.clone()),
                    ("w2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, with_meta("state", Some("{\"epoch\":")))
            }),
            vec!["metadata 'state' is malformed"],
        ),
        (
            "a negative learning rate in 'state'",
            Box::new(|p| {
                let state =
                    meta["state"].replace("\"learning_rate\":0.1", "\"learning_rate\":-0.1");
                assert_ne!(state, meta["state"]);
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], w1.clone()),
                    ("w2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, with_meta("state", Some(&state)))
            }),
            vec!["invalid learning rate -0.1"],
        ),
        (
            "another format",
            Box::new(|p| {
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], w1.clone()),
                    ("w2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, with_meta("format", Some("pytorch")))
            }),
            vec!["not an nnimg checkpoint"],
        ),
        (
            "a future format version",
            Box::new(|p| {
                let t = [
                    ("w1", Dtype::F32, vec![6, 3], w1.clone()),
                    ("w2", Dtype::F32, vec![64, 6], w2.clone()),
                ];
                safetensors_file(p, &t, with_meta("format_version", Some("99")))
            }),
            vec!["checkpoint format version 99 is not supported"],
        ),
        (
            "a checkpoint from a run of another preset",
            Box::new(|p| {
                fs::copy(other_preset.join("checkpoint.safetensors"), p).unwrap();
            }),
            vec!["written by a run of preset 'two-layer', but run.json says preset 'v0.1.6.1'"],
        ),
        (
            "a folder",
            Box::new(|p| fs::create_dir(p).unwrap()),
            vec!["is a folder, not a checkpoint"],
        ),
    ];
    let count = cases.len();
    for (what, write, parts) in cases {
        if ckpt.is_dir() {
            fs::remove_dir(&ckpt).unwrap();
        } else {
            fs::remove_file(&ckpt).unwrap();
        }
        write(&ckpt);
        let line = fails_with(fx.resume(&run, &["--epochs", "8"]), &parts);
        assert!(
            line.starts_with(&format!("nnimg: {}: ", ckpt.display())),
            "{what}: {line}"
        );
    }
    // Nothing above touched the run: with its checkpoint back, it resumes.
    fs::remove_dir(&ckpt).unwrap();
    fs::write(&ckpt, &good).unwrap();
    run_ok(fx.resume(&run, &["--epochs", "8"]));
    println!("bad checkpoints on resume: {count} cases, each one clear line");
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

#[test]
fn run_json_edited_by_hand_gives_one_line_naming_it() {
    let fx = Fixture::new();
    let run = fx.path("run");
    run_ok(fx.new_run(&run, &["--epochs", "4"]));
    let path = run.join("run.json");
    let good = fs::read_to_string(&path).unwrap();
    let edit = |from: &str, to: &str| {
        let text = good.replacen(from, to, 1);
        assert_ne!(text, good, "{from}");
        text
    };
    let cases: Vec<(String, &str)> = vec![
        (good[..good.len() / 2].to_string(), "not a valid run.json"),
        (String::new(), "not a valid run.json"),
        ("[1, 2, 3]".into(), "not a valid run.json"),
        (
            edit("\"epochs\": 4", "\"epochs\": \"many\""),
            "not a valid run.json",
        ),
        (
            edit("\"epochs\": 4", "\"epochs\": -4"),
            "not a valid run.json",
        ),
        (
            edit("\"seed\": 1", "\"seed\": 1, \"colour\": true"),
            "unknown field `colour`",
        ),
        (
            edit("\"epochs\": 4", "\"epochs\": 0"),
            "--epochs must be at least 1",
        ),
        (
            edit("\"learning_rate\": 0.1", "\"learning_rate\": -1.0"),
            "the learning rate must be a finite number above 0",
        ),
        (
            edit("\"learning_rate\": 0.1", "\"learning_rate\": 1e999"),
            "not a valid run.json",
        ),
        (
            edit("\"width\": 8", "\"width\": 9"),
            "the output layer has 64 nodes but a 9x8 greyscale image needs 72",
        ),
        (
            edit("\"width\": 8", "\"width\": 0"),
            "each side must be between 1 and 2048",
        ),
        (edit("    6,\n", "    0,\n"), "a layer cannot have 0 nodes"),
        (
            edit("\"checkpoint_every\": 100", "\"checkpoint_every\": 0"),
            "--checkpoint-every must be at least 1",
        ),
        (
            edit("\"001\",", ""),
            "the training images changed since the run started",
        ),
    ];
    let mut no_samples = serde_json::from_str::<serde_json::Value>(&good).unwrap();
    no_samples["samples"] = serde_json::json!([]);
    let mut cases = cases;
    cases.push((no_samples.to_string(), "lists no training samples"));
    let count = cases.len() + 1;
    for (text, problem) in &cases {
        fs::write(&path, text).unwrap();
        let line = fails_with(fx.resume(&run, &[]), &[problem]);
        if !problem.contains("training images changed") {
            assert!(
                line.starts_with(&format!("nnimg: {}: ", path.display())),
                "{line}"
            );
        }
    }
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
    println!("run.json edited by hand: {count} cases, each one clear line");
}

#[test]
fn metrics_csv_edited_by_hand_gives_one_line_or_recovers() {
    let fx = Fixture::new();
    let run = fx.path("run");
    run_ok(fx.new_run(&run, &["--epochs", "10", "--checkpoint-every", "5"]));
    let path = run.join("metrics.csv");
    let good = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    let join = |ls: &[&str]| ls.join("\n") + "\n";

    // Errors: a bad row before the checkpoint, a header naming other samples.
    let mut garbage = lines.clone();
    garbage[3] = "3,not a number,0.1,0.0,0,0,0,0";
    let mut renamed = lines.clone();
    let header = lines[0].replace(",110", ",111");
    renamed[0] = &header;
    let mut gap = lines.clone();
    gap.remove(4);
    let errors = [
        (
            join(&garbage),
            "line 4: column 2 'not a number' is not a number; fix or delete that line",
        ),
        (
            join(&renamed),
            "the header names other samples than run.json",
        ),
        (join(&gap), "line 5: epoch 5 follows epoch 3"),
        (
            "epoch,error\n".to_string(),
            "line 1: the header must start with",
        ),
    ];
    for (text, problem) in &errors {
        fs::write(&path, text).unwrap();
        let line = fails_with(fx.resume(&run, &["--epochs", "12"]), &[problem]);
        assert!(
            line.starts_with(&format!("nnimg: {}: ", path.display())),
            "{line}"
        );
        assert_eq!(
            &fs::read_to_string(&path).unwrap(),
            text,
            "a failed resume changed the log"
        );
    }

    // Recoveries, each followed by a resume two epochs further.
    fs::write(&path, &good).unwrap();
    let epochs = || -> Vec<usize> { read_metrics(&run).rows.iter().map(|r| r.epoch).collect() };
    let resume_to = |total: usize| run_ok(fx.resume(&run, &["--epochs", &total.to_string()]));
    // A last line cut by a kill is dropped.
    fs::write(&path, format!("{good}11,0.0")).unwrap();
    resume_to(12);
    assert_eq!(epochs(), (1..=12).collect::<Vec<_>>());
    // Rows after the checkpoint (epoch 12) are dropped and trained again.
    let text = fs::read_to_string(&path).unwrap();
    let fake = "13,0.5,0.1,0.0,0.5,0.5,0.5,0.5\n14,0.5,0.1,0.0,0.5,0.5,0.5,0.5\n";
    fs::write(&path, format!("{text}{fake}")).unwrap();
    resume_to(14);
    assert_eq!(epochs(), (1..=14).collect::<Vec<_>>());
    assert!(read_metrics(&run).rows.iter().all(|r| r.error != 0.5));
    // An emptied or deleted log starts again after the checkpoint.
    fs::write(&path, "").unwrap();
    resume_to(16);
    assert_eq!(epochs(), [15, 16]);
    fs::remove_file(&path).unwrap();
    resume_to(18);
    assert_eq!(epochs(), [17, 18]);
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

#[test]
fn bad_command_line_values_give_one_line() {
    let fx = Fixture::new();
    let run = fx.path("run");
    let new = |flags: &[&str]| {
        let mut cmd = fx.nnimg(&["train"]);
        cmd.arg("--data")
            .arg(&fx.data)
            .arg("--run")
            .arg(&run)
            .args(flags);
        cmd
    };
    // Refused by nnimg: exit 1, one line, no run folder left behind.
    let refused: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--epochs", "0"], "--epochs must be at least 1"),
        (
            vec!["--layers", "3,0,64", "--size", "8"],
            "--layers 3,0,64: a layer cannot have 0 nodes",
        ),
        (
            vec!["--layers", "64", "--size", "8"],
            "at least an input and an output layer",
        ),
        (
            vec!["--layers", "3,100000000,64", "--size", "8"],
            "too many weights for memory",
        ),
        (
            vec!["--layers", "3,18446744073709551615,64", "--size", "8"],
            "too many weights for memory",
        ),
        (
            vec!["--layers", "5,6,64", "--size", "8"],
            "the input layer has 5 nodes but the stems in",
        ),
        (
            vec!["--layers", "3,6,65", "--size", "8"],
            "the output layer has 65 nodes but a 8x8 greyscale image needs 64",
        ),
        (
            vec!["--size", "100000"],
            "size 100000x100000: each side must be between 1 and 2048",
        ),
        (vec!["--size", "2048"], "too many weights for memory"),
        (
            vec!["--lr", "nan"],
            "--lr NaN: the learning rate must be a finite number above 0",
        ),
        (
            vec!["--lr", "inf"],
            "--lr inf: the learning rate must be a finite number above 0",
        ),
        (
            vec!["--lr=-1"],
            "--lr -1: the learning rate must be a finite number above 0",
        ),
        (
            vec!["--lr", "0"],
            "--lr 0: the learning rate must be a finite number above 0",
        ),
        (
            vec!["--lr", "1e39"],
            "--lr inf: the learning rate must be a finite number above 0",
        ),
        (vec!["--window", "0"], "--window must be at least 1"),
        (
            vec!["--checkpoint-every", "0"],
            "--checkpoint-every must be at least 1",
        ),
        (
            vec!["--preset", "v2"],
            "unknown preset 'v2'; the presets are v0.1.6.1, v0.1.6, two-layer",
        ),
    ];
    for (flags, problem) in &refused {
        fails_with(new(flags), &[problem]);
        assert!(!run.exists(), "{flags:?} left a run folder");
    }
    // Refused by the argument parser: exit 2, clap's message naming the flag, on one line.
    let unparsable: Vec<Vec<&str>> = vec![
        vec!["--epochs", "-5"],
        vec!["--epochs=-5"],
        vec!["--epochs", "1e3"],
        vec!["--epochs", "99999999999999999999999"],
        vec!["--size", "0"],
        vec!["--size", "8x0"],
        vec!["--size=-3"],
        vec!["--size", "big"],
        vec!["--layers", "3,-6,64"],
        vec!["--layers", "3,,64"],
        vec!["--lr", "fast"],
        vec!["--order", "random"],
        vec!["--seed", "-1"],
        vec!["--kernel", "sse9"],
    ];
    for flags in &unparsable {
        let out = output(new(flags));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_no_panic(&stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.starts_with("nnimg: "), "{flags:?}: {stderr}");
        let named = flags
            .iter()
            .any(|f| stderr.contains(f.split('=').next().unwrap()));
        assert!(named, "{flags:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{flags:?}: {stderr}");
        assert!(!run.exists());
    }
    // On resume: a zero total, and settings that a run fixes.
    run_ok(fx.new_run(&run, &["--epochs", "3"]));
    fails_with(
        fx.resume(&run, &["--epochs", "0"]),
        &["--epochs must be at least 1"],
    );
    fails_with(
        fx.resume(&run, &["--lr", "0.5", "--seed", "3"]),
        &["is an existing run, its settings are fixed (--lr, --seed given)"],
    );
    println!(
        "command-line values: {} refused by nnimg, {} by the parser, 2 on resume",
        refused.len(),
        unparsable.len()
    );
}

#[test]
fn render_show_and_grid_refuse_bad_inputs_runs_and_outputs_in_one_line() {
    let fx = Fixture::new();
    let run = fx.path("run");
    run_ok(fx.new_run(&run, &["--epochs", "3"]));
    let r = run.display().to_string();
    let existing = fx.path("taken.png");
    fs::write(&existing, "mine").unwrap();
    let (missing_dir_out, existing_s) = (
        fx.path("no-such-folder/out.png").display().to_string(),
        existing.display().to_string(),
    );
    let fake = fx.path("fake.png");
    fs::write(&fake, "not a png").unwrap();
    let fake_s = fake.display().to_string();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["render", "--run", &r, "--input", "10"],
            "--input '10': has 2 values, the network has 3 inputs".into(),
        ),
        (
            vec!["render", "--run", &r, "--input", "1010"],
            "--input '1010': has 4 values, the network has 3 inputs".into(),
        ),
        (
            vec!["render", "--run", &r, "--input", "abc"],
            "--input: stem 'abc' is not an input vector".into(),
        ),
        (
            vec!["render", "--run", &r, "--input", "NaN_0_0"],
            "--input: stem 'NaN_0_0' has the value NaN".into(),
        ),
        (
            vec!["render", "--run", &r, "--input", "2_0_0"],
            "every value must be a finite number within 0..=1".into(),
        ),
        (
            vec!["render", "--run", &r, "--input", "100", "--scale", "0"],
            "--scale 0: use a factor from 1 to 64".into(),
        ),
        (
            vec![
                "render",
                "--run",
                &r,
                "--input",
                "100",
                "--out",
                &existing_s,
            ],
            format!("{existing_s}: already exists; use --force to overwrite it"),
        ),
        (
            vec![
                "render",
                "--run",
                &r,
                "--input",
                "100",
                "--out",
                &missing_dir_out,
            ],
            format!("{missing_dir_out}: cannot write"),
        ),
        (
            vec!["render", "--run", "no-such-run", "--input", "100"],
            "no-such-run: no such run folder".into(),
        ),
        (
            vec!["show", "--run", &r, "--input", "10"],
            "--input '10': has 2 values, the network has 3 inputs".into(),
        ),
        (
            vec!["show", &fake_s],
            format!("{fake_s}: not a readable image"),
        ),
        (
            vec!["show", "no-such.png"],
            "no-such.png: cannot read".into(),
        ),
        (
            vec!["grid", "--run", "no-such-run"],
            "no-such-run: no such run folder".into(),
        ),
    ];
    for (args, problem) in &cases {
        fails_with(fx.nnimg(args), &[problem]);
    }
    assert_eq!(fs::read_to_string(&existing).unwrap(), "mine");

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
    println!(
        "render/show/grid: {} bad cases, each one clear line",
        cases.len() + 4
    );
}
