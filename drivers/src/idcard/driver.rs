//! The command sequence on one open link: send a command, wait for its answer within the
//! command's time limit, check it; SAM check, baud detection, find → select → read, and the
//! "is the card still there" poll. Blocking and generic over [`Transport`].

use std::time::{Duration, Instant};

use bytes::BytesMut;
use zeroize::Zeroize;

use super::codec::{BaseMessage, Command, Response, SamId, Sw3, BAUD_RATES};
use super::error::{ErrorKind, IdCardError};
use super::frame::FrameDecoder;
use super::layout;
use super::transport::Transport;
use super::IdCard;

/// Wire trouble seen on this link, for the status counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Garbage bytes skipped while hunting for a preamble.
    pub garbage_bytes: u64,
    /// Frames dropped for a bad checksum.
    pub checksum_errors: u64,
    /// Commands that got no answer in time.
    pub timeouts: u64,
}

/// A reader on an open link.
pub struct Reader<T: Transport> {
    link: T,
    baud: u32,
    decoder: FrameDecoder,
    buf: BytesMut,
    stats: LinkStats,
    /// Extra tries after a transient failure (checksum, timeout, SW3 0x10/0x11).
    pub retries: u32,
    /// Time limit for each baud-rate probe.
    pub probe_timeout: Duration,
}

impl<T: Transport> std::fmt::Debug for Reader<T> {
    // By hand: the receive buffer may hold card data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("baud", &self.baud)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Reader<T> {
    /// Wraps a link that is set to `baud`.
    pub fn new(link: T, baud: u32) -> Reader<T> {
        Reader {
            link,
            baud,
            decoder: FrameDecoder::new(),
            buf: BytesMut::with_capacity(4096),
            stats: LinkStats::default(),
            retries: 1,
            probe_timeout: Duration::from_millis(300),
        }
    }

    /// The current line rate.
    pub fn baud(&self) -> u32 {
        self.baud
    }

    /// Wire trouble so far.
    pub fn stats(&self) -> LinkStats {
        let mut stats = self.stats;
        stats.garbage_bytes = self.decoder.skipped();
        stats
    }

