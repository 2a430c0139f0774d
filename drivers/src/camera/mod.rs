//! The document camera (高拍仪): a UVC camera over V4L2 looking down at the desk, and the
//! pipeline that turns its photo of a sheet into an A4 page fit to send.
//!
//! - [`page`]: photo → corners ([`sheet`]) → upright A4 at 200 dpi → text contrast → JPEG
//!   of at most 300 KiB; [`pdf`]: a material's pages as one PDF.
//! - [`driver`]: UVC cameras over V4L2: list, open, still, preview stream.
//! - [`frame`]: the formats cameras send (MJPEG, YUYV), their conversion to RGB, and the
//!   choice of still and preview sizes from what a camera offers.
//! - [`sample`]: rendered document photos with known corners, for tests and benches.
//! - [`error`]: what went wrong, with a `kind()` saying what to do about it.

pub mod driver;
pub mod error;
pub mod frame;
pub mod page;
pub mod pdf;
pub mod sample;
pub mod sheet;

pub use driver::{list, CameraListing, DocumentCamera, Preview};
pub use error::{CameraError, NoSheet, PageError};
pub use frame::{Frame, Offer, PixelFormat};
pub use page::{process_photo, Page};
pub use pdf::material_pdf;
pub use sheet::Corners;
