//! Follows a run that another process is training: new rows of its metrics.csv, and its
//! checkpoint whenever the file changes. Read-only: it never takes the run's lock or writes.
//!
//! Sends [`WatchUpdate`]s into the explorer's event channel, as the worker sends its reports.

use crate::net::Network;
use crate::train::checkpoint;
use crate::train::history::Point;
use crate::train::metrics::{MetricsFollower, MetricsRow};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

/// How often the files are looked at. The trainer flushes its metrics once a second.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// What the watcher found.
#[derive(Clone, Debug)]
pub enum WatchUpdate {
    /// Rows appended to metrics.csv; `restarted` means the file was rewritten and the rows
    /// seen before are to be forgotten.
    Rows {
        restarted: bool,
        points: Vec<Point>,
        /// The last new row in full.
        last: Option<MetricsRow>,
    },
    /// The checkpoint changed: its weights and epoch.
    Weights { net: Arc<Network>, epoch: usize },
    /// One line saying what cannot be read (repeated only when it changes).
    Failed(String),
}

/// Watches `metrics` and `checkpoint` on a thread until `sink` returns false.
pub fn spawn_watcher<F>(metrics: PathBuf, checkpoint: PathBuf, sink: F) -> std::io::Result<()>
where
    F: FnMut(WatchUpdate) -> bool + Send + 'static,
{
    thread::Builder::new()
        .name("nnimg-watch".into())
        .spawn(move || watch(&metrics, &checkpoint, sink))
        .map(|_| ())
}

fn watch<F: FnMut(WatchUpdate) -> bool>(metrics: &Path, checkpoint_path: &Path, mut sink: F) {
    let mut follower = MetricsFollower::new(metrics);
    let mut seen: Option<(SystemTime, u64)> = None;
    let mut last_error: Option<String> = None;
    loop {
        let mut updates = Vec::new();
        let mut errors = Vec::new();
        let mut more = false;
        match follower.poll() {
            Ok(u) => {
                more = u.more;
                errors.extend(u.problem);
                if u.restarted || !u.points.is_empty() {
                    updates.push(WatchUpdate::Rows {
                        restarted: u.restarted,
                        points: u.points,
                        last: u.last,
                    });
                }
            }
            Err(e) => errors.push(format!("{e:#}")),
        }
        let stamp = fs::metadata(checkpoint_path)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        if stamp.is_some() && stamp != seen {
            match checkpoint::load(checkpoint_path) {
                Ok(c) => {
                    seen = stamp;
                    updates.push(WatchUpdate::Weights {
                        net: Arc::new(c.net),
                        epoch: c.state.epoch,
                    });
                }
                Err(e) => errors.push(format!("{e:#}")),
            }
        }
        let error = (!errors.is_empty()).then(|| errors.join("; "));
        if error.is_some() && error != last_error {
            updates.push(WatchUpdate::Failed(error.clone().unwrap_or_default()));
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
