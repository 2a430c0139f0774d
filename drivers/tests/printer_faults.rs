//! Every simulated fault surfaces through the real serial driver as the right status, a job
//! is refused or reported unconfirmed as it should be, and nothing is counted as printed
//! that the printer did not finish.

use std::time::Duration;

use kiosk_drivers::printer::profile::FirmwareCharset;
use kiosk_drivers::printer::sim::runner::{spawn, EmulatorHandle};
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};
use kiosk_drivers::printer::transport::serial::SerialTransport;
use kiosk_drivers::printer::{
    PaperLevel, PrinterError, PrinterProfile, Receipt, ReceiptPrinter, Timeouts,
};
use kiosk_drivers::status::{ClassStatus, DeviceState, PaperState};
use serialport::TTYPort;

fn rig() -> (ReceiptPrinter<SerialTransport>, EmulatorHandle) {
    let (master, slave) = TTYPort::pair().expect("create a pseudo-terminal pair");
    let cfg = EmulatorConfig {
        width_dots: 576,
        charset: FirmwareCharset::Gbk,
        out_dir: None,
        keep_receipts: 4,
    };
    let handle = spawn(
        Emulator::new(cfg).expect("emulator needs fonts-noto-cjk"),
        Box::new(master),
    );
    // Generous enough for a loaded CI machine; only the jam, paper-out and slow cases wait them out.
    let timeouts = Timeouts {
        status: Duration::from_secs(2),
        confirm_margin: Duration::from_secs(3),
    };
    let printer = ReceiptPrinter::new(
        SerialTransport::from_port(Box::new(slave), "pty"),
        PrinterProfile::GENERIC_80,
    )
    .with_timeouts(timeouts);
    (printer, handle)
}

fn receipt() -> Receipt {
    let mut r = Receipt::new();
    r.title("办件受理回执")
        .key_value("办件编号", "TRK-1")
        .qr("https://q.example/1", None)
        .footer("请妥善保管");
    r
}

fn paper_of(p: &ReceiptPrinter<SerialTransport>) -> PaperState {
    match p.device_status().detail {
        ClassStatus::ReceiptPrinter { paper, .. } => paper,
        _ => PaperState::Unknown,
    }
}

#[test]
fn each_fault_is_reported_in_words_and_in_the_device_model() {
    let cases: [(&str, &str, DeviceState, &str); 5] = [
        ("paper-out", "paperOut", DeviceState::UserError, "paper out"),
        (
            "cover-open",
            "coverOpen",
            DeviceState::UserError,
            "cover open",
        ),
        (
            "cutter-jam",
            "cutterJam",
            DeviceState::HardwareError,
            "cutter jammed",
        ),
        ("offline", "offline", DeviceState::Offline, "offline"),
        ("paper-low", "paperLow", DeviceState::Online, "paper low"),
    ];
    let (mut printer, handle) = rig();
    assert!(printer.query_status().expect("status").is_ready());
    assert_eq!(printer.device_status().state, DeviceState::Online);
    for (fault, code, state, words) in cases {
        handle.apply_fault(fault).expect("known fault");
        let s = printer
            .query_status()
            .expect("status answers even while halted");
        assert_eq!(s.code(), code, "{fault}");
        assert_eq!(s.device_state(), state, "{fault}");
        assert!(s.to_string().contains(words), "{fault}: {s}");
        assert_eq!(printer.device_status().state, state, "{fault}");
        handle.apply_fault("clear").expect("clear");
    }
    handle.apply_fault("paper-out").expect("fault");
    printer.query_status().expect("status");
    assert_eq!(paper_of(&printer), PaperState::Out);
    // The change is pushed once as an event, not again until something changes.
    let event = printer.take_event().expect("an event for the change");
    let kiosk_drivers::status::DeviceEvent::StatusChanged(status) = event;
    assert_eq!(status.state, DeviceState::UserError);
    assert!(printer.take_event().is_none());
    printer.query_status().expect("status");
    assert!(printer.take_event().is_none(), "same status, no new event");
}

#[test]
fn a_job_is_refused_while_the_printer_is_not_ready_and_nothing_is_printed() {
    let (mut printer, handle) = rig();
    for fault in ["paper-out", "cover-open", "cutter-jam", "offline"] {
        handle.apply_fault(fault).expect("fault");
        match printer.print_receipt(&receipt()) {
            Err(e @ PrinterError::NotReady(_)) => {
                // A person must act; what the citizen is told is the session's business.
                assert!(e.kind().needs_person(), "{fault}: {:?}", e.kind());
            }
            other => panic!("{fault}: expected NotReady, got {other:?}"),
        }
        handle.apply_fault("clear").expect("clear");
    }
    assert_eq!(printer.device_status().counters.operations_failed, 4);
    assert_eq!(handle.printed(), 0);
    // Once cleared, the same receipt prints.
    printer
        .print_receipt(&receipt())
        .expect("prints after clearing");
    assert_eq!(handle.printed(), 1);
}

