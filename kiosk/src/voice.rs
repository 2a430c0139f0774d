//! Spoken prompts through the kiosk's loudspeaker: espeak-ng renders each prompt (Mandarin, or
//! English for English text) to PCM once, the clip is kept in memory for the next time the
//! same words are said, and ALSA plays it at the configured volume (softer in the quiet
//! hours). A new prompt cuts off the one being spoken: the citizen has moved on. Prompts are
//! the screens' fixed words: no personal data is rendered, cached or logged here.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

use kiosk_drivers::audio::{wav, AudioError, Clip, Speaker};
use kiosk_ui::speech::{SpeechError, SpeechOutput};

/// At most this many rendered prompts are kept (a few seconds of 22 kHz speech each: a few
/// MiB in all).
const CACHE_PROMPTS: usize = 96;

/// Renders text to speech with espeak-ng.
#[derive(Debug, Clone)]
pub struct Espeak {
    program: String,
    chinese_voice: String,
}

impl Espeak {
    /// Debian's `espeak-ng` with `chinese_voice` (`cmn`) for Chinese text and `en` otherwise.
    pub fn new(chinese_voice: &str) -> Espeak {
        Espeak {
            program: "espeak-ng".into(),
            chinese_voice: chinese_voice.into(),
        }
    }

    /// Another program with espeak-ng's command line (tests: a missing one).
    pub fn with_program(mut self, program: &str) -> Espeak {
        self.program = program.into();
        self
    }

    /// The voice for `text`: Chinese if it has any CJK character.
    fn voice_for(&self, text: &str) -> &str {
        if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            &self.chinese_voice
        } else {
            "en"
        }
    }

    /// Speaks `text` into a clip (blocking: a second or so for a long prompt).
    pub fn render(&self, text: &str) -> Result<Clip, SpeechError> {
        let output = Command::new(&self.program)
            .arg("-v")
            .arg(self.voice_for(text))
            .arg("--stdout")
            // The text goes as one argument after `--`, never through a shell.
            .arg("--")
            .arg(text)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|source| SpeechError::Missing {
                program: self.program.clone(),
                source,
            })?;
        if !output.status.success() {
            return Err(SpeechError::Failed {
                program: self.program.clone(),
                status: output.status,
            });
        }
        wav::read(&output.stdout).map_err(|e| SpeechError::Unreadable {
            program: self.program.clone(),
            reason: e.to_string(),
        })
    }
}

/// What the loudspeaker has done: for health, `/metrics` and `kioskctl`.
#[derive(Debug, Default)]
pub struct VoiceStats {
    /// Prompts played to the end.
    pub spoken: AtomicU64,
    /// Prompts cut off by the next one.
    pub cut: AtomicU64,
    /// Prompts that failed (rendering or the sound device).
    pub failed: AtomicU64,
    /// The last failure, in English for the technician (no personal data: prompts are fixed
    /// words, and the reason comes from ALSA or espeak-ng).
    pub last_error: Mutex<Option<String>>,
}

/// The voice: a [`SpeechOutput`] that renders and plays on its own thread.
#[derive(Debug)]
pub struct Voice {
    tx: Sender<String>,
    cut: Arc<AtomicBool>,
    stats: Arc<VoiceStats>,
}

impl Voice {
    /// Starts the voice thread: `espeak` renders, `speaker` plays, `volume` gives the
    /// loudness (0–100) at the moment of speaking.
    pub fn start(
        espeak: Espeak,
        speaker: Speaker,
        volume: impl Fn() -> u8 + Send + 'static,
        report: crate::devices::AudioReporter,
    ) -> Voice {
        let (tx, rx) = channel::<String>();
        let cut = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(VoiceStats::default());
        let worker = Worker {
            espeak,
            speaker,
            cache: HashMap::new(),
            cut: cut.clone(),
            stats: stats.clone(),
            report,
        };
        if let Err(e) = std::thread::Builder::new()
            .name("voice".into())
            .spawn(move || worker.run(&rx, volume))
        {
            tracing::error!(%e, "cannot start the voice thread: prompts are shown only");
        }
        Voice { tx, cut, stats }
    }

    /// What it has done so far.
    pub fn stats(&self) -> Arc<VoiceStats> {
        self.stats.clone()
    }
}

impl SpeechOutput for Voice {
    fn speak(&self, text: &str) -> Result<(), SpeechError> {
        // Cut off whatever is being said; the thread takes the newest prompt.
        self.cut.store(true, Ordering::SeqCst);
        self.tx
            .send(text.to_owned())
            .map_err(|_| SpeechError::Stopped)
    }
}

struct Worker {
    espeak: Espeak,
    speaker: Speaker,
    cache: HashMap<String, Arc<Clip>>,
    cut: Arc<AtomicBool>,
    stats: Arc<VoiceStats>,
    /// The loudspeaker's status in the device manager: what each playing showed.
    report: crate::devices::AudioReporter,
}

