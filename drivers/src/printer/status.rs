//! Printer status: parsing of `DLE EOT 1–4`, `GS r 1`, ASB frames and the USB class
//! `GET_PORT_STATUS` byte into one [`PrinterStatus`], and its mapping onto the shared device
//! status model. Bit meanings come from the profile's [`StatusBits`] where models differ.

use std::fmt;

use crate::status::{DeviceState, PaperState};
use crate::ErrorKind;

use super::profile::StatusBits;

/// Paper sensor reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaperLevel {
    /// Enough paper.
    #[default]
    Adequate,
    /// Near-end sensor fired.
    NearEnd,
    /// No paper.
    Out,
}

/// What the printer says about itself, merged from one or more status answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    /// DLE EOT 1 bit 3 (or port status "not selected").
    pub offline: bool,
    /// DLE EOT 2 bit 2.
    pub cover_open: bool,
    /// Paper sensors.
    pub paper: PaperLevel,
    /// DLE EOT 2 bit 6: an error occurred (details in the bits below).
    pub error: bool,
    /// DLE EOT 3 bit 3: autocutter error (jam); recover with DLE ENQ after clearing.
    pub cutter_error: bool,
    /// DLE EOT 3 bit 5: hardware fault that needs service.
    pub unrecoverable: bool,
    /// DLE EOT 3 bit 6: head overheat or similar; clears by itself.
    pub auto_recoverable: bool,
    /// DLE EOT 3 bit 2: mechanical / recoverable error.
    pub recoverable: bool,
}

/// Why a status byte was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StatusParseError {
    /// The byte does not have the fixed bits of the expected answer.
    #[error("byte {byte:#04x} is not a {what} answer")]
    Pattern {
        /// The byte received.
        byte: u8,
        /// Which answer was expected.
        what: &'static str,
    },
    /// DLE EOT n outside 1–4.
    #[error("DLE EOT {0} is not a status function (1–4)")]
    Function(u8),
}

/// Whether a byte has the DLE EOT answer pattern `0xx1xx10`.
pub fn is_realtime_answer(byte: u8) -> bool {
    byte & 0x93 == 0x12
}

/// Whether a byte has the GS r answer pattern `0xx0xxxx`.
pub fn is_transmit_answer(byte: u8) -> bool {
    byte & 0x90 == 0x00
}

impl PrinterStatus {
    /// Merges the answer to `DLE EOT n` into this status.
    pub fn apply_realtime(
        &mut self,
        n: u8,
        byte: u8,
        bits: &StatusBits,
    ) -> Result<(), StatusParseError> {
        if !is_realtime_answer(byte) {
            return Err(StatusParseError::Pattern {
                byte,
                what: "DLE EOT",
            });
        }
        match n {
            1 => self.offline = byte & 0x08 != 0,
            2 => {
                self.cover_open = byte & 0x04 != 0;
                if byte & 0x20 != 0 {
                    self.paper = PaperLevel::Out;
                }
                self.error = byte & 0x40 != 0;
            }
            3 => {
                self.recoverable = byte & 0x04 != 0;
                self.cutter_error = byte & 0x08 != 0;
                self.unrecoverable = byte & 0x20 != 0;
                self.auto_recoverable = byte & 0x40 != 0;
            }
            4 => {
                self.paper = if byte & bits.eot4_paper_out == bits.eot4_paper_out {
                    PaperLevel::Out
                } else if byte & bits.eot4_near_end == bits.eot4_near_end {
                    PaperLevel::NearEnd
                } else {
                    PaperLevel::Adequate
                };
            }
            other => return Err(StatusParseError::Function(other)),
        }
        Ok(())
    }

    /// Parses the answer to `GS r 1` (paper sensors).
    pub fn paper_from_transmit(
        byte: u8,
        bits: &StatusBits,
    ) -> Result<PaperLevel, StatusParseError> {
        if !is_transmit_answer(byte) {
            return Err(StatusParseError::Pattern { byte, what: "GS r" });
        }
        Ok(if byte & bits.gsr_paper_out == bits.gsr_paper_out {
            PaperLevel::Out
        } else if byte & bits.gsr_near_end == bits.gsr_near_end {
            PaperLevel::NearEnd
        } else {
            PaperLevel::Adequate
        })
    }

