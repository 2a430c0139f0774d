//! The touch map (`kiosk_ui::touch`): the targets it lists are where a finger lands. Each tap
//! here is a pointer event at a pixel, hit-tested by Slint as a touch panel's would be, not
//! a click on a known element.

use crate::common;

use common::start;
use kiosk_ui::adapters::current_screen;
use kiosk_ui::touch::{self, Target};
use kiosk_ui::vm::ScreenId;
use kiosk_ui::AppWindow;
use slint::platform::WindowEvent;
use slint::ComponentHandle;

fn touch_label(app: &AppWindow, label: &str) -> Target {
    let all = touch::targets(app);
    let t = touch::find(&all, label)
        .unwrap_or_else(|| panic!("no target {label:?} in {all:#?}"))
        .clone();
    let (x, y) = t.center();
    touch::tap(app, x, y);
    t
}

#[test]
fn the_home_screen_lists_its_tiles_inside_the_window_and_a_tap_at_one_takes_it() {
    let (app, _flow) = start();
    let all = touch::targets(&app);
    let tile = touch::find(&all, "办事").expect("the 办事 tile").clone();
    assert_eq!(tile.role, "button");
    assert!(tile.enabled);
    for t in &all {
        assert!(
            t.x >= 0 && t.y >= 0 && t.x + t.width <= 1080 && t.y + t.height <= 1920,
            "inside the 1080x1920 window: {t:?}"
        );
    }

    // A tap just outside every target changes nothing.
    touch::tap(&app, 2, 1918);
    assert_eq!(current_screen(&app), ScreenId::Home);
    let (x, y) = tile.center();
    touch::tap(&app, x, y);
    assert_eq!(current_screen(&app), ScreenId::Identify);
}

#[test]
fn coordinates_are_physical_pixels_at_any_scale_factor() {
    let (app, _flow) = start();
    let at_one = touch::find(&touch::targets(&app), "办事")
        .expect("tile")
        .clone();
    app.window()
        .dispatch_event(WindowEvent::ScaleFactorChanged { scale_factor: 2.0 });
    let at_two = touch::find(&touch::targets(&app), "办事")
        .expect("tile")
        .clone();
    // The same window in physical pixels holds half as many logical ones: the tile is laid
    // out again, but its box in physical pixels is what a touch reports, and lands on it.
    assert_ne!(at_one, at_two, "the box is reported in physical pixels");
    let (x, y) = at_two.center();
    touch::tap(&app, x, y);
    assert_eq!(current_screen(&app), ScreenId::Identify);
}

#[test]
fn a_form_is_filled_by_touch_alone() {
    let (app, flow) = start();
    touch_label(&app, "办事");
    flow.card_placed(&app);
    touch_label(&app, "居民身份证换领");
    assert_eq!(current_screen(&app), ScreenId::Guide);
    touch_label(&app, "开始办理");
    assert_eq!(current_screen(&app), ScreenId::Form);

    let field = touch_label(&app, "手机号码");
    assert_eq!(field.role, "text-input");
    for key in ["5", "6", "7", "8", "完成"] {
        touch_label(&app, key);
    }
    let declaration = touch::targets(&app)
        .into_iter()
        .find(|t| t.role == "checkbox")
        .expect("the declaration's check box");
    let before = declaration.checked;
    let (x, y) = declaration.center();
    touch::tap(&app, x, y);
    let after = touch::targets(&app)
        .into_iter()
        .find(|t| t.role == "checkbox")
        .expect("still there")
        .checked;
    assert!(before.is_some(), "a check box reports whether it is ticked");
    assert_ne!(before, after, "a tap on it toggles it");
    if after == Some(false) {
        touch::tap(&app, x, y);
    }

    touch_label(&app, "下一步");
    assert_eq!(current_screen(&app), ScreenId::Materials);
    touch_label(&app, "下一步");
    assert_eq!(current_screen(&app), ScreenId::Delivery);
}

#[test]
fn a_disabled_button_is_listed_but_not_found() {
    let t = |label: &str, enabled: bool| Target {
        role: "button",
        label: label.into(),
        x: 0,
        y: 0,
        width: 10,
        height: 10,
        enabled,
        checked: None,
    };
    let all = [t("下一步", false), t("下一步：确认", true)];
    // The exact label is disabled: the enabled one containing it is the one found.
    assert_eq!(
        touch::find(&all, "下一步").map(|t| t.label.as_str()),
        Some("下一步：确认")
    );
    assert_eq!(touch::find(&all[..1], "下一步"), None);
}

#[test]
fn the_home_tiles_two_columns_are_equally_wide() {
    let (app, _flow) = start();
    let all = touch::targets(&app);
    let width = |label: &str| touch::find(&all, label).expect(label).width;
    // The left column's titles are longer (帮助/办不成事), which once made it wider.
    // (长辈模式 is also the header's button: the right column is measured at 进度查询.)
    for (left, right) in [
        ("办事", "进度查询"),
        ("预约", "好差评"),
        ("帮助/办不成事", "进度查询"),
    ] {
        assert!(
            (width(left) - width(right)).abs() <= 1,
            "{left} {} vs {right} {}",
            width(left),
            width(right)
        );
    }
}
