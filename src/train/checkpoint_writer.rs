//! [`CheckpointWriter`]: saves checkpoints on a thread of their own, so that training does not
//! stop every `checkpoint_every` epochs while 5 MB are serialised, written and fsynced.
//!
//! The training thread hands over a copy of the weights and the state (a [`Snapshot`]) and
//! carries on. At most one snapshot is being saved and at most one waits; a newer snapshot
//! replaces a waiting one, which nobody needs any more. So however slow the disk, the writer
//! holds at most two copies of the weights and never builds a queue.
//!
//! A failed save is kept and returned by the next [`check`](CheckpointWriter::check),
//! [`submit`](CheckpointWriter::submit) or [`wait`](CheckpointWriter::wait). Until it has been
//! returned nothing newer is saved, so the file on disk stays the last good checkpoint (each
//! save is atomic). Dropping the writer saves what is waiting and waits for it: a session never
//! ends with a checkpoint half done.
//!
//! What a save does (file names, metrics fsync) is the caller's closure; this module only
//! knows the hand-over.

use super::trainer::TrainState;
use crate::net::Network;
use anyhow::{Result, anyhow};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

/// What one checkpoint holds: the weights and the training state after `state.epoch` epochs.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub net: Network,
    pub state: TrainState,
}

/// The handle of the writer thread; dropping it finishes the waiting save and ends the thread.
pub struct CheckpointWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// What the two threads share: one small slot behind a lock, and a signal for its changes.
struct Shared {
    slot: Mutex<Slot>,
    /// Notified whenever `slot` changes; the writer waits for work, the trainer for idleness.
    changed: Condvar,
}

struct Slot {
    /// The newest snapshot not yet taken by the writer.
    waiting: Option<Snapshot>,
    /// True while the writer saves a snapshot.
    saving: bool,
    /// A failed save not yet returned to the caller. While it is set, `waiting` is None and
    /// stays None (see [`CheckpointWriter::lock_checked`]).
    error: Option<anyhow::Error>,
    /// Epoch of the newest snapshot saved (at first: of the checkpoint already on disk).
    saved_epoch: usize,
    /// Set by drop: save what is waiting, then end.
    closing: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        // Nothing panics while holding the lock (saves run outside it, behind catch_unwind),
        // so a poisoned lock still holds a consistent slot.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, slot: MutexGuard<'a, Slot>) -> MutexGuard<'a, Slot> {
        self.changed
            .wait(slot)
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl CheckpointWriter {
    /// Starts the thread. `saved_epoch` is the epoch of the checkpoint already on disk; `save`
    /// writes one snapshot and is called on the writer thread only, one snapshot at a time.
    pub fn spawn<F>(saved_epoch: usize, save: F) -> Result<Self>
    where
        F: FnMut(&Snapshot) -> Result<()> + Send + 'static,
    {
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot {
                waiting: None,
                saving: false,
                error: None,
                saved_epoch,
                closing: false,
            }),
            changed: Condvar::new(),
        });
        let thread = thread::Builder::new()
            .name("nnimg-checkpoint".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || write_snapshots(&shared, save)
            })
            .map_err(|e| anyhow!("cannot start the checkpoint thread: {e}"))?;
        Ok(CheckpointWriter {
            shared,
            thread: Some(thread),
        })
    }

    /// Hands a copy of `net` and `state` to the thread and returns without waiting for the
    /// save. A snapshot still waiting is replaced. Returns the error of an earlier failed save
    /// instead, if there is one (nothing is handed over then).
    pub fn submit(&self, net: &Network, state: &TrainState) -> Result<()> {
        // Drop the stale snapshot before copying the new one, so that even for a moment there
        // are no more than two copies: the one being saved and the one waiting.
        let stale = self.lock_checked()?.waiting.take();
        drop(stale);
        let snapshot = Snapshot {
            net: net.clone(),
            state: state.clone(),
        };
        self.lock_checked()?.waiting = Some(snapshot);
        self.shared.changed.notify_all();
        Ok(())
    }

    /// Returns the error of a failed save not returned before; never waits.
    pub fn check(&self) -> Result<()> {
        self.lock_checked().map(drop)
    }

    /// Waits until every snapshot handed over is saved, or one failed; returns that failure.
    pub fn wait(&self) -> Result<()> {
        let mut slot = self.shared.lock();
        while slot.error.is_none() && (slot.saving || slot.waiting.is_some()) {
            slot = self.shared.wait(slot);
        }
        slot.error.take().map_or(Ok(()), Err)
    }

    /// Epoch of the newest checkpoint saved by this writer, or of the one on disk when it
    /// started. Saves still waiting or in progress do not count.
    pub fn saved_epoch(&self) -> usize {
        self.shared.lock().saved_epoch
    }

    /// Locks the slot, or returns (and forgets) a failure not yet reported. Every path that
    /// puts a snapshot into the slot goes through here, so nothing is saved after a failure
    /// until the caller has heard of it.
    fn lock_checked(&self) -> Result<MutexGuard<'_, Slot>> {
        let mut slot = self.shared.lock();
        match slot.error.take() {
            Some(e) => Err(e),
            None => Ok(slot),
        }
    }
}

