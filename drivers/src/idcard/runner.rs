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
//!
//! The poll [`Pace`]: a card placed waits on average half a poll interval before it is
//! found, so the runner polls fast ([`Pace::Eager`]) only while a screen waits for a card,
//! and slowly otherwise, so the line and the SAM are not kept busy while a citizen types.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use super::codec::{wire_time, Command, Response, Sw3};
use super::session::Runner;
use super::transport::Connector;
use super::{IdCard, IdCardError};
use crate::link::Backoff;
use crate::status::{DeviceEvent, SamState};
use crate::ErrorKind;

/// How eagerly the runner looks for a card (and for its removal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pace {
    /// A screen waits for a card: poll every [`RunnerConfig::eager_poll_interval`] (never
    /// so often that the polls take more than a quarter of the line, see [`eager_interval`]).
    Eager,
    /// Nobody waits for a card: poll every [`RunnerConfig::poll_interval`].
    #[default]
    Relaxed,
}

/// How the runner behaves; the defaults follow the reference's timings.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Rate to try first (`None`: 115200, then down to 9600).
    pub baud: Option<u32>,
    /// Pause between card polls while relaxed (hev polls every 1 s).
    pub poll_interval: Duration,
    /// Pause between card polls while eager: a card placed is found within this (plus the
    /// FIND itself), half of it on average.
    pub eager_poll_interval: Duration,
    /// The pace the runner starts at ([`ReaderHandle::set_pace`] changes it).
    pub pace: Pace,
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
            eager_poll_interval: Duration::from_millis(40),
            pace: Pace::Relaxed,
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

/// The eager poll interval at `baud`: `eager_poll_interval`, but at least four times the
/// wire time of a poll that finds no card (two FIND exchanges, 42 bytes: 3.6 ms at 115200,
/// 44 ms at 9600), so eager polling never takes more than a quarter of the line; and never
/// slower than the relaxed pace.
pub fn eager_interval(config: &RunnerConfig, baud: u32) -> Duration {
    let one_find = Command::FindCard.encode().len()
        + Response::new(Sw3::FindFailed, Vec::new()).encode().len();
    let floor = wire_time(2 * one_find, baud) * 4;
    config
        .eager_poll_interval
        .max(floor)
        .min(config.poll_interval.max(floor))
}

pub(super) enum Control {
    ReadAgain,
    Stop,
    CheckSam(Sender<SamAnswer>),
    Wake,
    Pace(Pace),
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
    control: ReaderControl,
    thread: Option<JoinHandle<()>>,
}

/// A cheap, cloneable way to steer a running reader from another thread (the handle itself
/// stays with whoever reads its events). Messages to a runner that is gone are dropped.
#[derive(Debug, Clone)]
pub struct ReaderControl(Sender<Control>);

impl ReaderControl {
    /// Reads the card on the reader once more even though it was already read.
    pub fn read_again(&self) {
        let _ = self.0.send(Control::ReadAgain);
    }

    /// Asks the SAM for its status now (health checks must not trust a status from
    /// minutes ago); the answer comes on `reply`. If the runner is gone, `reply` is
    /// dropped unanswered.
    pub fn check_sam(&self, reply: Sender<SamAnswer>) {
        let _ = self.0.send(Control::CheckSam(reply));
    }

    /// The device may have just appeared or gone (a hot-plug event): a runner waiting to
    /// reconnect tries at once; a connected one polls at once.
    pub fn wake(&self) {
        let _ = self.0.send(Control::Wake);
    }

    /// Polls fast or slowly from now on. Turning eager polls at once (a card already lying
    /// there is found now, not after the relaxed interval); turning relaxed takes effect
    /// after the poll under way.
    pub fn set_pace(&self, pace: Pace) {
        let _ = self.0.send(Control::Pace(pace));
    }
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Control::ReadAgain => "ReadAgain",
            Control::Stop => "Stop",
            Control::CheckSam(_) => "CheckSam",
            Control::Wake => "Wake",
            Control::Pace(Pace::Eager) => "Pace(Eager)",
            Control::Pace(Pace::Relaxed) => "Pace(Relaxed)",
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
            control: ReaderControl(control),
            thread,
        }
    }

    /// The events, in order.
    pub fn events(&self) -> &Receiver<ReaderEvent> {
        &self.events
    }

    /// A control for other threads (the pace follows the screen, not the event reader).
    pub fn control(&self) -> ReaderControl {
        self.control.clone()
    }

    /// Reads the card on the reader once more even though it was already read.
    pub fn read_again(&self) {
        self.control.read_again();
    }

    /// Asks the SAM for its status now; see [`ReaderControl::check_sam`].
    pub fn check_sam(&self, reply: Sender<SamAnswer>) {
        self.control.check_sam(reply);
    }

    /// A hot-plug event concerns the reader; see [`ReaderControl::wake`].
    pub fn wake(&self) {
        self.control.wake();
    }

    /// Polls fast or slowly from now on; see [`ReaderControl::set_pace`].
    pub fn set_pace(&self, pace: Pace) {
        self.control.set_pace(pace);
    }
}

impl Drop for ReaderHandle {
    fn drop(&mut self) {
        let _ = self.control.0.send(Control::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
