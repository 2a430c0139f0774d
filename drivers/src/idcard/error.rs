//! The ID-card area's one error type, with a [`kind`](IdCardError::kind) callers act on.
//!
//! Messages are English for technicians and never carry personal data: a card that fails
//! to decode names the field, not its content.

use std::time::Duration;

use super::codec::Sw3;

pub(crate) use crate::error::ErrorKind;

/// Everything that can go wrong between the port and a decoded [`IdCard`](super::IdCard).
#[derive(Debug, thiserror::Error)]
pub enum IdCardError {
    /// An answer's XOR checksum did not match.
    #[error("checksum error in a frame from the reader (computed {computed:#04x}, frame says {found:#04x}); check the cable and baud rate")]
    Checksum {
        /// The XOR over LEN and body.
        computed: u8,
        /// The checksum byte on the wire.
        found: u8,
    },
    /// No complete answer within the command's time limit.
    #[error("no answer to {command} within {} ms; check that the reader is powered and on this port", after.as_millis())]
    Timeout {
        /// The command's name.
        command: &'static str,
        /// How long the driver waited.
        after: Duration,
    },
    /// An answer was framed correctly but its content does not fit the command.
    #[error("malformed answer to {command}: {reason}")]
    Malformed {
        /// The command's name.
        command: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The reader answered with an error status (SW3).
    #[error("the reader answered {command} with SW3 {:#04x} ({}): {}", sw3.code(), sw3.meaning(), sw3.advice())]
    Status {
        /// The command's name.
        command: &'static str,
        /// The reader's status byte.
        sw3: Sw3,
    },
    /// The serial port could not be opened.
    #[error("cannot open {port}: {source}; check the path in kiosk.toml and the udev rules (kiosk user in dialout)")]
    Open {
        /// The configured path.
        port: String,
        /// What serialport said.
        #[source]
        source: serialport::Error,
    },
    /// Reading or writing the port failed: the device went away.
    #[error("lost the reader on {port}: {source}; is it unplugged?")]
    Disconnected {
        /// The configured path.
        port: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// No baud rate produced an answer to the SAM status check.
    #[error("the reader on {port} answers at none of 115200/57600/38400/19200/9600 baud; check power and cable")]
    NoBaudRate {
        /// The configured path.
        port: String,
    },
    /// A field of the card's text block is not valid.
    #[error("card field {field} is not valid: {reason}")]
    InvalidField {
        /// Which field (English name).
        field: &'static str,
        /// Why (never the field's content).
        reason: &'static str,
    },
    /// The ID number's GB 11643 check character does not match.
    #[error("the ID number's check character is wrong (GB 11643 MOD 11-2 gives {expected}); the card data is corrupt")]
    CheckDigit {
        /// The character the other 17 digits call for.
        expected: char,
    },
    /// The ID number is not a valid number of its document (length, digits, birth date).
    #[error("the card's ID number is not valid ({0}); the card data is corrupt")]
    IdNumber(vocab::id_number::IdNumberError),
    /// A sample card file could not be read.
    #[error("sample card file {path}: {reason}")]
    CardFile {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl IdCardError {
    /// What the caller should do: retry, reconnect, report or ask for the card again.
    pub fn kind(&self) -> ErrorKind {
        match self {
            IdCardError::Checksum { .. } | IdCardError::Malformed { .. } => ErrorKind::Protocol,
            IdCardError::Timeout { .. } => ErrorKind::Timeout,
            IdCardError::Status { sw3, .. } => sw3.error_kind(),
            IdCardError::Open { port, source } => {
                ErrorKind::from_serial_open(std::path::Path::new(port), source)
            }
            IdCardError::Disconnected { .. } => ErrorKind::Disconnected,
            // The port opened but nothing answers at any rate: like a command timing out.
            IdCardError::NoBaudRate { .. } => ErrorKind::Timeout,
            IdCardError::InvalidField { .. }
            | IdCardError::CheckDigit { .. }
            | IdCardError::IdNumber(_) => ErrorKind::Unreadable,
            IdCardError::CardFile { .. } => ErrorKind::InvalidInput,
        }
    }

    /// A stable machine code for [`LastError`](crate::status::LastError) and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            IdCardError::Checksum { .. } => "checksum",
            IdCardError::Timeout { .. } => "timeout",
            IdCardError::Malformed { .. } => "malformed",
            IdCardError::Status { sw3, .. } => sw3.code_name(),
            IdCardError::Open { .. } => "openFailed",
            IdCardError::Disconnected { .. } => "disconnected",
            IdCardError::NoBaudRate { .. } => "noBaudRate",
            IdCardError::InvalidField { .. } | IdCardError::IdNumber(_) => "invalidCard",
            IdCardError::CheckDigit { .. } => "checkDigit",
            IdCardError::CardFile { .. } => "cardFile",
        }
    }
}

impl From<vocab::id_number::IdNumberError> for IdCardError {
    fn from(err: vocab::id_number::IdNumberError) -> Self {
        match err {
            vocab::id_number::IdNumberError::CheckCharacter { expected } => {
                IdCardError::CheckDigit { expected }
            }
            other => IdCardError::IdNumber(other),
        }
    }
}
