//! What the device manager tells the service: status changes in the shared vocabulary and
//! the citizen-facing events (card read, card removed, code scanned, printer status).

use std::sync::Arc;

use kiosk_drivers::idcard::IdCard;
use kiosk_drivers::scanner::{Rejection, ScanEvent};
use kiosk_drivers::status::DeviceStatus;
use kiosk_drivers::ErrorKind;

/// One event of the manager's stream.
///
/// Personal data stays masked in `Debug` (the card's and the scan's own `Debug` mask it);
/// the card is shared (`Arc`) so many subscribers do not make many copies to wipe.
#[derive(Debug, Clone)]
pub enum ManagerEvent {
    /// A device's status changed: state, class fields (paper, cover, SAM, card present),
    /// identity, counters, last error or last health check. Printer status arrives here.
    Status(DeviceStatus),
    /// A card was put on the reader; reading starts (show "reading, keep the card still").
    CardPlaced,
    /// A card was read and decoded.
    CardRead(Arc<IdCard>),
    /// A card was on the reader but could not be read.
    CardReadFailed {
        /// What to do about it; the session words it for the citizen.
        kind: ErrorKind,
        /// Stable code (`readFailed`, `checkDigit`, `checksum`, …).
        code: &'static str,
        /// English, for the technician's log; no personal data.
        message: String,
    },
    /// The card left the reader.
    CardRemoved,
    /// A code was scanned and passed every check.
    CodeScanned(ScanEvent),
    /// A scanned code was refused (too long, control characters, flood); its text is gone.
    ScanRejected(Rejection),
}

impl ManagerEvent {
    /// One of the card reader's transitions (read, unreadable, removed): the session's
    /// picture of the card on the reader. The runner yields at most one per poll, so they
    /// cannot flood, and none may be lost.
    pub fn is_card_transition(&self) -> bool {
        matches!(
            self,
            ManagerEvent::CardRead(_)
                | ManagerEvent::CardReadFailed { .. }
                | ManagerEvent::CardRemoved
        )
    }
}
