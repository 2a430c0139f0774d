//! The 自助打印 screen's adapter, and the home tile's readiness.

use slint::ComponentHandle;

use super::{model, s};
use crate::generated as ui;
use crate::vm;

/// The 自助打印 screen at its stage.
pub fn apply_prints(app: &ui::AppWindow, vm: &vm::PrintsVm) {
    let g = app.global::<ui::PrintsAdapter<'_>>();
    g.set_stage(match vm.stage {
        vm::PrintsStage::Waiting => ui::PrintsStage::Waiting,
        vm::PrintsStage::Loading => ui::PrintsStage::Loading,
        vm::PrintsStage::List => ui::PrintsStage::List,
        vm::PrintsStage::Printing => ui::PrintsStage::Printing,
        vm::PrintsStage::Printed => ui::PrintsStage::Printed,
        vm::PrintsStage::Problem => ui::PrintsStage::Problem,
    });
    g.set_message(s(&vm.message));
    g.set_who(s(&vm.who));
    g.set_can_retry(vm.can_retry);
    g.set_documents(model(
        vm.documents
            .iter()
            .map(|d| ui::PrintRow {
                id: s(&d.id),
                title: s(&d.title),
                item: s(&d.item),
                date: s(&d.date),
                copies: s(&d.copies),
            })
            .collect(),
    ));
}

/// Whether the home screen's 自助打印 tile is ready, or says the printer is not available.
pub fn apply_home_print_ready(app: &ui::AppWindow, ready: bool) {
    app.global::<ui::HomeAdapter<'_>>().set_print_ready(ready);
}
