//! How far the 256- and 16-colour pictures are from the true-colour one: the mean absolute
//! error per channel (in levels of 255) of every pixel, and of the pictures seen slightly out
//! of focus (both blurred with a 3x3 box in linear light first, as the eye averages the light
//! of neighbouring half-block pixels), for the nearest palette colour alone ("before") and with ordered dithering
//! ("after"). Dithering adds pixel-level noise on purpose, so its per-pixel error can rise
//! while the blurred error, the banding one sees, falls.
//!
//! Pictures larger than 110 pixels are first area-scaled to 110 wide, the size the explorer
//! shows at 200x70.
//!
//! Run: `cargo run --release --example palette_error -- samples/*.png runs/RUN/outputs/*.png`

use image::{Rgb, RgbImage};
use nnimg::render::color::{ANSI16, nearest_ansi16, nearest_ansi256, palette_rgb};
use nnimg::render::dither::{dither_ansi16, dither_ansi256, linear, srgb};
use nnimg::render::pixels::{fit_within, scale_area};

/// Width the explorer shows a picture at on a 200x70 terminal.
const SHOWN: u32 = 110;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: palette_error PNG...");
        std::process::exit(2);
    }
    println!(
        "{:<44} {:>5} | {:>8} {:>8} | {:>8} {:>8}",
        "picture", "mode", "px before", "px after", "blur bef.", "blur aft."
    );
    let mut totals = [[0.0f64; 4]; 2];
    let mut count = 0;
    for path in &paths {
        let img = match image::open(path) {
            Ok(img) => img.to_rgb8(),
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let img = if img.width() > SHOWN {
            let (w, h) = fit_within(img.width(), img.height(), SHOWN, u32::MAX);
            scale_area(&img, w, h)
        } else {
            img
        };
        let name = path.rsplit('/').take(3).collect::<Vec<_>>();
        let name: String = name.into_iter().rev().collect::<Vec<_>>().join("/");
        for (m, (mode, before, after)) in [
            (
                "256",
                palette256(&img, |p, _, _| nearest_ansi256(p)),
                palette256(&img, dither_ansi256),
            ),
            (
                "16",
                palette16(&img, |p, _, _| nearest_ansi16(p)),
                palette16(&img, dither_ansi16),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let row = [
                mae(&img, &before),
                mae(&img, &after),
                mae(&blur(&img), &blur(&before)),
                mae(&blur(&img), &blur(&after)),
            ];
            for (t, v) in totals[m].iter_mut().zip(row) {
                *t += v;
            }
            println!(
                "{name:<44} {mode:>5} | {:>9.2} {:>8.2} | {:>9.2} {:>8.2}",
                row[0], row[1], row[2], row[3]
            );
        }
        count += 1;
    }
    for (m, mode) in ["256", "16"].into_iter().enumerate() {
        let t = totals[m].map(|v| v / f64::from(count.max(1)));
        println!(
            "{:<44} {mode:>5} | {:>9.2} {:>8.2} | {:>9.2} {:>8.2}",
            format!("mean of {count} pictures"),
            t[0],
            t[1],
            t[2],
            t[3]
        );
    }
}

fn palette256(img: &RgbImage, pick: impl Fn([u8; 3], u32, u32) -> u8) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        Rgb(palette_rgb(pick(img.get_pixel(x, y).0, x, y)))
    })
}

fn palette16(img: &RgbImage, pick: impl Fn([u8; 3], u32, u32) -> u8) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        Rgb(ANSI16[usize::from(pick(img.get_pixel(x, y).0, x, y))])
    })
}

/// Mean absolute difference per channel, in levels of 255.
fn mae(a: &RgbImage, b: &RgbImage) -> f64 {
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.as_raw().len().max(1) as f64
}

/// 3x3 box blur in linear light (as the eye mixes light), edges clamped.
fn blur(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    RgbImage::from_fn(w, h, |x, y| {
        let mut sum = [0f32; 3];
        for dy in -1i64..=1 {
            for dx in -1i64..=1 {
                let px = (i64::from(x) + dx).clamp(0, i64::from(w) - 1) as u32;
                let py = (i64::from(y) + dy).clamp(0, i64::from(h) - 1) as u32;
                for (s, v) in sum.iter_mut().zip(img.get_pixel(px, py).0) {
                    *s += linear(v);
                }
            }
        }
        Rgb(sum.map(|s| srgb(s / 9.0)))
    })
}
