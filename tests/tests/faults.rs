//! What an unattended night brings, against the real kiosk and hall: the hall down (the
//! application saved, then delivered exactly once), the kiosk killed right after `submit`,
//! and the printer out of paper mid-session (the receipt on screen, the fault on the hall's
//! fleet view and in `/metrics`).

use std::time::Duration;

use kiosk_e2e::hall_db;
use kiosk_e2e::kiosk::{KioskOptions, Rig, KIOSK_ID};
use kiosk_e2e::receipt::printed_texts;
use kiosk_e2e::{eventually, Hall};

const LONG: Duration = Duration::from_secs(90);

/// Waits until the hall holds `n` applications and the kiosk's outbox is empty.
fn wait_delivered(rig: &Rig, n: usize) {
    eventually(LONG, || {
        let delivered = hall_db::application_count(&rig.hall_db) >= n;
        (delivered && rig.outbox_list().contains("outbox empty")).then_some(())
    })
    .unwrap_or_else(|| {
        panic!(
            "not delivered: hall has {:?}, outbox:\n{}",
            hall_db::applications(&rig.hall_db),
            rig.outbox_list()
        )
    });
}

#[test]
fn with_the_hall_down_the_application_is_saved_then_delivered_exactly_once() {
    let mut rig = Rig::start(&KioskOptions::default());
    rig.stop_hall();

    rig.prepare_application();
    rig.press("submit");
    let s = rig.wait_show(LONG, "the queued receipt", |s| {
        s["screen"] == "receipt" && s["submission"] == "queued"
    });
    assert!(s["trackingCode"].is_null(), "no tracking code yet: {s:#}");
    let key = s["submissionKey"].as_str().expect("a key").to_owned();
    // The receipt says honestly that it is saved, not submitted.
    let text =
        eventually(LONG, || printed_texts(&rig.receipts_dir()).pop()).expect("a receipt printed");
    assert!(text.contains("已保存在本机"), "{text}");
    let waiting = rig.outbox_list();
    assert!(!waiting.contains("outbox empty"), "{waiting}");

    rig.start_hall();
    let (code, out, err) = rig.ctl(&["outbox", "retry"]);
    assert_eq!(code, Some(0), "{out}{err}");
    wait_delivered(&rig, 1);
    let stored = hall_db::applications(&rig.hall_db);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].subject_code, "QR-000172-001");

    // Another retry and a restart of the kiosk deliver nothing more.
    rig.ctl(&["outbox", "retry"]);
    rig.kill_kiosk();
    rig.start_kiosk();
    assert!(rig.outbox_list().contains("outbox empty"));
    assert_eq!(hall_db::application_count(&rig.hall_db), 1, "key {key}");
}

#[test]
fn the_kiosk_killed_right_after_submit_delivers_exactly_once_after_restart() {
    // Killed the moment the application is saved (the receipt's first state), whether or not
    // its delivery finished. A kill before the save loses nothing the citizen was told about:
    // the screen still said 正在提交 and no receipt was given; that case is not this test's.
    let mut rig = Rig::start(&KioskOptions::default());
    rig.prepare_application();
    rig.press("submit");
    let s = rig.wait_show(LONG, "the application saved", |s| {
        s["submission"] == "queued" || s["submission"] == "delivered"
    });
    rig.kill_kiosk();
    assert_eq!(s["screen"], "receipt", "{s:#}");

    rig.start_kiosk();
    let (code, out, err) = rig.ctl(&["outbox", "retry"]);
    assert_eq!(code, Some(0), "{out}{err}");
    wait_delivered(&rig, 1);
    assert_eq!(hall_db::application_count(&rig.hall_db), 1);
}

#[test]
fn the_kiosk_killed_with_a_queued_application_delivers_it_once_after_restart() {
    let mut rig = Rig::start(&KioskOptions::default());
    rig.stop_hall();
    rig.prepare_application();
    rig.press("submit");
    rig.wait_show(LONG, "the queued receipt", |s| s["submission"] == "queued");
    rig.kill_kiosk();

    rig.start_hall();
    rig.start_kiosk();
    wait_delivered(&rig, 1);
    rig.ctl(&["outbox", "retry"]);
    assert_eq!(hall_db::application_count(&rig.hall_db), 1);
}

#[test]
fn out_of_paper_mid_session_shows_the_receipt_and_tells_the_operator() {
    let rig = Rig::start(&KioskOptions {
        heartbeat_secs: 5,
        ..KioskOptions::default()
    });
    let operator = Hall::credential(&rig.hall_db, "operator", "ops");
    rig.prepare_application();
    rig.sim("printer paper-out");

    rig.press("submit");
    let s = rig.wait_show(LONG, "the receipt on screen", |s| {
        s["screen"] == "receipt" && s["submission"] == "delivered" && !s["notice"].is_null()
    });
    assert!(
        ["PrintFailed", "PrinterUnavailable"].contains(&s["notice"].as_str().unwrap_or_default()),
        "{s:#}"
    );
    assert!(s["trackingCode"].is_string(), "{s:#}");
    assert_eq!(hall_db::application_count(&rig.hall_db), 1);

    // The operator's fleet view, after a heartbeat.
    let fleet = eventually(LONG, || {
        let body = hall_db::get_json(&rig.hall_url(), "api/v1/fleet", &operator)?;
        let kiosk = body["kiosks"]
            .as_array()?
            .iter()
            .find(|k| k["kioskId"] == KIOSK_ID)?
            .clone();
        (kiosk["paper"] == "out").then_some(kiosk)
    })
    .expect("the fleet view shows the kiosk out of paper");
    let printer = fleet["devices"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["paper"] == "out"))
        .unwrap_or_else(|| panic!("a printer out of paper in {fleet:#}"));
    assert!(printer["class"].is_string(), "{printer:#}");

    // Prometheus.
    let metrics = rig.metrics();
    assert!(
        metrics.contains("kiosk_printer_paper_state{device=\"printer\",state=\"out\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("kiosk_printer_paper_state{device=\"printer\",state=\"full\"} 0"),
        "{metrics}"
    );
}
