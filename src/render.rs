//! Pixels only; knows nothing about networks.
//!
//! `pixels` turns an output vector (floats in 0..1) into an RGB image, colours grey values and
//! scales images; `halfblock` pairs pixels into terminal cells of two pixels each; `color`
//! holds the terminal palettes, `dither` spreads a colour over two palette entries, and
//! `cells` turns a picture into the cells of a colour mode; `shown` keeps the picture on
//! screen and moves it toward a new one within a budget of cells; `png` writes images and
//! contact sheets to disk without ever overwriting by accident. The network, the terminal and
//! the command line live elsewhere and call in here.

pub mod cells;
pub mod color;
pub mod dither;
pub mod halfblock;
pub mod pixels;
pub mod png;
pub mod shown;
