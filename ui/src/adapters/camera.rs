//! Adapter of the camera screen: its state, the live preview frame and the pages' thumbnails.

use slint::{ComponentHandle, Image, Rgb8Pixel, SharedPixelBuffer};

use super::{model, s};
use crate::generated as ui;
use crate::vm;

/// The camera screen's state (not its pictures).
pub fn apply_camera(app: &ui::AppWindow, vm: &vm::CameraVm) {
    let g = app.global::<ui::CameraAdapter<'_>>();
    g.set_material_name(s(&vm.material_name));
    g.set_page_count(i32::try_from(vm.pages).unwrap_or(i32::MAX));
    g.set_problem(s(&vm.problem));
    g.set_busy(match vm.busy {
        vm::CameraBusy::None => ui::CameraBusy::None,
        vm::CameraBusy::Page => ui::CameraBusy::Page,
        vm::CameraBusy::Pdf => ui::CameraBusy::Pdf,
    });
    g.set_camera_ok(vm.camera_ok);
}

fn image_of(picture: &vm::Picture) -> Option<Image> {
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
pub fn set_camera_preview(app: &ui::AppWindow, frame: Option<&vm::Picture>) {
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
pub fn set_camera_pages(app: &ui::AppWindow, pages: &[vm::Picture]) {
    let g = app.global::<ui::CameraAdapter<'_>>();
    g.set_pages(model(pages.iter().filter_map(image_of).collect()));
}
