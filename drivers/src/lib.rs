//! Drivers for the kiosk's devices, and simulators for the device side of each protocol.
//!
//! - [`error`]: the one [`ErrorKind`] every driver error answers with (what to do about it);
//!   [`link`]: the one reconnect [`Backoff`] and the supervisor loop every device runner uses.
//! - [`status`]: the device status model every driver reports in (XFS4IoT / UnifiedPOS
//!   vocabulary: `online`, `offline`, `hardwareError`, …), with identity, counters and the
//!   last error. The device manager, `/metrics` and the hall's fleet view all speak it.
//! - [`scanner`]: QR / barcode scanners over serial and USB (HID POS, keyboard wedge), the
//!   hostile-input checks on scanned text, a runner that reconnects, and a simulator.
//! - [`usb_ids`]: known kiosk devices by VID:PID; [`listing`]: serial ports and USB devices
//!   present, marked when present but not accessible (permissions), with the fix.
//! - [`printer`]: the receipt printer (ESC/POS encoder, receipt layout, status, serial and
//!   USB transports, driver, and an emulator that renders receipts to PNG).
//! - [`idcard`]: the ID-card reader (SAM protocol): codec, card layouts, driver, simulator.
//! - [`a4printer`]: the A4 printer over IPP (`ipp://`): status from printer-state-reasons,
//!   PDF jobs followed to completion, and the kiosk's documents rendered as A4 PDFs.
//! - [`audio`]: the loudspeaker (ALSA): clips, WAV reading, playback with cut-off.
//! - [`camera`]: the document camera (高拍仪, UVC over V4L2) and its page pipeline (sheet
//!   found, straightened to A4, contrast for text, JPEG; a material's pages as one PDF).
//!
//! Each device class lives in its own folder, split by role: `codec` (pure bytes ⇄ types),
//! `driver` (I/O and sequencing), `sim` (the device side of the same protocol, used by the
//! demo, by technicians for training, and by the tests over pseudo-terminal pairs).

pub mod a4printer;
pub mod audio;
pub mod camera;
pub mod error;
pub mod idcard;
pub mod link;
pub mod listing;
pub mod printer;
pub mod scanner;
pub mod status;
pub mod usb_ids;

pub use error::ErrorKind;
pub use link::{Backoff, Retry};
pub use status::{DeviceClass, DeviceEvent, DeviceState, DeviceStatus};
