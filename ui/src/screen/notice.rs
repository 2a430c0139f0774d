//! The notice banner over any screen (`notice.slint`).

use slint::ComponentHandle;

use crate::generated as ui;

/// A short message over the current screen (the session's `Notice`, one for one): the Slint enum of
/// `notice.slint`, re-exported.
pub use crate::generated::NoticeKind;

impl NoticeKind {
    /// Every notice (screenshots show each).
    pub const ALL: [NoticeKind; 13] = [
        NoticeKind::CardReadFailed,
        NoticeKind::UnknownCode,
        NoticeKind::ReaderUnavailable,
        NoticeKind::PrinterUnavailable,
        NoticeKind::PrintFailed,
        NoticeKind::CardNeeded,
        NoticeKind::NotKioskCompletable,
        NoticeKind::NewCitizen,
        NoticeKind::HelpCalled,
        NoticeKind::HelpNotified,
        NoticeKind::HelpHotline,
        NoticeKind::HallUnreachable,
        NoticeKind::UnknownSubject,
    ];
}

/// The notice banner: `Some` shows it over the current screen, `None` hides it.
pub fn apply_notice(app: &ui::AppWindow, notice: Option<NoticeKind>) {
    let g = app.global::<ui::NoticeAdapter<'_>>();
    g.set_visible(notice.is_some());
    if let Some(kind) = notice {
        g.set_kind(kind);
    }
}
