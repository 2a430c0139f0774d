//! The 正在提交 screen (`submitting.slint`).

use kiosk_ui::vm;

use crate::session::Session;

/// The submitting screen.
pub fn view(s: &Session) -> vm::SubmittingVm {
    vm::SubmittingVm {
        item_name: s
            .transaction
            .as_ref()
            .map(|t| t.title.clone())
            .unwrap_or_default(),
    }
}
