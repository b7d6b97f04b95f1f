//! [`Session`]: a run directory being trained by this process — the trainer plus everything
//! it writes: run.json, the metrics log, checkpoints and the last epoch's outputs.
//!
//! Used alike by the headless `train` command and the explorer's worker thread.
//!
//! Checkpoints during training are saved by a [`CheckpointWriter`] thread, so the trainer
//! does not wait for the disk; the saves that end a session (finish, stop, an explicit save)
//! wait until the checkpoint is on disk.

use super::checkpoint;
use super::checkpoint_writer::{CheckpointWriter, Snapshot};
use super::config::TrainConfig;
use super::metrics::{self, Header, LogBucket, LogPlan, MetricsReader, MetricsRow, MetricsWriter};
use super::output_history::{HISTORY_FILE, HistoryWriter, Layout};
use super::run_dir::RunDir;
use super::trainer::{EpochReport, TrainError, TrainState, Trainer};
use crate::data::{Sample, load_samples};
use crate::net::Network;
use crate::net::init::init_network_in_range;
use crate::net::kernel::Kernel;
use crate::render::Picture;
use crate::render::pixels::ColorMap;
use crate::shown::Shown;
use anyhow::{Context, Result, anyhow, bail};
use std::fs;
use std::time::Instant;

/// A locked run directory and the trainer that writes it.
pub struct Session {
    /// First, so that it is dropped first: its last save is complete before the run's lock
    /// (in `run`) is released.
    writer: CheckpointWriter,
    run: RunDir,
    config: TrainConfig,
    trainer: Trainer,
    metrics: MetricsWriter,
    /// The outputs at spaced epochs, for scrubbing back through training.
    history: HistoryWriter,
    /// What opening the run had to say (a damaged history cut short), for the caller to show.
    notes: Vec<String>,
    /// Training seconds of the run so far: earlier sessions plus this one's epochs. Only
    /// the time in epochs counts, so a paused or finished explorer adds nothing to it.
    seconds: f64,
    diverged: bool,
}

/// The weights a new run starts from: the `init` file of `config` (its layers must match),
/// or the seeded initialisation (within the run's `init_range`, if it has one).
pub fn initial_network(config: &TrainConfig) -> Result<Network> {
    match &config.init {
        Some(path) => {
            let net = checkpoint::load_weights(path)?;
            if net.layers() != config.layers.as_slice() {
                bail!(
                    "{}: has layers {:?} but this run needs {:?}",
                    Shown(&path),
                    net.layers(),
                    config.layers
                );
            }
            Ok(net)
        }
        None => Ok(init_network_in_range(
            &config.layers,
            config.seed,
            config.init_range,
        )),
    }
}

/// True when the run has no checkpoint and no metrics rows: a start interrupted before its
/// first checkpoint, which nothing has trained yet.
fn is_unstarted(run: &RunDir) -> Result<bool> {
    match fs::symlink_metadata(run.checkpoint()) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        _ => return Ok(false),
    }
    if !run.metrics().exists() {
        return Ok(true);
    }
    // Only the first row is read: a log of any length costs the same.
    let has_no_rows = MetricsReader::open(&run.metrics(), LogPlan::every_epoch())
        .and_then(|mut r| r.next_row(&mut MetricsRow::default()))
        .is_ok_and(|has_row| !has_row);
    Ok(has_no_rows)
}

impl Session {
    /// Starts a new run in `run` (created and locked by the caller): writes run.json, the
    /// metrics header and a checkpoint of the initial weights.
    pub fn start(
        run: RunDir,
        config: TrainConfig,
        net: Network,
        samples: Vec<Sample>,
    ) -> Result<Self> {
        run.write_new_config(&config)?;
        let plan = LogPlan::new(config.log_every);
        let header = metrics::truncate_after(&run.metrics(), &config.samples, 0, 0, plan)?;
        let state = TrainState::new(config.learning_rate);
        checkpoint::save(&run.checkpoint(), &net, &state, &config.preset)?;
        let trainer = Trainer::new(&config, net, samples, state);
        Self::with_trainer(run, config, trainer, header)
    }

