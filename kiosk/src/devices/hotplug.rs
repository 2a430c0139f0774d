//! Hot-plug: the kernel's device events (uevents, as udev passes them on after its rules
//! ran, so the node's permissions and `/dev/serial/by-id` links are in place) wake the
//! runner of the device they concern, which then reconnects at once instead of at the end
//! of its backoff wait. Backoff polling stays: it is all there is where udev is not (a
//! container, a test), and it catches what an event might miss.
//!
//! The OS part is a [`UeventSource`]: the real one is udev's monitor socket
//! ([`super::hotplug_udev`]); tests and demos inject events through a channel
//! ([`Hotplug::Events`]). Which device an event concerns is decided here, from the
//! device's selector, and tested with recorded events.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use kiosk_config::DeviceSelector;
use kiosk_drivers::status::DeviceClass;

/// The subsystems a kiosk device appears in: serial ports (`tty`), USB devices (`usb`),
/// HID scanners (`hidraw`), USB printers (`usbmisc`, `/dev/usb/lp0`).
pub const SUBSYSTEMS: [&str; 4] = ["tty", "usb", "hidraw", "usbmisc"];

/// What happened to a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UeventAction {
    /// It appeared.
    Add,
    /// It went away.
    Remove,
    /// Anything else (`change`, `bind`, `unbind`, `move`): not a reason to wake anyone.
    Other,
}

/// One device event, reduced to what tells which kiosk device it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uevent {
    /// Added, removed, or other.
    pub action: UeventAction,
    /// `tty`, `usb`, `hidraw`, `usbmisc`, …
    pub subsystem: String,
    /// The device node (`/dev/ttyUSB0`), if it has one.
    pub devnode: Option<PathBuf>,
    /// The node's other names (`/dev/serial/by-id/…`), from udev's `DEVLINKS`.
    pub devlinks: Vec<PathBuf>,
    /// The USB vendor and product id, from `ID_VENDOR_ID`/`ID_MODEL_ID` or `PRODUCT`.
    pub usb_id: Option<(u16, u16)>,
}

impl Uevent {
    /// Builds an event from its properties (`ACTION`, `SUBSYSTEM`, `DEVNAME`, `DEVLINKS`,
    /// `ID_VENDOR_ID`, `ID_MODEL_ID`, `PRODUCT`), as udev or the kernel send them.
    pub fn from_properties<'a>(property: impl Fn(&str) -> Option<&'a str>) -> Uevent {
        let action = match property("ACTION") {
            Some("add") => UeventAction::Add,
            Some("remove") => UeventAction::Remove,
            _ => UeventAction::Other,
        };
        let devnode = property("DEVNAME").map(|name| {
            // The kernel sends the name relative to /dev; udev sends the full path.
            if name.starts_with('/') {
                PathBuf::from(name)
            } else {
                Path::new("/dev").join(name)
            }
        });
        let devlinks = property("DEVLINKS")
            .map(|links| links.split_whitespace().map(PathBuf::from).collect())
            .unwrap_or_default();
        let hex = |s: &str| u16::from_str_radix(s, 16).ok();
        let from_ids = match (property("ID_VENDOR_ID"), property("ID_MODEL_ID")) {
            (Some(v), Some(p)) => hex(v).zip(hex(p)),
            _ => None,
        };
        // PRODUCT=1a86/7523/264 (hex, no leading zeros) on usb devices and interfaces.
        let from_product = property("PRODUCT").and_then(|p| {
            let mut parts = p.split('/');
            hex(parts.next()?).zip(hex(parts.next()?))
        });
        Uevent {
            action,
            subsystem: property("SUBSYSTEM").unwrap_or_default().to_owned(),
            devnode,
            devlinks,
            usb_id: from_ids.or(from_product),
        }
    }

    /// Whether this event may concern the device `selector` names: an add or remove in a
    /// kiosk subsystem, of the configured node (or one of its links, or what its link
    /// points to), or of a USB device with the configured ids.
    pub fn concerns(&self, selector: &DeviceSelector) -> bool {
        if self.action == UeventAction::Other || !SUBSYSTEMS.contains(&self.subsystem.as_str()) {
            return false;
        }
        match selector {
            DeviceSelector::Serial(path) => {
                let named = |p: &Path| {
                    self.devnode.as_deref() == Some(p) || self.devlinks.iter().any(|l| l == p)
                };
                // A configured /dev/serial/by-id link that exists now: compare its target.
                named(path) || std::fs::canonicalize(path).is_ok_and(|target| named(&target))
            }
            DeviceSelector::Usb { vid, pid, .. } => self.usb_id == Some((*vid, *pid)),
            DeviceSelector::Sim | DeviceSelector::None => false,
        }
    }
}

