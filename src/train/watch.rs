//! Follows a run that another process trains: new rows of its metrics.csv, its checkpoint
//! whenever the file changes, its epoch total whenever run.json changes, and whether a
//! process trains it at all (the training lock, probed for an instant). Writes nothing.
//!
//! Sends the same [`Update`]s into the explorer's event channel as the worker does, plus
//! [`Update::Watched`] when the trainer starts, stops or finishes, or the total changes.
//! The log is read once, each byte a single time: a long log in bounded steps with no pause
//! between them, then only what the trainer appends.

use super::checkpoint;
use super::history::Point;
use super::metrics::MetricsFollower;
use super::run_dir::RunDir;
use super::update::{Progress, Update, Watched};
use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

/// How often the files are looked at. The trainer flushes its metrics once a second.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Watches `run` on a thread until `sink` returns false.
pub fn spawn_watcher<F>(run: RunDir, sink: F) -> std::io::Result<()>
where
    F: FnMut(Update) -> bool + Send + 'static,
{
    thread::Builder::new()
        .name("nnimg-watch".into())
        .spawn(move || watch(&run, sink))
        .map(|_| ())
}

/// When and how big a file was: what tells that it changed.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    fs::metadata(path)
        .ok()
        .and_then(|m| Some((m.modified().ok()?, m.len())))
}

fn watch<F: FnMut(Update) -> bool>(run: &RunDir, mut sink: F) {
    let mut follower = MetricsFollower::new(&run.metrics());
    let (mut checkpoint_seen, mut config_seen): (Stamp, Stamp) = (None, None);
    let mut last_error: Option<String> = None;
    // The last row seen, to tell a halving at the start of the next poll.
    let mut last_point: Option<Point> = None;
    let (mut epoch, mut total) = (0, None);
    let mut watched: Option<Watched> = None;
    loop {
        let mut updates = Vec::new();
        let mut errors = Vec::new();
        let mut more = false;
        match follower.poll() {
            Ok(u) => {
                more = u.more;
                errors.extend(u.problem);
                if u.restarted {
                    last_point = None;
                }
                if u.restarted || !u.points.is_empty() {
                    let next_last = u.points.last().copied().or(last_point);
                    let progress = Progress {
                        restarted: u.restarted,
                        ..Progress::from_rows(u.points, u.last.as_ref(), last_point)
                    };
                    last_point = next_last;
                    updates.push(Update::Progress(progress));
                }
            }
            Err(e) => errors.push(format!("{e:#}")),
        }
        // While a long log is being caught up with, the rest waits for the next pause.
        if !more {
            let now = stamp(&run.checkpoint());
            if now.is_some() && now != checkpoint_seen {
                match checkpoint::load(&run.checkpoint()) {
                    Ok(c) => {
                        checkpoint_seen = now;
                        epoch = c.state.epoch;
                        updates.push(Update::Weights {
                            net: Arc::new(c.net),
                            epoch,
                        });
                    }
                    Err(e) => errors.push(format!("{e:#}")),
                }
            }
            let now = stamp(&run.run_json());
            if now != config_seen {
                match run.read_config() {
                    Ok(c) => {
                        config_seen = now;
                        total = Some(c.epochs);
                    }
                    Err(e) => errors.push(format!("{e:#}")),
                }
            }
            let training = run.has_trainer().unwrap_or_else(|e| {
                errors.push(format!("{e:#}"));
                false
            });
            if let Some(total_epochs) = total {
                let now = Watched {
                    training,
                    done: !training && epoch >= total_epochs,
                    total_epochs,
                };
                if watched != Some(now) {
                    watched = Some(now);
                    updates.push(Update::Watched(now));
                }
            }
        }
        let error = (!errors.is_empty()).then(|| errors.join("; "));
        if error.is_some() && error != last_error {
            updates.push(Update::Failed(error.clone().unwrap_or_default()));
        }
        last_error = error;
        for update in updates {
            if !sink(update) {
                return;
            }
        }
        if !more {
            thread::sleep(POLL_INTERVAL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;
    use crate::train::config::Order;
    use crate::train::run_dir::Holder;
    use crate::train::trainer::tests::tiny_config;
    use crate::train::{TrainConfig, TrainState};
    use std::sync::mpsc;

    /// Waits until the watcher reports `(training, done, total_epochs)`; the states it may
    /// report on the way (a poll between two steps of a change) are skipped.
    fn wait_for(updates: &mpsc::Receiver<Update>, expected: (bool, bool, usize)) {
        loop {
            match updates.recv_timeout(Duration::from_secs(30)) {
                Ok(Update::Watched(w)) if (w.training, w.done, w.total_epochs) == expected => {
                    return;
                }
                Ok(_) => {}
                Err(e) => panic!("the watcher never reported {expected:?}: {e}"),
            }
        }
    }

    #[test]
    fn follows_the_trainer_stopping_the_run_being_extended_and_finishing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run");
        let mut trainer = RunDir::create(&path).unwrap();
        let mut config = TrainConfig {
            epochs: 20,
            samples: vec!["100".into()],
            ..tiny_config(Order::Fixed)
        };
        trainer.write_new_config(&config).unwrap();
        let net = init_network(&config.layers, 1);
        let at = |epoch| TrainState {
            epoch,
            ..TrainState::new(0.1)
        };
        checkpoint::save(&trainer.checkpoint(), &net, &at(10), "custom").unwrap();
        trainer.lock_for_training(Holder::Train).unwrap();

        let (tx, updates) = mpsc::channel();
        spawn_watcher(RunDir::open(&path).unwrap(), move |u| tx.send(u).is_ok()).unwrap();
        wait_for(&updates, (true, false, 20));

        // The trainer stops at epoch 10 of 20.
        drop(trainer);
        wait_for(&updates, (false, false, 20));

        // A resume extends the run to 30 epochs and trains to the end.
        let mut trainer = RunDir::open(&path).unwrap();
        trainer.lock_for_training(Holder::Train).unwrap();
        config.epochs = 30;
        trainer.update_config(&config).unwrap();
        wait_for(&updates, (true, false, 30));
        checkpoint::save(&trainer.checkpoint(), &net, &at(30), "custom").unwrap();
        drop(trainer);
        wait_for(&updates, (false, true, 30));
    }
}
