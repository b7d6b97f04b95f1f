//! Asking the terminal what it is: its background colour (OSC 11), whether it draws kitty
//! graphics (a kitty graphics query), its name and version (XTVERSION, which tells iTerm2
//! and its kin apart), its cell size in pixels (CSI 16 t), and last its device attributes
//! (DA1, whose parameter 4 means sixel graphics).
//!
//! Every terminal answers DA1 and answers in order, so the DA1 reply means every other
//! answer has arrived: the probe waits for it, never for a fixed time, and gives up only
//! after a timeout long enough for a slow ssh link. Terminals ignore the queries they do not
//! know. The queries are written once at start-up, before the input thread reads the
//! keyboard, so nothing else sees the replies.

use std::time::Duration;

/// The queries, in the order the replies are expected: OSC 11 (background colour, only when
/// asked for), the kitty graphics query (id 31, a 1x1 image that is not stored), XTVERSION,
/// the cell size, and DA1 last.
pub fn queries(ask_background: bool) -> String {
    let background = if ask_background {
        "\x1b]11;?\x1b\\"
    } else {
        ""
    };
    format!("{background}\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\\x1b[>0q\x1b[16t\x1b[c")
}

/// What the terminal said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replies {
    /// The background colour from OSC 11, 8 bits a channel.
    pub background: Option<[u8; 3]>,
    /// The kitty graphics query was answered OK.
    pub kitty: bool,
    /// The name and version from XTVERSION, e.g. "iTerm2 3.5.0" or "WezTerm 20240203".
    pub version: Option<String>,
    /// Cell size in pixels (width, height), from CSI 16 t.
    pub cell_pixels: Option<(u16, u16)>,
    /// DA1 lists parameter 4: sixel graphics.
    pub sixel: bool,
    /// The DA1 reply came: every answer is in.
    pub complete: bool,
}

impl Replies {
    /// Reads the replies out of `bytes` (everything the terminal sent, in any chunks).
    /// Unknown or incomplete sequences are skipped.
    pub fn parse(bytes: &[u8]) -> Replies {
        let mut replies = Replies::default();
        let mut rest = bytes;
        while let Some(start) = rest.iter().position(|&b| b == 0x1b) {
            rest = &rest[start..];
            let Some((kind, body, len)) = sequence(rest) else {
                rest = &rest[1..];
                continue;
            };
            match kind {
                Kind::Osc => {
                    if let Some(value) = body.strip_prefix(b"11;") {
                        replies.background = parse_osc_color(value);
                    }
                }
                Kind::Apc => {
                    if let Some(status) = body.strip_prefix(b"Gi=31;") {
                        replies.kitty = status == b"OK";
                    }
                }
                Kind::Dcs => {
                    if let Some(name) = body.strip_prefix(b">|") {
                        replies.version = Some(String::from_utf8_lossy(name).trim().to_string());
                    }
                }
                Kind::Csi(b'c') => {
                    if let Some(params) = body.strip_prefix(b"?") {
                        replies.sixel = params.split(|&b| b == b';').any(|p| p == b"4");
                        replies.complete = true;
                    }
                }
                Kind::Csi(b't') => {
                    let numbers: Vec<u16> = body
                        .split(|&b| b == b';')
                        .filter_map(|p| std::str::from_utf8(p).ok()?.parse().ok())
                        .collect();
                    if let [6, h, w] = numbers[..]
                        && w > 0
                        && h > 0
                    {
                        replies.cell_pixels = Some((w, h));
                    }
                }
                Kind::Csi(_) => {}
            }
            rest = &rest[len..];
        }
        replies
    }
}

enum Kind {
    Osc,
    Apc,
    Dcs,
    /// A control sequence and its final byte.
    Csi(u8),
}

/// The sequence at the start of `s` (which begins with ESC): its kind, its body (between
/// the introducer and the terminator) and its whole length; `None` when it is incomplete.
fn sequence(s: &[u8]) -> Option<(Kind, &[u8], usize)> {
    let kind = match *s.get(1)? {
        b']' => Kind::Osc,
        b'_' => Kind::Apc,
        b'P' => Kind::Dcs,
        b'[' => {
            // Parameters and intermediates, then one final byte in @..~.
            let end = s[2..].iter().position(|b| (0x40..=0x7e).contains(b))? + 2;
            return Some((Kind::Csi(s[end]), &s[2..end], end + 1));
        }
        _ => return None,
    };
    // String sequences end with ST (ESC \) or BEL.
    let body = &s[2..];
    let end = body.iter().position(|&b| b == 0x07 || b == 0x1b)?;
    let len = if body[end] == 0x07 {
        2 + end + 1
    } else if body.get(end + 1) == Some(&b'\\') {
        2 + end + 2
    } else {
        return None;
    };
    Some((kind, &body[..end], len))
}

