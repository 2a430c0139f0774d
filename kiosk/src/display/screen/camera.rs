//! The camera screen (`camera.slint`): a material photographed page by page, shown while the
//! transaction's capture is open on the materials step. Its state comes from the session; its
//! pictures do not: the live preview comes from the camera through [`super::super::preview`],
//! and the pages' thumbnails are made here from the pages the session holds, once per page,
//! and forgotten (wiped) when the page goes.

use std::rc::Rc;
use std::sync::Weak;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::camera::{CameraBusy, CameraVm, Picture};
use slint::ComponentHandle;
use zeroize::{Zeroize, Zeroizing};

use crate::devices::camera_preview::shrink;
use crate::display::frontend::{on0, Frontend};
use crate::display::map::content;
use crate::session::capture::{Capture, CaptureWait};
use crate::session::{DocBytes, Session, UiInput};

/// The widest a page's thumbnail is made.
const THUMB_WIDTH: u32 = 240;

/// The capture open now, if the camera screen shows.
pub fn capture(s: &Session) -> Option<&Capture> {
    s.transaction.as_ref().and_then(|t| t.capture.as_ref())
}

/// The camera screen's state.
pub fn view(s: &Session) -> CameraVm {
    let Some(c) = capture(s) else {
        return CameraVm::default();
    };
    let name = s
        .transaction
        .as_ref()
        .and_then(|t| t.materials.iter().find(|l| l.material.code == c.code))
        .map(|l| content(s, &l.material.name, l.material.name_en.as_deref()))
        .unwrap_or_else(|| c.code.clone());
    CameraVm {
        material_name: name,
        pages: c.pages.len(),
        problem: c
            .problem
            .map(|p| p.text(s.language).to_owned())
            .unwrap_or_default(),
        busy: match c.waiting {
            None => CameraBusy::None,
            Some(CaptureWait::Page { .. }) => CameraBusy::Page,
            Some(CaptureWait::Pdf(_)) => CameraBusy::Pdf,
        },
        camera_ok: s.devices.camera,
    }
}

type PageHandle = Weak<Zeroizing<Vec<u8>>>;

/// The pages' thumbnails, kept while their pages are: each made once (a page's JPEG decoded
/// and shrunk), wiped when its page leaves the session.
#[derive(Debug, Default)]
pub struct Thumbnails {
    made: Vec<(PageHandle, Picture)>,
}

impl Thumbnails {
    /// Brings the thumbnails in line with `pages`; true if they changed.
    pub fn update(&mut self, pages: &[DocBytes]) -> bool {
        let same = self.made.len() == pages.len()
            && self
                .made
                .iter()
                .zip(pages)
                .all(|((h, _), p)| Weak::ptr_eq(h, &p.watch()));
        if same {
            return false;
        }
        let mut old = std::mem::take(&mut self.made);
        for page in pages {
            let handle = page.watch();
            let kept = old
                .iter()
                .position(|(h, _)| Weak::ptr_eq(h, &handle))
                .map(|i| old.swap_remove(i).1);
            let picture = kept.unwrap_or_else(|| thumbnail(page));
            self.made.push((handle, picture));
        }
        for (_, mut gone) in old {
            gone.rgb.zeroize();
        }
        true
    }

    /// The thumbnails, in page order.
    pub fn pictures(&self) -> Vec<Picture> {
        self.made.iter().map(|(_, p)| p.clone()).collect()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.made.is_empty()
    }

    /// Forgets (wipes) every thumbnail.
    pub fn clear(&mut self) {
        for (_, mut p) in self.made.drain(..) {
            p.rgb.zeroize();
        }
    }
}

/// A page's thumbnail; a grey sheet if its JPEG does not decode (the session checked it).
fn thumbnail(page: &DocBytes) -> Picture {
    match image::load_from_memory_with_format(page.bytes(), image::ImageFormat::Jpeg) {
        Ok(img) => {
            let rgb = img.to_rgb8();
            let (width, height, pixels) = shrink(&rgb, THUMB_WIDTH);
            rgb.into_raw().zeroize();
            Picture {
                width,
                height,
                rgb: pixels.to_vec(),
            }
        }
        Err(err) => {
            tracing::warn!(%err, "a page's thumbnail could not be made");
            Picture {
                width: 2,
                height: 3,
                rgb: vec![200; 18],
            }
        }
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let camera = f.app.global::<ui::CameraAdapter<'_>>();
    camera.on_take(on0(f, |f| f.press(UiInput::TakePage)));
    camera.on_next_page(on0(f, |f| f.press(UiInput::TakePage)));
    camera.on_retake(on0(f, |f| f.press(UiInput::RetakePage)));
    camera.on_finish(on0(f, |f| f.press(UiInput::FinishMaterial)));
    camera.on_back(on0(f, |f| f.press(UiInput::Back)));
}
