//! End-to-end `nnimg train`: a complete run directory, resume equal to an uninterrupted run
//! bit for bit, checkpoint round trips, the training lock, and divergence.

use crate::common::*;
use nnimg::data::{Shape, load_samples};
use nnimg::net::kernel::Kernel;
use nnimg::train::checkpoint;
use nnimg::train::{TrainConfig, TrainState, Trainer};
use std::fs;
use std::path::Path;
use std::process::Stdio;

fn shipped_training_input() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/training_input"))
}

fn read_config(run: &Path) -> TrainConfig {
    serde_json::from_str(&fs::read_to_string(run.join("run.json")).unwrap()).unwrap()
}

#[test]
fn training_the_shipped_images_lowers_the_error_and_writes_a_complete_run() {
    let fx = Fixture::new();
    let run = fx.path("run");
    let mut cmd = fx.nnimg(&["train", "--epochs", "300", "--size", "8"]);
    cmd.arg("--layers")
        .arg("8,6,64")
        .arg("--data")
        .arg(shipped_training_input())
        .arg("--run")
        .arg(&run);
    let stderr = run_ok(&mut cmd);
    assert!(stderr.contains("trained to epoch 300"), "{stderr}");

    let config = read_config(&run);
    let stems: Vec<String> = (0..8)
        .map(|i| (0..8).map(|j| if i + j == 7 { '1' } else { '0' }).collect())
        .collect();
    assert_eq!(config.samples, stems);
    assert_eq!(
        (config.epochs, config.layers.clone()),
        (300, vec![8, 6, 64])
    );

    let text = fs::read_to_string(run.join("metrics.csv")).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        format!(
            "epoch,error,learning_rate,seconds,error_min,error_max,{}",
            stems.join(",")
        )
    );
    let m = read_metrics(&run);
    let epochs: Vec<usize> = m.rows.iter().map(|r| r.epoch).collect();
    assert_eq!(epochs, (1..=300).collect::<Vec<_>>());
    let (first, last) = (m.rows[0].error, m.rows[299].error);
    assert!(last < first / 2.0, "error {first} -> {last}");

    let saved = load_checkpoint(&run);
    assert_eq!(saved.state.epoch, 300);
    assert_eq!(saved.net.layers(), [8, 6, 64]);
    for stem in &stems {
        let png = image::open(run.join("outputs").join(format!("{stem}.png"))).unwrap();
        assert_eq!((png.width(), png.height()), (8, 8), "{stem}");
    }
    assert_eq!(temporaries(&run), Vec::<std::path::PathBuf>::new());
}

/// A high rate and a short window, so the schedule halves (at epochs 25 and 50).
const HALVING: [&str; 6] = ["--window", "5", "--checkpoint-every", "7", "--lr", "20"];

/// Trains a run of `layers` (8×8 outputs) with `flags` to `stops.last()` epochs, stopping
/// after each of the earlier totals; `resume` is added to the flags of every resume.
fn train_in_stages(
    fx: &Fixture,
    name: &str,
    layers: &str,
    flags: &[&str],
    stops: &[usize],
    resume: &[&str],
) -> std::path::PathBuf {
    let run = fx.path(name);
    let first = stops[0].to_string();
    let mut cmd = fx.nnimg(&["train", "--size", "8", "--layers", layers]);
    cmd.arg("--data").arg(&fx.data).arg("--run").arg(&run);
    run_ok(cmd.args(flags).args(["--epochs", &first]));
    for total in &stops[1..] {
        run_ok(
            fx.resume(&run, &["--epochs", &total.to_string()])
                .args(resume),
        );
    }
    run
}

#[test]
fn a_run_stopped_and_resumed_ends_bit_for_bit_where_an_uninterrupted_one_does() {
    assert_resume_equals_uninterrupted(&Fixture::new(), "3,6,64", &HALVING, &[23, 41, 60], &[]);
}

#[test]
fn a_two_layer_run_resumed_on_two_threads_ends_bit_for_bit_where_an_uninterrupted_one_does() {
    // Single-layer networks train with their weights stored by column and transpose them
    // back for every checkpoint; a resume must carry on from exactly those bits.
    assert_resume_equals_uninterrupted(
        &Fixture::new(),
        "3,64",
        &HALVING,
        &[23, 41, 60],
        &["--threads", "2"],
    );
}

/// A checkpoint's tensors: name and bytes.
type Tensors = Vec<(String, Vec<u8>)>;

