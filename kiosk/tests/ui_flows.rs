//! The kiosk's screens driven as a citizen drives them, on the real session machine: a
//! [`Stage`] (the real `.slint` screens attached by the kiosk's frontend to a rehearsal session
//! with the stub hall and the card reader simulator's cards). Every tap is a pointer event at
//! the centre of the control's box, hit-tested by Slint as a touch panel's would be.

use i_slint_backend_testing::ElementQuery;
use kiosk::display::shots::{preview_config, preview_start, PREVIEW_PIN, SAMPLE_CARD};
use kiosk::display::stage::Stage;
use kiosk::session::Screen;
use kiosk_ui::generated::{IdleAdapter, NoticeAdapter, PinAdapter, Shell, Theme};
use kiosk_ui::screen::ScreenId;
use kiosk_ui::touch;
use slint::platform::WindowEvent;
use slint::ComponentHandle;

fn stage() -> Stage {
    Stage::offscreen(&preview_config(), preview_start()).expect("the stage")
}

/// The longest the simulated camera may take to draw its photos and send a frame (debug
/// builds draw slowly; a frame usually comes within a second or two).
const PREVIEW_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// A stage with the simulated document camera streaming to the camera screen's preview.
fn camera_stage() -> Stage {
    let camera = kiosk::devices::CameraHandle::sample();
    Stage::offscreen_with_camera(&preview_config(), preview_start(), Some(camera))
        .expect("the stage")
}

fn tap(stage: &mut Stage, label: &str) {
    if let Err(e) = stage.tap(label) {
        panic!("{e}");
    }
}

fn type_keys(stage: &mut Stage, keys: &str) {
    for k in keys.chars() {
        tap(stage, &k.to_string());
    }
}

fn has_text(stage: &Stage, text: &str) -> bool {
    let text = text.to_owned();
    ElementQuery::from_root(stage.app())
        .match_descendants()
        .match_predicate(move |e| {
            e.accessible_label()
                .is_some_and(|l| l.contains(text.as_str()))
        })
        .find_first()
        .is_some()
}

fn texts(stage: &Stage) -> Vec<String> {
    ElementQuery::from_root(stage.app())
        .match_descendants()
        .find_all()
        .iter()
        .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
        .filter(|l| !l.is_empty())
        .collect()
}

#[track_caller]
fn assert_text(stage: &Stage, text: &str) {
    assert!(
        has_text(stage, text),
        "{text:?} not on the {:?} screen: {:?}",
        stage.screen(),
        texts(stage)
    );
}

/// From home through the card and the ID-card item's form to the materials page: the hall
/// holding no copy of the household register, which the camera may photograph, the page asks
/// (without a camera it is skipped: the review then, which says what is owed).
fn to_materials(s: &mut Stage) {
    s.rehearsal().stub().set_holds_materials(false);
    tap(s, "办事");
    s.read_card(SAMPLE_CARD).expect("card");
    tap(s, "居民身份证换领");
    tap(s, "开始办理");
    tap(s, "联系电话");
    type_keys(s, "13812345678");
    tap(s, "有效期满");
    tap(s, "下一步");
}

/// From home through the card and the ID-card item's form (phone typed on the keyboard) to
/// the review.
fn to_review(s: &mut Stage) {
    tap(s, "办事");
    s.read_card(SAMPLE_CARD).expect("card");
    tap(s, "居民身份证换领");
    tap(s, "开始办理");
    to_review_from_form(s);
}

