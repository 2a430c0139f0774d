//! The loudspeaker as a device: it has no runner of its own (the voice thread owns the ALSA
//! PCM), so the voice thread reports here what it saw — opened, played, failed — and the
//! device manager publishes it like any other device's status (heartbeat, `/metrics`,
//! `kioskctl status`). Its health check is a tone (see `health.rs`).

use kiosk_drivers::status::{ClassStatus, DeviceClass, DeviceState};

use super::hub::Hub;
use super::manager::DeviceManager;

/// Where the voice thread reports on the loudspeaker; reports nothing when the kiosk runs
/// without a device manager (tests, `--no-devices`).
#[derive(Debug, Clone, Default)]
pub struct AudioReporter {
    hub: Option<Hub>,
}

impl AudioReporter {
    /// A reporter that reports nowhere.
    pub fn none() -> Self {
        AudioReporter::default()
    }

    pub(crate) fn on(hub: Hub) -> Self {
        AudioReporter { hub: Some(hub) }
    }

    /// The PCM opened: the loudspeaker is online.
    pub fn opened(&self) {
        self.update(|s| s.state = DeviceState::Online);
    }

    /// A prompt played to its end (or was cut off by a newer one).
    pub fn played(&self) {
        self.update(|s| {
            s.state = DeviceState::Online;
            s.counters.operations_ok += 1;
            if let ClassStatus::Audio { prompts_played, .. } = &mut s.detail {
                *prompts_played += 1;
            }
        });
    }

    /// The PCM could not be opened or refused the samples: a hardware error until the next
    /// prompt plays.
    pub fn failed(&self, reason: &str) {
        self.update(|s| {
            s.state = DeviceState::HardwareError;
            s.record_error("audioFailed", reason);
            if let ClassStatus::Audio { prompts_failed, .. } = &mut s.detail {
                *prompts_failed += 1;
            }
        });
    }

    fn update(&self, change: impl FnOnce(&mut kiosk_drivers::status::DeviceStatus)) {
        if let Some(hub) = &self.hub {
            hub.update(DeviceClass::Audio, change);
        }
    }
}

impl DeviceManager {
    /// The reporter the voice thread uses for the loudspeaker.
    pub fn audio_reporter(&self) -> AudioReporter {
        AudioReporter::on(self.hub.clone())
    }
}