    /// Parses a 4-byte Automatic Status Back frame.
    pub fn from_asb(frame: [u8; 4]) -> Result<PrinterStatus, StatusParseError> {
        if frame[0] & 0x93 != 0x10 {
            return Err(StatusParseError::Pattern {
                byte: frame[0],
                what: "ASB first",
            });
        }
        for b in &frame[1..] {
            if !is_transmit_answer(*b) {
                return Err(StatusParseError::Pattern {
                    byte: *b,
                    what: "ASB",
                });
            }
        }
        let paper = if frame[2] & 0x0C == 0x0C {
            PaperLevel::Out
        } else if frame[2] & 0x03 == 0x03 {
            PaperLevel::NearEnd
        } else {
            PaperLevel::Adequate
        };
        Ok(PrinterStatus {
            offline: frame[0] & 0x08 != 0,
            cover_open: frame[0] & 0x20 != 0,
            paper,
            error: frame[1] & 0x6C != 0,
            recoverable: frame[1] & 0x04 != 0,
            cutter_error: frame[1] & 0x08 != 0,
            unrecoverable: frame[1] & 0x20 != 0,
            auto_recoverable: frame[1] & 0x40 != 0,
        })
    }

    /// Parses the USB printer-class `GET_PORT_STATUS` byte (bit 5 paper empty, bit 4
    /// selected, bit 3 not-error). Coarser than DLE EOT, but works with a stalled bulk pipe.
    pub fn from_port_status(byte: u8) -> PrinterStatus {
        PrinterStatus {
            offline: byte & 0x10 == 0,
            paper: if byte & 0x20 != 0 {
                PaperLevel::Out
            } else {
                PaperLevel::Adequate
            },
            error: byte & 0x08 == 0,
            ..PrinterStatus::default()
        }
    }

    /// Whether a receipt can be printed now (paper low still prints).
    pub fn is_ready(&self) -> bool {
        !self.offline
            && !self.cover_open
            && self.paper != PaperLevel::Out
            && !self.error
            && !self.cutter_error
            && !self.unrecoverable
            && !self.auto_recoverable
            && !self.recoverable
    }

    /// The device state in the shared vocabulary.
    pub fn device_state(&self) -> DeviceState {
        if self.unrecoverable || self.cutter_error || self.recoverable {
            DeviceState::HardwareError
        } else if self.cover_open || self.paper == PaperLevel::Out {
            DeviceState::UserError
        } else if self.offline || self.error || self.auto_recoverable {
            DeviceState::Offline
        } else {
            DeviceState::Online
        }
    }

    /// The paper state in the shared vocabulary.
    pub fn paper_state(&self) -> PaperState {
        match (self.cutter_error, self.paper) {
            (true, _) => PaperState::Jammed,
            (false, PaperLevel::Out) => PaperState::Out,
            (false, PaperLevel::NearEnd) => PaperState::Low,
            (false, PaperLevel::Adequate) => PaperState::Full,
        }
    }

    /// A stable machine code for the worst condition (`paperOut`, `coverOpen`, …).
    pub fn code(&self) -> &'static str {
        self.conditions().first().map(|(c, _)| *c).unwrap_or("ok")
    }

    /// What is wrong, worst first, as (code, words for a technician).
    pub fn conditions(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if self.unrecoverable {
            out.push((
                "unrecoverable",
                "unrecoverable hardware error: the printer needs service",
            ));
        }
        if self.cutter_error {
            out.push((
                "cutterJam",
                "cutter jammed: open the cover, clear the paper, close it",
            ));
        }
        if self.recoverable {
            out.push((
                "mechanicalError",
                "mechanical error: clear the cause, then the printer recovers",
            ));
        }
        if self.cover_open {
            out.push(("coverOpen", "cover open: close the printer cover"));
        }
        if self.paper == PaperLevel::Out {
            out.push(("paperOut", "paper out: load a new paper roll"));
        }
        if self.auto_recoverable {
            out.push((
                "overheat",
                "head overheated or similar: waits and recovers by itself",
            ));
        }
        if self.error && out.is_empty() {
            out.push(("error", "printer reports an error"));
        }
        if self.offline && out.is_empty() {
            out.push(("offline", "offline: the printer is not accepting data"));
        }
        if self.paper == PaperLevel::NearEnd {
            out.push(("paperLow", "paper low: replace the roll soon"));
        }
        out
    }

    /// What to do about a printer that reports this status, sorted by its worst condition:
    /// paper and cover are the citizen-visible ones, the mechanism's faults need service, a
    /// head that recovers by itself is busy for a while.
    pub fn error_kind(&self) -> ErrorKind {
        match self.code() {
            "paperOut" => ErrorKind::PaperOut,
            "coverOpen" => ErrorKind::CoverOpen,
            "cutterJam" | "mechanicalError" | "unrecoverable" => ErrorKind::Fault,
            "overheat" => ErrorKind::Busy,
            _ => ErrorKind::Other,
        }
    }
}

