//! Renders every screenshot (as `kioskctl screenshots` does) and checks each one: not blank,
//! the expected size, no label whose text does not fit its box, no control covered or off
//! screen, a way home, and in reach mode (轮椅模式) no control above the reach line.
//!
//! How clipping is detected: every text on every screen is a `Label` (ui/widgets/label.slint),
//! which compares its preferred size from the real font (Noto Sans CJK through fontconfig) with
//! the size the layout gave it (width for one line, height for wrapped text) and says "clipped"
//! in its accessible description when the text does not fit. The test walks every element of
//! the rendered window through Slint's element API and collects those.

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use kiosk::display::shots::{preview_config, preview_start, render_shots, shots, Extra, Shot};
use kiosk::display::stage::Stage;
use kiosk_ui::screen::browse::apply_browse;
use kiosk_ui::screen::shell::{set_reach, ScreenId};
use kiosk_ui::AppWindow;
use slint::ComponentHandle;

fn clipped_labels(app: &AppWindow) -> Vec<String> {
    ElementQuery::from_root(app)
        .match_descendants()
        .match_predicate(|e: &ElementHandle| {
            e.accessible_description().as_deref() == Some("clipped")
        })
        .find_all()
        .into_iter()
        .map(|e| {
            let (size, at) = (e.size(), e.absolute_position());
            format!(
                "{:?} ({}×{} at {},{})",
                e.accessible_label().unwrap_or_default(),
                size.width,
                size.height,
                at.x,
                at.y
            )
        })
        // A Label is found both as the component and as its Text: report it once.
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Buttons not wholly inside the window: content that overflowed the screen.
fn off_screen_buttons(app: &AppWindow, width: f32, height: f32) -> Vec<String> {
    ElementQuery::from_root(app)
        .match_descendants()
        .match_accessible_role(AccessibleRole::Button)
        .find_all()
        .into_iter()
        .filter(|e| {
            let (at, size) = (e.absolute_position(), e.size());
            at.x < -0.5
                || at.y < -0.5
                || at.x + size.width > width + 0.5
                || at.y + size.height > height + 0.5
        })
        .filter_map(|e| {
            let (at, size) = (e.absolute_position(), e.size());
            e.accessible_label()
                .map(|l| format!("{l} ({}×{} at {},{})", size.width, size.height, at.x, at.y))
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Texts that stick out of the button they are in: a button too small for its words (the
/// Label's own clip check cannot see it, as the Label got the room it asked for and the
/// button did not).
fn overflowing_buttons(app: &AppWindow) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    for button in ElementQuery::from_root(app)
        .match_descendants()
        .match_accessible_role(AccessibleRole::Button)
        .find_all()
    {
        let (at, size) = (button.absolute_position(), button.size());
        for text in button
            .query_descendants()
            .match_accessible_role(AccessibleRole::Text)
            .find_all()
        {
            let (t_at, t_size) = (text.absolute_position(), text.size());
            if t_size.width <= 0.0 || t_size.height <= 0.0 {
                continue;
            }
            let outside = t_at.x < at.x - 0.5
                || t_at.y < at.y - 0.5
                || t_at.x + t_size.width > at.x + size.width + 0.5
                || t_at.y + t_size.height > at.y + size.height + 0.5;
            if outside {
                found.insert(format!(
                    "{:?} sticks out of button {:?} ({}×{} at {},{} in {}×{} at {},{})",
                    text.accessible_label().unwrap_or_default(),
                    button.accessible_label().unwrap_or_default(),
                    t_size.width,
                    t_size.height,
                    t_at.x,
                    t_at.y,
                    size.width,
                    size.height,
                    at.x,
                    at.y
                ));
            }
        }
    }
    found.into_iter().collect()
}

/// What the overlap check needs of one element, in paint order.
#[derive(Debug, Clone)]
struct Box2 {
    role: AccessibleRole,
    label: String,
    enabled: bool,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

impl Box2 {
    fn contains(&self, o: &Box2) -> bool {
        o.x >= self.x - 0.5
            && o.y >= self.y - 0.5
            && o.x + o.w <= self.x + self.w + 0.5
            && o.y + o.h <= self.y + self.h + 0.5
    }
}

/// The buttons, texts and groups of the window in tree order, which is the order they are
/// painted. Under a modal layer (a window-sized group: the idle overlay, a notice) only the
/// layer's own elements are in play, so only they are returned.
fn boxes_in_play(app: &impl ComponentHandle, width: f32, height: f32) -> Vec<Box2> {
    let of = |e: &ElementHandle| {
        let (at, size) = (e.absolute_position(), e.size());
        Box2 {
            role: e.accessible_role().unwrap_or(AccessibleRole::None),
            label: e.accessible_label().unwrap_or_default().to_string(),
            enabled: e.accessible_enabled() != Some(false),
            x: at.x,
            y: at.y,
            w: size.width,
            h: size.height,
        }
    };
    let in_play = |e: &ElementHandle| {
        e.accessible_role().is_some_and(|role| {
            is_control(role) || matches!(role, AccessibleRole::Text | AccessibleRole::Groupbox)
        })
    };
    let all = ElementQuery::from_root(app)
        .match_descendants()
        .match_predicate(in_play)
        .find_all();
    let modal = all.iter().rev().find(|e| {
        let b = of(e);
        b.role == AccessibleRole::Groupbox
            && b.x <= 0.5
            && b.y <= 0.5
            && b.w >= width - 0.5
            && b.h >= height - 0.5
    });
    let elements = match modal {
        Some(layer) => layer
            .query_descendants()
            .match_predicate(in_play)
            .find_all(),
        None => all,
    };
    elements
        .iter()
        .map(of)
        .filter(|b| b.w > 0.0 && b.h > 0.0)
        .collect()
}

/// Whether an element of this role is something to touch (a button, a list row, a key, a
/// chip, a text box, a checkbox…).
fn is_control(role: AccessibleRole) -> bool {
    matches!(
        role,
        AccessibleRole::Button
            | AccessibleRole::Checkbox
            | AccessibleRole::Combobox
            | AccessibleRole::Slider
            | AccessibleRole::Spinbox
            | AccessibleRole::Switch
            | AccessibleRole::Tab
            | AccessibleRole::ListItem
            | AccessibleRole::RadioButton
            | AccessibleRole::TextInput
    )
}

/// In reach mode every control lies in the lower 55 % of a portrait screen: its top no
/// higher than 45 % of the height (GB 50763: operable parts within reach of a seated user).
const REACH_LINE: f32 = 0.45;

/// Enabled controls whose top lies above the reach line of a screen `height` high.
fn out_of_reach(boxes: &[Box2], height: f32) -> Vec<String> {
    let line = REACH_LINE * height;
    boxes
        .iter()
        .filter(|b| is_control(b.role) && b.enabled && b.y < line - 0.5)
        .map(|b| {
            format!(
                "{:?} {:?} ({}×{} at {},{}) above the reach line at y={line}",
                b.role, b.label, b.w, b.h, b.x, b.y
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Enabled buttons that something painted later lies over, partly or wholly: a later text or
/// button that overlaps a button and is not inside it (its own words) covers it.
fn covered(boxes: &[Box2]) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    for (n, b) in boxes.iter().enumerate() {
        if b.role != AccessibleRole::Button || !b.enabled {
            continue;
        }
        for e in &boxes[n + 1..] {
            if b.contains(e) || e.role == AccessibleRole::Groupbox {
                continue;
            }
            let overlap_w = (b.x + b.w).min(e.x + e.w) - b.x.max(e.x);
            let overlap_h = (b.y + b.h).min(e.y + e.h) - b.y.max(e.y);
            if overlap_w > 1.0 && overlap_h > 1.0 {
                found.insert(format!(
                    "button {:?} ({}×{} at {},{}) covered by {:?} {:?} ({}×{} at {},{})",
                    b.label, b.w, b.h, b.x, b.y, e.role, e.label, e.w, e.h, e.x, e.y
                ));
            }
        }
    }
    found.into_iter().collect()
}

/// Every screen but home itself must offer a way home (the header's 首页 / Home button); out
/// of service there is no session to leave.
fn shot_needs_home(shot: &Shot) -> bool {
    !matches!(shot.screen, ScreenId::Home | ScreenId::OutOfService)
}

fn has_home_button(app: &AppWindow) -> bool {
    ElementQuery::from_root(app)
        .match_descendants()
        .match_accessible_role(AccessibleRole::Button)
        .match_predicate(|e| matches!(e.accessible_label().as_deref(), Some("首页") | Some("Home")))
        .find_first()
        .is_some()
}

fn text_count(app: &AppWindow) -> usize {
    ElementQuery::from_root(app)
        .match_descendants()
        .match_accessible_role(AccessibleRole::Text)
        .find_all()
        .len()
}

/// Everything a shot must pass: not blank, texts found, nothing clipped, overflowing, covered
/// or off screen, and a way home.
fn check_shot(
    stage: &Stage,
    shot: &Shot,
    frame: &kiosk_ui::headless::Frame,
    problems: &mut Vec<String>,
) {
    let app = stage.app();
    let name = shot.file_name();
    let size = shot.size();
    assert_eq!((frame.width, frame.height), (size.width, size.height));
    if frame.distinct_colours() < 4 {
        problems.push(format!(
            "{name}: blank ({} colours)",
            frame.distinct_colours()
        ));
    }
    // The element walk must see the screen's texts, or the clip check would pass vacuously.
    let texts = text_count(app);
    if texts < 5 {
        problems.push(format!(
            "{name}: only {texts} texts found by the element API"
        ));
    }
    for c in clipped_labels(app) {
        problems.push(format!("{name}: clipped {c}"));
    }
    for o in overflowing_buttons(app) {
        problems.push(format!("{name}: {o}"));
    }
    let boxes = boxes_in_play(app, size.width as f32, size.height as f32);
    for c in covered(&boxes) {
        problems.push(format!("{name}: {c}"));
    }
    if shot.reach && !shot.landscape {
        for c in out_of_reach(&boxes, size.height as f32) {
            problems.push(format!("{name}: {c}"));
        }
    }
    for b in off_screen_buttons(app, size.width as f32, size.height as f32) {
        problems.push(format!("{name}: button off screen {b}"));
    }
    if shot_needs_home(shot) && !has_home_button(app) {
        problems.push(format!("{name}: no way home"));
    }
}

#[test]
fn every_screen_renders_unclipped_and_not_blank() {
    // KIOSK_SHOTS_DIR keeps the pictures to look at; otherwise they go with a temporary folder.
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("KIOSK_SHOTS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    let files = render_shots(&dir, &shots(), |stage, shot: &Shot, frame| {
        checked += 1;
        check_shot(stage, shot, frame, &mut problems);
    })
    .unwrap();
    assert_eq!(files.len(), shots().len());
    assert_eq!(checked, shots().len());
    // Both languages, both modes, with and without reach mode, every screen.
    assert!(files.len() >= 8 * ScreenId::ALL.len());
    for screen in ScreenId::ALL {
        for elder in [false, true] {
            assert!(
                shots()
                    .iter()
                    .any(|s| s.screen == screen && s.reach && s.elder == elder && !s.landscape),
                "{screen:?} has no reach-mode shot (elder: {elder})"
            );
        }
    }
    for f in &files {
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(f).unwrap()));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert!(
            (info.width, info.height) == (1080, 1920) || (info.width, info.height) == (1920, 1080),
            "{}: {}×{}",
            f.display(),
            info.width,
            info.height
        );
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_clip_check_catches_a_label_that_does_not_fit() {
    // The same machinery as above, with an item name far too long for its row.
    let mut stage = Stage::offscreen(&preview_config(), preview_start()).unwrap();
    stage.read_card("resident-zhang-san").unwrap();
    assert_eq!(stage.screen(), ScreenId::Browse);
    assert!(
        clipped_labels(stage.app()).is_empty(),
        "the sample catalog's names fit"
    );
    let mut browse = kiosk::display::screen::browse::view(stage.session(), 0, 6, "", false);
    let long = "这是一个名字非常非常长的政务服务事项用来检验文字是否被截断的检测能不能真正发现问题";
    browse.items[0].name = long.into();
    apply_browse(stage.app(), &browse);
    stage.render();
    let clipped = clipped_labels(stage.app());
    assert!(clipped.iter().any(|c| c.contains(long)), "{clipped:?}");
    // and only that one
    assert_eq!(clipped.len(), 1, "{clipped:?}");
}

fn bx(role: AccessibleRole, label: &str, x: f32, y: f32, w: f32, h: f32) -> Box2 {
    Box2 {
        role,
        label: label.into(),
        enabled: true,
        x,
        y,
        w,
        h,
    }
}

#[test]
fn the_overlap_check_catches_a_control_lying_under_another() {
    use AccessibleRole::{Button, Text};
    // The elder-mode bug this check was written for: the header's buttons ran below the
    // header, and the page title painted after them lay over their lower half.
    let header_bug = [
        bx(Button, "首页", 40.0, 87.0, 190.0, 144.0),
        bx(Text, "首页", 80.0, 120.0, 100.0, 60.0),
        bx(Text, "居民身份证换领", 40.0, 200.0, 600.0, 80.0),
    ];
    let found = covered(&header_bug);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("首页") && found[0].contains("居民身份证换领"));
    // A button wholly under a later one is covered too.
    let stacked = [
        bx(Button, "下一页", 100.0, 100.0, 100.0, 100.0),
        bx(Button, "知道了", 50.0, 50.0, 300.0, 300.0),
    ];
    assert_eq!(covered(&stacked).len(), 1);
    // Its own words, things painted before it, touching edges and disabled buttons are fine.
    let mut disabled = bx(Button, "上一页", 0.0, 400.0, 100.0, 100.0);
    disabled.enabled = false;
    let fine = [
        bx(Text, "before", 0.0, 0.0, 500.0, 500.0),
        bx(Button, "返回", 0.0, 0.0, 200.0, 100.0),
        bx(Text, "返回", 20.0, 20.0, 160.0, 60.0),
        bx(Button, "下一页", 200.0, 0.0, 200.0, 100.0),
        disabled,
        bx(Text, "over the disabled one", 50.0, 450.0, 100.0, 100.0),
    ];
    assert_eq!(covered(&fine), Vec::<String>::new());
}

#[test]
fn the_reach_check_catches_a_control_above_the_line() {
    use AccessibleRole::{Button, Checkbox, Groupbox, Text, TextInput};
    let height = 1920.0;
    // The line is at 864 px: a key whose top is at 860 is out of reach, one at 864 is not.
    let mut disabled = bx(Button, "上一页", 0.0, 100.0, 200.0, 112.0);
    disabled.enabled = false;
    let boxes = [
        bx(Button, "首页", 40.0, 16.0, 160.0, 96.0),
        bx(TextInput, "联系电话", 40.0, 600.0, 900.0, 96.0),
        bx(Checkbox, "办理进度短信通知", 40.0, 860.0, 900.0, 96.0),
        bx(Button, "q", 12.0, 864.0, 96.0, 96.0),
        // Words, groups and disabled buttons are not controls to reach.
        bx(Text, "请核对您的申请", 40.0, 200.0, 600.0, 80.0),
        bx(Groupbox, "提示", 0.0, 0.0, 1080.0, 1920.0),
        disabled,
    ];
    let found = out_of_reach(&boxes, height);
    assert_eq!(found.len(), 3, "{found:?}");
    for label in ["首页", "联系电话", "办理进度短信通知"] {
        assert!(
            found.iter().any(|f| f.contains(label)),
            "{label}: {found:?}"
        );
    }
}

/// The same check on a real screen: the review page in reach mode passes it; drawn with the
/// header's buttons back at the top (the mode switched off under the session's feet), it
/// names them.
#[test]
fn the_reach_check_finds_the_header_buttons_of_a_screen_not_in_reach_mode() {
    let temp = tempfile::tempdir().unwrap();
    let shot = shots()
        .into_iter()
        .find(|s| {
            s.screen == ScreenId::Review
                && s.reach
                && !s.elder
                && s.extra == Extra::None
                && s.language == kiosk_config::schema::Language::ZhCn
        })
        .expect("a reach-mode review shot");
    render_shots(temp.path(), &[shot], |stage, shot, _| {
        assert!(stage.session().reach);
        let size = shot.size();
        let (w, h) = (size.width as f32, size.height as f32);
        let boxes = boxes_in_play(stage.app(), w, h);
        assert_eq!(out_of_reach(&boxes, h), Vec::<String>::new());
        assert!(
            boxes
                .iter()
                .any(|b| b.label == "首页" && b.y >= REACH_LINE * h),
            "首页 is in the bottom bar"
        );
        set_reach(stage.app(), false);
        let boxes = boxes_in_play(stage.app(), w, h);
        let found = out_of_reach(&boxes, h);
        for label in ["首页", "长辈模式", "English"] {
            assert!(
                found.iter().any(|f| f.contains(label)),
                "{label}: {found:?}"
            );
        }
    })
    .unwrap();
}

/// The camera screen (no page, two pages, a problem, busy; both languages and modes; two
/// pages in landscape too) passes the same checks, shows the simulated camera's live
/// preview, and says what it must.
#[test]
fn the_camera_screens_show_the_preview_pages_problem_and_busy_state() {
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("KIOSK_SHOTS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    let camera: Vec<Shot> = shots()
        .into_iter()
        .filter(|s| s.screen == ScreenId::Camera && !s.reach)
        .collect();
    assert_eq!(
        camera.len(),
        20,
        "(4 states + two pages in landscape) × 2 languages × 2 modes"
    );
    let mut problems = Vec::new();
    render_shots(&dir, &camera, |stage, shot: &Shot, frame| {
        check_shot(stage, shot, frame, &mut problems);
        let name = shot.file_name();
        assert!(
            stage.preview_running(),
            "{name}: the preview is not running"
        );
        assert!(
            stage.preview_shown().is_some(),
            "{name}: no preview frame on screen"
        );
        let zh = shot.language == kiosk_config::schema::Language::ZhCn;
        let labels = labels(stage.app());
        let want: &[&str] = match (shot.extra, zh) {
            (Extra::None, true) => &["拍照", "尚未拍摄", "返回"],
            (Extra::None, false) => &["Take photo", "No pages yet"],
            (Extra::CameraPages, true) => &["重拍", "下一页", "完成", "已拍 2 页", "第 2 页"],
            (Extra::CameraPages, false) => &["Retake", "Next", "Done", "2 page(s) taken"],
            (Extra::CameraProblem, true) => &["未找到材料页面，请将材料平放在拍摄区内后重拍"],
            (Extra::CameraProblem, false) => &["No page was found. Lay the page flat"],
            (Extra::CameraBusy, true) => &["正在拍照，请不要移动材料…", "已拍 1 页"],
            (Extra::CameraBusy, false) => &["Taking the photo, keep the page still…"],
            _ => &[],
        };
        for w in want {
            if !labels.iter().any(|l| l.contains(w)) {
                problems.push(format!("{name}: {w:?} not shown; labels: {labels:?}"));
            }
        }
        if shot.elder && zh && !labels.iter().any(|l| l.contains("请将材料平放在拍摄区内"))
        {
            problems.push(format!(
                "{name}: the elder caption of the spoken hint is missing"
            ));
        }
    })
    .unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn labels(app: &AppWindow) -> Vec<String> {
    i_slint_backend_testing::ElementQuery::from_root(app)
        .match_descendants()
        .find_all()
        .iter()
        .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
        .filter(|l| !l.is_empty())
        .collect()
}

/// A value the seed catalog's form field takes (the card fills name, number and sex).
fn sample_value(field: &hall_api::form::FormField) -> serde_json::Value {
    use hall_api::form::FieldKind;
    match &field.kind {
        FieldKind::Text => serde_json::json!("张三"),
        FieldKind::Number => serde_json::json!(field.rules.min.unwrap_or(1.0).max(1.0)),
        FieldKind::Date if field.rules.not_past => serde_json::json!("2027-03-01"),
        FieldKind::Date => serde_json::json!("2024-05-01"),
        FieldKind::Phone => serde_json::json!("13812345678"),
        // A valid GB 11643 number (the check digit included).
        FieldKind::IdNumber => serde_json::json!("11010519491231002X"),
        FieldKind::Select { options } => {
            serde_json::json!(options.first().map(|o| o.value.clone()).unwrap_or_default())
        }
        FieldKind::Address => serde_json::json!("浙江省杭州市临安区衣锦街100号"),
        FieldKind::Checkbox => serde_json::json!(true),
    }
}

/// The hall's own appointment pattern (one-hour slots 09–12 and 14–17 on the working days of
/// the coming week): longer day and slot lists than the stub hall's.
fn hall_like_slots(department: &str, today: chrono::NaiveDate) -> hall_api::appointment::SlotList {
    use chrono::Datelike;
    let mut slots = Vec::new();
    for date in today.iter_days().skip(1).take(7) {
        if matches!(date.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
            continue;
        }
        for hour in [9, 10, 11, 14, 15, 16] {
            slots.push(hall_api::appointment::Slot {
                id: format!("{department}.{date}.{hour:02}"),
                department: department.to_owned(),
                date,
                start: format!("{hour:02}:00"),
                end: format!("{:02}:00", hour + 1),
                capacity: 8,
                remaining: (hour % 5) as u32,
            });
        }
    }
    hall_api::appointment::SlotList { slots }
}

/// Reach mode on the longest lists of the real catalog (the hall's seed): the guide and the
/// materials page of the item with the most materials (of those with one to photograph, so
/// that the kiosk asks about them), the appointment's departments (every
/// department of the hall) and a week of the hall's one-hour slots. Every page of each is
/// rendered and passes the shot checks (in particular: no enabled control above the reach
/// line), in both languages, alone and with elder mode; the pages together show every row.
#[test]
fn the_seed_catalogs_longest_lists_are_paged_within_reach() {
    use kiosk::session::{Event, Screen, UiInput};
    use kiosk_ui::generated as ui;
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("KIOSK_SHOTS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf())
        .join("seed");
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = std::sync::Arc::new(hall::seed::catalog());
    // The guide: the item with the most materials.
    let longest = catalog
        .items
        .iter()
        .max_by_key(|i| i.materials.len())
        .expect("items")
        .clone();
    assert!(longest.materials.len() >= 5, "{}", longest.code);
    // The materials page is shown when there is something to decide: here, what the document
    // camera may photograph (a choice on each such row, the tallest rows).
    let item = catalog
        .items
        .iter()
        .filter(|i| i.kiosk_completable && i.materials.iter().any(|m| m.photographable))
        .max_by_key(|i| i.materials.len())
        .expect("an item the kiosk does")
        .clone();
    assert!(item.materials.len() >= 4, "{}", item.code);
    let departments = catalog.departments.len();
    assert!(departments > 10, "{departments}");
    let camera = kiosk::devices::CameraHandle::sample();
    let mut stage =
        Stage::offscreen_with_camera(&preview_config(), preview_start(), Some(camera)).unwrap();
    let mut problems = Vec::new();
    let mut shots_taken = 0;
    let mut shoot = |stage: &mut Stage, shot: &Shot, name: &str, problems: &mut Vec<String>| {
        let frame = stage.render();
        check_shot(stage, shot, &frame, problems);
        let path = dir.join(format!("{name}-{}", shot.file_name()));
        frame.save_png(&path).unwrap();
        shots_taken += 1;
    };
    for language in [
        kiosk_config::schema::Language::ZhCn,
        kiosk_config::schema::Language::En,
    ] {
        for elder in [false, true] {
            let shot = |screen| Shot {
                screen,
                language,
                elder,
                reach: true,
                landscape: false,
                extra: Extra::None,
            };
            let start = |stage: &mut Stage| {
                stage.restart().unwrap();
                stage.ev(Event::CatalogLoaded {
                    catalog: catalog.clone(),
                    most_used: Vec::new(),
                });
                stage.rehearsal().stub().set_holds_materials(false);
                if language != kiosk_config::schema::Language::ZhCn {
                    stage.ui(UiInput::SetLanguage(language));
                }
                if elder {
                    stage.ui(UiInput::ToggleElderMode);
                }
                stage.ui(UiInput::ToggleReachMode);
            };
            // The guide, page by page.
            start(&mut stage);
            stage.read_card(kiosk::display::shots::SAMPLE_CARD).unwrap();
            stage.ui(UiInput::PickItem(longest.code.clone()));
            assert_eq!(stage.screen(), ScreenId::Guide);
            let mut seen = 0;
            for page in 0.. {
                seen += slint::Model::row_count(
                    &stage.app().global::<ui::GuideAdapter<'_>>().get_materials(),
                );
                shoot(
                    &mut stage,
                    &shot(ScreenId::Guide),
                    &format!("guide-{page}"),
                    &mut problems,
                );
                let g = stage.app().global::<ui::GuideAdapter<'_>>();
                if !g.get_has_next() {
                    break;
                }
                g.invoke_next_page();
                stage.pump();
            }
            assert_eq!(
                seen,
                longest.materials.len(),
                "the guide's pages show every material"
            );
            // The form, filled, then the materials page, page by page.
            start(&mut stage);
            stage.read_card(kiosk::display::shots::SAMPLE_CARD).unwrap();
            stage.ui(UiInput::PickItem(item.code.clone()));
            stage.ui(UiInput::StartForm);
            let fields = stage
                .session()
                .transaction
                .as_ref()
                .unwrap()
                .form
                .fields
                .clone();
            for f in &fields {
                let filled = stage
                    .session()
                    .transaction
                    .as_ref()
                    .is_some_and(|t| t.values.value(&f.key).is_some());
                if !filled {
                    stage.ui(UiInput::SetField {
                        key: f.key.clone(),
                        value: sample_value(f).into(),
                    });
                }
            }
            stage.ui(UiInput::Next);
            assert_eq!(
                stage.screen(),
                ScreenId::Materials,
                "{}: {:?}",
                item.code,
                stage.session().screen
            );
            let mut seen = 0;
            let mut pages = 0;
            for page in 0.. {
                seen += slint::Model::row_count(
                    &stage
                        .app()
                        .global::<ui::MaterialsAdapter<'_>>()
                        .get_materials(),
                );
                pages += 1;
                shoot(
                    &mut stage,
                    &shot(ScreenId::Materials),
                    &format!("materials-{page}"),
                    &mut problems,
                );
                let m = stage.app().global::<ui::MaterialsAdapter<'_>>();
                if !m.get_has_next() {
                    break;
                }
                m.invoke_next_page();
                stage.pump();
            }
            assert_eq!(
                seen,
                item.materials.len(),
                "the materials' pages show every one"
            );
            assert!(
                pages > 1,
                "{} materials on one page in reach mode",
                item.materials.len()
            );
            // The appointment: every department of the hall, then a week of the hall's slots.
            start(&mut stage);
            stage.ui(UiInput::OpenAppointment);
            let mut seen = 0;
            for page in 0.. {
                seen += slint::Model::row_count(
                    &stage
                        .app()
                        .global::<ui::AppointmentAdapter<'_>>()
                        .get_departments(),
                );
                shoot(
                    &mut stage,
                    &shot(ScreenId::Appointment),
                    &format!("departments-{page}"),
                    &mut problems,
                );
                let a = stage.app().global::<ui::AppointmentAdapter<'_>>();
                if !a.get_has_next() {
                    break;
                }
                a.invoke_next_page();
                stage.pump();
            }
            assert_eq!(seen, departments, "the pages show every department");
            stage.rehearsal().stub().hold();
            stage.ui(UiInput::PickDepartment("gongan".into()));
            let request = match &stage.session().screen {
                Screen::Appointment(v) => match &v.stage {
                    kiosk::session::screens::AppointmentStage::Slots { loading, .. } => *loading,
                    _ => None,
                },
                _ => None,
            }
            .expect("the slots asked for");
            let today = stage.session_today();
            let week = hall_like_slots("gongan", today);
            let first_day = week.slots[0].date;
            stage.ev(Event::SlotsFetched {
                request,
                result: kiosk::session::LookupResult::Found(week),
            });
            for (stage_name, pick) in [("days", false), ("slots", true)] {
                if pick {
                    stage.ui(UiInput::PickDay(first_day));
                }
                let all = if pick { 6 } else { 5 };
                let mut seen = 0;
                for page in 0.. {
                    {
                        let a = stage.app().global::<ui::AppointmentAdapter<'_>>();
                        let rows = if pick { a.get_slots() } else { a.get_days() };
                        seen += slint::Model::row_count(&rows);
                    }
                    shoot(
                        &mut stage,
                        &shot(ScreenId::Appointment),
                        &format!("{stage_name}-{page}"),
                        &mut problems,
                    );
                    let a = stage.app().global::<ui::AppointmentAdapter<'_>>();
                    if !a.get_has_next() {
                        break;
                    }
                    a.invoke_next_page();
                    stage.pump();
                }
                assert_eq!(seen, all, "{stage_name}: every one on a page");
            }
        }
    }
    assert!(shots_taken >= 4 * 8, "{shots_taken}");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