/// Where device events come from.
pub trait UeventSource {
    /// The next event, waiting at most `wait`; `None` when none came.
    fn next_event(&mut self, wait: Duration) -> Option<Uevent>;
}

impl UeventSource for Receiver<Uevent> {
    fn next_event(&mut self, wait: Duration) -> Option<Uevent> {
        match self.recv_timeout(wait) {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                // Nobody injects any more: idle like a quiet socket.
                std::thread::sleep(wait);
                None
            }
        }
    }
}

/// How the device manager follows hot-plug.
#[derive(Debug, Clone, Default)]
pub enum Hotplug {
    /// udev's monitor socket; where it cannot be opened (no udev in a container), a
    /// warning is logged and backoff polling alone finds devices again.
    #[default]
    Udev,
    /// Backoff polling only.
    Off,
    /// Events from [`InjectedEvents::channel`] (tests, demos, training).
    Events(InjectedEvents),
}

/// The receiving end of injected events; taken by the first manager started with it.
#[derive(Clone)]
pub struct InjectedEvents(Arc<Mutex<Option<Receiver<Uevent>>>>);

impl std::fmt::Debug for InjectedEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InjectedEvents")
    }
}

impl InjectedEvents {
    /// A sender to inject events with, and the option value that hands them to a manager.
    pub fn channel() -> (Sender<Uevent>, InjectedEvents) {
        let (tx, rx) = mpsc::channel();
        (tx, InjectedEvents(Arc::new(Mutex::new(Some(rx)))))
    }

    pub(crate) fn take(&self) -> Option<Receiver<Uevent>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// What one device runner waits for, and how to wake it.
pub(crate) struct Watch {
    pub(crate) class: DeviceClass,
    pub(crate) selector: DeviceSelector,
    pub(crate) wake: Box<dyn Fn() + Send>,
}

/// Wakes the runners an event concerns; returns which.
pub(crate) fn dispatch(watches: &[Watch], event: &Uevent) -> Vec<DeviceClass> {
    let mut woken = Vec::new();
    for watch in watches {
        if event.concerns(&watch.selector) {
            (watch.wake)();
            woken.push(watch.class);
        }
    }
    woken
}

/// Reads events until `stop` and wakes the runners they concern; meant for its own thread.
pub(crate) fn pump(source: &mut dyn UeventSource, watches: &[Watch], stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let Some(event) = source.next_event(Duration::from_millis(100)) else {
            continue;
        };
        for class in dispatch(watches, &event) {
            tracing::info!(
                "hot-plug: {:?} {} {} concerns the {class}; reconnecting now",
                event.action,
                event.subsystem,
                event
                    .devnode
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            );
        }
    }
}

