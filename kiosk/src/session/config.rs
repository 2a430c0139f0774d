//! What the session machine is given at creation (from `kiosk.toml` and the service), and
//! the time it is told in events: the machine reads no clock itself.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use kiosk_config::schema::Language;

/// Settings the service passes in when it creates the [`Session`](super::Session).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionConfig {
    /// Time without input before the idle countdown starts (`ui.idle_timeout_secs`).
    pub idle_timeout: Duration,
    /// How long the countdown shows before the session is wiped (`ui.countdown_secs`).
    pub countdown: Duration,
    /// How long a closing screen (thanks, complaint sent) stays before going home by itself.
    pub farewell: Duration,
    /// The language the home screen starts in (`ui.language`).
    pub language: Language,
    /// Whether the elder-mode (长辈模式) switch is offered (`ui.elder_mode`).
    pub elder_mode_offered: bool,
    /// Every session starts in reach mode (轮椅模式, `ui.reach_mode`): a low-mounted kiosk.
    pub reach_mode: bool,
    /// A random id the service draws once per process start (8–40 characters of
    /// `[A-Za-z0-9_-]`). Idempotency keys are `{instance}-{counter}`: unique across restarts
    /// because the instance is new, unique within a run because the counter only grows, and
    /// still deterministic for a given instance, so tests can name the keys they expect.
    pub instance: String,
    /// The address a receipt's QR code points at; the code appends `?c=…&v=…` (tracking code
    /// and verifier). Scanning such a code at any kiosk opens the progress page.
    pub progress_url: String,
    /// The hall's name, printed on receipts.
    pub hall_name: String,
}

impl SessionConfig {
    /// Whether `instance` is usable as the stem of idempotency keys (the hall accepts
    /// 8–64 characters of `[A-Za-z0-9_-]`; 40 leave room for the counter).
    pub fn instance_is_valid(&self) -> bool {
        (8..=40).contains(&self.instance.len())
            && self
                .instance
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

/// The time, as the service tells it in [`Event::Tick`](super::Event::Tick).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Now {
    /// Monotonic time since the service started (from `Instant`); timeouts are measured on
    /// it, so a wall-clock jump cannot cut a session short or keep it alive.
    pub mono: Duration,
    /// Wall-clock time, stamped on submissions (`submittedAt`).
    pub utc: DateTime<Utc>,
    /// The local calendar date, for date rules in forms (`notFuture`, `notPast`).
    pub today: NaiveDate,
}
