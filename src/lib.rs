//! nnimg: a small neural network learns to paint pictures from a few "buttons".
//!
//! The crate map, one line per module:
//! - `cli`: the command line's clap types only; maps its own enums into the library's types.
//! - `cmd`: one function per subcommand, glue between the command line and the library.
//! - `tui`: the explorer: state by concept, key table, chart history, event loop, widgets.
//! - `train`: runs: settings, schedule, trainer, session, checkpoints, metrics, the picture
//!   history, the worker thread and the watcher, which both send `train::Update`s.
//! - `net`: the experiment's maths (matrix, network, forward pass, SGD step, kernels).
//! - `render`: pictures only: `render::Picture`, half-block cells, PNG files, contact sheets,
//!   animations and the recipes pictures carry.
//! - `data`: `training_input/` to samples: stem → input vector, image → target.
//! - `atomic`: whole-or-nothing file writes (temp file, fsync, rename; create_new).
//! - `shown`: names from outside (files, paths, arguments, run files) escaped for printing.
//!
//! Dependencies point one way: `cmd` (with `cli`) and `tui` → `train` → `net`; `cmd` → `tui`
//! to start the explorer. `render`, `data` and `atomic` stand alone: they import nothing of
//! the layers above (only `render` uses `atomic`, to write its files) and anyone may use
//! them; `shown` imports nothing and everything that prints uses it. No import cycles, and nothing points upward (the explorer never imports a command).

#![deny(unsafe_code)]

pub mod atomic;
pub mod cli;
pub mod cmd;
pub mod data;
pub mod net;
pub mod render;
pub mod shown;
pub mod train;
pub mod tui;
