//! One function per subcommand: glue between the command line, the library and the terminal.
//! Each returns `anyhow::Result`; `main` prints the error as one line and picks the exit code.

pub mod bench;
pub mod compare;
pub mod experiment;
pub mod explore;
pub mod grid;
pub mod render;
pub mod setup;
pub mod show;
pub mod train;
