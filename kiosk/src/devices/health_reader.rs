//! The ID-card reader's internal health check: a fresh SAM status query (`11 FF`, "SAM
//! status check" of the reader protocol) sent through the reader's runner now, never the
//! SAM state remembered from the last connect — a SAM can lose its authorisation or fail
//! its self-test while the reader keeps answering card polls.

use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use kiosk_drivers::idcard::SamAnswer;
use kiosk_drivers::status::{DeviceClass, HealthCheck, HealthCheckLevel, SamState};

use super::health::result;
use super::idcard::ReaderRequest;
use super::manager::DeviceManager;

/// The longest the check waits for the SAM's answer: a slow SAM answers in about 1.5 s and
/// the runner may be in the middle of a card read.
const SAM_ANSWER_WAIT: Duration = Duration::from_secs(10);

impl DeviceManager {
    pub(super) async fn reader_internal(&self) -> HealthCheck {
        let level = HealthCheckLevel::Internal;
        let fail = |text: String| result(level, false, text);
        let Some(requests) = &self.reader_requests else {
            return fail(
                "the ID-card reader's runner is not running (it failed to start, see the \
                 reader's last error): fix the configuration and restart the kiosk service"
                    .into(),
            );
        };
        let (reply, answer) = std::sync::mpsc::channel();
        if requests.send(ReaderRequest::CheckSam(reply)).is_err() {
            return fail("the device manager stopped: restart the kiosk service".into());
        }
        let answer = tokio::task::spawn_blocking(move || answer.recv_timeout(SAM_ANSWER_WAIT))
            .await
            .unwrap_or(Err(RecvTimeoutError::Disconnected));
        let status = self.status(DeviceClass::IdCardReader);
        let last = status
            .last_error
            .as_ref()
            .map(|e| format!("; last error: {}", e.message))
            .unwrap_or_default();
        match answer {
            Ok(SamAnswer::Answered(SamState::Ok, _)) => result(
                level,
                true,
                "SAM status check answered just now: reader and SAM OK",
            ),
            Ok(SamAnswer::Answered(SamState::NotAuthorised, why)) => fail(format!(
                "SAM status check answered just now: the SAM is not authorised{}: the reader \
                 cannot read ID cards; have the reader's SAM authorised or replace the reader \
                 (call its vendor)",
                why.map(|w| format!(" ({w})")).unwrap_or_default()
            )),
            Ok(SamAnswer::Answered(sam, why)) => fail(format!(
                "SAM status check answered just now: the SAM reports a fault ({sam:?}{}): \
                 power the reader off and on; if it stays, replace the reader",
                why.map(|w| format!(": {w}")).unwrap_or_default()
            )),
            Ok(SamAnswer::NoAnswer(e)) => fail(format!(
                "no valid answer to a SAM status check: {e}; check the reader's cable, \
                 power and baud rate (kioskctl idcard read --port …)"
            )),
            Ok(SamAnswer::NotConnected) => fail(format!(
                "the reader is not connected ({}){last}: check its cable and power; the kiosk \
                 reconnects by itself",
                status.state
            )),
            Err(RecvTimeoutError::Timeout) => fail(format!(
                "no answer to a SAM status check within {} s{last}: the reader is hung or \
                 very slow; power it off and on",
                SAM_ANSWER_WAIT.as_secs()
            )),
            Err(RecvTimeoutError::Disconnected) => fail(format!(
                "the reader's runner ended before the SAM answered ({}){last}; the manager \
                 restarts it, try again in a few seconds",
                status.state
            )),
        }
    }
}
