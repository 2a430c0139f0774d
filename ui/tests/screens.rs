//! Flow tests of the screens the session machine adds: identify, materials hand-in, delivery,
//! submitting and the queued receipt, appointment, complaint, help, farewell, and the notice
//! banner with "help is coming". They drive the preview flow through the real `.slint` screens
//! on Slint's testing backend, by accessible label.

use crate::common;

use common::*;
use i_slint_backend_testing::ElementQuery;
use kiosk_ui::adapters::{self, current_screen};
use kiosk_ui::demo::{self, PreviewFlow};
use kiosk_ui::generated::{AppointmentAdapter, MaterialsAdapter, NoticeAdapter, Shell};
use kiosk_ui::vm::{IdentifyVm, NoticeKind, ScreenId};
use kiosk_ui::AppWindow;
use slint::platform::PointerEventButton;
use slint::{ComponentHandle, Model};

/// Whether the button labelled `label` can be pressed.
fn enabled(app: &AppWindow, label: &str) -> bool {
    let found = buttons(app, label);
    let b = found
        .first()
        .unwrap_or_else(|| panic!("no button {label:?}"));
    b.accessible_enabled().unwrap_or(true)
}

fn type_keys(app: &AppWindow, keys: &str) {
    for k in keys.chars() {
        tap(app, &k.to_string());
    }
}

/// From home through the card and an item's form to the materials screen.
fn to_materials(app: &AppWindow, flow: &PreviewFlow) {
    tap(app, "办事");
    flow.card_placed(app);
    tap(app, "居民身份证换领");
    tap(app, "开始办理");
    field(app, "手机号码").mock_single_click(PointerEventButton::Left);
    type_keys(app, "5678");
    tap(app, "完成");
    tap(app, "下一步");
    assert_eq!(current_screen(app), ScreenId::Materials);
}

#[test]
fn identify_offers_what_the_devices_allow() {
    let (app, flow) = start();
    tap(&app, "办事");
    assert_eq!(current_screen(&app), ScreenId::Identify);
    assert!(has_text(&app, "请将身份证放在感应区"));
    assert!(has_text(&app, "身份证感应区位置示意图"), "picture of where");
    assert!(has_text(&app, "扫描回执或预约码"));
    assert!(!buttons(&app, "先看看办事指南").is_empty());

    // No reader: no card prompt, scanning and browsing still offered.
    adapters::apply_identify(
        &app,
        &IdentifyVm {
            card_offered: false,
            ..IdentifyVm::default()
        },
    );
    assert!(!has_text(&app, "请将身份证放在感应区"));
    assert!(has_text(&app, "身份证读卡器暂时不能使用"));
    assert!(has_text(&app, "扫描回执或预约码"));
    // No scanner and no catalog either: only the way back.
    adapters::apply_identify(
        &app,
        &IdentifyVm {
            card_offered: false,
            scan_offered: false,
            browse_offered: false,
        },
    );
    assert!(!has_text(&app, "把二维码对准屏幕下方的扫码窗口"));
    assert!(buttons(&app, "先看看办事指南").is_empty());
    adapters::apply_identify(&app, &IdentifyVm::default());

    tap(&app, "先看看办事指南");
    assert_eq!(current_screen(&app), ScreenId::Browse);
    tap(&app, "首页");
    tap(&app, "办事");
    flow.card_placed(&app);
    assert_eq!(current_screen(&app), ScreenId::Browse, "a card goes on");
}

