//! Animations as files: GIF for pictures of at most 256 colours (greyscale and colour-mapped
//! outputs, exact), APNG for full colour (RGB networks, exact too). Both loop forever and
//! carry the animation's recipe.
//!
//! Frames are plain RGB images of one size; encoding happens in memory and the caller writes
//! the bytes whole (see `atomic`), so no half-written animation ever appears.

use super::png::png_encoder;
use super::recipe::Recipe;
use anyhow::{Context, Result, bail};
use image::RgbImage;
use std::collections::HashMap;

/// Which container an animation is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnimationFormat {
    /// GIF: at most 256 colours per frame, delays in 10 ms units.
    Gif,
    /// Animated PNG: any colour, delays in milliseconds.
    Apng,
}

impl AnimationFormat {
    /// The format a file name asks for: `.gif`, or `.png`/`.apng` for APNG.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "gif" => Some(AnimationFormat::Gif),
            "png" | "apng" => Some(AnimationFormat::Apng),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            AnimationFormat::Gif => "gif",
            AnimationFormat::Apng => "png",
        }
    }
}

/// Encodes `frames` (all the same size, at least one) shown `delay_ms` each, looping forever.
///
/// A GIF frame with more than 256 colours is an error rather than a dithered approximation:
/// animate full-colour pictures as APNG. Errors describe the problem without a file name.
pub fn encode_animation(
    format: AnimationFormat,
    frames: &[RgbImage],
    delay_ms: u32,
    recipe: &Recipe,
) -> Result<Vec<u8>> {
    let Some(first) = frames.first() else {
        bail!("an animation needs at least one frame");
    };
    let (w, h) = first.dimensions();
    if frames.iter().any(|f| f.dimensions() != (w, h)) {
        bail!("every frame of an animation must be {w}x{h}");
    }
    match format {
        AnimationFormat::Gif => encode_gif(frames, delay_ms, recipe),
        AnimationFormat::Apng => encode_apng(frames, delay_ms, recipe),
    }
}

fn encode_gif(frames: &[RgbImage], delay_ms: u32, recipe: &Recipe) -> Result<Vec<u8>> {
    let (w, h) = frames[0].dimensions();
    let (Ok(w16), Ok(h16)) = (u16::try_from(w), u16::try_from(h)) else {
        bail!("a GIF is at most 65535 pixels a side, this animation is {w}x{h}");
    };
    let mut bytes = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut bytes, w16, h16, &[])?;
        encoder.set_repeat(gif::Repeat::Infinite)?;
        let comment = recipe.to_comment();
        if !comment.is_empty() {
            // GIF comment blocks hold at most 255 bytes each.
            let blocks: Vec<&[u8]> = comment.as_bytes().chunks(255).collect();
            encoder.write_raw_extension(gif::Extension::Comment.into(), &blocks)?;
        }
        let delay_cs = u16::try_from(delay_ms.div_ceil(10)).unwrap_or(u16::MAX);
        for (n, frame) in frames.iter().enumerate() {
            let (palette, indices) = exact_palette(frame).with_context(|| {
                format!(
                    "frame {}: more than 256 colours; write an APNG (.png) instead",
                    n + 1
                )
            })?;
            let frame = gif::Frame {
                width: w16,
                height: h16,
                delay: delay_cs,
                palette: Some(palette),
                buffer: indices.into(),
                ..gif::Frame::default()
            };
            encoder.write_frame(&frame)?;
        }
    }
    Ok(bytes)
}

/// The frame's colours as a palette (RGB triples, in order of first appearance) and each
/// pixel's index into it; `None` when there are more than 256 colours.
fn exact_palette(frame: &RgbImage) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut index_of: HashMap<[u8; 3], u8> = HashMap::new();
    let mut palette = Vec::new();
    let mut indices = Vec::with_capacity((frame.width() * frame.height()) as usize);
    for pixel in frame.pixels() {
        let index = match index_of.get(&pixel.0) {
            Some(&i) => i,
            None => {
                let i = u8::try_from(index_of.len()).ok()?;
                index_of.insert(pixel.0, i);
                palette.extend_from_slice(&pixel.0);
                i
            }
        };
        indices.push(index);
    }
    Some((palette, indices))
}

