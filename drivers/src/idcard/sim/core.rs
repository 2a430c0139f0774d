//! The reader side of the SAM protocol as a pure state machine: a command frame in, the
//! reader's answer out (or silence), with the faults a real reader shows switchable at run
//! time through [`SimControl`].
//!
//! States (reference §7): no card → card present → found → selected → read. The serial side
//! that moves the bytes is in [`pty`](super::pty).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use zeroize::Zeroizing;

use crate::idcard::codec::{BaseMessage, Command, Response, SamId, Sw3};
use crate::idcard::error::IdCardError;
use crate::idcard::frame::RawFrame;
use crate::idcard::layout;
use crate::idcard::IdCard;

/// A fault the simulated reader can show; several can be on at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// No card on the reader: FIND answers 0x80.
    NoCard,
    /// The card leaves during READ: the read answers 0x41 and the card is gone.
    RemovedMidRead,
    /// Every answer carries a wrong checksum.
    BadChecksum,
    /// The SAM is not authorised: SAM status and card commands answer 0x66.
    SamNotAuthorised,
    /// Every answer comes after [`SimControl::set_slow_delay`] (default 1.5 s).
    SlowSam,
    /// No answer at all.
    Silence,
    /// Garbage bytes before every answer.
    Garbage,
    /// The device is unplugged: the pseudo-terminal disappears until the fault is cleared.
    Unplug,
}

impl Fault {
    /// Every fault, for `--fault` help and tests.
    pub const ALL: [Fault; 8] = [
        Fault::NoCard,
        Fault::RemovedMidRead,
        Fault::BadChecksum,
        Fault::SamNotAuthorised,
        Fault::SlowSam,
        Fault::Silence,
        Fault::Garbage,
        Fault::Unplug,
    ];

    /// The command-line name (`no-card`, `bad-checksum`, …).
    pub fn name(self) -> &'static str {
        match self {
            Fault::NoCard => "no-card",
            Fault::RemovedMidRead => "removed-mid-read",
            Fault::BadChecksum => "bad-checksum",
            Fault::SamNotAuthorised => "sam-not-authorised",
            Fault::SlowSam => "slow-sam",
            Fault::Silence => "silence",
            Fault::Garbage => "garbage",
            Fault::Unplug => "unplug",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The card a simulator serves, already encoded as the reader would send it.
#[derive(Clone)]
pub struct SimCard {
    message: BaseMessage,
    appended_address: Option<String>,
}

impl std::fmt::Debug for SimCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCard").finish_non_exhaustive()
    }
}

