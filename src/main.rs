//! The `nnimg` binary: parse the arguments, call the library, print any error as one line.

#![deny(unsafe_code)]

use clap::{CommandFactory, Parser};
use nnimg::cli::{Cli, Command};
use nnimg::cmd::print_error_line;
use nnimg::shown::Shown;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(), // --help and --version
        Err(e) => {
            print_error_line(format_args!("nnimg: {}", Shown(usage_error_line(&e))));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Some(Command::Train(args)) => nnimg::cmd::train::run(args),
        Some(Command::Explore(args)) => nnimg::cmd::explore::run(args),
        Some(Command::Bench(args)) => nnimg::cmd::bench::run(args),
        Some(Command::Render(args)) => nnimg::cmd::render::run(args),
        Some(Command::Grid(args)) => nnimg::cmd::grid::run(args),
        Some(Command::Show(args)) => nnimg::cmd::show::run(args),
        Some(Command::Compare(args)) => nnimg::cmd::compare::run(args),
        Some(Command::Experiment(args)) => nnimg::cmd::experiment::run(args),
        Some(Command::Animate(args)) => nnimg::cmd::animate::run(args),
        Some(Command::InitData(args)) => nnimg::cmd::init_data::run(args),
        // No subcommand: the explorer on training_input/ with the default preset.
        None => match Cli::parse_from(["nnimg", "explore"]).command {
            Some(Command::Explore(args)) => nnimg::cmd::explore::run(args),
            _ => unreachable!("`nnimg explore` parses as the explore command"),
        },
    };
    match result {
        Ok(code) => code,
        // The reader of our output has gone (`nnimg bench | head -1`): it has what it wanted.
        Err(e) if nnimg::cmd::is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // The messages escape the names they quote where they are made; escaping the
            // whole line again is a last defence for text quoted by a library.
            print_error_line(format_args!("nnimg: {}", Shown(one_line(&e))));
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

/// clap's message for a bad command line on one line, like every other error: its first
/// paragraph (the problem, with any list of missing flags or possible values), its tips (a
/// similar flag, say), and where help is. The usage paragraph is left out.
fn usage_error_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let problem: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let mut line = problem.join(" ");
    if let Some(rest) = line.strip_prefix("error: ") {
        line = rest.to_string();
    }
    for tip in text.lines().filter_map(|l| l.trim().strip_prefix("tip: ")) {
        line.push_str(&format!(" ({tip})"));
    }
    // Point at the subcommand's own help when the command line names one.
    let subcommand = std::env::args()
        .nth(1)
        .filter(|a| Cli::command().find_subcommand(a).is_some());
    match subcommand {
        Some(name) => line.push_str(&format!("; see nnimg {name} --help")),
        None => line.push_str("; see nnimg --help"),
    }
    line
}
