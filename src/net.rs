//! The experiment's maths: a fully connected network with no biases and a sigmoid on every
//! non-input layer, trained by per-sample stochastic gradient descent on E = ½ Σ (y − t)².
//!
//! Nothing in here touches files or the terminal, and only `parallel` starts threads (to
//! share one step's output layer, or a single-layer network's epoch: see `columns`); `train`
//! drives it and `cmd` wires it to the outside world.

pub mod columns;
pub mod init;
pub mod kernel;
pub mod matrix;
pub mod network;
pub mod pace;
pub mod parallel;
#[cfg(test)]
pub(crate) mod reference;
pub mod sgd;

pub use matrix::Matrix;
pub use network::{Network, sigmoid};
pub use sgd::Workspace;