    /// Resumes the run in `run` (locked by the caller) from its checkpoint, optionally with a
    /// new epoch total. The training folder must still hold the same samples; metrics rows
    /// after the checkpoint are dropped.
    pub fn resume(run: RunDir, epochs: Option<usize>) -> Result<Self> {
        let mut config = run.read_config()?;
        let loaded = load_samples(&config.data, config.shape(), config.fit)?;
        let stems: Vec<String> = loaded.samples.iter().map(|s| s.stem.clone()).collect();
        if stems != config.samples {
            bail!(
                "{}: the training images changed since the run started (run.json lists {}, the folder has {}); \
                 restore them or start a new run",
                Shown(&config.data),
                Shown(config.samples.join(" ")),
                Shown(stems.join(" "))
            );
        }
        let path = run.checkpoint();
        let saved = if is_unstarted(&run)? {
            // The first start was killed between writing run.json and the first checkpoint:
            // epoch 0 follows from run.json alone, so write it now.
            let net = initial_network(&config)?;
            let state = TrainState::new(config.learning_rate);
            checkpoint::save(&path, &net, &state, &config.preset)?;
            checkpoint::Checkpoint {
                net,
                state,
                preset: config.preset.clone(),
            }
        } else {
            checkpoint::load(&path)?
        };
        if saved.net.layers() != config.layers.as_slice() {
            bail!(
                "{}: layers {:?} do not match run.json's {:?}; the checkpoint belongs to another run",
                Shown(&path),
                saved.net.layers(),
                config.layers
            );
        }
        if saved.preset != config.preset {
            bail!(
                "{}: written by a run of preset '{}', but run.json says preset '{}'; the checkpoint belongs to another run",
                Shown(&path),
                Shown(&saved.preset),
                Shown(&config.preset)
            );
        }
        if let Some(epochs) = epochs {
            if epochs == 0 {
                bail!("--epochs must be at least 1");
            }
            if epochs < saved.state.epoch {
                // Would leave run.json's total behind the checkpoint ("epoch 20000/15000").
                bail!(
                    "{}: has trained {} epochs already, more than --epochs {epochs} (the new total); \
                     give more than {} to train further",
                    Shown(run.path()),
                    saved.state.epoch,
                    saved.state.epoch
                );
            }
            if epochs != config.epochs {
                config.epochs = epochs;
                run.update_config(&config)?;
            }
        }
        // Rows after the checkpoint's last planned row go: a session's closing row, and
        // whatever was logged after the checkpoint before a crash.
        let epoch = saved.state.epoch;
        let log = saved.state.log.unwrap_or(LogBucket::empty_after(epoch));
        let plan = LogPlan::new(config.log_every);
        let header = metrics::truncate_after(
            &run.metrics(),
            &config.samples,
            log.last_row.min(epoch),
            epoch,
            plan,
        )?;
        let trainer = Trainer::new(&config, saved.net, loaded.samples, saved.state);
        Self::with_trainer(run, config, trainer, header)
    }

    fn with_trainer(
        run: RunDir,
        config: TrainConfig,
        trainer: Trainer,
        header: Header,
    ) -> Result<Self> {
        fs::create_dir_all(run.outputs())
            .with_context(|| format!("{}: cannot create", Shown(&run.outputs())))?;
        let epoch = trainer.state().epoch;
        let log = trainer.state().log.unwrap_or(LogBucket::empty_after(epoch));
        let plan = LogPlan::new(config.log_every);
        let metrics = MetricsWriter::append_to(&run.metrics(), header, plan, log)?;
        let layout = Layout {
            samples: trainer.samples().len(),
            width: config.width,
            height: config.height,
            channels: config.channels(),
        };
        let (history, note) = HistoryWriter::open(
            &run.path().join(HISTORY_FILE),
            layout,
            trainer.state().epoch,
        )?;
        let metrics_on_disk = metrics.syncer()?;
        let (path, preset) = (run.checkpoint(), config.preset.clone());
        // The trainer flushes the metrics rows up to the snapshot's epoch before handing it
        // over; fsyncing them before the checkpoint keeps the log from ending before it.
        let writer = CheckpointWriter::spawn(trainer.state().epoch, move |s: &Snapshot| {
            metrics_on_disk.sync()?;
            checkpoint::save(&path, &s.net, &s.state, &preset)
        })?;
        let mut session = Session {
            writer,
            metrics,
            history,
            notes: note.into_iter().collect(),
            seconds: trainer.state().seconds,
            diverged: false,
            run,
            config,
            trainer,
        };
        session.record_history()?;
        Ok(session)
    }

    /// Notes from opening the run (a damaged picture history cut short), once.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// Appends the outputs for every training sample to the picture history when the
    /// current epoch is one it keeps.
    fn record_history(&mut self) -> Result<()> {
        let epoch = self.epoch();
        if !self.history.wants(epoch) {
            return Ok(());
        }
        let net = self.trainer.network();
        let outputs: Vec<Vec<f32>> = self
            .trainer
            .samples()
            .iter()
            .map(|s| net.predict(&s.input))
            .collect();
        self.history.append(epoch, &outputs)
    }

