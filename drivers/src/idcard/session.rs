//! The runner's loop on one reader: connect (open, baud detection, SAM reset), then poll
//! for cards and for their removal, turning outcomes into [`ReaderEvent`]s and the device
//! status (online / offline / powerOff / hardwareError, SAM state, counters, last error).

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant, SystemTime};

use super::codec::{Command, Sw3};
use super::driver::{LinkStats, Reader};
use super::error::{ErrorKind, IdCardError};
use super::runner::{eager_interval, Control, Pace, ReaderEvent, RunnerConfig, SamAnswer};
use super::transport::Connector;
use crate::link::{supervise, Served, Supervised};
use crate::status::{
    ClassStatus, DeviceClass, DeviceEvent, DeviceState, DeviceStatus, LastError, SamState,
};

/// Steps remembered to judge the link's health.
const OUTCOME_WINDOW: usize = 6;
/// Clean steps in a row that bring an offline reader back online.
const RECOVER_AFTER: usize = 3;

/// Where the card polling stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardPhase {
    /// Polling FIND.
    Waiting,
    /// A card is there but not read yet (a wire fault cut the read, or `read_again`):
    /// SELECT + READ without FIND, which sticky readers answer 0x80 while the card stays.
    Reading,
    /// The card was read (or is unreadable) and still there: poll for its removal.
    OnReader,
}

pub(super) struct Runner<C: Connector> {
    connector: C,
    config: RunnerConfig,
    events: Sender<ReaderEvent>,
    control: Receiver<Control>,
    status: DeviceStatus,
    published: Option<DeviceStatus>,
    /// Outcomes of the last steps, `true` = failed; offline and back online by this window
    /// rather than by a consecutive count, because a slow SAM's late answers can pass for
    /// fresh ones and would reset any "consecutive failures" counter.
    recent: VecDeque<bool>,
    connected_before: bool,
    seen: LinkStats,
    /// How eagerly to poll now (the kiosk says so as screens change).
    pace: Pace,
    /// The line rate of the current link (the eager interval depends on it).
    baud: u32,
}

/// Why the session on one open link ended.
enum SessionEnd {
    Stop,
    Lost,
}

impl<C: Connector> Runner<C> {
    pub(super) fn new(
        connector: C,
        config: RunnerConfig,
        events: Sender<ReaderEvent>,
        control: Receiver<Control>,
    ) -> Self {
        let status = DeviceStatus::new(DeviceClass::IdCardReader, connector.describe());
        let (pace, baud) = (config.pace, config.baud.unwrap_or(115_200));
        Runner {
            connector,
            config,
            events,
            control,
            status,
            published: None,
            recent: VecDeque::new(),
            connected_before: false,
            seen: LinkStats::default(),
            pace,
            baud,
        }
    }

    /// Runs until stopped, reconnecting by the one rule of [`crate::link`].
    pub(super) fn run(mut self) {
        let backoff = self.config.backoff;
        supervise(&mut self, backoff);
    }

    /// Opens the port and finds the rate.
    fn connect(&mut self) -> Result<Reader<C::Link>, IdCardError> {
        let first = self.config.baud.unwrap_or(115_200);
        let link = self.connector.open(first)?;
        let mut reader = Reader::new(link, first);
        let baud = reader
            .detect_baud(self.config.baud)
            .map_err(|e| match e.kind() {
                kind if kind.is_lost() => e,
                _ => IdCardError::NoBaudRate {
                    port: self.connector.describe(),
                },
            })?;
        // Start from a known SAM state: a card left on a sticky reader by an earlier
        // session answers FIND again after a reset. Failures show up in the SAM check.
        let _ = reader.execute(Command::ResetSam);
        if self.connected_before {
            self.status.counters.reconnects += 1;
        }
        self.connected_before = true;
        self.seen = LinkStats::default();
        // A fresh link: judge its health afresh (the first good answer makes it online).
        self.recent.clear();
        self.status.state = DeviceState::Unknown;
        self.status.identity.connection = format!("{} @{baud}", self.connector.describe());
        self.baud = baud;
        Ok(reader)
    }

