//! The kiosk's Slint UI: screens, widgets and theme in `ui/` (`.slint` files), and the Rust side
//! that the kiosk service uses to show its state.
//!
//! - [`screen`]: one module per screen of `ui/views/*.slint`: its view model (plain Rust
//!   structs the kiosk's session fills in) and its adapter onto the screen's Slint global (no
//!   logic); the shell, the keyboard and list paging that several screens share.
//! - [`language`]: run-time switch between zh-CN and the bundled English.
//! - [`ime`]: pinyin candidates for the on-screen keyboard, ranked, no UI.
//! - [`qr`]: the receipt's QR code as an image.
//! - [`headless`]: the offscreen platform: render screens to pixels and PNG with no display
//!   (the kiosk without a display, its screenshots, tests and benchmarks).
//! - [`speech`]: voice prompts for elder mode (espeak-ng's Mandarin voice, or silent).
//! - [`touch`]: what is touchable on screen and where; a tap at a pixel.
//! - [`error`]: the crate's error type.

#[forbid(unsafe_code)]
pub mod error;
#[forbid(unsafe_code)]
pub mod headless;
#[forbid(unsafe_code)]
pub mod ime;
#[forbid(unsafe_code)]
pub mod language;
#[forbid(unsafe_code)]
pub mod qr;
#[forbid(unsafe_code)]
pub mod screen;
#[forbid(unsafe_code)]
pub mod speech;
#[forbid(unsafe_code)]
pub mod touch;

/// The Rust code Slint generates from `ui/app.slint`: `AppWindow` and the adapter globals.
pub mod generated;

pub use error::{UiError, UiErrorKind};
pub use generated::AppWindow;
