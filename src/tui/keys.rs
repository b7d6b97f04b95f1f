//! The key map: [`KEYS`], one table that both the key handler (`App::update`) and the help
//! overlay read, so a key cannot work without being listed or be listed without working.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Toggle the input named by the digit key between 0 and 1.
    ToggleButton,
    CursorPrev,
    CursorNext,
    Increase,
    Decrease,
    ClearButtons,
    RandomButtons,
    NextTrainingInput,
    PauseResume,
    Checkpoint,
    ToggleRecent,
    ToggleSmoothing,
    NextColorMap,
    ExportPng,
    ExportSheet,
    AddWaypoint,
    RemoveWaypoint,
    ClearPath,
    PlayPath,
    RandomWalk,
    Faster,
    Slower,
    ExportAnimation,
    HistoryBack,
    HistoryForward,
    HistoryFirst,
    HistoryLatest,
    ExportTimelapse,
    /// Comparing: the difference view on or off.
    DifferenceView,
    /// Comparing: the blink view on or off.
    BlinkView,
    /// Comparing: the next pair of runs in focus.
    NextFocus,
    /// Comparing: the next panes, when not all fit.
    NextPanes,
    FullPicture,
    ToggleMouse,
    Help,
    Quit,
    SaveAndQuit,
}

/// One row of the key table: the keys, how the help overlay names them, what they do.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub label: &'static str,
    pub keys: &'static [KeyCode],
    /// The keys need Ctrl held.
    pub ctrl: bool,
    pub action: Action,
    pub help: &'static str,
    /// Only does something when runs are compared (`--compare`); the help lists it then.
    pub comparing: bool,
}

const fn bind(
    label: &'static str,
    keys: &'static [KeyCode],
    action: Action,
    help: &'static str,
) -> Binding {
    Binding {
        label,
        keys,
        ctrl: false,
        action,
        help,
        comparing: false,
    }
}

/// A key for comparing runs.
const fn compare(
    label: &'static str,
    keys: &'static [KeyCode],
    action: Action,
    help: &'static str,
) -> Binding {
    Binding {
        comparing: true,
        ..bind(label, keys, action, help)
    }
}

use KeyCode::{Char, Down, End, Esc, Home, Left, Right, Up};

/// Every key of the explorer; the help overlay lists them in this order.
pub const KEYS: &[Binding] = &[
    bind(
        "1-9",
        &[
            Char('1'),
            Char('2'),
            Char('3'),
            Char('4'),
            Char('5'),
            Char('6'),
            Char('7'),
            Char('8'),
            Char('9'),
        ],
        Action::ToggleButton,
        "toggle input N",
    ),
    bind(
        "← h ↑ k",
        &[Left, Char('h'), Up, Char('k')],
        Action::CursorPrev,
        "select the previous input",
    ),
    bind(
        "→ l ↓ j",
        &[Right, Char('l'), Down, Char('j')],
        Action::CursorNext,
        "select the next input",
    ),
    bind(
        "+ ]",
        &[Char('+'), Char('='), Char(']')],
        Action::Increase,
        "raise it by 0.1",
    ),
    bind(
        "- [",
        &[Char('-'), Char('_'), Char('[')],
        Action::Decrease,
        "lower it by 0.1",
    ),
    bind("0", &[Char('0')], Action::ClearButtons, "all inputs 0"),
    bind("r", &[Char('r')], Action::RandomButtons, "random inputs"),
    bind(
        "t",
        &[Char('t')],
        Action::NextTrainingInput,
        "training input and target",
    ),
    bind(
        "space",
        &[Char(' ')],
        Action::PauseResume,
        "pause / resume training",
    ),
    bind(
        "s",
        &[Char('s')],
        Action::Checkpoint,
        "save a checkpoint now",
    ),
    bind(
        "w",
        &[Char('w')],
        Action::ToggleRecent,
        "chart: whole run / recent",
    ),
    bind(
        "a",
        &[Char('a')],
        Action::ToggleSmoothing,
        "chart: smoothing on / off",
    ),
    bind("c", &[Char('c')], Action::NextColorMap, "next colour map"),
    bind(
        "e",
        &[Char('e')],
        Action::ExportPng,
        "export the picture (PNG)",
    ),
    bind(
        "g",
        &[Char('g')],
        Action::ExportSheet,
        "export all inputs (grid)",
    ),
    bind(
        "m",
        &[Char('m')],
        Action::AddWaypoint,
        "path: add a waypoint",
    ),
    bind(
        "u",
        &[Char('u')],
        Action::RemoveWaypoint,
        "path: remove the last",
    ),
    bind("x", &[Char('x')], Action::ClearPath, "path: clear"),
    bind("p", &[Char('p')], Action::PlayPath, "play / stop the path"),
    bind("W", &[Char('W')], Action::RandomWalk, "random walk / stop"),
    bind(">", &[Char('>')], Action::Faster, "animation faster"),
    bind("<", &[Char('<')], Action::Slower, "animation slower"),
    bind(
        "E",
        &[Char('E')],
        Action::ExportAnimation,
        "export the animation",
    ),
    bind(",", &[Char(',')], Action::HistoryBack, "history: back"),
    bind(
        ".",
        &[Char('.')],
        Action::HistoryForward,
        "history: forward",
    ),
    bind(
        "Home",
        &[Home],
        Action::HistoryFirst,
        "history: first epoch",
    ),
    bind(
        "End",
        &[End],
        Action::HistoryLatest,
        "history: live picture",
    ),
    bind(
        "T",
        &[Char('T')],
        Action::ExportTimelapse,
        "export a timelapse",
    ),
    compare(
        "d",
        &[Char('d')],
        Action::DifferenceView,
        "compare: A, B and |A-B|",
    ),
    compare("b", &[Char('b')], Action::BlinkView, "compare: blink A / B"),
    compare(
        "f",
        &[Char('f')],
        Action::NextFocus,
        "compare: next pair A, B",
    ),
    compare("n", &[Char('n')], Action::NextPanes, "compare: next panes"),
    bind(
        "z",
        &[Char('z')],
        Action::FullPicture,
        "full resolution (+ - scale)",
    ),
    bind("M", &[Char('M')], Action::ToggleMouse, "mouse on / off"),
    bind("?", &[Char('?')], Action::Help, "this help"),
    bind(
        "q Esc",
        &[Char('q'), Esc],
        Action::Quit,
        "quit (asks first)",
    ),
    Binding {
        label: "Ctrl-C",
        keys: &[Char('c')],
        ctrl: true,
        action: Action::SaveAndQuit,
        help: "save and quit at once",
        comparing: false,
    },
];

/// The action bound to `key`, if any. Shift is ignored (terminals differ on `+` and `?`);
/// Alt combinations are not ours.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if key.modifiers.contains(KeyModifiers::ALT) {
        return None;
    }
    KEYS.iter()
        .find(|b| b.ctrl == ctrl && b.keys.contains(&key.code))
        .map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_in_the_table_is_reachable() {
        for binding in KEYS {
            for &code in binding.keys {
                let modifiers = if binding.ctrl {
                    KeyModifiers::CONTROL
                } else {
                    KeyModifiers::NONE
                };
                let got = action_for(&KeyEvent::new(code, modifiers));
                assert_eq!(got, Some(binding.action), "{code:?}");
            }
        }
    }
}
