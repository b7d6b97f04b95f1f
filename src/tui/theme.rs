//! The explorer's few colours and styles, so every widget draws with the same ones.
//!
//! The UI chrome uses the 16 named colours, which every terminal themes to suit itself; only
//! the pictures use exact colours (see `widgets::output`).

use ratatui::style::{Color, Modifier, Style};

pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn accent() -> Style {
    Style::new().fg(Color::Cyan)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn key() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

pub fn good() -> Style {
    Style::new().fg(Color::Green)
}

pub fn bad() -> Style {
    Style::new().fg(Color::Red)
}

/// The colour of run `number` on screen (0 the explorer's own), the same in its pane
/// title, the charts and the per-image table.
pub fn run_color(number: usize) -> Color {
    const COLORS: [Color; 4] = [Color::Cyan, Color::Magenta, Color::Yellow, Color::Green];
    COLORS[number % COLORS.len()]
}

/// A mark on a chart: the epoch of the history picture on screen.
pub fn marker() -> Style {
    Style::new().fg(Color::Magenta)
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
