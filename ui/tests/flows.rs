//! Flow tests on Slint's testing backend: elements found by accessible label, tapped with mock
//! pointer clicks, time advanced with mock time. They drive the preview flow (`kiosk_ui::demo`)
//! through the real `.slint` screens.

use crate::common;

use common::*;
use i_slint_backend_testing::ElementHandle;
use kiosk_ui::adapters::current_screen;
use kiosk_ui::demo;
use kiosk_ui::generated::{FormAdapter, IdleAdapter, PinAdapter, Theme};
use kiosk_ui::vm::ScreenId;
use kiosk_ui::AppWindow;
use slint::platform::PointerEventButton;
use slint::{ComponentHandle, Model};

/// From the home screen to the receipt and a 差评 with a reason, for one item.
#[test]
fn item_from_home_to_receipt_and_rating() {
    let (app, flow) = start();
    assert_eq!(current_screen(&app), ScreenId::Home);
    tap(&app, "办事");
    assert_eq!(current_screen(&app), ScreenId::Identify);
    flow.card_placed(&app);
    assert_eq!(current_screen(&app), ScreenId::Browse);
    tap(&app, "居民身份证换领");
    assert_eq!(current_screen(&app), ScreenId::Guide);
    assert!(
        has_text(&app, "已有电子证照，无需提交"),
        "reused material marked"
    );
    tap(&app, "开始办理");
    assert_eq!(current_screen(&app), ScreenId::Form);
    assert!(has_text(&app, "已从身份证读取"), "prefilled fields marked");

    // The preview's phone number is too short: the form refuses and says why at the field.
    tap(&app, "下一步");
    assert_eq!(current_screen(&app), ScreenId::Form);
    assert!(
        has_text(&app, "11 位数字"),
        "phone error shown at the field"
    );

    // Complete it on the numeric keyboard.
    field(&app, "手机号码").mock_single_click(PointerEventButton::Left);
    for d in ["5", "6", "7", "8"] {
        tap(&app, d);
    }
    tap(&app, "完成");
    let phone = app
        .global::<FormAdapter<'_>>()
        .get_fields()
        .row_data(2)
        .unwrap();
    assert_eq!(phone.value, "13812345678");
    assert_eq!(phone.error, "");

    tap(&app, "下一步");
    assert_eq!(current_screen(&app), ScreenId::Materials);
    tap(&app, "下一步");
    assert_eq!(current_screen(&app), ScreenId::Delivery);
    tap(&app, "到窗口领取");
    tap(&app, "下一步：确认");
    assert_eq!(current_screen(&app), ScreenId::Review);
    assert!(has_text(&app, "13812345678"));
    tap(&app, "确认提交");
    assert_eq!(current_screen(&app), ScreenId::Submitting);
    tick(demo::journey::SUBMIT_SECS);
    assert_eq!(current_screen(&app), ScreenId::Receipt);
    assert!(has_text(&app, "QX2026-1126-0042"));
    tap(&app, "打印回执");
    assert!(!buttons(&app, "再打印一张").is_empty());

    tap(&app, "评价服务");
    assert_eq!(current_screen(&app), ScreenId::Rating);
    tap(&app, "不满意");
    tap(&app, "提交评价");
    assert_eq!(
        current_screen(&app),
        ScreenId::Rating,
        "差评 needs a reason"
    );
    assert!(has_text(&app, "请至少选择一个"));
    tap(&app, "等待时间长");
    tap(&app, "提交评价");
    assert_eq!(current_screen(&app), ScreenId::Farewell);
    assert!(has_text(&app, "感谢您的评价"));
    tap(&app, "返回首页");
    assert_eq!(current_screen(&app), ScreenId::Home);
    flow.with_state(|st| assert!(st.item_name.is_empty(), "session forgotten"));
}

/// A 一件事 bundle goes through the same path.
#[test]
fn bundle_from_home_to_receipt() {
    let (app, flow) = start();
    tap(&app, "办事");
    flow.card_placed(&app);
    tap(&app, "出生一件事");
    assert_eq!(current_screen(&app), ScreenId::Guide);
    assert!(has_text(&app, "出生一件事"));
    tap(&app, "开始办理");
    field(&app, "手机号码").mock_single_click(PointerEventButton::Left);
    for d in ["5", "6", "7", "8", "完成"] {
        tap(&app, d);
    }
    tap(&app, "下一步");
    tap(&app, "下一步");
    tap(&app, "到窗口领取");
    tap(&app, "下一步：确认");
    tap(&app, "确认提交");
    tick(demo::journey::SUBMIT_SECS);
    assert_eq!(current_screen(&app), ScreenId::Receipt);
    tap(&app, "完成");
    assert_eq!(current_screen(&app), ScreenId::Home);
}

/// Pinyin search: typing z-h-a-n-g shows 张 first; picking it searches; initials find items.
#[test]
fn pinyin_search_in_browse() {
    let (app, flow) = start();
    tap(&app, "办事");
    tap(&app, "先看看办事指南");
    tap(&app, "搜索事项");
    for k in ["j", "m", "s", "f", "z"] {
        tap(&app, k);
    }
    // Latin letters stay in the composition until a candidate or space is chosen: switch to
    // Latin to type initials.
    tap(&app, "英文输入");
    for k in ["j", "m", "s", "f", "z"] {
        tap(&app, k);
    }
    assert!(has_text(&app, "居民身份证换领"));
    assert!(!has_text(&app, "婚姻登记预约"), "search filters the list");
    tap(&app, "拼音输入");
    for _ in 0..5 {
        tap(&app, "删除");
    }
    for k in ["z", "h", "a", "n", "g"] {
        tap(&app, k);
    }
    flow.with_state(|st| {
        assert_eq!(st.keyboard.composition, "zhang");
        assert_eq!(
            st.keyboard.candidates.first().map(String::as_str),
            Some("张")
        );
    });
    tap(&app, "张");
    flow.with_state(|st| {
        assert_eq!(st.browse.query, "张");
        assert!(st.keyboard.composition.is_empty());
    });
}

