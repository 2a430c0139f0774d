//! Shared by the `devices_*` tests: a configuration with every device simulated, fast
//! manager options, and waits on the manager's events that fail with a clear message
//! instead of hanging (the bound is generous: these are not timing tests).
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use kiosk::devices::{DeviceManager, ManagerEvent, ManagerOptions};
use kiosk_config::{Config, DeviceSelector};
use kiosk_drivers::status::{DeviceClass, DeviceStatus};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;

/// The longest any wait in these tests lasts before it fails.
pub const BOUND: Duration = Duration::from_secs(30);

/// Every device `sim`, the printer's PNGs in `dir/receipts`.
/// A kiosk with only the A4 printer, at `uri` (ippeveprinter on loopback).
pub fn a4_only(uri: &str) -> Config {
    let mut config = Config::default();
    config.devices.idcard.device = DeviceSelector::None;
    config.devices.printer.device = DeviceSelector::None;
    config.devices.scanner.device = DeviceSelector::None;
    config.devices.audio.pcm = "none".into();
    config.devices.a4printer.enabled = true;
    config.devices.a4printer.uri = uri.to_owned();
    config
}

pub fn sim_config(dir: &Path) -> Config {
    let mut config = Config::default();
    config.devices.idcard.device = DeviceSelector::Sim;
    config.devices.printer.device = DeviceSelector::Sim;
    config.devices.printer.sim_out_dir = Some(dir.join("receipts"));
    config.devices.scanner.device = DeviceSelector::Sim;
    // ALSA's null PCM takes the samples and plays nothing: the loudspeaker is online.
    config.devices.audio.pcm = "null".into();
    config
}

/// Links in `dir/links`, the printer polled often.
pub fn options(dir: &Path) -> ManagerOptions {
    ManagerOptions {
        sim_dir: Some(dir.join("links")),
        printer_poll: Duration::from_millis(100),
        ..ManagerOptions::default()
    }
}

/// Starts a manager with every device simulated.
pub fn start_sim(dir: &Path) -> DeviceManager {
    DeviceManager::start(&sim_config(dir), options(dir)).expect("the manager starts")
}

/// The next event `pick` accepts; panics with `what` if none comes within [`BOUND`].
pub async fn next<T>(
    events: &mut Receiver<ManagerEvent>,
    what: &str,
    mut pick: impl FnMut(&ManagerEvent) -> Option<T>,
) -> T {
    let search = async {
        loop {
            match events.recv().await {
                Ok(e) => {
                    if let Some(found) = pick(&e) {
                        return found;
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => panic!("event stream closed while waiting for {what}"),
            }
        }
    };
    tokio::time::timeout(BOUND, search)
        .await
        .unwrap_or_else(|_| panic!("no event within {BOUND:?}: {what}"))
}

/// Waits until a status event of `class` satisfies `want`; returns it.
pub async fn status_where(
    events: &mut Receiver<ManagerEvent>,
    class: DeviceClass,
    what: &str,
    want: impl Fn(&DeviceStatus) -> bool,
) -> DeviceStatus {
    next(events, what, |e| match e {
        ManagerEvent::Status(s) if s.class == class && want(s) => Some(s.clone()),
        _ => None,
    })
    .await
}

/// Waits until the manager's snapshot shows `class` satisfying `want` (for states that
/// may already hold before the test subscribed).
pub async fn snapshot_where(
    manager: &DeviceManager,
    class: DeviceClass,
    what: &str,
    want: impl Fn(&DeviceStatus) -> bool,
) -> DeviceStatus {
    let mut watch = manager.watch();
    let found = tokio::time::timeout(BOUND, async {
        loop {
            let hit = watch
                .borrow_and_update()
                .iter()
                .find(|s| s.class == class && want(s))
                .cloned();
            if let Some(s) = hit {
                return s;
            }
            if watch.changed().await.is_err() {
                panic!("snapshot closed while waiting for {what}");
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("snapshot never showed {what} within {BOUND:?}"))
}