impl Worker {
    fn run(mut self, rx: &Receiver<String>, volume: impl Fn() -> u8) {
        while let Ok(mut text) = rx.recv() {
            // Only the newest prompt is worth saying.
            while let Ok(newer) = rx.try_recv() {
                text = newer;
            }
            self.cut.store(false, Ordering::SeqCst);
            match self.say(&text, volume()) {
                Ok(true) => self.stats.cut.fetch_add(1, Ordering::Relaxed),
                Ok(false) => self.stats.spoken.fetch_add(1, Ordering::Relaxed),
                Err(reason) => {
                    tracing::warn!(%reason, "voice prompt not spoken; the words stay on screen");
                    *self
                        .stats
                        .last_error
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = Some(reason.to_string());
                    self.stats.failed.fetch_add(1, Ordering::Relaxed)
                }
            };
        }
    }

    /// Says one prompt; `Ok(true)` if it was cut off.
    fn say(&mut self, text: &str, volume: u8) -> Result<bool, SayError> {
        let clip = match self.cache.get(text) {
            Some(clip) => clip.clone(),
            None => {
                let clip = Arc::new(self.espeak.render(text)?);
                if self.cache.len() >= CACHE_PROMPTS {
                    self.cache.clear();
                }
                self.cache.insert(text.to_owned(), clip.clone());
                clip
            }
        };
        if volume == 0 {
            return Ok(false);
        }
        let played = self.speaker.play(&clip.at_volume(volume), &self.cut);
        match &played {
            Ok(_) => self.report.played(),
            Err(e) => self.report.failed(&e.to_string()),
        }
        Ok(played?.cut)
    }
}

/// Why one prompt was not spoken (the words stay on screen).
#[derive(Debug, thiserror::Error)]
enum SayError {
    /// espeak-ng did not make the sound.
    #[error(transparent)]
    Render(#[from] SpeechError),
    /// The loudspeaker did not play it.
    #[error(transparent)]
    Play(#[from] AudioError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn espeak_installed() -> bool {
        Command::new("espeak-ng").arg("--version").output().is_ok()
    }

    fn recorded(raw: &std::path::Path) -> Vec<i16> {
        std::fs::read(raw)
            .unwrap_or_default()
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect()
    }

    #[test]
    fn a_missing_speech_program_is_a_clear_error() {
        let err = Espeak::new("cmn")
            .with_program("/nonexistent/espeak-ng")
            .render("你好")
            .unwrap_err();
        assert!(err.to_string().contains("espeak-ng"), "{err}");
    }

    #[test]
    fn chinese_and_english_prompts_get_their_voices() {
        let e = Espeak::new("cmn");
        assert_eq!(e.voice_for("请把身份证放在感应区。"), "cmn");
        assert_eq!(e.voice_for("Place your ID card on the reader."), "en");
    }

    #[test]
    fn a_prompt_is_spoken_through_alsa_at_the_volume_asked() {
        assert!(
            espeak_installed(),
            "espeak-ng is missing: `apt-get install espeak-ng` (scripts/test.sh installs it)"
        );
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("spoken.raw");
        let speaker = Speaker::new(&format!("file:FILE={},FORMAT=raw", raw.display()));
        let prompt = "请把身份证放在屏幕下方的黄色感应区。";
        let full = Espeak::new("cmn").render(prompt).unwrap();
        assert!(full.millis() > 1_000, "{full:?}");

        let voice = Voice::start(
            Espeak::new("cmn"),
            speaker,
            || 50,
            crate::devices::AudioReporter::none(),
        );
        voice.speak(prompt).unwrap();
        let stats = voice.stats();
        let deadline = Instant::now() + Duration::from_secs(30);
        while stats.spoken.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
            assert_eq!(
                stats.failed.load(Ordering::SeqCst),
                0,
                "{:?}",
                stats.last_error
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let got = recorded(&raw);
        assert_eq!(
            got.len(),
            full.samples.len(),
            "the whole prompt reached the device"
        );
        let level = kiosk_drivers::audio::Clip {
            rate: full.rate,
            samples: got,
        }
        .rms();
        assert!(level > 100.0, "not silence: rms {level}");
        assert!(
            (level * 2.0 - full.rms()).abs() < full.rms() * 0.05,
            "half volume: {level} vs {}",
            full.rms()
        );
    }

    #[test]
    fn a_broken_sound_device_is_counted_and_said_in_english() {
        assert!(
            espeak_installed(),
            "espeak-ng is missing: `apt-get install espeak-ng`"
        );
        let voice = Voice::start(
            Espeak::new("cmn"),
            Speaker::new("hw:CARD=NoSuchCard"),
            || 80,
            crate::devices::AudioReporter::none(),
        );
        voice.speak("您好").unwrap();
        let stats = voice.stats();
        let deadline = Instant::now() + Duration::from_secs(30);
        while stats.failed.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let last = stats.last_error.lock().unwrap().clone().unwrap_or_default();
        assert!(last.contains("[devices.audio]"), "{last}");
    }
}