#[test]
fn materials_reuse_toggle_and_delivery_address_errors() {
    let (app, flow) = start();
    to_materials(&app, &flow);
    let row = |i| {
        app.global::<MaterialsAdapter<'_>>()
            .get_materials()
            .row_data(i)
            .expect("material row")
    };
    assert!(row(0).reused && row(0).can_reuse);
    assert!(has_text(&app, "已有电子证照，无需提交"));
    assert!(!row(1).reused && !row(1).can_reuse);
    assert!(has_text(&app, "后补：窗口提交或邮寄"));
    // Only the first material can be reused: its toggles sit in its own card, above the second.
    let toggle_y = buttons(&app, "我自己提交")
        .iter()
        .map(|b| b.absolute_position().y)
        .fold(f32::MIN, f32::max);
    let second = ElementQuery::from_root(&app)
        .match_descendants()
        .match_predicate(|e| e.accessible_label().as_deref() == Some("原居民身份证"))
        .find_first()
        .expect("second material");
    assert!(toggle_y < second.absolute_position().y, "no toggle below");
    tap(&app, "我自己提交");
    assert!(!row(0).reused, "reuse switched off");
    assert!(!has_text(&app, "已有电子证照，无需提交"));
    tap(&app, "使用电子证照");
    assert!(row(0).reused);

    tap(&app, "下一步");
    assert_eq!(current_screen(&app), ScreenId::Delivery);
    // Mail is chosen; the card filled the recipient; the rest is missing.
    tap(&app, "免费邮寄到家");
    tap(&app, "下一步：确认");
    assert_eq!(current_screen(&app), ScreenId::Delivery, "refused");
    assert_eq!(
        field(&app, "收件人").accessible_value().as_deref(),
        Some("张三丰")
    );
    let errors = flow.with_state(|st| st.delivery.errors.clone());
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(has_text(&app, "此项必填"));

    // Typing into the phone box: the numeric keyboard, digits land in that box.
    field(&app, "联系电话").mock_single_click(PointerEventButton::Left);
    assert!(
        buttons(&app, "下一步：确认").is_empty(),
        "keyboard covers the bar"
    );
    type_keys(&app, "13812345678");
    tap(&app, "完成");
    assert_eq!(
        field(&app, "联系电话").accessible_value().as_deref(),
        Some("13812345678")
    );
    field(&app, "省/市/区县").mock_single_click(PointerEventButton::Left);
    tap(&app, "英文输入");
    type_keys(&app, "hz");
    tap(&app, "完成");
    field(&app, "详细地址").mock_single_click(PointerEventButton::Left);
    tap(&app, "数字输入");
    type_keys(&app, "18");
    tap(&app, "完成");
    tap(&app, "下一步：确认");
    assert_eq!(current_screen(&app), ScreenId::Review);
    assert!(has_text(&app, "邮寄：张三丰 hz18"));
    assert!(has_text(&app, "居民户口簿（电子证照）"));
}

#[test]
fn submitting_then_queued_receipt_says_so_honestly() {
    let (app, flow) = start();
    flow.set_network_down(true);
    to_materials(&app, &flow);
    tap(&app, "下一步");
    tap(&app, "到窗口领取");
    assert!(has_text(&app, "县政务服务中心一楼 3 号窗口"));
    tap(&app, "下一步：确认");
    assert!(has_text(&app, "窗口领取"));
    tap(&app, "确认提交");
    assert_eq!(current_screen(&app), ScreenId::Submitting);
    assert!(has_text(&app, "正在提交…"));
    assert!(
        buttons(&app, "确认提交").is_empty(),
        "nothing to press twice"
    );
    tick(demo::journey::SUBMIT_SECS);
    assert_eq!(current_screen(&app), ScreenId::Receipt);
    assert!(has_text(&app, "申请已保存"));
    assert!(has_text(&app, "已保存在本机，网络恢复后将自动提交"));
    assert!(!has_text(&app, "已送达"));
    assert!(
        has_text(&app, "QX2026-1126-0042"),
        "tracking code still shown"
    );
    assert_eq!(
        adapters::voice_caption(&app),
        "申请已保存在本机，网络恢复后将自动提交。",
        "the voice prompt is honest too"
    );
}

#[test]
fn appointment_department_day_slot_contact_booked() {
    let (app, _flow) = start();
    tap(&app, "预约");
    assert_eq!(current_screen(&app), ScreenId::Appointment);
    tap(&app, "公安");
    assert!(has_text(&app, "请选择日期"));
    // A full day is shown, disabled, and a tap does nothing.
    assert!(!enabled(&app, "12月1日 星期二"));
    assert!(has_text(&app, "已约满"));
    tap(&app, "12月1日 星期二");
    assert!(has_text(&app, "请选择日期"));
    assert!(enabled(&app, "11月27日 星期五"));
    tap(&app, "11月27日 星期五");
    assert!(has_text(&app, "请选择时段"));
    assert!(has_text(&app, "余 2 个"));
    assert!(!enabled(&app, "09:30–10:00"));
    tap(&app, "09:30–10:00");
    assert!(has_text(&app, "请选择时段"));
    tap(&app, "09:00–09:30");
    assert!(has_text(&app, "公安  11月27日 星期五  09:00–09:30"));
    // Nothing typed: errors at both boxes.
    tap(&app, "确认预约");
    let ap = app.global::<AppointmentAdapter<'_>>();
    assert_eq!(ap.get_name_error(), "请填写姓名");
    assert_eq!(ap.get_phone_error(), "手机号码应为 11 位数字");
    field(&app, "姓名").mock_single_click(PointerEventButton::Left);
    type_keys(&app, "zhang");
    tap(&app, "张");
    tap(&app, "完成");
    field(&app, "手机号码").mock_single_click(PointerEventButton::Left);
    type_keys(&app, "13812345678");
    tap(&app, "完成");
    tap(&app, "确认预约");
    assert!(has_text(&app, "预约成功"));
    assert!(has_text(&app, "YY-1127-0031"));
    assert!(ap.get_qr().size().width > 0, "QR code shown");
    tap(&app, "完成");
    assert_eq!(current_screen(&app), ScreenId::Home);
}

