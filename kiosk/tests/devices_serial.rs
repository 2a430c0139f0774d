//! The "real device" branch of the configuration: selectors that are serial paths. Here
//! the simulators run outside the manager (as a technician's bench would, or real devices
//! on `/dev/ttyUSB*`), each on its own pty link, and the manager opens those paths.

use crate::support;

use kiosk::devices::{DeviceManager, ManagerEvent};
use kiosk_config::DeviceSelector;
use kiosk_drivers::idcard::sim::{self as reader_sim, SimLine, SimulatorHandle};
use kiosk_drivers::printer::sample;
use kiosk_drivers::printer::sim::runner::{open_pty, spawn};
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};
use kiosk_drivers::scanner::sim::{ScannerProfile, ScannerSim};
use kiosk_drivers::scanner::Symbology;
use kiosk_drivers::status::{DeviceClass, DeviceState};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_named_by_serial_path_are_opened_followed_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let (reader_link, printer_link, scanner_link) = (
        dir.path().join("ttyREADER"),
        dir.path().join("ttyPRINTER"),
        dir.path().join("ttySCANNER"),
    );
    let card = reader_sim::load_sample("resident-li-xiuying").unwrap();
    let reader = SimulatorHandle::start(
        reader_sim::SimControl::new(Some(card), 115_200),
        SimLine::OwnPty(reader_link.clone()),
    )
    .unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let emulator = Emulator::new(EmulatorConfig::paper_mm(80, Some(out.clone())).unwrap()).unwrap();
    let pty = open_pty(Some(&printer_link)).unwrap();
    let _printer = spawn(emulator, Box::new(pty.master));
    let _printer_host_side = pty.slave;
    let mut scanner = ScannerSim::start(&scanner_link, ScannerProfile::default()).unwrap();

    let mut config = sim_config(dir.path());
    config.devices.idcard.device = DeviceSelector::Serial(reader_link.clone());
    config.devices.printer.device = DeviceSelector::Serial(printer_link.clone());
    config.devices.scanner.device = DeviceSelector::Serial(scanner_link.clone());
    let manager = DeviceManager::start(&config, options(dir.path())).unwrap();
    assert!(!manager.sim().is_simulated(DeviceClass::Scanner));

    let mut events = manager.subscribe();
    // The card was on the reader from the start: it is read once the reader is up.
    let card = next(&mut events, "card read", |e| match e {
        ManagerEvent::CardRead(c) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(card.name, "李秀英");
    snapshot_where(&manager, DeviceClass::Scanner, "scanner online", |s| {
        s.state == DeviceState::Online
    })
    .await;
    scanner.scan(Symbology::Qr, "BENCH-1").unwrap();
    next(&mut events, "scan", |e| match e {
        ManagerEvent::CodeScanned(s) if s.text == "BENCH-1" => Some(()),
        _ => None,
    })
    .await;
    manager
        .printer()
        .print(sample::test_receipt("K-1", "测试大厅", "bench"))
        .await
        .expect("printed on the bench printer");
    assert!(out.join("receipt-0001.png").exists());

    // Unplug the scanner on the bench: the manager notices and reopens the same path.
    scanner.unplug();
    status_where(&mut events, DeviceClass::Scanner, "scanner gone", |s| {
        !s.state.is_usable()
    })
    .await;
    scanner.replug().unwrap();
    status_where(&mut events, DeviceClass::Scanner, "scanner back", |s| {
        s.state == DeviceState::Online
    })
    .await;
    drop(manager);
    drop(reader);
}