/// `rgb:R/G/B` (or `rgba:R/G/B/A`) with 1-4 hex digits a channel, as 8-bit channels.
fn parse_osc_color(value: &[u8]) -> Option<[u8; 3]> {
    let text = std::str::from_utf8(value).ok()?;
    let channels = text
        .strip_prefix("rgb:")
        .or_else(|| text.strip_prefix("rgba:"))?;
    let mut out = [0u8; 3];
    let mut parts = channels.split('/');
    for slot in &mut out {
        let hex = parts.next()?;
        if hex.is_empty() || hex.len() > 4 {
            return None;
        }
        let v = u32::from_str_radix(hex, 16).ok()?;
        let max = (1u32 << (4 * hex.len())) - 1;
        *slot = ((v * 255 + max / 2) / max) as u8;
    }
    Some(out)
}

/// How long to wait for the DA1 reply: ssh adds a round trip over the network.
pub fn timeout(over_ssh: bool) -> Duration {
    Duration::from_millis(if over_ssh { 1500 } else { 500 })
}

/// Writes the queries to the terminal and reads its replies until the DA1 reply comes or
/// `timeout` passes. The terminal must be in raw mode (no echo, no line buffering); stdin
/// and stdout must be the terminal.
#[cfg(unix)]
pub fn ask(ask_background: bool, timeout: Duration) -> std::io::Result<Replies> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use std::io::Write;
    use std::time::Instant;

    let mut out = std::io::stdout().lock();
    out.write_all(queries(ask_background).as_bytes())?;
    out.flush()?;
    let stdin = rustix::stdio::stdin();
    let deadline = Instant::now() + timeout;
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let wait = Timespec::try_from(left).map_err(std::io::Error::other)?;
        let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
        if poll(&mut fds, Some(&wait))? == 0 {
            break;
        }
        let n = rustix::io::read(stdin, &mut chunk)?;
        if n == 0 {
            break;
        }
        received.extend_from_slice(&chunk[..n]);
        if Replies::parse(&received).complete {
            break;
        }
    }
    Ok(Replies::parse(&received))
}

/// Without a way to wait on the terminal with a timeout, nothing is asked.
#[cfg(not(unix))]
pub fn ask(_ask_background: bool, _timeout: Duration) -> std::io::Result<Replies> {
    Ok(Replies::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What kitty answers, in order.
    const KITTY: &[u8] = b"\x1b]11;rgb:1e1e/1e1e/2e2e\x1b\\\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.35.2)\x1b\\\x1b[6;20;10t\x1b[?62;c";

    #[test]
    fn reads_every_reply_of_a_kitty_terminal() {
        assert_eq!(
            Replies::parse(KITTY),
            Replies {
                background: Some([0x1e, 0x1e, 0x2e]),
                kitty: true,
                version: Some("kitty(0.35.2)".into()),
                cell_pixels: Some((10, 20)),
                sixel: false,
                complete: true,
            }
        );
    }

    #[test]
    fn replies_split_across_reads_parse_once_whole() {
        let (a, b) = KITTY.split_at(17);
        assert!(!Replies::parse(a).complete);
        let mut whole = a.to_vec();
        whole.extend_from_slice(b);
        assert_eq!(Replies::parse(&whole), Replies::parse(KITTY));
    }

    #[test]
    fn sixel_is_parameter_4_of_the_device_attributes() {
        let xterm = Replies::parse(b"\x1b[?63;1;2;4;6;9;15;16;22;28c");
        assert!(xterm.sixel && xterm.complete);
        let plain = Replies::parse(b"\x1b[?62;22c");
        assert!(!plain.sixel && plain.complete);
        let fourteen = Replies::parse(b"\x1b[?64;14c");
        assert!(!fourteen.sixel);
    }

    #[test]
    fn a_kitty_error_is_not_support() {
        let r = Replies::parse(b"\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\\x1b[?62c");
        assert!(!r.kitty && r.complete);
    }

    #[test]
    fn background_colours_come_in_any_width_and_either_terminator() {
        let bel = Replies::parse(b"\x1b]11;rgb:ffff/ffff/ffff\x07");
        assert_eq!(bel.background, Some([255, 255, 255]));
        let short = Replies::parse(b"\x1b]11;rgb:f/8/0\x1b\\");
        assert_eq!(short.background, Some([255, 136, 0]));
        let two = Replies::parse(b"\x1b]11;rgba:fd/f6/e3/ff\x1b\\");
        assert_eq!(two.background, Some([0xfd, 0xf6, 0xe3]));
        let bad = Replies::parse(b"\x1b]11;cmyk:1/2/3\x1b\\");
        assert_eq!(bad.background, None);
    }

    #[test]
    fn a_silent_terminal_gives_nothing() {
        assert_eq!(Replies::parse(b""), Replies::default());
        assert_eq!(Replies::parse(b"\x1b]11;rgb:ffff"), Replies::default());
    }

    #[test]
    fn keys_typed_meanwhile_are_skipped() {
        let r = Replies::parse(b"q\x1bx1\x1b[?62;4c");
        assert!(r.sixel && r.complete);
    }

    #[test]
    fn the_background_is_asked_only_when_wanted() {
        assert!(queries(true).starts_with("\x1b]11;?"));
        assert!(!queries(false).contains("]11;"));
        assert!(queries(false).ends_with("\x1b[c"));
    }
}
