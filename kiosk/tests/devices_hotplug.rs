//! Hot-plug through the device manager: every device is configured on a serial path that
//! does not exist yet and the backoff is an hour, so after the first failed open only a
//! hot-plug event can bring a device in before the test's bound. Then each device's
//! simulator appears on its path, an "add" event for that path is injected (as udev would
//! send it), and the device comes online through its real driver.

use crate::support;

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::time::Duration;

use kiosk::devices::{
    Backoff, DeviceManager, Hotplug, InjectedEvents, ManagerOptions, Uevent, UeventAction,
};
use kiosk_config::{Config, DeviceSelector};
use kiosk_drivers::idcard::sim::{self as reader_sim, SimLine, SimulatorHandle};
use kiosk_drivers::printer::sim::runner::{open_pty, spawn};
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};
use kiosk_drivers::scanner::sim::{ScannerProfile, ScannerSim};
use kiosk_drivers::status::{DeviceClass, DeviceState};
use support::*;

const HOUR: Duration = Duration::from_secs(3600);

fn add(subsystem: &str, node: &std::path::Path) -> Uevent {
    Uevent {
        action: UeventAction::Add,
        subsystem: subsystem.into(),
        devnode: Some(node.to_owned()),
        devlinks: Vec::new(),
        usb_id: None,
    }
}

struct Rig {
    manager: DeviceManager,
    events: Sender<Uevent>,
    paths: [PathBuf; 3],
}

fn start(dir: &std::path::Path) -> Rig {
    let paths = ["reader", "printer", "scanner"].map(|n| dir.join(n));
    let mut config = Config::default();
    config.devices.idcard.device = DeviceSelector::Serial(paths[0].clone());
    config.devices.printer.device = DeviceSelector::Serial(paths[1].clone());
    config.devices.scanner.device = DeviceSelector::Serial(paths[2].clone());
    let (events, injected) = InjectedEvents::channel();
    let mut options: ManagerOptions = options(dir);
    options.backoff = Backoff {
        first: HOUR,
        max: HOUR,
    };
    options.reader.backoff = Backoff {
        first: HOUR,
        max: HOUR,
    };
    options.hotplug = Hotplug::Events(injected);
    let manager = DeviceManager::start(&config, options).expect("the manager starts");
    Rig {
        manager,
        events,
        paths,
    }
}

async fn wait_failed_open(manager: &DeviceManager) {
    for class in DeviceClass::SERIAL {
        snapshot_where(manager, class, "a failed first open", |s| {
            s.last_error.is_some() && !s.state.is_usable()
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_add_event_for_the_configured_port_brings_each_device_in_before_its_backoff() {
    let dir = tempfile::tempdir().unwrap();
    let rig = start(dir.path());
    wait_failed_open(&rig.manager).await;

    // The devices appear.
    let card = reader_sim::load_sample("resident-zhang-san").ok();
    let control = reader_sim::SimControl::new(card, 115_200);
    let _reader = SimulatorHandle::start(control, SimLine::OwnPty(rig.paths[0].clone()))
        .expect("reader simulator");
    let pty = open_pty(Some(&rig.paths[1])).expect("printer pty");
    let emulator = Emulator::new(
        EmulatorConfig::paper_mm(80, Some(dir.path().join("out"))).expect("emulator config"),
    )
    .expect("emulator");
    let _printer = spawn(emulator, Box::new(pty.master));
    let _scanner = ScannerSim::start(&rig.paths[2], ScannerProfile::default()).expect("scanner");

    // Something else appears first: nobody is woken by it.
    rig.events
        .send(add("tty", &dir.path().join("elsewhere")))
        .unwrap();
    for (path, class) in rig.paths.iter().zip(DeviceClass::ALL) {
        rig.events.send(add("tty", path)).unwrap();
        snapshot_where(&rig.manager, class, "online after the add event", |s| {
            s.state == DeviceState::Online
        })
        .await;
    }
    drop(pty.slave);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_hotplug_events_the_long_backoff_holds() {
    let dir = tempfile::tempdir().unwrap();
    let rig = start(dir.path());
    wait_failed_open(&rig.manager).await;
    let pty = open_pty(Some(&rig.paths[1])).expect("printer pty");
    let emulator =
        Emulator::new(EmulatorConfig::paper_mm(80, None).expect("config")).expect("emulator");
    let _printer = spawn(emulator, Box::new(pty.master));
    // An event for another device and a "change" of this one: still waiting.
    rig.events.send(add("tty", &rig.paths[0])).unwrap();
    let mut change = add("tty", &rig.paths[1]);
    change.action = UeventAction::Other;
    rig.events.send(change).unwrap();
    // A status query proves the worker is still in its backoff: it answers "not connected".
    let answer = rig.manager.printer().query_status().await;
    assert!(answer.is_err(), "{answer:?}");
    assert_ne!(
        rig.manager.status(DeviceClass::ReceiptPrinter).state,
        DeviceState::Online
    );
    // The add event for it ends the wait.
    rig.events.send(add("tty", &rig.paths[1])).unwrap();
    snapshot_where(&rig.manager, DeviceClass::ReceiptPrinter, "online", |s| {
        s.state == DeviceState::Online
    })
    .await;
    drop(pty.slave);
}
