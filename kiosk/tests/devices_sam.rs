//! The ID-card reader's internal health check asks the SAM now (the protocol's "SAM
//! status check", `11 FF`) instead of reporting the SAM state remembered from the last
//! connect. The reader runner is made to poll only once an hour, so nothing but the health
//! check itself can notice a SAM that lost its authorisation after the connect.

use crate::support;

use std::time::Duration;

use kiosk::devices::{DeviceManager, ManagerOptions};
use kiosk_config::{Config, DeviceSelector};
use kiosk_drivers::idcard::sim::Fault;
use kiosk_drivers::status::{ClassStatus, DeviceClass, DeviceState, HealthCheckLevel, SamState};
use support::*;

const HOUR: Duration = Duration::from_secs(3600);

fn sam(manager: &DeviceManager) -> SamState {
    match manager.status(DeviceClass::IdCardReader).detail {
        ClassStatus::IdCardReader { sam, .. } => sam,
        _ => SamState::Unknown,
    }
}

/// Only the reader, simulated, polling once an hour.
fn start_quiet_reader(dir: &std::path::Path) -> DeviceManager {
    let mut config = Config::default();
    config.devices.idcard.device = DeviceSelector::Sim;
    let mut options: ManagerOptions = options(dir);
    options.reader.poll_interval = HOUR;
    options.reader.sam_recheck_interval = HOUR;
    DeviceManager::start(&config, options).expect("the manager starts")
}

/// Waits until the published reader status is `state` with the SAM in `sam`.
async fn wait_reader(manager: &DeviceManager, what: &str, state: DeviceState, sam: SamState) {
    snapshot_where(manager, DeviceClass::IdCardReader, what, |s| {
        s.state == state
            && matches!(s.detail, ClassStatus::IdCardReader { sam: got, .. } if got == sam)
    })
    .await;
}

async fn internal(manager: &DeviceManager) -> kiosk_drivers::status::HealthCheck {
    manager
        .check_health(
            DeviceClass::IdCardReader,
            HealthCheckLevel::Internal,
            Duration::from_secs(5),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_internal_check_asks_the_sam_now_and_sees_a_fault_the_runner_has_not() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_quiet_reader(dir.path());
    wait_reader(
        &manager,
        "online, SAM OK",
        DeviceState::Online,
        SamState::Ok,
    )
    .await;
    let check = internal(&manager).await;
    assert!(check.passed, "{}", check.text);
    assert!(check.text.contains("SAM OK"), "{}", check.text);

    manager
        .sim()
        .reader_fault(Fault::SamNotAuthorised, true)
        .unwrap();
    // The remembered state still says OK: the runner has not asked since it connected.
    assert_eq!(sam(&manager), SamState::Ok);
    let check = internal(&manager).await;
    assert!(!check.passed, "{}", check.text);
    assert!(check.text.contains("not authorised"), "{}", check.text);
    assert!(check.text.contains("replace the reader"), "{}", check.text);
    assert_eq!(
        manager.status(DeviceClass::IdCardReader).last_health_check,
        Some(check)
    );
    // The fresh answer also corrects the published status (the runner publishes it on
    // its way to the snapshot, so wait for it rather than race it).
    wait_reader(
        &manager,
        "SAM not authorised",
        DeviceState::HardwareError,
        SamState::NotAuthorised,
    )
    .await;

    // Fixed (the SAM authorised again): the next check says so at once.
    manager
        .sim()
        .reader_fault(Fault::SamNotAuthorised, false)
        .unwrap();
    let check = internal(&manager).await;
    assert!(check.passed, "{}", check.text);
    wait_reader(&manager, "SAM OK again", DeviceState::Online, SamState::Ok).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_does_not_answer_or_is_unplugged_fails_the_check_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_quiet_reader(dir.path());
    snapshot_where(&manager, DeviceClass::IdCardReader, "online", |s| {
        s.state == DeviceState::Online
    })
    .await;
    manager.sim().reader_fault(Fault::Silence, true).unwrap();
    let check = internal(&manager).await;
    assert!(!check.passed, "{}", check.text);
    assert!(
        check.text.contains("no valid answer to a SAM status check"),
        "{}",
        check.text
    );
    manager.sim().reader_fault(Fault::Silence, false).unwrap();

    manager.sim().unplug(DeviceClass::IdCardReader).unwrap();
    let check = internal(&manager).await;
    assert!(!check.passed, "{}", check.text);
    // Either the query hit the vanished port or the runner was already waiting to
    // reconnect; both say what to check.
    assert!(
        check.text.contains("SAM status check") || check.text.contains("not connected"),
        "{}",
        check.text
    );
}
