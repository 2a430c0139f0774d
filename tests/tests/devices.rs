//! The ID-card reader unplugged and plugged back in while the kiosk runs, and the idle
//! timeout wiping a citizen's session: nothing personal left on screen, in the log, or in
//! clear in the outbox database.

use std::time::Duration;

use kiosk_e2e::kiosk::{sample_person, KioskOptions, Rig};

const LONG: Duration = Duration::from_secs(90);

/// The idcard line of `kioskctl status`; its exit code says whether every device is well
/// (0) or not (1).
fn reader_status(rig: &Rig, healthy: bool) -> String {
    let (code, out, err) = rig.ctl(&["status"]);
    assert_eq!(code, Some(if healthy { 0 } else { 1 }), "{out}{err}");
    out.lines()
        .find(|l| l.trim_start().starts_with("idcard"))
        .unwrap_or_else(|| panic!("no reader line in:\n{out}"))
        .to_owned()
}

#[test]
fn the_reader_unplugged_and_replugged_comes_back_without_a_restart() {
    let rig = Rig::start(&KioskOptions::default());
    let pid = rig.kiosk_pid();
    let before = reader_status(&rig, true);
    assert!(before.contains("online"), "{before}");

    rig.sim("unplug idcard");
    let s = rig.wait_show(LONG, "the reader unavailable", |s| s["devices"][0] == false);
    assert_eq!(s["devices"][2], true, "the scanner still serves: {s:#}");
    kiosk_e2e::eventually(LONG, || (rig.ctl(&["status"]).0 == Some(1)).then_some(()))
        .expect("kioskctl status reports the reader");
    let unplugged = reader_status(&rig, false);
    assert!(!unplugged.contains("online"), "{unplugged}");

    rig.sim("replug idcard");
    rig.wait_show(LONG, "the reader back", |s| s["devices"][0] == true);
    kiosk_e2e::eventually(LONG, || {
        let (code, out, _) = rig.ctl(&["status"]);
        (code == Some(0)).then_some(out)
    })
    .expect("kioskctl status healthy again");
    let back = reader_status(&rig, true);
    assert!(back.contains("online"), "{back}");
    assert_eq!(rig.kiosk_pid(), pid, "same process");

    // And it reads cards again.
    rig.sim("card place resident-zhang-san");
    rig.wait_show(LONG, "the card read after replug", |s| {
        !s["citizen"].is_null()
    });
}

#[test]
fn the_idle_timeout_wipes_the_session_and_nothing_personal_is_left_in_clear() {
    let (name, id_number) = sample_person("resident-zhang-san");
    let mut rig = Rig::start(&KioskOptions {
        idle_timeout_secs: 15,
        countdown_secs: 5,
        log_level: "debug",
        ..KioskOptions::default()
    });
    // With the hall down the application waits in the outbox, so there is something personal
    // stored on disk to look for.
    rig.stop_hall();
    rig.prepare_application();
    rig.press("submit");
    rig.wait_show(LONG, "the queued receipt", |s| s["submission"] == "queued");
    // A second citizen walks away mid-form, card taken, without touching anything.
    rig.press("home");
    rig.sim("card remove");
    rig.sim("card place resident-zhang-san");
    rig.wait_show(LONG, "the card read", |s| !s["citizen"].is_null());
    rig.press("item QR-000172-001");
    rig.press("start-form");
    rig.press("field phone 13900139000");
    rig.sim("card remove");

    let s = rig.wait_show(LONG, "the idle countdown", |s| {
        s["countdownSeconds"].is_number()
    });
    assert_eq!(s["holdsPersonalData"], true, "{s:#}");
    let s = rig.wait_show(LONG, "the session wiped", |s| {
        s["screen"] == "home" && s["countdownSeconds"].is_null()
    });
    assert_eq!(s["holdsPersonalData"], false, "{s:#}");
    assert!(s["citizen"].is_null(), "{s:#}");
    assert!(s["subject"].is_null(), "{s:#}");

    // The outbox still holds the first application, encrypted.
    let outbox = rig.outbox_list();
    assert!(!outbox.contains("outbox empty"), "{outbox}");
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", rig.outbox_db().display());
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        for secret in [&name, &id_number, &"13800138000".to_owned()] {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{path} holds {secret:?} in clear"
            );
        }
    }
    let log = rig.kiosk.as_mut().expect("kiosk").drain().join("\n");
    assert!(
        log.contains("DEBUG") || log.contains("INFO"),
        "a log was captured"
    );
    for secret in [&name, &id_number] {
        assert!(
            !log.contains(secret.as_str()),
            "the log holds {secret:?}:\n{log}"
        );
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