    /// Runs on one open link until it is lost or the runner is stopped.
    fn session(&mut self, mut reader: Reader<C::Link>) -> SessionEnd {
        let mut phase = CardPhase::Waiting;
        let mut sam_ok = self.check_sam(&mut reader);
        if sam_ok {
            if let Ok(id) = reader.sam_id() {
                self.status.identity.serial = Some(id.to_string());
            }
        }
        self.publish();
        loop {
            if self.status.state == DeviceState::PowerOff {
                return SessionEnd::Lost;
            }
            let interval = if sam_ok {
                self.poll_interval()
            } else {
                self.config.sam_recheck_interval
            };
            match self.control.recv_timeout(interval) {
                Ok(Control::Stop) | Err(RecvTimeoutError::Disconnected) => return SessionEnd::Stop,
                Ok(Control::Pace(pace)) => {
                    let quicker = pace == Pace::Eager && self.pace != Pace::Eager;
                    self.pace = pace;
                    // Turning eager: poll now (the card may already lie there). Otherwise
                    // wait the new interval.
                    if !quicker {
                        continue;
                    }
                }
                Ok(Control::ReadAgain) if self.card_present() => phase = CardPhase::Reading,
                Ok(Control::CheckSam(reply)) => {
                    let answer = self.query_sam(&mut reader);
                    sam_ok = matches!(answer, SamAnswer::Answered(SamState::Ok, _));
                    self.note_link_stats(&reader);
                    self.publish();
                    let _ = reply.send(answer);
                    continue;
                }
                // Wake: a hot-plug event; poll now (an unplug shows at once).
                Ok(Control::ReadAgain | Control::Wake) | Err(RecvTimeoutError::Timeout) => {}
            }
            if !sam_ok {
                sam_ok = self.check_sam(&mut reader);
                self.note_link_stats(&reader);
                self.publish();
                continue;
            }
            let step = match phase {
                CardPhase::Waiting => reader.find().map(|found| {
                    if found {
                        self.set_card_present(true);
                        let _ = self.events.send(ReaderEvent::CardPlaced);
                        phase = CardPhase::Reading;
                        self.read(&mut reader, &mut phase, true);
                    } else if self.card_present() {
                        self.card_gone();
                    }
                }),
                CardPhase::Reading => {
                    self.read(&mut reader, &mut phase, false);
                    Ok(())
                }
                CardPhase::OnReader => reader.card_still_present().map(|present| {
                    if !present {
                        phase = CardPhase::Waiting;
                        self.card_gone();
                    }
                }),
            };
            let trouble = self.note_link_stats(&reader);
            match step {
                Ok(()) if !trouble => self.succeeded(),
                // The step got through only after a retry: a slow or noisy link. Late answers
                // can pass for fresh ones, so this counts towards offline like a failure.
                Ok(()) => self.link_trouble(),
                Err(e) => match e.kind() {
                    kind if kind.is_lost() => {
                        if self.card_present() {
                            self.card_gone();
                        }
                        self.fail(&e, DeviceState::PowerOff);
                        return SessionEnd::Lost;
                    }
                    ErrorKind::Fault => {
                        sam_ok = false;
                        self.sam_failed(&e);
                    }
                    _ => self.comm_failed(&e),
                },
            }
            self.publish();
        }
    }

    /// SELECT + READ of a card that is there; CardRead or ReadFailed (the latter once per
    /// placement: `first` is true right after FIND).
    fn read(&mut self, reader: &mut Reader<C::Link>, phase: &mut CardPhase, first: bool) {
        self.status.state = DeviceState::Busy;
        self.publish();
        let result = reader.select_and_read(self.config.with_fingerprint);
        self.status.state = DeviceState::Online;
        match result {
            Ok(card) => {
                self.status.counters.operations_ok += 1;
                *phase = CardPhase::OnReader;
                let _ = self.events.send(ReaderEvent::CardRead(Box::new(card)));
            }
            Err(e) => {
                let gone = matches!(&e, IdCardError::Status { sw3, .. } if matches!(sw3, Sw3::SelectFailed | Sw3::ReadFailed | Sw3::FindFailed));
                if first || gone {
                    let _ = self.events.send(ReaderEvent::ReadFailed {
                        kind: e.kind(),
                        code: e.code(),
                        message: e.to_string(),
                    });
                }
                match e.kind() {
                    // The card left (0x41/0x81 on a card that was there): back to FIND.
                    ErrorKind::Unreadable if gone => {
                        self.status.record_error(e.code(), e.to_string());
                        *phase = CardPhase::Waiting;
                        self.card_gone();
                    }
                    // Unreadable card (bad check digit, unknown type): wait for it to leave.
                    ErrorKind::Unreadable => {
                        self.status.record_error(e.code(), e.to_string());
                        *phase = CardPhase::OnReader;
                    }
                    kind if kind.is_transient() => {
                        self.status.counters.operations_failed += 1;
                        self.comm_failed(&e);
                    }
                    kind if kind.is_lost() => {
                        self.card_gone();
                        self.fail(&e, DeviceState::PowerOff);
                    }
                    _ => self.sam_failed(&e),
                }
            }
        }
    }

