//! The scanner's errors, with a `kind()` the runner and the device manager act on.

use std::io;
use std::path::PathBuf;

/// What the caller should do about a [`ScannerError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScannerErrorKind {
    /// The device is not there (unplugged, wrong path, wrong VID:PID): retry the open later.
    NoDevice,
    /// The device is there but this user may not open it: report; a udev rule or group fixes it.
    PermissionDenied,
    /// Another process holds the device: report; retrying may help once it lets go.
    Busy,
    /// The device went away or failed while open: close and reconnect.
    Disconnected,
    /// The settings are wrong (bad baud rate, no interrupt endpoint): report, do not retry.
    Config,
}

impl ScannerErrorKind {
    /// Whether reopening later may succeed without a person doing anything.
    pub fn should_reconnect(self) -> bool {
        matches!(
            self,
            ScannerErrorKind::NoDevice | ScannerErrorKind::Disconnected | ScannerErrorKind::Busy
        )
    }

    /// The stable code used as the device's last error.
    pub fn code(self) -> &'static str {
        match self {
            ScannerErrorKind::NoDevice => "noDevice",
            ScannerErrorKind::PermissionDenied => "permissionDenied",
            ScannerErrorKind::Busy => "busy",
            ScannerErrorKind::Disconnected => "disconnected",
            ScannerErrorKind::Config => "config",
        }
    }
}

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
        kind: ScannerErrorKind,
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
        kind: ScannerErrorKind,
    },
}

fn open_hint(kind: ScannerErrorKind) -> &'static str {
    match kind {
        ScannerErrorKind::NoDevice => {
            "; check the cable and the path (kioskctl devices lists what is connected)"
        }
        ScannerErrorKind::PermissionDenied => {
            "; add the kiosk user to the dialout (serial) or plugdev (USB) group, or install \
             the udev rules from image-build/udev"
        }
        ScannerErrorKind::Busy => "; another program holds it (is the kiosk service running?)",
        ScannerErrorKind::Disconnected | ScannerErrorKind::Config => "",
    }
}

impl ScannerError {
    /// What the caller should do.
    pub fn kind(&self) -> ScannerErrorKind {
        match self {
            ScannerError::Open { kind, .. } | ScannerError::Usb { kind, .. } => *kind,
            ScannerError::Read { .. } => ScannerErrorKind::Disconnected,
        }
    }

    /// Builds the open error from a `serialport` error.
    pub(crate) fn open(path: PathBuf, err: &serialport::Error) -> Self {
        let kind = match err.kind() {
            // serialport reports a port held by another process (TIOCEXCL, flock) as NoDevice
            // too; a node that exists is busy, not absent.
            serialport::ErrorKind::NoDevice if path.exists() => ScannerErrorKind::Busy,
            serialport::ErrorKind::NoDevice => ScannerErrorKind::NoDevice,
            serialport::ErrorKind::InvalidInput => ScannerErrorKind::Config,
            serialport::ErrorKind::Io(io) => io_kind(io),
            serialport::ErrorKind::Unknown => ScannerErrorKind::Disconnected,
        };
        ScannerError::Open {
            path,
            message: err.description.clone(),
            kind,
        }
    }
}

/// Sorts an I/O error kind into what the caller should do.
pub(crate) fn io_kind(kind: io::ErrorKind) -> ScannerErrorKind {
    match kind {
        io::ErrorKind::NotFound => ScannerErrorKind::NoDevice,
        io::ErrorKind::PermissionDenied => ScannerErrorKind::PermissionDenied,
        io::ErrorKind::ResourceBusy | io::ErrorKind::WouldBlock => ScannerErrorKind::Busy,
        io::ErrorKind::InvalidInput => ScannerErrorKind::Config,
        _ => ScannerErrorKind::Disconnected,
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
        assert_eq!(err.kind(), ScannerErrorKind::PermissionDenied);
        assert!(!err.kind().should_reconnect());
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
        assert_eq!(err.kind(), ScannerErrorKind::Busy);
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
        assert_eq!(err.kind(), ScannerErrorKind::NoDevice);
        assert!(err.kind().should_reconnect());
    }
}
