//! The materials handed in (`handin.slint`): reused ones marked, photographed ones with their
//! pages, the rest to hand in later.

use slint::ComponentHandle;

use super::{model, s, Paging};
use crate::generated as ui;

/// One material of the application as it will be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandInLine {
    /// Catalog material code (what `SetMaterialSource` names).
    pub code: String,
    /// What it is.
    pub name: String,
    /// How and how many (原件 1 份…), worded for the citizen.
    pub form: String,
    /// The hall holds a copy: the citizen may choose reuse (the session's `MaterialLine::held`).
    pub can_reuse: bool,
    /// Given by reuse (true) or handed in later at the window or by post (false).
    pub reused: bool,
    /// Given by reading the applicant's ID card at this kiosk (the catalog says the card
    /// counts for this material): nothing to hand in, no choice to make.
    pub by_id_card: bool,
    /// The document camera may photograph it now (the catalog allows it and the camera
    /// works): 拍照提交 is offered.
    pub can_photograph: bool,
    /// Photographed at this kiosk: its pages (`Some(pages)`) go to the hall as one PDF.
    pub scanned_pages: Option<u32>,
}

/// The materials screen (after the form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaterialsVm {
    /// The item's or bundle's name.
    pub item_name: String,
    /// Every material once.
    pub materials: Vec<HandInLine>,
    /// The hall could not say which materials it holds: all are handed in later.
    pub reuse_unknown: bool,
    /// The page of materials shown (`materials` holds that page only).
    pub paging: Paging,
}

/// The materials handed in, reused ones marked.
pub fn apply_materials(app: &ui::AppWindow, vm: &MaterialsVm) {
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
    vm.paging.apply(|t, p, n| {
        g.set_page_text(t);
        g.set_has_prev(p);
        g.set_has_next(n);
    });
}
