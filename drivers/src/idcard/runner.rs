//! The reader's own thread: opens the port, finds the baud rate, checks the SAM, polls for
//! cards and pushes [`ReaderEvent`]s (status changes, card placed / read / removed) through a
//! channel. Reconnects by itself after an unplug, with the one backoff of [`crate::link`]; never reads the same card
//! twice while it stays on the reader unless asked ([`ReaderHandle::read_again`]).
//!
//! How the reader's condition maps to the device status (XFS4IoT words):
//!
//! | Condition | `state` | class fields / `lastError.code` |
//! |---|---|---|
//! | answering, SAM ok | `online` | `sam: ok` |
//! | reading a card | `busy` | `cardPresent: true` |
//! | 3 of the last 6 steps failed on the wire (timeouts, checksums), or no rate answers | `offline` | `timeout`, `checksum`, `noBaudRate` |
//! | the port vanished or broke (unplugged) | `powerOff` | `disconnected`, `openFailed` |
//! | SAM not authorised / self-test failed | `hardwareError` | `sam: notAuthorised` / `fault` |
//!
//! Card events: `CardPlaced` on FIND success, then `CardRead` or `ReadFailed` (code
//! `readFailed`, `checkDigit`, …), and `CardRemoved` when the read-type presence poll fails.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use super::session::Runner;
use super::transport::Connector;
use super::{IdCard, IdCardError};
use crate::link::Backoff;
use crate::status::{DeviceEvent, SamState};
use crate::ErrorKind;

/// How the runner behaves; the defaults follow the reference's timings.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Rate to try first (`None`: 115200, then down to 9600).
    pub baud: Option<u32>,
    /// Pause between card polls (hev polls every 1 s; a kiosk wants faster).
    pub poll_interval: Duration,
    /// How often a faulty SAM is checked again.
    pub sam_recheck_interval: Duration,
    /// Consecutive failed commands before the reader counts as offline.
    pub offline_after: u32,
    /// Waits between reconnect attempts.
    pub backoff: Backoff,
    /// Read fingerprints too (`30 10`).
    pub with_fingerprint: bool,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            baud: None,
            poll_interval: Duration::from_millis(200),
            sam_recheck_interval: Duration::from_secs(3),
            offline_after: 3,
            backoff: Backoff::default(),
            with_fingerprint: false,
        }
    }
}

/// What the reader tells the rest of the kiosk.
#[derive(Debug, Clone)]
pub enum ReaderEvent {
    /// The device status changed (state, SAM, card presence, last error).
    Status(Box<DeviceEvent>),
    /// A card was found on the reader; reading starts.
    CardPlaced,
    /// A card was read and decoded.
    CardRead(Box<IdCard>),
    /// A card was on the reader but could not be read.
    ReadFailed {
        /// What to do about it: [`ErrorKind::Unreadable`] (place the card again), a
        /// transient kind (keep it still), or a reader fault. The session words it for the
        /// citizen.
        kind: ErrorKind,
        /// The stable error code (`readFailed`, `checkDigit`, `checksum`, …).
        code: &'static str,
        /// English text for the technician's log (no personal data).
        message: String,
    },
    /// The card left the reader.
    CardRemoved,
}

pub(super) enum Control {
    ReadAgain,
    Stop,
    CheckSam(Sender<SamAnswer>),
    Wake,
}

/// The answer to a fresh SAM status query ([`ReaderHandle::check_sam`]).
#[derive(Debug)]
pub enum SamAnswer {
    /// The SAM answered its status check (`11 FF`): `Ok`, or the fault it reported, with
    /// the reader's words for it.
    Answered(SamState, Option<String>),
    /// The query went out but no valid answer came back (timeout, checksum, unplug).
    NoAnswer(IdCardError),
    /// No link to the reader now: the runner is between reconnect attempts.
    NotConnected,
}

/// The running reader; dropping it stops the thread.
#[derive(Debug)]
pub struct ReaderHandle {
    events: Receiver<ReaderEvent>,
    control: Sender<Control>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Control::ReadAgain => "ReadAgain",
            Control::Stop => "Stop",
            Control::CheckSam(_) => "CheckSam",
            Control::Wake => "Wake",
        })
    }
}

impl ReaderHandle {
    /// Starts the reader thread on what `connector` opens.
    pub fn spawn<C: Connector>(connector: C, config: RunnerConfig) -> ReaderHandle {
        let (event_tx, events) = mpsc::channel();
        let (control, control_rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("idcard-reader".into())
            .spawn(move || Runner::new(connector, config, event_tx, control_rx).run())
            .ok();
        ReaderHandle {
            events,
            control,
            thread,
        }
    }

    /// The events, in order.
    pub fn events(&self) -> &Receiver<ReaderEvent> {
        &self.events
    }

    /// Reads the card on the reader once more even though it was already read.
    pub fn read_again(&self) {
        let _ = self.control.send(Control::ReadAgain);
    }

    /// Asks the SAM for its status now (health checks must not trust a status from
    /// minutes ago); the answer comes on `reply`. If the runner is gone, `reply` is
    /// dropped unanswered.
    pub fn check_sam(&self, reply: Sender<SamAnswer>) {
        let _ = self.control.send(Control::CheckSam(reply));
    }

    /// The device may have just appeared or gone (a hot-plug event): a runner waiting to
    /// reconnect tries at once; a connected one polls at once.
    pub fn wake(&self) {
        let _ = self.control.send(Control::Wake);
    }
}

impl Drop for ReaderHandle {
    fn drop(&mut self) {
        let _ = self.control.send(Control::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
