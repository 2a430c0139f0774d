//! The real driver against the simulator's faults over a pseudo-terminal. Each test ends in
//! the event and status the fault calls for, and then recovers when the fault is cleared.

use crate::idcard_common;

use std::time::Duration;

use idcard_common::*;
use kiosk_drivers::idcard::sim::Fault;
use kiosk_drivers::idcard::ReaderEvent;
use kiosk_drivers::status::SamState;
use kiosk_drivers::DeviceState;

#[test]
fn no_card_keeps_the_reader_online_and_idle() {
    let mut bench = start_with("zhang-san", 115_200, |sim| {
        sim.set_fault(Fault::NoCard, true)
    });
    let status = bench.wait_status("online", online);
    assert!(!card_present(&status));
    bench.let_it_poll(20);
    assert!(
        !bench
            .drain()
            .iter()
            .any(|e| matches!(e, ReaderEvent::CardPlaced | ReaderEvent::CardRead(_))),
        "{:#?}",
        bench.seen
    );
    bench.control().set_fault(Fault::NoCard, false);
    assert_eq!(bench.wait_card().name, "张三");
}

#[test]
fn a_card_removed_mid_read_fails_the_read_then_counts_as_removed() {
    let mut bench = start_with("zhang-san", 115_200, |sim| {
        sim.set_fault(Fault::RemovedMidRead, true)
    });
    bench.wait_event("CardPlaced", |e| matches!(e, ReaderEvent::CardPlaced));
    match bench.wait_event("ReadFailed", |e| {
        matches!(e, ReaderEvent::ReadFailed { .. })
    }) {
        ReaderEvent::ReadFailed { code, kind, .. } => {
            assert_eq!(code, "readFailed");
            // The citizen is asked to place the card again (the session words it).
            assert_eq!(kind, kiosk_drivers::ErrorKind::Unreadable);
        }
        _ => unreachable!(),
    }
    bench.wait_event("CardRemoved", |e| matches!(e, ReaderEvent::CardRemoved));
    let status = bench.wait_status("idle after the failed read", |s| {
        !card_present(s) && error_code(s) == Some("readFailed")
    });
    assert!(online(&status));
    assert!(status.counters.operations_failed >= 1);

    bench.control().set_fault(Fault::RemovedMidRead, false);
    bench.control().place_card(None);
    assert_eq!(bench.wait_card().id_number, "11010519491231002X");
}

#[test]
fn bad_checksums_take_the_reader_offline_until_they_stop() {
    let mut bench = start_with("zhang-san", 115_200, |sim| {
        sim.set_fault(Fault::NoCard, true);
        sim.set_fault(Fault::BadChecksum, true);
    });
    let status = bench.wait_status("offline with checksum errors", |s| {
        s.state == DeviceState::Offline && error_code(s) == Some("checksum")
    });
    assert!(status.counters.communication_errors >= 3);
    bench.control().set_fault(Fault::BadChecksum, false);
    bench.control().set_fault(Fault::NoCard, false);
    bench.wait_status("online again", online);
    bench.wait_card();
}

#[test]
fn an_unauthorised_sam_is_a_hardware_error_until_authorised() {
    let mut bench = start_with("zhang-san", 115_200, |sim| {
        sim.set_fault(Fault::SamNotAuthorised, true)
    });
    bench.wait_status("hardwareError with the SAM not authorised", |s| {
        s.state == DeviceState::HardwareError
            && sam(s) == SamState::NotAuthorised
            && error_code(s) == Some("samNotAuthorised")
    });
    bench.control().set_fault(Fault::SamNotAuthorised, false);
    bench.wait_status("online with the SAM ok", |s| {
        online(s) && sam(s) == SamState::Ok
    });
    bench.wait_card();
}

#[test]
fn a_sam_that_loses_authorisation_mid_session_is_reported() {
    let mut bench = start("zhang-san");
    bench.wait_card();
    bench.control().set_fault(Fault::SamNotAuthorised, true);
    bench.wait_status("hardwareError", |s| {
        s.state == DeviceState::HardwareError && sam(s) == SamState::NotAuthorised
    });
}

#[test]
fn a_slow_sam_within_the_time_limits_still_reads() {
    let mut bench = start_with("zhang-san", 115_200, |sim| {
        sim.set_slow_delay(Duration::from_millis(120));
        sim.set_fault(Fault::SlowSam, true);
    });
    assert_eq!(bench.wait_card().name, "张三");
}

#[test]
fn a_sam_slower_than_the_time_limits_takes_the_reader_offline() {
    let mut bench = start("zhang-san");
    bench.wait_card();
    bench.control().set_slow_delay(Duration::from_millis(2500));
    bench.control().set_fault(Fault::SlowSam, true);
    bench.wait_status("offline after timeouts", |s| {
        s.state == DeviceState::Offline && error_code(s) == Some("timeout")
    });
    bench.control().set_fault(Fault::SlowSam, false);
    bench.wait_status("online again", online);
}

#[test]
fn silence_takes_the_reader_offline_and_it_comes_back() {
    let mut bench = start("zhang-san");
    bench.wait_card();
    bench.control().set_fault(Fault::Silence, true);
    let status = bench.wait_status("offline", |s| {
        s.state == DeviceState::Offline && error_code(s) == Some("timeout")
    });
    assert!(status.counters.communication_errors >= 3);
    bench.control().set_fault(Fault::Silence, false);
    bench.wait_status("online again", online);
}

#[test]
fn a_silent_reader_at_start_is_offline_with_no_baud_rate() {
    let mut bench = start_with("zhang-san", 115_200, |sim| {
        sim.set_fault(Fault::Silence, true)
    });
    bench.wait_status("offline, no rate", |s| {
        s.state == DeviceState::Offline && error_code(s) == Some("noBaudRate")
    });
    bench.control().set_fault(Fault::Silence, false);
    bench.wait_card();
}

#[test]
fn garbage_on_the_line_is_skipped_and_counted() {
    let mut bench = start_with("foreign2017", 115_200, |sim| {
        sim.set_fault(Fault::Garbage, true)
    });
    let card = bench.wait_card();
    assert_eq!(card.id_number, "USA310019750102");
    let status = bench.wait_status("garbage counted", |s| {
        s.counters.communication_errors > 0 && error_code(s) == Some("garbage")
    });
    assert!(online(&status) || status.state == DeviceState::Busy);
}
