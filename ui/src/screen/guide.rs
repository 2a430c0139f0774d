//! 一次性告知 (`guide.slint`): an item's facts and one page of its materials, printable.

use slint::ComponentHandle;

use super::{model, page_text, pairs, s};
use crate::generated as ui;

/// One required material.
#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    /// What it is.
    pub name: String,
    /// How and how many (原件, 复印件 2 份…), worded for the citizen.
    pub form: String,
    /// Any remark (where to get it, validity).
    pub note: String,
    /// Required for everyone (true) or only in some cases.
    pub required: bool,
    /// The system already holds it (electronic licence): nothing to hand in.
    pub reused: bool,
}

/// 一次性告知 (the guide).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GuideVm {
    /// The item's name.
    pub item_name: String,
    /// Label and value pairs: department, time limit, fee, where to collect.
    pub facts: Vec<(String, String)>,
    /// One page of materials.
    pub materials: Vec<Material>,
    /// Zero-based page.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// Not doable at the kiosk: the guide offers an appointment instead of the form.
    pub window_only: bool,
}

/// 一次性告知 (the guide).
pub fn apply_guide(app: &ui::AppWindow, vm: &GuideVm) {
    let g = app.global::<ui::GuideAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_facts(pairs(&vm.facts, |label, value| ui::FactRow {
        label,
        value,
    }));
    g.set_materials(model(
        vm.materials
            .iter()
            .map(|m| ui::MaterialRow {
                name: s(&m.name),
                form: s(&m.form),
                note: s(&m.note),
                required: m.required,
                reused: m.reused,
            })
            .collect(),
    ));
    g.set_page_text(page_text(vm.page, vm.pages));
    g.set_window_only(vm.window_only);
    g.set_has_prev(vm.page > 0);
    g.set_has_next(vm.page + 1 < vm.pages);
}
