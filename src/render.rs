//! Pixels only; knows nothing about networks.
//!
//! `pixels` turns an output vector (floats in 0..1) into an RGB image, colours grey values and
//! scales images; `halfblock` turns pixels into terminal cells of two pixels each; `color`
//! picks true colour or the nearest 256-palette colour for a terminal; `png` writes images and
//! contact sheets to disk without ever overwriting by accident; `text` draws labels with a
//! bitmap font, `compare_sheet` lays out the labelled sheet that compares runs and
//! `difference` draws two pictures' difference as a heat map. The network, the terminal and
//! the command line live elsewhere and call in here.

pub mod color;
pub mod compare_sheet;
pub mod difference;
pub mod halfblock;
pub mod pixels;
pub mod png;
pub mod text;