/// From the home screen to the receipt and a 差评 with a reason, for one item.
#[test]
fn item_from_home_to_receipt_and_rating() {
    let mut s = stage();
    assert_eq!(s.screen(), ScreenId::Home);
    tap(&mut s, "办事");
    assert_eq!(s.screen(), ScreenId::Identify);
    s.read_card(SAMPLE_CARD).expect("card");
    assert_eq!(s.screen(), ScreenId::Browse);
    tap(&mut s, "居民身份证换领");
    assert_eq!(s.screen(), ScreenId::Guide);
    tap(&mut s, "开始办理");
    assert_eq!(s.screen(), ScreenId::Form);
    // The form opens with the keyboard on its first field to type.
    assert!(touch::find(&s.targets(), "完成").is_some(), "keyboard up");
    tap(&mut s, "完成");
    assert_text(&s, "已从身份证读取");
    // Nothing typed: the form refuses and says why at the field.
    tap(&mut s, "下一步");
    assert_eq!(s.screen(), ScreenId::Form);
    // The hall holds the register (reused) and the card stands for itself: nothing to decide
    // about the materials, and collecting at the window is assumed: straight to the review.
    to_review_from_form(&mut s);
    assert_text(&s, "13812345678");
    assert_text(&s, "窗口领取");
    assert_text(&s, "点击“确认提交”即表示：本人承诺所填信息真实有效");
    // The consent to progress texts: a check box that a tap toggles.
    let consent = s
        .targets()
        .into_iter()
        .find(|t| t.role == "checkbox")
        .expect("the progress texts' check box");
    let before = consent.checked;
    let (x, y) = consent.center();
    touch::tap(s.app(), x, y);
    s.pump();
    let after = s
        .targets()
        .into_iter()
        .find(|t| t.role == "checkbox")
        .expect("still there")
        .checked;
    assert!(before.is_some(), "a check box reports whether it is ticked");
    assert_ne!(before, after, "a tap on it toggles it");
    tap(&mut s, "确认提交");
    assert_eq!(s.screen(), ScreenId::Receipt);
    let code = format!("LA{}-0001", s.session_today().format("%Y%m%d"));
    assert_text(&s, &code);
    assert!(s
        .rehearsal()
        .stub()
        .printed()
        .iter()
        .any(|t| t.contains("回执")));

    tap(&mut s, "评价服务");
    assert_eq!(s.screen(), ScreenId::Rating);
    tap(&mut s, "不满意");
    tap(&mut s, "提交评价");
    assert_eq!(s.screen(), ScreenId::Rating, "差评 needs a reason");
    tap(&mut s, "办理太慢");
    tap(&mut s, "提交评价");
    assert_eq!(s.screen(), ScreenId::Farewell);
    assert_text(&s, "感谢您的评价");
    tap(&mut s, "返回首页");
    assert_eq!(s.screen(), ScreenId::Home);
    assert!(s.session().citizen.is_none(), "session forgotten");
    assert!(s.session().transaction.is_none());
}

/// On the form with nothing typed: the phone typed on the numeric keyboard (which closes by
/// itself once the number is whole), the reason chosen, on to the review (the stub hall
/// holds the household register: nothing to decide about the materials). The declaration is
/// not among the fields: 确认提交 makes it on the review.
fn to_review_from_form(s: &mut Stage) {
    tap(s, "联系电话");
    type_keys(s, "13812345678");
    assert!(
        touch::find(&s.targets(), "完成").is_none(),
        "a whole number closes the keyboard: {:?}",
        texts(s)
    );
    tap(s, "有效期满");
    assert!(
        !s.targets().iter().any(|t| t.role == "checkbox"),
        "no declaration box on the form"
    );
    tap(s, "下一步");
    // Without the hall's answer about the register, it may be photographed here: the
    // materials page asks (handed in later, here).
    if !s
        .session()
        .transaction
        .as_ref()
        .is_some_and(|t| t.materials.iter().any(|l| l.held))
    {
        assert_eq!(s.screen(), ScreenId::Materials, "{:?}", texts(s));
        tap(s, "下一步");
    }
    assert_eq!(s.screen(), ScreenId::Review, "{:?}", texts(s));
}

/// A 一件事 bundle goes through the same path.
#[test]
fn bundle_from_home_to_receipt() {
    let mut s = stage();
    tap(&mut s, "办事");
    s.read_card(SAMPLE_CARD).expect("card");
    tap(&mut s, "一件事");
    tap(&mut s, "新生儿出生一件事");
    assert_eq!(s.screen(), ScreenId::Guide);
    tap(&mut s, "开始办理");
    assert_eq!(s.screen(), ScreenId::Form);
    assert!(matches!(
        s.session().transaction.as_ref().map(|t| &t.subject),
        Some(hall_api::application::Subject::Bundle(_))
    ));
}

/// Pinyin search: typing z-h-a-n-g shows 张 first; initials in Latin find items.
#[test]
fn pinyin_search_in_browse() {
    let mut s = stage();
    tap(&mut s, "办事");
    tap(&mut s, "先看看办事指南");
    assert_eq!(s.screen(), ScreenId::Browse);
    tap(&mut s, "搜索事项");
    tap(&mut s, "英文输入");
    type_keys(&mut s, "jmsfz");
    assert_text(&s, "居民身份证换领");
    assert!(!has_text(&s, "不动产首次登记"), "search filters the list");
    tap(&mut s, "拼音输入");
    for _ in 0..5 {
        tap(&mut s, "删除");
    }
    type_keys(&mut s, "zhang");
    assert_text(&s, "张");
    tap(&mut s, "张");
    assert!(matches!(&s.session().screen, Screen::Choose(_)));
}

