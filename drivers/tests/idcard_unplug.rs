//! Unplug and replug: the simulator's pty disappears and comes back behind the same path;
//! the driver reports powerOff, then reconnects by itself.

use crate::idcard_common;

use idcard_common::*;
use kiosk_drivers::idcard::sim::Fault;
use kiosk_drivers::idcard::ReaderEvent;
use kiosk_drivers::DeviceState;

#[test]
fn unplug_is_power_off_and_replug_reconnects() {
    let mut bench = start("zhang-san");
    bench.wait_card();
    bench.control().set_fault(Fault::Unplug, true);
    bench.wait_event("CardRemoved", |e| matches!(e, ReaderEvent::CardRemoved));
    let status = bench.wait_status("powerOff", |s| s.state == DeviceState::PowerOff);
    assert!(!card_present(&status));
    assert_eq!(error_code(&status), Some("disconnected"));
    // The path is gone while unplugged; the driver keeps trying.
    bench.wait_status("still powerOff after a failed reopen", |s| {
        s.state == DeviceState::PowerOff && error_code(s) == Some("openFailed")
    });

    bench.control().set_fault(Fault::Unplug, false);
    let status = bench.wait_status("online after replug", online);
    assert_eq!(status.counters.reconnects, 1);
    assert_eq!(bench.wait_card().name, "张三");
}

#[test]
fn a_reader_absent_at_start_is_found_when_plugged_in() {
    let mut bench = start_with("hmt", 115_200, |sim| sim.set_fault(Fault::Unplug, true));
    bench.wait_status("powerOff", |s| s.state == DeviceState::PowerOff);
    bench.control().set_fault(Fault::Unplug, false);
    bench.wait_status("online", online);
    bench.wait_card();
}
