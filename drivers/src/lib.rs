//! Drivers for the kiosk's devices, and simulators for the device side of each protocol.
//!
//! - [`status`]: the device status model every driver reports in (XFS4IoT / UnifiedPOS
//!   vocabulary: `online`, `offline`, `hardwareError`, …), with identity, counters and the
//!   last error. The device manager, `/metrics` and the hall's fleet view all speak it.
//! - [`idcard`]: the ID-card reader (SAM protocol): codec, card layouts, driver, simulator.
//!
//! Each device class lives in its own folder, split by role: `codec` (pure bytes ⇄ types),
//! `driver` (I/O and sequencing), `sim` (the device side of the same protocol, used by the
//! demo, by technicians for training, and by the tests over pseudo-terminal pairs).

pub mod idcard;
pub mod status;

pub use status::{DeviceClass, DeviceEvent, DeviceState, DeviceStatus};
