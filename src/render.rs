//! Pictures only; knows nothing about networks or terminals beyond cells.
//!
//! `picture` is the one [`Picture`] type: built from an output vector (floats in 0..1), drawn
//! as terminal cells, written as PNG. `pixels` colours grey values and scales pixels;
//! `halfblock` pairs pixels into terminal cells of two pixels each; `color` holds the
//! terminal palettes, `dither` spreads a colour over two palette entries, and `cells` turns
//! pixels into the cells of a colour mode; `screen_picture` keeps the picture on screen and
//! moves it toward a new one within a budget of cells; `png` writes files without ever
//! overwriting by accident, each carrying its `recipe`; `sheet` tiles pictures into contact
//! sheets; `motion` lists the inputs of an animation and `animated` encodes it as GIF or APNG.
//! `text` draws labels with a bitmap font, `compare_sheet` lays out the labelled sheet that
//! compares runs and `difference` draws two pictures' difference as a heat map. The network,
//! the terminal and the command line live elsewhere and call in here.

pub mod animated;
pub mod cells;
pub mod color;
pub mod compare_sheet;
pub mod difference;
pub mod dither;
pub mod halfblock;
pub mod motion;
pub mod picture;
pub mod pixels;
pub mod png;
pub mod recipe;
pub mod screen_picture;
pub mod sheet;
pub mod text;

pub use picture::Picture;
