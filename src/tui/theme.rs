//! The explorer's few colours and styles, so every widget draws with the same ones.
//!
//! The UI chrome uses the 16 named colours, which every terminal themes to suit itself, chosen
//! for the background's brightness, or none under `NO_COLOR`; only the pictures use exact
//! colours (see `widgets::output`), and they keep them under `NO_COLOR` too: a picture is
//! content, not decoration.

use crate::render::cells::Background;
use crate::tui::app::{Mode, Watched};
use ratatui::style::{Color, Modifier, Style};

/// The chrome's colours: for a dark or a light background, or none at all (`NO_COLOR`), when
/// emphasis is carried by bold and reverse video. The picture never takes its colours from
/// here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Theme {
    pub background: Background,
    /// No colour in the chrome.
    pub plain: bool,
}

impl Theme {
    /// Colours for a dark background (the default).
    pub const DARK: Theme = Theme {
        background: Background::Dark,
        plain: false,
    };

    /// `dark` on a dark background, `light` on a light one, nothing when plain.
    fn fg(self, dark: Color, light: Color) -> Style {
        match (self.plain, self.background) {
            (true, _) => Style::new(),
            (false, Background::Dark) => Style::new().fg(dark),
            (false, Background::Light) => Style::new().fg(light),
        }
    }

    /// `modifier` when plain, to stand in for the colour; nothing otherwise.
    fn without_colour(self, modifier: Modifier) -> Modifier {
        if self.plain {
            modifier
        } else {
            Modifier::empty()
        }
    }

    pub fn border(self) -> Style {
        self.fg(Color::DarkGray, Color::DarkGray)
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Names and values that matter: bold without colour.
    pub fn accent(self) -> Style {
        self.fg(Color::Cyan, Color::Blue)
            .add_modifier(self.without_colour(Modifier::BOLD))
    }

    /// Secondary text: faint without colour.
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray, Color::DarkGray)
            .add_modifier(self.without_colour(Modifier::DIM))
    }

    /// Key names: yellow is unreadable on white, so magenta there.
    pub fn key(self) -> Style {
        self.fg(Color::Yellow, Color::Magenta)
            .add_modifier(Modifier::BOLD)
    }

    pub fn good(self) -> Style {
        self.fg(Color::Green, Color::Green)
    }

    /// Errors: bold without colour.
    pub fn bad(self) -> Style {
        self.fg(Color::Red, Color::Red)
            .add_modifier(self.without_colour(Modifier::BOLD))
    }

    /// The state badge in the header: black on the mode's colour, or reverse video.
    pub fn badge(self, mode: Mode) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        if self.plain {
            return bold.add_modifier(Modifier::REVERSED);
        }
        let color = match mode {
            Mode::Training => Color::Green,
            Mode::Paused | Mode::Starting => Color::Yellow,
            Mode::Done => Color::Cyan,
            Mode::Stopped => Color::Magenta,
            Mode::Failed => Color::Red,
            Mode::Watching(Watched::Training) => Color::Blue,
            Mode::Watching(Watched::Stopped) => Color::Magenta,
            Mode::Watching(Watched::Done) => Color::Cyan,
        };
        bold.fg(Color::Black).bg(color)
    }

    /// The epoch gauge: its block characters show the fill even without colour.
    pub fn gauge(self) -> Style {
        match (self.plain, self.background) {
            (true, _) => Style::new(),
            (false, Background::Dark) => Style::new().fg(Color::Cyan).bg(Color::Black),
            (false, Background::Light) => Style::new().fg(Color::Blue).bg(Color::Gray),
        }
    }

    /// A pressed (weight 1) or partly pressed button; released ones are `dim`.
    pub fn pressed(self, fully: bool) -> Style {
        let style = self.fg(Color::Cyan, Color::Blue);
        if fully {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// The learning-rate line, alone on its chart.
    pub fn rate_color(self) -> Color {
        self.color(Color::Magenta, Color::Magenta)
    }

    /// The dots of its halvings.
    pub fn halving_color(self) -> Color {
        self.color(Color::Yellow, Color::Blue)
    }

    /// `dark` or `light` as a colour; the terminal's own when plain.
    fn color(self, dark: Color, light: Color) -> Color {
        self.fg(dark, light).fg.unwrap_or(Color::Reset)
    }

    /// The colour of run `number` on screen (0 the explorer's own), the same in its pane
    /// title, the charts and the per-image table; the terminal's own colour when plain.
    pub fn run_color(self, number: usize) -> Color {
        const DARK: [Color; 4] = [Color::Cyan, Color::Magenta, Color::Yellow, Color::Green];
        const LIGHT: [Color; 4] = [Color::Blue, Color::Magenta, Color::Red, Color::Green];
        match (self.plain, self.background) {
            (true, _) => Color::Reset,
            (false, Background::Dark) => DARK[number % DARK.len()],
            (false, Background::Light) => LIGHT[number % LIGHT.len()],
        }
    }

    /// A mark on a chart: the epoch of the history picture on screen.
    pub fn marker(self) -> Style {
        self.fg(Color::Magenta, Color::Magenta)
    }
}

/// "1.23e-3": short scientific notation for errors and rates.
pub fn sci(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let exp = v.abs().log10().floor() as i32;
    let mantissa = v / 10f64.powi(exp);
    // Rounding can give 10.00: carry it into the exponent.
    if (mantissa.abs() * 100.0).round() >= 1000.0 {
        format!("{:.2}e{}", mantissa / 10.0, exp + 1)
    } else {
        format!("{mantissa:.2}e{exp}")
    }
}

/// "1:02:03" or "2:03" from seconds.
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every style of a theme.
    fn styles(theme: Theme) -> Vec<Style> {
        let mut all = vec![
            theme.border(),
            theme.title(),
            theme.accent(),
            theme.dim(),
            theme.key(),
            theme.good(),
            theme.bad(),
            theme.gauge(),
            theme.pressed(true),
            theme.pressed(false),
            theme.marker(),
        ];
        all.extend([Mode::Training, Mode::Paused, Mode::Failed].map(|m| theme.badge(m)));
        all
    }

    #[test]
    fn a_plain_theme_has_no_colour_and_keeps_emphasis() {
        let plain = Theme {
            plain: true,
            ..Theme::DARK
        };
        for style in styles(plain) {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
        assert!(
            plain
                .badge(Mode::Training)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(plain.bad().add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn text_on_a_light_background_is_never_yellow_or_cyan() {
        let light = Theme {
            background: Background::Light,
            plain: false,
        };
        for style in styles(light) {
            // Badges bring their own background.
            if style.bg.is_none() {
                assert!(
                    !matches!(style.fg, Some(Color::Yellow | Color::Cyan)),
                    "{style:?}"
                );
            }
        }
        for color in [
            light.run_color(2),
            light.rate_color(),
            light.halving_color(),
        ] {
            assert!(!matches!(color, Color::Yellow | Color::Cyan), "{color:?}");
        }
        assert_eq!(Theme::DARK.key().fg, Some(Color::Yellow));
    }

    #[test]
    fn sci_keeps_three_digits() {
        assert_eq!(sci(0.001234), "1.23e-3");
        assert_eq!(sci(0.1), "1.00e-1");
        assert_eq!(sci(0.0099999), "1.00e-2");
        assert_eq!(sci(0.0), "0");
    }

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(duration(5.4), "0:05");
        assert_eq!(duration(125.0), "2:05");
        assert_eq!(duration(3725.0), "1:02:05");
    }
}
