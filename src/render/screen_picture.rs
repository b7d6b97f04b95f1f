//! The picture as the terminal shows it, kept apart from the network's latest output so that
//! a link is not flooded while training changes every pixel a little, many times a second.
//!
//! [`ScreenPicture::approach`] moves the shown picture toward the latest output only where it
//! changed visibly, the biggest changes first, and at most a given number of cells at a time;
//! what is left is caught up at the next refresh. [`ScreenPicture::show`] takes the output
//! whole, for changes a person asked for (a button, a colour map), which should look instant.
//! A picture that stopped changing stops costing anything.

use image::RgbImage;

/// Smallest change of a channel, in levels of 255, worth sending: below it a pixel keeps its
/// shown colour. Greys two levels apart are hard to tell apart side by side; four is safe.
pub const VISIBLE_STEP: u8 = 4;

/// A picture on screen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScreenPicture {
    image: Option<RgbImage>,
}

impl ScreenPicture {
    /// What the screen shows, if anything yet.
    pub fn image(&self) -> Option<&RgbImage> {
        self.image.as_ref()
    }

    /// Shows `target` whole.
    pub fn show(&mut self, target: &RgbImage) {
        match &mut self.image {
            Some(img) if img.dimensions() == target.dimensions() => {
                img.copy_from_slice(target.as_raw());
            }
            _ => self.image = Some(target.clone()),
        }
    }

    /// Moves the shown picture toward `target` by at most `max_cells` cells (pairs of pixel
    /// rows 2k and 2k+1 in a column, as a half-block cell shows them), choosing the cells
    /// with the largest channel difference, and only those that differ by at least
    /// `VISIBLE_STEP`. A picture of another size is taken whole. Returns how many cells
    /// changed and whether visible differences are left for the next call.
    pub fn approach(&mut self, target: &RgbImage, max_cells: usize) -> Approach {
        let Some(img) = self
            .image
            .as_mut()
            .filter(|i| i.dimensions() == target.dimensions())
        else {
            self.show(target);
            let (w, h) = target.dimensions();
            return Approach {
                cells: w as usize * h.div_ceil(2) as usize,
                pending: false,
            };
        };
        let (w, h) = (img.width() as usize, img.height() as usize);
        let (shown, want) = (img.as_raw(), target.as_raw());
        let pixel_diff = |i: usize| {
            (0..3)
                .map(|c| shown[3 * i + c].abs_diff(want[3 * i + c]))
                .max()
                .unwrap_or(0)
        };
        // (difference, cell index) of every cell that changed visibly.
        let mut changed: Vec<(u8, usize)> = (0..h.div_ceil(2))
            .flat_map(|row| (0..w).map(move |x| (row, x)))
            .filter_map(|(row, x)| {
                let upper = pixel_diff(2 * row * w + x);
                let lower = if 2 * row + 1 < h {
                    pixel_diff((2 * row + 1) * w + x)
                } else {
                    0
                };
                let d = upper.max(lower);
                (d >= VISIBLE_STEP).then_some((d, row * w + x))
            })
            .collect();
        let pending = changed.len() > max_cells;
        if pending {
            changed.select_nth_unstable_by(max_cells, |a, b| b.0.cmp(&a.0));
            changed.truncate(max_cells);
        }
        let raw: &mut [u8] = img;
        for &(_, cell) in &changed {
            let (row, x) = (cell / w, cell % w);
            for y in [2 * row, 2 * row + 1].into_iter().filter(|&y| y < h) {
                let i = 3 * (y * w + x);
                raw[i..i + 3].copy_from_slice(&want[i..i + 3]);
            }
        }
        Approach {
            cells: changed.len(),
            pending,
        }
    }
}

/// What one [`ScreenPicture::approach`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Approach {
    /// Cells changed on screen.
    pub cells: usize,
    /// Visible differences remain.
    pub pending: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn grey(w: u32, h: u32, f: impl Fn(u32, u32) -> u8) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let v = f(x, y);
            Rgb([v, v, v])
        })
    }

    #[test]
    fn the_first_picture_is_shown_whole() {
        let mut shown = ScreenPicture::default();
        let target = grey(4, 3, |x, _| x as u8);
        let step = shown.approach(&target, 1);
        assert_eq!(
            step,
            Approach {
                cells: 8,
                pending: false
            }
        );
        assert_eq!(shown.image(), Some(&target));
    }

    #[test]
    fn changes_below_a_visible_step_are_not_sent() {
        let mut shown = ScreenPicture::default();
        shown.show(&grey(4, 4, |_, _| 100));
        let nudged = grey(4, 4, |x, _| 100 + x as u8); // at most 3 levels
        assert_eq!(
            shown.approach(&nudged, 100),
            Approach {
                cells: 0,
                pending: false
            }
        );
        assert_eq!(shown.image(), Some(&grey(4, 4, |_, _| 100)));
    }

    #[test]
    fn the_biggest_changes_go_first_and_the_rest_follow() {
        let mut shown = ScreenPicture::default();
        shown.show(&grey(3, 2, |_, _| 0));
        // Three cells (one row of cells), changed by 10, 200 and 50.
        let target = grey(3, 2, |x, _| [10, 200, 50][x as usize]);
        assert_eq!(
            shown.approach(&target, 1),
            Approach {
                cells: 1,
                pending: true
            }
        );
        assert_eq!(shown.image().unwrap().get_pixel(1, 1).0, [200; 3]);
        assert_eq!(shown.image().unwrap().get_pixel(2, 0).0, [0; 3]);
        assert_eq!(
            shown.approach(&target, 1),
            Approach {
                cells: 1,
                pending: true
            }
        );
        assert_eq!(shown.image().unwrap().get_pixel(2, 0).0, [50; 3]);
        assert_eq!(
            shown.approach(&target, 1),
            Approach {
                cells: 1,
                pending: false
            }
        );
        assert_eq!(shown.image(), Some(&target));
        assert_eq!(
            shown.approach(&target, 1),
            Approach {
                cells: 0,
                pending: false
            }
        );
    }

    #[test]
    fn a_cell_s_two_pixels_move_together() {
        let mut shown = ScreenPicture::default();
        shown.show(&grey(1, 3, |_, _| 0));
        // Only the lower pixel of the first cell changes visibly; both pixels are taken.
        let target = grey(1, 3, |_, y| [2, 90, 1][y as usize]);
        assert_eq!(
            shown.approach(&target, 5),
            Approach {
                cells: 1,
                pending: false
            }
        );
        let img = shown.image().unwrap();
        assert_eq!(
            (img.get_pixel(0, 0).0[0], img.get_pixel(0, 1).0[0]),
            (2, 90)
        );
        assert_eq!(img.get_pixel(0, 2).0[0], 0);
    }

    #[test]
    fn a_picture_of_another_size_replaces_the_shown_one() {
        let mut shown = ScreenPicture::default();
        shown.show(&grey(2, 2, |_, _| 0));
        let bigger = grey(3, 3, |_, _| 9);
        assert!(!shown.approach(&bigger, 0).pending);
        assert_eq!(shown.image(), Some(&bigger));
    }
}
