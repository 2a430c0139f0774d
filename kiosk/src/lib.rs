//! The kiosk firmware: the service (`kiosk`) and the technicians' CLI (`kioskctl`).
//!
//! - [`cli`]: `kioskctl`'s commands, one module per device or concern.
//! - [`service`]: the `kiosk` service's entry point.

pub mod cli;
pub mod service;
