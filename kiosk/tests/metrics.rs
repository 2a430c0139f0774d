//! `/metrics` text: parsed back by a Prometheus text-format parser and linted by `promtool`.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use kiosk::health::metrics::{render, BuildInfo, MetricsSnapshot, SessionCounts};
use kiosk::outbox::{OutboxStats, RecordKind};
use kiosk_drivers::status::{ClassStatus, DeviceClass, DeviceState, DeviceStatus, PaperState};
use prometheus_parse::{Scrape, Value};

fn snapshot() -> MetricsSnapshot {
    let mut printer = DeviceStatus::new(DeviceClass::ReceiptPrinter, "usb 0416:5011");
    printer.state = DeviceState::UserError;
    printer.detail = ClassStatus::ReceiptPrinter {
        paper: PaperState::Out,
        cover_open: false,
        cutter_error: false,
    };
    printer.identity.model = Some("POS-80C 热敏".into());
    printer.counters.operations_ok = 41;
    let mut reader = DeviceStatus::new(DeviceClass::IdCardReader, "/dev/ttyUSB0 @115200");
    reader.state = DeviceState::Online;
    reader.counters.communication_errors = 3;
    let mut outbox = OutboxStats {
        pending: 3,
        rejected: 1,
        quarantined: 2,
        oldest_pending_age: Some(Duration::from_secs(95)),
        ..OutboxStats::default()
    };
    outbox.pending_by_kind.insert(RecordKind::Application, 2);
    outbox.pending_by_kind.insert(RecordKind::Rating, 1);
    MetricsSnapshot {
        build: BuildInfo::current(),
        started: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        devices: vec![reader, printer],
        outbox,
        sessions: SessionCounts {
            completed: 7,
            abandoned: 2,
            timeout: 1,
            error: 0,
        },
        ratings: [1, 0, 0, 2, 5],
        last_backend_success: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_100)),
        resident_bytes: Some(42 << 20),
    }
}

fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let sample = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(k).is_some_and(|x| x == *v))
        })
        .unwrap_or_else(|| panic!("no sample {name} {labels:?}"));
    match sample.value {
        Value::Gauge(v) | Value::Counter(v) | Value::Untyped(v) => v,
        ref other => panic!("unexpected value {other:?}"),
    }
}

#[test]
fn the_text_parses_back_to_the_snapshot() {
    let text = render(&snapshot());
    let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("parses");

    assert_eq!(
        value(&scrape, "kiosk_printer_paper_state", &[("state", "out")]),
        1.0
    );
    assert_eq!(
        value(&scrape, "kiosk_printer_paper_state", &[("state", "full")]),
        0.0
    );
    assert_eq!(
        value(
            &scrape,
            "kiosk_device_state",
            &[("device", "printer"), ("state", "userError")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &scrape,
            "kiosk_device_state",
            &[("device", "idcard"), ("state", "online")]
        ),
        1.0
    );
    let states: f64 = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "kiosk_device_state")
        .map(|s| match s.value {
            Value::Gauge(v) => v,
            _ => 0.0,
        })
        .sum();
    assert_eq!(states, 2.0, "exactly one state per device");
    assert_eq!(
        value(&scrape, "kiosk_outbox_pending", &[("kind", "application")]),
        2.0
    );
    assert_eq!(
        value(&scrape, "kiosk_outbox_pending", &[("kind", "complaint")]),
        0.0
    );
    assert_eq!(value(&scrape, "kiosk_outbox_quarantined", &[]), 2.0);
    assert_eq!(
        value(&scrape, "kiosk_sessions_total", &[("outcome", "completed")]),
        7.0
    );
    assert_eq!(
        value(&scrape, "kiosk_ratings_total", &[("level", "5")]),
        5.0
    );
    assert_eq!(
        value(&scrape, "kiosk_last_backend_success_timestamp_seconds", &[]),
        1_800_000_100.0
    );
    assert_eq!(
        value(&scrape, "kiosk_device_info", &[("model", "POS-80C 热敏")]),
        1.0
    );
}

#[test]
fn promtool_finds_nothing_to_complain_about() {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect(
            "promtool (Debian package prometheus) must be installed; scripts/test.sh installs it",
        );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(render(&snapshot()).as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let complaints = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{complaints}");
    assert!(complaints.trim().is_empty(), "{complaints}");
}

#[test]
fn the_document_camera_has_its_state_and_page_counters() {
    let mut snap = snapshot();
    let mut camera = DeviceStatus::new(DeviceClass::Camera, "v4l2 /dev/video0 (MJPEG 2592x1944)");
    camera.state = DeviceState::PowerOff;
    camera.detail = ClassStatus::Camera {
        pages_taken: 12,
        pages_retaken: 3,
    };
    snap.devices.push(camera);
    let text = render(&snap);
    let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("parses");
    assert_eq!(
        value(
            &scrape,
            "kiosk_device_state",
            &[("device", "camera"), ("state", "powerOff")]
        ),
        1.0
    );
    assert_eq!(
        value(&scrape, "kiosk_camera_pages_total", &[("result", "taken")]),
        12.0
    );
    assert_eq!(
        value(
            &scrape,
            "kiosk_camera_pages_total",
            &[("result", "retaken")]
        ),
        3.0
    );
}
