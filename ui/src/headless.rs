//! Headless rendering: a Slint platform with one `MinimalSoftwareWindow`, so screens render to
//! pixels with the software renderer and no display (screenshots, benchmarks, CI).

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, Rgb8Pixel};

use crate::error::UiError;

struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

thread_local! {
    static WINDOW: RefCell<Option<Rc<MinimalSoftwareWindow>>> = const { RefCell::new(None) };
}

/// The headless window of this thread, installing the headless platform on first use.
///
/// Slint allows one platform per thread; if another one (the testing backend) is already set,
/// this fails with [`UiError::PlatformTaken`].
pub fn window() -> Result<Rc<MinimalSoftwareWindow>, UiError> {
    window_with(RepaintBufferType::NewBuffer)
}

/// Like [`window`], choosing how the buffer is reused: `NewBuffer` repaints everything each
/// frame (screenshots); `ReusedBuffer` repaints only what changed (what the kiosk does while
/// typing). The first call on a thread decides.
pub fn window_with(kind: RepaintBufferType) -> Result<Rc<MinimalSoftwareWindow>, UiError> {
    if let Some(w) = WINDOW.with(|w| w.borrow().clone()) {
        return Ok(w);
    }
    let window = MinimalSoftwareWindow::new(kind);
    slint::platform::set_platform(Box::new(HeadlessPlatform {
        window: window.clone(),
    }))
    .map_err(|_| UiError::PlatformTaken)?;
    WINDOW.with(|w| *w.borrow_mut() = Some(window.clone()));
    Ok(window)
}

/// One rendered frame, RGB8, row-major.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` pixels.
    pub pixels: Vec<Rgb8Pixel>,
}

impl Frame {
    /// A black frame of `size`.
    pub fn blank(size: PhysicalSize) -> Frame {
        Frame {
            width: size.width,
            height: size.height,
            pixels: vec![Rgb8Pixel::default(); size.width as usize * size.height as usize],
        }
    }

    /// How many distinct colours the frame holds (1 means blank).
    pub fn distinct_colours(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        for p in &self.pixels {
            seen.insert((p.r, p.g, p.b));
            if seen.len() > 64 {
                break;
            }
        }
        seen.len()
    }

    /// Writes the frame as an RGB PNG.
    pub fn save_png(&self, path: &Path) -> Result<(), UiError> {
        let io = |source| UiError::Io {
            path: path.to_owned(),
            source,
        };
        let png_err = |e: png::EncodingError| UiError::Png {
            path: path.to_owned(),
            message: e.to_string(),
        };
        let file = std::fs::File::create(path).map_err(io)?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(png_err)?;
        let bytes: Vec<u8> = self.pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
        writer.write_image_data(&bytes).map_err(png_err)?;
        writer.finish().map_err(png_err)
    }
}

/// Runs due timers and animations and draws what changed since the last frame, if anything did
/// (the kiosk's offscreen loop: no redraw is forced). Returns whether it drew.
pub fn draw_if_needed(window: &MinimalSoftwareWindow, frame: &mut Frame) -> bool {
    slint::platform::update_timers_and_animations();
    let stride = frame.width as usize;
    window.draw_if_needed(|renderer| {
        renderer.render(&mut frame.pixels, stride);
    })
}

/// Lays out and renders the whole window at `size`, after running due timers and animations.
pub fn render(window: &MinimalSoftwareWindow, size: PhysicalSize) -> Frame {
    let (w, h) = (size.width as usize, size.height as usize);
    let mut frame = Frame {
        width: size.width,
        height: size.height,
        pixels: vec![Rgb8Pixel::default(); w * h],
    };
    render_into(window, &mut frame, true);
    frame
}

/// Renders into an existing frame of the window's size: every pixel when `full`, otherwise only
/// the regions that changed since the last frame (what the kiosk does while a citizen types).
/// Returns the repainted area in pixels (bounding box).
pub fn render_into(window: &MinimalSoftwareWindow, frame: &mut Frame, full: bool) -> u64 {
    window.set_size(PhysicalSize::new(frame.width, frame.height));
    slint::platform::update_timers_and_animations();
    window.request_redraw();
    let stride = frame.width as usize;
    let mut area = 0;
    window.draw_if_needed(|renderer| {
        renderer.set_repaint_buffer_type(if full {
            RepaintBufferType::NewBuffer
        } else {
            RepaintBufferType::ReusedBuffer
        });
        let region = renderer.render(&mut frame.pixels, stride);
        let size = region.bounding_box_size();
        area = u64::from(size.width) * u64::from(size.height);
    });
    area
}
