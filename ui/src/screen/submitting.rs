//! Submitting (`submitting.slint`): storing, and trying to deliver, the application.

use slint::ComponentHandle;

use super::s;
use crate::generated as ui;

/// The submitting screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmittingVm {
    /// The item's or bundle's name.
    pub item_name: String,
}

/// The submitting screen.
pub fn apply_submitting(app: &ui::AppWindow, vm: &SubmittingVm) {
    app.global::<ui::SubmittingAdapter<'_>>()
        .set_item_name(s(&vm.item_name));
}
