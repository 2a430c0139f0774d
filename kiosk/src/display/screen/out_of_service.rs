//! The out-of-service screen (`out_of_service.slint`): what is broken, the hotline, and a retry.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use slint::ComponentHandle;

use crate::display::frontend::{on0, Frontend};
use crate::display::map::tr;
use crate::session::{Session, UiInput};

/// What the out-of-service screen names.
pub fn view(s: &Session) -> Vec<String> {
    s.faults()
        .iter()
        .map(|f| {
            use crate::session::Fault;
            match f {
                Fault::Reader => tr(
                    s,
                    "身份证阅读器暂不可用",
                    "The ID-card reader is not available",
                ),
                Fault::Scanner => tr(s, "扫码器暂不可用", "The scanner is not available"),
                Fault::Printer => tr(
                    s,
                    "凭条打印机暂不可用（回执将显示在屏幕上）",
                    "The printer is not available (receipts show on screen)",
                ),
                Fault::NoCatalog => tr(
                    s,
                    "事项目录暂未加载",
                    "The list of services is not loaded yet",
                ),
            }
        })
        .collect()
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    app.global::<ui::OutOfServiceAdapter<'_>>()
        .on_retry(on0(f, |f| f.press(UiInput::DismissNotice)));
}
