//! The training thread of the explorer: it owns a [`Session`], takes [`Command`]s from its own
//! channel and hands small owned [`Update`]s to a sink (the UI's event channel).
//!
//! At thousands of epochs a second the UI must not see every epoch as its own message, and
//! the training must not wait for the UI. So the epochs are collected into one [`Progress`]
//! batch that goes out at most every `interval`, and only once the UI has taken the previous
//! one (it calls [`Worker::progress_taken`]); the weights go with it as an `Arc` snapshot at
//! most every `weights_interval`. Nothing is shared with the UI but that one flag.
//!
//! A failed send means the UI is gone: the worker saves a checkpoint and ends. Dropping a
//! [`Worker`] stops the thread and waits for that checkpoint, so a panic on the UI thread
//! still saves the training.

use super::session::Session;
use super::update::{Progress, Update, WorkerState};
use anyhow::{Result, anyhow};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// What the UI asks of the worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Pause,
    Resume,
    /// Save a checkpoint now (training goes on).
    Checkpoint,
    /// Save a checkpoint and the outputs, and end the thread.
    Stop,
}

/// How the thread ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub run: PathBuf,
    pub epoch: usize,
    pub total_epochs: usize,
    /// True when the checkpoint on disk holds `epoch`.
    pub saved: bool,
}

/// Timing of the worker's messages.
#[derive(Clone, Copy, Debug)]
pub struct Pacing {
    /// Least time between two progress batches.
    pub interval: Duration,
    /// Least time between two weight snapshots.
    pub weights_interval: Duration,
}

/// The handle of a running worker thread.
pub struct Worker {
    commands: Sender<Command>,
    taken: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<Summary>>>,
}

impl Worker {
    /// Starts training `session` on a new thread, paused if `paused`. `sink` is called with
    /// every update and returns false when the receiver is gone.
    pub fn spawn<F>(session: Session, paused: bool, pacing: Pacing, sink: F) -> Result<Worker>
    where
        F: FnMut(Update) -> bool + Send + 'static,
    {
        let (tx, rx) = mpsc::channel();
        let taken = Arc::new(AtomicBool::new(true));
        let flag = Arc::clone(&taken);
        let thread = thread::Builder::new()
            .name("nnimg-train".into())
            .spawn(move || {
                Loop {
                    session,
                    commands: rx,
                    sink,
                    taken: flag,
                    pacing,
                    batch: Progress::default(),
                    last_flush: Instant::now(),
                    last_weights: None,
                    sink_gone: false,
                }
                .run(paused)
            })
            .map_err(|e| anyhow!("cannot start the training thread: {e}"))?;
        Ok(Worker {
            commands: tx,
            taken,
            thread: Some(thread),
        })
    }

    /// Sends a command; false if the thread has ended.
    pub fn send(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }

    /// Tells the worker the UI has taken its last progress batch, so it may send the next.
    pub fn progress_taken(&self) {
        self.taken.store(true, Ordering::Release);
    }

    /// Stops the thread (checkpoint and outputs are saved) and waits for it.
    pub fn stop(mut self) -> Result<Summary> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<Summary> {
        let _ = self.commands.send(Command::Stop);
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| anyhow!("the training thread panicked"))?,
            None => Err(anyhow!("the training thread was already stopped")),
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.stop_and_join();
        }
    }
}

/// The thread's state.
struct Loop<F> {
    session: Session,
    commands: Receiver<Command>,
    sink: F,
    taken: Arc<AtomicBool>,
    pacing: Pacing,
    batch: Progress,
    last_flush: Instant,
    /// When the last weights went out, and of which epoch.
    last_weights: Option<(Instant, usize)>,
    sink_gone: bool,
}

