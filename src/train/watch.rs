//! Follows a run that another process is training: new rows of its metrics.csv, and its
//! checkpoint whenever the file changes. Read-only: it never takes the run's lock or writes.
//!
//! Sends the same [`Update`]s into the explorer's event channel as the worker does.

use super::checkpoint;
use super::metrics::MetricsFollower;
use super::update::{Progress, Update};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

/// How often the files are looked at. The trainer flushes its metrics once a second.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Watches `metrics` and `checkpoint` on a thread until `sink` returns false.
pub fn spawn_watcher<F>(metrics: PathBuf, checkpoint: PathBuf, sink: F) -> std::io::Result<()>
where
    F: FnMut(Update) -> bool + Send + 'static,
{
    thread::Builder::new()
        .name("nnimg-watch".into())
        .spawn(move || watch(&metrics, &checkpoint, sink))
        .map(|_| ())
}

fn watch<F: FnMut(Update) -> bool>(metrics: &Path, checkpoint_path: &Path, mut sink: F) {
    let mut follower = MetricsFollower::new(metrics);
    let mut seen: Option<(SystemTime, u64)> = None;
    let mut last_error: Option<String> = None;
    // The rate of the last row seen, to tell a halving at the start of the next poll.
    let mut last_rate: Option<f32> = None;
    loop {
        let mut updates = Vec::new();
        let mut errors = Vec::new();
        match follower.poll() {
            Ok(u) if u.restarted || !u.rows.is_empty() => {
                if u.restarted {
                    last_rate = None;
                }
                let progress = Progress {
                    restarted: u.restarted,
                    ..Progress::from_rows(&u.rows, last_rate)
                };
                last_rate = u.rows.last().map(|r| r.learning_rate).or(last_rate);
                updates.push(Update::Progress(progress));
            }
            Ok(_) => {}
            Err(e) => errors.push(format!("{e:#}")),
        }
        let stamp = fs::metadata(checkpoint_path)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        if stamp.is_some() && stamp != seen {
            match checkpoint::load(checkpoint_path) {
                Ok(c) => {
                    seen = stamp;
                    updates.push(Update::Weights {
                        net: Arc::new(c.net),
                        epoch: c.state.epoch,
                    });
                }
                Err(e) => errors.push(format!("{e:#}")),
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
        thread::sleep(POLL_INTERVAL);
    }
}
