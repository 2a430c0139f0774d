//! The receipt printer's own thread: opens the transport, polls the status (the driver is
//! request/answer, so someone must ask), runs print jobs one at a time and answers each
//! with the printer's confirmation, and after an unplug or a dead link reopens on the drivers'
//! one reconnect loop (`kiosk_drivers::link`).
//! [`PrinterHandle`] is how the service prints.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

use kiosk_drivers::link::{self, Retry, Served, Supervised};
use kiosk_drivers::printer::transport::PrinterTransport;
use kiosk_drivers::printer::{
    Confirmation, PrinterError, PrinterProfile, PrinterStatus, Receipt, ReceiptPrinter, Timeouts,
};
use kiosk_drivers::status::{DeviceClass, DeviceCounters, DeviceState, DeviceStatus};
use kiosk_drivers::ErrorKind;
use tokio::sync::oneshot;

use super::error::DeviceError;
use super::hub::Hub;
use super::Backoff;

const CLASS: DeviceClass = DeviceClass::ReceiptPrinter;
/// Jobs that may wait for the printer; more are refused as busy instead of queueing forever.
pub(crate) const QUEUE: usize = 4;
/// Failed status queries in a row after which the link is closed and reopened.
const REOPEN_AFTER: u32 = 3;

/// A receipt the printer confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintResult {
    /// The printer's status right after the job (it may say paper low).
    pub status: PrinterStatus,
    /// How the printer confirmed it.
    pub confirmation: Confirmation,
}

pub(crate) enum Request {
    Print(
        Box<Receipt>,
        oneshot::Sender<Result<PrintResult, DeviceError>>,
    ),
    Status(oneshot::Sender<Result<PrinterStatus, DeviceError>>),
    /// A hot-plug event concerns the printer: reopen (or poll) now.
    Wake,
}

/// Prints receipts on the kiosk's printer; cheap to clone, usable from any task or thread.
#[derive(Debug, Clone)]
pub struct PrinterHandle {
    requests: Option<SyncSender<Request>>,
    /// The longest a caller waits for a job's answer (the driver has its own timeouts;
    /// this bounds a wedged thread).
    pub answer_timeout: Duration,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Request::Print(..) => "Print",
            Request::Status(_) => "Status",
            Request::Wake => "Wake",
        })
    }
}

impl PrinterHandle {
    pub(crate) fn new(requests: Option<SyncSender<Request>>) -> Self {
        PrinterHandle {
            requests,
            answer_timeout: Duration::from_secs(120),
        }
    }

    fn send<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, DeviceError>>) -> Request,
    ) -> Result<oneshot::Receiver<Result<T, DeviceError>>, DeviceError> {
        let requests = self
            .requests
            .as_ref()
            .ok_or(DeviceError::NotFitted(CLASS))?;
        let (tx, rx) = oneshot::channel();
        match requests.try_send(make(tx)) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_)) => Err(DeviceError::Busy(CLASS)),
            Err(TrySendError::Disconnected(_)) => Err(DeviceError::Stopped),
        }
    }

    async fn wait<T>(
        &self,
        rx: oneshot::Receiver<Result<T, DeviceError>>,
    ) -> Result<T, DeviceError> {
        match tokio::time::timeout(self.answer_timeout, rx).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(DeviceError::Stopped),
            Err(_) => Err(DeviceError::Timeout {
                class: CLASS,
                seconds: self.answer_timeout.as_secs(),
            }),
        }
    }

    /// Prints a receipt and waits until the printer confirms it (or says why not).
    /// `Ok` means printed; an error's `kind()` tells whether to retry or report.
    pub async fn print(&self, receipt: Receipt) -> Result<PrintResult, DeviceError> {
        let rx = self.send(|tx| Request::Print(Box::new(receipt), tx))?;
        self.wait(rx).await
    }

    /// Asks the printer for its status now (the internal health check uses this).
    pub async fn query_status(&self) -> Result<PrinterStatus, DeviceError> {
        let rx = self.send(Request::Status)?;
        self.wait(rx).await
    }

    /// [`PrinterHandle::print`] for a thread outside the runtime (kioskctl, tests).
    pub fn print_blocking(&self, receipt: Receipt) -> Result<PrintResult, DeviceError> {
        let rx = self.send(|tx| Request::Print(Box::new(receipt), tx))?;
        rx.blocking_recv().map_err(|_| DeviceError::Stopped)?
    }
}

/// Opens the printer's transport; called at start and after every loss.
pub(crate) type Opener = Box<dyn FnMut() -> Result<Box<dyn PrinterTransport>, PrinterError> + Send>;

pub(crate) struct Worker {
    pub(crate) open: Opener,
    pub(crate) profile: PrinterProfile,
    pub(crate) hub: Hub,
    pub(crate) requests: Receiver<Request>,
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) poll: Duration,
    pub(crate) backoff: Backoff,
    pub(crate) timeouts: Timeouts,
    /// What the manager publishes: the driver's fields plus counters kept across links.
    pub(crate) status: DeviceStatus,
    pub(crate) carried: DeviceCounters,
}

enum End {
    Stop,
    Lost,
}

/// Runs the worker until `stop`, starting it again whenever it dies (a panic) or returns
/// while the manager still runs; each restart is counted and logged. Meant for its own
/// thread.
pub(crate) fn supervise(worker: &mut Worker) {
    let mut retry = Retry::new(worker.backoff);
    loop {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| worker.run()));
        if worker.stop.load(Ordering::Relaxed) {
            return;
        }
        let how = if run.is_err() { "panicked" } else { "returned" };
        worker.hub.restarted(CLASS);
        tracing::warn!("the receipt printer's worker {how} unexpectedly; starting it again");
        let until = std::time::Instant::now() + retry.failed();
        while std::time::Instant::now() < until {
            if worker.stop.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The worker as the drivers' one reconnect loop sees it: open, serve a session, wait
/// (answering requests with "not connected") before the next open.
struct Supervisee<'a> {
    worker: &'a mut Worker,
    connected_before: bool,
}

