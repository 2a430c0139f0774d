//! A device that hangs or floods never stalls the others: each runs on its own thread and
//! has its own event budget. The assertions are on which events arrive while the bad
//! device is still bad, not on how fast.

use crate::support;

use kiosk::devices::ManagerEvent;
use kiosk_drivers::idcard::sim::Fault;
use kiosk_drivers::printer::sample;
use kiosk_drivers::status::{ClassStatus, DeviceClass, DeviceState, PaperState};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_reader_does_not_delay_scans_or_printing() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    // Every fitted device (the sim kiosk has no document camera and no A4 printer;
    // the A4 printer's stand-in is a real IPP printer: devices_a4).
    for class in DeviceClass::ALL {
        if manager.status(class).state == DeviceState::NoDevice {
            continue;
        }
        snapshot_where(&manager, class, "online", |s| {
            s.state == DeviceState::Online
        })
        .await;
    }
    let sim = manager.sim();
    let mut events = manager.subscribe();
    // The reader goes silent with a card on it: every command it gets waits for its timeout.
    sim.reader_fault(Fault::Silence, true).unwrap();
    sim.place_card().unwrap();

    sim.scan("while-the-reader-hangs").unwrap();
    manager.sim().printer_fault("paper-low").unwrap();
    let mut seen_scan = false;
    let mut seen_paper_low = false;
    next(&mut events, "the scan and the printer's paper low", |e| {
        match e {
            ManagerEvent::CodeScanned(s) if s.text == "while-the-reader-hangs" => seen_scan = true,
            ManagerEvent::Status(s)
                if matches!(
                    s.detail,
                    ClassStatus::ReceiptPrinter {
                        paper: PaperState::Low,
                        ..
                    }
                ) =>
            {
                seen_paper_low = true
            }
            ManagerEvent::CardRead(_) => panic!("a silent reader cannot have read the card"),
            _ => {}
        }
        (seen_scan && seen_paper_low).then_some(())
    })
    .await;
    manager
        .printer()
        .print(sample::typical_receipt())
        .await
        .expect("the printer prints while the reader hangs");
    assert!(sim.printed().unwrap() >= 1);

    // The hang is noticed: the reader goes offline, then recovers and reads the card.
    let mut events = manager.subscribe();
    snapshot_where(&manager, DeviceClass::IdCardReader, "reader offline", |s| {
        !s.state.is_usable()
    })
    .await;
    sim.reader_fault(Fault::Silence, false).unwrap();
    next(&mut events, "card read once the reader answers", |e| {
        matches!(e, ManagerEvent::CardRead(_)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_scanner_loses_its_own_surplus_and_the_card_still_arrives() {
    let dir = tempfile::tempdir().unwrap();
    // Codes longer than the limit are each refused with an event of their own (the
    // driver's flood guard reports a flood of valid codes only once), so this flood
    // reaches the manager as thousands of events.
    let mut config = sim_config(dir.path());
    config.devices.scanner.max_code_len = 16;
    let manager = kiosk::devices::DeviceManager::start(&config, options(dir.path())).unwrap();
    for class in [DeviceClass::IdCardReader, DeviceClass::Scanner] {
        snapshot_where(&manager, class, "online", |s| {
            s.state == DeviceState::Online
        })
        .await;
    }
    let sim = manager.sim();
    let mut events = manager.subscribe();
    let mut flood = Vec::new();
    for i in 0..3000 {
        flood.extend_from_slice(format!("HOSTILE-FLOOD-CODE-{i:05}\r").as_bytes());
    }
    sim.scan_raw(&flood).unwrap();
    sim.place_card().unwrap();
    let mut scans = 0;
    next(&mut events, "the card, amid the flood", |e| match e {
        ManagerEvent::CardRead(_) => Some(()),
        ManagerEvent::CodeScanned(_) => {
            scans += 1;
            None
        }
        _ => None,
    })
    .await;
    // The flood goes on in the scanner's thread; its surplus is lost there and counted:
    // refused by the scanner's own checks, or dropped by the manager's per-device budget
    // (which of the two catches it depends on how fast the machine drains the pty).
    let refused =
        |manager: &kiosk::devices::DeviceManager| match manager.status(DeviceClass::Scanner).detail
        {
            kiosk_drivers::status::ClassStatus::Scanner { rejected_codes } => rejected_codes,
            _ => 0,
        };
    let counted = tokio::time::timeout(BOUND, async {
        while manager.dropped_events(DeviceClass::Scanner) == 0 && refused(&manager) == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        counted.is_ok(),
        "the flood's surplus was neither refused nor dropped"
    );
    assert!(scans <= 10, "the flood limit let {scans} codes through");
    assert_eq!(manager.dropped_events(DeviceClass::IdCardReader), 0);
}
