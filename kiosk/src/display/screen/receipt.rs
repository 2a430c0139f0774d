//! The receipt screen (`receipt.slint`): the tracking code and its QR code, or the honest 已保存在本机 of
//! a queued application.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::receipt::ReceiptVm;
use slint::ComponentHandle;
use vocab::mask::{mask_id_number, mask_name};

use crate::display::frontend::{on0, Frontend};
use crate::display::map::{content, limit_text, tr};
use crate::session::transaction::Submission;
use crate::session::{Session, UiInput};

/// The receipt page: delivered or saved for later, with its QR code.
pub fn view(s: &Session) -> ReceiptVm {
    let (Some(t), Some(c)) = (s.transaction.as_ref(), s.citizen.as_ref()) else {
        return ReceiptVm::default();
    };
    let doc = s.receipt_doc();
    let (delivered, tracking, submitted_at) = match &t.submission {
        Some(Submission::Delivered { receipt, .. }) => (
            true,
            receipt.tracking_code.clone(),
            crate::citizen::runner::local_time(receipt.received_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        ),
        Some(Submission::Queued { key }) => (
            false,
            key.clone(),
            tr(
                s,
                "网络恢复后自动提交",
                "automatically, once the network is back",
            ),
        ),
        _ => (false, String::new(), String::new()),
    };
    ReceiptVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        delivered,
        tracking_code: tracking,
        qr_payload: doc.and_then(|d| d.qr).unwrap_or_default(),
        applicant: format!("{}  {}", mask_name(&c.name), mask_id_number(&c.id_number)),
        submitted_at,
        time_limit: limit_text(s, t.promised_days),
        printed: s.offers().print && s.notice.is_none(),
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let receipt = app.global::<ui::ReceiptAdapter<'_>>();
    receipt.on_print(on0(f, |f| f.press(UiInput::Reprint)));
    receipt.on_rate(on0(f, |f| f.press(UiInput::Done)));
    receipt.on_done(on0(f, |f| f.press(UiInput::Done)));
}