/// Nobody touches the screen: the countdown appears after a minute, then home and wipe.
#[test]
fn idle_timeout_returns_home_and_forgets() {
    let (app, flow) = start();
    tap(&app, "办事");
    tap(&app, "先看看办事指南");
    tap(&app, "居民身份证换领");
    tick(demo::IDLE_AFTER_SECS as u64 - 1);
    assert!(!app.global::<IdleAdapter<'_>>().get_visible());
    tick(1);
    assert!(app.global::<IdleAdapter<'_>>().get_visible());
    assert_eq!(app.global::<IdleAdapter<'_>>().get_seconds_left(), 30);
    assert!(has_text(&app, "您还在操作吗？"));
    // "继续办理" keeps the session.
    tap(&app, "继续办理");
    assert!(!app.global::<IdleAdapter<'_>>().get_visible());
    assert_eq!(current_screen(&app), ScreenId::Guide);
    // Quiet again: countdown, then home with the session forgotten.
    tick(demo::IDLE_AFTER_SECS as u64 + 10);
    assert_eq!(app.global::<IdleAdapter<'_>>().get_seconds_left(), 20);
    tick(20);
    assert_eq!(current_screen(&app), ScreenId::Home);
    assert!(!app.global::<IdleAdapter<'_>>().get_visible());
    flow.with_state(|st| assert!(st.item_name.is_empty()));
    // No countdown on the home screen itself.
    tick(demo::IDLE_AFTER_SECS as u64 * 2);
    assert!(!app.global::<IdleAdapter<'_>>().get_visible());
}

/// Elder mode from any screen: bigger targets, and back; language switch at any time.
#[test]
fn elder_mode_and_language_switch() {
    let (app, _flow) = start();
    tap(&app, "办事");
    tap(&app, "先看看办事指南");
    let home_button = |app: &AppWindow, label: &str| buttons(app, label)[0].size().height;
    let normal = home_button(&app, "首页");
    tap(&app, "长辈模式");
    assert!(app.global::<Theme<'_>>().get_elder());
    assert_eq!(
        current_screen(&app),
        ScreenId::Browse,
        "stays on the screen"
    );
    let elder = home_button(&app, "首页");
    assert!(elder >= normal * 1.45, "touch target {normal} → {elder}");
    tap(&app, "English");
    assert!(!buttons(&app, "Home").is_empty(), "header translated");
    assert!(!buttons(&app, "Standard mode").is_empty());
    tap(&app, "Standard mode");
    assert!(!app.global::<Theme<'_>>().get_elder());
    tap(&app, "中文");
    tap(&app, "首页");
    assert_eq!(current_screen(&app), ScreenId::Home);
}

fn type_pin(app: &AppWindow, pin: &str) {
    for d in pin.chars() {
        tap(app, &d.to_string());
    }
}

/// Taps the hall name in the header as often as it takes to open the PIN screen.
fn open_pin(app: &AppWindow) {
    for _ in 0..demo::HIDDEN_TAPS {
        // Found afresh each time: each screen has its own header.
        let hall = ElementHandle::find_by_element_id(app, "Header::hall")
            .next()
            .expect("hall name area");
        hall.mock_single_click(PointerEventButton::Left);
    }
}

/// Five taps on the hall name open the PIN; three wrong PINs lock it for five minutes.
#[test]
fn maintenance_pin_locks_after_three_failures() {
    let (app, _flow) = start();
    open_pin(&app);
    assert_eq!(current_screen(&app), ScreenId::MaintenancePin);
    type_pin(&app, "111111");
    assert!(has_text(&app, "还可尝试 2 次"));
    type_pin(&app, "222222");
    type_pin(&app, "333333");
    assert!(app.global::<PinAdapter<'_>>().get_locked());
    assert!(has_text(&app, "请 5 分钟后再试"));
    // Keys are disabled while locked; the right PIN does nothing.
    type_pin(&app, demo::PREVIEW_PIN);
    assert_eq!(current_screen(&app), ScreenId::MaintenancePin);
    // Going home (here: the idle timeout) does not reset the lockout.
    tick(demo::IDLE_AFTER_SECS as u64 + demo::COUNTDOWN_SECS as u64);
    assert_eq!(current_screen(&app), ScreenId::Home);
    open_pin(&app);
    assert!(app.global::<PinAdapter<'_>>().get_locked());
    tick(demo::pin::LOCKOUT_SECS);
    open_pin(&app);
    assert_eq!(current_screen(&app), ScreenId::MaintenancePin);
    assert!(!app.global::<PinAdapter<'_>>().get_locked());
    type_pin(&app, demo::PREVIEW_PIN);
    assert_eq!(current_screen(&app), ScreenId::Maintenance);
    tap(&app, "退出维护模式");
    assert_eq!(current_screen(&app), ScreenId::Home);
}
