//! 自助打印 (`prints.slint`): the stage, the message (prompt or problem), whose documents, and
//! the documents with their copies left.

use slint::ComponentHandle;

use super::{model, s};
use crate::generated as ui;

/// Where 自助打印 is (waiting for a card or a scan, loading, the list, printing, printed, a problem):
/// the Slint enum of `prints.slint`, re-exported.
pub use crate::generated::PrintsStage;

/// One result document on the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintRowVm {
    /// The hall's id (what `PrintDocument` takes).
    pub id: String,
    /// The document's title.
    pub title: String,
    /// The item or bundle it is the result of.
    pub item: String,
    /// When staff attached it (local date).
    pub date: String,
    /// Copies left, worded ("可打印 2 份").
    pub copies: String,
}

/// The 自助打印 screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintsVm {
    /// The stage.
    pub stage: PrintsStage,
    /// The prompt, or the problem with what to do.
    pub message: String,
    /// Whose documents, masked ("身份证 1101**********002X", "回执 LA…").
    pub who: String,
    /// The documents with copies left.
    pub documents: Vec<PrintRowVm>,
    /// A lookup can be asked again by the card already read.
    pub can_retry: bool,
}

/// The 自助打印 screen at its stage.
pub fn apply_prints(app: &ui::AppWindow, vm: &PrintsVm) {
    let g = app.global::<ui::PrintsAdapter<'_>>();
    g.set_stage(vm.stage);
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
