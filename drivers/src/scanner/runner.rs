//! A scanner on its own thread: opens the device, pushes scan and status events into a sink,
//! and after an unplug or error reconnects by the one rule of [`crate::link`], without a
//! restart. This is the piece the device manager runs per scanner; a flooding or silent
//! scanner only ever occupies its own thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crate::link::{supervise, Backoff, Link, Served, Supervised};
use crate::status::{ClassStatus, DeviceClass, DeviceEvent, DeviceState, DeviceStatus, LastError};

use super::driver::{SerialScanner, SerialScannerConfig};
use super::error::ScannerError;
use super::filter::ScanOutcome;
use super::sanitize::Rejection;
use super::ScanEvent;

/// What a running scanner reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerEvent {
    /// The device's state or last error changed (online, offline, powerOff, …).
    Status(DeviceEvent),
    /// A code was scanned and passed every check.
    Scan(ScanEvent),
    /// A code was refused; the citizen should be told, the text is gone.
    Rejected(Rejection),
}

/// Where a runner delivers its events. Returns `false` once nobody listens: the runner stops.
///
/// Implemented for `std::sync::mpsc::Sender` and for closures, so a tokio-based manager can
/// pass `move |e| tx.send(e).is_ok()` with an unbounded tokio sender.
pub trait ScannerSink: Send + 'static {
    /// Delivers one event.
    fn deliver(&mut self, event: ScannerEvent) -> bool;
}

impl ScannerSink for std::sync::mpsc::Sender<ScannerEvent> {
    fn deliver(&mut self, event: ScannerEvent) -> bool {
        self.send(event).is_ok()
    }
}

impl<F: FnMut(ScannerEvent) -> bool + Send + 'static> ScannerSink for F {
    fn deliver(&mut self, event: ScannerEvent) -> bool {
        self(event)
    }
}

/// An open scanner of any kind (serial, USB) as the runner drives it.
pub trait ScanSource {
    /// Waits a bounded time for input; pushes outcomes. An error means reconnect.
    fn poll(&mut self, out: &mut Vec<ScanOutcome>) -> Result<(), ScannerError>;
    /// Codes refused so far.
    fn rejected_total(&self) -> u64;
}

impl<L: Link<Error = ScannerError>> ScanSource for SerialScanner<L> {
    fn poll(&mut self, out: &mut Vec<ScanOutcome>) -> Result<(), ScannerError> {
        SerialScanner::poll(self, out)
    }
    fn rejected_total(&self) -> u64 {
        SerialScanner::rejected_total(self)
    }
}

/// A scanner running on its own thread. Dropping it stops the thread.
#[derive(Debug)]
pub struct ScannerRunner {
    stop: Arc<AtomicBool>,
    wake: Arc<Wake>,
    status: Arc<Mutex<DeviceStatus>>,
    thread: Option<JoinHandle<()>>,
}

impl ScannerRunner {
    /// Runs a serial scanner with these settings.
    pub fn spawn_serial(
        config: SerialScannerConfig,
        backoff: Backoff,
        sink: impl ScannerSink,
    ) -> std::io::Result<Self> {
        let connection = format!("{} @{}", config.path.display(), config.baud);
        Self::spawn(
            connection,
            move || SerialScanner::open(&config),
            backoff,
            sink,
        )
    }

    /// Runs the scanner a `[scanner]` section of kiosk.toml names: a serial port or a USB id.
    /// Returns `None` for `sim` and `none`: simulators belong to whoever owns them (the
    /// device manager), and an absent scanner has nothing to run.
    pub fn spawn_configured(
        config: &kiosk_config::schema::Scanner,
        backoff: Backoff,
        sink: impl ScannerSink,
    ) -> std::io::Result<Option<Self>> {
        use kiosk_config::DeviceSelector;
        match &config.device {
            DeviceSelector::Serial(path) => {
                let serial = SerialScannerConfig::from_config(path, config);
                Self::spawn_serial(serial, backoff, sink).map(Some)
            }
            DeviceSelector::Usb { vid, pid, serial } => {
                let (vid, pid, serial) = (*vid, *pid, serial.clone());
                let policy = super::TextPolicy {
                    max_len: config.max_code_len,
                    ..super::TextPolicy::default()
                };
                let open =
                    move || super::usb::open_usb(vid, pid, serial.as_deref(), policy.clone());
                Self::spawn(format!("usb {vid:04x}:{pid:04x}"), open, backoff, sink).map(Some)
            }
            DeviceSelector::Sim | DeviceSelector::None => Ok(None),
        }
    }

    /// Runs any scanner: `open` is called at start and after every failure.
    pub fn spawn<S, O>(
        connection: String,
        open: O,
        backoff: Backoff,
        sink: impl ScannerSink,
    ) -> std::io::Result<Self>
    where
        S: ScanSource,
        O: FnMut() -> Result<S, ScannerError> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let wake = Arc::new(Wake::default());
        let status = Arc::new(Mutex::new(DeviceStatus::new(
            DeviceClass::Scanner,
            connection,
        )));
        let mut worker = Worker {
            stop: Arc::clone(&stop),
            wake: Arc::clone(&wake),
            status: Arc::clone(&status),
            sink,
            open,
            was_online: false,
            rejected_before: 0,
        };
        let thread = std::thread::Builder::new()
            .name("scanner".into())
            .spawn(move || supervise(&mut worker, backoff))?;
        Ok(ScannerRunner {
            stop,
            wake,
            status,
            thread: Some(thread),
        })
    }

    /// The scanner's current status: the snapshot the device manager publishes.
    pub fn status(&self) -> DeviceStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The scanner may have just appeared (a hot-plug event): if the runner is waiting to
    /// reconnect, it tries at once instead of at the end of its backoff.
    pub fn wake(&self) {
        *self
            .wake
            .woken
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = true;
        self.wake.signal.notify_all();
    }

    /// Whether the thread still runs. It ends by itself only when the sink is closed.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the thread and waits for it (at most about one read timeout).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ScannerRunner {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A wake-up for a worker sleeping between reconnect attempts.
