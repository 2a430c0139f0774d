//! The emulator served through plain files, as on the USB printer gadget (`/dev/g_printer0`)
//! of the HIL guest, which is a character device but no tty: here a real FIFO pair carries
//! the bytes, the host side is the real printer driver, and status answers, a full receipt
//! and a fault all cross it.

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use kiosk_drivers::printer::sim::file_link::FileLink;
use kiosk_drivers::printer::sim::runner::spawn_plain;
use kiosk_drivers::printer::sim::{Emulator, EmulatorConfig};
use kiosk_drivers::printer::transport::{Link, PrinterTransport};
use kiosk_drivers::printer::{
    sample, Confirmation, PaperLevel, PrinterError, PrinterProfile, ReceiptPrinter,
};
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

/// The host's end of the FIFO pair, non-blocking, with the transport's timeouts.
struct FifoHost {
    to_printer: File,
    from_printer: File,
}

fn io(context: &'static str) -> impl Fn(std::io::Error) -> PrinterError {
    move |source| PrinterError::Io { context, source }
}

impl PrinterTransport for FifoHost {}

impl Link for FifoHost {
    type Error = PrinterError;

    fn write_all(&mut self, data: &[u8], timeout: Duration) -> Result<(), PrinterError> {
        let deadline = Instant::now() + timeout;
        let mut sent = 0;
        while sent < data.len() {
            match self.to_printer.write(&data[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(PrinterError::Timeout(timeout, "writing to the FIFO"));
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(e) => return Err(io("writing to the FIFO")(e)),
            }
        }
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, PrinterError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.from_printer.read(buf) {
                Ok(n) if n > 0 => return Ok(n),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(io("reading from the FIFO")(e)),
            }
            if Instant::now() >= deadline {
                return Ok(0);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn describe(&self) -> String {
        "fifo".into()
    }
}

fn open(path: &Path, write: bool) -> File {
    File::options()
        .read(!write)
        .write(write)
        .custom_flags(OFlag::O_NONBLOCK.bits())
        .open(path)
        .expect("open FIFO")
}

#[test]
fn the_driver_prints_through_a_fifo_pair_to_the_emulator() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (to_printer, from_printer) = (dir.path().join("to"), dir.path().join("from"));
    for fifo in [&to_printer, &from_printer] {
        nix::unistd::mkfifo(fifo, Mode::from_bits_truncate(0o600)).expect("mkfifo");
    }
    // Readers first: a non-blocking open for writing needs a reader on the other end.
    let host_rx = open(&from_printer, false);
    let emu_rx = open(&to_printer, false);
    let emu_tx = open(&from_printer, true);
    let host_tx = open(&to_printer, true);

    let cfg = EmulatorConfig::paper_mm(80, Some(dir.path().join("out"))).expect("config");
    let emulator = Emulator::new(cfg).expect("emulator needs fonts-noto-cjk");
    let handle = spawn_plain(emulator, FileLink::split(emu_rx, emu_tx));
    let host = FifoHost {
        to_printer: host_tx,
        from_printer: host_rx,
    };
    let profile = PrinterProfile::by_name("generic-80").expect("profile");
    let mut printer = ReceiptPrinter::new(host, profile);

    let status = printer.query_status().expect("status through the FIFO");
    assert!(status.is_ready(), "{status}");
    let receipt = sample::test_receipt_at("FIFO-1", "测试大厅", "", "fifo");
    let (_, how) = printer.print_receipt(&receipt).expect("printed");
    assert_eq!(how, Confirmation::Printed);
    assert_eq!(handle.printed(), 1);
    assert!(dir.path().join("out/receipt-0001.png").exists());

    handle.apply_fault("paper-out").expect("fault");
    let status = printer.query_status().expect("status through the FIFO");
    assert_eq!(status.paper, PaperLevel::Out, "{status}");
    assert!(!status.is_ready());
    drop(printer);
    let emulator = handle.stop().expect("the emulator ran to the end");
    assert_eq!(emulator.printed(), 1);
}
