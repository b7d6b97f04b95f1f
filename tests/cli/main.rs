//! The integration tests, in one binary (one link instead of one per file): the real `nnimg`
//! in temp folders, one module per concern. Shared support is `common`.

// A test that cannot set up its own fixture should panic.
#![allow(clippy::unwrap_used)]

/// One `#[test]` per case, named for the case, each calling `$check` with the case's
/// arguments: a failure names its case, and the cases run in parallel.
macro_rules! cases {
    ($check:ident { $($(#[$attr:meta])* $name:ident: ($($arg:expr),* $(,)?),)* }) => {
        $(
            $(#[$attr])*
            #[test]
            fn $name() {
                $check($($arg),*);
            }
        )*
    };
}

mod bad_input;
mod bench;
mod closed_pipe;
mod common;
mod compare;
mod compare_screens;
mod explore_screens;
mod explore_tmux;
mod faults;
mod first_hour;
mod motion;
mod safety;
mod screens;
mod tmux;
mod train;