/// Nobody touches the screen: the countdown appears, then home and wipe.
#[test]
fn idle_timeout_returns_home_and_forgets() {
    let mut s = stage();
    tap(&mut s, "办事");
    s.read_card(SAMPLE_CARD).expect("card");
    tap(&mut s, "居民身份证换领");
    let idle = s.session().config.idle_timeout.as_secs();
    let countdown = s.session().config.countdown.as_secs();
    let visible = |s: &Stage| s.app().global::<IdleAdapter<'_>>().get_visible();
    s.wait(idle - 1);
    assert!(!visible(&s));
    s.wait(2);
    assert!(visible(&s));
    assert_text(&s, "您还在操作吗？");
    tap(&mut s, "继续办理");
    assert!(!visible(&s));
    assert_eq!(s.screen(), ScreenId::Guide);
    s.wait(idle + countdown + 1);
    assert_eq!(s.screen(), ScreenId::Home);
    assert!(!visible(&s));
    assert!(s.session().citizen.is_none(), "the card's data wiped");
    s.wait(idle * 2);
    assert!(!visible(&s), "no countdown on the home screen itself");
}

/// Elder mode from any screen: bigger targets, and back; language switch at any time.
#[test]
fn elder_mode_and_language_switch() {
    let mut s = stage();
    tap(&mut s, "办事");
    tap(&mut s, "先看看办事指南");
    let height = |s: &Stage, label: &str| {
        touch::find(&s.targets(), label)
            .unwrap_or_else(|| panic!("no {label}"))
            .height
    };
    let normal = height(&s, "首页");
    tap(&mut s, "长辈模式");
    assert!(s.app().global::<Theme<'_>>().get_elder());
    assert_eq!(s.screen(), ScreenId::Browse, "stays on the screen");
    let elder = height(&s, "首页");
    assert!(
        elder * 100 >= normal * 145,
        "touch target {normal} → {elder}"
    );
    tap(&mut s, "English");
    assert!(
        touch::find(&s.targets(), "Home").is_some(),
        "header translated"
    );
    tap(&mut s, "Standard mode");
    assert!(!s.app().global::<Theme<'_>>().get_elder());
    tap(&mut s, "中文");
    tap(&mut s, "首页");
    assert_eq!(s.screen(), ScreenId::Home);
}

/// Reach mode (轮椅模式): one touch low on the home screen, then a whole application by touch,
/// every control touched lying in the lower 55 % of the screen; the header's buttons are in
/// the bar at the bottom. Home ends the session and the mode with it (this kiosk's default).
#[test]
fn reach_mode_a_whole_application_touching_only_the_lower_part_of_the_screen() {
    let mut s = stage();
    let line = (0.45 * 1920.0) as i32;
    let low_tap = |s: &mut Stage, label: &str| {
        let targets = s.targets();
        let target = touch::find(&targets, label)
            .unwrap_or_else(|| panic!("no {label} on the {:?} screen: {:?}", s.screen(), texts(s)));
        assert!(
            target.y >= line,
            "{label} at y={} on the {:?} screen, above the reach line at {line}",
            target.y,
            s.screen()
        );
        tap(s, label);
    };
    let home_y = |s: &Stage| touch::find(&s.targets(), "办事").map(|t| t.y);
    let standard = home_y(&s).expect("the 办事 tile");
    low_tap(&mut s, "轮椅模式");
    assert!(s.session().reach && s.app().global::<Theme<'_>>().get_reach());
    assert!(
        home_y(&s).expect("still there") >= line,
        "the tiles moved down"
    );
    assert!(standard < line, "they were above the line before");
    low_tap(&mut s, "办事");
    s.read_card(SAMPLE_CARD).expect("card");
    low_tap(&mut s, "居民身份证换领");
    low_tap(&mut s, "开始办理");
    assert_eq!(s.screen(), ScreenId::Form);
    // The keyboard opens on the phone number: only its keys are touched.
    for k in "13812345678".chars() {
        low_tap(&mut s, &k.to_string());
    }
    low_tap(&mut s, "有效期满");
    low_tap(&mut s, "下一步");
    if s.screen() == ScreenId::Materials {
        low_tap(&mut s, "下一步");
    }
    assert_eq!(s.screen(), ScreenId::Review, "{:?}", texts(&s));
    low_tap(&mut s, "确认提交");
    assert_eq!(s.screen(), ScreenId::Receipt);
    assert!(s.session().reach, "kept for the whole session");
    low_tap(&mut s, "首页");
    assert_eq!(s.screen(), ScreenId::Home);
    assert!(
        !s.session().reach,
        "back to this kiosk's default at the end"
    );
}

/// Reach mode with elder mode: the mailing address, whose four boxes do not fit below the
/// reach line, one box at a time. Refused, it opens on the first box to fill; each box typed
/// and closed moves on to the next still empty; 上一页 goes back; every touch is low.
#[test]
fn reach_and_elder_mode_the_mailing_address_one_box_at_a_time_within_reach() {
    let mut s = stage();
    let line = (0.45 * 1920.0) as i32;
    let low_tap = |s: &mut Stage, label: &str| {
        let targets = s.targets();
        let target = touch::find(&targets, label)
            .unwrap_or_else(|| panic!("no {label} on the {:?} screen: {:?}", s.screen(), texts(s)));
        assert!(
            target.y >= line,
            "{label} at y={} on the {:?} screen, above the reach line at {line}",
            target.y,
            s.screen()
        );
        tap(s, label);
    };
    // The address box shown (enabled), if one.
    let boxes = |s: &Stage| -> Vec<String> {
        s.targets()
            .iter()
            .filter(|t| t.enabled && t.role == "text-input")
            .map(|t| t.label.clone())
            .collect()
    };
    low_tap(&mut s, "轮椅模式");
    low_tap(&mut s, "长辈模式");
    low_tap(&mut s, "办事");
    s.read_card(SAMPLE_CARD).expect("card");
    low_tap(&mut s, "居民身份证换领");
    low_tap(&mut s, "开始办理");
    for k in "13812345678".chars() {
        low_tap(&mut s, &k.to_string());
    }
    // Elder mode's form is paged too: the reason on a later page.
    for _ in 0..5 {
        if touch::find(&s.targets(), "有效期满").is_some() {
            break;
        }
        low_tap(&mut s, "下一页");
    }
    low_tap(&mut s, "有效期满");
    for _ in 0..5 {
        if s.screen() != ScreenId::Form {
            break;
        }
        let next = if touch::find(&s.targets(), "下一页").is_some_and(|t| t.enabled) {
            "下一页"
        } else {
            "下一步"
        };
        low_tap(&mut s, next);
    }
    if s.screen() == ScreenId::Materials {
        low_tap(&mut s, "下一步");
    }
    assert_eq!(s.screen(), ScreenId::Review, "{:?}", texts(&s));
    low_tap(&mut s, "更改领取方式（可免费邮寄）");
    low_tap(&mut s, "免费邮寄到家");
    // The recipient came from the card: the page opens on the phone, the first empty box.
    assert_eq!(boxes(&s), ["联系电话"], "{:?}", texts(&s));
    assert_text(&s, "2 / 4");
    low_tap(&mut s, "下一步：确认");
    assert_eq!(s.screen(), ScreenId::Delivery, "refused");
    assert_eq!(boxes(&s), ["联系电话"], "the first box to fill");
    assert_text(&s, "联系电话：请填写11位手机号");
    low_tap(&mut s, "联系电话");
    for k in "13812345678".chars() {
        low_tap(&mut s, &k.to_string());
    }
    low_tap(&mut s, "完成");
    assert_eq!(boxes(&s), ["省/市/区县"], "on to the next empty box");
    assert_text(&s, "3 / 4");
    low_tap(&mut s, "省/市/区县");
    low_tap(&mut s, "英文输入");
    for k in "hz".chars() {
        low_tap(&mut s, &k.to_string());
    }
    low_tap(&mut s, "完成");
    assert_eq!(boxes(&s), ["详细地址"]);
    low_tap(&mut s, "详细地址");
    low_tap(&mut s, "数字输入");
    for k in "18".chars() {
        low_tap(&mut s, &k.to_string());
    }
    low_tap(&mut s, "完成");
    // Nothing left to fill (the phone's old error went when it was typed): the page stays.
    assert_eq!(boxes(&s), ["详细地址"]);
    assert!(!has_text(&s, "联系电话："), "{:?}", texts(&s));
    // Back through the boxes to check the recipient.
    for _ in 0..3 {
        low_tap(&mut s, "上一页");
    }
    assert_eq!(boxes(&s), ["收件人"]);
    assert_text(&s, "1 / 4");
    low_tap(&mut s, "下一步：确认");
    assert_eq!(s.screen(), ScreenId::Review, "{:?}", texts(&s));
    let address = &s.session().transaction.as_ref().expect("applying").address;
    assert_eq!(address.phone.as_str(), "13812345678");
    assert_eq!(address.region.as_str(), "hz");
    assert_eq!(address.detail.as_str(), "18");
    assert_eq!(address.recipient.as_str(), "张三", "from the card");
}

/// Five taps on the hall name open the PIN pad; three wrong PINs lock it; the right one then
/// does nothing. (The lockout's times and its file: `display::pin_lockout`'s tests.)
#[test]
fn maintenance_pin_opens_and_locks_after_three_failures() {
    let mut s = stage();
    s.open_pin_pad();
    assert_eq!(s.screen(), ScreenId::MaintenancePin);
    type_keys(&mut s, PREVIEW_PIN);
    tap(&mut s, "确定");
    assert_eq!(s.screen(), ScreenId::Maintenance);
    tap(&mut s, "退出维护模式");
    assert_eq!(s.screen(), ScreenId::Home);

    s.open_pin_pad();
    for wrong in ["111111", "222222"] {
        type_keys(&mut s, wrong);
        tap(&mut s, "确定");
    }
    assert_text(&s, "还可尝试 1 次");
    type_keys(&mut s, "333333");
    tap(&mut s, "确定");
    assert!(s.app().global::<PinAdapter<'_>>().get_locked());
    assert_text(&s, "已锁定");
    // Keys are disabled while locked: the right PIN does not open.
    let _ = s.tap("2");
    assert_eq!(s.screen(), ScreenId::MaintenancePin);
}

#[test]
fn identify_offers_what_the_devices_allow() {
    let mut s = stage();
    tap(&mut s, "办事");
    assert_eq!(s.screen(), ScreenId::Identify);
    assert_text(&s, "请将身份证放在感应区");
    assert!(touch::find(&s.targets(), "先看看办事指南").is_some());
    // No reader: no card prompt, scanning still offered.
    s.ev(kiosk::session::Event::DeviceChanged {
        device: kiosk_drivers::status::DeviceClass::IdCardReader,
        available: false,
    });
    assert!(!has_text(&s, "请将身份证放在感应区"));
    assert_text(&s, "身份证读卡器暂时不能使用");
    tap(&mut s, "先看看办事指南");
    assert_eq!(s.screen(), ScreenId::Browse);
}

#[test]
fn review_then_delivery_address_errors() {
    let mut s = stage();
    to_review(&mut s);
    assert_text(&s, "居民户口簿（已有，复用）");
    tap(&mut s, "更改领取方式（可免费邮寄）");
    assert_eq!(s.screen(), ScreenId::Delivery);
    tap(&mut s, "免费邮寄到家");
    tap(&mut s, "下一步：确认");
    assert_eq!(s.screen(), ScreenId::Delivery, "refused");
    assert_text(&s, "详细地址：必填");
    tap(&mut s, "联系电话");
    assert!(
        touch::find(&s.targets(), "下一步：确认").is_none(),
        "keyboard covers the bar"
    );
    type_keys(&mut s, "13812345678");
    tap(&mut s, "完成");
    tap(&mut s, "省/市/区县");
    tap(&mut s, "英文输入");
    type_keys(&mut s, "hz");
    tap(&mut s, "完成");
    tap(&mut s, "详细地址");
    tap(&mut s, "数字输入");
    type_keys(&mut s, "18");
    tap(&mut s, "完成");
    tap(&mut s, "下一步：确认");
    assert_eq!(s.screen(), ScreenId::Review, "{:?}", texts(&s));
    assert_text(&s, "免费邮寄");
    // What was typed on the keyboards went into the session's address.
    let address = &s.session().transaction.as_ref().expect("applying").address;
    assert_eq!(address.phone.as_str(), "13812345678");
    assert_eq!(address.region.as_str(), "hz");
    assert_eq!(address.detail.as_str(), "18");
    assert_eq!(address.recipient.as_str(), "张三", "from the card");
}

#[test]
fn submitting_then_queued_receipt_says_so_honestly() {
    let mut s = stage();
    s.rehearsal().stub().set_reachable(false);
    to_review(&mut s);
    s.rehearsal().stub().hold();
    tap(&mut s, "确认提交");
    assert_eq!(s.screen(), ScreenId::Submitting);
    assert!(
        touch::find(&s.targets(), "确认提交").is_none(),
        "nothing to press twice"
    );
    s.release();
    assert_eq!(s.screen(), ScreenId::Receipt);
    assert_text(&s, "网络恢复后");
    assert!(!has_text(&s, "已送达"));
    // Nothing to scan yet: no QR code and no "scan for progress"; the kiosk's own reference.
    assert_text(&s, "本机受理编号");
    assert!(!has_text(&s, "扫码查看办理进度"));
    assert!(
        !s.app()
            .global::<kiosk_ui::generated::ReceiptAdapter<'_>>()
            .get_has_qr(),
        "a queued receipt shows no QR code"
    );
}

#[test]
fn appointment_department_day_slot_contact_booked() {
    let mut s = stage();
    tap(&mut s, "预约");
    assert_eq!(s.screen(), ScreenId::Appointment);
    let departments: Vec<String> = s.targets().into_iter().map(|t| t.label).collect();
    let gongan = departments
        .iter()
        .find(|l| l.contains("公安"))
        .unwrap_or_else(|| panic!("no 公安 in {departments:?}"))
        .clone();
    tap(&mut s, &gongan);
    assert_text(&s, "请选择日期");
    let slots = kiosk::citizen::rehearsal::StubEffects::slots("gongan", s.session_today());
    // A day with a free slot, as the screen labels it (月日 星期).
    let free = slots
        .slots
        .iter()
        .find(|x| x.remaining > 0)
        .expect("a free slot");
    let day_label = s
        .targets()
        .into_iter()
        .map(|t| t.label)
        .find(|l| l.starts_with(&free.date.format("%m月%d日").to_string()))
        .unwrap_or_else(|| panic!("no button for {} in {:?}", free.date, texts(&s)));
    tap(&mut s, &day_label);
    assert_text(&s, "请选择时段");
    tap(&mut s, &format!("{}–{}", free.start, free.end));
    tap(&mut s, "确认预约");
    assert_text(&s, "姓名：必填");
    tap(&mut s, "姓名");
    type_keys(&mut s, "zhang");
    tap(&mut s, "张");
    tap(&mut s, "完成");
    tap(&mut s, "手机号码");
    type_keys(&mut s, "13812345678");
    tap(&mut s, "完成");
    tap(&mut s, "确认预约");
    assert_text(&s, "预约成功");
    assert_text(&s, "YY-");
    tap(&mut s, "完成");
    assert_eq!(s.screen(), ScreenId::Home);
}

#[test]
fn help_calls_staff_then_request_and_complaint_end_in_farewell() {
    let mut s = stage();
    tap(&mut s, "帮助/办不成事");
    assert_eq!(s.screen(), ScreenId::Help);
    tap(&mut s, "请工作人员过来");
    assert!(s.app().global::<Shell<'_>>().get_help_called());
    assert_text(&s, "已通知值班人员");
    tap(&mut s, "知道了");
    assert!(!s.app().global::<NoticeAdapter<'_>>().get_visible());

    tap(&mut s, "上门服务");
    tap(&mut s, "发送");
    assert_eq!(s.screen(), ScreenId::Help, "a phone is needed");
    tap(&mut s, "联系电话");
    type_keys(&mut s, "13812345678");
    tap(&mut s, "完成");
    tap(&mut s, "发送");
    assert_eq!(s.screen(), ScreenId::Farewell);
    tap(&mut s, "返回首页");
    assert_eq!(s.screen(), ScreenId::Home);
    assert!(
        !s.app().global::<Shell<'_>>().get_help_called(),
        "session over"
    );

    tap(&mut s, "帮助/办不成事");
    tap(&mut s, "办不成事反映");
    assert_eq!(s.screen(), ScreenId::Complaint);
    tap(&mut s, "发送");
    assert_eq!(s.screen(), ScreenId::Complaint, "a text is needed");
    tap(&mut s, "遇到的问题");
    tap(&mut s, "英文输入");
    type_keys(&mut s, "abc");
    tap(&mut s, "完成");
    tap(&mut s, "发送");
    assert_eq!(s.screen(), ScreenId::Farewell);
}

#[test]
fn a_notice_is_modal_until_dismissed_or_touched() {
    let mut s = stage();
    let visible = |s: &Stage| s.app().global::<NoticeAdapter<'_>>().get_visible();
    s.ev(kiosk::session::Event::CardReadFailed(
        kiosk_drivers::ErrorKind::Unreadable,
    ));
    assert!(visible(&s));
    let ok = touch::find(&s.targets(), "知道了").expect("知道了").clone();
    assert!(ok.y > 960, "in the lower half, where the hand is");
    tap(&mut s, "知道了");
    assert!(!visible(&s));
    assert_eq!(s.screen(), ScreenId::Home, "dismiss only closes it");
    s.ev(kiosk::session::Event::CardReadFailed(
        kiosk_drivers::ErrorKind::Unreadable,
    ));
    assert!(visible(&s));
    // Another touch closes it, and only closes it.
    let tile = touch::find(&s.targets(), "办事").cloned();
    if let Some(tile) = tile {
        let (x, y) = tile.center();
        touch::tap(s.app(), x, y);
        s.pump();
        assert!(!visible(&s));
        assert_eq!(s.screen(), ScreenId::Home, "the touch only closed it");
    }
    tap(&mut s, "办事");
    assert_eq!(s.screen(), ScreenId::Identify);
}

#[test]
fn the_home_screen_lists_its_tiles_inside_the_window_and_a_tap_at_one_takes_it() {
    let mut s = stage();
    let all = s.targets();
    let tile = touch::find(&all, "办事").expect("the 办事 tile").clone();
    assert_eq!(tile.role, "button");
    for t in &all {
        assert!(
            t.x >= 0 && t.y >= 0 && t.x + t.width <= 1080 && t.y + t.height <= 1920,
            "inside the 1080x1920 window: {t:?}"
        );
    }
    touch::tap(s.app(), 2, 1918);
    s.pump();
    assert_eq!(s.screen(), ScreenId::Home, "a tap outside every target");
    let (x, y) = tile.center();
    touch::tap(s.app(), x, y);
    s.pump();
    assert_eq!(s.screen(), ScreenId::Identify);
}

#[test]
fn coordinates_are_physical_pixels_at_any_scale_factor() {
    let mut s = stage();
    let at_one = touch::find(&s.targets(), "办事").expect("tile").clone();
    s.app()
        .window()
        .dispatch_event(WindowEvent::ScaleFactorChanged { scale_factor: 2.0 });
    let at_two = touch::find(&s.targets(), "办事").expect("tile").clone();
    assert_ne!(at_one, at_two, "the box is reported in physical pixels");
    let (x, y) = at_two.center();
    touch::tap(s.app(), x, y);
    s.pump();
    assert_eq!(s.screen(), ScreenId::Identify);
}

#[test]
fn the_home_tiles_two_columns_are_equally_wide() {
    let s = stage();
    let all = s.targets();
    let width = |label: &str| touch::find(&all, label).expect(label).width;
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

#[test]
fn a_disabled_button_is_listed_but_not_found() {
    let t = |label: &str, enabled: bool| touch::Target {
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
    assert_eq!(
        touch::find(&all, "下一步").map(|t| t.label.as_str()),
        Some("下一步：确认")
    );
    assert_eq!(touch::find(&all[..1], "下一步"), None);
}

/// 居民户口簿 photographed by touch: 拍照提交 on the materials screen opens the camera screen;
/// 拍照, 下一页 twice, 重拍 once (the third page replaced), 完成: three pages made into one
/// PDF; the materials screen shows it handed in (scanned), the review lists it as
/// photographed, and the printed receipt asks for nothing.
#[test]
fn household_register_photographed_by_touch_is_handed_in_and_nothing_is_owed() {
    let mut s = camera_stage();
    // The hall holds no copy of the register: there is something to decide about it.
    s.rehearsal().stub().set_holds_materials(false);
    tap(&mut s, "办事");
    s.read_card(SAMPLE_CARD).expect("card");
    // 城乡居民医保参保登记（新生儿）: its only material is the household register.
    s.ui(kiosk::session::UiInput::PickItem("YB-000402-001".into()));
    tap(&mut s, "开始办理");
    for (key, value) in [("childName", "张小宝"), ("phone", "13812345678")] {
        s.ui(kiosk::session::UiInput::SetField {
            key: key.into(),
            value: serde_json::json!(value).into(),
        });
    }
    // The form opened with the keyboard on its first field: closed, on.
    tap(&mut s, "完成");
    tap(&mut s, "下一步");
    assert_eq!(s.screen(), ScreenId::Materials);
    tap(&mut s, "拍照提交");
    assert_eq!(s.screen(), ScreenId::Camera);
    assert!(s.preview_running(), "the preview runs on the camera screen");
    let (first, _) = s
        .next_preview_frame(0, PREVIEW_WAIT)
        .expect("a preview frame from the simulated camera");
    assert!(
        s.next_preview_frame(first, PREVIEW_WAIT).is_some(),
        "the preview goes on"
    );
    assert_text(&s, "尚未拍摄");
    tap(&mut s, "拍照");
    assert_text(&s, "已拍 1 页");
    tap(&mut s, "下一页");
    tap(&mut s, "下一页");
    assert_text(&s, "已拍 3 页");
    let third = {
        let t = s.session().transaction.as_ref().expect("transaction");
        t.capture.as_ref().expect("capture").pages[2].watch()
    };
    tap(&mut s, "重拍");
    assert_text(&s, "已拍 3 页");
    {
        let t = s.session().transaction.as_ref().expect("transaction");
        let c = t.capture.as_ref().expect("capture");
        assert_eq!(c.pages.len(), 3, "重拍 replaces the last page");
        assert!(
            !std::sync::Weak::ptr_eq(&third, &c.pages[2].watch()),
            "the third page is a new one"
        );
    }
    tap(&mut s, "完成");
    assert_eq!(s.screen(), ScreenId::Materials);
    assert!(
        !s.preview_running(),
        "the preview stops with the camera screen"
    );
    assert!(
        s.preview_shown().is_none(),
        "and its last frame is taken off"
    );
    assert_text(&s, "已在本机拍照提交（3 页）");
    {
        let t = s.session().transaction.as_ref().expect("transaction");
        assert!(t.capture.is_none());
        let line = &t.materials[0];
        assert_eq!(line.material.code, "hukou");
        assert_eq!(line.source, hall_api::application::MaterialSource::Scanned);
        let doc = line.scan.as_ref().expect("the PDF");
        assert_eq!(doc.pages, 3);
        assert!(doc.pdf.bytes().starts_with(b"%PDF"));
    }
    tap(&mut s, "下一步");
    if s.screen() == ScreenId::Delivery {
        tap(&mut s, "到窗口领取");
        tap(&mut s, "下一步：确认");
    }
    assert_eq!(s.screen(), ScreenId::Review);
    assert_text(&s, "居民户口簿（已在本机拍照提交，3 页）");
    assert!(!has_text(&s, "窗口补交"), "{:?}", texts(&s));
    tap(&mut s, "确认提交");
    assert_eq!(s.screen(), ScreenId::Receipt);
    let stub = s.rehearsal().stub();
    assert!(stub.printed().iter().any(|t| t.contains("回执")));
    assert_eq!(
        stub.owed(),
        Vec::<String>::new(),
        "the receipt asks for nothing"
    );
}

/// The simulated camera streams until the session is wiped: 首页 from the camera screen ends
/// the session and stops the preview.
#[test]
fn the_preview_stops_when_the_session_is_wiped() {
    let mut s = camera_stage();
    to_materials(&mut s);
    tap(&mut s, "拍照提交");
    assert_eq!(s.screen(), ScreenId::Camera);
    assert!(s.next_preview_frame(0, PREVIEW_WAIT).is_some());
    tap(&mut s, "首页");
    assert_eq!(s.screen(), ScreenId::Home);
    assert!(s.session().transaction.is_none(), "session wiped");
    assert!(!s.preview_running());
    assert!(s.preview_shown().is_none());
}

/// Without a working camera the materials screen offers no 拍照提交: the window and mail, as
/// before.
#[test]
fn without_the_camera_no_photographing_is_offered() {
    let mut s = stage();
    s.ev(kiosk::session::Event::DeviceChanged {
        device: kiosk_drivers::status::DeviceClass::Camera,
        available: false,
    });
    to_materials(&mut s);
    // Nothing to decide without a camera: the review, which says the register is owed.
    assert_eq!(s.screen(), ScreenId::Review);
    assert!(s.targets().iter().all(|t| t.label != "拍照提交"));
    assert_text(&s, "居民户口簿（请到窗口补交）");
    s.ev(kiosk::session::Event::DeviceChanged {
        device: kiosk_drivers::status::DeviceClass::Camera,
        available: true,
    });
    // The camera back: the materials page is on the way again, and offers it.
    tap(&mut s, "返回修改");
    assert_eq!(s.screen(), ScreenId::Materials);
    assert!(s.targets().iter().any(|t| t.label == "拍照提交"));
}

/// Elder mode: the camera screen's buttons are larger, and the hint to lay the page flat is
/// spoken (and shown under the title for those who cannot hear it).
#[test]
fn elder_mode_speaks_the_hint_to_lay_the_page_flat() {
    let mut s = stage();
    to_materials(&mut s);
    tap(&mut s, "拍照提交");
    assert_eq!(s.screen(), ScreenId::Camera);
    let normal = s
        .targets()
        .into_iter()
        .find(|t| t.label == "拍照")
        .expect("拍照");
    tap(&mut s, "长辈模式");
    assert_eq!(s.screen(), ScreenId::Camera);
    let elder = s
        .targets()
        .into_iter()
        .find(|t| t.label == "拍照")
        .expect("拍照 in elder mode");
    assert!(
        elder.height > normal.height,
        "larger in elder mode: {} vs {}",
        elder.height,
        normal.height
    );
    let spoken = s.rehearsal().stub().spoken();
    assert!(
        spoken
            .last()
            .is_some_and(|t| t.contains("请将材料平放在拍摄区内")),
        "{spoken:?}"
    );
    assert_text(&s, "请将材料平放在拍摄区内");
}

/// 自助打印 by touch: the home tile, the card, the list with copies left, 打印, 打印其他文书,
/// the paper running out (the copy given back, said so), 返回列表, 完成. The card's number is
/// only ever shown masked. Without the A4 printer the tile says why and opens nothing.
#[test]
fn self_print_from_the_home_tile_by_card() {
    let mut s = stage();
    tap(&mut s, "自助打印");
    assert_eq!(s.screen(), ScreenId::Prints);
    assert_text(&s, "请放置申请人本人的身份证");
    s.read_card(SAMPLE_CARD).expect("card");
    let number = s
        .session()
        .citizen
        .as_ref()
        .map(|c| c.id_number.clone())
        .expect("the card was read");
    assert_text(&s, "准予登记通知书");
    assert_text(&s, "可打印 2 份");
    assert_text(&s, "身份证 ");
    assert!(
        texts(&s).iter().all(|t| !t.contains(&number)),
        "the number shows only masked: {:?}",
        texts(&s)
    );
    tap(&mut s, "打印");
    assert_text(&s, "已打印：准予登记通知书");
    assert_eq!(s.rehearsal().stub().printed(), ["准予登记通知书"]);
    tap(&mut s, "打印其他文书");
    assert_text(&s, "可打印 1 份");
    s.rehearsal().stub().set_paper_out(true);
    tap(&mut s, "打印");
    assert_text(&s, "打印机缺纸");
    assert_text(&s, "份数已退回");
    tap(&mut s, "返回列表");
    assert_text(&s, "可打印 1 份");
    tap(&mut s, "完成");
    assert_eq!(s.screen(), ScreenId::Home);
    assert!(s.session().citizen.is_none(), "the card's data wiped");

    s.ev(kiosk::session::Event::DeviceChanged {
        device: kiosk_drivers::status::DeviceClass::A4Printer,
        available: false,
    });
    assert_text(&s, "打印机暂不可用");
    tap(&mut s, "自助打印");
    assert_eq!(s.screen(), ScreenId::Home);
}
