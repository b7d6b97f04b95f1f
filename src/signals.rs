//! Requests from outside to stop: SIGINT, SIGTERM and SIGHUP on Unix; on Windows, the
//! console's control events (Ctrl-C, Ctrl-Break, closing the console window, logoff,
//! shutdown). Either way they arrive by name on a thread of their own; what a request means
//! is the caller's business (`cmd::train` stops between epochs, the explorer quits through
//! its one exit path). Both save a checkpoint before the process ends.

use std::io;

/// Calls `on_stop` with the request's name (`"SIGTERM"`, `"console close"`, …) on a thread
/// of its own, for every request until `on_stop` returns false. Call it once per process; a
/// second call fails on Windows.
///
/// When the console window is closed (or the session logs off or shuts down), Windows ends
/// the process as soon as the handler returns, or after about five seconds at most. So the
/// handler does not return: it holds the process until the main thread has saved and exits.
pub fn spawn_listener(
    on_stop: impl FnMut(&'static str) -> bool + Send + 'static,
) -> io::Result<()> {
    platform::spawn_listener(on_stop)
}

#[cfg(unix)]
mod platform {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    use std::{io, thread};

    pub fn spawn_listener(
        mut on_stop: impl FnMut(&'static str) -> bool + Send + 'static,
    ) -> io::Result<()> {
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        thread::Builder::new()
            .name("nnimg-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    let name = match signal {
                        SIGTERM => "SIGTERM",
                        SIGHUP => "SIGHUP",
                        _ => "SIGINT",
                    };
                    if !on_stop(name) {
                        return;
                    }
                }
            })
            .map(drop)
    }
}

#[cfg(windows)]
mod platform {
    use std::sync::OnceLock;
    use std::sync::mpsc::{self, Sender};
    use std::{io, thread};
    use windows_sys::Win32::System::Console::{
        CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
        SetConsoleCtrlHandler,
    };
    use windows_sys::core::BOOL;

    /// Where the handler, which Windows runs on a thread it creates, sends the requests.
    static REQUESTS: OnceLock<Sender<&'static str>> = OnceLock::new();

    pub fn spawn_listener(
        mut on_stop: impl FnMut(&'static str) -> bool + Send + 'static,
    ) -> io::Result<()> {
        let (tx, rx) = mpsc::channel();
        REQUESTS
            .set(tx)
            .map_err(|_| io::Error::other("the console handler is already installed"))?;
        // SAFETY: `handler` is a HandlerRoutine (extern "system", u32 -> BOOL) that lives as
        // long as the process; it touches nothing but a static set above.
        if unsafe { SetConsoleCtrlHandler(Some(handler), 1) } == 0 {
            return Err(io::Error::last_os_error());
        }
        thread::Builder::new()
            .name("nnimg-signals".into())
            .spawn(move || {
                for name in rx {
                    if !on_stop(name) {
                        return;
                    }
                }
            })
            .map(drop)
    }

    /// Passes the event on; returns at once for Ctrl-C and Ctrl-Break (handled: the process
    /// goes on) and never for the events after which Windows ends the process, so the
    /// checkpoint is saved first. The main thread's exit ends this thread with the rest.
    unsafe extern "system" fn handler(event: u32) -> BOOL {
        let name = match event {
            CTRL_C_EVENT => "Ctrl-C",
            CTRL_BREAK_EVENT => "Ctrl-Break",
            CTRL_CLOSE_EVENT => "console close",
            CTRL_LOGOFF_EVENT => "logoff",
            CTRL_SHUTDOWN_EVENT => "shutdown",
            _ => return 0, // not ours: the next handler decides
        };
        if let Some(tx) = REQUESTS.get() {
            let _ = tx.send(name);
        }
        if matches!(event, CTRL_C_EVENT | CTRL_BREAK_EVENT) {
            return 1;
        }
        loop {
            thread::park();
        }
    }
}
