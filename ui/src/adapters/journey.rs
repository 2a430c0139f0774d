//! Adapters of the application path around the form: identify, materials hand-in, delivery and
//! submitting.

use slint::ComponentHandle;

use super::{model, s};
use crate::generated as ui;
use crate::vm;

/// 我要办事: what is offered (card, scanning, browsing).
pub fn apply_identify(app: &ui::AppWindow, vm: &vm::IdentifyVm) {
    let g = app.global::<ui::IdentifyAdapter<'_>>();
    g.set_card_offered(vm.card_offered);
    g.set_scan_offered(vm.scan_offered);
    g.set_browse_offered(vm.browse_offered);
}

/// The materials handed in, reused ones marked.
pub fn apply_materials(app: &ui::AppWindow, vm: &vm::MaterialsVm) {
    let g = app.global::<ui::MaterialsAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_reuse_unknown(vm.reuse_unknown);
    g.set_materials(model(
        vm.materials
            .iter()
            .map(|m| ui::HandInRow {
                code: s(&m.code),
                name: s(&m.name),
                form: s(&m.form),
                can_reuse: m.can_reuse && !m.by_id_card,
                reused: m.reused && m.can_reuse,
                by_id_card: m.by_id_card,
                can_photograph: m.can_photograph && !m.by_id_card,
                scanned: m.scanned_pages.is_some(),
                scanned_pages: m
                    .scanned_pages
                    .map_or(0, |p| i32::try_from(p).unwrap_or(i32::MAX)),
            })
            .collect(),
    ));
    super::apply_paging(&vm.paging, |t, p, n| {
        g.set_page_text(t);
        g.set_has_prev(p);
        g.set_has_next(n);
    });
}

fn index_i32(f: vm::AddressField) -> i32 {
    i32::try_from(f.index()).unwrap_or(0)
}

pub(super) fn index_or_none(active: Option<usize>) -> i32 {
    active.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1)
}

/// 免费邮寄 or pick-up, and the address with its errors.
pub fn apply_delivery(app: &ui::AppWindow, vm: &vm::DeliveryVm) {
    let g = app.global::<ui::DeliveryAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_mail(vm.mail);
    g.set_pickup_place(s(&vm.pickup_place));
    g.set_address(model(
        vm::AddressField::ALL
            .iter()
            .map(|&f| ui::AddressBox {
                value: s(vm.address.get(f)),
                error: vm
                    .errors
                    .iter()
                    .find(|(ef, _)| *ef == f)
                    .map(|(_, e)| s(e))
                    .unwrap_or_default(),
            })
            .collect(),
    ));
    let shown: Vec<i32> = if vm.shown.is_empty() {
        vm::AddressField::ALL
            .iter()
            .map(|&f| index_i32(f))
            .collect()
    } else {
        vm.shown.iter().map(|&f| index_i32(f)).collect()
    };
    g.set_shown(model(shown));
    super::apply_paging(&vm.paging, |t, p, n| {
        g.set_page_text(t);
        g.set_has_prev(p);
        g.set_has_next(n);
    });
    // The keyboard only opens on the address while mailing.
    g.set_active(index_or_none(
        vm.active.filter(|_| vm.mail).map(vm::AddressField::index),
    ));
}

/// The submitting screen.
pub fn apply_submitting(app: &ui::AppWindow, vm: &vm::SubmittingVm) {
    app.global::<ui::SubmittingAdapter<'_>>()
        .set_item_name(s(&vm.item_name));
}
