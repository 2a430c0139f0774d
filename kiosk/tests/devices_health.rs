//! Health checks at both levels against the simulators through the real drivers: they
//! pass on working devices and fail, saying why, on faulty ones; each result lands in the
//! device's `last_health_check`.

use crate::support;

use std::time::Duration;

use kiosk_drivers::status::{DeviceClass, DeviceState, HealthCheckLevel};
use support::*;

const WAIT: Duration = Duration::from_secs(20);

async fn all_online(manager: &kiosk::devices::DeviceManager) {
    // Every fitted device (the sim kiosk has no document camera and no A4 printer;
    // the A4 printer's stand-in is a real IPP printer: devices_a4).
    for class in DeviceClass::ALL {
        if manager.status(class).state == DeviceState::NoDevice {
            continue;
        }
        snapshot_where(manager, class, "online", |s| s.state == DeviceState::Online).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_checks_pass_on_working_devices_and_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    all_online(&manager).await;
    let results = manager.selftest(None, false, WAIT).await;
    // The reader, the printer, the scanner and the loudspeaker (its tone, on ALSA's null PCM).
    assert_eq!(results.len(), 4);
    for (class, check) in &results {
        assert!(check.passed, "{class}: {}", check.text);
        assert_eq!(check.level, HealthCheckLevel::Internal);
        assert_eq!(
            manager.status(*class).last_health_check.as_ref(),
            Some(check),
            "{class}: recorded"
        );
    }
    assert_eq!(
        manager.sim().printed().unwrap(),
        0,
        "internal prints nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_checks_fail_on_paper_out_and_an_unplugged_reader() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    all_online(&manager).await;
    manager.sim().printer_fault("paper-out").unwrap();
    let check = manager
        .check_health(
            DeviceClass::ReceiptPrinter,
            HealthCheckLevel::Internal,
            WAIT,
        )
        .await;
    assert!(!check.passed);
    assert!(check.text.contains("cannot print"), "{}", check.text);

    manager.sim().unplug(DeviceClass::IdCardReader).unwrap();
    snapshot_where(&manager, DeviceClass::IdCardReader, "gone", |s| {
        !s.state.is_usable()
    })
    .await;
    let check = manager
        .check_health(DeviceClass::IdCardReader, HealthCheckLevel::Internal, WAIT)
        .await;
    assert!(!check.passed, "{}", check.text);
    let recorded = manager.status(DeviceClass::IdCardReader).last_health_check;
    assert_eq!(recorded, Some(check));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_printer_check_prints_a_test_receipt_or_fails_without_paper() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    all_online(&manager).await;
    let check = manager
        .check_health(
            DeviceClass::ReceiptPrinter,
            HealthCheckLevel::External,
            WAIT,
        )
        .await;
    assert!(check.passed, "{}", check.text);
    assert_eq!(manager.sim().printed().unwrap(), 1);

    manager.sim().printer_fault("paper-out").unwrap();
    let check = manager
        .check_health(
            DeviceClass::ReceiptPrinter,
            HealthCheckLevel::External,
            WAIT,
        )
        .await;
    assert!(!check.passed);
    assert!(check.text.contains("not printed"), "{}", check.text);
    assert_eq!(manager.sim().printed().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_reader_and_scanner_checks_wait_for_a_card_and_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    all_online(&manager).await;
    let sim = manager.sim();
    let (card_check, ()) = tokio::join!(
        manager.check_health(DeviceClass::IdCardReader, HealthCheckLevel::External, WAIT),
        async { sim.place_card().unwrap() }
    );
    assert!(card_check.passed, "{}", card_check.text);
    assert!(
        card_check.text.contains("****"),
        "masked: {}",
        card_check.text
    );

    // The card stays on the reader: a second check reads it again.
    let again = manager
        .check_health(DeviceClass::IdCardReader, HealthCheckLevel::External, WAIT)
        .await;
    assert!(again.passed, "{}", again.text);

    let (scan_check, ()) = tokio::join!(
        manager.check_health(DeviceClass::Scanner, HealthCheckLevel::External, WAIT),
        async { sim.scan("SELFTEST").unwrap() }
    );
    assert!(scan_check.passed, "{}", scan_check.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_checks_fail_when_nothing_is_presented_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    all_online(&manager).await;
    let short = Duration::from_millis(500);
    let reader = manager
        .check_health(DeviceClass::IdCardReader, HealthCheckLevel::External, short)
        .await;
    assert!(!reader.passed);
    assert!(reader.text.contains("place a card"), "{}", reader.text);
    let scanner = manager
        .check_health(DeviceClass::Scanner, HealthCheckLevel::External, short)
        .await;
    assert!(!scanner.passed);
    assert_eq!(
        manager.status(DeviceClass::Scanner).last_health_check,
        Some(scanner)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loudspeaker_is_a_device_online_on_a_working_pcm_and_broken_on_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    snapshot_where(&manager, DeviceClass::Audio, "online", |s| {
        s.state == DeviceState::Online
    })
    .await;
    let check = manager
        .check_health(DeviceClass::Audio, HealthCheckLevel::Internal, WAIT)
        .await;
    assert!(check.passed, "{}", check.text);
    assert!(
        check.text.contains("880 Hz") && check.text.contains("null"),
        "{}",
        check.text
    );
    drop(manager);

    // A card that is not there: reported broken at start, with the reason, and the check
    // fails saying why; the other devices do not care.
    let dir = tempfile::tempdir().unwrap();
    let mut config = sim_config(dir.path());
    config.devices.audio.pcm = "hw:CARD=NoSuchCard".into();
    let manager = kiosk::devices::DeviceManager::start(&config, options(dir.path())).unwrap();
    let broken = snapshot_where(&manager, DeviceClass::Audio, "hardwareError", |s| {
        s.state == DeviceState::HardwareError
    })
    .await;
    assert!(broken.last_error.is_some(), "{broken:?}");
    let check = manager
        .check_health(DeviceClass::Audio, HealthCheckLevel::Internal, WAIT)
        .await;
    assert!(!check.passed);
    assert!(check.text.contains("did not play"), "{}", check.text);
    snapshot_where(&manager, DeviceClass::Scanner, "online", |s| {
        s.state == DeviceState::Online
    })
    .await;

    // Not fitted: no status to track, no check to run.
    let dir = tempfile::tempdir().unwrap();
    let mut config = sim_config(dir.path());
    config.devices.audio.pcm = "none".into();
    let manager = kiosk::devices::DeviceManager::start(&config, options(dir.path())).unwrap();
    assert_eq!(
        manager.status(DeviceClass::Audio).state,
        DeviceState::NoDevice
    );
    let all = manager.selftest(None, false, WAIT).await;
    assert!(all.iter().all(|(c, _)| *c != DeviceClass::Audio));
}
