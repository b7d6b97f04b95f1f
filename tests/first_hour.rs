//! What a new user meets in the first hour: how to get the command, tests that say when they
//! skip, honest training times, resumes, folders of photos, `show` in a small pane, dumb
//! terminals, and the small messages along the way.

#![allow(clippy::unwrap_used)] // a test that cannot read its own fixture should panic

mod common;

use std::fs;
use std::path::Path;

fn read_repo_file(name: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

#[test]
fn the_readme_says_how_to_get_the_command_and_which_rust_it_needs() {
    // The README's examples called `nnimg …` without saying where it comes from, and named
    // no prerequisites.
    let readme = read_repo_file("README.md");
    let manifest = read_repo_file("Cargo.toml");
    let rust_version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    assert!(
        readme.contains(&format!("Rust {rust_version} or newer")),
        "the README does not name Rust {rust_version}"
    );
    for needed in ["cargo install --path .", "cargo run --release -- ", "tmux"] {
        assert!(
            readme.contains(needed),
            "the README does not mention {needed:?}"
        );
    }
    // The first screen still starts with the two commands everyone needs.
    let first_block: String = readme.lines().take(12).collect::<Vec<_>>().join("\n");
    assert!(
        first_block.contains("cargo run --release "),
        "{first_block}"
    );
    assert!(first_block.contains("cargo test "), "{first_block}");
}
