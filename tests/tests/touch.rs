//! A citizen's application by touch alone (`tests/flows/citizen-by-touch.txt`) on the real
//! kiosk service drawing its screen offscreen: every step is a tap at the centre of what
//! `kioskctl session targets` lists, hit-tested by Slint as a finger would be; the card is
//! the simulated reader's, the receipt's QR code the simulated scanner's. The hardware-in-the-loop test walks the same flow with QEMU's
//! touch screen, so a label that drifts from the screens fails here first. The same flow again
//! in reach mode (轮椅模式), switched on by touching its button: every touch, and every control
//! on the way, below the reach line.

use std::time::Duration;

use kiosk_e2e::flow::{self, Step};
use kiosk_e2e::hall_db;
use kiosk_e2e::kiosk::{KioskOptions, Rig, KIOSK_ID};
use kiosk_e2e::receipt::{decode_qr, query_param, receipt_pngs};
use kiosk_e2e::Hall;

const LONG: Duration = Duration::from_secs(60);

fn touch(rig: &Rig, label: &str) -> String {
    let (code, out, err) = rig.touch(label);
    assert_eq!(
        code,
        Some(0),
        "touch {label:?} on {}: {out}{err}",
        rig.show()["screen"]
    );
    out
}

/// The PNG's width and height.
fn png_size(path: &std::path::Path) -> (u32, u32) {
    let file = std::fs::File::open(path).expect("the screenshot exists");
    let info = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    (info.info().width, info.info().height)
}

#[test]
fn a_citizen_applies_and_rates_by_touch_alone() {
    let rig = Rig::start(&KioskOptions {
        screen: true,
        ..KioskOptions::default()
    });
    let staff = Hall::credential(&rig.hall_db, "staff", "clerk");
    let shots = rig.dir.path().join("shots");
    std::fs::create_dir_all(&shots).expect("shots dir");

    for step in flow::load("citizen-by-touch") {
        match step {
            Step::Expect(screens) => {
                rig.wait_show(LONG, &format!("one of the screens {screens:?}"), |s| {
                    screens.iter().any(|w| s["screen"] == w.as_str())
                });
            }
            Step::Touch(label) => {
                let out = touch(&rig, &label);
                assert!(out.starts_with("touched '"), "{out}");
            }
            Step::Type(text) => {
                for c in text.chars() {
                    touch(&rig, &c.to_string());
                }
            }
            Step::Card => {
                rig.sim("card place resident-zhang-san");
            }
            Step::ScanReceipt => {
                let qr = receipt_pngs(&rig.receipts_dir())
                    .iter()
                    .rev()
                    .flat_map(|p| decode_qr(p))
                    .find(|text| query_param(text, "c").is_some())
                    .expect("a printed receipt with a tracking QR code");
                rig.sim(&format!("scan {qr}"));
            }
            Step::Shot(name) => {
                let path = shots.join(format!("{name}.png"));
                let (code, out, err) = rig.ctl(&["session", "screenshot", &path.to_string_lossy()]);
                assert_eq!(code, Some(0), "screenshot {name}: {out}{err}");
                assert_eq!(png_size(&path), (1080, 1920), "{name}.png");
            }
        }
    }

    // The hall has the application once, with what was typed on the on-screen keyboard and
    // the option and box touched on the form.
    let stored = hall_db::applications(&rig.hall_db);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].kiosk_id, KIOSK_ID);
    assert_eq!(stored[0].subject_code, "QR-000172-001");
    let details = hall_db::application_details(&rig.hall_url(), &staff, &stored[0].id);
    assert_eq!(details["fields"]["phone"], "13812345678", "{details:#}");
    assert_eq!(details["fields"]["reason"], "expired", "{details:#}");
    assert_eq!(details["fields"]["declaration"], true, "{details:#}");

    // 非常满意 reached the hall, tied to the application.
    let ratings = hall_db::ratings_when_any(&rig.hall_db, LONG);
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    assert_eq!(ratings[0].application_id, stored[0].id);
    assert_eq!(ratings[0].level, 5);

    // The receipt scanned at home brought its progress back.
    let s = rig.wait_show(LONG, "the progress of the scanned receipt", |s| {
        s["progress"]
            .as_array()
            .is_some_and(|p| p.iter().any(|l| l.as_str().is_some_and(|l| l != "loading")))
    });
    assert_eq!(
        s["progress"],
        serde_json::json!([format!("{} submitted", stored[0].tracking_code)]),
        "{s:#}"
    );
}

