//! The printer area's error type: one enum of causes, with a `kind()` (the drivers' one
//! [`ErrorKind`]) the service acts on.

use std::time::Duration;

use super::status::PrinterStatus;

use crate::ErrorKind;

/// Everything that can go wrong while encoding for, talking to or emulating a receipt printer.
#[derive(Debug, thiserror::Error)]
pub enum PrinterError {
    /// The device did not answer or accept data in time.
    #[error("printer did not respond{after} while {doing}: check cable and power, then retry", after = within(.0), doing = .1)]
    Timeout(Duration, &'static str),
    /// Reading or writing the port failed.
    #[error("I/O error on printer port while {context}: {source}; check the cable or re-plug the printer")]
    Io {
        /// What the driver was doing.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The serial port could not be opened or configured.
    #[error("cannot open serial port {path}: {message}; check the path and that the kiosk user is in group dialout")]
    SerialOpen {
        /// The port path.
        path: String,
        /// What to do about it (absent, busy, not permitted, …).
        kind: ErrorKind,
        /// What serialport said.
        message: String,
    },
    /// A USB operation failed.
    #[error("USB error while {context}: {message}")]
    Usb {
        /// What the driver was doing.
        context: &'static str,
        /// What libusb said.
        message: String,
        /// Whether the device is gone (unplugged) rather than momentarily failing.
        gone: bool,
    },
    /// No USB printer matched the selector.
    #[error("no USB receipt printer found{0}: check `lsusb`, the cable, and the udev rule in image-build/udev")]
    UsbNotFound(String),
    /// The USB device exists but may not be opened.
    #[error("USB printer {0} found but permission denied: install the udev rule from image-build/udev and re-plug")]
    UsbPermission(String),
    /// The printer said something that does not fit the protocol.
    #[error("unexpected answer from printer while {context}: {detail}")]
    Protocol {
        /// What the driver was doing.
        context: &'static str,
        /// What was wrong, with the bytes in hex.
        detail: String,
    },
    /// The printer reports a state in which it cannot print (paper out, cover open, jam, offline).
    #[error("printer not ready: {0}")]
    NotReady(PrinterStatus),
    /// The job was sent but the printer did not confirm it printed.
    #[error("receipt not confirmed by the printer: {0}; the receipt must be printed again")]
    NotConfirmed(PrinterStatus),
    /// The content cannot be encoded (QR too long, barcode with characters CODE128 cannot carry).
    #[error("cannot encode receipt: {0}")]
    Content(String),
    /// No CJK font was found for raster text or the emulator.
    #[error("no CJK font found (tried {0}): install Debian package fonts-noto-cjk")]
    FontMissing(String),
    /// Writing the emulator's PNG or JSON output failed.
    #[error("cannot write emulator output {path}: {source}")]
    Output {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An unknown profile name or bad option.
    #[error("invalid printer configuration: {0}")]
    Config(String),
}

fn within(d: &Duration) -> String {
    if d.is_zero() {
        String::new()
    } else {
        format!(" within {d:?}")
    }
}

impl PrinterError {
    /// What the caller should do.
    pub fn kind(&self) -> ErrorKind {
        match self {
            PrinterError::Timeout(..) => ErrorKind::Timeout,
            PrinterError::Io { .. } => ErrorKind::Disconnected,
            PrinterError::SerialOpen { kind, .. } => *kind,
            PrinterError::Usb { gone: true, .. } => ErrorKind::Disconnected,
            PrinterError::UsbNotFound(_) => ErrorKind::NotFound,
            PrinterError::Usb { gone: false, .. } | PrinterError::Protocol { .. } => {
                ErrorKind::Protocol
            }
            PrinterError::UsbPermission(_) => ErrorKind::PermissionDenied,
            PrinterError::NotReady(status) | PrinterError::NotConfirmed(status) => {
                status.error_kind()
            }
            PrinterError::FontMissing(_) | PrinterError::Output { .. } => ErrorKind::Other,
            PrinterError::Content(_) | PrinterError::Config(_) => ErrorKind::InvalidInput,
        }
    }

    pub(crate) fn io(context: &'static str, source: std::io::Error) -> Self {
        if matches!(
            source.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ) {
            return PrinterError::Timeout(Duration::ZERO, context);
        }
        PrinterError::Io { context, source }
    }
}
