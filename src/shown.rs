//! [`Shown`]: text from outside nnimg, made safe to print on a terminal.
//!
//! File and folder names, paths, command-line values and whatever is read back from a run's
//! files (run.json, metrics.csv, checkpoint metadata, a decoder's complaint about a file) can
//! hold any bytes. Printed raw, an escape sequence in a file name sets the terminal's title or
//! colours (or, in some terminals, writes the clipboard), a carriage return or backspace
//! rewrites what the line seems to say, and a bidirectional override reorders it. Every
//! message, progress line and screen therefore shows such text through `Shown`, which writes
//! those characters as visible escapes, in the manner of Rust's `escape_debug`:
//!
//! | what | shown as |
//! | --- | --- |
//! | tab, newline, carriage return, NUL, ESC | `\t` `\n` `\r` `\0` `\e` |
//! | other C0 controls and DEL (0x01–0x1f, 0x7f) | `\x07`, `\x08`, `\x7f`, … |
//! | C1 controls (U+0080–U+009F) | `\u{9b}`, … |
//! | bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators (U+2028, U+2029) | `\u{202e}`, … |
//! | bytes that are not UTF-8 (always 0x80–0xff) | `\xff`, … |
//!
//! Everything else, backslashes included, is shown as it is, so a path reads as the user
//! typed it, and showing text that was already shown changes nothing (a message built from
//! `Shown` names can go through `Shown` again as a last line of defence).

use std::ffi::OsStr;
use std::fmt::{self, Display, Write};

/// Displays `T` (a `&Path`, `&str`, `&OsStr`, `String`, …) with control characters,
/// bidirectional controls and invalid UTF-8 escaped; see the module docs for the table.
/// Width and alignment (`{:<8}`) apply to the escaped text.
///
/// ```
/// use nnimg::shown::Shown;
/// use std::path::Path;
/// let name = Path::new("runs/r\u{1b}]0;PWNED\u{7}");
/// assert_eq!(Shown(name).to_string(), r"runs/r\e]0;PWNED\x07");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Shown<T>(pub T);

impl<T: AsRef<OsStr>> Display for Shown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() {
            // Padding counts the escaped characters, so build the text first.
            return f.pad(&Shown(self.0.as_ref()).to_string());
        }
        // On Unix the encoded bytes are the name's own bytes; elsewhere they are a
        // superset of UTF-8 whose non-UTF-8 parts are shown as bytes all the same.
        for chunk in self.0.as_ref().as_encoded_bytes().utf8_chunks() {
            for c in chunk.valid().chars() {
                write_shown(f, c)?;
            }
            for byte in chunk.invalid() {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        Ok(())
    }
}

/// True for the characters [`Shown`] escapes: controls (C0, DEL, C1), bidirectional
/// controls, and the line and paragraph separators. A name made only of other characters
/// prints as it is.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

fn write_shown(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    match c {
        '\t' => f.write_str("\\t"),
        '\n' => f.write_str("\\n"),
        '\r' => f.write_str("\\r"),
        '\0' => f.write_str("\\0"),
        '\u{1b}' => f.write_str("\\e"),
        '\u{01}'..='\u{1f}' | '\u{7f}' => write!(f, "\\x{:02x}", u32::from(c)),
        c if is_hidden(c) => write!(f, "\\u{{{:x}}}", u32::from(c)),
        c => f.write_char(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The escaped text of `s`.
    fn shown(s: &str) -> String {
        Shown(s).to_string()
    }

    #[test]
    fn plain_names_and_paths_show_as_they_are() {
        for s in [
            "training_input/10000000.png",
            "runs/v0.1.6.1-1",
            "0.5_0_0_1_0_0_0_0",
            "Bilder/Grüße 日本 🎨.png",
            r"C:\runs\one",
            "",
        ] {
            assert_eq!(shown(s), s);
        }
    }

    #[test]
    fn every_c0_control_and_del_becomes_a_visible_escape() {
        for b in (0u8..=0x1f).chain([0x7f]) {
            let c = char::from(b);
            let text = shown(&format!("a{c}b"));
            assert!(!text.contains(c), "{b:#04x} left raw in {text:?}");
            assert!(text.starts_with("a\\") && text.ends_with('b'), "{text:?}");
            assert!(!text.chars().any(is_hidden), "{text:?}");
        }
        assert_eq!(shown("\u{1b}]0;PWNED\u{7}"), r"\e]0;PWNED\x07");
        assert_eq!(shown("a\rb\u{8}c\td\ne\0"), r"a\rb\x08c\td\ne\0");
        assert_eq!(shown("\u{1b}[31mred\u{7f}"), r"\e[31mred\x7f");
    }

    #[test]
    fn c1_controls_and_bidirectional_overrides_are_escaped() {
        assert_eq!(shown("\u{9b}31m"), r"\u{9b}31m");
        assert_eq!(shown("\u{85}"), r"\u{85}");
        assert_eq!(shown("abc\u{202e}gnp.exe"), r"abc\u{202e}gnp.exe");
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            let text = shown(&format!("x{c}y"));
            assert_eq!(text, format!("x\\u{{{:x}}}y", u32::from(c)));
        }
        assert_eq!(shown("\u{200f}\u{2028}"), r"\u{200f}\u{2028}");
    }

    #[cfg(unix)]
    #[test]
    fn invalid_utf8_is_shown_byte_by_byte_rather_than_replaced() {
        use std::os::unix::ffi::OsStrExt;
        let name = OsStr::from_bytes(b"run\xff\xfe-\xc3(ok\xc3\xa9");
        assert_eq!(Shown(name).to_string(), r"run\xff\xfe-\xc3(oké");
        assert_eq!(Shown(Path::new(name)).to_string(), r"run\xff\xfe-\xc3(oké");
    }

    #[test]
    fn showing_shown_text_again_changes_nothing() {
        let once = shown("r\u{1b}]0;x\u{7}\u{202e}\r\u{9b}\\e");
        assert_eq!(shown(&once), once);
    }

    #[test]
    fn padding_counts_the_escaped_text() {
        assert_eq!(format!("[{:<6}]", Shown("a\u{7}")), r"[a\x07 ]");
        assert_eq!(format!("[{:>3}]", Shown("ab")), "[ ab]");
    }

    #[test]
    fn paths_strings_and_owned_values_all_display() {
        let path = Path::new("r\u{8}/x.png");
        let owned = String::from("s\r");
        assert_eq!(format!("{}", Shown(path)), r"r\x08/x.png");
        assert_eq!(format!("{}", Shown(&owned)), r"s\r");
        assert_eq!(format!("{}", Shown(path.to_path_buf())), r"r\x08/x.png");
    }
}