#[test]
fn paper_low_still_prints_and_says_so() {
    let (mut printer, handle) = rig();
    handle.apply_fault("paper-low").expect("fault");
    let (status, _) = printer
        .print_receipt(&receipt())
        .expect("prints with paper low");
    assert_eq!(status.paper, PaperLevel::NearEnd);
    assert_eq!(paper_of(&printer), PaperState::Low);
    assert_eq!(handle.printed(), 1);
}

#[test]
fn paper_running_out_mid_job_is_not_confirmed() {
    let (mut printer, handle) = rig();
    handle.apply_fault("paper-left=10").expect("fault");
    match printer.print_receipt(&receipt()) {
        Err(PrinterError::NotConfirmed(s)) => assert_eq!(s.paper, PaperLevel::Out),
        other => panic!("expected NotConfirmed(paper out), got {other:?}"),
    }
    assert_eq!(handle.printed(), 0);
}

#[test]
fn a_cutter_jam_on_the_cut_is_not_confirmed_and_the_cut_completes_after_clearing() {
    let (mut printer, handle) = rig();
    handle.apply_fault("jam-next-cut").expect("fault");
    match printer.print_receipt(&receipt()) {
        Err(PrinterError::NotConfirmed(s)) => {
            assert!(s.cutter_error);
            assert_eq!(s.device_state(), DeviceState::HardwareError);
        }
        other => panic!("expected NotConfirmed(cutter jam), got {other:?}"),
    }
    assert_eq!(handle.printed(), 0);
    handle.apply_fault("clear").expect("clear");
    printer.recover().expect("recover");
    printer
        .print_receipt(&receipt())
        .expect("next receipt prints");
    assert_eq!(
        handle.printed(),
        2,
        "the jammed receipt was cut once cleared, then the new one"
    );
}

#[test]
fn slow_printing_beyond_the_timeout_is_a_retryable_timeout_not_a_fault() {
    let (mut printer, handle) = rig();
    handle.apply_fault("slow=2").expect("fault");
    let err = printer
        .print_receipt(&receipt())
        .expect_err("too slow for the timeout");
    assert!(matches!(err, PrinterError::Timeout(..)), "{err:?}");
    assert!(err.kind().is_transient(), "{:?}", err.kind());
    assert_eq!(handle.printed(), 0);
    handle.apply_fault("fast").expect("fast");
    assert!(printer.query_status().expect("status").is_ready());
}

#[test]
fn stale_bytes_and_asb_frames_in_the_input_do_not_confuse_status() {
    let (mut printer, handle) = rig();
    // GS a 15: the emulator now sends 4-byte ASB frames on every change, unsolicited.
    printer
        .print_job(&[0x1D, 0x61, 0x0F])
        .expect("ASB enable is a job of its own");
    handle.apply_fault("cover-open").expect("fault");
    let s = printer.query_status().expect("status");
    assert!(s.cover_open && s.paper == PaperLevel::Adequate);
    handle.apply_fault("clear").expect("clear");
    assert!(printer.query_status().expect("status").is_ready());
}

#[test]
fn a_printer_that_never_answers_is_offline_with_a_retryable_timeout() {
    // A pty with nobody on the other side: a powered-off printer on a serial cable.
    let (_far_end, near_end) = TTYPort::pair().expect("create a pseudo-terminal pair");
    let timeouts = Timeouts {
        status: Duration::from_millis(100),
        confirm_margin: Duration::from_millis(100),
    };
    let mut printer = ReceiptPrinter::new(
        SerialTransport::from_port(Box::new(near_end), "pty"),
        PrinterProfile::GENERIC_58,
    )
    .with_timeouts(timeouts);
    let err = printer.query_status().expect_err("no answer");
    assert!(matches!(err, PrinterError::Timeout(..)), "{err:?}");
    assert!(err.kind().is_transient(), "{:?}", err.kind());
    assert!(err.to_string().contains("check cable and power"));
    assert_eq!(printer.device_status().state, DeviceState::Offline);
    assert!(printer.print_receipt(&receipt()).is_err());
    let counters = printer.device_status().counters;
    assert_eq!(
        (counters.operations_failed, counters.communication_errors),
        (1, 2)
    );
}
