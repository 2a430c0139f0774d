//! `sim` mode end to end: the manager starts the project's simulators on ptys and the real
//! drivers against them; a placed card, a scan, a print and paper out come back as the
//! service will see them.

use crate::support;

use kiosk::devices::ManagerEvent;
use kiosk_drivers::idcard::sim::sample_card;
use kiosk_drivers::printer::sample;
use kiosk_drivers::status::{ClassStatus, DeviceClass, DeviceState, PaperState};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_simulated_device_comes_online_through_its_real_driver() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    for class in DeviceClass::SERIAL {
        let s = snapshot_where(&manager, class, "online", |s| {
            s.state == DeviceState::Online
        })
        .await;
        assert!(s.identity.connection.contains("links"), "{:?}", s.identity);
    }
    // The reader's runner checked the SAM and read its id through the real protocol.
    let reader = manager.status(DeviceClass::IdCardReader);
    assert!(reader.identity.serial.is_some());
    // One status per device class: the three serial devices and the loudspeaker.
    assert_eq!(manager.snapshot().len(), DeviceClass::ALL.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_placed_card_is_read_with_the_samples_data_and_its_removal_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    snapshot_where(&manager, DeviceClass::IdCardReader, "reader online", |s| {
        s.state == DeviceState::Online
    })
    .await;
    let mut events = manager.subscribe();
    manager.sim().place_card().unwrap();
    let card = next(&mut events, "card read", |e| match e {
        ManagerEvent::CardRead(card) => Some(card.clone()),
        _ => None,
    })
    .await;
    let (expected, _) = sample_card("resident-zhang-san").unwrap();
    assert_eq!(card.id_number, expected.id_number);
    assert_eq!(card.name, expected.name);
    // Debug of the event masks the person.
    let shown = format!("{:?}", ManagerEvent::CardRead(card.clone()));
    assert!(!shown.contains(&expected.id_number), "{shown}");

    manager.sim().remove_card().unwrap();
    next(&mut events, "card removed", |e| {
        matches!(e, ManagerEvent::CardRemoved).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scanned_code_arrives_as_a_scan_event() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    snapshot_where(&manager, DeviceClass::Scanner, "scanner online", |s| {
        s.state == DeviceState::Online
    })
    .await;
    let mut events = manager.subscribe();
    manager.sim().scan("YY-2026-000123 预约码").unwrap();
    let scan = next(&mut events, "code scanned", |e| match e {
        ManagerEvent::CodeScanned(scan) => Some(scan.clone()),
        _ => None,
    })
    .await;
    assert_eq!(scan.text, "YY-2026-000123 预约码");
    assert_eq!(scan.aim.as_deref(), Some("]Q1"));
    // The runner's counters reach the snapshot.
    snapshot_where(&manager, DeviceClass::Scanner, "one code counted", |s| {
        s.counters.operations_ok == 1
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printed_receipt_is_confirmed_and_appears_as_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    snapshot_where(
        &manager,
        DeviceClass::ReceiptPrinter,
        "printer online",
        |s| s.state == DeviceState::Online,
    )
    .await;
    let done = manager
        .printer()
        .print(sample::typical_receipt())
        .await
        .expect("the emulator confirms the receipt");
    assert!(done.status.is_ready());
    assert_eq!(manager.sim().printed().unwrap(), 1);
    let receipts = dir.path().join("receipts");
    let pngs: Vec<_> = std::fs::read_dir(&receipts)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .collect();
    assert_eq!(pngs.len(), 1, "one PNG in {}", receipts.display());
    assert!(std::fs::metadata(pngs[0].path()).unwrap().len() > 1000);
    let status = manager.status(DeviceClass::ReceiptPrinter);
    assert_eq!(status.counters.operations_ok, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_out_shows_in_the_status_and_refuses_a_print_until_paper_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let manager = start_sim(dir.path());
    snapshot_where(
        &manager,
        DeviceClass::ReceiptPrinter,
        "printer online",
        |s| s.state == DeviceState::Online,
    )
    .await;
    let mut events = manager.subscribe();
    manager.sim().printer_fault("paper-out").unwrap();
    let out = status_where(&mut events, DeviceClass::ReceiptPrinter, "paper out", |s| {
        matches!(
            s.detail,
            ClassStatus::ReceiptPrinter {
                paper: PaperState::Out,
                ..
            }
        )
    })
    .await;
    assert!(!out.state.is_usable(), "{:?}", out.state);
    let err = manager
        .printer()
        .print(sample::typical_receipt())
        .await
        .expect_err("no paper, no receipt");
    assert_eq!(err.kind(), kiosk_drivers::ErrorKind::PaperOut);
    let told = kiosk::session::prompts::device_trouble(
        err.class(),
        err.kind(),
        kiosk_config::schema::Language::ZhCn,
    );
    assert!(told.contains("纸"), "{told}");
    assert_eq!(manager.sim().printed().unwrap(), 0);

    manager.sim().printer_fault("paper-low").unwrap();
    let low = status_where(&mut events, DeviceClass::ReceiptPrinter, "paper low", |s| {
        matches!(
            s.detail,
            ClassStatus::ReceiptPrinter {
                paper: PaperState::Low,
                ..
            }
        )
    })
    .await;
    assert!(
        low.state.is_usable(),
        "paper low still prints: {:?}",
        low.state
    );
    manager.sim().printer_fault("cover-open").unwrap();
    status_where(
        &mut events,
        DeviceClass::ReceiptPrinter,
        "cover open",
        |s| {
            matches!(
                s.detail,
                ClassStatus::ReceiptPrinter {
                    cover_open: true,
                    ..
                }
            )
        },
    )
    .await;
}

/// The reader polls for cards only while a card is wanted (`want_card`, which the service
/// drives from the screen), counted by the simulator on its end of the pty. Relaxed polling
/// is set to an hour so that "no polls" is unambiguous; no timing is asserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_polls_for_cards_only_while_one_is_wanted() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = kiosk_config::Config::default();
    config.devices.idcard.device = kiosk_config::DeviceSelector::Sim;
    let mut options = options(dir.path());
    options.reader.poll_interval = std::time::Duration::from_secs(3600);
    let manager = kiosk::devices::DeviceManager::start(&config, options).unwrap();
    snapshot_where(&manager, DeviceClass::IdCardReader, "reader online", |s| {
        s.state == DeviceState::Online
    })
    .await;
    let sim = manager.sim();
    sim.remove_card().unwrap();
    let polls = || sim.reader_polls().unwrap();
    // The SAM check goes through the runner's queue behind any pace change sent before it.
    let settle = || async {
        let check = manager
            .check_health(
                DeviceClass::IdCardReader,
                kiosk_drivers::status::HealthCheckLevel::Internal,
                BOUND,
            )
            .await;
        assert!(check.passed, "{}", check.text);
    };
    settle().await;
    let before = polls();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(polls(), before, "nobody wants a card: no polls");

    manager.want_card(true);
    let start = polls();
    let until = std::time::Instant::now() + BOUND;
    while polls() < start + 10 {
        assert!(std::time::Instant::now() < until, "no eager polls");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut events = manager.subscribe();
    sim.place_card().unwrap();
    next(&mut events, "the card read", |e| {
        matches!(e, ManagerEvent::CardRead(_)).then_some(())
    })
    .await;

    // Taken away while still wanted: the eager presence poll notices, and FIND polls resume.
    sim.remove_card().unwrap();
    next(&mut events, "the card removed", |e| {
        matches!(e, ManagerEvent::CardRemoved).then_some(())
    })
    .await;
    let start = polls();
    while polls() < start + 3 {
        assert!(
            std::time::Instant::now() < until,
            "no polls after the removal"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    manager.want_card(false);
    settle().await;
    let quiet = polls();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(polls(), quiet, "the citizen is known: the polls stopped");
}
