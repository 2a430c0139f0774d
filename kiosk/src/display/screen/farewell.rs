//! The closing message before going home (`farewell.slint`).

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::farewell::FarewellKind;
use slint::ComponentHandle;

use crate::display::frontend::{on0, Frontend};
use crate::session::screens::Farewell;
use crate::session::state::HelpAck;
use crate::session::{Screen, Session, UiInput};

/// The farewell's message.
pub fn view(s: &Session) -> FarewellKind {
    match &s.screen {
        Screen::Farewell { message, .. } => match message {
            Farewell::ThanksForRating => FarewellKind::ThanksForRating,
            Farewell::Done => FarewellKind::Done,
            Farewell::ComplaintSent => FarewellKind::ComplaintSent,
            Farewell::HelpRequested(HelpAck::Waiting) => FarewellKind::HelpSending,
            Farewell::HelpRequested(HelpAck::Notified) => FarewellKind::HelpRequested,
            Farewell::HelpRequested(HelpAck::Hotline) => FarewellKind::HelpSaved,
        },
        _ => FarewellKind::Done,
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    app.global::<ui::FarewellAdapter<'_>>()
        .on_done(on0(f, |f| f.press(UiInput::Done)));
}