#[test]
fn every_kernel_resumes_bit_for_bit_row_by_row_and_by_column() {
    for layers in ["3,6,64", "3,64"] {
        let weights: Vec<(&str, Tensors)> = Kernel::available()
            .into_iter()
            .map(|k| {
                let kernel = ["--kernel", k.name()];
                let flags: Vec<&str> = HALVING.iter().copied().chain(kernel).collect();
                let fx = Fixture::new();
                let (straight, _) =
                    assert_resume_equals_uninterrupted(&fx, layers, &flags, &[23, 41, 60], &kernel);
                let tensors = tensor_bytes(&straight.join("checkpoint.safetensors"));
                (k.name(), tensors)
            })
            .collect();
        // The kernel was the one asked for: the portable one rounds differently from the
        // others, and the AVX2 kernel gives the AVX-512 kernel's bits.
        let of = |name| weights.iter().find(|(k, _)| *k == name).map(|(_, w)| w);
        for (name, w) in &weights[1..] {
            assert!(
                of("portable") != Some(w),
                "{layers}: portable and {name} agree"
            );
        }
        if let (Some(avx2), Some(avx512)) = (of("avx2"), of("avx512")) {
            assert!(avx2 == avx512, "{layers}: avx2 and avx512 differ");
        }
    }
}

#[test]
fn a_run_that_logs_one_epoch_in_four_resumes_to_the_same_log_rows() {
    // After the first 10000 epochs only every 4th gets a row, with the range of the epochs
    // since the last; the stops at 10023 and 10041 end sessions between two planned rows.
    // Those sessions' closing rows, and the range they had gathered, must not change the
    // rows an uninterrupted run writes.
    let flags = [
        "--constant-lr",
        "--lr",
        "0.3",
        "--checkpoint-every",
        "997",
        "--log-every",
        "4",
    ];
    let fx = Fixture::new();
    let (straight, staged) =
        assert_resume_equals_uninterrupted(&fx, "3,64", &flags, &[10_023, 10_041, 10_062], &[]);
    let epochs: Vec<usize> = read_metrics(&staged).rows.iter().map(|r| r.epoch).collect();
    assert_eq!(epochs[..10_000], (1..=10_000).collect::<Vec<_>>());
    // Then every 4th, every epoch that halved the rate, and the last epoch.
    let halved: Vec<usize> = load_checkpoint(&staged)
        .state
        .halvings
        .iter()
        .map(|h| h.epoch)
        .collect();
    let expected: Vec<usize> = (10_001..=10_062)
        .filter(|e| e % 4 == 0 || halved.contains(e) || *e == 10_062)
        .collect();
    assert_eq!(epochs[10_000..], expected);
    let rows = read_metrics(&straight).rows;
    let last = &rows[rows.len() - 2];
    assert!(
        last.error_min < last.error_max,
        "the row keeps its 4 epochs' range"
    );
}

