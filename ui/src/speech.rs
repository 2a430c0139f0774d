//! Voice prompts for elder mode through a pluggable speech output. The words spoken are the
//! screen's voice caption, which elder mode also shows as text for citizens who cannot hear.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

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
    #[error("{program} failed with {status}; check the audio device and the voice name")]
    Failed {
        /// The program.
        program: String,
        /// Its exit status.
        status: std::process::ExitStatus,
    },
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

/// Debian's espeak-ng with its Mandarin voice (`cmn`), to the sound card or to a WAV file.
#[derive(Debug)]
pub struct EspeakNg {
    program: String,
    voice: String,
    to_file: Option<PathBuf>,
    current: Mutex<Option<Child>>,
}

impl EspeakNg {
    /// Speaks through the default sound device with the Mandarin voice.
    pub fn mandarin() -> Self {
        EspeakNg {
            program: "espeak-ng".into(),
            voice: "cmn".into(),
            to_file: None,
            current: Mutex::new(None),
        }
    }

    /// Writes each prompt to `wav` instead of the sound card (tests, recording prompts).
    pub fn to_wav(mut self, wav: PathBuf) -> Self {
        self.to_file = Some(wav);
        self
    }

    /// Uses another program with espeak-ng's command line (`espeak`, a wrapper script).
    pub fn with_program(mut self, program: &str) -> Self {
        self.program = program.into();
        self
    }

    /// Waits for the prompt being spoken to end (tests).
    pub fn wait(&self) -> Result<(), SpeechError> {
        let child = self.current.lock().ok().and_then(|mut c| c.take());
        if let Some(mut child) = child {
            let status = child.wait().map_err(|source| SpeechError::Missing {
                program: self.program.clone(),
                source,
            })?;
            if !status.success() {
                return Err(SpeechError::Failed {
                    program: self.program.clone(),
                    status,
                });
            }
        }
        Ok(())
    }
}

impl SpeechOutput for EspeakNg {
    fn speak(&self, text: &str) -> Result<(), SpeechError> {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(mut old) = current.take() {
            // Cut off the previous prompt: the citizen has moved on. It may have ended already.
            let _ = old.kill();
            let _ = old.wait();
        }
        let mut cmd = Command::new(&self.program);
        cmd.arg("-v").arg(&self.voice);
        if let Some(wav) = &self.to_file {
            cmd.arg("-w").arg(wav);
        }
        // The text goes as one argument after `--`, never through a shell.
        cmd.arg("--").arg(text);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd.spawn().map_err(|source| SpeechError::Missing {
            program: self.program.clone(),
            source,
        })?;
        *current = Some(child);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_is_a_clear_error() {
        let speech = EspeakNg::mandarin().with_program("/nonexistent/espeak-ng");
        let err = speech.speak("你好").unwrap_err();
        assert!(matches!(err, SpeechError::Missing { .. }));
        assert!(err.to_string().contains("espeak-ng"), "{err}");
    }

    #[test]
    fn speaks_mandarin_to_a_wav_file() {
        if Command::new("espeak-ng").arg("--version").output().is_err() {
            eprintln!("espeak-ng not installed (apt-get install espeak-ng): skipped");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("prompt.wav");
        let speech = EspeakNg::mandarin().to_wav(wav.clone());
        speech
            .speak("请把身份证放在屏幕下方的黄色感应区，或点击您要办的事。")
            .unwrap();
        speech.wait().unwrap();
        let bytes = std::fs::read(&wav).unwrap();
        assert_eq!(&bytes[..4], b"RIFF");
        // Several seconds of 22 kHz 16-bit speech, not an empty header.
        assert!(bytes.len() > 50_000, "{} bytes", bytes.len());
    }
}
