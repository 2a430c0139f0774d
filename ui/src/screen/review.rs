//! The review screen (`review.slint`): everything entered, the materials, the declarations,
//! before 确认提交.

use slint::ComponentHandle;

use super::{model, pairs, s, texts};
use crate::generated as ui;

/// The review screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewVm {
    /// The item's name.
    pub item_name: String,
    /// Label and value pairs, as they will be submitted (masked where the citizen need not check).
    pub rows: Vec<(String, String)>,
    /// The materials, each with whether it is handed in now (read from the card,
    /// photographed, held by the hall) or owed (handed in later at the window).
    pub materials: Vec<(String, bool)>,
    /// The citizen may change how the result reaches them (免费邮寄 is offered): the delivery
    /// page, which the path skips, is one touch away.
    pub delivery_changeable: bool,
    /// The declarations (承诺) that 确认提交 makes, said right above it.
    pub declarations: Vec<String>,
    /// Submission in flight: buttons disabled.
    pub submitting: bool,
    /// The masked phone number progress notices would go to (`138****5678`); empty: no
    /// phone on the form, so no tick box.
    pub notify_phone: String,
    /// The citizen ticked "text me the progress".
    pub notify_consent: bool,
}

/// The review screen.
pub fn apply_review(app: &ui::AppWindow, vm: &ReviewVm) {
    let g = app.global::<ui::ReviewAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_rows(pairs(&vm.rows, |label, value| ui::ReviewRow {
        label,
        value,
    }));
    g.set_materials(model(
        vm.materials
            .iter()
            .map(|(text, done)| ui::ReviewMaterial {
                text: s(text),
                done: *done,
            })
            .collect(),
    ));
    g.set_delivery_changeable(vm.delivery_changeable);
    g.set_declarations(texts(&vm.declarations));
    g.set_submitting(vm.submitting);
    g.set_notify_phone(s(&vm.notify_phone));
    g.set_notify_consent(vm.notify_consent);
}
