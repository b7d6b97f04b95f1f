//! `nnimg experiment`: the write-up's comparison in one command. Trains the presets
//! v0.1.6, v0.1.6.1 and two-layer from one seed (and one initialisation) into one folder,
//! all three at once under one progress display, then writes the comparison sheet and the
//! error table and prints the command that opens the runs side by side in the explorer.
//!
//! All at once, one thread each, rather than one after another with the trainer's two
//! threads: on the shared 2-core machine this was measured on, the three runs finished
//! 1.4 times sooner than one after another on one thread each and 5.8 times sooner than one
//! after another on two (docs/performance.md). A run's own thread team waits for its
//! partner thread at every sample, which a busy machine keeps descheduling.
//!
//! Each run is an ordinary run folder, so an interrupted experiment resumes: the same
//! command again continues every run from its checkpoint.

use super::compare::{self, ComparedRun};
use super::setup::{DEFAULT_SIDE, open_session};
use super::train::{EXIT_INTERRUPTED, Progress, stop_on_signals, train_until_done_or_stopped};
use crate::cli::{ExperimentArgs, RunSettings};
use crate::render::compare_sheet::{comparison_recipe, draw_sheet};
use crate::render::pixels::ColorMap;
use crate::shown::Shown;
use crate::train::config::{DEFAULT_SEED, validate_init_range};
use crate::train::run_dir::{Holder, RunDir};
use crate::train::session::Session;
use anyhow::{Result, anyhow, bail};
use indicatif::MultiProgress;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

/// The runs of the experiment, in the order they are trained and compared.
pub const PRESETS: [&str; 3] = ["v0.1.6", "v0.1.6.1", "two-layer"];

/// File names of the comparison in the experiment's folder.
pub const SHEET: &str = "compare";
pub const TABLE: &str = "errors";

/// The experiment's folder when `--out` is not given.
pub fn default_out(init_range: Option<f32>) -> PathBuf {
    match init_range {
        None => PathBuf::from("runs/experiment"),
        Some(r) => PathBuf::from(format!("runs/experiment-init-{r}")),
    }
}

pub fn run(args: ExperimentArgs) -> Result<ExitCode> {
    if args.epochs == 0 {
        bail!("--epochs must be at least 1");
    }
    if let Some(r) = args.init_range {
        validate_init_range(r)?;
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(args.init_range));
    std::fs::create_dir_all(&out).map_err(|e| anyhow!("{}: cannot create: {e}", Shown(&out)))?;
    let stop = stop_on_signals()?;

    let mut sessions = Vec::new();
    for preset in PRESETS {
        sessions.push(open_run(&out.join(preset), preset, &args)?);
    }
    let trained_before: Vec<usize> = sessions.iter().map(Session::epoch).collect();
    let shared = MultiProgress::new();
    let mut bars: Vec<Progress> = sessions
        .iter()
        .map(|s| Progress::new(s, Some(&shared)))
        .collect();
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let threads: Vec<_> = sessions
            .iter_mut()
            .zip(&mut bars)
            .map(|(session, bar)| {
                let stop = &*stop;
                scope.spawn(move || {
                    let result = train_until_done_or_stopped(session, stop, bar);
                    // A run that fails stops the others too, each with its checkpoint.
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    result
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err(anyhow!("a training thread panicked")))
            })
            .collect()
    });
    for bar in &bars {
        bar.finish();
    }
    results.into_iter().collect::<Result<()>>()?;
    for session in &mut sessions {
        session.finish()?;
    }
    if sessions.iter().any(|s| !s.is_done()) {
        errln!(
            "nnimg: {}: stopped, checkpoints saved; run the same command again to resume",
            Shown(&out)
        );
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    let trained_now = sessions
        .iter()
        .zip(&trained_before)
        .any(|(s, &before)| s.epoch() != before);
    let paths: Vec<PathBuf> = sessions
        .iter()
        .map(|s| s.run_dir().path().to_path_buf())
        .collect();
    // The runs are read back as `nnimg compare` reads them; their locks are released first.
    drop(sessions);
    write_comparison(&out, &paths, trained_now)?;
    Ok(ExitCode::SUCCESS)
}

