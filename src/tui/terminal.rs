//! What the terminal can do, decided once at start-up: its colour depth from the environment
//! (this file), and its background colour and graphics protocol by asking it (`probe`).
//!
//! Everything here is a pure function of an [`Env`] snapshot or of the terminal's replies, so
//! the rules are tested without a terminal; `Env::from_process` is the one place that reads
//! the process environment.

pub mod graphics;
pub mod probe;

use crate::render::cells::{Background, luma};
use crate::render::color::ColorMode;

/// The environment variables that say what the terminal is. Empty values count as unset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    pub colorterm: Option<String>,
    pub term: Option<String>,
    pub term_program: Option<String>,
    /// Names of set variables that only terminals with 24-bit colour set (see `TRUECOLOR_VARS`).
    pub truecolor_vars: Vec<&'static str>,
    /// `VTE_VERSION`: GNOME Terminal, Tilix, Terminator and the other VTE-based terminals.
    pub vte_version: Option<u32>,
    /// `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
    pub no_color: bool,
    /// Inside tmux (`TMUX`).
    pub tmux: bool,
    /// Logged in over ssh (`SSH_CONNECTION` or `SSH_TTY`).
    pub ssh: bool,
}

/// Variables set by terminals that all draw 24-bit colour: kitty, Windows Terminal,
/// Alacritty, WezTerm, Konsole, Ghostty, foot (through `TERM=foot` too).
const TRUECOLOR_VARS: [&str; 8] = [
    "KITTY_WINDOW_ID",
    "WT_SESSION",
    "ALACRITTY_WINDOW_ID",
    "ALACRITTY_SOCKET",
    "WEZTERM_PANE",
    "KONSOLE_VERSION",
    "GHOSTTY_RESOURCES_DIR",
    "WEZTERM_EXECUTABLE",
];

/// `TERM_PROGRAM` values of terminals with 24-bit colour.
const TRUECOLOR_PROGRAMS: [&str; 9] = [
    "iTerm.app",
    "WezTerm",
    "vscode",
    "Hyper",
    "ghostty",
    "Tabby",
    "rio",
    "WarpTerminal",
    "contour",
];

/// The first VTE version with 24-bit colour (0.36).
const VTE_TRUECOLOR: u32 = 3600;

/// `TERM` values of terminals with 24-bit colour that set nothing else.
const TRUECOLOR_TERMS: [&str; 4] = ["foot", "xterm-kitty", "alacritty", "wezterm"];

/// `TERM` values of terminals with only the 16 basic colours (the Linux and BSD consoles,
/// plain ANSI, xterm's 8-colour entries).
const SIXTEEN_COLOR_TERMS: [&str; 6] = ["linux", "ansi", "cons25", "xterm-color", "vt220", "rxvt"];

impl Env {
    /// The snapshot of this process's environment.
    pub fn from_process() -> Self {
        let get = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Env {
            colorterm: get("COLORTERM"),
            term: get("TERM"),
            term_program: get("TERM_PROGRAM"),
            truecolor_vars: TRUECOLOR_VARS
                .into_iter()
                .filter(|name| get(name).is_some())
                .collect(),
            vte_version: get("VTE_VERSION").and_then(|v| v.trim().parse().ok()),
            no_color: get("NO_COLOR").is_some(),
            tmux: get("TMUX").is_some(),
            ssh: get("SSH_CONNECTION").is_some() || get("SSH_TTY").is_some(),
        }
    }

    /// The colour depth the environment announces, and why, in the first of these that
    /// decides: `COLORTERM` (`truecolor`, `24bit`); `TERM` (`*-direct`, `*truecolor*`,
    /// `*24bit*`, terminals known for 24-bit colour, `*256color*`, the 16-colour consoles,
    /// `dumb`); `TERM_PROGRAM` and the variables 24-bit terminals set; else 256 colours,
    /// which every terminal in use today has.
    ///
    /// ssh forwards `TERM` but not `COLORTERM`, so a remote session often ends at
    /// `TERM_PROGRAM` (forwarded only when the ssh configuration says so) or the fallback.
    pub fn color_mode(&self) -> (ColorMode, String) {
        let colorterm = self.colorterm.as_deref().unwrap_or_default().trim();
        if ["truecolor", "24bit"]
            .iter()
            .any(|v| colorterm.eq_ignore_ascii_case(v))
        {
            return (ColorMode::TrueColor, format!("COLORTERM={colorterm}"));
        }
        let term = self
            .term
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let because_term = || format!("TERM={term}");
        if term.ends_with("-direct")
            || term.contains("truecolor")
            || term.contains("24bit")
            || TRUECOLOR_TERMS.contains(&term.as_str())
        {
            return (ColorMode::TrueColor, because_term());
        }
        if let Some(program) = &self.term_program
            && TRUECOLOR_PROGRAMS.contains(&program.as_str())
        {
            return (ColorMode::TrueColor, format!("TERM_PROGRAM={program}"));
        }
        if let Some(name) = self.truecolor_vars.first() {
            return (ColorMode::TrueColor, format!("{name} is set"));
        }
        if let Some(v) = self.vte_version
            && v >= VTE_TRUECOLOR
        {
            return (ColorMode::TrueColor, format!("VTE_VERSION={v}"));
        }
        if term.contains("256color") {
            return (ColorMode::Ansi256, because_term());
        }
        if SIXTEEN_COLOR_TERMS.contains(&term.as_str())
            || term.ends_with("-16color")
            || term.ends_with("-8color")
        {
            return (ColorMode::Ansi16, because_term());
        }
        if term == "dumb" {
            return (ColorMode::Mono, because_term());
        }
        (
            ColorMode::Ansi256,
            "no variable says more than 256 colours".into(),
        )
    }
}