/// Runs the hot-plug monitor `mode` asks for until `stop`.
pub(crate) fn run(mode: Hotplug, watches: Vec<Watch>, stop: Arc<AtomicBool>) {
    match mode {
        Hotplug::Off => {}
        Hotplug::Events(injected) => match injected.take() {
            Some(mut rx) => pump(&mut rx, &watches, &stop),
            None => tracing::warn!("hot-plug: injected events already taken by another manager"),
        },
        Hotplug::Udev => match super::hotplug_udev::UdevSource::open() {
            Ok(mut source) => pump(&mut source, &watches, &stop),
            Err(e) => tracing::warn!(
                "hot-plug: cannot open udev's monitor socket ({e}); devices are found again \
                 by backoff polling only (normal in a container)"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CH340 USB-serial adapter appearing, as `udevadm monitor --udev --property` shows it.
    fn ch340_tty_add() -> Uevent {
        let props = [
            ("ACTION", "add"),
            ("SUBSYSTEM", "tty"),
            ("DEVNAME", "/dev/ttyUSB0"),
            (
                "DEVLINKS",
                "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0 \
                 /dev/serial/by-id/usb-1a86_USB_Serial-if00-port0",
            ),
            ("ID_VENDOR_ID", "1a86"),
            ("ID_MODEL_ID", "7523"),
        ];
        Uevent::from_properties(|k| props.iter().find(|(key, _)| *key == k).map(|(_, v)| *v))
    }

    #[test]
    fn recorded_events_are_read_with_node_links_and_ids() {
        let e = ch340_tty_add();
        assert_eq!(e.action, UeventAction::Add);
        assert_eq!(e.devnode.as_deref(), Some(Path::new("/dev/ttyUSB0")));
        assert_eq!(e.devlinks.len(), 2);
        assert_eq!(e.usb_id, Some((0x1a86, 0x7523)));

        // A kernel event of a USB device: relative DEVNAME, ids only in PRODUCT.
        let props = [
            ("ACTION", "remove"),
            ("SUBSYSTEM", "usb"),
            ("DEVNAME", "bus/usb/001/007"),
            ("PRODUCT", "6868/500/100"),
        ];
        let e =
            Uevent::from_properties(|k| props.iter().find(|(key, _)| *key == k).map(|(_, v)| *v));
        assert_eq!(e.action, UeventAction::Remove);
        assert_eq!(
            e.devnode.as_deref(),
            Some(Path::new("/dev/bus/usb/001/007"))
        );
        assert_eq!(e.usb_id, Some((0x6868, 0x0500)));
    }

    #[test]
    fn an_event_concerns_the_device_on_its_node_link_or_usb_id_only() {
        let e = ch340_tty_add();
        let serial = |p: &str| DeviceSelector::Serial(PathBuf::from(p));
        assert!(e.concerns(&serial("/dev/ttyUSB0")));
        assert!(e.concerns(&serial("/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0")));
        assert!(!e.concerns(&serial("/dev/ttyUSB1")));
        let usb = |vid, pid| DeviceSelector::Usb {
            vid,
            pid,
            serial: None,
        };
        assert!(e.concerns(&usb(0x1a86, 0x7523)));
        assert!(!e.concerns(&usb(0x0400, 0xc35a)));
        assert!(!e.concerns(&DeviceSelector::Sim));
        assert!(!e.concerns(&DeviceSelector::None));

        let change = Uevent {
            action: UeventAction::Other,
            ..e.clone()
        };
        assert!(!change.concerns(&serial("/dev/ttyUSB0")));
        let block = Uevent {
            subsystem: "block".into(),
            ..e
        };
        assert!(!block.concerns(&serial("/dev/ttyUSB0")));
    }

    #[test]
    fn a_configured_link_is_followed_to_the_node_the_event_names() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("printer");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        let event = Uevent {
            action: UeventAction::Add,
            subsystem: "usbmisc".into(),
            devnode: Some(PathBuf::from("/dev/null")),
            devlinks: Vec::new(),
            usb_id: None,
        };
        assert!(event.concerns(&DeviceSelector::Serial(link)));
    }

    #[test]
    fn dispatch_wakes_exactly_the_runners_concerned() {
        let woken = Arc::new(Mutex::new(Vec::new()));
        let watch = |class, path: &str| {
            let woken = woken.clone();
            Watch {
                class,
                selector: DeviceSelector::Serial(PathBuf::from(path)),
                wake: Box::new(move || woken.lock().unwrap().push(class)),
            }
        };
        let watches = [
            watch(DeviceClass::IdCardReader, "/dev/ttyUSB0"),
            watch(DeviceClass::Scanner, "/dev/ttyACM0"),
        ];
        assert_eq!(
            dispatch(&watches, &ch340_tty_add()),
            vec![DeviceClass::IdCardReader]
        );
        assert_eq!(*woken.lock().unwrap(), vec![DeviceClass::IdCardReader]);
    }
}
