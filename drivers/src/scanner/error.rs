//! The scanner's errors, with a `kind()` (the drivers' one [`ErrorKind`]) the runner and the
//! device manager act on.

use std::io;
use std::path::PathBuf;

use crate::ErrorKind;

/// Errors of the scanner drivers. Messages are for technicians and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum ScannerError {
    /// The serial port could not be opened.
    #[error("cannot open scanner port {path}: {message}{hint}", hint = open_hint(*.kind))]
    Open {
        /// The port.
        path: PathBuf,
        /// Why, from the OS.
        message: String,
        /// What kind of failure.
        kind: ErrorKind,
    },
    /// Reading from an open port failed: the scanner was unplugged or the port broke.
    #[error("scanner on {path} stopped answering ({source}); reconnecting")]
    Read {
        /// The port.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A USB operation failed.
    #[error("USB scanner {device}: {message}{hint}", hint = open_hint(*.kind))]
    Usb {
        /// `VID:PID` or bus/address.
        device: String,
        /// What failed.
        message: String,
        /// What kind of failure.
        kind: ErrorKind,
    },
}

fn open_hint(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotFound => {
            "; check the cable and the path (kioskctl devices lists what is connected)"
        }
        ErrorKind::PermissionDenied => {
            "; add the kiosk user to the dialout (serial) or plugdev (USB) group, or install \
             the udev rules from image-build/udev"
        }
        ErrorKind::Busy => "; another program holds it (is the kiosk service running?)",
        _ => "",
    }
}

impl ScannerError {
    /// What the caller should do.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ScannerError::Open { kind, .. } | ScannerError::Usb { kind, .. } => *kind,
            ScannerError::Read { .. } => ErrorKind::Disconnected,
        }
    }

    /// The stable code used as the device's last error (unchanged from before the kinds
    /// were shared: `noDevice`, `permissionDenied`, `busy`, `disconnected`, `config`).
    pub fn code(&self) -> &'static str {
        match self.kind() {
            ErrorKind::NotFound => "noDevice",
            ErrorKind::InvalidInput | ErrorKind::Unsupported => "config",
            other => other.name(),
        }
    }

    /// Builds the open error from a `serialport` error.
    pub(crate) fn open(path: PathBuf, err: &serialport::Error) -> Self {
        let kind = ErrorKind::from_serial_open(&path, err);
        ScannerError::Open {
            path,
            message: err.description.clone(),
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_errors_say_how_to_fix_them_and_are_not_retried() {
        let err = ScannerError::open(
            "/dev/ttyACM0".into(),
            &serialport::Error::new(
                serialport::ErrorKind::Io(io::ErrorKind::PermissionDenied),
                "Permission denied",
            ),
        );
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert!(!err.kind().retry_soon());
        assert_eq!(err.code(), "permissionDenied");
        let text = err.to_string();
        assert!(
            text.contains("/dev/ttyACM0") && text.contains("dialout"),
            "{text}"
        );
    }

    #[test]
    fn a_port_that_exists_but_cannot_be_locked_is_busy() {
        let err = ScannerError::open(
            "/dev/null".into(),
            &serialport::Error::new(serialport::ErrorKind::NoDevice, "Unable to acquire lock"),
        );
        assert_eq!(err.kind(), ErrorKind::Busy);
        assert_eq!(err.code(), "busy");
        assert!(
            err.to_string().contains("another program holds it"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_port_is_retried() {
        let err = ScannerError::open(
            "/dev/ttyACM9".into(),
            &serialport::Error::new(serialport::ErrorKind::NoDevice, "No such file"),
        );
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.kind().retry_soon());
        assert_eq!(err.code(), "noDevice");
    }
}
