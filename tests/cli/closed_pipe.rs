//! A reader that goes away is not a crash: `nnimg bench | head -1`, `nnimg grid … | head`
//! and `nnimg train 2>&1 | head -1` end quietly. (They used to panic: `println!` and
//! `eprintln!` panic when their pipe is closed.)

use crate::common::*;
use std::process::Stdio;

/// A pipe whose reader is already gone: every write to it fails with a broken pipe.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

#[test]
fn commands_end_quietly_when_the_reader_of_their_output_is_gone() {
    let fx = Fixture::new();
    let run = fx.path("run");
    run_ok(fx.new_run(&run, &["--epochs", "2"]));
    let run = run.to_str().unwrap();
    for args in [
        vec!["render", "--run", run, "--input", "100", "--out", "one.png"],
        vec!["grid", "--run", run, "--out", "grid.png"],
        vec!["bench", "--epochs", "1", "--repeats", "1"],
    ] {
        let mut cmd = fx.nnimg(&args);
        cmd.stdout(closed_pipe());
        let stderr = run_ok(&mut cmd);
        assert_eq!(stderr, "", "{args:?}");
    }
    // The pictures were written before their names could not be printed.
    assert!(fx.path("one.png").is_file());
    assert!(fx.path("grid.png").is_file());
}

#[test]
fn training_goes_on_when_its_messages_cannot_be_read() {
    let fx = Fixture::new();
    let run = fx.path("run");
    let mut cmd = fx.new_run(&run, &["--epochs", "5"]);
    cmd.stdout(closed_pipe()).stderr(closed_pipe());
    let out = output(&mut cmd);
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(load_checkpoint(&run).state.epoch, 5);
}
