//! The `nnimg` binary: parse the arguments, call the library, print any error as one line.

use clap::Parser;
use nnimg::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Train(args)) => nnimg::cmd::train::run(args),
        Some(Command::Explore(args)) => nnimg::cmd::explore::run(args),
        Some(Command::Bench(args)) => nnimg::cmd::bench::run(args),
        Some(Command::Render(args)) => nnimg::cmd::render::run(args),
        Some(Command::Grid(args)) => nnimg::cmd::grid::run(args),
        Some(Command::Show(args)) => nnimg::cmd::show::run(args),
        // No subcommand: the explorer on training_input/ with the default preset.
        None => match Cli::parse_from(["nnimg", "explore"]).command {
            Some(Command::Explore(args)) => nnimg::cmd::explore::run(args),
            _ => unreachable!("`nnimg explore` parses as the explore command"),
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nnimg: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, without repeating a cause the message already has.
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line.replace('\n', " ")
}
