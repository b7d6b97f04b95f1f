//! [`Output`]: the latest weights and the network's output for the buttons, recomputed with
//! one forward pass on the UI thread whenever either changes, and the picture of it that the
//! screen shows, which follows the output at once after a key and within the link's budget
//! while training (see `render::screen_picture` and `tui::link`).

use crate::net::{Network, Workspace};
use crate::render::screen_picture::ScreenPicture;
use std::sync::Arc;

/// The weights being explored and what they make of the buttons.
#[derive(Debug, Default)]
pub struct Output {
    pub net: Option<Arc<Network>>,
    workspace: Option<Workspace>,
    /// The network's output for the buttons (empty until there are weights).
    pub values: Vec<f32>,
    /// Epoch of the weights in `net`.
    pub epoch: usize,
    /// The output's picture as the screen shows it.
    pub shown: ScreenPicture,
    /// `shown` is behind `values`: new weights came, or a refresh ran out of budget.
    pub behind: bool,
}

impl Output {
    /// New weights of `epoch`: keeps them and recomputes the output for `buttons`.
    pub fn set_weights(&mut self, net: Arc<Network>, epoch: usize, buttons: &[f32]) {
        let same_shape = (self.net.as_ref()).is_some_and(|old| old.layers() == net.layers());
        if !same_shape {
            self.workspace = None;
        }
        self.net = Some(net);
        self.epoch = epoch;
        self.refresh(buttons);
    }

    /// Runs the network on `buttons` (one forward pass); nothing without fitting weights.
    pub fn refresh(&mut self, buttons: &[f32]) {
        let Some(net) = &self.net else {
            return;
        };
        if net.input_len() != buttons.len() {
            return;
        }
        let ws = match &mut self.workspace {
            Some(ws) => ws,
            None => self.workspace.insert(Workspace::new(net)),
        };
        self.values.clear();
        self.values.extend_from_slice(net.forward(buttons, ws));
    }
}
