//! The experiment's maths: a fully connected network with no biases and a sigmoid on every
//! non-input layer, trained by per-sample stochastic gradient descent on E = ½ Σ (y − t)².
//!
//! Nothing in here touches files or the terminal, and only `parallel` starts threads (to
//! share one step's output layer, or a single-layer network's epoch: see `column_sgd`);
//! `train` drives it.
//!
//! Read in this order:
//! - `matrix`: a weight matrix, rows padded and aligned for the kernels;
//! - `network`: layer sizes and weights, σ; `init`: seeded starting weights;
//! - `forward`: the forward pass and the [`Workspace`] of buffers it reuses;
//! - `sgd`: one per-sample step (checked against `reference`, a plain f64 version, in tests);
//! - `kernel`: the inner loops, portable, AVX2 and AVX-512 (`kernel/column_epoch` for the
//!   column sweep, `kernel/floor` for the floors `nnimg bench` measures);
//! - `parallel`: the [`parallel::Team`] of threads that shares the output layer of a step, and
//!   `pace`, which decides whether the team's second thread pays on a busy machine;
//! - `column_sgd`: the by-column path for networks without hidden layers.
//!
//! `unsafe` is allowed in the modules that hold the kernels or hand them raw buffers, and
//! nowhere else in the crate; each block says why it holds in a `// SAFETY:` comment.

#[allow(unsafe_code)]
pub mod column_sgd;
pub mod forward;
pub mod init;
#[allow(unsafe_code)]
pub mod kernel;
#[allow(unsafe_code)]
pub mod matrix;
pub mod network;
pub mod pace;
#[allow(unsafe_code)]
pub mod parallel;
#[cfg(test)]
pub(crate) mod reference;
#[allow(unsafe_code)]
pub mod sgd;

pub use forward::Workspace;
pub use matrix::Matrix;
pub use network::{Network, sigmoid};
