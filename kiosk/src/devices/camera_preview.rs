//! The camera screen's live preview: the camera's thread puts each new frame, made small
//! enough to show, into a [`PreviewSink`]; the screen takes the newest one when it draws. Only
//! the newest frame is held (a slow screen skips frames, it never queues them), nothing is
//! written anywhere, and each frame's pixels are wiped when it is replaced or taken and
//! dropped: a frame may show a citizen's document.
//!
//! The screen opens a sink when the camera screen shows and closes it when it goes (leaving
//! the screen, the session wiped); the camera's thread stops streaming once the sink is
//! closed or dropped.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use image::RgbImage;
use zeroize::Zeroizing;

/// The widest a preview frame is made: enough for the preview box of a 1080-pixel-wide
/// portrait screen, small enough to draw at camera speed with the software renderer.
pub const PREVIEW_MAX_WIDTH: u32 = 800;

/// One preview frame, ready to show.
pub struct PreviewFrame {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// RGB, `width × height × 3` bytes; wiped on drop.
    pub rgb: Zeroizing<Vec<u8>>,
    /// When the camera delivered the frame (before conversion): the latency is counted from
    /// here.
    pub taken: Instant,
    /// Its number in the stream, from 1.
    pub seq: u64,
}

impl std::fmt::Debug for PreviewFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PreviewFrame(#{} {}×{})",
            self.seq, self.width, self.height
        )
    }
}

/// Where the camera's thread leaves preview frames for the screen.
#[derive(Debug, Default)]
pub struct PreviewSink {
    open: AtomicBool,
    latest: Mutex<Option<PreviewFrame>>,
    delivered: AtomicU64,
}

impl PreviewSink {
    /// An open sink.
    pub fn open() -> Arc<PreviewSink> {
        Arc::new(PreviewSink {
            open: AtomicBool::new(true),
            ..PreviewSink::default()
        })
    }

    /// Whether frames are still wanted.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    /// No more frames: the camera stops streaming, the frame waiting is wiped.
    pub fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.slot().take();
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<PreviewFrame>> {
        self.latest.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new frame from the camera (taken at `taken`), made at most [`PREVIEW_MAX_WIDTH`]
    /// wide; it replaces one not yet shown. Ignored once the sink is closed.
    pub fn offer(&self, rgb: &RgbImage, taken: Instant) {
        if !self.is_open() {
            return;
        }
        let (width, height, pixels) = shrink(rgb, PREVIEW_MAX_WIDTH);
        let seq = self.delivered.fetch_add(1, Ordering::SeqCst) + 1;
        let frame = PreviewFrame {
            width,
            height,
            rgb: pixels,
            taken,
            seq,
        };
        let mut slot = self.slot();
        if self.is_open() {
            *slot = Some(frame);
        }
    }

    /// The newest frame not yet taken.
    pub fn take(&self) -> Option<PreviewFrame> {
        self.slot().take()
    }

    /// Frames offered so far.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::SeqCst)
    }
}

/// `rgb` made at most `max_width` wide by keeping every n-th pixel (n the smallest whole
/// step that fits): cheap enough for every frame, and sharp enough for laying a page.
pub fn shrink(rgb: &RgbImage, max_width: u32) -> (u32, u32, Zeroizing<Vec<u8>>) {
    let (w, h) = rgb.dimensions();
    let step = w.div_ceil(max_width.max(1)).max(1);
    let (nw, nh) = (w.div_ceil(step), h.div_ceil(step));
    let mut out = Zeroizing::new(Vec::with_capacity(nw as usize * nh as usize * 3));
    let raw = rgb.as_raw();
    let stride = w as usize * 3;
    for y in (0..h).step_by(step as usize) {
        let row = &raw[y as usize * stride..(y as usize + 1) * stride];
        for x in (0..w).step_by(step as usize) {
            let i = x as usize * 3;
            out.extend_from_slice(&row[i..i + 3]);
        }
    }
    (nw, nh, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_frame_is_shrunk_to_fit_and_keeps_its_pixels() {
        let img = RgbImage::from_fn(1600, 1200, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
        });
        let (w, h, rgb) = shrink(&img, 800);
        assert_eq!((w, h), (800, 600));
        assert_eq!(rgb.len(), 800 * 600 * 3);
        // Pixel (10, 20) of the small one is pixel (20, 40) of the large one.
        let i = (20 * 800 + 10) * 3;
        assert_eq!(&rgb[i..i + 3], &[20, 40, 7]);
        let (w, h, _) = shrink(&RgbImage::new(640, 480), 800);
        assert_eq!((w, h), (640, 480), "a small frame stays as it is");
    }

    #[test]
    fn only_the_newest_frame_is_kept_and_a_closed_sink_keeps_none() {
        let sink = PreviewSink::open();
        let t = Instant::now();
        sink.offer(&RgbImage::new(8, 8), t);
        sink.offer(&RgbImage::new(16, 8), t);
        let frame = sink.take().expect("a frame");
        assert_eq!(
            (frame.seq, frame.width),
            (2, 16),
            "the older frame was replaced"
        );
        assert!(sink.take().is_none(), "taken once");
        sink.offer(&RgbImage::new(8, 8), t);
        sink.close();
        assert!(sink.take().is_none(), "closing drops the frame waiting");
        sink.offer(&RgbImage::new(8, 8), t);
        assert!(sink.take().is_none(), "a closed sink takes nothing");
        assert_eq!(sink.delivered(), 3);
    }
}
