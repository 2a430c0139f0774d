//! The closing message before going home (`farewell.slint`).

use slint::ComponentHandle;

use crate::generated as ui;

/// The closing messages (the session's `Farewell`, with the state of a help request): the Slint
/// enum of `farewell.slint`, re-exported.
pub use crate::generated::FarewellKind;

/// The closing message.
pub fn apply_farewell(app: &ui::AppWindow, kind: FarewellKind) {
    app.global::<ui::FarewellAdapter<'_>>().set_kind(kind);
}
