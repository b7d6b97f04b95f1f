//! The explorer's parts, one widget per file; each renders from `&App` (or less) and owns
//! no state.

pub mod buttons;
pub mod dialog;
pub mod error_chart;
pub mod full_picture;
pub mod header;
pub mod help;
pub mod output;
pub mod rate_chart;
pub mod sample_errors;
pub mod status;