/// A light background is one brighter than mid-grey.
pub fn background_of(rgb: [u8; 3]) -> Background {
    if luma(rgb) > 0.5 {
        Background::Light
    } else {
        Background::Dark
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_and_solarized_light_are_light_and_black_and_solarized_dark_are_dark() {
        assert_eq!(background_of([255, 255, 255]), Background::Light);
        assert_eq!(background_of([0xfd, 0xf6, 0xe3]), Background::Light);
        assert_eq!(background_of([0, 0, 0]), Background::Dark);
        assert_eq!(background_of([0x00, 0x2b, 0x36]), Background::Dark);
    }

    fn term(value: &str) -> Env {
        Env {
            term: Some(value.into()),
            ..Env::default()
        }
    }

    fn mode(env: &Env) -> ColorMode {
        env.color_mode().0
    }

    #[test]
    fn colorterm_truecolor_or_24bit_means_24_bit_in_any_case() {
        for value in ["truecolor", "24bit", "TrueColor", "24BIT", " truecolor\n"] {
            let env = Env {
                colorterm: Some(value.into()),
                ..term("xterm-256color")
            };
            assert_eq!(mode(&env), ColorMode::TrueColor, "{value:?}");
        }
    }

    #[test]
    fn other_colorterm_values_do_not_decide() {
        for value in ["yes", "256color", "truecolour"] {
            let env = Env {
                colorterm: Some(value.into()),
                ..term("xterm-256color")
            };
            assert_eq!(mode(&env), ColorMode::Ansi256, "{value:?}");
        }
    }

    #[test]
    fn direct_and_truecolor_terms_mean_24_bit() {
        for value in [
            "xterm-direct",
            "tmux-direct",
            "xterm-truecolor",
            "konsole-24bit",
            "xterm-kitty",
            "foot",
        ] {
            assert_eq!(mode(&term(value)), ColorMode::TrueColor, "{value}");
        }
    }

    #[test]
    fn terminal_programs_known_for_24_bit_colour_decide_without_colorterm() {
        // What an ssh session from iTerm2 with `SendEnv TERM_PROGRAM` looks like.
        for program in ["iTerm.app", "WezTerm", "vscode"] {
            let env = Env {
                term_program: Some(program.into()),
                ..term("xterm-256color")
            };
            assert_eq!(
                env.color_mode(),
                (ColorMode::TrueColor, format!("TERM_PROGRAM={program}"))
            );
        }
        let apple = Env {
            term_program: Some("Apple_Terminal".into()),
            ..term("xterm-256color")
        };
        assert_eq!(mode(&apple), ColorMode::Ansi256);
    }

    #[test]
    fn a_terminal_s_own_variable_decides_without_colorterm() {
        let env = Env {
            truecolor_vars: vec!["KITTY_WINDOW_ID"],
            ..term("xterm-256color")
        };
        assert_eq!(
            env.color_mode(),
            (ColorMode::TrueColor, "KITTY_WINDOW_ID is set".into())
        );
        let old_vte = Env {
            vte_version: Some(3405),
            ..term("xterm-256color")
        };
        assert_eq!(mode(&old_vte), ColorMode::Ansi256);
        let vte = Env {
            vte_version: Some(7600),
            ..term("xterm-256color")
        };
        assert_eq!(mode(&vte), ColorMode::TrueColor);
    }

    #[test]
    fn consoles_get_16_colours_and_dumb_terminals_none() {
        for value in ["linux", "ansi", "xterm-color", "xterm-16color"] {
            assert_eq!(mode(&term(value)), ColorMode::Ansi16, "{value}");
        }
        assert_eq!(mode(&term("dumb")), ColorMode::Mono);
    }

    #[test]
    fn anything_else_falls_back_to_256_colours() {
        assert_eq!(mode(&Env::default()), ColorMode::Ansi256);
        assert_eq!(mode(&term("xterm")), ColorMode::Ansi256);
        assert_eq!(mode(&term("screen")), ColorMode::Ansi256);
    }

    #[test]
    fn no_color_does_not_change_the_depth() {
        let env = Env {
            no_color: true,
            colorterm: Some("truecolor".into()),
            ..Env::default()
        };
        assert_eq!(mode(&env), ColorMode::TrueColor);
    }
}
