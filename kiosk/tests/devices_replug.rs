//! Unplug and replug over pseudo-terminals, with the real drivers: closing a simulator's
//! pty takes its device offline, a fresh pty behind the same link brings it back online,
//! all without restarting anything.

use crate::support;

use kiosk::devices::ManagerEvent;
use kiosk_drivers::printer::sample;
use kiosk_drivers::status::{DeviceClass, DeviceState};
use support::*;

fn gone(state: DeviceState) -> bool {
    matches!(state, DeviceState::PowerOff | DeviceState::Offline)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_device_goes_offline_when_unplugged_and_online_when_plugged_back() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    let sim = manager.sim();
    for class in DeviceClass::SERIAL {
        snapshot_where(&manager, class, "online at start", |s| {
            s.state == DeviceState::Online
        })
        .await;
        let mut events = manager.subscribe();
        let before = manager.status(class).counters.reconnects;
        sim.unplug(class).unwrap();
        let off = status_where(&mut events, class, "offline after unplug", |s| {
            gone(s.state)
        })
        .await;
        assert!(
            off.last_error.is_some(),
            "{class}: unplug leaves a last error"
        );
        sim.replug(class).unwrap();
        let on = status_where(&mut events, class, "online after replug", |s| {
            s.state == DeviceState::Online
        })
        .await;
        assert!(
            on.counters.reconnects > before,
            "{class}: reconnect counted"
        );
    }

    // And they work again: a card, a code, a receipt.
    let mut events = manager.subscribe();
    sim.place_card().unwrap();
    next(&mut events, "card read after replug", |e| {
        matches!(e, ManagerEvent::CardRead(_)).then_some(())
    })
    .await;
    sim.scan("after-replug").unwrap();
    let text = next(&mut events, "scan after replug", |e| match e {
        ManagerEvent::CodeScanned(s) => Some(s.text.clone()),
        _ => None,
    })
    .await;
    assert_eq!(text, "after-replug");
    manager
        .printer()
        .print(sample::typical_receipt())
        .await
        .expect("the printer prints after a replug");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printing_on_an_unplugged_printer_fails_at_once_with_reconnect() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    snapshot_where(&manager, DeviceClass::ReceiptPrinter, "online", |s| {
        s.state == DeviceState::Online
    })
    .await;
    manager.sim().unplug(DeviceClass::ReceiptPrinter).unwrap();
    snapshot_where(&manager, DeviceClass::ReceiptPrinter, "powerOff", |s| {
        s.state == DeviceState::PowerOff
    })
    .await;
    let err = manager
        .printer()
        .print(sample::typical_receipt())
        .await
        .expect_err("nothing to print on");
    assert!(err.kind().is_lost(), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_configured_none_is_no_device_and_its_handle_says_not_fitted() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = sim_config(dir.path());
    config.devices.printer.device = kiosk_config::DeviceSelector::None;
    let manager = kiosk::devices::DeviceManager::start(&config, options(dir.path())).unwrap();
    assert_eq!(
        manager.status(DeviceClass::ReceiptPrinter).state,
        DeviceState::NoDevice
    );
    let err = manager
        .printer()
        .print(sample::typical_receipt())
        .await
        .unwrap_err();
    assert!(err.kind().needs_person(), "{:?}", err.kind());
    assert!(!manager.sim().is_simulated(DeviceClass::ReceiptPrinter));
    snapshot_where(&manager, DeviceClass::Scanner, "the others run", |s| {
        s.state == DeviceState::Online
    })
    .await;
}
