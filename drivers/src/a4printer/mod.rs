//! The A4 printer (A4打印机): IPP Everywhere printers and CUPS queues over `ipp://`, and the
//! PDFs the kiosk prints on them.
//!
//! - [`reasons`]: IPP `printer-state` and `printer-state-reasons` mapped to the device
//!   vocabulary (pure).
//! - [`driver`]: [`A4Printer`]: Get-Printer-Attributes, Print-Job with a PDF, and the job
//!   followed with Get-Job-Attributes until it completes, fails or stalls.
//! - [`pdf`]: a [`Receipt`](crate::printer::Receipt)'s blocks laid out on A4 pages and written
//!   as PDF with the CJK font embedded as a subset (text stays extractable).
//! - [`error`]: [`A4Error`] with a `kind()` the service acts on.
//! - [`stand_in`]: CUPS's `ippeveprinter` on loopback, the real printer tests and demos use.

pub mod driver;
pub mod error;
pub mod pdf;
pub mod reasons;
pub mod stand_in;

pub use driver::{A4Printer, JobOutcome, JobReport, JobWait};
pub use error::A4Error;
pub use reasons::{A4Condition, IppPrinterState, PrinterReport};
