//! A real terminal for end-to-end tests: a tmux server of the test's own (its own socket)
//! with one pane running a command, read with capture-pane and driven with send-keys.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The pane's session name.
const SESSION: &str = "t";

/// A tmux server with one pane; the server is killed and its socket removed on drop.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` (a line for `sh`) in a `width` x `height` pane in `dir`, with
    /// TERM=xterm-256color; when it ends the pane shows `EXITED <status>` and stays. None,
    /// with a SKIPPED line in the test output (a failure under CI), when tmux is not
    /// installed.
    pub fn open(
        what: &str,
        dir: &Path,
        (width, height): (u16, u16),
        command: &str,
    ) -> Option<Tmux> {
        if !crate::common::has_tool("tmux") {
            return None;
        }
        let line = format!("env TERM=xterm-256color {command}; echo EXITED $?; sleep 60");
        Some(Tmux::start(what, width, height, dir, &line))
    }

    /// Starts `command` (a whole shell command line, run as it is) in a `width` × `height`
    /// pane in `dir`. Call [`crate::common::has_tool`] first.
    pub fn start(name: &str, width: u16, height: u16, dir: &Path, command: &str) -> Tmux {
        // One server per pane, also for tests running at the same time in one process.
        static SERVERS: AtomicUsize = AtomicUsize::new(0);
        let n = SERVERS.fetch_add(1, Ordering::Relaxed);
        let name: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        let tmux = Tmux {
            socket: format!("nnimg-{name}-{}-{n}", std::process::id()),
        };
        let (width, height) = (width.to_string(), height.to_string());
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            SESSION,
            "-x",
            &width,
            "-y",
            &height,
            "-c",
            dir.to_str().unwrap(),
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    /// `tmux <args>` on this server.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap()
    }

    /// The visible pane's text, without colours.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", SESSION]).stdout).into()
    }

    /// The visible pane with its colours and attributes, as SGR escape sequences.
    pub fn screen_with_colors(&self) -> String {
        let out = self.run(&["capture-pane", "-e", "-p", "-t", SESSION]);
        String::from_utf8_lossy(&out.stdout).into()
    }

    /// The pane with everything that scrolled off its top.
    pub fn history(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-S", "-", "-t", SESSION]);
        String::from_utf8_lossy(&out.stdout).into()
    }

    /// A tmux format about the pane, e.g. `#{alternate_on}` or `#{pane_title}`.
    pub fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", SESSION, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", SESSION];
        args.extend(keys);
        self.run(&args);
    }

    /// Polls the pane until `ok` holds, or fails after a generous timeout with the screen.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(60) {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let socket = self.display("#{socket_path}");
        let _ = self.run(&["kill-server"]);
        if !socket.is_empty() {
            let _ = std::fs::remove_file(socket);
        }
    }
}

/// Says that a check is skipped, where `cargo test` shows it (see `say_skipped`).
pub fn skip(what: &str) {
    crate::common::say_skipped(what);
}
