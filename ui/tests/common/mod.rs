//! Helpers of the flow tests: start the window on Slint's testing backend with the preview flow,
//! find elements by accessible label, tap them, advance mock time.
#![allow(dead_code)]

use std::time::Duration;

use i_slint_backend_testing::{mock_elapsed_time, AccessibleRole, ElementHandle, ElementQuery};
use kiosk_ui::adapters::current_screen;
use kiosk_ui::demo::{self, PreviewFlow};
use kiosk_ui::AppWindow;
use slint::platform::PointerEventButton;
use slint::ComponentHandle;

pub fn start() -> (AppWindow, PreviewFlow) {
    i_slint_backend_testing::init_no_event_loop();
    let app = AppWindow::new().expect("window");
    app.window().set_size(slint::PhysicalSize::new(1080, 1920));
    app.show().expect("shown");
    let flow = demo::connect(&app);
    (app, flow)
}

pub fn buttons(app: &AppWindow, label: &str) -> Vec<ElementHandle> {
    let label = label.to_owned();
    ElementQuery::from_root(app)
        .match_descendants()
        .match_accessible_role(AccessibleRole::Button)
        .match_predicate(move |e| e.accessible_label().as_deref() == Some(label.as_str()))
        .find_all()
}

/// Taps the button labelled `label` with a mock pointer click.
pub fn tap(app: &AppWindow, label: &str) {
    let found = buttons(app, label);
    let Some(b) = found.first() else {
        let all: Vec<_> = ElementQuery::from_root(app)
            .match_descendants()
            .match_accessible_role(AccessibleRole::Button)
            .find_all()
            .iter()
            .filter_map(|e| e.accessible_label())
            .collect();
        panic!(
            "no button {label:?} on {:?}; buttons: {all:?}",
            current_screen(app)
        );
    };
    b.mock_single_click(PointerEventButton::Left);
}

pub fn field(app: &AppWindow, label: &str) -> ElementHandle {
    let wanted = label.to_owned();
    ElementQuery::from_root(app)
        .match_descendants()
        .match_accessible_role(AccessibleRole::TextInput)
        .match_predicate(move |e| e.accessible_label().as_deref() == Some(wanted.as_str()))
        .find_first()
        .unwrap_or_else(|| panic!("no field {label:?}"))
}

pub fn has_text(app: &AppWindow, text: &str) -> bool {
    let text = text.to_owned();
    ElementQuery::from_root(app)
        .match_descendants()
        .match_predicate(move |e| {
            e.accessible_label()
                .is_some_and(|l| l.contains(text.as_str()))
        })
        .find_first()
        .is_some()
}

pub fn tick(seconds: u64) {
    for _ in 0..seconds {
        mock_elapsed_time(Duration::from_secs(1));
    }
}
