//! The one [`ErrorKind`] every driver's error answers with: what the caller (the runner, the
//! device manager, a technician at `kioskctl`) should *do*, in the style of `std::io`,
//! `serialport` and `nusb`. The cause stays in each device's own error type
//! (`IdCardError`, `PrinterError`, `ScannerError`, `CameraError`, `PageError`, `A4Error`),
//! whose `kind()` sorts it here; nobody matches on message text.
//!
//! What a citizen is told for a kind is not here: the session's prompts key their wording on
//! it (`kiosk::session::prompts::device_trouble`).

/// What to do about a driver error. Each variant's doc says what a technician should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The device is not there (unplugged, wrong path, wrong VID:PID, not on the network).
    /// The kiosk keeps trying by itself; a technician checks the cable, power and the
    /// selector in kiosk.toml (`kioskctl devices` lists what is connected).
    NotFound,
    /// The device is there but this user may not open it. Retrying does not help: install
    /// the udev rules from image-build/udev or add the kiosk user to dialout / plugdev /
    /// video, then re-plug.
    PermissionDenied,
    /// Another program holds the device, or it is busy with earlier work. Retry later; if it
    /// persists, find what holds the port (is a second kiosk service running?).
    Busy,
    /// The device went away or broke while open. The kiosk reopens it by itself; if it
    /// keeps happening, check the cable and the USB hub (`dmesg`).
    Disconnected,
    /// No answer in time. Retry; if it persists, check power, cable and baud rate.
    Timeout,
    /// The exchange failed on the wire or the answer made no sense (checksum, malformed
    /// frame, USB pipe error, undecodable camera frame). Retry; if it persists, check the
    /// cable, the baud rate and the model profile in kiosk.toml.
    Protocol,
    /// The printer is out of paper: load a new roll (or A4 sheets).
    PaperOut,
    /// The printer's cover is open: close it.
    CoverOpen,
    /// The device reports a fault it will not recover from by itself (SAM not authorised,
    /// cutter jam, head fault, a job the printer refused or dropped). Service the device;
    /// the log line names the cause.
    Fault,
    /// What the citizen presented could not be read (an ID card with a bad check digit or
    /// unknown layout, a photo without a sheet in it). Nothing is wrong with the device: the
    /// citizen tries again.
    Unreadable,
    /// The request or the configuration is wrong (bad URI, bad option, content that cannot
    /// be encoded, a bad sample file). Fix the input; retrying the same thing fails again.
    InvalidInput,
    /// The device cannot do what the kiosk needs (a camera without a usable capture size).
    /// Fit another model.
    Unsupported,
    /// Any other failure (an I/O error of no known kind, a missing font, an encoder fault).
    /// Report it with the log line; retrying rarely helps.
    Other,
}

impl ErrorKind {
    /// Every kind, in declaration order (for tables and tests).
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::NotFound,
        ErrorKind::PermissionDenied,
        ErrorKind::Busy,
        ErrorKind::Disconnected,
        ErrorKind::Timeout,
        ErrorKind::Protocol,
        ErrorKind::PaperOut,
        ErrorKind::CoverOpen,
        ErrorKind::Fault,
        ErrorKind::Unreadable,
        ErrorKind::InvalidInput,
        ErrorKind::Unsupported,
        ErrorKind::Other,
    ];

    /// The link is gone: close it and reopen with backoff.
    pub fn is_lost(self) -> bool {
        matches!(self, ErrorKind::NotFound | ErrorKind::Disconnected)
    }

    /// The same operation may succeed if simply tried again (the link is still there).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::Timeout | ErrorKind::Protocol | ErrorKind::Busy
        )
    }

    /// Reopening later may succeed without anybody doing anything. The supervisor retries
    /// the others too, but slowly, in case a person already fixed it.
    pub fn retry_soon(self) -> bool {
        self.is_lost() || self.is_transient()
    }

    /// A person must act on the device (paper, cover, fault, permissions, wrong model).
    pub fn needs_person(self) -> bool {
        matches!(
            self,
            ErrorKind::PermissionDenied
                | ErrorKind::PaperOut
                | ErrorKind::CoverOpen
                | ErrorKind::Fault
                | ErrorKind::Unsupported
                | ErrorKind::Other
        )
    }

    /// A stable camelCase name for logs and `kioskctl`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "notFound",
            ErrorKind::PermissionDenied => "permissionDenied",
            ErrorKind::Busy => "busy",
            ErrorKind::Disconnected => "disconnected",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Protocol => "protocol",
            ErrorKind::PaperOut => "paperOut",
            ErrorKind::CoverOpen => "coverOpen",
            ErrorKind::Fault => "fault",
            ErrorKind::Unreadable => "unreadable",
            ErrorKind::InvalidInput => "invalidInput",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Other => "other",
        }
    }

    /// Sorts an OS error by what to do about it.
    pub fn from_io(kind: std::io::ErrorKind) -> ErrorKind {
        use std::io::ErrorKind as Io;
        match kind {
            Io::NotFound => ErrorKind::NotFound,
            Io::PermissionDenied => ErrorKind::PermissionDenied,
            Io::ResourceBusy | Io::WouldBlock => ErrorKind::Busy,
            Io::TimedOut => ErrorKind::Timeout,
            Io::InvalidInput => ErrorKind::InvalidInput,
            Io::Unsupported => ErrorKind::Unsupported,
            _ => ErrorKind::Disconnected,
        }
    }

    /// Sorts a failure to open serial port `path`. `serialport` reports a port held by
    /// another process (TIOCEXCL, flock) as `NoDevice` too: a node that exists is busy,
    /// not absent.
    pub fn from_serial_open(path: &std::path::Path, err: &serialport::Error) -> ErrorKind {
        match err.kind() {
            serialport::ErrorKind::NoDevice if path.exists() => ErrorKind::Busy,
            serialport::ErrorKind::NoDevice => ErrorKind::NotFound,
            serialport::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
            serialport::ErrorKind::Io(io) => ErrorKind::from_io(io),
            serialport::ErrorKind::Unknown => ErrorKind::Disconnected,
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_exactly_one_action_class() {
        for kind in ErrorKind::ALL {
            let classes = [
                kind.is_lost(),
                kind.is_transient(),
                kind.needs_person(),
                matches!(kind, ErrorKind::Unreadable | ErrorKind::InvalidInput),
            ];
            assert_eq!(classes.iter().filter(|c| **c).count(), 1, "{kind}");
        }
        let names: std::collections::HashSet<_> = ErrorKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn a_serial_port_that_exists_but_cannot_be_locked_is_busy_and_a_missing_one_not_found() {
        let locked = serialport::Error::new(serialport::ErrorKind::NoDevice, "lock");
        assert_eq!(
            ErrorKind::from_serial_open(std::path::Path::new("/dev/null"), &locked),
            ErrorKind::Busy
        );
        assert_eq!(
            ErrorKind::from_serial_open(std::path::Path::new("/dev/ttyNOPE9"), &locked),
            ErrorKind::NotFound
        );
        let denied = serialport::Error::new(
            serialport::ErrorKind::Io(std::io::ErrorKind::PermissionDenied),
            "denied",
        );
        let kind = ErrorKind::from_serial_open(std::path::Path::new("/dev/null"), &denied);
        assert_eq!(kind, ErrorKind::PermissionDenied);
        assert!(kind.needs_person() && !kind.retry_soon());
    }
}
