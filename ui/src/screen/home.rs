//! The home screen (`home.slint`): whether its 自助打印 tile is ready.

use slint::ComponentHandle;

use crate::generated as ui;

/// Whether the home screen's 自助打印 tile is ready, or says the printer is not available.
pub fn apply_home_print_ready(app: &ui::AppWindow, ready: bool) {
    app.global::<ui::HomeAdapter<'_>>().set_print_ready(ready);
}
