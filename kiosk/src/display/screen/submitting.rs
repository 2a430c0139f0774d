//! The 正在提交 screen (`submitting.slint`).

use crate::session::Session;
use kiosk_ui::screen::submitting::SubmittingVm;

/// The submitting screen.
pub fn view(s: &Session) -> SubmittingVm {
    SubmittingVm {
        item_name: s
            .transaction
            .as_ref()
            .map(|t| t.title.clone())
            .unwrap_or_default(),
    }
}
