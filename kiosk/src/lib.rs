//! The kiosk firmware: the service (`kiosk`) and the technicians' CLI (`kioskctl`).
//!
//! - [`cli`]: `kioskctl`'s commands, one module per device or concern.
//! - [`health`]: `/metrics` and `/healthz`.
//! - [`outbox`]: the durable, encrypted store-and-forward queue of submissions.
//! - [`service`]: the `kiosk` service's entry point.

pub mod cli;
pub mod health;
pub mod outbox;
pub mod service;