    /// One attempt: send `command`, wait up to `timeout` for one answer frame.
    pub fn transact_within(
        &mut self,
        command: Command,
        timeout: Duration,
    ) -> Result<Response, IdCardError> {
        // Anything still buffered belongs to an earlier command (a late answer).
        self.link.discard_input()?;
        self.clear_buffer();
        self.link.write_all(&command.encode(), timeout)?;
        let deadline = Instant::now() + timeout;
        let mut chunk = [0u8; 1400];
        let result = loop {
            match self.decoder.decode(&mut self.buf) {
                Ok(Some(frame)) => break Response::from_frame(&command, &frame),
                Ok(None) => {}
                Err(e) => {
                    self.stats.checksum_errors += 1;
                    break Err(e);
                }
            }
            let now = Instant::now();
            if now >= deadline {
                self.stats.timeouts += 1;
                break Err(IdCardError::Timeout {
                    command: command.name(),
                    after: timeout,
                });
            }
            match self.link.read(&mut chunk, deadline - now) {
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) => break Err(e),
            }
        };
        chunk.zeroize();
        self.clear_buffer();
        result
    }

    fn clear_buffer(&mut self) {
        self.buf[..].zeroize();
        self.buf.clear();
    }

    /// Sends `command` with its own time limit, retrying transient failures; returns the
    /// answer whatever its SW3 (callers decide what a status means for them).
    pub fn execute(&mut self, command: Command) -> Result<Response, IdCardError> {
        let mut attempt = 0;
        loop {
            let result = self
                .transact_within(command, command.timeout(self.baud))
                .and_then(|r| check_shape(&command, r));
            let retry = match &result {
                Err(e) => e.kind().is_transient(),
                Ok(r) => matches!(r.sw3, Sw3::ChecksumError | Sw3::LengthError),
            };
            if !retry || attempt >= self.retries {
                return result;
            }
            attempt += 1;
        }
    }

    /// Finds the rate the reader answers at: SAM status at each of 115200 … 9600, the first
    /// rate that brings back any well-formed frame wins (Sdtapi's `SDT_GetCOMBaud`).
    pub fn detect_baud(&mut self, first: Option<u32>) -> Result<u32, IdCardError> {
        let mut rates: Vec<u32> = first.into_iter().collect();
        rates.extend(BAUD_RATES.iter().filter(|r| Some(**r) != first));
        let mut last = None;
        for rate in rates {
            self.link.set_baud(rate)?;
            self.baud = rate;
            match self.transact_within(Command::SamStatus, self.probe_timeout) {
                // A frame with a bad checksum still proves the rate: its preamble came through.
                Ok(_) | Err(IdCardError::Checksum { .. }) => return Ok(rate),
                Err(e) if e.kind().is_lost() => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(IdCardError::Timeout {
            command: "SAM_STATUS",
            after: self.probe_timeout,
        }))
    }

    /// SAM status check: `Ok` if the SAM is usable.
    pub fn check_sam(&mut self) -> Result<(), IdCardError> {
        self.execute(Command::SamStatus)?
            .ok_for(&Command::SamStatus)
            .map(|_| ())
    }

    /// The SAM id (the reader's serial number).
    pub fn sam_id(&mut self) -> Result<SamId, IdCardError> {
        let response = self.execute(Command::SamId)?.ok_for(&Command::SamId)?;
        SamId::parse(&response.data)
    }

    /// FIND: `true` if a card answered, `false` for "no card" (0x80). Tried twice before
    /// saying "no card", as find fails now and then with a card present.
    pub fn find(&mut self) -> Result<bool, IdCardError> {
        for _ in 0..2 {
            let response = self.execute(Command::FindCard)?;
            match response.sw3 {
                Sw3::FindSuccess => return Ok(true),
                Sw3::FindFailed => continue,
                sw3 => {
                    return Err(IdCardError::Status {
                        command: "FIND",
                        sw3,
                    })
                }
            }
        }
        Ok(false)
    }

    /// SELECT after a successful FIND.
    pub fn select(&mut self) -> Result<(), IdCardError> {
        self.execute(Command::SelectCard)?
            .ok_for(&Command::SelectCard)
            .map(|_| ())
    }

    /// READ BASE (with fingerprints if asked) and decode the card.
    pub fn read_base(&mut self, with_fingerprint: bool) -> Result<IdCard, IdCardError> {
        let command = if with_fingerprint {
            Command::ReadBaseWithFingerprint
        } else {
            Command::ReadBase
        };
        let response = self.execute(command)?.ok_for(&command)?;
        let message = BaseMessage::parse(&response.data, with_fingerprint)?;
        layout::decode(&message.text, &message.photo)
    }

    /// The whole read of a card already found: SELECT then READ.
    pub fn select_and_read(&mut self, with_fingerprint: bool) -> Result<IdCard, IdCardError> {
        self.select()?;
        self.read_base(with_fingerprint)
    }

    /// The newest appended address (住址变更), if the card has one: 70 bytes of UCS-2LE.
    pub fn read_appended_address(&mut self) -> Result<Option<String>, IdCardError> {
        let command = Command::ReadAppendedAddress;
        let response = self.execute(command)?;
        if response.sw3 == Sw3::NoContent {
            return Ok(None);
        }
        let response = response.ok_for(&command)?;
        let units = response
            .data
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]));
        let text: String = char::decode_utf16(units)
            .collect::<Result<_, _>>()
            .map_err(|_| IdCardError::InvalidField {
                field: "appended_address",
                reason: "not valid UTF-16",
            })?;
        let trimmed = text.trim_matches([' ', '\0']).to_owned();
        Ok((!trimmed.is_empty()).then_some(trimmed))
    }

    /// Whether the card that was just read is still on the reader: a cheap read-type command
    /// (newest appended address) keeps succeeding (0x90/0x91) until the card leaves, the way
    /// Routon's loop mode detects removal; FIND cannot tell, it answers 0x80 on many readers
    /// while the read card stays.
    pub fn card_still_present(&mut self) -> Result<bool, IdCardError> {
        let response = self.execute(Command::ReadAppendedAddress)?;
        match response.sw3 {
            Sw3::Success | Sw3::NoContent => Ok(true),
            sw3 if sw3.error_kind() == ErrorKind::Unreadable => Ok(false),
            sw3 => Err(IdCardError::Status {
                command: "READ_APPENDED_ADDRESS",
                sw3,
            }),
        }
    }
}

/// Rejects success answers whose data does not fit the command: after a slow SAM, a late
/// answer to an earlier command can arrive in place of this one's.
fn check_shape(command: &Command, response: Response) -> Result<Response, IdCardError> {
    let expected = match (command, response.sw3) {
        (Command::FindCard, Sw3::FindSuccess) => Some(4),
        // FIND succeeds only with 0x9F; a 0x90 here is someone else's answer.
        (Command::FindCard, Sw3::Success) => Some(usize::MAX),
        (Command::SelectCard, Sw3::Success) => Some(8),
        (Command::SamId, Sw3::Success) => Some(16),
        (
            Command::SamStatus
            | Command::ResetSam
            | Command::SetBaud(_)
            | Command::SetMaxRfFrame(_),
            Sw3::Success,
        ) => Some(0),
        (_, sw3) if !sw3.is_success() && sw3 != Sw3::NoContent => Some(0),
        _ => None,
    };
    match expected {
        Some(n) if n != response.data.len() => Err(IdCardError::Malformed {
            command: command.name(),
            reason: format!(
                "{} data bytes with SW3 {:#04x}",
                response.data.len(),
                response.sw3.code()
            ),
        }),
        _ => Ok(response),
    }
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
