//! The home screen (`home.slint`): 办事, 进度查询, 预约, 好差评, 帮助.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use slint::ComponentHandle;

use crate::display::frontend::{on0, Frontend};
use crate::session::UiInput;

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let home = app.global::<ui::HomeAdapter<'_>>();
    home.on_start_service(on0(f, |f| f.press(UiInput::StartApplying)));
    home.on_check_progress(on0(f, |f| f.press(UiInput::OpenProgress)));
    home.on_appointment(on0(f, |f| f.press(UiInput::OpenAppointment)));
    // 好差评 of an earlier application goes through its receipt: the progress page.
    home.on_rate(on0(f, |f| f.press(UiInput::OpenProgress)));
    home.on_help(on0(f, |f| {
        f.press(UiInput::OpenHelpRequest(
            hall_api::feedback::HelpKind::Proxy,
        ))
    }));
}
