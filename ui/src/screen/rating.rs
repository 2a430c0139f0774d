//! 好差评 (`rating.slint`): the level and, for 差评, a page of reasons.

use slint::ComponentHandle;

use super::{model, s, Paging};
use crate::generated as ui;

/// 好差评.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RatingVm {
    /// What is being rated.
    pub item_name: String,
    /// 0 = not chosen, 1 = 非常不满意 … 5 = 非常满意.
    pub level: u8,
    /// 差评 reasons with their selection.
    pub reasons: Vec<(String, bool)>,
    /// A message (e.g. "请至少选择一个原因").
    pub message: String,
    /// The page of reasons shown (`reasons` holds that page only).
    pub reason_paging: Paging,
}

/// 好差评.
pub fn apply_rating(app: &ui::AppWindow, vm: &RatingVm) {
    let g = app.global::<ui::RatingAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_level(i32::from(vm.level.min(5)));
    g.set_reasons(model(
        vm.reasons
            .iter()
            .enumerate()
            .map(|(i, (t, sel))| ui::ReasonRow {
                index: i32::try_from(vm.reason_paging.first + i).unwrap_or(0),
                text: s(t),
                selected: *sel,
            })
            .collect(),
    ));
    g.set_message(s(&vm.message));
    vm.reason_paging.apply(|t, p, n| {
        g.set_reason_page_text(t);
        g.set_reason_has_prev(p);
        g.set_reason_has_next(n);
    });
}