#[derive(Debug, Default)]
struct Wake {
    woken: Mutex<bool>,
    signal: Condvar,
}

struct Worker<K, O> {
    stop: Arc<AtomicBool>,
    wake: Arc<Wake>,
    status: Arc<Mutex<DeviceStatus>>,
    sink: K,
    /// Opens the scanner; called at start and after every failure.
    open: O,
    /// Whether a link was ever up (the next one counts as a reconnect).
    was_online: bool,
    /// Codes refused on earlier links.
    rejected_before: u64,
}

/// Why the worker's inner loop ended.
enum Exit {
    Stop,
    Lost(ScannerError),
}

impl<K, S, O> Supervised for Worker<K, O>
where
    K: ScannerSink,
    S: ScanSource,
    O: FnMut() -> Result<S, ScannerError>,
{
    type Link = S;
    type Error = ScannerError;

    fn open(&mut self) -> Result<S, ScannerError> {
        (self.open)()
    }

    fn kind(error: &ScannerError) -> crate::ErrorKind {
        error.kind()
    }

    fn open_failed(&mut self, error: &ScannerError) -> bool {
        let state = if error.kind().is_lost() {
            DeviceState::PowerOff
        } else {
            DeviceState::Offline
        };
        self.failed(error, state)
    }

    fn serve(&mut self, mut source: S) -> Served {
        let was_online = self.was_online;
        let ok = self.update(|s| {
            if was_online {
                s.counters.reconnects += 1;
            }
            s.state = DeviceState::Online;
        });
        self.was_online = true;
        if !ok {
            return Served::Stop;
        }
        match self.serve_source(&mut source, self.rejected_before) {
            Exit::Stop => Served::Stop,
            Exit::Lost(err) => {
                self.rejected_before += source.rejected_total();
                if self.failed(&err, DeviceState::Offline) {
                    Served::Lost
                } else {
                    Served::Stop
                }
            }
        }
    }

    fn wait(&mut self, wait: Duration) -> bool {
        self.sleep(wait);
        self.stopped()
    }
}

impl<K: ScannerSink, O> Worker<K, O> {
    /// Reads until the source fails or a stop is requested.
    fn serve_source<S: ScanSource>(&mut self, source: &mut S, rejected_before: u64) -> Exit {
        let mut out = Vec::new();
        while !self.stopped() {
            if let Err(err) = source.poll(&mut out) {
                return Exit::Lost(err);
            }
            if out.is_empty() {
                continue;
            }
            let rejected = rejected_before + source.rejected_total();
            for outcome in out.drain(..) {
                let event = match outcome {
                    ScanOutcome::Scan(scan) => {
                        self.with_status(|s| s.counters.operations_ok += 1);
                        ScannerEvent::Scan(scan)
                    }
                    ScanOutcome::Rejected(why) => {
                        self.with_status(|s| {
                            s.counters.operations_failed += 1;
                            s.last_error = Some(LastError {
                                code: why.code().to_owned(),
                                message: why.to_string(),
                                at: SystemTime::now(),
                            });
                        });
                        ScannerEvent::Rejected(why)
                    }
                };
                if !self.sink.deliver(event) {
                    return Exit::Stop;
                }
            }
            self.with_status(|s| {
                s.detail = ClassStatus::Scanner {
                    rejected_codes: rejected,
                }
            });
        }
        Exit::Stop
    }

    /// Records a failure; publishes a status event only when the state or error code changes,
    /// so a scanner retrying every few seconds does not spam the manager.
    fn failed(&mut self, err: &ScannerError, state: DeviceState) -> bool {
        let code = err.code();
        let changed = {
            let s = self.lock();
            s.state != state || s.last_error.as_ref().map(|e| e.code.as_str()) != Some(code)
        };
        self.with_status(|s| s.counters.communication_errors += 1);
        if !changed {
            return true;
        }
        self.update(|s| {
            s.state = state;
            s.last_error = Some(LastError {
                code: code.to_owned(),
                message: err.to_string(),
                at: SystemTime::now(),
            });
        })
    }

    /// Changes the status and publishes it.
    fn update(&mut self, change: impl FnOnce(&mut DeviceStatus)) -> bool {
        let snapshot = {
            let mut s = self.lock();
            change(&mut s);
            s.clone()
        };
        self.sink
            .deliver(ScannerEvent::Status(DeviceEvent::StatusChanged(snapshot)))
    }

    fn with_status(&self, change: impl FnOnce(&mut DeviceStatus)) {
        change(&mut self.lock());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DeviceStatus> {
        self.status.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Sleeps in short slices so a stop request is honoured quickly; a wake-up (hot-plug)
    /// ends the sleep at once.
    fn sleep(&self, total: Duration) {
        let until = Instant::now() + total;
        // A wake-up that came while opening counts: the device may have appeared just
        // after the failed open. (One from an earlier unplug only shortens one wait.)
        let mut woken = self
            .wake
            .woken
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while !self.stopped() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            woken = self
                .wake
                .signal
                .wait_timeout(woken, left.min(Duration::from_millis(50)))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if *woken {
                *woken = false;
                return;
            }
        }
    }
}
