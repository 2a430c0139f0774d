//! The notice banner over any screen (`notice.slint`) and the 已通知值班人员 line of a call for help.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::notice::NoticeKind;
use kiosk_ui::screen::shell::HelpCall;
use slint::ComponentHandle;

use crate::display::frontend::{on0, Frontend};
use crate::session::state::HelpAck;
use crate::session::{Notice, Session, UiInput};

/// Where the session's call for staff stands, for the line under every header.
pub fn help_call(s: &Session) -> HelpCall {
    match (s.help_called, s.help_ack) {
        (false, _) => HelpCall::None,
        (true, HelpAck::Waiting) => HelpCall::Calling,
        (true, HelpAck::Notified) => HelpCall::Notified,
        (true, HelpAck::Hotline) => HelpCall::Hotline,
    }
}

/// The banner over the screen.
pub fn view(s: &Session) -> Option<NoticeKind> {
    s.notice.map(NoticeKind::from)
}

/// The UI's notice for the session's, one for one (the one table between the two).
impl From<Notice> for NoticeKind {
    fn from(notice: Notice) -> Self {
        match notice {
            Notice::CardReadFailed => NoticeKind::CardReadFailed,
            Notice::UnknownCode => NoticeKind::UnknownCode,
            Notice::ReaderUnavailable => NoticeKind::ReaderUnavailable,
            Notice::PrinterUnavailable => NoticeKind::PrinterUnavailable,
            Notice::PrintFailed => NoticeKind::PrintFailed,
            Notice::CardNeeded => NoticeKind::CardNeeded,
            Notice::NotKioskCompletable => NoticeKind::NotKioskCompletable,
            Notice::NewCitizen => NoticeKind::NewCitizen,
            Notice::HelpCalled => NoticeKind::HelpCalled,
            Notice::HelpNotified => NoticeKind::HelpNotified,
            Notice::HelpHotline => NoticeKind::HelpHotline,
            Notice::HallUnreachable => NoticeKind::HallUnreachable,
            Notice::UnknownSubject => NoticeKind::UnknownSubject,
        }
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    app.global::<ui::NoticeAdapter<'_>>()
        .on_dismiss(on0(f, |f| f.press(UiInput::DismissNotice)));
}
