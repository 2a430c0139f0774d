//! The kiosk's loudspeaker: spoken prompts (elder mode, the 语音 button) and the selftest tone
//! go out through ALSA. A [`Clip`] is mono 16-bit PCM; [`wav`] reads what a speech program
//! writes; [`Speaker`] plays a clip on an ALSA PCM (the sound card's `default`, a `plughw:`
//! device, or, in tests, ALSA's own `file` plugin that records what was played), with a volume
//! and a way to cut it off when the citizen moves on.

mod clip;
mod speaker;
pub mod wav;

pub use clip::Clip;
pub use speaker::{AudioError, Played, Speaker};