impl fmt::Display for PrinterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let conditions = self.conditions();
        if conditions.is_empty() {
            return f.write_str("online, paper OK");
        }
        let words: Vec<_> = conditions.iter().map(|(_, w)| *w).collect();
        f.write_str(&words.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BITS: StatusBits = StatusBits::STANDARD;

    fn realtime(answers: [u8; 4]) -> PrinterStatus {
        let mut s = PrinterStatus::default();
        for (i, b) in answers.iter().enumerate() {
            s.apply_realtime(i as u8 + 1, *b, &BITS).unwrap();
        }
        s
    }

    #[test]
    fn all_clear_answers_mean_online_with_paper() {
        let s = realtime([0x12, 0x12, 0x12, 0x12]);
        assert!(s.is_ready());
        assert_eq!(s.device_state(), DeviceState::Online);
        assert_eq!(s.to_string(), "online, paper OK");
    }

    #[test]
    fn reference_examples_decode_to_their_meaning() {
        let s = realtime([0x1A, 0x12, 0x12, 0x12]);
        assert!(s.offline && !s.is_ready());
        assert_eq!(s.device_state(), DeviceState::Offline);
        let s = realtime([0x12, 0x12, 0x12, 0x72]);
        assert_eq!(s.paper, PaperLevel::Out);
        assert_eq!(s.paper_state(), PaperState::Out);
        let s = realtime([0x12, 0x12, 0x12, 0x1E]);
        assert_eq!(s.paper, PaperLevel::NearEnd);
        assert!(s.is_ready());
        assert_eq!(s.code(), "paperLow");
    }

    #[test]
    fn cover_cutter_and_unrecoverable_bits_surface() {
        let s = realtime([0x1A, 0x16, 0x12, 0x12]);
        assert!(s.cover_open);
        assert_eq!(s.device_state(), DeviceState::UserError);
        assert!(s.to_string().contains("cover open"));
        let s = realtime([0x1A, 0x52, 0x1A, 0x12]);
        assert!(s.cutter_error && s.error);
        assert_eq!(s.device_state(), DeviceState::HardwareError);
        assert_eq!(s.paper_state(), PaperState::Jammed);
        let s = realtime([0x1A, 0x52, 0x32, 0x12]);
        assert_eq!(s.code(), "unrecoverable");
    }

    #[test]
    fn bytes_without_the_answer_pattern_are_rejected() {
        let mut s = PrinterStatus::default();
        assert!(s.apply_realtime(1, 0x11, &BITS).is_err()); // XOFF-like
        assert!(s.apply_realtime(1, 0x00, &BITS).is_err());
        assert!(s.apply_realtime(5, 0x12, &BITS).is_err());
    }

    #[test]
    fn gs_r_and_port_status_and_asb_decode() {
        assert_eq!(
            PrinterStatus::paper_from_transmit(0x00, &BITS),
            Ok(PaperLevel::Adequate)
        );
        assert_eq!(
            PrinterStatus::paper_from_transmit(0x03, &BITS),
            Ok(PaperLevel::NearEnd)
        );
        assert_eq!(
            PrinterStatus::paper_from_transmit(0x0F, &BITS),
            Ok(PaperLevel::Out)
        );
        assert!(PrinterStatus::paper_from_transmit(0x12, &BITS).is_err());
        let p = PrinterStatus::from_port_status(0x18);
        assert!(p.is_ready());
        let p = PrinterStatus::from_port_status(0x38);
        assert_eq!(p.paper, PaperLevel::Out);
        let p = PrinterStatus::from_port_status(0x00);
        assert!(p.offline && p.error);
        let asb = PrinterStatus::from_asb([0x38, 0x08, 0x0C, 0x00]).unwrap();
        assert!(asb.offline && asb.cover_open && asb.cutter_error);
        assert_eq!(asb.paper, PaperLevel::Out);
        assert!(PrinterStatus::from_asb([0x12, 0, 0, 0]).is_err());
    }
}
