//! A still picture at full resolution through the terminal's own graphics protocol: kitty's,
//! iTerm2's inline images, or sixel. Which one is used comes from what the terminal answered
//! (`probe`), never from its name alone; when none works, the reason is one line for the
//! status bar.
//!
//! The live view stays half-block: a protocol image is sent whole (tens of KiB), fine once
//! on request, too much several times a second.

use super::probe::Replies;
use crate::render::color::palette_rgb;
use crate::render::dither::dither_ansi256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use image::{ImageEncoder, RgbImage};
use std::collections::HashMap;

/// A graphics protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Kitty,
    Iterm2,
    Sixel,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Kitty => "kitty graphics",
            Protocol::Iterm2 => "iTerm2 images",
            Protocol::Sixel => "sixel",
        }
    }
}

/// XTVERSION names of terminals that draw iTerm2's inline images.
const ITERM2_KIN: [&str; 4] = ["iTerm2", "WezTerm", "mintty", "rio"];

/// The protocol to use, from the terminal's replies, or why there is none: kitty when the
/// kitty query was answered OK, iTerm2's when XTVERSION names a terminal that draws them,
/// sixel when the device attributes list it.
///
/// Inside tmux the queries reach tmux, not the terminal: tmux answers DA1 itself (with sixel
/// when it was built with it) and drops the rest unless passthrough is on.
pub fn choose(replies: &Replies, in_tmux: bool) -> Result<Protocol, String> {
    let iterm2 = replies
        .version
        .as_deref()
        .is_some_and(|v| ITERM2_KIN.iter().any(|name| v.starts_with(name)));
    if replies.kitty {
        Ok(Protocol::Kitty)
    } else if iterm2 {
        Ok(Protocol::Iterm2)
    } else if replies.sixel {
        Ok(Protocol::Sixel)
    } else if in_tmux {
        Err(
            "full resolution: tmux passes no graphics protocol through; run nnimg outside tmux"
                .into(),
        )
    } else if !replies.complete {
        Err("full resolution: the terminal did not answer the graphics query".into())
    } else {
        Err("full resolution: this terminal has no kitty, iTerm2 or sixel graphics".into())
    }
}

/// The escape sequence that draws `img` at the cursor, pixel for pixel, without moving the
/// cursor (kitty, iTerm2) or from the cursor down (sixel).
pub fn encode(protocol: Protocol, img: &RgbImage) -> Vec<u8> {
    match protocol {
        Protocol::Kitty => kitty(img),
        Protocol::Iterm2 => iterm2(img),
        Protocol::Sixel => sixel(img),
    }
}

/// What removes the picture again: kitty keeps images above the text until told to delete
/// them; iTerm2 and sixel images are cell contents, overwritten by the next full redraw.
pub fn erase(protocol: Protocol) -> &'static [u8] {
    match protocol {
        Protocol::Kitty => b"\x1b_Ga=d,d=A,q=2\x1b\\",
        Protocol::Iterm2 | Protocol::Sixel => b"",
    }
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encoding an in-memory RGB image as PNG cannot fail");
    bytes
}

/// Kitty: the PNG in base64 chunks of at most 4096 bytes (`m=1` while more follow), quiet
/// (`q=2`: no reply that the keyboard reader would take for keys), cursor left in place.
fn kitty(img: &RgbImage) -> Vec<u8> {
    let data = STANDARD.encode(png(img));
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(4096).collect();
    let mut out = Vec::with_capacity(data.len() + 32 * chunks.len());
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        if i == 0 {
            out.extend_from_slice(format!("\x1b_Ga=T,f=100,q=2,C=1,m={more};").as_bytes());
        } else {
            out.extend_from_slice(format!("\x1b_Gm={more};").as_bytes());
        }
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\x1b\\");
    }
    out
}

/// iTerm2: the PNG inline, at its size in pixels.
fn iterm2(img: &RgbImage) -> Vec<u8> {
    let bytes = png(img);
    format!(
        "\x1b]1337;File=inline=1;size={};width={}px;height={}px;preserveAspectRatio=1;doNotMoveCursor=1:{}\x07",
        bytes.len(),
        img.width(),
        img.height(),
        STANDARD.encode(&bytes)
    )
    .into_bytes()
}

/// The picture as palette indices and the palette: its own colours when it has at most 256
/// (every greyscale or colour-mapped output), else dithered onto the xterm palette.
fn indexed(img: &RgbImage) -> (Vec<u8>, Vec<[u8; 3]>) {
    let mut palette: HashMap<[u8; 3], u8> = HashMap::new();
    let mut indices = Vec::with_capacity(img.as_raw().len() / 3);
    for p in img.pixels() {
        let next = palette.len();
        if next > 255 && !palette.contains_key(&p.0) {
            let all: Vec<[u8; 3]> = (0..=255).map(palette_rgb).collect();
            let dithered = img
                .enumerate_pixels()
                .map(|(x, y, p)| dither_ansi256(p.0, x, y))
                .collect();
            return (dithered, all);
        }
        indices.push(*palette.entry(p.0).or_insert(next as u8));
    }
    let mut colors = vec![[0u8; 3]; palette.len()];
    for (rgb, i) in palette {
        colors[usize::from(i)] = rgb;
    }
    (indices, colors)
}