/// Trains a run straight to `stops.last()` and one stopped at each of `stops`, checks they
/// end in the same state and log, and returns both.
fn assert_resume_equals_uninterrupted(
    fx: &Fixture,
    layers: &str,
    flags: &[&str],
    stops: &[usize],
    resume: &[&str],
) -> (std::path::PathBuf, std::path::PathBuf) {
    let straight = train_in_stages(
        fx,
        "straight",
        layers,
        flags,
        &stops[stops.len() - 1..],
        &[],
    );
    let staged = train_in_stages(fx, "staged", layers, flags, stops, resume);

    let (a, b) = (load_checkpoint(&straight), load_checkpoint(&staged));
    assert!(
        !a.state.halvings.is_empty() || flags.contains(&"--constant-lr"),
        "the schedule should have halved"
    );
    assert_eq!(a.state.halvings, b.state.halvings);
    assert_eq!(a.state.recent_errors, b.state.recent_errors);
    assert_eq!(a.state.learning_rate, b.state.learning_rate);
    assert_eq!(
        tensor_bytes(&straight.join("checkpoint.safetensors")),
        tensor_bytes(&staged.join("checkpoint.safetensors"))
    );
    // The logs agree row for row, except the wall-clock seconds.
    let strip = |run: &Path| {
        read_metrics(run)
            .rows
            .into_iter()
            .map(|r| {
                let range = (r.error_min, r.error_max);
                (r.epoch, r.error, range, r.learning_rate, r.sample_errors)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&straight), strip(&staged));
    // The picture history was cut back to each checkpoint and written again, bit for bit.
    assert_eq!(
        fs::read(straight.join("history.bin")).unwrap(),
        fs::read(staged.join("history.bin")).unwrap()
    );
    // The outputs' pixels agree (their recipes name different run folders).
    for stem in STEMS {
        let name = format!("outputs/{stem}.png");
        assert_eq!(
            image::open(straight.join(&name)).unwrap().to_rgb8(),
            image::open(staged.join(&name)).unwrap().to_rgb8()
        );
    }
    (straight, staged)
}

#[test]
fn a_checkpoint_round_trips_through_the_loader_and_init() {
    let fx = Fixture::new();
    let a = fx.path("a");
    run_ok(fx.new_run(&a, &["--epochs", "30"]));
    let path = a.join("checkpoint.safetensors");
    let saved = checkpoint::load(&path).unwrap();
    let again = checkpoint::to_bytes(&saved.net, &saved.state, &saved.preset).unwrap();
    assert_eq!(checkpoint::from_bytes(&again).unwrap(), saved);

    // --init starts a new run from exactly those weights: one epoch of it equals one epoch
    // of the library's Trainer from the loaded network.
    let b = fx.path("b");
    let mut cmd = fx.new_run(&b, &["--epochs", "1"]);
    cmd.arg("--init").arg(&path);
    run_ok(&mut cmd);
    let config = read_config(&b);
    assert_eq!(config.init.as_deref(), Some(path.as_path()));
    let shape = Shape {
        width: 8,
        height: 8,
        channels: 1,
    };
    let samples = load_samples(&fx.data, shape, config.fit).unwrap().samples;
    let mut trainer = Trainer::new(
        &config,
        saved.net,
        samples,
        TrainState::new(config.learning_rate),
    );
    trainer.run_epoch().unwrap();
    assert_eq!(&load_checkpoint(&b).net, trainer.network());
}

#[test]
fn a_second_process_cannot_train_a_run_that_is_being_trained() {
    let fx = Fixture::new();
    let run = fx.path("run");
    let mut first = fx
        .new_run(&run, &["--epochs", "1000000", "--checkpoint-every", "50"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_rows(&mut first, &run, 3);
    let line = fails_with(
        &mut fx.resume(&run, &[]),
        &["another nnimg process is training"],
    );
    assert!(
        line.starts_with(&format!("nnimg: {}: ", run.display())),
        "{line}"
    );
    // The same, with a new --epochs total: refused before anything is changed.
    fails_with(
        &mut fx.resume(&run, &["--epochs", "5"]),
        &["another nnimg process is training"],
    );
    assert_eq!(read_config(&run).epochs, 1_000_000);

    signal(&first, "TERM");
    assert_eq!(first.wait().unwrap().code(), Some(130));
    let epoch = load_checkpoint(&run).state.epoch;
    let total = (epoch + 3).to_string();
    let stderr = run_ok(&mut fx.resume(&run, &["--epochs", &total]));
    assert!(
        stderr.contains(&format!("trained to epoch {total}")),
        "{stderr}"
    );
}

#[test]
fn a_huge_learning_rate_stops_with_a_clear_error_and_keeps_the_last_good_checkpoint() {
    for lr in ["1000", "1e30"] {
        let fx = Fixture::new();
        let run = fx.path("run");
        let out = output(fx.new_run(
            &run,
            &["--epochs", "500", "--checkpoint-every", "5", "--lr", lr],
        ));
        let line = assert_error(&out, 1, &["training diverged", "try a smaller --lr"]);
        assert!(
            line.starts_with(&format!("nnimg: {}: ", run.display())),
            "{line}"
        );
        let kept: usize = line
            .split("last good checkpoint (epoch ")
            .nth(1)
            .and_then(|s| s.split(')').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no checkpoint epoch in {line}"));
        let saved = load_checkpoint(&run);
        assert_eq!(saved.state.epoch, kept, "--lr {lr}");
        assert!(saved.net.is_finite());
        assert!(kept < 500, "--lr {lr}: trained to the end");
    }
}

#[test]
fn a_run_started_with_a_relative_data_folder_resumes_from_another_folder() {
    let fx = Fixture::new();
    let run = fx.path("run");
    // The fixture's commands run inside its folder, where the data folder is "data".
    let relative = fx.data.file_name().unwrap().to_str().unwrap().to_string();
    let mut start = fx.nnimg(&[
        "train", "--epochs", "3", "--data", &relative, "--run", "run",
    ]);
    start.args(TINY);
    run_ok(&mut start);
    assert!(read_config(&run).data.is_absolute());

    let elsewhere = fx.path("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let mut resume = fx.nnimg(&["train", "--epochs", "5", "--run"]);
    resume.arg(&run).current_dir(&elsewhere);
    let stderr = run_ok(&mut resume);
    assert!(stderr.contains("trained to epoch 5"), "{stderr}");
}
