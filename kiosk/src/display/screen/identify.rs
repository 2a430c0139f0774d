//! The 我要办事 screen (`identify.slint`): place the ID card, or scan a code, or browse the guides, as
//! the devices allow.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::identify::IdentifyVm;
use slint::ComponentHandle;

use crate::display::frontend::{on0, Frontend};
use crate::session::{Session, UiInput};

/// 我要办事: what the devices allow.
pub fn view(s: &Session) -> IdentifyVm {
    let offers = s.offers();
    IdentifyVm {
        card_offered: offers.id_card,
        scan_offered: offers.scan,
        browse_offered: offers.browse,
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let identify = app.global::<ui::IdentifyAdapter<'_>>();
    identify.on_browse(on0(f, |f| f.press(UiInput::Browse)));
    identify.on_back(on0(f, |f| f.press(UiInput::Back)));
}
