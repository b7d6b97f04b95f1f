//! `nnimg compare A B …`: runs side by side, image by image. Writes a PNG sheet (a row per
//! training input: its target, then each run's output; then rows for untrained inputs) and
//! prints a table of each image's error and rank in each run (also as CSV with `--csv`).
//!
//! Runs are opened read-only, so a run another process is training compares as it stands.
//! Glue only: the ranking is `train::comparison`, the drawing `render::compare_sheet`.

use super::setup::TrainedRun;
use crate::cli::CompareArgs;
use crate::data::{format_stem, load_samples, parse_stem};
use crate::render::Picture;
use crate::render::compare_sheet::{
    self, Caption, Cell, Section, Sheet, SheetRow, comparison_recipe,
};
use crate::render::pixels::ColorMap;
use crate::shown::Shown;
use crate::train::comparison::{ErrorTable, RunErrors, error_table, untrained_inputs};
use crate::train::metrics::{self, LogPlan, MetricsRow};
use crate::train::run_dir::RunDir;
use anyhow::{Result, anyhow, bail};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Most runs one comparison takes (more make a sheet too wide to read).
pub const MAX_RUNS: usize = 8;

/// Least length of a tile's longer side on the sheet, in pixels.
const MIN_TILE_SIDE: u32 = 96;

/// Colours of a rank against the first run's: the same, better, worse.
const RANK_SAME: [u8; 3] = compare_sheet::INK;
const RANK_BETTER: [u8; 3] = [110, 220, 110];
const RANK_WORSE: [u8; 3] = [240, 110, 100];

/// One run as compared: its weights and settings, a name for the headers, and the metrics
/// row its table comes from.
pub struct ComparedRun {
    pub path: PathBuf,
    pub label: String,
    pub trained: TrainedRun,
    /// The metrics row of the checkpoint's epoch (or the last row, if the log is behind or
    /// ahead); `None` before the first epoch.
    pub row: Option<MetricsRow>,
    /// The training samples' stems, from run.json.
    pub stems: Vec<String>,
}

impl ComparedRun {
    pub fn epoch(&self) -> usize {
        self.trained.checkpoint.state.epoch
    }
}

/// Opens every run read-only. Refuses a run named twice, a run that cannot be read (the
/// message names it), and runs whose networks take different numbers of inputs.
pub fn open_runs(paths: &[PathBuf]) -> Result<Vec<ComparedRun>> {
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for path in paths {
        RunDir::open(path)?;
        let canonical = std::fs::canonicalize(path)
            .map_err(|e| anyhow!("{}: cannot open the run: {e}", Shown(path)))?;
        if let Some((_, first)) = seen.iter().find(|(c, _)| *c == canonical) {
            bail!(
                "{}: is named twice (also as {}); name each run once",
                Shown(path),
                Shown(first)
            );
        }
        seen.push((canonical, path));
    }
    let mut runs: Vec<ComparedRun> = Vec::new();
    for path in paths {
        let trained = TrainedRun::open(path)?;
        let plan = LogPlan::new(trained.config.log_every);
        let epoch = trained.checkpoint.state.epoch;
        let row = metrics::row_at(&RunDir::open(path)?.metrics(), plan, epoch)?;
        if let Some(first) = runs.first() {
            let (n, m) = (
                first.trained.checkpoint.net.input_len(),
                trained.checkpoint.net.input_len(),
            );
            if n != m {
                bail!(
                    "{}: the network has {m} inputs but {} has {n}; runs compared must have the same buttons",
                    Shown(path),
                    Shown(&first.path)
                );
            }
        }
        runs.push(ComparedRun {
            path: path.clone(),
            label: String::new(),
            stems: trained.config.samples.clone(),
            trained,
            row,
        });
    }
    label_runs(&mut runs);
    Ok(runs)
}

