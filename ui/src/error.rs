//! The UI crate's errors: what failed while creating, rendering or saving a screen.

use std::path::PathBuf;

/// What the caller can do about a [`UiError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UiErrorKind {
    /// The UI could not start (no platform, window or font); report, do not retry.
    Platform,
    /// A file could not be written; check the path and free space, then retry.
    Io,
}

/// An error from the UI crate, with a message for technicians.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// Slint refused to create the window or component.
    #[error("could not create the UI: {0}; check that a CJK font and fontconfig are installed")]
    Platform(String),
    /// Another Slint platform is already active on this thread (for example the testing backend),
    /// so headless rendering cannot take over.
    #[error("another Slint platform is already active on this thread; render screenshots in a fresh process or thread")]
    PlatformTaken,
    /// A PNG or directory could not be written.
    #[error("could not write {path}: {source}; check that the directory exists and is writable")]
    Io {
        /// The file or directory that failed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// PNG encoding failed.
    #[error("could not encode {path} as PNG: {message}")]
    Png {
        /// The file being written.
        path: PathBuf,
        /// What the encoder said.
        message: String,
    },
}

impl UiError {
    /// What a caller can do about this error.
    pub fn kind(&self) -> UiErrorKind {
        match self {
            UiError::Platform(_) | UiError::PlatformTaken => UiErrorKind::Platform,
            UiError::Io { .. } | UiError::Png { .. } => UiErrorKind::Io,
        }
    }
}

impl From<slint::PlatformError> for UiError {
    fn from(e: slint::PlatformError) -> Self {
        UiError::Platform(e.to_string())
    }
}
