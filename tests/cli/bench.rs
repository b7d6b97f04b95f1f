//! `nnimg bench`: every kernel asked for gets a row with its floors, and `--contended` prints
//! its cases and both ratios. (No timing is asserted: only that the table is whole.)

use crate::common::*;
use nnimg::net::kernel::Kernel;
use std::process::Command;

/// Runs `cmd`, which must succeed without a panic; returns its standard output.
fn stdout_of(mut cmd: Command) -> String {
    let out = output(&mut cmd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?} failed:\n{stderr}");
    assert_no_panic(&stderr);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn bench_prints_a_row_with_both_floors_for_every_kernel_and_thread_count() {
    let fx = Fixture::new();
    let names: Vec<&str> = Kernel::available().iter().map(|k| k.name()).collect();
    let list = names.join(",");
    let args = [
        "bench",
        "--network",
        "two-layer",
        "--epochs",
        "2",
        "--repeats",
        "1",
    ];
    let mut cmd = fx.nnimg(&args);
    cmd.args(["--kernel", &list, "--threads", "2,1"]);
    let out = stdout_of(cmd);
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("two-layer")).collect();
    assert_eq!(rows.len(), 2 * names.len(), "{out}");
    for (row, (threads, kernel)) in rows.iter().zip(
        ["2", "1"]
            .iter()
            .flat_map(|t| names.iter().map(move |k| (*t, *k))),
    ) {
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!((cells[2], cells[3]), (kernel, threads), "{row}");
        // ms/epoch, the two floors and the ratio to the higher one, named.
        for cell in [cells[4], cells[7], cells[8], cells[9]] {
            assert!(cell.parse::<f64>().is_ok_and(|v| v > 0.0), "{row}");
        }
        assert!(["mem", "fma"].contains(&cells[10]), "{row}");
    }
}

#[test]
fn bench_contended_prints_every_case_and_both_ratios() {
    let fx = Fixture::new();
    let args = [
        "bench",
        "--contended",
        "--network",
        "two-layer",
        "--repeats",
        "1",
    ];
    let out = stdout_of(fx.nnimg(&args));
    for case in [
        "alone",
        "beside one busy thread",
        "two trainings at once (each)",
    ] {
        assert_eq!(
            out.lines().filter(|l| l.starts_with(case)).count(),
            2,
            "{out}"
        );
    }
    assert!(out.contains("the default thread count takes"), "{out}");
    assert!(out.contains("of a lone default run's throughput"), "{out}");
}