impl SimCard {
    /// Encodes a card into the 256-byte text block and keeps its photo.
    pub fn new(card: &IdCard, appended_address: Option<String>) -> Result<SimCard, IdCardError> {
        let mut photo = card.photo_wlt.clone();
        photo.resize(layout::PHOTO_LEN, 0);
        Ok(SimCard {
            message: BaseMessage {
                text: layout::encode(card)?,
                photo: Zeroizing::new(photo),
                fingerprint: None,
            },
            appended_address,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Found,
    Selected,
    Read,
}

#[derive(Debug)]
struct SimState {
    card: Option<SimCard>,
    card_on_reader: bool,
    phase: Phase,
    faults: BTreeSet<Fault>,
    baud: u32,
    slow_delay: Duration,
    sticky_after_read: bool,
    commands_seen: u64,
    finds_seen: u64,
    sam_id: SamId,
}

/// Shared, thread-safe handle on a simulated reader: place or remove the card and switch
/// faults while the simulator runs. Cloning gives another handle on the same reader.
#[derive(Debug, Clone)]
pub struct SimControl {
    state: Arc<Mutex<SimState>>,
}

/// What the reader does with one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Bytes to send (empty for silence).
    pub bytes: Vec<u8>,
    /// How long the SAM "works" before sending.
    pub delay: Duration,
    /// A new line rate to switch to after sending (SET_BAUD).
    pub then_baud: Option<u32>,
}

const GARBAGE: [u8; 9] = [0x00, 0xFF, 0xAA, 0xAA, 0x96, 0x13, 0x55, 0xAA, 0x69];

impl SimControl {
    /// A reader at `baud` with `card` lying on it (if any).
    pub fn new(card: Option<SimCard>, baud: u32) -> SimControl {
        let on = card.is_some();
        SimControl {
            state: Arc::new(Mutex::new(SimState {
                card,
                card_on_reader: on,
                phase: Phase::Idle,
                faults: BTreeSet::new(),
                baud,
                slow_delay: Duration::from_millis(1500),
                sticky_after_read: true,
                commands_seen: 0,
                finds_seen: 0,
                sam_id: SamId {
                    parts: (5, 1, 20_101_216, 17_215_573, 2_147_512_114),
                },
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        // A panic elsewhere must not take the simulator down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Switches a fault on or off.
    pub fn set_fault(&self, fault: Fault, on: bool) {
        let mut s = self.lock();
        if on {
            s.faults.insert(fault);
        } else {
            s.faults.remove(&fault);
        }
    }

    /// Whether a fault is on.
    pub fn has_fault(&self, fault: Fault) -> bool {
        self.lock().faults.contains(&fault)
    }

    /// Puts the card on the reader (or a new card, if given).
    pub fn place_card(&self, card: Option<SimCard>) {
        let mut s = self.lock();
        if card.is_some() {
            s.card = card;
        }
        s.card_on_reader = s.card.is_some();
        s.phase = Phase::Idle;
    }

    /// Power comes back after an unplug: the SAM starts afresh, a card lying on the reader
    /// can be found again.
    pub fn power_on(&self) {
        self.lock().phase = Phase::Idle;
    }

    /// Takes the card off the reader.
    pub fn remove_card(&self) {
        let mut s = self.lock();
        s.card_on_reader = false;
        s.phase = Phase::Idle;
    }

    /// How long answers take under [`Fault::SlowSam`].
    pub fn set_slow_delay(&self, delay: Duration) {
        self.lock().slow_delay = delay;
    }

    /// Sticky (default): after a read, FIND answers 0x80 until the card is lifted, as many
    /// readers do. Off: the card can be found again at once.
    pub fn set_sticky_after_read(&self, sticky: bool) {
        self.lock().sticky_after_read = sticky;
    }

    /// The line rate the reader is set to now.
    pub fn baud(&self) -> u32 {
        self.lock().baud
    }

    /// Commands answered or ignored so far (for tests that wait for activity).
    pub fn commands_seen(&self) -> u64 {
        self.lock().commands_seen
    }

    /// FIND commands answered so far: how often the driver polled for a card (tests of
    /// the poll pace count them).
    pub fn finds_seen(&self) -> u64 {
        self.lock().finds_seen
    }

    /// Answers one decoded frame (or a frame whose checksum failed).
    pub fn answer(&self, frame: Result<RawFrame, IdCardError>) -> Reply {
        let mut s = self.lock();
        s.commands_seen += 1;
        let mut then_baud = None;
        let response = match frame {
            Err(_) => Response::new(Sw3::ChecksumError, Vec::new()),
            Ok(frame) => match Command::parse(&frame.body) {
                Err(sw3) => Response::new(sw3, Vec::new()),
                Ok(command) => {
                    if let Command::SetBaud(rate) = command {
                        then_baud = Some(rate);
                    }
                    if command == Command::FindCard {
                        s.finds_seen += 1;
                    }
                    s.respond(command)
                }
            },
        };
        let delay = if s.faults.contains(&Fault::SlowSam) {
            s.slow_delay
        } else {
            Duration::ZERO
        };
        if s.faults.contains(&Fault::Silence) {
            return Reply {
                bytes: Vec::new(),
                delay,
                then_baud: None,
            };
        }
        let mut bytes = Vec::new();
        if s.faults.contains(&Fault::Garbage) {
            bytes.extend_from_slice(&GARBAGE);
        }
        let mut frame = response.encode();
        if s.faults.contains(&Fault::BadChecksum) {
            if let Some(last) = frame.last_mut() {
                *last ^= 0x5A;
            }
        }
        bytes.extend_from_slice(&frame);
        if let Some(rate) = then_baud {
            s.baud = rate;
        }
        Reply {
            bytes,
            delay,
            then_baud,
        }
    }
}

impl SimState {
    fn card_here(&self) -> bool {
        self.card_on_reader && self.card.is_some() && !self.faults.contains(&Fault::NoCard)
    }

    fn respond(&mut self, command: Command) -> Response {
        let unauthorised = self.faults.contains(&Fault::SamNotAuthorised);
        let ok = |data: Vec<u8>| Response::new(Sw3::Success, data);
        match command {
            Command::SamStatus | Command::ResetSam if unauthorised => {
                Response::new(Sw3::NotAuthorised, Vec::new())
            }
            Command::SamStatus => ok(Vec::new()),
            Command::ResetSam => {
                self.phase = Phase::Idle;
                ok(Vec::new())
            }
            Command::SamId => ok(self.sam_id.to_bytes()),
            Command::SetBaud(_) | Command::SetMaxRfFrame(_) => ok(Vec::new()),
            _ if unauthorised => Response::new(Sw3::NotAuthorised, Vec::new()),
            Command::FindCard => {
                let sticky = self.phase == Phase::Read && self.sticky_after_read;
                if self.card_here() && !sticky {
                    self.phase = Phase::Found;
                    Response::new(Sw3::FindSuccess, vec![0; 4])
                } else {
                    Response::new(Sw3::FindFailed, Vec::new())
                }
            }
            Command::SelectCard => {
                // A found card stays active: it can be selected again after a read.
                if self.card_here() && self.phase != Phase::Idle {
                    self.phase = Phase::Selected;
                    ok(vec![0; 8])
                } else {
                    Response::new(Sw3::SelectFailed, Vec::new())
                }
            }
            Command::ReadBase | Command::ReadBaseWithFingerprint => {
                if !self.card_here() || !matches!(self.phase, Phase::Selected | Phase::Read) {
                    return Response::new(Sw3::ReadFailed, Vec::new());
                }
                if self.faults.contains(&Fault::RemovedMidRead) {
                    self.card_on_reader = false;
                    self.phase = Phase::Idle;
                    return Response::new(Sw3::ReadFailed, Vec::new());
                }
                self.phase = Phase::Read;
                let Some(card) = &self.card else {
                    return Response::new(Sw3::ReadFailed, Vec::new());
                };
                let mut message = card.message.clone();
                if command == Command::ReadBaseWithFingerprint {
                    message.fingerprint = Some(Zeroizing::new(Vec::new()));
                }
                ok(message.to_data())
            }
            Command::ReadAppendedAddress | Command::ReadManagementNumber => {
                if !self.card_here() || !matches!(self.phase, Phase::Selected | Phase::Read) {
                    return Response::new(Sw3::ReadFailed, Vec::new());
                }
                if command == Command::ReadManagementNumber {
                    return ok(vec![0x30; 28]);
                }
                match self.card.as_ref().and_then(|c| c.appended_address.as_ref()) {
                    Some(address) => {
                        let mut units: Vec<u16> = address.encode_utf16().take(35).collect();
                        units.resize(35, 0x0020);
                        ok(units.into_iter().flat_map(u16::to_le_bytes).collect())
                    }
                    None => Response::new(Sw3::NoContent, Vec::new()),
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "core_tests.rs"]
mod tests;
