//! The camera screen's live preview on the screen's side: while the camera screen shows, a
//! [`PreviewSink`] is open and the camera's thread streams into it; each time the screen
//! polls, the newest frame is put on screen. Leaving the screen (or the session being wiped,
//! which closes the capture) closes the sink: the camera stops streaming and the last frame
//! is taken off the screen. Frames are never part of the session and never stored.

use std::sync::Arc;
use std::time::Instant;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::camera::{set_camera_preview, Picture};
use zeroize::Zeroize;

use crate::devices::{CameraHandle, PreviewSink};

/// The preview's side of the screen.
#[derive(Debug, Default)]
pub struct LivePreview {
    camera: Option<CameraHandle>,
    sink: Option<Arc<PreviewSink>>,
    /// The frame on screen: its number and when the camera delivered it.
    shown: Option<(u64, Instant)>,
}

impl LivePreview {
    /// A preview of `camera` (none: the screen says the camera is not available).
    pub fn new(camera: Option<CameraHandle>) -> LivePreview {
        LivePreview {
            camera: camera.filter(CameraHandle::fitted),
            sink: None,
            shown: None,
        }
    }

    /// Starts the preview if `wanted` and it is not running; stops it (and takes the last
    /// frame off the screen) if not wanted.
    pub fn want(&mut self, app: &ui::AppWindow, wanted: bool) {
        match (wanted, self.sink.is_some()) {
            (true, false) => {
                let Some(camera) = &self.camera else { return };
                let sink = PreviewSink::open();
                match camera.start_preview(sink.clone()) {
                    Ok(()) => self.sink = Some(sink),
                    Err(err) => tracing::warn!(%err, "the camera's preview did not start"),
                }
            }
            (false, true) => {
                if let Some(sink) = self.sink.take() {
                    sink.close();
                }
                self.shown = None;
                set_camera_preview(app, None);
            }
            _ => {}
        }
    }

    /// Whether the preview runs.
    pub fn running(&self) -> bool {
        self.sink.is_some()
    }

    /// Puts the newest frame on screen, if a new one came; true if it did.
    pub fn show_newest(&mut self, app: &ui::AppWindow) -> bool {
        let Some(mut frame) = self.sink.as_ref().and_then(|s| s.take()) else {
            return false;
        };
        let mut picture = Picture {
            width: frame.width,
            height: frame.height,
            rgb: std::mem::take(&mut *frame.rgb),
        };
        set_camera_preview(app, Some(&picture));
        picture.rgb.zeroize();
        self.shown = Some((frame.seq, frame.taken));
        true
    }

    /// The frame on screen: its number in the stream and when the camera delivered it.
    pub fn shown(&self) -> Option<(u64, Instant)> {
        self.shown
    }
}

impl Drop for LivePreview {
    fn drop(&mut self) {
        if let Some(sink) = self.sink.take() {
            sink.close();
        }
    }
}
