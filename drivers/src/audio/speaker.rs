//! Plays clips on an ALSA PCM device.

use std::sync::atomic::{AtomicBool, Ordering};

use alsa::pcm::{Access, Format, HwParams, PCM};
use alsa::{Direction, ValueOr};

use super::Clip;

/// Why a clip could not be played.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The PCM device could not be opened (no sound card, wrong name, in use, no permission).
    #[error("cannot open the sound device {device:?}: {reason}; check [devices.audio] pcm (`aplay -L` lists the devices) and that the kiosk user is in the audio group")]
    Open {
        /// The ALSA PCM name.
        device: String,
        /// ALSA's reason.
        reason: String,
    },
    /// The device refused every format this player offers.
    #[error("the sound device {device:?} takes neither mono nor stereo 16-bit PCM: {reason}; use a plughw: or default device, which convert")]
    Format {
        /// The ALSA PCM name.
        device: String,
        /// ALSA's reason.
        reason: String,
    },
    /// Playing failed part way (the device went away).
    #[error("the sound device {device:?} failed while playing: {reason}")]
    Write {
        /// The ALSA PCM name.
        device: String,
        /// ALSA's reason.
        reason: String,
    },
}

/// What a `play` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Played {
    /// Frames written to the device.
    pub frames: usize,
    /// The rate the device ran at.
    pub rate: u32,
    /// It was cut off before the end (the citizen moved on).
    pub cut: bool,
}

/// The loudspeaker: an ALSA PCM device by name.
#[derive(Debug, Clone)]
pub struct Speaker {
    device: String,
}

impl Speaker {
    /// The PCM device `device` (`default`, `plughw:0,0`, `file:FILE=/tmp/out.raw,FORMAT=raw`…).
    pub fn new(device: &str) -> Speaker {
        Speaker {
            device: device.to_owned(),
        }
    }

    /// The PCM name.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Opens and sets up the device without playing: the health check.
    pub fn probe(&self) -> Result<(), AudioError> {
        let (pcm, _, _) = self.open(22_050)?;
        let _ = pcm.drop();
        Ok(())
    }

    /// Plays `clip` to the end (blocking), or until `stop` is set, which cuts it off at once.
    pub fn play(&self, clip: &Clip, stop: &AtomicBool) -> Result<Played, AudioError> {
        let (pcm, rate, channels) = self.open(clip.rate)?;
        let clip = clip.resampled(rate);
        let frames: Vec<i16> = if channels == 1 {
            clip.samples
        } else {
            clip.samples.iter().flat_map(|&s| [s, s]).collect()
        };
        let io = pcm.io_i16().map_err(|e| self.write_error(&e))?;
        let step = 1024 * channels;
        let mut at = 0;
        while at < frames.len() {
            if stop.load(Ordering::Relaxed) {
                let _ = pcm.drop();
                return Ok(Played {
                    frames: at / channels,
                    rate,
                    cut: true,
                });
            }
            let end = (at + step).min(frames.len());
            match io.writei(&frames[at..end]) {
                Ok(n) => at += n * channels,
                // An underrun (the kiosk was busy) is recovered; anything else ends the clip.
                Err(e) => pcm.try_recover(e, true).map_err(|e| self.write_error(&e))?,
            }
        }
        pcm.drain().map_err(|e| self.write_error(&e))?;
        Ok(Played {
            frames: frames.len() / channels,
            rate,
            cut: false,
        })
    }

    /// Opens the device for 16-bit interleaved playback near `rate`, mono if it can, stereo
    /// otherwise; returns the rate and channels it took.
    fn open(&self, rate: u32) -> Result<(PCM, u32, usize), AudioError> {
        let pcm =
            PCM::new(&self.device, Direction::Playback, false).map_err(|e| AudioError::Open {
                device: self.device.clone(),
                reason: e.to_string(),
            })?;
        let mut last = String::new();
        for channels in [1u32, 2] {
            let set = || -> Result<u32, alsa::Error> {
                let hwp = HwParams::any(&pcm)?;
                hwp.set_channels(channels)?;
                hwp.set_rate(rate, ValueOr::Nearest)?;
                hwp.set_format(Format::s16())?;
                hwp.set_access(Access::RWInterleaved)?;
                pcm.hw_params(&hwp)?;
                hwp.get_rate()
            };
            match set() {
                Ok(got) => return Ok((pcm, got, channels as usize)),
                Err(e) => last = e.to_string(),
            }
        }
        Err(AudioError::Format {
            device: self.device.clone(),
            reason: last,
        })
    }

    fn write_error(&self, e: &alsa::Error) -> AudioError {
        AudioError::Write {
            device: self.device.clone(),
            reason: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ALSA's `file` plugin: the device takes what is played and writes it, raw, to a file
    /// (its slave is the `null` device). A real ALSA PCM on any machine, sound card or not.
    fn recorder(dir: &std::path::Path) -> (Speaker, std::path::PathBuf) {
        let raw = dir.join("played.raw");
        let device = format!("file:FILE={},FORMAT=raw", raw.display());
        (Speaker::new(&device), raw)
    }

    fn samples(raw: &std::path::Path) -> Vec<i16> {
        std::fs::read(raw)
            .unwrap()
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect()
    }

    #[test]
    fn a_tone_played_through_alsa_arrives_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (speaker, raw) = recorder(dir.path());
        speaker.probe().unwrap();
        let beep = Clip::tone(880, 400, 22_050);
        let played = speaker.play(&beep, &AtomicBool::new(false)).unwrap();
        assert!(!played.cut);
        assert_eq!(played.rate, 22_050);
        let got = samples(&raw);
        assert_eq!(
            got.len(),
            beep.samples.len(),
            "every sample reached the device"
        );
        assert_eq!(got, beep.samples);
    }

    #[test]
    fn a_stopped_clip_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let (speaker, _) = recorder(dir.path());
        let played = speaker
            .play(&Clip::tone(440, 2_000, 22_050), &AtomicBool::new(true))
            .unwrap();
        assert!(played.cut);
        assert_eq!(played.frames, 0);
    }

    #[test]
    fn a_missing_device_is_a_clear_error() {
        let err = Speaker::new("hw:CARD=NoSuchCard").probe().unwrap_err();
        assert!(matches!(err, AudioError::Open { .. }), "{err}");
        assert!(err.to_string().contains("[devices.audio]"), "{err}");
    }
}
