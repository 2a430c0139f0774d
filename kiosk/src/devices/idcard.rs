//! Supervises the ID-card reader: the driver's runner (`ReaderHandle`) already reconnects
//! with backoff after an unplug; this thread forwards its events to the hub and starts a
//! new runner if the old one died (a panic), so the reader comes back without a restart.
//! A reader chosen by USB id is found again on every attempt, so it may come back on
//! another `/dev/ttyUSB*` after a replug. [`PaceLink`] carries the poll pace the session
//! wants straight to the running runner, and to any runner started later.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_drivers::idcard::transport::SerialTransport;
use kiosk_drivers::idcard::{
    Connector, IdCardError, Pace, ReaderControl, ReaderEvent, ReaderHandle, RunnerConfig,
    SamAnswer, SerialConnector,
};
use kiosk_drivers::listing::{list_serial, SerialAttachment};
use kiosk_drivers::status::DeviceClass;
use kiosk_drivers::DeviceEvent;

use super::event::ManagerEvent;
use super::hub::Hub;
use super::Backoff;
use kiosk_drivers::Retry;

const CLASS: DeviceClass = DeviceClass::IdCardReader;

/// A reader behind a USB-serial bridge, chosen by USB id: resolved to its tty on each open.
#[derive(Debug, Clone)]
pub(crate) struct UsbSerialConnector {
    pub(crate) vid: u16,
    pub(crate) pid: u16,
    pub(crate) serial: Option<String>,
}

impl Connector for UsbSerialConnector {
    type Link = SerialTransport;

    fn open(&mut self, baud: u32) -> Result<SerialTransport, IdCardError> {
        let found = list_serial().ok().and_then(|ports| {
            ports.into_iter().find(|p| match &p.attachment {
                SerialAttachment::Usb {
                    vid, pid, serial, ..
                } => {
                    *vid == self.vid
                        && *pid == self.pid
                        && (self.serial.is_none() || *serial == self.serial)
                }
                _ => false,
            })
        });
        match found {
            Some(port) => SerialTransport::open(&port.path.to_string_lossy(), baud),
            None => Err(IdCardError::Open {
                port: self.describe(),
                source: serialport::Error::new(
                    serialport::ErrorKind::NoDevice,
                    "no serial port with this USB id is present",
                ),
            }),
        }
    }

    fn describe(&self) -> String {
        match &self.serial {
            Some(s) => format!("usb {:04x}:{:04x}:{s}", self.vid, self.pid),
            None => format!("usb {:04x}:{:04x}", self.vid, self.pid),
        }
    }
}

/// What the supervisor may be asked by health checks and the hot-plug monitor.
#[derive(Debug)]
pub(crate) enum ReaderRequest {
    /// Read the card on the reader again even though it was read already.
    ReadAgain,
    /// Ask the SAM for its status now; the answer goes to the sender.
    CheckSam(std::sync::mpsc::Sender<SamAnswer>),
    /// A hot-plug event concerns the reader: reconnect (or poll) now.
    Wake,
}

/// How to start a runner again.
pub(crate) enum Start {
    Serial(SerialConnector),
    Usb(UsbSerialConnector),
    /// Any runner (tests: one whose thread dies).
    #[cfg(test)]
    Custom(Box<dyn Fn(RunnerConfig) -> ReaderHandle + Send>),
}

impl Start {
    fn spawn(&self, config: RunnerConfig) -> ReaderHandle {
        match self {
            Start::Serial(c) => ReaderHandle::spawn(c.clone(), config),
            Start::Usb(c) => ReaderHandle::spawn(c.clone(), config),
            #[cfg(test)]
            Start::Custom(spawn) => spawn(config),
        }
    }
}

/// The pace the session wants, and the runner it goes to. A pace change reaches the runner
/// at once, not through the supervisor's request loop (which looks every 50 ms): a card
/// placed just after a screen starts waiting for one is then found within the eager interval.
#[derive(Debug, Default)]
pub(crate) struct PaceLink {
    inner: Mutex<(Pace, Option<ReaderControl>)>,
}

impl PaceLink {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Pace, Option<ReaderControl>)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session wants this pace from now on.
    pub(crate) fn set(&self, pace: Pace) {
        let mut inner = self.lock();
        if inner.0 != pace {
            inner.0 = pace;
            if let Some(control) = &inner.1 {
                control.set_pace(pace);
            }
        }
    }

    /// The pace wanted now.
    pub(crate) fn get(&self) -> Pace {
        self.lock().0
    }

    /// A new runner runs: it gets the pace wanted now (which may have changed since it was
    /// started with the pace of that moment) and every change from now on.
    fn attach(&self, control: ReaderControl) {
        let mut inner = self.lock();
        control.set_pace(inner.0);
        inner.1 = Some(control);
    }
}

/// Runs the reader until `stop`; meant for its own thread.
pub(crate) fn supervise(
    start: Start,
    config: RunnerConfig,
    hub: Hub,
    requests: Receiver<ReaderRequest>,
    stop: Arc<AtomicBool>,
    backoff: Backoff,
    pace: Arc<PaceLink>,
) {
    let mut retry = Retry::new(backoff);
    while !stop.load(Ordering::Relaxed) {
        let mut config = config.clone();
        config.pace = pace.get();
        let handle = start.spawn(config);
        pace.attach(handle.control());
        let died = forward(&handle, &hub, &requests, &stop);
        drop(handle);
        if !died {
            return;
        }
        hub.restarted(CLASS);
        tracing::warn!("the ID-card reader's runner stopped unexpectedly; starting it again");
        let until = std::time::Instant::now() + retry.failed();
        while std::time::Instant::now() < until {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Forwards events until stopped (false) or the runner died (true).
fn forward(
    handle: &ReaderHandle,
    hub: &Hub,
    requests: &Receiver<ReaderRequest>,
    stop: &AtomicBool,
) -> bool {
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        while let Ok(request) = requests.try_recv() {
            match request {
                ReaderRequest::ReadAgain => handle.read_again(),
                ReaderRequest::CheckSam(reply) => handle.check_sam(reply),
                ReaderRequest::Wake => handle.wake(),
            }
        }
        match handle.events().recv_timeout(Duration::from_millis(50)) {
            Ok(event) => publish(hub, event),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return true,
        }
    }
}

fn publish(hub: &Hub, event: ReaderEvent) {
    tracing::trace!(
        event = match &event {
            ReaderEvent::Status(_) => "status",
            ReaderEvent::CardPlaced => "card placed",
            ReaderEvent::CardRead(_) => "card read",
            ReaderEvent::ReadFailed { .. } => "read failed",
            ReaderEvent::CardRemoved => "card removed",
        },
        "reader event"
    );
    match event {
        ReaderEvent::Status(e) => {
            let DeviceEvent::StatusChanged(status) = *e;
            hub.status(status);
        }
        ReaderEvent::CardPlaced => hub.event(CLASS, ManagerEvent::CardPlaced),
        ReaderEvent::CardRead(card) => hub.event(CLASS, ManagerEvent::CardRead(Arc::new(*card))),
        ReaderEvent::ReadFailed {
            kind,
            code,
            message,
        } => hub.event(
            CLASS,
            ManagerEvent::CardReadFailed {
                kind,
                code,
                message,
            },
        ),
        ReaderEvent::CardRemoved => hub.event(CLASS, ManagerEvent::CardRemoved),
    }
}
