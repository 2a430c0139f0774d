//! Supervises the scanner: the driver's runner reconnects with backoff by itself and pushes
//! its events into a sink; this forwards them to the hub and starts a new runner if the
//! old one died.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use kiosk_drivers::scanner::driver::SerialScannerConfig;
use kiosk_drivers::scanner::{ScannerEvent, ScannerRunner};
use kiosk_drivers::status::DeviceClass;
use kiosk_drivers::DeviceEvent;
use kiosk_drivers::{Backoff, Retry};

use super::event::ManagerEvent;
use super::hub::Hub;

const CLASS: DeviceClass = DeviceClass::Scanner;

/// How to start the runner (again).
pub(crate) enum Start {
    /// A serial scanner, or the simulator's pty link.
    Serial(SerialScannerConfig),
    /// What `[devices.scanner]` names (a serial path or a USB id).
    Configured(kiosk_config::schema::Scanner),
    /// Any runner (tests: one that returns).
    #[cfg(test)]
    Custom(Box<SpawnRunner>),
}

/// Starts a scanner runner publishing to the hub.
#[cfg(test)]
pub(crate) type SpawnRunner =
    dyn Fn(&Hub, Backoff) -> std::io::Result<Option<ScannerRunner>> + Send;

impl Start {
    fn spawn(&self, hub: &Hub, backoff: Backoff) -> std::io::Result<Option<ScannerRunner>> {
        let to = hub.clone();
        let sink = move |event: ScannerEvent| {
            publish(&to, event);
            true
        };
        match self {
            Start::Serial(config) => {
                ScannerRunner::spawn_serial(config.clone(), backoff, sink).map(Some)
            }
            Start::Configured(config) => ScannerRunner::spawn_configured(config, backoff, sink),
            #[cfg(test)]
            Start::Custom(spawn) => spawn(hub, backoff),
        }
    }
}

pub(super) fn publish(hub: &Hub, event: ScannerEvent) {
    match event {
        ScannerEvent::Status(DeviceEvent::StatusChanged(status)) => hub.status(status),
        ScannerEvent::Scan(scan) => hub.event(CLASS, ManagerEvent::CodeScanned(scan)),
        ScannerEvent::Rejected(why) => hub.event(CLASS, ManagerEvent::ScanRejected(why)),
    }
}

/// Runs the scanner until `stop`; meant for its own thread. A message on `wakes` (a
/// hot-plug event) makes a runner waiting to reconnect try at once.
pub(crate) fn supervise(
    start: Start,
    hub: Hub,
    stop: Arc<AtomicBool>,
    backoff: Backoff,
    wakes: Receiver<()>,
) {
    let mut retry = Retry::new(backoff);
    let mut first = true;
    while !stop.load(Ordering::Relaxed) {
        if !first {
            hub.restarted(CLASS);
            tracing::warn!("the scanner's runner stopped unexpectedly; starting it again");
        }
        first = false;
        let runner = match start.spawn(&hub, backoff) {
            Ok(Some(runner)) => runner,
            Ok(None) => return,
            Err(e) => {
                tracing::error!("cannot start the scanner thread: {e}");
                sleep_unless(&stop, retry.failed());
                continue;
            }
        };
        while runner.is_running() {
            if stop.load(Ordering::Relaxed) {
                runner.stop();
                return;
            }
            // The runner publishes state changes itself but keeps counters (codes read,
            // codes refused) in its status only; bring them into the snapshot.
            hub.status(runner.status());
            match wakes.recv_timeout(Duration::from_millis(50)) {
                Ok(()) => runner.wake(),
                Err(RecvTimeoutError::Timeout) => {}
                // No hot-plug monitor (sim mode, none configured): just pace the loop.
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(Duration::from_millis(50))
                }
            }
        }
        drop(runner);
        sleep_unless(&stop, retry.failed());
    }
}

fn sleep_unless(stop: &AtomicBool, total: Duration) {
    let until = std::time::Instant::now() + total;
    while !stop.load(Ordering::Relaxed) && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
}
