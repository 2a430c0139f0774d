//! The A4 printer in the device manager, against a real IPP printer (`ippeveprinter` on
//! loopback): its state published from printer-state-reasons (paper out, offline when
//! stopped), the health checks (Get-Printer-Attributes; an A4 test page printed and
//! followed), a receipt printed on A4 through [`kiosk::devices::A4Handle`], and `/metrics`.

use std::time::{Duration, SystemTime};

use kiosk::devices::{DeviceManager, ManagerOptions};
use kiosk::health::metrics::{render, BuildInfo, MetricsSnapshot, SessionCounts};
use kiosk::outbox::OutboxStats;
use kiosk_drivers::a4printer::stand_in::{StandInConfig, StandInPrinter};
use kiosk_drivers::a4printer::JobWait;
use kiosk_drivers::printer::sample;
use kiosk_drivers::status::{ClassStatus, DeviceClass, DeviceState, HealthCheckLevel, PaperState};

use crate::support;

use support::{a4_only, snapshot_where};

fn options() -> ManagerOptions {
    ManagerOptions {
        a4_poll: Duration::from_millis(200),
        a4_wait: JobWait {
            poll: Duration::from_millis(100),
            give_up_after: Duration::from_secs(60),
        },
        ..ManagerOptions::default()
    }
}

fn metrics(manager: &DeviceManager) -> String {
    render(&MetricsSnapshot {
        build: BuildInfo::current(),
        started: SystemTime::now(),
        devices: manager.snapshot(),
        outbox: OutboxStats::default(),
        sessions: SessionCounts::default(),
        ratings: [0; 5],
        last_backend_success: None,
        resident_bytes: None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_a4_printer_is_a_device_that_prints_and_reports_paper_and_outages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut stand_in =
        StandInPrinter::start(dir.path(), StandInConfig::default()).expect("ippeveprinter");
    let manager = DeviceManager::start(&a4_only(&stand_in.uri()), options()).expect("starts");
    let online = snapshot_where(&manager, DeviceClass::A4Printer, "online", |s| {
        s.state == DeviceState::Online
    })
    .await;
    assert_eq!(online.identity.model.as_deref(), Some("Kiosk Stand-in A4"));
    assert_eq!(online.identity.connection, stand_in.uri());

    let check = manager
        .check_health(
            DeviceClass::A4Printer,
            HealthCheckLevel::Internal,
            Duration::ZERO,
        )
        .await;
    assert!(check.passed, "{}", check.text);
    let check = manager
        .check_health(
            DeviceClass::A4Printer,
            HealthCheckLevel::External,
            Duration::ZERO,
        )
        .await;
    assert!(check.passed, "{}", check.text);
    assert_eq!(stand_in.documents().len(), 1, "the test page arrived");

    let a4 = manager.a4printer();
    assert!(a4.usable());
    let job = a4
        .print_receipt(&sample::typical_receipt(), "受理回执")
        .await
        .expect("prints");
    assert!(job.job_id > 0);
    assert_eq!(stand_in.documents().len(), 2);
    let status = manager.status(DeviceClass::A4Printer);
    assert!(
        matches!(status.detail, ClassStatus::A4Printer { jobs_completed, .. } if jobs_completed == 2),
        "{status:?}"
    );

    stand_in.load_paper(0).expect("empty the tray");
    let out = snapshot_where(&manager, DeviceClass::A4Printer, "paper out", |s| {
        s.state == DeviceState::UserError
    })
    .await;
    assert!(matches!(
        out.detail,
        ClassStatus::A4Printer {
            paper: PaperState::Out,
            ..
        }
    ));
    assert!(!a4.usable(), "no paper: the session prints elsewhere");
    let text = metrics(&manager);
    assert!(
        text.contains(r#"kiosk_printer_paper_state{device="a4printer",state="out"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"kiosk_device_state{device="a4printer",state="userError"} 1"#));
    let check = manager
        .check_health(
            DeviceClass::A4Printer,
            HealthCheckLevel::Internal,
            Duration::ZERO,
        )
        .await;
    assert!(
        !check.passed && check.text.contains("paper out"),
        "{}",
        check.text
    );

    stand_in.stop();
    let gone = snapshot_where(&manager, DeviceClass::A4Printer, "offline", |s| {
        s.state == DeviceState::Offline
    })
    .await;
    assert_eq!(
        gone.last_error.as_ref().map(|e| e.code.as_str()),
        Some("unreachable")
    );
    let err = a4
        .print_receipt(&sample::typical_receipt(), "受理回执")
        .await
        .expect_err("nobody to print");
    assert!(err.kind().is_lost(), "{err}");

    stand_in.resume().expect("back");
    stand_in.load_paper(250).expect("paper in");
    snapshot_where(&manager, DeviceClass::A4Printer, "online again", |s| {
        s.state == DeviceState::Online
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_without_an_a4_printer_says_so() {
    let mut config = a4_only("");
    config.devices.a4printer.enabled = false;
    let manager = DeviceManager::start(&config, options()).expect("starts");
    assert_eq!(
        manager.status(DeviceClass::A4Printer).state,
        DeviceState::NoDevice
    );
    let a4 = manager.a4printer();
    assert!(!a4.fitted() && !a4.usable());
    let err = a4
        .print_receipt(&sample::typical_receipt(), "受理回执")
        .await
        .expect_err("not fitted");
    assert!(err.to_string().contains("not fitted"), "{err}");
}
