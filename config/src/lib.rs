//! The kiosk's configuration.
//!
//! One file per kiosk, `/etc/kiosk/kiosk.toml` by default. [`schema`] holds the typed
//! structs with their defaults; [`DeviceSelector`] is how a key names a device.

pub mod schema;
mod selector;

pub use schema::Config;
pub use selector::{DeviceSelector, SelectorError};
