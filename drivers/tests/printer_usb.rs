//! USB transport logic against recorded descriptors of real printers: descriptor parsing,
//! which interface and endpoints are used, short writes, chunking, stalls, and a whole
//! receipt through the USB transport into the emulator (standing in for the bus).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_drivers::printer::profile::FirmwareCharset;
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};
use kiosk_drivers::printer::transport::usb::{
    choose_endpoints, matches, parse_descriptors, PrinterEndpoints, UsbDeviceInfo, UsbPrinterIo,
    UsbTransport, CHUNK_BYTES,
};
use kiosk_drivers::printer::transport::Link;
use kiosk_drivers::printer::{sample, Confirmation, PrinterError, PrinterProfile, ReceiptPrinter};

fn load(name: &str) -> UsbDeviceInfo {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/usb")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("recorded descriptor file");
    let bytes: Vec<u8> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .map(|h| u8::from_str_radix(h, 16).expect("hex byte"))
        .collect();
    parse_descriptors(&bytes, name).expect("descriptor parses")
}

fn ep(
    interface: u8,
    alt: u8,
    bulk_out: u8,
    bulk_in: Option<u8>,
    max_packet: u16,
    printer_class: bool,
) -> Option<PrinterEndpoints> {
    Some(PrinterEndpoints {
        interface,
        alt,
        bulk_out,
        bulk_in,
        max_packet,
        printer_class,
    })
}

#[test]
fn endpoints_come_from_the_descriptors_of_each_recorded_printer() {
    let cases = [
        (
            "gprinter-zh380-6868-0500.hex",
            (0x6868, 0x0500),
            ep(0, 0, 0x03, Some(0x84), 64, true),
        ),
        (
            "gprinter-gp58-6868-0200.hex",
            (0x6868, 0x0200),
            ep(0, 0, 0x02, Some(0x81), 64, true),
        ),
        (
            "gprinter-gp-r222c-6868-0500.hex",
            (0x6868, 0x0500),
            ep(0, 0, 0x01, Some(0x81), 64, true),
        ),
        (
            "xprinter-xp-t58h-0483-5743.hex",
            (0x0483, 0x5743),
            ep(0, 0, 0x02, Some(0x81), 64, true),
        ),
        (
            "hprt-hm-a300s-20d1-7007.hex",
            (0x20d1, 0x7007),
            ep(0, 0, 0x01, Some(0x82), 512, true),
        ),
        (
            "epson-tm-t88-04b8-0202.hex",
            (0x04b8, 0x0202),
            ep(0, 0, 0x01, Some(0x82), 64, false),
        ),
        (
            "synthetic-uni-then-bidi-alt.hex",
            (0x0416, 0x5011),
            ep(1, 1, 0x01, Some(0x81), 64, true),
        ),
        (
            "synthetic-unidirectional.hex",
            (0x1fc9, 0x2016),
            ep(0, 0, 0x02, None, 64, true),
        ),
    ];
    for (file, (vid, pid), want) in cases {
        let dev = load(file);
        assert_eq!((dev.vid, dev.pid), (vid, pid), "{file}");
        assert_eq!(choose_endpoints(&dev, false), want, "{file}");
        assert!(
            matches(&dev, Some((vid, pid))) && matches(&dev, None),
            "{file}"
        );
    }
    assert_eq!(load("gprinter-gp-r222c-6868-0500.hex").device_class, 0x02);
}

#[test]
fn a_usb_serial_bridge_is_no_printer_unless_a_technician_selects_it() {
    let dev = load("ch340-serial-1a86-7523.hex");
    assert_eq!(choose_endpoints(&dev, false), None);
    assert!(!matches(&dev, None));
    // Named explicitly, its bulk pipes are used (the interrupt endpoint is not).
    assert_eq!(
        choose_endpoints(&dev, true),
        ep(0, 0, 0x02, Some(0x82), 32, false)
    );
    assert!(matches(&dev, Some((0x1a86, 0x7523))));
}

#[test]
fn malformed_descriptors_are_errors_not_panics() {
    let good: Vec<u8> = {
        let d = load("gprinter-gp58-6868-0200.hex");
        assert_eq!(d.interfaces.len(), 1);
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/usb/gprinter-gp58-6868-0200.hex"),
        )
        .expect("file");
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| l.split_whitespace())
            .map(|h| u8::from_str_radix(h, 16).expect("hex"))
            .collect()
    };
    for cut in [0, 5, 17, 18, 20, 30, good.len() - 1] {
        assert!(
            parse_descriptors(&good[..cut], "t").is_err(),
            "truncated at {cut}"
        );
    }
    let mut zero_len = good.clone();
    zero_len[18 + 9] = 0;
    assert!(parse_descriptors(&zero_len, "t").is_err());
}

/// A fake bus device: takes at most `per_write` bytes per transfer, records what arrived,
/// and can stall; port status is a fixed byte.
#[derive(Clone, Default)]
struct FakeIo {
    written: Arc<Mutex<Vec<u8>>>,
    transfers: Arc<Mutex<Vec<usize>>>,
    per_write: usize,
    stall: bool,
    port_status: u8,
}

