//! Draws the eight training pictures of `training_input/`, one per button.
//!
//! Each picture is 110x110 RGB, painted by a small pixel shader and anti-aliased with 4x4
//! supersampling. Button k pressed means the k-th digit of the file name is 1:
//!
//! | file           | picture                          |
//! |----------------|----------------------------------|
//! | `10000000.png` | sunset over the sea              |
//! | `01000000.png` | spiral galaxy                    |
//! | `00100000.png` | archery target                   |
//! | `00010000.png` | mandala flower                   |
//! | `00001000.png` | mountains under a full moon      |
//! | `00000100.png` | op-art bulging checkerboard      |
//! | `00000010.png` | heart on a sunburst              |
//! | `00000001.png` | a tree on a hill                 |
//!
//! The default network learns the pictures' luma, so each one has its own light/dark structure,
//! not just its own colours. The output is the same bytes on every run (random scatter uses a
//! fixed-seed ChaCha8 generator). Existing files of the same names are overwritten.
//!
//! ```text
//! cargo run --release --example make_training_input             # writes training_input/
//! cargo run --release --example make_training_input -- OUT_DIR  # writes OUT_DIR/
//! ```

use std::f32::consts::{PI, TAU};
use std::path::PathBuf;

use anyhow::Context;
use image::{Rgb, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Width and height of every picture, in pixels.
const SIZE: u32 = 110;
/// Samples per pixel along each axis; 4 means 16 samples averaged per pixel.
const SUBSAMPLES: u32 = 4;

/// A function that draws one picture.
type Draw = fn() -> RgbImage;

/// The pictures in button order: picture k is written as the stem with a 1 at digit k.
const PICTURES: [(&str, Draw); 8] = [
    ("sunset over the sea", sunset),
    ("spiral galaxy", galaxy),
    ("archery target", target),
    ("mandala flower", flower),
    ("mountains under a full moon", mountains),
    ("op-art bulging checkerboard", op_art),
    ("heart on a sunburst", heart),
    ("a tree on a hill", tree),
];

fn main() -> anyhow::Result<()> {
    let out_dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "training_input".to_owned()),
    );
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("{}: cannot create the folder", out_dir.display()))?;
    for (k, (name, draw)) in PICTURES.iter().enumerate() {
        let stem: String = (0..PICTURES.len())
            .map(|i| if i == k { '1' } else { '0' })
            .collect();
        let path = out_dir.join(format!("{stem}.png"));
        draw()
            .save(&path)
            .with_context(|| format!("{}: cannot write the PNG", path.display()))?;
        println!("{}  {name}", path.display());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Toolkit: a supersampled pixel shader and a few shaping functions.
// ---------------------------------------------------------------------------------------------

/// Red, green, blue in 0..1 (sRGB values, averaged as they are).
type Colour = [f32; 3];

/// Paints a SIZE x SIZE picture: `f(x, y)` gives the colour at a point, with x rightwards and y
/// downwards, both in 0..1. Each pixel averages SUBSAMPLES^2 points spread evenly inside it.
fn paint(f: impl Fn(f32, f32) -> Colour) -> RgbImage {
    let n = SUBSAMPLES as f32;
    RgbImage::from_fn(SIZE, SIZE, |px, py| {
        let mut sum = [0.0f32; 3];
        for sy in 0..SUBSAMPLES {
            for sx in 0..SUBSAMPLES {
                let x = (px as f32 + (sx as f32 + 0.5) / n) / SIZE as f32;
                let y = (py as f32 + (sy as f32 + 0.5) / n) / SIZE as f32;
                for (s, c) in sum.iter_mut().zip(f(x, y)) {
                    *s += c;
                }
            }
        }
        Rgb(sum.map(|s| (s / (n * n)).clamp(0.0, 1.0).mul_add(255.0, 0.5) as u8))
    })
}

/// A colour from a hex literal such as `0xff8800`.
fn hex(rgb: u32) -> Colour {
    [rgb >> 16, rgb >> 8, rgb].map(|c| (c & 0xff) as f32 / 255.0)
}

/// Linear blend: `a` at t = 0, `b` at t = 1.
fn mix(a: Colour, b: Colour, t: f32) -> Colour {
    [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t)
}

/// `c` times a brightness factor.
fn scale(c: Colour, k: f32) -> Colour {
    c.map(|v| v * k)
}

/// `a + b`, channel by channel.
fn add(a: Colour, b: Colour) -> Colour {
    [0, 1, 2].map(|i| a[i] + b[i])
}

/// Hermite ramp from 0 at `e0` to 1 at `e1`.
fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Distance and angle (radians, -PI..PI) of (x, y) from the centre (cx, cy).
fn polar(x: f32, y: f32, cx: f32, cy: f32) -> (f32, f32) {
    let (dx, dy) = (x - cx, y - cy);
    (dx.hypot(dy), dy.atan2(dx))
}

/// Triangle wave: 0 at whole numbers, 1 halfway between them.
fn triangle(t: f32) -> f32 {
    1.0 - 2.0 * (t.rem_euclid(1.0) - 0.5).abs()
}

/// A repeatable pseudo-random number in 0..1 for a whole number `n`, for per-band variation.
fn hash(n: f32) -> f32 {
    ((n * 12.9898).sin() * 43758.547).rem_euclid(1.0)
}

/// `count` random points (x, y, size) with x, y in 0..1 and size in 0..1, fixed by `seed`.
fn scatter(seed: u64, count: usize) -> Vec<(f32, f32, f32)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| (rng.random(), rng.random(), rng.random()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The pictures, in button order.
// ---------------------------------------------------------------------------------------------

/// A striped retro sun sinking into a dark sea, its reflection broken into bands by the waves.
fn sunset() -> RgbImage {
    const HORIZON: f32 = 0.64;
    const SUN_R: f32 = 0.24;
    let (sun_x, sun_y) = (0.5, 0.52);
    let (sky_top, sky_mid, sky_low) = (hex(0x1d0b3a), hex(0xa8326e), hex(0xff9a3c));
    let (sun_top, sun_low) = (hex(0xfff1a1), hex(0xff7a3d));
    let (sea_far, sea_near) = (hex(0x3b1f5c), hex(0x080a24));
    paint(move |x, y| {
        if y < HORIZON {
            let t = y / HORIZON;
            let sky = if t < 0.55 {
                mix(sky_top, sky_mid, t / 0.55)
            } else {
                mix(sky_mid, sky_low, (t - 0.55) / 0.45)
            };
            let (r, _) = polar(x, y, sun_x, sun_y);
            // Gaps across the sun start just above its middle and widen towards the horizon.
            let u = (y - sun_y) / SUN_R + 0.45;
            let is_gap = u > 0.0 && (u * 4.0).rem_euclid(1.0) < u * 0.6;
            if r >= SUN_R {
                let halo = (-(r - SUN_R) / 0.12).exp() * 0.45;
                mix(sky, sun_top, halo)
            } else if is_gap {
                // Darker than the glowing sky behind, so the stripes read in grey too.
                sky_mid
            } else {
                mix(sun_top, sun_low, (y - sun_y + SUN_R) / (2.0 * SUN_R))
            }
        } else {
            let depth = (y - HORIZON) / (1.0 - HORIZON);
            let sea = mix(sea_far, sea_near, depth.sqrt());
            // Wave bands get taller towards the viewer, as in perspective.
            let v = (y - HORIZON).sqrt() * 16.0;
            let band = v.floor();
            let half_width = SUN_R * (0.35 + 0.75 * hash(band)) * (1.0 - 0.4 * depth);
            let is_glint = v.rem_euclid(1.0) < 0.55 && (x - sun_x).abs() < half_width;
            if is_glint {
                mix(sun_top, sun_low, depth.sqrt())
            } else {
                sea
            }
        }
    })
}

/// A tilted two-armed spiral galaxy with a glowing core, on a field of stars.
fn galaxy() -> RgbImage {
    let stars = scatter(2, 110);
    let (space, arm, core) = (hex(0x04020c), hex(0x6fa8ff), hex(0xfff0c8));
    let dust = hex(0xc060ff);
    let tilt: f32 = 0.6;
    paint(move |x, y| {
        let (dx, dy) = (x - 0.5, y - 0.5);
        let u = dx * tilt.cos() - dy * tilt.sin();
        let v = (dx * tilt.sin() + dy * tilt.cos()) / 0.7;
        let r = u.hypot(v);
        let theta = v.atan2(u);
        // Logarithmic spiral arms: constant phase along theta = 2.6 ln r.
        let phase = theta - 2.6 * (r + 1e-4).ln();
        let arms = (0.5 + 0.5 * (2.0 * phase).cos()).powf(4.0);
        let fade = (-r / 0.2).exp() * smoothstep(0.01, 0.08, r);
        let glow = (-(r / 0.075).powi(2)).exp();
        let mut c = mix(space, hex(0x130a30), (1.0 - r * 2.0).max(0.0));
        c = add(c, scale(mix(dust, arm, arms), arms * fade * 2.4));
        c = add(c, scale(core, glow * 1.3));
        for &(sx, sy, size) in &stars {
            let d = (x - sx).hypot(y - sy);
            let radius = 0.003 + 0.006 * size * size;
            if d < radius {
                c = add(c, scale(core, 0.4 + 0.6 * size));
            }
        }
        c
    })
}

/// A five-colour archery target (gold, red, blue, black, white) on a straw boss.
fn target() -> RgbImage {
    const RING: f32 = 0.045;
    const ZONES: usize = 5;
    let zones: [Colour; ZONES] = [
        hex(0xffd21f),
        hex(0xe32b2b),
        hex(0x2f8fe0),
        hex(0x161616),
        hex(0xf7f3e8),
    ];
    let (straw, straw_dark) = (hex(0xd9ab55), hex(0x8a6428));
    let outer = 2.0 * RING * ZONES as f32;
    paint(move |x, y| {
        let (r, _) = polar(x, y, 0.5, 0.5);
        let ring = (r / RING) as usize;
        if ring < 2 * ZONES {
            // Thin lines between rings: dark ones, except on the black zone.
            let is_line = (r / RING).rem_euclid(1.0) > 0.9 && ring + 1 < 2 * ZONES;
            let zone = ring / 2;
            match (is_line, zone) {
                (true, 3) => hex(0x9a9a9a),
                (true, _) => hex(0x202020),
                (false, _) => zones[zone],
            }
        } else {
            // Straw fibres, and the target's shadow falling down and to the right.
            let fibre = triangle(y * 38.0 + 0.25 * (x * 23.0).sin() + 0.15 * (x * 57.0).sin());
            let (shadow_r, _) = polar(x, y, 0.52, 0.53);
            let shadow = smoothstep(outer + 0.05, outer, shadow_r) * 0.45;
            scale(mix(straw, straw_dark, fibre * 0.45), 1.0 - shadow)
        }
    })
}

/// A layered mandala flower: coral petals, pale petals between them, a dark inner star and a
/// golden centre with seeds in a sunflower spiral.
fn flower() -> RgbImage {
    /// Radius of an n-petalled rosette at angle `theta`: `r0` at petal tips, `r0 * base` between.
    fn rosette(theta: f32, n: f32, r0: f32, base: f32, turn: f32) -> f32 {
        let p = (0.5 * n * (theta - turn)).cos().abs();
        r0 * (base + (1.0 - base) * p.sqrt())
    }
    let bg = hex(0x0e2f38);
    let layers = [
        // (petals, tip radius, valley fraction, turn, colour)
        (8.0, 0.48, 0.35, 0.0, hex(0xff5a6e)),
        (8.0, 0.37, 0.35, PI / 8.0, hex(0xffc2d4)),
        (16.0, 0.25, 0.55, 0.0, hex(0x6a1b5a)),
    ];
    let (centre, seed) = (hex(0xffc928), hex(0x7a3b00));
    let golden_angle = PI * (3.0 - 5f32.sqrt());
    paint(move |x, y| {
        let (r, theta) = polar(x, y, 0.5, 0.5);
        if r < 0.11 {
            // Seeds at Vogel's spiral positions: seed i at radius c*sqrt(i), angle i*golden.
            let is_seed = (0..60).any(|i| {
                let (sr, sa) = (0.0135 * (i as f32).sqrt(), i as f32 * golden_angle);
                (x - 0.5 - sr * sa.cos()).hypot(y - 0.5 - sr * sa.sin()) < 0.0055
            });
            return if is_seed { seed } else { centre };
        }
        let mut c = bg;
        // A ring of small dots around the flower.
        let (dot_r, dot_theta) = (0.485, (theta / TAU * 24.0).round() * TAU / 24.0);
        if (x - 0.5 - dot_r * dot_theta.cos()).hypot(y - 0.5 - dot_r * dot_theta.sin()) < 0.012 {
            c = hex(0x3fb5a8);
        }
        for &(n, r0, base, turn, colour) in &layers {
            let edge = rosette(theta, n, r0, base, turn);
            if r < edge {
                // Each petal darkens towards its rim and gets a thin dark outline.
                let shade = 1.0 - 0.35 * smoothstep(0.3, 1.0, r / edge);
                c = if r > edge - 0.012 {
                    scale(colour, 0.45)
                } else {
                    scale(colour, shade)
                };
            }
        }
        c
    })
}

/// Three ranges of jagged mountains, paler with distance, under a cratered full moon.
fn mountains() -> RgbImage {
    let stars = scatter(5, 60);
    let (sky_top, sky_low) = (hex(0x0a0b2e), hex(0x3a4a8c));
    let (moon, crater) = (hex(0xfdf6d8), hex(0xd9cfae));
    let (moon_x, moon_y, moon_r) = (0.72, 0.24, 0.13);
    let craters = [
        (0.03, -0.03, 0.035),
        (-0.04, 0.03, 0.025),
        (0.02, 0.05, 0.018),
    ];
    let snow = hex(0xeef1ff);
    // (foot, peak height, peaks across the picture, offset, colour); nearer ranges come later.
    let ranges = [
        (0.70, 0.34, 1.6, 0.35, hex(0x5d6fb0)),
        (0.80, 0.24, 2.4, 0.8, hex(0x27306a)),
        (0.94, 0.16, 3.3, 0.25, hex(0x090b22)),
    ];
    paint(move |x, y| {
        let mut c = mix(sky_top, sky_low, y.powf(1.5));
        for &(sx, sy, size) in &stars {
            if (x - sx).hypot(y - sy * 0.6) < 0.003 + 0.004 * size {
                c = mix(c, moon, 0.5 + 0.5 * size);
            }
        }
        let (r, _) = polar(x, y, moon_x, moon_y);
        c = mix(c, moon, (-(r - moon_r).max(0.0) / 0.06).exp() * 0.35);
        if r < moon_r {
            c = moon;
            for &(cx, cy, cr) in &craters {
                if (x - moon_x - cx).hypot(y - moon_y - cy) < cr {
                    c = crater;
                }
            }
        }
        for (i, &(foot, peak, peaks, offset, colour)) in ranges.iter().enumerate() {
            // Big peaks with a smaller jagged ripple on their flanks.
            let t = x * peaks + offset;
            let height = peak * (0.88 * triangle(t) + 0.12 * triangle(t * 3.7 + 0.4));
            let ridge = foot - height;
            if y > ridge {
                c = colour;
                if i == 0 && y < foot - 0.68 * peak {
                    c = snow;
                }
            }
        }
        c
    })
}

/// A black-and-white checkerboard that swells towards the viewer, Vasarely style, with the
/// light squares washed in a diagonal gradient.
fn op_art() -> RgbImage {
    const SQUARES: f32 = 11.0;
    let (warm, cool) = (hex(0xffd34d), hex(0x4de0ff));
    let dark = hex(0x14101c);
    paint(move |x, y| {
        let (dx, dy) = (x - 0.5, y - 0.5);
        let r = dx.hypot(dy);
        // Push points outwards near the centre so the middle squares look larger.
        let bulge = 1.0 - 0.55 * smoothstep(0.42, 0.0, r);
        let (u, v) = (dx * bulge + 0.5, dy * bulge + 0.5);
        let is_light = ((u * SQUARES).floor() + (v * SQUARES).floor()).rem_euclid(2.0) < 1.0;
        if is_light {
            mix(warm, cool, (x + y) * 0.5)
        } else {
            dark
        }
    })
}

/// A shaded red heart with a highlight and a dark outline, on a pink sunburst.
fn heart() -> RgbImage {
    /// Whether (x, y) is inside a heart of the given size centred near the middle; the curve is
    /// (X^2 + Y^2 - 1)^3 - X^2 Y^3 < 0 with Y pointing up.
    fn is_in_heart(x: f32, y: f32, size: f32) -> bool {
        let (hx, hy) = ((x - 0.5) / size, (0.54 - y) / size);
        let k = hx * hx + hy * hy - 1.0;
        k * k * k - hx * hx * hy * hy * hy < 0.0
    }
    let (ray_a, ray_b) = (hex(0xffe3ea), hex(0xffc4d3));
    let (red, deep, outline) = (hex(0xff3a52), hex(0xa00d2a), hex(0x5c0616));
    paint(move |x, y| {
        if is_in_heart(x, y, 0.36) {
            if !is_in_heart(x, y, 0.34) {
                return outline;
            }
            // Lit from the upper left: bright near the highlight, deep red towards the tip.
            let (r, _) = polar(x, y, 0.37, 0.34);
            let body = mix(red, deep, smoothstep(0.08, 0.5, r));
            let highlight = smoothstep(0.065, 0.025, (x - 0.37).hypot((y - 0.33) * 1.4));
            mix(body, hex(0xffffff), highlight * 0.9)
        } else {
            let (_, theta) = polar(x, y, 0.5, 0.5);
            let is_ray = (theta / TAU * 20.0).rem_euclid(1.0) < 0.5;
            if is_ray { ray_a } else { ray_b }
        }
    })
}

/// A round leafy tree with red apples, on a green hill under a pale sky.
fn tree() -> RgbImage {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    // Leaf clusters: (x, y, radius), drawn in order, each over the ones before.
    let clusters: Vec<(f32, f32, f32)> = (0..22)
        .map(|_| {
            let angle = rng.random_range(0.0..TAU);
            let dist = rng.random_range(0.0f32..1.0).sqrt() * 0.2;
            let radius = rng.random_range(0.07..0.11);
            (
                0.5 + dist * angle.cos(),
                0.36 + dist * angle.sin() * 0.75,
                radius,
            )
        })
        .collect();
    let apples = scatter(9, 16);
    let (sky_top, sky_low) = (hex(0x7cc4f2), hex(0xe6f6ff));
    let (grass, grass_dark) = (hex(0x7bc043), hex(0x3d7a25));
    let (leaf, leaf_dark) = (hex(0x6fcf4a), hex(0x1d5c22));
    let bark = hex(0x5a3418);
    paint(move |x, y| {
        let mut c = mix(sky_top, sky_low, y);
        let hill = (x - 0.5).hypot((y - 1.35) * 0.9);
        if hill < 0.58 {
            c = mix(
                grass,
                grass_dark,
                (smoothstep(0.5, 0.58, hill) * 0.3 + (y - 0.8) * 1.5).clamp(0.0, 1.0),
            );
        }
        // A trunk that widens towards the ground, with two branches into the crown.
        let trunk_half = 0.028 + 0.04 * smoothstep(0.55, 0.84, y);
        let is_trunk = y > 0.45 && y < 0.84 && (x - 0.5).abs() < trunk_half;
        let is_branch = (y - 0.7 + 0.9 * (x - 0.5).abs()).abs() < 0.017 && (x - 0.5).abs() < 0.2;
        if is_trunk || is_branch {
            c = bark;
        }
        for &(cx, cy, cr) in &clusters {
            let d = (x - cx).hypot(y - cy);
            if d < cr {
                // Lit from the upper left: lighter where the point faces the light.
                let facing = ((cx - x) * 0.6 + (cy - y) * 0.8) / cr;
                c = mix(leaf_dark, leaf, 0.45 + 0.55 * facing);
                if d > cr - 0.008 {
                    c = scale(leaf_dark, 0.8);
                }
            }
        }
        for &(ax, ay, _) in &apples {
            let (px, py) = (0.3 + ax * 0.4, 0.2 + ay * 0.32);
            let is_on_crown = clusters
                .iter()
                .any(|&(cx, cy, cr)| (px - cx).hypot(py - cy) < cr);
            if is_on_crown && (x - px).hypot(y - py) < 0.016 {
                c = if (x - px + 0.005).hypot(y - py + 0.005) < 0.005 {
                    hex(0xffb0a0)
                } else {
                    hex(0xd8161b)
                };
            }
        }
        c
    })
}
