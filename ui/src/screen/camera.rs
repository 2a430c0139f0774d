//! The camera screen (`camera.slint`, 高拍仪): a material photographed page by page, and the
//! pictures it shows (the live preview and the pages' thumbnails) as plain RGB.

use slint::ComponentHandle;

use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

use super::{model, s};
use crate::generated as ui;

/// What the camera screen is waiting for (nothing, a page, the PDF): the Slint enum of
/// `camera.slint`, re-exported.
pub use crate::generated::CameraBusy;

/// The camera screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CameraVm {
    /// The material photographed, in the screen's language.
    pub material_name: String,
    /// Pages taken so far.
    pub pages: usize,
    /// What went wrong last, in the screen's language ("" when nothing did).
    pub problem: String,
    /// What the screen waits for.
    pub busy: CameraBusy,
    /// The camera is usable (拍照, 重拍 and 下一页 can work).
    pub camera_ok: bool,
}

/// An RGB picture (8 bits a channel, rows top to bottom) to show: a preview frame or a page's
/// thumbnail. It may show a citizen's document: its `Debug` gives only the size.
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// `width × height × 3` bytes.
    pub rgb: Vec<u8>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}×{})", self.width, self.height)
    }
}

impl Picture {
    /// Whether `rgb` holds exactly `width × height` pixels.
    pub fn is_whole(&self) -> bool {
        u64::from(self.width) * u64::from(self.height) * 3 == self.rgb.len() as u64
    }
}

/// The camera screen's state (not its pictures).
pub fn apply_camera(app: &ui::AppWindow, vm: &CameraVm) {
    let g = app.global::<ui::CameraAdapter<'_>>();
    g.set_material_name(s(&vm.material_name));
    g.set_page_count(i32::try_from(vm.pages).unwrap_or(i32::MAX));
    g.set_problem(s(&vm.problem));
    g.set_busy(vm.busy);
    g.set_camera_ok(vm.camera_ok);
}

fn image_of(picture: &Picture) -> Option<Image> {
    if !picture.is_whole() || picture.width == 0 || picture.height == 0 {
        return None;
    }
    let buffer = SharedPixelBuffer::<Rgb8Pixel>::clone_from_slice(
        &picture.rgb,
        picture.width,
        picture.height,
    );
    Some(Image::from_rgb8(buffer))
}

/// The newest preview frame, or none (the preview stopped: the screen forgets the last one).
pub fn set_camera_preview(app: &ui::AppWindow, frame: Option<&Picture>) {
    let g = app.global::<ui::CameraAdapter<'_>>();
    match frame.and_then(image_of) {
        Some(image) => {
            g.set_preview(image);
            g.set_live(true);
        }
        None => {
            g.set_preview(Image::default());
            g.set_live(false);
        }
    }
}

/// The pages' thumbnails, in order.
pub fn set_camera_pages(app: &ui::AppWindow, pages: &[Picture]) {
    let g = app.global::<ui::CameraAdapter<'_>>();
    g.set_pages(model(pages.iter().filter_map(image_of).collect()));
}