/// Sixel: bands of six pixel rows; in each band every colour in turn paints the pixels that
/// have it (`$` returns to the band's start, `-` goes to the next band), runs of four or more
/// equal columns compressed as `!n`. Colours are given in percent.
fn sixel(img: &RgbImage) -> Vec<u8> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (indices, palette) = indexed(img);
    let mut out = format!("\x1bP0;1;0q\"1;1;{w};{h}");
    for (i, rgb) in palette.iter().enumerate() {
        let [r, g, b] = rgb.map(|v| (u32::from(v) * 100 + 127) / 255);
        out.push_str(&format!("#{i};2;{r};{g};{b}"));
    }
    let mut columns = vec![0u8; w];
    for band in (0..h).step_by(6) {
        let rows = band..(band + 6).min(h);
        let mut used: Vec<u8> = rows
            .clone()
            .flat_map(|y| indices[y * w..(y + 1) * w].iter().copied())
            .collect();
        used.sort_unstable();
        used.dedup();
        for (n, &color) in used.iter().enumerate() {
            if n > 0 {
                out.push('$');
            }
            out.push_str(&format!("#{color}"));
            columns.fill(0);
            for (bit, y) in rows.clone().enumerate() {
                for (x, &index) in indices[y * w..(y + 1) * w].iter().enumerate() {
                    if index == color {
                        columns[x] |= 1 << bit;
                    }
                }
            }
            push_runs(&mut out, &columns);
        }
        out.push('-');
    }
    out.push_str("\x1b\\");
    out.into_bytes()
}

