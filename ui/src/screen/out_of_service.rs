//! Out of service (`out_of_service.slint`): what is broken, in the citizen's words, and since
//! when.

use slint::ComponentHandle;

use super::{s, texts};
use crate::generated as ui;

/// Out of service: what is broken (citizen words) and since when.
pub fn apply_out_of_service(app: &ui::AppWindow, problems: &[String], since: &str) {
    let g = app.global::<ui::OutOfServiceAdapter<'_>>();
    g.set_problems(texts(problems));
    g.set_since(s(since));
}
