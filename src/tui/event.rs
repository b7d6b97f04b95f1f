//! The one [`Event`] type the explorer's loop waits on, the threads that produce events from
//! the keyboard, the mouse and signals, and the [`FramePacer`] that bounds the redraw rate.
//!
//! The training worker and the run watcher send into the same channel (see `tui::run`);
//! what the events do to the state is `App::update`'s business.

use crate::train::update::Update;
use crossterm::event::{self as term, KeyEvent, KeyEventKind, MouseEvent, MouseEventKind};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::{Duration, Instant};

/// Everything that can change what the explorer shows.
#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    /// A click or a scroll (only while mouse capture is on; moves and drags are not sent).
    Mouse(MouseEvent),
    /// The terminal changed size (the next draw picks the new size up).
    Resize,
    /// What the training did, from the worker thread or the run watcher alike.
    Training(Update),
    /// What the watcher of a compared run found; `run` indexes `Comparison::runs` (its
    /// number on screen minus one).
    Compared {
        run: usize,
        update: Update,
    },
    /// Time for the blink view's next picture.
    Blink,
    /// A line for the status bar: what finished (an export), or what went wrong.
    Status(Status),
    /// Leave now, saving the training (SIGTERM, SIGHUP, a lost terminal).
    Quit(String),
}

/// A line in the status bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub text: String,
    pub is_error: bool,
}

impl Status {
    /// Something worked.
    pub fn info(text: impl Into<String>) -> Self {
        Status {
            text: text.into(),
            is_error: false,
        }
    }

    /// Something went wrong: one line saying what (and what to do).
    pub fn error(text: impl Into<String>) -> Self {
        Status {
            text: text.into(),
            is_error: true,
        }
    }
}

/// Reads the keyboard, mouse and resize events on a thread until the receiver is gone. A
/// terminal that cannot be read any more (a closed SSH session) becomes `Event::Quit`.
pub fn spawn_input_thread(tx: Sender<Event>) -> std::io::Result<()> {
    thread::Builder::new()
        .name("nnimg-input".into())
        .spawn(move || {
            loop {
                let event = match term::read() {
                    Ok(term::Event::Key(key)) if key.kind != KeyEventKind::Release => {
                        Event::Key(key)
                    }
                    Ok(term::Event::Mouse(mouse))
                        if matches!(
                            mouse.kind,
                            MouseEventKind::Down(_)
                                | MouseEventKind::ScrollUp
                                | MouseEventKind::ScrollDown
                        ) =>
                    {
                        Event::Mouse(mouse)
                    }
                    Ok(term::Event::Resize(..)) => Event::Resize,
                    Ok(_) => continue,
                    Err(e) => {
                        let _ = tx.send(Event::Quit(format!("cannot read the terminal: {e}")));
                        return;
                    }
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
        })
        .map(|_| ())
}

/// Turns SIGTERM, SIGHUP and SIGINT into `Event::Quit`, so a kill or a closed SSH session
/// takes the same exit path (and checkpoint) as the quit key.
pub fn spawn_signal_thread(tx: Sender<Event>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    thread::Builder::new()
        .name("nnimg-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let name = match signal {
                    SIGTERM => "SIGTERM",
                    SIGHUP => "SIGHUP",
                    _ => "SIGINT",
                };
                if tx.send(Event::Quit(format!("received {name}"))).is_err() {
                    return;
                }
            }
        })
        .map(|_| ())
}

/// Least time between two frames that answer a person (a key, a click, a resize).
const URGENT_FRAME: Duration = Duration::from_millis(16);

/// Decides when to draw: only when something changed; at most once per frame interval for
/// what training changed, at once (up to 60 times a second) for what a person did.
#[derive(Debug)]
pub struct FramePacer {
    frame: Duration,
    last_draw: Option<Instant>,
    dirty: bool,
    urgent: bool,
}

impl FramePacer {
    /// A pacer for at most `fps` frames a second (`fps` 0 is taken as 1).
    pub fn new(fps: u32) -> Self {
        FramePacer {
            frame: Duration::from_secs(1) / fps.max(1),
            last_draw: None,
            dirty: true,
            urgent: false,
        }
    }

    /// Something on screen changed.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Something a person did changed the screen: draw it without waiting for the frame.
    pub fn mark_urgent(&mut self) {
        self.dirty = true;
        self.urgent = true;
    }

    /// How long the loop may wait for the next event: forever (`None`) when nothing needs
    /// drawing, else until the next frame is allowed.
    pub fn wait_time(&self, now: Instant) -> Option<Duration> {
        if !self.dirty {
            return None;
        }
        let frame = if self.urgent {
            URGENT_FRAME.min(self.frame)
        } else {
            self.frame
        };
        Some(match self.last_draw {
            Some(t) => (t + frame).saturating_duration_since(now),
            None => Duration::ZERO,
        })
    }

    /// True when a frame should be drawn now; the caller then draws and calls `drawn`.
    pub fn should_draw(&self, now: Instant) -> bool {
        self.dirty && self.wait_time(now) == Some(Duration::ZERO)
    }

    pub fn drawn(&mut self, now: Instant) {
        self.dirty = false;
        self.urgent = false;
        self.last_draw = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_pacer_waits_forever() {
        let mut pacer = FramePacer::new(20);
        let t = Instant::now();
        assert!(pacer.should_draw(t));
        pacer.drawn(t);
        assert_eq!(pacer.wait_time(t), None);
        assert!(!pacer.should_draw(t + Duration::from_secs(5)));
    }

    #[test]
    fn changes_are_drawn_at_most_once_a_frame() {
        let mut pacer = FramePacer::new(20);
        let t = Instant::now();
        pacer.drawn(t);
        pacer.mark_dirty();
        assert!(!pacer.should_draw(t + Duration::from_millis(10)));
        assert_eq!(
            pacer.wait_time(t + Duration::from_millis(10)),
            Some(Duration::from_millis(40))
        );
        assert!(pacer.should_draw(t + Duration::from_millis(50)));
    }

    #[test]
    fn a_key_is_drawn_without_waiting_for_the_frame() {
        let mut pacer = FramePacer::new(4);
        let t = Instant::now();
        pacer.drawn(t);
        pacer.mark_dirty();
        assert!(!pacer.should_draw(t + Duration::from_millis(20)));
        pacer.mark_urgent();
        assert!(pacer.should_draw(t + Duration::from_millis(20)));
        pacer.drawn(t + Duration::from_millis(20));
        pacer.mark_dirty();
        assert!(!pacer.should_draw(t + Duration::from_millis(60)));
    }
}
