//! The device manager: every device of the kiosk (ID-card reader, receipt printer,
//! scanner), real or simulated, each on its own thread, kept alive through unplugs and
//! errors, behind one snapshot and one event stream.
//!
//! - [`manager`]: [`DeviceManager::start`] from `[devices]`, the snapshot, the events.
//! - [`hub`]: where device threads publish; per-device event budgets so a flooding device
//!   loses only its own surplus (counted), and publishing never blocks.
//! - [`idcard`], [`printer`], [`scanner`]: one supervisor per device. The reader and
//!   scanner runners of `kiosk-drivers` reconnect by themselves; their supervisors restart
//!   a runner that died. The printer driver is request/answer, so its worker here polls the
//!   status and runs jobs one at a time, on the same reconnect loop
//!   (`kiosk_drivers::link::supervise`).
//! - [`sim`]: `sim` mode — the project's simulators on ptys in this process, the real
//!   drivers on the other end — and [`SimControl`] to place cards, scan, switch faults.
//! - [`health`]: `internal` and `external` health checks (UnifiedPOS `checkHealth`).
//! - [`a4printer`]: the A4 printer over IPP: a poller publishes its state, [`A4Handle`]
//!   prints PDFs and follows each job to its end.
//!
//! - [`hotplug`]: udev's device events (tty, usb, hidraw, usbmisc) wake the runner of the
//!   device they concern, which reconnects at once. Where udev is not available, or an
//!   event is missed, each runner's backoff (`kiosk_drivers::link`: 100 ms doubling to 5 s,
//!   the same rule for every device) still finds the
//!   device again (a reader chosen by USB id is looked up again on each attempt, so a new
//!   `/dev/ttyUSB*` name is followed).

pub mod a4printer;
pub mod audio;
pub mod camera;
mod camera_photos;
pub mod camera_preview;
pub mod error;
pub mod event;
mod health;
mod health_reader;
pub mod hotplug;
mod hotplug_udev;
pub(crate) mod hub;
pub(crate) mod idcard;
pub mod manager;
pub mod printer;
#[cfg(test)]
mod restart_tests;
pub(crate) mod scanner;
pub mod selftest;
pub mod sim;

pub use a4printer::A4Handle;
pub use audio::AudioReporter;
pub use camera::{CameraHandle, Shot};
pub use camera_preview::{PreviewFrame, PreviewSink};
pub use error::DeviceError;
pub use event::ManagerEvent;
pub use hotplug::{Hotplug, InjectedEvents, Uevent, UeventAction};
pub use kiosk_drivers::{Backoff, ErrorKind};
pub use manager::{DeviceManager, ManagerOptions};
pub use printer::{PrintResult, PrinterHandle};
pub use selftest::{SelftestLine, SelftestReport};
pub use sim::SimControl;
