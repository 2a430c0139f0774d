//! The receipt screen (`receipt.slint`): the tracking code and its QR code after submitting.

use slint::ComponentHandle;

use super::s;
use crate::generated as ui;

/// The receipt screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceiptVm {
    /// The item's name.
    pub item_name: String,
    /// Reached the hall (true) or queued in the outbox (false).
    pub delivered: bool,
    /// The tracking code, also encoded in the QR code.
    pub tracking_code: String,
    /// What the QR code encodes (tracking code and verifier).
    pub qr_payload: String,
    /// Masked applicant (`张*  3301**********1234`).
    pub applicant: String,
    /// When it was submitted.
    pub submitted_at: String,
    /// The promised time limit.
    pub time_limit: String,
    /// The receipt was printed already.
    pub printed: bool,
}

/// The receipt screen, with its QR code.
pub fn apply_receipt(app: &ui::AppWindow, vm: &ReceiptVm) {
    let g = app.global::<ui::ReceiptAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_delivered(vm.delivered);
    g.set_tracking_code(s(&vm.tracking_code));
    g.set_applicant(s(&vm.applicant));
    g.set_submitted_at(s(&vm.submitted_at));
    g.set_time_limit(s(&vm.time_limit));
    g.set_printed(vm.printed);
    // A queued receipt has no progress address yet: no QR code (one of an empty text would
    // scan to nothing).
    let qr = (!vm.qr_payload.is_empty())
        .then(|| crate::qr::qr_image(&vm.qr_payload))
        .flatten();
    g.set_has_qr(qr.is_some());
    g.set_qr(qr.unwrap_or_default());
    app.global::<ui::Shell<'_>>()
        .set_receipt_queued(!vm.delivered);
}