fn encode_apng(frames: &[RgbImage], delay_ms: u32, recipe: &Recipe) -> Result<Vec<u8>> {
    let (w, h) = frames[0].dimensions();
    let mut bytes = Vec::new();
    {
        let mut encoder = png_encoder(&mut bytes, w, h, recipe)?;
        let count = u32::try_from(frames.len()).context("too many frames")?;
        encoder.set_animated(count, 0)?;
        let delay = u16::try_from(delay_ms).unwrap_or(u16::MAX);
        encoder.set_frame_delay(delay, 1000)?;
        let mut writer = encoder.write_header()?;
        for frame in frames {
            writer.write_image_data(frame.as_raw())?;
        }
        writer.finish()?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{AnimationDecoder, Rgb};
    use std::io::Cursor;

    fn grey_frame(level: u8) -> RgbImage {
        RgbImage::from_fn(7, 5, |x, y| {
            let g = level.wrapping_add((x * 30 + y * 3) as u8);
            Rgb([g, g, g])
        })
    }

    fn recipe() -> Recipe {
        Recipe {
            path: Some(vec![vec![0.0, 1.0], vec![1.0, 0.0]]),
            epoch: Some(42),
            ..Recipe::default()
        }
    }

    #[test]
    fn a_gif_decodes_back_to_the_same_frames_and_delays() {
        let frames: Vec<RgbImage> = (0..4).map(|i| grey_frame(i * 50)).collect();
        let bytes = encode_animation(AnimationFormat::Gif, &frames, 40, &recipe()).expect("gif");
        let decoder = image::codecs::gif::GifDecoder::new(Cursor::new(&bytes)).expect("decode");
        let decoded = decoder.into_frames().collect_frames().expect("frames");
        assert_eq!(decoded.len(), 4);
        for (got, want) in decoded.iter().zip(&frames) {
            let (num, den) = got.delay().numer_denom_ms();
            assert_eq!(num / den, 40);
            let rgb = image::DynamicImage::ImageRgba8(got.buffer().clone()).to_rgb8();
            assert_eq!(&rgb, want, "GIF frames are exact");
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("nnimg:epoch=42"),
            "the recipe is in a comment"
        );
    }

    #[test]
    fn an_apng_decodes_back_to_the_same_frames_delays_and_recipe() {
        let frames: Vec<RgbImage> = (0..3)
            .map(|i| RgbImage::from_fn(6, 4, |x, y| Rgb([x as u8 * 40, y as u8 * 60, i * 90])))
            .collect();
        let bytes = encode_animation(AnimationFormat::Apng, &frames, 30, &recipe()).expect("apng");
        let decoder = image::codecs::png::PngDecoder::new(Cursor::new(&bytes)).expect("decode");
        let decoded = decoder
            .apng()
            .expect("apng")
            .into_frames()
            .collect_frames()
            .expect("frames");
        assert_eq!(decoded.len(), 3);
        for (got, want) in decoded.iter().zip(&frames) {
            let (num, den) = got.delay().numer_denom_ms();
            assert_eq!(num / den, 30);
            let rgb = image::DynamicImage::ImageRgba8(got.buffer().clone()).to_rgb8();
            assert_eq!(&rgb, want);
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.png");
        std::fs::write(&path, &bytes).expect("write");
        let back = super::super::recipe::read_png_recipe(&path).expect("recipe");
        assert_eq!(back, recipe());
    }

    #[test]
    fn a_gif_refuses_a_frame_of_more_than_256_colours() {
        let frame = RgbImage::from_fn(32, 32, |x, y| Rgb([x as u8 * 8, y as u8 * 8, 0]));
        let err = encode_animation(AnimationFormat::Gif, &[frame], 40, &Recipe::default())
            .expect_err("1024 colours");
        assert!(format!("{err:#}").contains("APNG"), "{err:#}");
    }

    #[test]
    fn the_same_picture_and_recipe_give_the_same_bytes() {
        let img = grey_frame(9);
        let a = super::super::png::encode_png(&img, &recipe()).expect("png");
        let b = super::super::png::encode_png(&img, &recipe()).expect("png");
        assert_eq!(a, b);
        let decoded = image::load_from_memory(&a).expect("decode").to_rgb8();
        assert_eq!(decoded, img);
    }
}
