//! The closing message before going home (`farewell.slint`).

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::vm;
use slint::ComponentHandle;

use crate::display::frontend::{on0, Frontend};
use crate::session::screens::Farewell;
use crate::session::state::HelpAck;
use crate::session::{Screen, Session, UiInput};

/// The farewell's message.
pub fn view(s: &Session) -> vm::FarewellKind {
    match &s.screen {
        Screen::Farewell { message, .. } => match message {
            Farewell::ThanksForRating => vm::FarewellKind::ThanksForRating,
            Farewell::Done => vm::FarewellKind::Done,
            Farewell::ComplaintSent => vm::FarewellKind::ComplaintSent,
            Farewell::HelpRequested(HelpAck::Waiting) => vm::FarewellKind::HelpSending,
            Farewell::HelpRequested(HelpAck::Notified) => vm::FarewellKind::HelpRequested,
            Farewell::HelpRequested(HelpAck::Hotline) => vm::FarewellKind::HelpSaved,
        },
        _ => vm::FarewellKind::Done,
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    app.global::<ui::FarewellAdapter<'_>>()
        .on_done(on0(f, |f| f.press(UiInput::Done)));
}
