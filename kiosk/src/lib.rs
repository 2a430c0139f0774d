//! The kiosk firmware: the service (`kiosk`) and the technicians' CLI (`kioskctl`).
//!
//! - [`citizen`]: the session machine at work: fed by devices, screen and hall; effects done.
//! - [`cli`]: `kioskctl`'s commands, one module per device or concern.
//! - [`display`]: the Slint screen driven by the session (in a window, or offscreen).
//! - [`devices`]: the device manager: every device on its own thread, one snapshot, events,
//!   health checks, and the simulators of `sim` mode.
//! - [`delivery`]: outbox → hall, now for the waiting citizen, later by the worker.
//! - [`fleet`]: updates and remote actions the hall sends in its heartbeat answers.
//! - [`hall`]: the client of the hall backend and the catalog cache.
//! - [`health`]: `/metrics` and `/healthz`.
//! - [`outbox`]: the durable, encrypted store-and-forward queue of submissions.
//! - [`service`]: the `kiosk` service's entry point.
//! - [`uploads`]: attachments (photographed materials) checked, stored and uploaded first.
//! - [`session`]: the citizen session machine, pure data: `step(state, event) -> (state, effects)`.

pub mod citizen;
pub mod cli;
pub mod delivery;
pub mod devices;
pub mod display;
pub mod fleet;
pub mod hall;
pub mod health;
pub mod outbox;
pub mod service;
pub mod session;
pub mod uploads;
pub mod voice;
