//! The idle countdown laid over any screen (`idle.slint`).

use slint::ComponentHandle;

use crate::generated as ui;

/// The idle countdown: `Some(seconds)` shows it, `None` hides it.
pub fn apply_idle(app: &ui::AppWindow, seconds_left: Option<u32>) {
    let g = app.global::<ui::IdleAdapter<'_>>();
    g.set_visible(seconds_left.is_some());
    g.set_seconds_left(
        seconds_left
            .and_then(|s| i32::try_from(s).ok())
            .unwrap_or(0),
    );
}