#[test]
fn a_touch_on_nothing_changes_nothing_and_an_unknown_label_says_what_is_there() {
    let rig = Rig::start(&KioskOptions {
        screen: true,
        ..KioskOptions::default()
    });
    let (code, out, err) = rig.ctl(&["session", "targets", "--json"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let targets: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let tile = targets
        .as_array()
        .expect("a list")
        .iter()
        .find(|t| t["label"] == "办事")
        .unwrap_or_else(|| panic!("the 办事 tile in {targets:#}"));
    assert_eq!(tile["role"], "button");

    // Below the tiles, where nothing is drawn: no touch taken.
    let (code, out, err) = rig.ctl(&["session", "tap", "540", "1900"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out.trim(), "tapped at 540,1900");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(rig.show()["screen"], "home");

    let (code, out, err) = rig.touch("不存在的按钮");
    assert_ne!(code, Some(0), "{out}");
    assert!(
        err.contains("nothing touchable labelled '不存在的按钮' on screen 'home'")
            && err.contains("办事"),
        "{err}"
    );

    // The tile's centre, as listed, is where a tap takes it.
    let (x, y) = (tile["x"].to_string(), tile["y"].to_string());
    let (code, out, err) = rig.ctl(&["session", "tap", &x, &y]);
    assert_eq!(code, Some(0), "{out}{err}");
    rig.wait_show(LONG, "the identify screen", |s| s["screen"] == "identify");
}

/// The targets on screen, enabled or not (`kioskctl session targets --json`).
fn all_targets(rig: &Rig) -> Vec<serde_json::Value> {
    let (code, out, err) = rig.ctl(&["session", "targets", "--json"]);
    assert_eq!(code, Some(0), "session targets: {out}{err}");
    let all: serde_json::Value = serde_json::from_str(&out).expect("targets JSON");
    all.as_array().expect("a list of targets").clone()
}

/// The enabled targets on screen.
fn targets(rig: &Rig) -> Vec<serde_json::Value> {
    all_targets(rig)
        .into_iter()
        .filter(|t| t["enabled"] == true)
        .collect()
}

/// The top edge of a target, physical pixels from the top of the screen.
fn top(t: &serde_json::Value) -> i64 {
    t["y"].as_i64().unwrap_or(0) - t["height"].as_i64().unwrap_or(0) / 2
}

/// Reach mode's line on a 1080×1920 portrait screen: no enabled control starts above 45 % of
/// the height (GB 50763: within reach of a seated citizen).
const REACH_LINE: i64 = 1920 * 45 / 100;

/// Touches `label` as `session touch` picks it (exactly so labelled, or failing that
/// containing it) after checking that it, and every other enabled control on the screen,
/// lies below the reach line.
fn touch_within_reach(rig: &Rig, label: &str, touched: &mut Vec<(String, i64)>) {
    let everything = all_targets(rig);
    let on_screen: Vec<_> = everything
        .iter()
        .filter(|t| t["enabled"] == true)
        .cloned()
        .collect();
    let screen = rig.show()["screen"].clone();
    // In reach mode the box being typed into only shows what is typed (it may sit above the
    // line): the keyboard under it is open already, so the flow's touch on it is not needed.
    let typing_into = everything
        .iter()
        .any(|t| t["label"] == label && t["role"] == "text-input" && t["enabled"] == false)
        && on_screen.iter().any(|t| t["label"] == "完成");
    if typing_into && !on_screen.iter().any(|t| t["label"] == label) {
        return;
    }
    let target = on_screen
        .iter()
        .find(|t| t["label"] == label)
        .or_else(|| {
            on_screen
                .iter()
                .find(|t| t["label"].as_str().is_some_and(|l| l.contains(label)))
        })
        .unwrap_or_else(|| panic!("no enabled {label:?} on {screen}: {on_screen:#?}"));
    let above: Vec<_> = on_screen
        .iter()
        .filter(|t| top(t) < REACH_LINE)
        .map(|t| format!("{} at y={}", t["label"], top(t)))
        .collect();
    assert!(
        above.is_empty(),
        "on {screen}, out of a seated citizen's reach: {above:?}"
    );
    touched.push((label.to_owned(), top(target)));
    let out = touch(rig, label);
    assert!(out.starts_with("touched '"), "{out}");
}

#[test]
fn a_citizen_in_a_wheelchair_turns_on_reach_mode_and_applies_by_touch_within_reach() {
    let rig = Rig::start(&KioskOptions {
        screen: true,
        ..KioskOptions::default()
    });
    let s = rig.wait_show(LONG, "the home screen", |s| s["screen"] == "home");
    assert_eq!(s["reach"], false, "off unless the kiosk is configured low");
    // The 轮椅模式 switch is itself within reach: at the foot of the home screen.
    let mut touched = Vec::new();
    let switch = targets(&rig)
        .into_iter()
        .find(|t| t["label"] == "轮椅模式")
        .expect("the 轮椅模式 button on the home screen");
    assert!(top(&switch) >= REACH_LINE, "{switch}");
    touched.push(("轮椅模式".to_owned(), top(&switch)));
    assert!(touch(&rig, "轮椅模式").starts_with("touched '"));
    rig.wait_show(LONG, "reach mode on", |s| s["reach"] == true);

    // The shared flow, every touch (keys included) and every control on the way below the line.
    for step in flow::load("citizen-by-touch") {
        match step {
            Step::Expect(screens) => {
                rig.wait_show(LONG, &format!("one of the screens {screens:?}"), |s| {
                    screens.iter().any(|w| s["screen"] == w.as_str())
                });
            }
            Step::Touch(label) => touch_within_reach(&rig, &label, &mut touched),
            Step::Type(text) => {
                for c in text.chars() {
                    touch_within_reach(&rig, &c.to_string(), &mut touched);
                }
            }
            Step::Card => {
                rig.sim("card place resident-zhang-san");
            }
            Step::ScanReceipt => {
                let qr = receipt_pngs(&rig.receipts_dir())
                    .iter()
                    .rev()
                    .flat_map(|p| decode_qr(p))
                    .find(|text| query_param(text, "c").is_some())
                    .expect("a printed receipt with a tracking QR code");
                rig.sim(&format!("scan {qr}"));
            }
            Step::Shot(_) => {}
        }
    }
    // The flow's 返回首页 ended the session: the next citizen gets the configured layout.
    let s = rig.show();
    assert_eq!(s["reach"], false, "{s:#}");
    // The application and its rating reached the hall, all by touches within reach.
    let stored = hall_db::applications(&rig.hall_db);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].subject_code, "QR-000172-001");
    let ratings = hall_db::ratings_when_any(&rig.hall_db, LONG);
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    assert!(touched.len() > 20, "{touched:?}");
    assert!(touched.iter().all(|(_, y)| *y >= REACH_LINE), "{touched:?}");
}
