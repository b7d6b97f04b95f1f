//! One function per subcommand: glue between the command line, the library and the terminal.
//! Each returns `anyhow::Result`; `main` prints the error as one line and picks the exit code.
//!
//! Output for the user goes through [`outln!`] and [`errln!`], never `println!` or
//! `eprintln!`, which panic when the reader has gone away (`nnimg bench | head -1`,
//! `nnimg train 2>&1 | head -1`): `outln!` returns the error, on which `main` ends quietly
//! (see [`is_closed_pipe`]); `errln!` drops a message that has nowhere left to go.

use anyhow::{Context, Result};
use std::fmt::Display;
use std::io::{ErrorKind, Write};

/// `println!` that returns (with `?`) an error instead of panicking when standard output
/// cannot be written; a closed pipe is an error for which [`is_closed_pipe`] holds.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cmd::print_line(format_args!($($arg)*))?
    };
}

/// `eprintln!` that drops the line, instead of panicking, when standard error cannot be
/// written: a message with nowhere to go must not stop the work.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cmd::print_error_line(format_args!($($arg)*))
    };
}

pub mod animate;
pub mod bench;
pub mod compare;
pub mod experiment;
pub mod explore;
pub mod grid;
pub mod init_data;
pub mod render;
pub mod setup;
pub mod show;
pub mod train;

/// Writes `line` and a newline to standard output, flushed.
pub fn print_line(line: impl Display) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

/// Writes `line` and a newline to standard error, if it can.
pub fn print_error_line(line: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// True when `e` comes from writing to a pipe whose reader has gone (`| head`): the reader
/// has what it wanted, so that is no failure worth a word.
pub fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_told_apart_from_other_write_errors() {
        let closed = std::io::Error::from(ErrorKind::BrokenPipe);
        let e = anyhow::Error::new(closed).context("cannot write to standard output");
        assert!(is_closed_pipe(&e));
        let full = std::io::Error::from(ErrorKind::StorageFull);
        assert!(!is_closed_pipe(&anyhow::Error::new(full)));
    }
}
