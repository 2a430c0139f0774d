//! QR / barcode scanners (扫码器): serial scanners (USB-CDC or RS-232), USB HID POS scanners
//! and keyboard-wedge scanners, all ending in the same [`ScanEvent`].
//!
//! Split by role:
//! - [`codec`]: serial framing (terminator, prefix, suffix).
//! - [`aim`]: AIM symbology identifiers (`]Q1`) → [`Symbology`].
//! - [`sanitize`]: scanned text is untrusted; length, control characters, UTF-8 / GB18030.
//! - [`flood`]: a token bucket so a scanner (or a person) cannot flood the kiosk with codes.
//! - [`filter`]: the three above in order, turning one frame into a scan or a rejection.
//! - [`hid`]: HID POS reports (usage page 0x8C) and keyboard boot reports → frames, and a
//!   generator of both for tests and simulators.
//! - [`driver`]: the serial driver over `serialport`, every read with a timeout.
//! - [`usb_desc`]: which USB interface is the scanner's, from raw descriptors.
//! - [`usb`]: the USB path (interrupt IN reports) behind a small trait; the rusb part is thin.
//! - [`runner`]: a scanner on its own thread, pushing status and scan events into a sink
//!   and reconnecting after an unplug by the one rule of [`crate::link`]; what the device
//!   manager runs.
//! - [`sim`]: the device side: a serial scanner simulator on a pseudo-terminal.

pub mod aim;
pub mod codec;
pub mod driver;
mod error;
pub mod filter;
pub mod flood;
pub mod hid;
pub mod runner;
pub mod sanitize;
pub mod sim;
pub mod usb;
pub mod usb_desc;

use std::fmt;
use std::time::SystemTime;

pub use codec::{FrameEnd, Framing, Symbology};
pub use error::ScannerError;
pub use filter::{ScanFilter, ScanOutcome};
pub use runner::{ScannerEvent, ScannerRunner, ScannerSink};
pub use sanitize::{Rejection, TextPolicy};

/// One code read by a scanner, after every check passed.
///
/// The text may carry personal data (an e-licence code, a receipt number), so `Debug`
/// shows only its length and symbology, never the text.
#[derive(Clone, PartialEq, Eq)]
pub struct ScanEvent {
    /// Which kind of code, from the AIM identifier (or `Unknown` when the scanner sends none).
    pub symbology: Symbology,
    /// The AIM symbology identifier as sent (`]Q1`), if there was one.
    pub aim: Option<String>,
    /// The decoded, checked text, without AIM identifier, prefix, suffix or terminator.
    pub text: String,
    /// The bytes of the code as they came off the wire, framing removed, AIM kept.
    pub raw: Vec<u8>,
    /// When the code was read.
    pub at: SystemTime,
}

impl fmt::Debug for ScanEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScanEvent")
            .field("symbology", &self.symbology)
            .field("aim", &self.aim)
            .field(
                "text",
                &format_args!("<{} chars>", self.text.chars().count()),
            )
            .field("raw", &format_args!("<{} bytes>", self.raw.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_scanned_text() {
        let event = ScanEvent {
            symbology: Symbology::Qr,
            aim: Some("]Q1".into()),
            text: "330102199001011234".into(),
            raw: b"]Q1330102199001011234".to_vec(),
            at: SystemTime::now(),
        };
        let shown = format!("{event:?}");
        assert!(!shown.contains("1990"), "{shown}");
        assert!(shown.contains("<18 chars>"), "{shown}");
    }
}
