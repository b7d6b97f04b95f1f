//! Training runs: settings and presets, the learning-rate schedule, the epoch loop, and the
//! run directory on disk (run.json, metrics.csv, checkpoint.safetensors, outputs/).
//!
//! `Trainer` is deterministic and does no I/O; `RunDir`, `metrics` and `checkpoint` own the
//! files; `history` is what the charts keep of a run's error, bounded however long it is;
//! `checkpoint_writer` saves checkpoints on a thread of their own while training goes
//! on; `output_history` keeps the outputs at spaced epochs for scrubbing and timelapses;
//! `provenance` makes pictures' recipes and fingerprints weights; `session` ties these together for one run; `worker` runs a session on a thread for the
//! explorer, and `watch` follows a run another process trains; both send the same
//! [`Update`]s. `comparison` ranks each image's error within each of several runs.

pub mod checkpoint;
pub mod checkpoint_writer;
pub mod comparison;
pub mod config;
pub mod history;
pub mod metrics;
pub mod output_history;
pub mod provenance;
pub mod run_dir;
pub mod schedule;
pub mod session;
pub mod trainer;
pub mod update;
pub mod watch;
pub mod worker;

pub use config::{Order, Preset, TrainConfig};
pub use schedule::Halving;
pub use trainer::{EpochReport, TrainState, Trainer};
pub use update::{Progress, Update, WorkerState};
