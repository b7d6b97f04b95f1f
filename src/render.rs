//! Pictures only; knows nothing about networks or terminals beyond cells.
//!
//! `picture` is the one [`Picture`] type: built from an output vector (floats in 0..1), drawn
//! as half-blocks, written as PNG. `pixels` colours grey values and scales pixels;
//! `halfblock` turns pixels into terminal cells of two pixels each; `color` picks true colour
//! or the nearest 256-palette colour for a terminal; `png` writes files without ever
//! overwriting by accident, each carrying its `recipe`; `sheet` tiles pictures into contact
//! sheets; `motion` lists the inputs of an animation and `animated` encodes it as GIF or APNG.
//! `text` draws labels with a bitmap font, `compare_sheet` lays out the labelled sheet that
//! compares runs and `difference` draws two pictures' difference as a heat map. The network,
//! the terminal and the command line live elsewhere and call in here.

pub mod animated;
pub mod color;
pub mod compare_sheet;
pub mod difference;
pub mod halfblock;
pub mod motion;
pub mod picture;
pub mod pixels;
pub mod png;
pub mod recipe;
pub mod sheet;
pub mod text;

pub use picture::Picture;