/// Opens (resumes or starts) the experiment's run of `preset` at `path`. An existing run
/// must have been started with this experiment's settings.
fn open_run(path: &Path, preset: &str, args: &ExperimentArgs) -> Result<Session> {
    let seed = args.seed.unwrap_or(DEFAULT_SEED);
    // On resume only the epochs and threads apply; the run keeps its own settings (which
    // are checked against this experiment's below).
    let mut settings = RunSettings {
        data: PathBuf::from("training_input"),
        epochs: Some(args.epochs),
        threads: Some(args.threads.unwrap_or(1)),
        ..RunSettings::default()
    };
    if RunDir::exists_at(path) {
        let config = RunDir::open(path)?.read_config()?;
        let data =
            std::path::absolute(&args.data).map_err(|e| anyhow!("{}: {e}", Shown(&args.data)))?;
        let range = |r: Option<f32>| r.map_or("the default".to_string(), |r| r.to_string());
        let size = args.size.unwrap_or((DEFAULT_SIDE, DEFAULT_SIDE));
        if config.preset != preset
            || config.seed != seed
            || config.init_range != args.init_range
            || config.data != data
            || (config.width, config.height) != size
        {
            bail!(
                "{}: was started as {} with --seed {}, --init-range {}, --size {}x{} and --data {}; \
                 rerun with those settings to resume it, or choose another --out",
                Shown(path),
                config.preset,
                config.seed,
                range(config.init_range),
                config.width,
                config.height,
                Shown(&config.data)
            );
        }
    } else {
        settings.size = args.size;
        settings.data = args.data.clone();
        settings.preset = Some(preset.to_string());
        settings.seed = Some(seed);
        settings.init_range = args.init_range;
    }
    open_session(Some(path), &settings, Holder::Train)
}

/// Writes the sheet and the table into `out`, prints the table and the explorer command.
/// Files from an earlier complete run of the experiment are kept: when nothing was trained
/// they are still current; otherwise the new ones get the next free name.
fn write_comparison(out: &Path, paths: &[PathBuf], trained_now: bool) -> Result<()> {
    let runs: Vec<ComparedRun> = compare::open_runs(paths)?;
    let table = compare::table_of(&runs);
    let current = (
        out.join(format!("{SHEET}.png")),
        out.join(format!("{TABLE}.csv")),
    );
    let up_to_date = !trained_now && current.0.exists() && current.1.exists();
    let (sheet_path, csv_path) = if up_to_date {
        current
    } else {
        let untrained = compare::default_untrained(&runs, &table);
        let (sheet, notes) = compare::sheet_of(&runs, &table, &untrained, ColorMap::Grey);
        for note in notes {
            errln!("nnimg: note: {note}");
        }
        let recipe = comparison_recipe(&compare::names_of(&runs), None, ColorMap::Grey);
        let sheet_path = draw_sheet(&sheet).write_png_unique(out, SHEET, &recipe)?;
        // The table takes the sheet's number: compare-2.png goes with errors-2.csv.
        let number = sheet_path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.strip_prefix(SHEET))
            .unwrap_or_default();
        let csv_path = out.join(format!("{TABLE}{number}.csv"));
        compare::save_text(&csv_path, &compare::format_csv(&runs, &table), false)?;
        (sheet_path, csv_path)
    };
    outln!("{}", compare::format_table(&runs, &table).trim_end());
    let quiet = !std::io::stderr().is_terminal();
    let list = |p: &Path| Shown(p).to_string();
    errln!(
        "nnimg: sheet {}, table {}{}",
        list(&sheet_path),
        list(&csv_path),
        if up_to_date {
            " (already up to date)"
        } else {
            ""
        }
    );
    let [deep, rest @ ..] = paths else {
        return Ok(());
    };
    let mut command = format!("nnimg explore --run {}", list(deep));
    for p in rest {
        command.push_str(&format!(" --compare {}", list(p)));
    }
    if quiet {
        errln!("nnimg: compare them in the explorer: {command}");
    } else {
        errln!("\nCompare them in the explorer:\n  {command}");
    }
    Ok(())
}
