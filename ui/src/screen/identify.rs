//! 我要办事 (`identify.slint`): place the ID card, scan a code, or browse the guides, as the
//! devices allow.

use slint::ComponentHandle;

use crate::generated as ui;

/// 我要办事: how the citizen can go on, as the devices allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentifyVm {
    /// The ID-card reader works (the session's `Offers::id_card`).
    pub card_offered: bool,
    /// The scanner works: receipts and appointment codes can be scanned (`Offers::scan`).
    pub scan_offered: bool,
    /// A catalog is loaded: the guides can be browsed without a card (`Offers::browse`).
    pub browse_offered: bool,
}

impl Default for IdentifyVm {
    fn default() -> Self {
        IdentifyVm {
            card_offered: true,
            scan_offered: true,
            browse_offered: true,
        }
    }
}

/// 我要办事: what is offered (card, scanning, browsing).
pub fn apply_identify(app: &ui::AppWindow, vm: &IdentifyVm) {
    let g = app.global::<ui::IdentifyAdapter<'_>>();
    g.set_card_offered(vm.card_offered);
    g.set_scan_offered(vm.scan_offered);
    g.set_browse_offered(vm.browse_offered);
}
