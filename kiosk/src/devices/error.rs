//! The device manager's error type: one enum with a `kind()` the service acts on.

use kiosk_drivers::a4printer::ErrorKind as A4ErrorKind;
use kiosk_drivers::printer::{ErrorKind as PrinterErrorKind, PrinterError};
use kiosk_drivers::status::DeviceClass;

/// What the caller should do about a [`DeviceError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceErrorKind {
    /// Try again later (busy, timed out); the device itself may be fine.
    Retry,
    /// The device is unplugged or not answering; the manager is reconnecting by itself.
    Reconnect,
    /// The device needs a person (paper out, cover open, jam) or is not fitted: report it.
    Report,
    /// The request itself was wrong (content that cannot be printed, a simulator that is
    /// not running).
    Invalid,
}

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
    pub fn kind(&self) -> DeviceErrorKind {
        match self {
            DeviceError::NotFitted(_) => DeviceErrorKind::Report,
            DeviceError::NotConnected(_) => DeviceErrorKind::Reconnect,
            DeviceError::Busy(_) | DeviceError::Timeout { .. } => DeviceErrorKind::Retry,
            DeviceError::Printer(e) => match e.kind() {
                PrinterErrorKind::Retry => DeviceErrorKind::Retry,
                PrinterErrorKind::Reconnect => DeviceErrorKind::Reconnect,
                PrinterErrorKind::Report => DeviceErrorKind::Report,
                PrinterErrorKind::Invalid => DeviceErrorKind::Invalid,
            },
            DeviceError::Camera(e) => {
                use kiosk_drivers::camera::CameraErrorKind as K;
                match e.kind() {
                    K::Disconnected => DeviceErrorKind::Reconnect,
                    K::PermissionDenied | K::Unsupported | K::NotFound => DeviceErrorKind::Report,
                    K::Io | K::Decode => DeviceErrorKind::Retry,
                }
            }
            DeviceError::Page(e) => match e.kind() {
                kiosk_drivers::camera::PageErrorKind::Retake => DeviceErrorKind::Retry,
                kiosk_drivers::camera::PageErrorKind::Internal => DeviceErrorKind::Report,
            },
            DeviceError::A4(e) => match e.kind() {
                A4ErrorKind::Reconnect => DeviceErrorKind::Reconnect,
                A4ErrorKind::Report => DeviceErrorKind::Report,
                A4ErrorKind::Invalid => DeviceErrorKind::Invalid,
            },
            DeviceError::Stopped => DeviceErrorKind::Report,
            DeviceError::NotSimulated(_) | DeviceError::Simulator { .. } => {
                DeviceErrorKind::Invalid
            }
        }
    }

    /// What the citizen's screen says (Chinese).
    pub fn citizen_message(&self) -> &'static str {
        match self {
            DeviceError::Printer(e) => e.citizen_message(),
            DeviceError::Busy(_) | DeviceError::Timeout { .. } => "设备繁忙，请稍后再试",
            _ => "设备暂时无法使用，请联系工作人员",
        }
    }
}
