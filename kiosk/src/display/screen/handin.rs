//! The materials screen (`handin.slint`): what is handed in, reused (已有), read from the card
//! or photographed here (拍照提交, while the camera works), and what comes later.

use std::rc::Rc;

use hall_api::application::MaterialSource;
use kiosk_ui::generated as ui;
use kiosk_ui::screen::handin::{HandInLine, MaterialsVm};
use kiosk_ui::screen::Paging;
use slint::{ComponentHandle, SharedString};

use crate::display::frontend::{list_step, on0, on1, Frontend};
use crate::display::map::{amounts, content};
use crate::session::{Session, UiInput};

/// The materials hand-in: reused ones marked.
pub fn view(s: &Session) -> MaterialsVm {
    let Some(t) = s.transaction.as_ref() else {
        return MaterialsVm::default();
    };
    MaterialsVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        materials: t
            .materials
            .iter()
            .map(|l| {
                let m = &l.material;
                HandInLine {
                    code: m.code.clone(),
                    name: content(s, &m.name, m.name_en.as_deref()),
                    form: amounts(s, m.originals, m.copies),
                    can_reuse: l.held,
                    reused: l.source == MaterialSource::Reused,
                    by_id_card: l.source == MaterialSource::IdCardRead,
                    // Offered only while the camera works; otherwise the window and mail.
                    can_photograph: m.photographable
                        && s.devices.camera
                        && l.source != MaterialSource::IdCardRead,
                    scanned_pages: l
                        .scan
                        .as_ref()
                        .filter(|_| l.source == MaterialSource::Scanned)
                        .map(|d| d.pages),
                }
            })
            .collect(),
        reuse_unknown: matches!(
            t.reuse,
            crate::session::transaction::ReuseLookup::Unavailable
        ),
        paging: Paging::default(),
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let materials = app.global::<ui::MaterialsAdapter<'_>>();
    let set_reuse = on1(f, |f, (code, reuse): (SharedString, bool)| {
        f.press(UiInput::SetMaterialSource {
            code: code.to_string(),
            source: if reuse {
                MaterialSource::Reused
            } else {
                MaterialSource::Later
            },
        })
    });
    materials.on_set_reuse(move |code, reuse| set_reuse((code, reuse)));
    let photograph = on1(f, |f, code: SharedString| {
        f.press(UiInput::SetMaterialSource {
            code: code.to_string(),
            source: MaterialSource::Scanned,
        })
    });
    materials.on_photograph(photograph);
    materials.on_prev_page(on0(f, |f| list_step(f, false)));
    materials.on_next_page(on0(f, |f| list_step(f, true)));
    materials.on_next(on0(f, |f| f.press(UiInput::Next)));
    materials.on_back(on0(f, |f| f.press(UiInput::Back)));
}
