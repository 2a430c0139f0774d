//! A citizen's application by touch alone (`tests/flows/citizen-by-touch.txt`) on the real
//! kiosk service drawing its screen offscreen: every step is a tap at the centre of what
//! `kioskctl session targets` lists, hit-tested by Slint as a finger would be; the card is
//! the simulated reader's, the receipt's QR code the simulated scanner's. The hardware-in-the-loop test walks the same flow with QEMU's
//! touch screen, so a label that drifts from the screens fails here first.

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