#[test]
fn help_calls_staff_then_request_and_complaint_end_in_farewell() {
    let (app, flow) = start();
    tap(&app, "帮助/办不成事");
    assert_eq!(current_screen(&app), ScreenId::Help);
    tap(&app, "请工作人员过来");
    assert!(app.global::<Shell<'_>>().get_help_called());
    assert!(has_text(&app, "已通知值班人员，工作人员正在赶来，请稍候"));
    assert!(has_text(&app, "已通知值班人员，请在原地稍候。"));
    tap(&app, "知道了");
    assert!(!app.global::<NoticeAdapter<'_>>().get_visible());
    assert!(
        has_text(&app, "已通知值班人员，工作人员正在赶来，请稍候"),
        "help line stays"
    );

    tap(&app, "上门服务");
    assert!(has_text(&app, "需要上门服务？"));
    tap(&app, "发送");
    assert_eq!(current_screen(&app), ScreenId::Help, "a phone is needed");
    assert!(has_text(&app, "请留下联系电话"));
    field(&app, "联系电话").mock_single_click(PointerEventButton::Left);
    type_keys(&app, "13812345678");
    tap(&app, "完成");
    tap(&app, "发送");
    assert_eq!(current_screen(&app), ScreenId::Farewell);
    assert!(has_text(&app, "已通知值班人员"));
    tap(&app, "返回首页");
    assert_eq!(current_screen(&app), ScreenId::Home);
    assert!(!app.global::<Shell<'_>>().get_help_called(), "session over");

    tap(&app, "帮助/办不成事");
    tap(&app, "办不成事反映");
    assert_eq!(current_screen(&app), ScreenId::Complaint);
    tap(&app, "发送");
    assert!(has_text(&app, "请说明遇到的问题"));
    field(&app, "遇到的问题").mock_single_click(PointerEventButton::Left);
    tap(&app, "英文输入");
    type_keys(&app, "abc");
    tap(&app, "完成");
    flow.with_state(|st| assert_eq!(st.complaint.message.text, "abc"));
    tap(&app, "发送");
    assert_eq!(current_screen(&app), ScreenId::Farewell);
    assert!(has_text(&app, "您的反映已收到"));
}

#[test]
fn a_notice_is_modal_until_dismissed_or_touched() {
    let (app, flow) = start();
    let visible = |app: &AppWindow| app.global::<NoticeAdapter<'_>>().get_visible();
    flow.show_notice(&app, NoticeKind::CardReadFailed);
    assert!(visible(&app));
    assert!(has_text(&app, "身份证读取失败"));
    let ok = buttons(&app, "知道了");
    assert!(
        ok[0].absolute_position().y > 960.0,
        "in the lower half, where the hand is"
    );
    tap(&app, "知道了");
    assert!(!visible(&app));
    assert_eq!(
        current_screen(&app),
        ScreenId::Home,
        "dismiss only closes it"
    );
    // Any other touch closes it too, and only closes it: the notice is modal, the page under
    // it out of play (and never half-hidden) until it goes.
    flow.show_notice(&app, NoticeKind::PrinterUnavailable);
    assert!(has_text(&app, "打印机暂时不能使用"));
    tap(&app, "办事");
    assert!(!visible(&app));
    assert_eq!(
        current_screen(&app),
        ScreenId::Home,
        "the touch only closed it"
    );
    tap(&app, "办事");
    assert_eq!(current_screen(&app), ScreenId::Identify);
}
