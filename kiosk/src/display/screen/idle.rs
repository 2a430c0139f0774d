//! The idle countdown laid over any screen (`idle.slint`): 继续办理 keeps the session (the
//! countdown itself is the session's: `Session::countdown_remaining`).

use std::rc::Rc;

use kiosk_ui::generated as ui;
use slint::ComponentHandle;

use crate::display::frontend::{on0, Frontend};
use crate::session::UiInput;

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    f.app
        .global::<ui::IdleAdapter<'_>>()
        .on_keep_going(on0(f, |f| f.press(UiInput::StillHere)));
}
