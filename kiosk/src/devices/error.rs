//! The device manager's error type: one enum with a `kind()` (the drivers' one
//! [`ErrorKind`]) the service acts on. What a citizen is told about it is the session's
//! business (`session::prompts::device_trouble`, keyed by [`DeviceError::class`] and kind).

use kiosk_drivers::printer::PrinterError;
use kiosk_drivers::status::DeviceClass;
use kiosk_drivers::ErrorKind;

/// Everything the device manager's callers can be told went wrong.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The device is configured `none`.
    #[error("the {0} is not fitted on this kiosk (configured `none`)")]
    NotFitted(DeviceClass),
    /// The device is not connected now; the manager keeps trying to reconnect.
    #[error("the {0} is not connected; check its cable and power, the kiosk reconnects by itself")]
    NotConnected(DeviceClass),
    /// Too many requests are already waiting for this device.
    #[error("the {0} is busy with earlier requests; try again in a moment")]
    Busy(DeviceClass),
    /// No answer within the time allowed.
    #[error("the {class} did not finish within {seconds} s; check it and try again")]
    Timeout {
        /// Which device.
        class: DeviceClass,
        /// How long was waited.
        seconds: u64,
    },
    /// The printer driver failed.
    #[error(transparent)]
    Printer(#[from] PrinterError),
    /// The document camera failed (unplugged, not permitted, a bad frame).
    #[error(transparent)]
    Camera(#[from] kiosk_drivers::camera::CameraError),
    /// The photo did not become a page (no sheet found: retake).
    #[error(transparent)]
    Page(#[from] kiosk_drivers::camera::PageError),
    /// The A4 printer (IPP) failed.
    #[error(transparent)]
    A4(#[from] kiosk_drivers::a4printer::A4Error),
    /// The manager is shutting down or its device thread ended.
    #[error("the device manager stopped; restart the kiosk service")]
    Stopped,
    /// A simulator action on a device that is not simulated.
    #[error(
        "the {0} is not simulated (its selector is not `sim`), so it cannot be driven from here"
    )]
    NotSimulated(DeviceClass),
    /// The simulator could not do what was asked.
    #[error("simulated {class}: {message}")]
    Simulator {
        /// Which device.
        class: DeviceClass,
        /// What failed.
        message: String,
    },
}

impl DeviceError {
    /// What the caller should do.
    pub fn kind(&self) -> ErrorKind {
        match self {
            DeviceError::NotFitted(_) => ErrorKind::Unsupported,
            DeviceError::NotConnected(_) => ErrorKind::NotFound,
            DeviceError::Busy(_) => ErrorKind::Busy,
            DeviceError::Timeout { .. } => ErrorKind::Timeout,
            DeviceError::Printer(e) => e.kind(),
            DeviceError::Camera(e) => e.kind(),
            DeviceError::Page(e) => e.kind(),
            DeviceError::A4(e) => e.kind(),
            DeviceError::Stopped => ErrorKind::Other,
            DeviceError::NotSimulated(_) | DeviceError::Simulator { .. } => ErrorKind::InvalidInput,
        }
    }

    /// Which device it concerns, where one does.
    pub fn class(&self) -> Option<DeviceClass> {
        match self {
            DeviceError::NotFitted(class)
            | DeviceError::NotConnected(class)
            | DeviceError::Busy(class)
            | DeviceError::Timeout { class, .. }
            | DeviceError::NotSimulated(class)
            | DeviceError::Simulator { class, .. } => Some(*class),
            DeviceError::Printer(_) => Some(DeviceClass::ReceiptPrinter),
            DeviceError::Camera(_) | DeviceError::Page(_) => Some(DeviceClass::Camera),
            DeviceError::A4(_) => Some(DeviceClass::A4Printer),
            DeviceError::Stopped => None,
        }
    }
}