impl Supervised for Supervisee<'_> {
    type Link = Box<dyn PrinterTransport>;
    type Error = PrinterError;

    fn open(&mut self) -> Result<Box<dyn PrinterTransport>, PrinterError> {
        (self.worker.open)()
    }

    fn kind(error: &PrinterError) -> ErrorKind {
        error.kind()
    }

    fn open_failed(&mut self, e: &PrinterError) -> bool {
        let w = &mut *self.worker;
        let state = if e.kind().is_lost() {
            DeviceState::PowerOff
        } else {
            DeviceState::Offline
        };
        let code = if state == DeviceState::PowerOff {
            "notConnected"
        } else {
            "open"
        };
        let changed = w.status.state != state
            || w.status.last_error.as_ref().map(|l| l.code.as_str()) != Some(code);
        w.status.state = state;
        if changed {
            w.status.record_error(code, e.to_string());
        }
        w.status.counters.communication_errors += 1;
        w.carried = w.status.counters;
        w.hub.status(w.status.clone());
        true
    }

    fn serve(&mut self, transport: Box<dyn PrinterTransport>) -> Served {
        let w = &mut *self.worker;
        if self.connected_before {
            w.carried.reconnects += 1;
        }
        self.connected_before = true;
        let printer = ReceiptPrinter::new(transport, w.profile.clone()).with_timeouts(w.timeouts);
        match w.session(printer) {
            End::Stop => Served::Stop,
            End::Lost => Served::Lost,
        }
    }

    fn wait(&mut self, wait: Duration) -> bool {
        self.worker.serve_disconnected(wait)
    }
}

impl Worker {
    /// Runs until stopped, reconnecting by the one rule of `kiosk_drivers::link`.
    pub(crate) fn run(&mut self) {
        let backoff = self.backoff;
        link::supervise(
            &mut Supervisee {
                worker: self,
                connected_before: false,
            },
            backoff,
        );
    }

    /// Answers requests with "not connected" while waiting to retry; true on stop.
    fn serve_disconnected(&mut self, wait: Duration) -> bool {
        let until = std::time::Instant::now() + wait;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return true;
            }
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            match self
                .requests
                .recv_timeout(left.min(Duration::from_millis(50)))
            {
                Ok(Request::Print(_, reply)) => {
                    let _ = reply.send(Err(DeviceError::NotConnected(CLASS)));
                }
                Ok(Request::Status(reply)) => {
                    let _ = reply.send(Err(DeviceError::NotConnected(CLASS)));
                }
                Ok(Request::Wake) => return false,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return true,
            }
        }
    }

    fn session(&mut self, mut printer: ReceiptPrinter<Box<dyn PrinterTransport>>) -> End {
        let mut failures = 0u32;
        // A session starts with a status poll.
        let mut next: Option<Request> = None;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return End::Stop;
            }
            let lost = match next {
                Some(Request::Print(receipt, reply)) => {
                    self.status.state = DeviceState::Busy;
                    self.hub.status(self.status.clone());
                    let result = printer.print_receipt(&receipt);
                    drop(receipt);
                    let lost = result.as_ref().is_err_and(|e| e.kind().is_lost());
                    self.merge(&printer);
                    let _ = reply.send(
                        result
                            .map(|(status, confirmation)| PrintResult {
                                status,
                                confirmation,
                            })
                            .map_err(DeviceError::from),
                    );
                    if !lost {
                        // The driver leaves the state as of its last query; refresh it so a
                        // finished job does not leave the printer "busy".
                        let _ = printer.query_status();
                        self.merge(&printer);
                    }
                    lost
                }
                Some(Request::Status(reply)) => {
                    let result = printer.query_status();
                    self.merge(&printer);
                    let lost = self.judge(&result, &mut failures);
                    let _ = reply.send(result.map_err(DeviceError::from));
                    lost
                }
                // A poll, or a hot-plug event: ask now (an unplug shows at once).
                None | Some(Request::Wake) => {
                    let result = printer.query_status();
                    self.merge(&printer);
                    self.judge(&result, &mut failures)
                }
            };
            if lost {
                self.carried = self.status.counters;
                return End::Lost;
            }
            next = match self.requests.recv_timeout(self.poll) {
                Ok(request) => Some(request),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return End::Stop,
            };
        }
    }

    /// Whether a status query's outcome means the link is gone.
    fn judge(&mut self, result: &Result<PrinterStatus, PrinterError>, failures: &mut u32) -> bool {
        match result {
            Ok(_) => {
                *failures = 0;
                false
            }
            Err(e) if e.kind().is_lost() => true,
            Err(_) => {
                *failures += 1;
                *failures >= REOPEN_AFTER
            }
        }
    }

    /// Takes the driver's view into the published status and publishes it if it changed.
    fn merge(&mut self, printer: &ReceiptPrinter<Box<dyn PrinterTransport>>) {
        let d = printer.device_status();
        self.status.state = d.state;
        self.status.detail = d.detail.clone();
        self.status.identity.connection = d.identity.connection.clone();
        if d.last_error.is_some() {
            self.status.last_error = d.last_error.clone();
        }
        let c = d.counters;
        self.status.counters = DeviceCounters {
            operations_ok: self.carried.operations_ok + c.operations_ok,
            operations_failed: self.carried.operations_failed + c.operations_failed,
            communication_errors: self.carried.communication_errors + c.communication_errors,
            reconnects: self.carried.reconnects + c.reconnects,
        };
        self.hub.status(self.status.clone());
    }
}