/// Names each run by its folder name, or by its path as given where two folder names are
/// the same.
fn label_runs(runs: &mut [ComparedRun]) {
    let name = |p: &Path| {
        p.file_name()
            .map_or_else(|| Shown(p).to_string(), |n| Shown(n).to_string())
    };
    let names: Vec<String> = runs.iter().map(|r| name(&r.path)).collect();
    for (run, n) in runs.iter_mut().zip(&names) {
        let unique = names.iter().filter(|m| *m == n).count() == 1;
        run.label = if unique {
            n.clone()
        } else {
            Shown(&run.path).to_string()
        };
    }
}

/// The runs as the user named them, for a recipe.
pub fn names_of(runs: &[ComparedRun]) -> Vec<String> {
    runs.iter().map(|r| Shown(&r.path).to_string()).collect()
}

/// The table of the runs' errors and ranks per training image.
pub fn table_of(runs: &[ComparedRun]) -> ErrorTable {
    let errors: Vec<RunErrors> = runs
        .iter()
        .map(|r| RunErrors {
            stems: &r.stems,
            errors: r.row.as_ref().map_or(&[], |row| &row.sample_errors),
        })
        .collect();
    error_table(&errors)
}

/// The inputs of `--inputs` (comma-separated stems), each checked against the networks'
/// input count `n`.
pub fn parse_inputs(list: &str, n: usize) -> Result<Vec<Vec<f32>>> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|text| {
            let input = parse_stem(text.trim()).map_err(|e| anyhow!("--inputs: {e}"))?;
            if input.len() != n {
                bail!(
                    "--inputs '{}': has {} values, the networks have {n} inputs",
                    text.trim(),
                    input.len()
                );
            }
            Ok(input)
        })
        .collect()
}

/// The comparison sheet, to be drawn with [`compare_sheet::draw_sheet`]: training rows
/// (target, then each run), then `untrained` rows. Targets come from the first run that
/// trains on the image, read from its training folder; where that folder cannot be read
/// the target cell is missing and a note says so.
pub fn sheet_of(
    runs: &[ComparedRun],
    table: &ErrorTable,
    untrained: &[Vec<f32>],
    map: ColorMap,
) -> (Sheet, Vec<String>) {
    let mut notes = Vec::new();
    let targets: Vec<Option<Vec<crate::data::Sample>>> = runs
        .iter()
        .map(|r| {
            let c = &r.trained.config;
            match load_samples(&c.data, c.shape(), c.fit) {
                Ok(set) => Some(set.samples),
                Err(e) => {
                    notes.push(format!("{e:#}; targets of {} are left empty", r.label));
                    None
                }
            }
        })
        .collect();
    let largest = runs.iter().fold((1, 1), |(w, h), r| {
        let c = &r.trained.config;
        (w.max(c.width), h.max(c.height))
    });
    // Small pictures are enlarged by whole pixels, so that they read beside their labels.
    let factor = MIN_TILE_SIDE.div_ceil(largest.0.max(largest.1)).max(1);
    let tile = (largest.0 * factor, largest.1 * factor);
    let mut headers = vec![vec!["target".to_string()]];
    headers.extend(runs.iter().map(header));

    let mut training = Vec::new();
    for (i, stem) in table.stems.iter().enumerate() {
        let owner = runs.iter().position(|r| r.stems.contains(stem));
        let target = owner.and_then(|o| {
            let sample = targets[o].as_ref()?.iter().find(|s| &s.stem == stem)?;
            let c = &runs[o].trained.config;
            Picture::from_output(&sample.target, c.width, c.height, c.channels(), map)
        });
        let input = parse_stem(stem).ok();
        let mut pictures = vec![target.map_or(Cell::Missing, Cell::Picture)];
        let mut captions = vec![None];
        for (r, run) in runs.iter().enumerate() {
            let has = run.stems.contains(stem);
            pictures.push(match &input {
                Some(x) if has => Cell::Picture(run.trained.render(x, map)),
                _ => Cell::Missing,
            });
            captions.push(table.cells[i][r].map(|s| Caption {
                text: format!("{:.2e} #{}", s.error, s.rank),
                color: match table.rank_change(i, r) {
                    Some(d) if d < 0 => RANK_BETTER,
                    Some(d) if d > 0 => RANK_WORSE,
                    _ => RANK_SAME,
                },
            }));
        }
        training.push(SheetRow {
            label: stem.clone(),
            pictures,
            captions,
        });
    }
    let untrained_rows = untrained
        .iter()
        .map(|x| SheetRow {
            label: format_stem(x),
            pictures: std::iter::once(Cell::Blank)
                .chain(runs.iter().map(|r| Cell::Picture(r.trained.render(x, map))))
                .collect(),
            captions: Vec::new(),
        })
        .collect();
    let sheet = Sheet {
        headers,
        sections: vec![
            Section {
                title: "training inputs".into(),
                rows: training,
            },
            Section {
                title: "untrained inputs".into(),
                rows: untrained_rows,
            },
        ],
        tile,
    };
    (sheet, notes)
}

