//! Voice prompts for elder mode through a pluggable speech output. The words spoken are the
//! screen's voice caption, which elder mode also shows as text for citizens who cannot hear.

/// Why a prompt could not be spoken.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// The speech program is not installed.
    #[error("cannot run {program}: {source}; install the Debian package espeak-ng or turn voice prompts off")]
    Missing {
        /// The program looked for.
        program: String,
        /// The error from the OS.
        source: std::io::Error,
    },
    /// The program ran and failed.
    #[error("{program} failed with {status}; check the voice name")]
    Failed {
        /// The program.
        program: String,
        /// Its exit status.
        status: std::process::ExitStatus,
    },
    /// The program's sound could not be read.
    #[error("{program} wrote sound this kiosk cannot read: {reason}")]
    Unreadable {
        /// The program.
        program: String,
        /// Why.
        reason: String,
    },
    /// The voice has stopped (the service is shutting down).
    #[error("the voice has stopped")]
    Stopped,
}

/// Something that can say a prompt. Speaking must not block the UI thread.
pub trait SpeechOutput {
    /// Starts saying `text`, cutting off whatever was being said.
    fn speak(&self, text: &str) -> Result<(), SpeechError>;
}

/// No voice (voice prompts off, or no audio device).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl SpeechOutput for Silent {
    fn speak(&self, _text: &str) -> Result<(), SpeechError> {
        Ok(())
    }
}
