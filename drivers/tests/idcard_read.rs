//! The real driver against the simulator over a pseudo-terminal: the happy path, every
//! card layout, baud detection, not reading a card twice, and removal.

use crate::idcard_common;

use idcard_common::*;
use kiosk_drivers::idcard::sim::{load_sample, sample_card, SAMPLES};
use kiosk_drivers::idcard::{CardKind, ReaderEvent};
use kiosk_drivers::status::SamState;

#[test]
fn reads_the_card_once_and_reports_its_removal() {
    let mut bench = start("zhang-san");
    let status = bench.wait_status("online with the SAM ok", |s| {
        online(s) && sam(s) == SamState::Ok
    });
    assert!(
        status.identity.connection.ends_with("@115200"),
        "{}",
        status.identity.connection
    );
    assert_eq!(
        status.identity.serial.as_deref(),
        Some("05.01-20101216-0017215573-2147512114")
    );
    bench.wait_event("CardPlaced", |e| matches!(e, ReaderEvent::CardPlaced));
    let card = bench.wait_card();
    assert_eq!(card.id_number, "11010519491231002X");
    assert_eq!(card.name, "张三");
    assert_eq!(card.photo_wlt.len(), 1024);

    // It stays on the reader: the driver keeps polling and does not read it again.
    bench.let_it_poll(20);
    let again = bench.drain();
    assert!(
        !again
            .iter()
            .any(|e| matches!(e, ReaderEvent::CardRead(_) | ReaderEvent::CardPlaced)),
        "read twice: {:#?}",
        bench.seen
    );

    // Unless asked.
    bench.reader.read_again();
    assert_eq!(bench.wait_card().id_number, "11010519491231002X");

    bench.control().remove_card();
    bench.wait_event("CardRemoved", |e| matches!(e, ReaderEvent::CardRemoved));
    let status = bench.wait_status("no card present", |s| !card_present(s));
    assert!(online(&status));
    assert!(status.counters.operations_ok >= 2);

    // A new card placed is read.
    bench
        .control()
        .place_card(Some(load_sample("li-xiuying").expect("sample")));
    assert_eq!(bench.wait_card().name, "李秀英");
}

#[test]
fn reads_every_card_layout_over_the_pty() {
    for (name, _) in SAMPLES {
        let mut bench = start(name);
        let card = bench.wait_card();
        let (expected, _) = sample_card(name).expect("sample");
        assert_eq!(*card, expected, "{name}");
    }
}

#[test]
fn reads_a_re_findable_reader_without_reading_twice() {
    let mut bench = start_with("hmt", 115_200, |sim| sim.set_sticky_after_read(false));
    let card = bench.wait_card();
    assert_eq!(card.kind, CardKind::HmtResidencePermit);
    assert_eq!(card.pass_number.as_deref(), Some("H12345678"));
    bench.let_it_poll(20);
    assert!(!bench
        .drain()
        .iter()
        .any(|e| matches!(e, ReaderEvent::CardRead(_))));
}

#[test]
fn finds_a_reader_set_to_9600_baud() {
    let mut bench = start_with("foreign2023", 9_600, |_| {});
    let status = bench.wait_status("online", online);
    assert!(
        status.identity.connection.ends_with("@9600"),
        "{}",
        status.identity.connection
    );
    let card = bench.wait_card();
    assert_eq!(
        card.english_name.as_deref(),
        Some("GONZALEZ RODRIGUEZ MARIA FERNANDA ISABEL")
    );
}

#[test]
fn the_simulator_answers_a_corrupt_command_with_sw3_0x10_over_the_pty() {
    use kiosk_drivers::idcard::sim::{SimControl, SimLine, SimulatorHandle};
    use kiosk_drivers::idcard::transport::Link;
    use kiosk_drivers::idcard::SerialTransport;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().expect("temp dir");
    let control = SimControl::new(Some(load_sample("zhang-san").expect("sample")), 115_200);
    let sim = SimulatorHandle::start(control, SimLine::OwnPty(dir.path().join("r"))).expect("sim");
    let mut link = SerialTransport::open(sim.path(), 115_200).expect("open");
    // FIND with its checksum byte flipped, after some line noise.
    let mut bytes = vec![0x13, 0x37];
    bytes.extend([0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x23]);
    link.write_all(&bytes, WAIT).expect("send");
    let mut got = Vec::new();
    let end = Instant::now() + WAIT;
    let mut buf = [0u8; 64];
    while got.len() < 11 && Instant::now() < end {
        let n = link
            .read(&mut buf, Duration::from_millis(200))
            .expect("receive");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(
        got,
        [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x10, 0x14]
    );
}
