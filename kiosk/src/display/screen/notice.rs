//! The notice banner over any screen (`notice.slint`) and the 已通知值班人员 line of a call for help.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::vm;
use slint::ComponentHandle;

use crate::display::frontend::{on0, Frontend};
use crate::session::state::HelpAck;
use crate::session::{Notice, Session, UiInput};

/// Where the session's call for staff stands, for the line under every header.
pub fn help_call(s: &Session) -> vm::HelpCall {
    match (s.help_called, s.help_ack) {
        (false, _) => vm::HelpCall::None,
        (true, HelpAck::Waiting) => vm::HelpCall::Calling,
        (true, HelpAck::Notified) => vm::HelpCall::Notified,
        (true, HelpAck::Hotline) => vm::HelpCall::Hotline,
    }
}

/// The banner over the screen.
pub fn view(s: &Session) -> Option<vm::NoticeKind> {
    s.notice.map(|n| match n {
        Notice::CardReadFailed => vm::NoticeKind::CardReadFailed,
        Notice::UnknownCode => vm::NoticeKind::UnknownCode,
        Notice::ReaderUnavailable => vm::NoticeKind::ReaderUnavailable,
        Notice::PrinterUnavailable => vm::NoticeKind::PrinterUnavailable,
        Notice::PrintFailed => vm::NoticeKind::PrintFailed,
        Notice::CardNeeded => vm::NoticeKind::CardNeeded,
        Notice::NotKioskCompletable => vm::NoticeKind::NotKioskCompletable,
        Notice::NewCitizen => vm::NoticeKind::NewCitizen,
        Notice::HelpCalled => vm::NoticeKind::HelpCalled,
        Notice::HelpNotified => vm::NoticeKind::HelpNotified,
        Notice::HelpHotline => vm::NoticeKind::HelpHotline,
        Notice::HallUnreachable => vm::NoticeKind::HallUnreachable,
        Notice::UnknownSubject => vm::NoticeKind::UnknownSubject,
    })
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    app.global::<ui::NoticeAdapter<'_>>()
        .on_dismiss(on0(f, |f| f.press(UiInput::DismissNotice)));
}