impl<F: FnMut(Update) -> bool> Loop<F> {
    fn run(mut self, paused: bool) -> Result<Summary> {
        let mut state = if self.session.is_done() {
            WorkerState::Done
        } else if paused {
            WorkerState::Paused
        } else {
            WorkerState::Training
        };
        self.send(Update::State(state));
        self.send_weights();
        while !self.sink_gone {
            let command = if state == WorkerState::Training {
                match self.commands.try_recv() {
                    Ok(c) => Some(c),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => Some(Command::Stop),
                }
            } else {
                // Idle: wake now and then to deliver a batch the UI was not ready for.
                match self.commands.recv_timeout(self.pacing.interval) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => {
                        self.flush(false);
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => Some(Command::Stop),
                }
            };
            match command {
                Some(Command::Stop) => break,
                Some(Command::Pause) if state == WorkerState::Training => {
                    state = WorkerState::Paused;
                    self.flush(true);
                    self.send(Update::State(state));
                }
                Some(Command::Resume) if state == WorkerState::Paused => {
                    state = WorkerState::Training;
                    self.send(Update::State(state));
                }
                Some(Command::Resume) if state == WorkerState::Done => {
                    let epochs = self.session.config().epochs;
                    self.send(Update::Failed(format!(
                        "the run is complete at {epochs} epochs; to train further, reopen it with --epochs N"
                    )));
                }
                Some(Command::Checkpoint) => match self.session.save_checkpoint() {
                    Ok(()) => self.send(Update::Saved {
                        epoch: self.session.epoch(),
                    }),
                    Err(e) => self.send(Update::Failed(format!("{e:#}"))),
                },
                Some(_) => {}
                None => {
                    match self.session.run_epoch() {
                        Ok(report) => self.batch.push(report),
                        Err(e) => {
                            state = WorkerState::Failed;
                            self.flush(true);
                            self.send(Update::Failed(format!("{e:#}")));
                            self.send(Update::State(state));
                            continue;
                        }
                    }
                    if self.session.is_done() {
                        state = WorkerState::Done;
                        self.flush(true);
                        match self.session.finish() {
                            Ok(()) => self.send(Update::Saved {
                                epoch: self.session.epoch(),
                            }),
                            Err(e) => self.send(Update::Failed(format!("{e:#}"))),
                        }
                        self.send(Update::State(state));
                    } else {
                        self.flush(false);
                    }
                }
            }
        }
        let finished = self.session.finish();
        let summary = Summary {
            run: self.session.run_dir().path().to_path_buf(),
            epoch: self.session.epoch(),
            total_epochs: self.session.config().epochs,
            saved: finished.is_ok() && state != WorkerState::Failed,
        };
        finished.map(|()| summary)
    }

    /// Sends the batch (and, at their own pace, the weights) when it is time and the UI has
    /// taken the last one; `force` sends regardless (on pause, done, failure).
    fn flush(&mut self, force: bool) {
        let due =
            self.last_flush.elapsed() >= self.pacing.interval && self.taken.load(Ordering::Acquire);
        if !(force || due) {
            return;
        }
        self.last_flush = Instant::now();
        if !self.batch.points.is_empty() {
            let mut batch = std::mem::take(&mut self.batch);
            batch.seconds = self.session.seconds();
            batch.next_learning_rate = self.session.trainer().state().learning_rate;
            self.taken.store(false, Ordering::Release);
            self.send(Update::Progress(batch));
        }
        // Weights only when they changed: an idle worker sends nothing.
        let weights_due = self.last_weights.is_none_or(|(t, epoch)| {
            epoch != self.session.epoch() && (force || t.elapsed() >= self.pacing.weights_interval)
        });
        if weights_due {
            self.send_weights();
        }
    }

    fn send_weights(&mut self) {
        self.last_weights = Some((Instant::now(), self.session.epoch()));
        let net = Arc::new(self.session.trainer().network().clone());
        let epoch = self.session.epoch();
        self.send(Update::Weights { net, epoch });
    }

    fn send(&mut self, update: Update) {
        if !self.sink_gone && !(self.sink)(update) {
            self.sink_gone = true;
        }
    }
}
