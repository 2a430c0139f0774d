//! The receipt printer (凭条打印机): ESC/POS encoding, receipt layout, status, transports,
//! the driver, and an emulator that renders what it prints.
//!
//! - [`codec`]: one function per ESC/POS command (pure bytes).
//! - [`text`], [`raster`], [`font`]: GB18030 classification and wrapping, 1-bit images and
//!   QR rasters, the CJK font for raster text.
//! - [`layout`]: the [`Receipt`] the kiosk fills, encoded for a [`PrinterProfile`].
//! - [`status`]: DLE EOT / GS r / ASB / GET_PORT_STATUS → [`PrinterStatus`].
//! - [`transport`]: serial and USB byte pipes; [`driver`]: [`ReceiptPrinter`].
//! - [`sim`]: the emulator.

pub mod codec;
pub mod driver;
pub mod error;
pub mod font;
pub mod layout;
pub mod profile;
pub mod raster;
pub mod sample;
pub mod sim;
pub mod status;
pub mod text;
pub mod transport;

pub use driver::{Confirmation, ReceiptPrinter, Timeouts};
pub use error::PrinterError;
pub use layout::{Block, Receipt};
pub use profile::PrinterProfile;
pub use status::{PaperLevel, PrinterStatus};