    /// The pause between card polls at the current pace and line rate.
    fn poll_interval(&self) -> Duration {
        match self.pace {
            Pace::Eager => eager_interval(&self.config, self.baud),
            Pace::Relaxed => self.config.poll_interval,
        }
    }

    fn check_sam(&mut self, reader: &mut Reader<C::Link>) -> bool {
        matches!(self.query_sam(reader), SamAnswer::Answered(SamState::Ok, _))
    }

    /// Sends the SAM status check (`11 FF`) now and takes its answer into the status.
    fn query_sam(&mut self, reader: &mut Reader<C::Link>) -> SamAnswer {
        match reader.check_sam() {
            Ok(()) => {
                self.set_sam(SamState::Ok);
                self.succeeded();
                if self.status.state != DeviceState::Busy {
                    self.status.state = DeviceState::Online;
                }
                SamAnswer::Answered(SamState::Ok, None)
            }
            Err(e) if e.kind().is_lost() => {
                self.fail(&e, DeviceState::PowerOff);
                SamAnswer::NoAnswer(e)
            }
            Err(e) if e.kind() == ErrorKind::Fault => {
                self.sam_failed(&e);
                SamAnswer::Answered(self.sam(), Some(e.to_string()))
            }
            Err(e) => {
                self.comm_failed(&e);
                SamAnswer::NoAnswer(e)
            }
        }
    }

    fn sam(&self) -> SamState {
        match self.status.detail {
            ClassStatus::IdCardReader { sam, .. } => sam,
            _ => SamState::Unknown,
        }
    }

    fn sam_failed(&mut self, e: &IdCardError) {
        let sam = match e {
            IdCardError::Status { sw3, .. } if *sw3 == Sw3::NotAuthorised => {
                SamState::NotAuthorised
            }
            _ => SamState::Fault,
        };
        self.set_sam(sam);
        self.fail(e, DeviceState::HardwareError);
    }

    fn succeeded(&mut self) {
        self.record_outcome(false);
        let recovered = self.recent.len() >= RECOVER_AFTER
            && self
                .recent
                .iter()
                .rev()
                .take(RECOVER_AFTER)
                .all(|failed| !failed);
        match self.status.state {
            DeviceState::Offline if recovered => {
                self.status.state = DeviceState::Online;
            }
            DeviceState::Unknown | DeviceState::PowerOff => self.status.state = DeviceState::Online,
            _ => {}
        }
    }

    fn record_outcome(&mut self, failed: bool) {
        self.recent.push_back(failed);
        while self.recent.len() > OUTCOME_WINDOW {
            self.recent.pop_front();
        }
    }

    fn too_many_failures(&self) -> bool {
        self.recent.iter().filter(|f| **f).count() >= self.config.offline_after as usize
    }

    fn comm_failed(&mut self, e: &IdCardError) {
        self.record_outcome(true);
        let state = if self.too_many_failures() {
            DeviceState::Offline
        } else {
            self.status.state
        };
        self.fail(e, state);
    }

    fn fail(&mut self, e: &IdCardError, state: DeviceState) {
        self.status.last_error = Some(LastError {
            code: e.code().into(),
            message: e.to_string(),
            at: SystemTime::now(),
        });
        self.status.state = state;
        self.publish();
    }

    fn card_gone(&mut self) {
        self.set_card_present(false);
        let _ = self.events.send(ReaderEvent::CardRemoved);
    }

