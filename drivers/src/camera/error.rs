//! Errors of the document camera: the page pipeline's (a photo the citizen should retake) and
//! the V4L2 driver's (a device to reopen, a permission to fix, a camera that cannot do A4).

use std::path::PathBuf;

use crate::ErrorKind;

/// Why a photo did not become a page. Every variant but `Encode`/`Pdf` means "retake".
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The photo is too small to hold an A4 page at a readable resolution.
    #[error("the photo is {width}x{height}: too small for a page (at least {min_width}x{min_height}); choose a larger capture size")]
    PhotoTooSmall {
        /// Photo width in pixels.
        width: u32,
        /// Photo height in pixels.
        height: u32,
        /// The smallest width accepted.
        min_width: u32,
        /// The smallest height accepted.
        min_height: u32,
    },
    /// No sheet could be told apart from the desk.
    #[error("no sheet found in the photo: {0}; lay the page flat and wholly inside the frame")]
    NoSheet(NoSheet),
    /// Even at the lowest quality the page's JPEG is over the limit.
    #[error("the page's JPEG is {bytes} bytes at quality {quality}, over the limit of {limit}")]
    TooLarge {
        /// Smallest size reached.
        bytes: usize,
        /// Quality it was reached at.
        quality: u8,
        /// The limit.
        limit: usize,
    },
    /// The JPEG encoder or decoder failed.
    #[error("JPEG coding failed: {0}")]
    Encode(String),
    /// No pages were given, or the PDF writer failed.
    #[error("cannot make the material's PDF: {0}")]
    Pdf(String),
}

/// What exactly was wrong when no sheet was found (shown to technicians; the citizen's screen
/// shows one sentence for all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoSheet {
    /// The photo is almost one brightness: blank, dark or overexposed.
    #[error("the photo has no bright sheet against a darker desk")]
    NoContrast,
    /// The brightest region is too small to be a page.
    #[error("the brightest region covers too little of the photo")]
    TooSmall,
    /// The bright region fills the whole photo: its edges are not visible.
    #[error("the bright region fills the photo and its edges cannot be seen")]
    FillsPhoto,
    /// The bright region is not four-cornered (folded, covered by a hand, several sheets).
    #[error("the bright region is not a four-cornered sheet")]
    NotQuadrilateral,
    /// A corner of the sheet lies on the photo's edge (part of the page is cut off).
    #[error("a corner of the sheet is outside the photo")]
    CutOff,
}

impl PageError {
    /// What the caller does about it: [`ErrorKind::Unreadable`] means the citizen lays the
    /// page again and retakes the photo; [`ErrorKind::Other`] is a fault in the kiosk (the
    /// encoder): report it, do not blame the citizen.
    pub fn kind(&self) -> ErrorKind {
        match self {
            PageError::PhotoTooSmall { .. } | PageError::NoSheet(_) => ErrorKind::Unreadable,
            PageError::TooLarge { .. } | PageError::Encode(_) | PageError::Pdf(_) => {
                ErrorKind::Other
            }
        }
    }
}

/// Why the camera could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CameraError {
    /// No such device node, or it went away (unplugged: ENODEV / ENOENT).
    #[error("the camera {path} is not there (unplugged?); it is reopened when it comes back")]
    Disconnected {
        /// The device node.
        path: PathBuf,
    },
    /// The node exists but the kiosk user may not open it.
    #[error(
        "permission denied on {path}: add the kiosk user to the video group, see image-build/udev"
    )]
    PermissionDenied {
        /// The device node.
        path: PathBuf,
    },
    /// The device offers no MJPEG or YUYV size this kiosk can use.
    #[error("the camera {path} offers no MJPEG or YUYV capture of at least {min_pixels} pixels: {offered}")]
    Unsupported {
        /// The device node.
        path: PathBuf,
        /// The smallest acceptable frame (width × height).
        min_pixels: u32,
        /// What it offers, for the technician.
        offered: String,
    },
    /// No camera is configured or found.
    #[error("no document camera found: {0}")]
    NotFound(String),
    /// Any other I/O error from the driver.
    #[error("camera {path}: {action} failed: {source}")]
    Io {
        /// The device node.
        path: PathBuf,
        /// What was being done (`open`, `set format`, `stream`, `capture`).
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// A frame came that cannot be decoded (a torn MJPEG frame, a short YUYV frame).
    #[error("a frame from the camera could not be decoded: {0}")]
    Decode(String),
}

impl CameraError {
    /// What the device manager does about it: gone (`Disconnected`, `NotFound`: report
    /// `powerOff`, reopen when it comes back), a permission or a model to fix
    /// (`PermissionDenied`, `Unsupported`), or one failed capture or bad frame to retry
    /// (`Protocol`).
    pub fn kind(&self) -> ErrorKind {
        match self {
            CameraError::Disconnected { .. } => ErrorKind::Disconnected,
            CameraError::PermissionDenied { .. } => ErrorKind::PermissionDenied,
            CameraError::Unsupported { .. } => ErrorKind::Unsupported,
            CameraError::NotFound(_) => ErrorKind::NotFound,
            CameraError::Io { .. } | CameraError::Decode(_) => ErrorKind::Protocol,
        }
    }

    /// A stable code for the device's last error.
    pub fn code(&self) -> &'static str {
        match self {
            CameraError::Disconnected { .. } | CameraError::NotFound(_) => "disconnected",
            CameraError::PermissionDenied { .. } => "permissionDenied",
            CameraError::Unsupported { .. } => "unsupported",
            CameraError::Io { .. } => "io",
            CameraError::Decode(_) => "decode",
        }
    }

    /// Sorts an OS error from `action` on `path`: unplugged and permission errors get their
    /// own variants, so the device manager can act on them.
    pub fn from_io(path: &std::path::Path, action: &'static str, err: std::io::Error) -> Self {
        const ENODEV: i32 = 19;
        const ENOENT: i32 = 2;
        const ENXIO: i32 = 6;
        match err.raw_os_error() {
            Some(ENODEV) | Some(ENOENT) | Some(ENXIO) => CameraError::Disconnected {
                path: path.to_owned(),
            },
            Some(13) | Some(1) => CameraError::PermissionDenied {
                path: path.to_owned(),
            },
            _ => CameraError::Io {
                path: path.to_owned(),
                action,
                source: err,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_sorted_by_what_to_do() {
        let p = std::path::Path::new("/dev/video0");
        let kind = |code| {
            CameraError::from_io(p, "capture", std::io::Error::from_raw_os_error(code)).kind()
        };
        assert_eq!(kind(19), ErrorKind::Disconnected);
        assert_eq!(kind(2), ErrorKind::Disconnected);
        assert_eq!(kind(13), ErrorKind::PermissionDenied);
        assert_eq!(kind(5), ErrorKind::Protocol);
        let msg =
            CameraError::from_io(p, "open", std::io::Error::from_raw_os_error(13)).to_string();
        assert!(msg.contains("video group"), "{msg}");
    }
}