impl UsbPrinterIo for FakeIo {
    fn write_bulk(&mut self, _ep: u8, data: &[u8], _t: Duration) -> Result<usize, PrinterError> {
        self.transfers.lock().expect("lock").push(data.len());
        if self.stall {
            return Ok(0);
        }
        let n = data.len().min(self.per_write);
        self.written
            .lock()
            .expect("lock")
            .extend_from_slice(&data[..n]);
        Ok(n)
    }
    fn read_bulk(&mut self, _ep: u8, _buf: &mut [u8], _t: Duration) -> Result<usize, PrinterError> {
        Ok(0)
    }
    fn get_port_status(&mut self, _i: u8, _t: Duration) -> Result<u8, PrinterError> {
        Ok(self.port_status)
    }
}

#[test]
fn short_writes_are_continued_and_large_jobs_are_chunked() {
    let endpoints = choose_endpoints(&load("gprinter-gp58-6868-0200.hex"), false).expect("printer");
    let io = FakeIo {
        per_write: 1000,
        ..FakeIo::default()
    };
    let mut t = UsbTransport::new(io.clone(), endpoints, "usb 6868:0200");
    let job: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    t.write_all(&job, Duration::from_secs(1)).expect("write");
    assert_eq!(*io.written.lock().expect("lock"), job);
    assert!(io
        .transfers
        .lock()
        .expect("lock")
        .iter()
        .all(|n| *n <= CHUNK_BYTES));
}

#[test]
fn a_stalled_pipe_times_out_instead_of_hanging() {
    let endpoints = choose_endpoints(&load("gprinter-gp58-6868-0200.hex"), false).expect("printer");
    let mut t = UsbTransport::new(
        FakeIo {
            stall: true,
            ..FakeIo::default()
        },
        endpoints,
        "usb",
    );
    let err = t
        .write_all(b"data", Duration::from_millis(10))
        .expect_err("stall");
    assert!(matches!(err, PrinterError::Timeout(..)));
}

#[test]
fn a_unidirectional_printer_is_checked_through_port_status() {
    let endpoints =
        choose_endpoints(&load("synthetic-unidirectional.hex"), false).expect("printer");
    let ok = FakeIo {
        per_write: 64,
        port_status: 0x18,
        ..FakeIo::default()
    };
    let mut printer = ReceiptPrinter::new(
        UsbTransport::new(ok.clone(), endpoints, "usb"),
        PrinterProfile::GENERIC_58,
    );
    let (_, how) = printer
        .print_receipt(&sample::typical_receipt())
        .expect("prints");
    assert_eq!(how, Confirmation::PortStatusOnly);
    assert!(!ok.written.lock().expect("lock").is_empty());
    let out = FakeIo {
        per_write: 64,
        port_status: 0x38,
        ..FakeIo::default()
    };
    let mut printer = ReceiptPrinter::new(
        UsbTransport::new(out.clone(), endpoints, "usb"),
        PrinterProfile::GENERIC_58,
    );
    assert!(
        matches!(printer.print_receipt(&sample::typical_receipt()), Err(PrinterError::NotReady(s)) if s.code() == "paperOut")
    );
    assert!(
        out.written.lock().expect("lock").is_empty(),
        "nothing sent to a printer without paper"
    );
}

/// The emulator behind a bulk pipe: the bus cannot run here, the protocol can.
struct EmulatedIo {
    emu: Emulator,
    answers: Vec<u8>,
}

impl UsbPrinterIo for EmulatedIo {
    fn write_bulk(&mut self, _ep: u8, data: &[u8], _t: Duration) -> Result<usize, PrinterError> {
        let n = data.len().min(64); // one full-speed packet per transfer: many short writes
        self.emu.receive(&data[..n]);
        self.emu.process(None)?;
        self.answers.extend(self.emu.take_answers());
        Ok(n)
    }
    fn read_bulk(&mut self, _ep: u8, buf: &mut [u8], _t: Duration) -> Result<usize, PrinterError> {
        let n = buf.len().min(self.answers.len());
        buf[..n].copy_from_slice(&self.answers[..n]);
        self.answers.drain(..n);
        Ok(n)
    }
    fn get_port_status(&mut self, _i: u8, _t: Duration) -> Result<u8, PrinterError> {
        Ok(0x18)
    }
}

#[test]
fn a_receipt_over_the_usb_transport_is_printed_and_confirmed() {
    let endpoints =
        choose_endpoints(&load("xprinter-xp-t58h-0483-5743.hex"), false).expect("printer");
    let cfg = EmulatorConfig {
        width_dots: 384,
        charset: FirmwareCharset::Gb2312,
        out_dir: None,
        keep_receipts: 2,
    };
    let io = EmulatedIo {
        emu: Emulator::new(cfg).expect("emulator"),
        answers: Vec::new(),
    };
    let mut printer = ReceiptPrinter::new(
        UsbTransport::new(io, endpoints, "usb 0483:5743"),
        PrinterProfile::GENERIC_58,
    );
    let (_, how) = printer
        .print_receipt(&sample::typical_receipt())
        .expect("prints over USB");
    assert_eq!(how, Confirmation::Printed);
    assert!(printer
        .device_status()
        .identity
        .connection
        .contains("0483:5743"));
}