/// Sixel characters for `columns` (six bits each), with runs of four or more compressed.
fn push_runs(out: &mut String, columns: &[u8]) {
    let mut x = 0;
    while x < columns.len() {
        let bits = columns[x];
        let run = columns[x..].iter().take_while(|&&b| b == bits).count();
        let c = char::from(63 + bits);
        if run >= 4 {
            out.push_str(&format!("!{run}{c}"));
        } else {
            (0..run).for_each(|_| out.push(c));
        }
        x += run;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn replies(f: impl FnOnce(&mut Replies)) -> Replies {
        let mut r = Replies {
            complete: true,
            ..Replies::default()
        };
        f(&mut r);
        r
    }

    #[test]
    fn prefers_kitty_then_iterm2_then_sixel() {
        let all = replies(|r| {
            r.kitty = true;
            r.sixel = true;
            r.version = Some("WezTerm 20240203".into());
        });
        assert_eq!(choose(&all, false), Ok(Protocol::Kitty));
        let wezterm = replies(|r| {
            r.sixel = true;
            r.version = Some("WezTerm 20240203".into());
        });
        assert_eq!(choose(&wezterm, false), Ok(Protocol::Iterm2));
        let xterm = replies(|r| {
            r.sixel = true;
            r.version = Some("XTerm(390)".into());
        });
        assert_eq!(choose(&xterm, false), Ok(Protocol::Sixel));
    }

    #[test]
    fn says_why_when_there_is_no_protocol() {
        let plain = replies(|_| {});
        assert!(choose(&plain, true).unwrap_err().contains("tmux"));
        assert!(
            choose(&plain, false)
                .unwrap_err()
                .contains("no kitty, iTerm2 or sixel")
        );
        assert!(
            choose(&Replies::default(), false)
                .unwrap_err()
                .contains("did not answer")
        );
    }

    #[test]
    fn kitty_images_are_chunked_quiet_and_end_with_m0() {
        // Noise compresses badly, so the PNG needs several chunks.
        let img = RgbImage::from_fn(64, 64, |x, y| {
            Rgb([(x * 37 + y * 11) as u8, (x * y) as u8, (x ^ y) as u8])
        });
        let text = String::from_utf8(kitty(&img)).unwrap();
        let chunks: Vec<&str> = text.split("\x1b\\").filter(|c| !c.is_empty()).collect();
        assert!(chunks.len() > 1, "{} chunks", chunks.len());
        assert!(chunks[0].starts_with("\x1b_Ga=T,f=100,q=2,C=1,m=1;"));
        assert!(
            chunks[1..chunks.len() - 1]
                .iter()
                .all(|c| c.starts_with("\x1b_Gm=1;"))
        );
        assert!(chunks.last().unwrap().starts_with("\x1b_Gm=0;"));
        let payload: String = chunks
            .iter()
            .map(|c| &c[c.find(';').unwrap() + 1..])
            .collect();
        assert!(chunks.iter().all(|c| c.len() <= 4096 + 32));
        let decoded = STANDARD.decode(payload).unwrap();
        let back = image::load_from_memory(&decoded).unwrap().to_rgb8();
        assert_eq!(back, img);
    }

    #[test]
    fn iterm2_images_carry_their_size_in_pixels() {
        let img = RgbImage::from_pixel(30, 20, Rgb([1, 2, 3]));
        let text = String::from_utf8(iterm2(&img)).unwrap();
        assert!(text.starts_with("\x1b]1337;File=inline=1;size="));
        assert!(text.contains(";width=30px;height=20px;"));
        assert!(text.ends_with('\x07'));
    }

    #[test]
    fn a_sixel_band_paints_each_colour_with_its_own_bits() {
        // 5 columns, 2 rows: row 0 white, row 1 black except the last column.
        let img = RgbImage::from_fn(5, 2, |x, y| {
            if y == 0 || x == 4 {
                Rgb([255, 255, 255])
            } else {
                Rgb([0, 0, 0])
            }
        });
        let text = String::from_utf8(sixel(&img)).unwrap();
        // White (#0) is bit 0 everywhere and bit 1 in the last column: 63+1 = '@' (a run of 4), 63+3 = 'B'.
        // Black (#1) is bit 1 in the first four columns: 63+2 = 'A', as a run of 4.
        assert_eq!(
            text,
            "\x1bP0;1;0q\"1;1;5;2#0;2;100;100;100#1;2;0;0;0#0!4@B$#1!4A?-\x1b\\"
        );
    }

    /// A plain sixel decoder: the picture's size and each pixel's colour (None where no
    /// colour painted it).
    fn decode_sixel(text: &str) -> (usize, usize, Vec<Option<[u8; 3]>>) {
        let body = text.strip_prefix("\x1bP0;1;0q\"1;1;").unwrap();
        let body = body.strip_suffix("\x1b\\").unwrap();
        let mut chars = body.chars().peekable();
        let number = |chars: &mut std::iter::Peekable<std::str::Chars>| {
            let mut n = 0usize;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = n * 10 + d as usize;
                chars.next();
            }
            n
        };
        let w = number(&mut chars);
        assert_eq!(chars.next(), Some(';'));
        let h = number(&mut chars);
        let mut palette = vec![[0u8; 3]; 256];
        let mut pixels = vec![None; w * h];
        let (mut x, mut band, mut color) = (0, 0, 0);
        while let Some(c) = chars.next() {
            let mut run = 1;
            let c = match c {
                '#' => {
                    color = number(&mut chars);
                    if chars.peek() == Some(&';') {
                        chars.next();
                        assert_eq!(number(&mut chars), 2);
                        let mut rgb = [0u8; 3];
                        for v in &mut rgb {
                            assert_eq!(chars.next(), Some(';'));
                            *v = (number(&mut chars) * 255 / 100) as u8;
                        }
                        palette[color] = rgb;
                    }
                    continue;
                }
                '$' => {
                    x = 0;
                    continue;
                }
                '-' => {
                    (x, band) = (0, band + 1);
                    continue;
                }
                '!' => {
                    run = number(&mut chars);
                    chars.next().unwrap()
                }
                c => c,
            };
            let bits = c as u32 - 63;
            for _ in 0..run {
                for bit in 0..6 {
                    let y = band * 6 + bit;
                    if bits & (1 << bit) != 0 && y < h {
                        pixels[y * w + x] = Some(palette[color]);
                    }
                }
                x += 1;
            }
        }
        (w, h, pixels)
    }

    #[test]
    fn a_sixel_picture_decodes_to_its_pixels() {
        // 23 x 11: a band of six rows and a short one; 253 colours, each exact.
        let img = RgbImage::from_fn(23, 11, |x, y| {
            Rgb([(x * 11) as u8, (y * 23) as u8, ((x * y) % 200) as u8])
        });
        let text = String::from_utf8(sixel(&img)).unwrap();
        let (w, h, pixels) = decode_sixel(&text);
        assert_eq!((w, h), (23, 11));
        for (p, got) in img.pixels().zip(pixels) {
            let got = got.expect("every pixel painted");
            for c in 0..3 {
                // Percent steps: within 1.3 levels of 255, plus the decoder's rounding down.
                assert!(p.0[c].abs_diff(got[c]) <= 4, "{:?} became {got:?}", p.0);
            }
        }
    }

    #[test]
    fn a_picture_of_many_colours_is_dithered_onto_the_xterm_palette() {
        let img = RgbImage::from_fn(32, 32, |x, y| Rgb([(x * 8) as u8, (y * 8) as u8, 77]));
        let (indices, palette) = indexed(&img);
        assert_eq!(palette.len(), 256);
        assert_eq!(indices.len(), 32 * 32);
        let grey = RgbImage::from_fn(16, 16, |x, y| {
            let v = (x * 16 + y) as u8;
            Rgb([v, v, v])
        });
        let (_, exact) = indexed(&grey);
        assert_eq!(exact.len(), 256);
        assert!(exact.iter().all(|[r, g, b]| r == g && g == b));
    }
}
