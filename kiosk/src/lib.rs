//! The kiosk firmware: the service (`kiosk`) and the technicians' CLI (`kioskctl`).
//!
//! - [`cli`]: `kioskctl`'s commands, one module per device or concern.
//! - [`outbox`]: the durable, encrypted store-and-forward queue of submissions.
//! - [`service`]: the `kiosk` service's entry point.
//! - [`session`]: the citizen session machine, pure data: `step(state, event) -> (state, effects)`.

pub mod cli;
pub mod outbox;
pub mod service;
pub mod session;