    /// Counts wire trouble the driver absorbed (retried checksums, timeouts, garbage) as
    /// communication errors, and keeps garbage as the last error even when reads succeed.
    /// Returns whether any try failed (a timeout or checksum error, even if retried).
    fn note_link_stats(&mut self, reader: &Reader<C::Link>) -> bool {
        let now = reader.stats();
        let new_garbage = now.garbage_bytes.saturating_sub(self.seen.garbage_bytes);
        let failed_tries = now
            .checksum_errors
            .saturating_sub(self.seen.checksum_errors)
            + now.timeouts.saturating_sub(self.seen.timeouts);
        let new_errors = failed_tries + u64::from(new_garbage > 0);
        self.status.counters.communication_errors += new_errors;
        if new_garbage > 0 {
            self.status.last_error = Some(LastError {
                code: "garbage".into(),
                message: format!("skipped {new_garbage} bytes of line noise before an answer; check cable and baud rate"),
                at: SystemTime::now(),
            });
        }
        self.seen = now;
        failed_tries > 0
    }

    fn link_trouble(&mut self) {
        self.record_outcome(true);
        if self.too_many_failures() {
            self.status.state = DeviceState::Offline;
        }
    }

    fn card_present(&self) -> bool {
        matches!(
            self.status.detail,
            ClassStatus::IdCardReader {
                card_present: true,
                ..
            }
        )
    }

    fn set_card_present(&mut self, present: bool) {
        if let ClassStatus::IdCardReader { card_present, .. } = &mut self.status.detail {
            *card_present = present;
        }
    }

    fn set_sam(&mut self, state: SamState) {
        if let ClassStatus::IdCardReader { sam, .. } = &mut self.status.detail {
            *sam = state;
        }
    }

    /// Sends a status event if state, class fields or the last error changed.
    fn publish(&mut self) {
        let changed = match &self.published {
            None => true,
            Some(p) => {
                p.state != self.status.state
                    || p.detail != self.status.detail
                    || !same_error(&p.last_error, &self.status.last_error)
                    || p.identity != self.status.identity
                    || p.counters != self.status.counters
            }
        };
        if changed {
            self.published = Some(self.status.clone());
            let event = DeviceEvent::StatusChanged(self.status.clone());
            let _ = self.events.send(ReaderEvent::Status(Box::new(event)));
        }
    }

    /// Waits, answering control messages; true if told to stop.
    fn wait(&mut self, d: Duration) -> bool {
        let end = Instant::now() + d;
        loop {
            let now = Instant::now();
            if now >= end {
                return false;
            }
            match self.control.recv_timeout(end - now) {
                Ok(Control::Stop) | Err(RecvTimeoutError::Disconnected) => return true,
                // The device appeared (hot-plug): try now instead of at the end of the wait.
                Ok(Control::Wake) => return false,
                Ok(Control::CheckSam(reply)) => {
                    let _ = reply.send(SamAnswer::NotConnected);
                }
                Ok(Control::Pace(pace)) => self.pace = pace,
                Ok(Control::ReadAgain) | Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

impl<C: Connector> Supervised for Runner<C> {
    type Link = Reader<C::Link>;
    type Error = IdCardError;

    fn open(&mut self) -> Result<Reader<C::Link>, IdCardError> {
        self.connect()
    }

    fn kind(error: &IdCardError) -> ErrorKind {
        error.kind()
    }

    fn open_failed(&mut self, error: &IdCardError) -> bool {
        let state = if error.kind().is_lost() {
            DeviceState::PowerOff
        } else {
            DeviceState::Offline
        };
        self.fail(error, state);
        true
    }

    fn serve(&mut self, reader: Reader<C::Link>) -> Served {
        match self.session(reader) {
            SessionEnd::Stop => Served::Stop,
            SessionEnd::Lost => Served::Lost,
        }
    }

    fn wait(&mut self, wait: Duration) -> bool {
        Runner::wait(self, wait)
    }
}

/// The same error again (only its time differs) is not news.
fn same_error(a: &Option<LastError>, b: &Option<LastError>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.code == b.code && a.message == b.message,
        (None, None) => true,
        _ => false,
    }
}
