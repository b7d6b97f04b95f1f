//! nnimg: a small neural network learns to paint pictures from a few "buttons".
//!
//! `net` is the experiment's maths; `data` turns `training_input/` into samples; `train`
//! runs epochs, the learning-rate schedule and the run directory on disk; `render` turns
//! output vectors into pixels, PNGs and terminal cells; `cmd` holds one function per
//! subcommand and `cli` their arguments; `shown` escapes names from outside (files, paths,
//! arguments) before anything prints them. Dependencies point one way:
//! `net` ← `train` ← `cmd`; `data` and `render` stand alone; everything may use `shown`.

pub mod atomic;
pub mod cli;
pub mod cmd;
pub mod data;
pub mod net;
pub mod render;
pub mod shown;
pub mod train;
pub mod tui;