    pub fn run_dir(&self) -> &RunDir {
        &self.run
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Threads per training step: `Some(n)` from `--threads`, None for the default.
    pub fn set_threads(&mut self, threads: Option<usize>) {
        self.trainer.set_threads(threads);
    }

    /// The kernel that trains: `Some` from `--kernel`, None for the widest this CPU runs.
    pub fn set_kernel(&mut self, kernel: Option<Kernel>) {
        if let Some(kernel) = kernel {
            self.trainer.set_kernel(kernel);
        }
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Epochs completed so far (over all sessions of the run).
    pub fn epoch(&self) -> usize {
        self.trainer.state().epoch
    }

    /// True when the run has reached its epoch total.
    pub fn is_done(&self) -> bool {
        self.epoch() >= self.config.epochs
    }

    /// Seconds spent in epochs over the whole run so far (pauses and idle time not counted).
    pub fn seconds(&self) -> f64 {
        self.seconds
    }

    /// Runs one epoch, logs it, and every `checkpoint_every` epochs hands a checkpoint to the
    /// writer thread without waiting for it. Divergence is an error that keeps the last good
    /// checkpoint; so is a checkpoint that failed to save since the last epoch.
    pub fn run_epoch(&mut self) -> Result<EpochReport> {
        // A save fails in the background, so it is noticed here, before training goes on
        // (the file on disk is still the previous checkpoint).
        self.writer.check()?;
        let started = Instant::now();
        let report = self.trainer.run_epoch();
        self.seconds += started.elapsed().as_secs_f64();
        let report = report.map_err(|e| self.diverge(e))?;
        self.metrics.append(&report, self.seconds())?;
        self.record_history()?;
        if report.epoch % self.config.checkpoint_every == 0 {
            self.submit_checkpoint()?;
        }
        Ok(report)
    }

    /// Marks the session as diverged; the error names the run and the checkpoint kept.
    fn diverge(&mut self, e: TrainError) -> anyhow::Error {
        self.diverged = true;
        // The message names the checkpoint kept, so wait for a save in progress. If that
        // save failed, its error comes first: it would have stopped the run before training
        // reached the divergence, had the save not been in the background.
        if let Err(save_error) = self.writer.wait() {
            return save_error;
        }
        anyhow!(
            "{}: {e}; the last good checkpoint (epoch {}) is kept",
            Shown(&self.run.path()),
            self.writer.saved_epoch(),
        )
    }

    /// Saves a checkpoint of the current weights (atomically) and waits until it is on disk.
    /// Fails if the weights have diverged: a diverged network never replaces a good one.
    pub fn save_checkpoint(&mut self) -> Result<()> {
        self.submit_checkpoint()?;
        self.writer.wait()
    }

    /// Flushes the metrics and hands a snapshot of the weights to the writer thread, after
    /// checking that they are not diverged.
    fn submit_checkpoint(&mut self) -> Result<()> {
        if self.diverged {
            bail!(
                "training diverged; the last good checkpoint (epoch {}) is kept",
                self.writer.saved_epoch()
            );
        }
        if let Err(e) = self.trainer.check_health() {
            return Err(self.diverge(e));
        }
        // The rows up to this epoch reach the file now; the writer fsyncs them before the
        // checkpoint, so that after a crash the log never ends before the checkpoint.
        self.metrics.flush()?;
        self.trainer.set_seconds(self.seconds());
        self.trainer.set_log(self.metrics.bucket());
        self.writer
            .submit(self.trainer.network(), self.trainer.state())
    }

    /// Ends a session: saves a checkpoint if there is unsaved progress, waits until it is on
    /// disk, and writes `outputs/<stem>.png` for every training sample. Does nothing after
    /// divergence. An earlier checkpoint that failed in the background is reported here.
    pub fn finish(&mut self) -> Result<()> {
        if self.diverged {
            return Ok(());
        }
        self.writer.wait()?;
        // The log ends with this session's last epoch even where the plan skips it.
        self.metrics.close()?;
        if self.writer.saved_epoch() != self.epoch() {
            self.save_checkpoint()?;
        }
        self.write_outputs()
    }

    /// Writes the network's output for each training sample to `outputs/<stem>.png`, each
    /// carrying its recipe.
    pub fn write_outputs(&self) -> Result<()> {
        let net = self.trainer.network();
        let recipe = crate::render::recipe::Recipe {
            colormap: Some(ColorMap::Grey.name().to_owned()),
            scale: Some(1),
            ..super::provenance::run_recipe(self.run.path(), &self.config.preset, self.epoch(), net)
        };
        for sample in self.trainer.samples() {
            let y = net.predict(&sample.input);
            let c = &self.config;
            let picture = Picture::from_output(&y, c.width, c.height, c.channels(), ColorMap::Grey)
                .expect("run.json's output layer was validated against the picture");
            let recipe = crate::render::recipe::Recipe {
                input: Some(sample.input.clone()),
                ..recipe.clone()
            };
            picture.write_png(
                &self.run.outputs().join(format!("{}.png", sample.stem)),
                &recipe,
                true,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;
    use crate::train::Order;
    use crate::train::trainer::tests::{tiny_config, tiny_samples};
    use std::path::Path;

    /// A 2 → 3 → 4 network on three samples (the trainer tests' fixture), started in
    /// `dir/run`.
    fn tiny_session(dir: &Path, checkpoint_every: usize) -> Session {
        let samples = tiny_samples();
        let config = TrainConfig {
            epochs: 1000,
            checkpoint_every,
            samples: samples.iter().map(|s| s.stem.clone()).collect(),
            ..tiny_config(Order::Shuffle)
        };
        let mut run = RunDir::create(&dir.join("run")).unwrap();
        run.lock_for_training(crate::train::run_dir::Holder::Train)
            .unwrap();
        let net = init_network(&config.layers, config.seed);
        Session::start(run, config, net, samples).unwrap()
    }

    fn saved_epoch(dir: &Path) -> usize {
        checkpoint::load(&dir.join("run/checkpoint.safetensors"))
            .unwrap()
            .state
            .epoch
    }

    #[test]
    fn finish_leaves_the_last_epochs_checkpoint_on_disk() {
        // Checkpoints at 2 and 4 go to the background writer; finish saves 5 and waits.
        let dir = tempfile::tempdir().unwrap();
        let mut session = tiny_session(dir.path(), 2);
        for _ in 0..5 {
            session.run_epoch().unwrap();
        }
        session.finish().unwrap();
        assert_eq!(saved_epoch(dir.path()), 5);
        let rows = metrics::read(&dir.path().join("run/metrics.csv"), LogPlan::every_epoch())
            .unwrap()
            .rows;
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn idle_time_is_not_training_time() {
        // The clock used to run from the session's start: pressing `s` on a finished run
        // after 10 s idle moved the checkpoint's seconds from 11.15 to 21.13, and a pause
        // in the explorer added its length to metrics.csv.
        let dir = tempfile::tempdir().unwrap();
        let mut session = tiny_session(dir.path(), 1000);
        for _ in 0..3 {
            session.run_epoch().unwrap();
        }
        let trained = session.seconds();
        assert!(trained > 0.0);
        std::thread::sleep(std::time::Duration::from_millis(300));
        session.save_checkpoint().unwrap();
        let saved = checkpoint::load(&dir.path().join("run/checkpoint.safetensors")).unwrap();
        assert_eq!(saved.state.seconds, trained);
        assert_eq!(session.seconds(), trained);
    }

    #[test]
    fn dropping_a_session_completes_the_checkpoint_in_flight() {
        // Every exit path (an error returned past the session, a panic) drops it; the
        // checkpoint handed to the writer must still land, and before the lock is released.
        let dir = tempfile::tempdir().unwrap();
        let mut session = tiny_session(dir.path(), 4);
        for _ in 0..4 {
            session.run_epoch().unwrap();
        }
        drop(session);
        assert_eq!(saved_epoch(dir.path()), 4);
    }

    #[test]
    fn a_checkpoint_that_fails_in_the_background_stops_training_with_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut session = tiny_session(dir.path(), 1);
        // A folder where the checkpoint goes: the rename of every save fails.
        let path = dir.path().join("run/checkpoint.safetensors");
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        // The save of epoch 1 fails on the writer thread; a later epoch (whichever starts
        // after the failure) returns its error, and no epoch after that runs.
        let e = loop {
            if let Err(e) = session.run_epoch() {
                break format!("{e:#}");
            }
        };
        assert!(
            e.starts_with(&format!("{}: cannot write", path.display())),
            "{e}"
        );
        // The failed saves left no temporary file behind.
        let names: Vec<_> = fs::read_dir(dir.path().join("run"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
        // Finishing tries once more, and says so when that fails too.
        let e = format!("{:#}", session.finish().unwrap_err());
        assert!(e.contains("cannot write"), "{e}");
    }
}
