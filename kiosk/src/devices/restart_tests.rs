//! A device runner that dies — a panic in its thread, or a return while the manager still
//! runs — is started again by its supervisor, counted in the hub's restarts (and so in the
//! device's reconnect counter), and its device comes back online. Each device's runner is
//! killed for real (a connector or opener that panics, a runner that returns) and brought
//! back against its simulator on a pty.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiosk_drivers::idcard::transport::SerialTransport;
use kiosk_drivers::idcard::{
    Connector, IdCardError, Pace, ReaderHandle, RunnerConfig, SerialConnector,
};
use kiosk_drivers::printer::transport::serial::SerialTransport as PrinterSerial;
use kiosk_drivers::printer::transport::PrinterTransport;
use kiosk_drivers::printer::{PrinterProfile, Timeouts};
use kiosk_drivers::scanner::driver::SerialScannerConfig;
use kiosk_drivers::scanner::{Framing, ScannerEvent, ScannerRunner};
use kiosk_drivers::status::{DeviceClass, DeviceCounters, DeviceState, DeviceStatus};
use kiosk_drivers::Backoff;

use super::hub::Hub;
use super::sim::SimBuilder;
use super::{idcard, printer, scanner};

const BACKOFF: Backoff = Backoff {
    first: Duration::from_millis(10),
    max: Duration::from_millis(200),
};

fn hub() -> Hub {
    Hub::new(DeviceClass::ALL.map(|c| DeviceStatus::new(c, "test")))
}

/// Waits (at most 30 s, not a timing test) until `class` is online with `restarts` restarts.
fn wait_back_online(hub: &Hub, class: DeviceClass, restarts: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = hub.get(class);
        if status.state == DeviceState::Online && hub.restarts(class) == restarts {
            assert!(
                status.counters.reconnects >= restarts,
                "restarts count as reconnects: {:?}",
                status.counters
            );
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the {class} did not come back online after {restarts} restart(s): {status:?}, restarts {}",
            hub.restarts(class)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A serial connector whose first open panics, killing the runner thread.
struct PanicsOnce {
    inner: SerialConnector,
    armed: Arc<AtomicBool>,
}

impl Connector for PanicsOnce {
    type Link = SerialTransport;

    fn open(&mut self, baud: u32) -> Result<SerialTransport, IdCardError> {
        if self.armed.swap(false, Ordering::SeqCst) {
            panic!("injected fault: the reader runner dies");
        }
        self.inner.open(baud)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

fn link(dir: &Path, name: &str) -> (std::path::PathBuf, String) {
    let link = dir.join(name);
    let text = link.display().to_string();
    (link, text)
}

#[test]
fn a_reader_runner_that_panics_is_restarted_and_the_reader_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (link, path) = link(dir.path(), "reader");
    let mut sims = SimBuilder::default();
    sims.reader(&link, None).unwrap();
    let _sims = sims.build();

    let armed = Arc::new(AtomicBool::new(true));
    // The session wanted a card before the panic: the new runner starts eager too.
    let pace = Arc::new(idcard::PaceLink::default());
    pace.set(Pace::Eager);
    let started_at = Arc::new(std::sync::Mutex::new(Vec::new()));
    let paces = started_at.clone();
    let start = idcard::Start::Custom(Box::new(move |config: RunnerConfig| {
        paces.lock().unwrap().push(config.pace);
        let connector = PanicsOnce {
            inner: SerialConnector { path: path.clone() },
            armed: armed.clone(),
        };
        ReaderHandle::spawn(connector, config)
    }));
    let (hub, stop) = (hub(), Arc::new(AtomicBool::new(false)));
    let (_requests, rx) = mpsc::channel();
    let thread = {
        let (hub, stop) = (hub.clone(), stop.clone());
        std::thread::spawn(move || {
            idcard::supervise(start, RunnerConfig::default(), hub, rx, stop, BACKOFF, pace)
        })
    };
    wait_back_online(&hub, DeviceClass::IdCardReader, 1);
    stop.store(true, Ordering::SeqCst);
    thread.join().unwrap();
    let paces = started_at.lock().unwrap().clone();
    assert!(paces.len() >= 2, "{paces:?}");
    assert!(paces.iter().all(|p| *p == Pace::Eager), "{paces:?}");
}

#[test]
fn a_printer_worker_that_panics_is_restarted_and_the_printer_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (link, path) = link(dir.path(), "printer");
    let mut sims = SimBuilder::default();
    sims.printer(&link, 80, &dir.path().join("out")).unwrap();
    let _sims = sims.build();

    let mut opened = 0u32;
    let open: printer::Opener = Box::new(move || {
        opened += 1;
        if opened == 1 {
            panic!("injected fault: the printer worker dies");
        }
        let flow = kiosk_config::schema::FlowControl::None;
        PrinterSerial::open(&path, 115_200, flow).map(|t| Box::new(t) as Box<dyn PrinterTransport>)
    });
    let (hub, stop) = (hub(), Arc::new(AtomicBool::new(false)));
    let (_requests, rx) = mpsc::sync_channel(printer::QUEUE);
    let mut worker = printer::Worker {
        open,
        profile: PrinterProfile::by_name("generic-80").unwrap(),
        hub: hub.clone(),
        requests: rx,
        stop: stop.clone(),
        poll: Duration::from_millis(50),
        backoff: BACKOFF,
        timeouts: Timeouts::default(),
        status: hub.get(DeviceClass::ReceiptPrinter),
        carried: DeviceCounters::default(),
    };
    let thread = std::thread::spawn(move || printer::supervise(&mut worker));
    wait_back_online(&hub, DeviceClass::ReceiptPrinter, 1);
    stop.store(true, Ordering::SeqCst);
    thread.join().unwrap();
}

#[test]
fn a_scanner_runner_that_returns_is_restarted_and_the_scanner_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (link, _) = link(dir.path(), "scanner");
    let mut sims = SimBuilder::default();
    sims.scanner(&link, Framing::default()).unwrap();
    let _sims = sims.build();

    let config = SerialScannerConfig::from_config(&link, &kiosk_config::schema::Scanner::default());
    let first = Arc::new(AtomicBool::new(true));
    let start = scanner::Start::Custom(Box::new(move |hub: &Hub, backoff: Backoff| {
        if first.swap(false, Ordering::SeqCst) {
            // A sink that refuses: the runner returns after its first event.
            let refuse = |_: ScannerEvent| false;
            return ScannerRunner::spawn_serial(config.clone(), backoff, refuse).map(Some);
        }
        let hub = hub.clone();
        let sink = move |event: ScannerEvent| {
            scanner::publish(&hub, event);
            true
        };
        ScannerRunner::spawn_serial(config.clone(), backoff, sink).map(Some)
    }));
    let (hub, stop) = (hub(), Arc::new(AtomicBool::new(false)));
    let (_wake, wakes) = mpsc::channel();
    let thread = {
        let (hub, stop) = (hub.clone(), stop.clone());
        std::thread::spawn(move || scanner::supervise(start, hub, stop, BACKOFF, wakes))
    };
    wait_back_online(&hub, DeviceClass::Scanner, 1);
    stop.store(true, Ordering::SeqCst);
    thread.join().unwrap();
}