impl Drop for CheckpointWriter {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.take() {
            // The thread cannot panic (saves are caught), so there is nothing to report.
            let _ = thread.join();
        }
    }
}

/// The writer thread: takes the waiting snapshot, saves it outside the lock, records the
/// outcome; ends once closing and nothing waits.
fn write_snapshots(shared: &Shared, mut save: impl FnMut(&Snapshot) -> Result<()>) {
    loop {
        let snapshot = {
            let mut slot = shared.lock();
            loop {
                if let Some(snapshot) = slot.waiting.take() {
                    slot.saving = true;
                    break snapshot;
                }
                if slot.closing {
                    return;
                }
                slot = shared.wait(slot);
            }
        };
        // A panic in a save must not leave `saving` set for ever: the trainer would wait
        // for it at the end. It becomes an ordinary failed save (the panic hook has already
        // printed it).
        let result = panic::catch_unwind(AssertUnwindSafe(|| save(&snapshot)))
            .unwrap_or_else(|_| Err(anyhow!("the checkpoint thread panicked")));
        let epoch = snapshot.state.epoch;
        drop(snapshot);
        let mut slot = shared.lock();
        slot.saving = false;
        match result {
            Ok(()) => slot.saved_epoch = epoch,
            Err(e) => {
                // A newer snapshot must not replace the last good checkpoint before the
                // trainer has heard of the failure and stopped.
                slot.error = Some(e);
                slot.waiting = None;
            }
        }
        shared.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;
    use std::sync::mpsc::{self, Receiver, Sender};

    fn net() -> Network {
        init_network(&[2, 3], 1)
    }

    fn state(epoch: usize) -> TrainState {
        TrainState {
            epoch,
            ..TrainState::new(0.1)
        }
    }

    /// A writer whose saves record their epoch, fail for the epochs in `failing`, and, while
    /// `gate` is open (its sender alive), wait for one message on it before saving: so a
    /// test can hold a save in progress. Each save first reports its epoch on `started`.
    struct Harness {
        writer: CheckpointWriter,
        saved: Arc<Mutex<Vec<usize>>>,
        started: Receiver<usize>,
        gate: Option<Sender<()>>,
    }

    impl Harness {
        fn new(failing: &'static [usize]) -> Self {
            let saved = Arc::new(Mutex::new(Vec::new()));
            let (started_tx, started) = mpsc::channel();
            let (gate, gate_rx) = mpsc::channel::<()>();
            let record = Arc::clone(&saved);
            let writer = CheckpointWriter::spawn(0, move |s: &Snapshot| {
                let epoch = s.state.epoch;
                let _ = started_tx.send(epoch);
                let _ = gate_rx.recv(); // returns at once when the gate is gone
                if failing.contains(&epoch) {
                    return Err(anyhow!("disk full at epoch {epoch}"));
                }
                record.lock().unwrap().push(epoch);
                Ok(())
            })
            .unwrap();
            Harness {
                writer,
                saved,
                started,
                gate: Some(gate),
            }
        }

        fn submit(&self, epoch: usize) -> Result<()> {
            self.writer.submit(&net(), &state(epoch))
        }

        /// Lets every save from now on go ahead without waiting.
        fn open_gate(&mut self) {
            self.gate = None;
        }

        fn saved(&self) -> Vec<usize> {
            self.saved.lock().unwrap().clone()
        }
    }

    #[test]
    fn a_newer_snapshot_replaces_one_still_waiting() {
        let mut h = Harness::new(&[]);
        h.submit(100).unwrap();
        assert_eq!(h.started.recv().unwrap(), 100); // 100 is now being saved
        h.submit(200).unwrap();
        h.submit(300).unwrap(); // replaces 200, which was never taken
        h.open_gate();
        h.writer.wait().unwrap();
        assert_eq!(h.saved(), [100, 300]);
        assert_eq!(h.writer.saved_epoch(), 300);
    }

    #[test]
    fn wait_returns_only_when_the_save_in_progress_is_done() {
        let mut h = Harness::new(&[]);
        h.submit(100).unwrap();
        assert_eq!(h.started.recv().unwrap(), 100);
        let gate = h.gate.take().unwrap();
        let opener = thread::spawn(move || gate.send(()).unwrap());
        h.writer.wait().unwrap();
        assert_eq!(h.saved(), [100]);
        opener.join().unwrap();
    }

    #[test]
    fn a_failed_save_is_reported_once_and_keeps_the_last_good_epoch() {
        let mut h = Harness::new(&[200]);
        h.open_gate();
        h.submit(100).unwrap();
        h.writer.wait().unwrap();
        h.submit(200).unwrap();
        let e = h.writer.wait().unwrap_err().to_string();
        assert_eq!(e, "disk full at epoch 200");
        assert_eq!(h.writer.saved_epoch(), 100);
        // Reported once; afterwards the writer saves again.
        h.writer.check().unwrap();
        h.submit(300).unwrap();
        h.writer.wait().unwrap();
        assert_eq!(h.saved(), [100, 300]);
    }

    #[test]
    fn nothing_newer_is_saved_after_a_failure_until_it_is_reported() {
        let mut h = Harness::new(&[100]);
        h.submit(100).unwrap();
        assert_eq!(h.started.recv().unwrap(), 100);
        h.submit(200).unwrap(); // waits behind the save that will fail
        h.open_gate();
        // The failure is returned by whichever call comes first after it; the snapshot of
        // epoch 200 that waited is dropped, and later submits are refused until then.
        let e = loop {
            if let Err(e) = h.submit(300) {
                break e;
            }
        };
        assert_eq!(e.to_string(), "disk full at epoch 100");
        h.writer.wait().unwrap();
        assert_eq!(h.saved(), Vec::<usize>::new());
        assert_eq!(h.writer.saved_epoch(), 0);
    }

    #[test]
    fn dropping_the_writer_saves_what_is_waiting_first() {
        let mut h = Harness::new(&[]);
        h.submit(100).unwrap();
        assert_eq!(h.started.recv().unwrap(), 100);
        h.submit(200).unwrap();
        h.open_gate();
        let saved = Arc::clone(&h.saved);
        drop(h);
        assert_eq!(*saved.lock().unwrap(), [100, 200]);
    }

    #[test]
    fn a_panicking_save_becomes_an_error() {
        let writer = CheckpointWriter::spawn(0, |_: &Snapshot| panic!("bug in a save")).unwrap();
        writer.submit(&net(), &state(100)).unwrap();
        let e = writer.wait().unwrap_err().to_string();
        assert!(e.contains("panicked"), "{e}");
    }
}