/// A run's column header: its name, preset, layers, epoch and error.
fn header(run: &ComparedRun) -> Vec<String> {
    let c = &run.trained.config;
    let layers: Vec<String> = c.layers.iter().map(usize::to_string).collect();
    let mut lines = vec![run.label.clone()];
    if c.preset != run.label {
        lines.push(c.preset.clone());
    }
    lines.push(layers.join(","));
    if let Some(r) = c.init_range {
        lines.push(format!("init +-{r}"));
    }
    lines.push(format!("epoch {}", run.epoch()));
    if let Some(row) = &run.row {
        lines.push(format!("error {:.2e}", row.error));
    }
    lines
}

/// The untrained inputs shown by default: every pair of buttons and all at 0.5, without
/// the ones that are training inputs of some run.
pub fn default_untrained(runs: &[ComparedRun], table: &ErrorTable) -> Vec<Vec<f32>> {
    let n = runs
        .first()
        .map_or(0, |r| r.trained.checkpoint.net.input_len());
    let trained: Vec<String> = table.stems.clone();
    untrained_inputs(n)
        .into_iter()
        .filter(|x| !trained.iter().any(|s| parse_stem(s).is_ok_and(|t| t == *x)))
        .collect()
}

/// The table for a terminal: one line per image, error and rank per run (the rank's move
/// against the first run's as ↑n or ↓n), "-" where a run lacks the image; then the epoch
/// error of each run.
pub fn format_table(runs: &[ComparedRun], table: &ErrorTable) -> String {
    const CELL: usize = 20;
    let stem_width = table
        .stems
        .iter()
        .map(String::len)
        .chain([5])
        .max()
        .unwrap_or(5);
    let mut out = String::new();
    let _ = write!(out, "{:stem_width$}", "image");
    for run in runs {
        let name = format!("{} @{}", run.label, run.epoch());
        let _ = write!(out, "  {name:CELL$}");
    }
    out = out.trim_end().to_string();
    out.push('\n');
    let _ = write!(out, "{:stem_width$}", "");
    for _ in runs {
        let _ = write!(out, "  {:10}{:10}", "error", "rank");
    }
    out = out.trim_end().to_string();
    out.push('\n');
    for (i, stem) in table.stems.iter().enumerate() {
        let mut line = format!("{stem:stem_width$}");
        for (r, cell) in table.cells[i].iter().enumerate() {
            let text = match cell {
                Some(s) => {
                    let moved = match table.rank_change(i, r) {
                        Some(d) if d < 0 => format!(" ↑{}", -d),
                        Some(d) if d > 0 => format!(" ↓{d}"),
                        _ => String::new(),
                    };
                    let error = format!("{:.3e}", s.error);
                    format!("{error:<10}{}{moved}", s.rank)
                }
                None => format!("{:<10}{}", "-", "-"),
            };
            let _ = write!(line, "  {text:CELL$}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let mut line = format!("{:stem_width$}", "epoch");
    for run in runs {
        let error = run
            .row
            .as_ref()
            .map_or("-".to_string(), |r| format!("{:.3e}", r.error));
        let _ = write!(line, "  {error:CELL$}");
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// The table as CSV: `image` then `<run>_error,<run>_rank` per run; empty where a run lacks
/// the image. Errors are written in full (the shortest text that reads back exactly).
pub fn format_csv(runs: &[ComparedRun], table: &ErrorTable) -> String {
    let mut header = vec!["image".to_string()];
    for run in runs {
        header.push(csv_field(&format!("{}_error", run.label)));
        header.push(csv_field(&format!("{}_rank", run.label)));
    }
    let mut out = header.join(",") + "\n";
    for (i, stem) in table.stems.iter().enumerate() {
        let mut fields = vec![csv_field(stem)];
        for cell in &table.cells[i] {
            match cell {
                Some(s) => fields.extend([s.error.to_string(), s.rank.to_string()]),
                None => fields.extend([String::new(), String::new()]),
            }
        }
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Refuses an output file that exists (unless `force`), before any work is done.
pub fn check_free(path: &Path, force: bool) -> Result<()> {
    if !force && std::fs::symlink_metadata(path).is_ok() {
        bail!(
            "{}: already exists; use --force to overwrite it",
            Shown(path)
        );
    }
    Ok(())
}

/// Writes a text file the user asked for: whole or not at all, an existing one kept unless
/// `force`.
pub fn save_text(path: &Path, text: &str, force: bool) -> Result<()> {
    check_free(path, force)?;
    if force {
        crate::atomic::replace_file(path, text.as_bytes())
    } else {
        crate::atomic::create_new_file(path, text.as_bytes())
    }
}

pub fn run(args: CompareArgs) -> Result<ExitCode> {
    if args.runs.len() < 2 {
        bail!("compare needs at least two runs, e.g. nnimg compare runs/a runs/b");
    }
    if args.runs.len() > MAX_RUNS {
        bail!(
            "{} runs given; a comparison takes at most {MAX_RUNS}",
            args.runs.len()
        );
    }
    let runs = open_runs(&args.runs)?;
    let table = table_of(&runs);
    let untrained = match &args.inputs {
        Some(list) => parse_inputs(list, runs[0].trained.checkpoint.net.input_len())?,
        None => default_untrained(&runs, &table),
    };
    // Both files are checked before either is written.
    let out = args.out.unwrap_or_else(|| PathBuf::from("compare.png"));
    check_free(&out, args.force)?;
    if let Some(csv) = &args.csv {
        check_free(csv, args.force)?;
    }
    let (sheet, notes) = sheet_of(&runs, &table, &untrained, args.colormap);
    for note in notes {
        errln!("nnimg: note: {note}");
    }
    let recipe = comparison_recipe(&names_of(&runs), None, args.colormap);
    super::setup::save_picture(
        &out,
        &compare_sheet::draw_sheet(&sheet),
        &recipe,
        args.force,
    )?;
    if let Some(csv) = &args.csv {
        save_text(csv, &format_csv(&runs, &table), args.force)?;
    }
    outln!("{}", format_table(&runs, &table).trim_end());
    errln!("nnimg: sheet written to {}", Shown(out));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("run"), "run");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn inputs_are_checked_against_the_networks() {
        assert_eq!(
            parse_inputs("110, 0.5_0_1", 3).unwrap(),
            [vec![1.0, 1.0, 0.0], vec![0.5, 0.0, 1.0]]
        );
        let e = parse_inputs("1100", 3).unwrap_err().to_string();
        assert!(e.contains("has 4 values, the networks have 3"), "{e}");
        assert!(parse_inputs("2_0_0", 3).is_err());
    }
}
