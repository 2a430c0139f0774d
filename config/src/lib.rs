//! The kiosk's configuration.
//!
//! One file per kiosk, `/etc/kiosk/kiosk.toml` by default, overridable by `KIOSK_*`
//! environment variables. [`schema`] holds the typed structs with their defaults;
//! [`load()`] reads, applies overrides, and validates, reporting every problem at once with
//! its file, line, column, field and a hint ([`Report`]). [`DeviceSelector`] is how a key
//! names a device; [`pin`] keeps the maintenance PIN as a slow salted hash.

mod files;
mod load;
pub mod pin;
mod report;
pub mod schema;
mod selector;
mod source;
mod suggest;
mod validate;

pub use load::{load, LoadOptions, Loaded, DEFAULT_PATH, ENV_PREFIX};
pub use report::{Origin, Problem, Report, Severity};
pub use schema::Config;
pub use selector::{DeviceSelector, SelectorError};
pub use validate::{IDCARD_BAUD_RATES, PRINTER_PROFILES, STANDARD_BAUD_RATES};
