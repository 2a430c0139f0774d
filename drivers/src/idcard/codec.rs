//! SAM commands and answers as types: what the host sends, what the reader's SW3 means,
//! and the payloads of the answers that carry data (SAM id, read base message).
//!
//! Pure bytes ⇄ types; the framing itself is in [`frame`](super::frame).

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

use super::error::{ErrorKind, IdCardError};
use super::frame::{encode_frame, RawFrame};

/// UART rates the reader supports, in the order auto-detection tries them, with the PARA
/// byte of the "set baud" command (0x60) for each.
pub const BAUD_RATES: [u32; 5] = [115_200, 57_600, 38_400, 19_200, 9_600];

/// A host → reader command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `10 FF`: reset the SAM.
    ResetSam,
    /// `11 FF`: SAM status check; also the probe for baud detection.
    SamStatus,
    /// `12 FF`: read the SAM id (16 bytes), the reader's serial number.
    SamId,
    /// `20 01`: find a card in the field.
    FindCard,
    /// `20 02`: select the found card.
    SelectCard,
    /// `30 01`: read the base message: text block + WLT photo.
    ReadBase,
    /// `30 10`: read text + photo + fingerprint templates.
    ReadBaseWithFingerprint,
    /// `30 03`: read the newest appended address; also the "card still there?" poll.
    ReadAppendedAddress,
    /// `30 05`: read the card body management number.
    ReadManagementNumber,
    /// `60 xx`: set the UART rate; the reply still comes at the old rate.
    SetBaud(u32),
    /// `61 FF nn`: set the maximum RF frame size.
    SetMaxRfFrame(u8),
}

impl Command {
    /// Short English name for errors and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Command::ResetSam => "RESET_SAM",
            Command::SamStatus => "SAM_STATUS",
            Command::SamId => "SAM_ID",
            Command::FindCard => "FIND",
            Command::SelectCard => "SELECT",
            Command::ReadBase => "READ_BASE",
            Command::ReadBaseWithFingerprint => "READ_BASE_FP",
            Command::ReadAppendedAddress => "READ_APPENDED_ADDRESS",
            Command::ReadManagementNumber => "READ_MANAGEMENT_NO",
            Command::SetBaud(_) => "SET_BAUD",
            Command::SetMaxRfFrame(_) => "SET_MAX_RF_FRAME",
        }
    }

    /// The CMD, PARA and DATA bytes.
    fn body(&self) -> Vec<u8> {
        match *self {
            Command::ResetSam => vec![0x10, 0xFF],
            Command::SamStatus => vec![0x11, 0xFF],
            Command::SamId => vec![0x12, 0xFF],
            Command::FindCard => vec![0x20, 0x01],
            Command::SelectCard => vec![0x20, 0x02],
            Command::ReadBase => vec![0x30, 0x01],
            Command::ReadBaseWithFingerprint => vec![0x30, 0x10],
            Command::ReadAppendedAddress => vec![0x30, 0x03],
            Command::ReadManagementNumber => vec![0x30, 0x05],
            Command::SetBaud(rate) => {
                let para = BAUD_RATES.iter().position(|r| *r == rate).unwrap_or(0) as u8;
                vec![0x60, para]
            }
            Command::SetMaxRfFrame(n) => vec![0x61, 0xFF, n],
        }
    }

    /// The whole frame to write to the port.
    pub fn encode(&self) -> Vec<u8> {
        encode_frame(&self.body())
    }

    /// Parses a command frame's body (the simulator's side). The error is the SW3 a reader
    /// answers: 0x11 for a wrong length, 0x21 for an unknown command.
    pub fn parse(body: &[u8]) -> Result<Command, Sw3> {
        let (&cmd, rest) = body.split_first().ok_or(Sw3::LengthError)?;
        let (&para, data) = rest.split_first().ok_or(Sw3::LengthError)?;
        let command = match (cmd, para) {
            (0x10, 0xFF) => Command::ResetSam,
            (0x11, 0xFF) => Command::SamStatus,
            (0x12, 0xFF) => Command::SamId,
            (0x20, 0x01) => Command::FindCard,
            (0x20, 0x02) => Command::SelectCard,
            (0x30, 0x01) => Command::ReadBase,
            (0x30, 0x10) => Command::ReadBaseWithFingerprint,
            (0x30, 0x03) => Command::ReadAppendedAddress,
            (0x30, 0x05) => Command::ReadManagementNumber,
            (0x60, p) if usize::from(p) < BAUD_RATES.len() => {
                Command::SetBaud(BAUD_RATES[usize::from(p)])
            }
            (0x61, 0xFF) => {
                return match data {
                    [n] => Ok(Command::SetMaxRfFrame(*n)),
                    _ => Err(Sw3::LengthError),
                }
            }
            _ => return Err(Sw3::CommandError),
        };
        if data.is_empty() {
            Ok(command)
        } else {
            Err(Sw3::LengthError)
        }
    }

    /// How long to wait for the whole answer at `baud`: the reference's host timeouts
    /// (200 ms find/select, 2 s read) plus the answer's wire time, so 9600 baud still works.
    pub fn timeout(&self, baud: u32) -> Duration {
        let (base_ms, answer_bytes) = match self {
            Command::FindCard | Command::SelectCard => (300, 19),
            Command::ReadBase => (2000, 1295),
            Command::ReadBaseWithFingerprint => (2000, 2321),
            Command::ReadAppendedAddress | Command::ReadManagementNumber => (1000, 100),
            _ => (1000, 27),
        };
        Duration::from_millis(base_ms) + wire_time(answer_bytes, baud)
    }
}

/// Time `bytes` take on a UART at `baud`, 8N1 (10 bits per byte).
pub fn wire_time(bytes: usize, baud: u32) -> Duration {
    Duration::from_micros(bytes as u64 * 10 * 1_000_000 / u64::from(baud.max(1)))
}

/// The reader's status byte (SW3), typed. Unknown values are kept, not rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sw3 {
    /// 0x90 操作成功.
    Success,
    /// 0x9F 寻找证/卡成功 (only for FIND).
    FindSuccess,
    /// 0x91 证/卡中此项无内容.
    NoContent,
    /// 0x10 接收业务终端数据的校验和错.
    ChecksumError,
    /// 0x11 接收业务终端数据的长度错.
    LengthError,
    /// 0x21 接收业务终端的命令错误.
    CommandError,
    /// 0x23 越权操作.
    PrivilegeViolation,
    /// 0x24 无法识别的错误.
    Unrecognised,
    /// 0x31 证/卡认证SAM失败.
    CardAuthFailed,
    /// 0x32 SAM认证证/卡失败.
    SamAuthFailed,
    /// 0x33 信息验证错误.
    VerificationError,
    /// 0x40 无法识别的卡类型.
    UnknownCardType,
    /// 0x41 读证/卡操作失败.
    ReadFailed,
    /// 0x47 取随机数失败.
    RandomFailed,
    /// 0x60 SAM自检失败.
    SelfTestFailed,
    /// 0x66 SAM未经授权.
    NotAuthorised,
    /// 0x80 寻找证/卡失败: no card, the idle answer.
    FindFailed,
    /// 0x81 选取证/卡失败.
    SelectFailed,
    /// Any other value.
    Other(u8),
}

impl Sw3 {
    /// Types a raw SW3 byte.
    pub fn from_byte(b: u8) -> Sw3 {
        match b {
            0x90 => Sw3::Success,
            0x9F => Sw3::FindSuccess,
            0x91 => Sw3::NoContent,
            0x10 => Sw3::ChecksumError,
            0x11 => Sw3::LengthError,
            0x21 => Sw3::CommandError,
            0x23 => Sw3::PrivilegeViolation,
            0x24 => Sw3::Unrecognised,
            0x31 => Sw3::CardAuthFailed,
            0x32 => Sw3::SamAuthFailed,
            0x33 => Sw3::VerificationError,
            0x40 => Sw3::UnknownCardType,
            0x41 => Sw3::ReadFailed,
            0x47 => Sw3::RandomFailed,
            0x60 => Sw3::SelfTestFailed,
            0x66 => Sw3::NotAuthorised,
            0x80 => Sw3::FindFailed,
            0x81 => Sw3::SelectFailed,
            other => Sw3::Other(other),
        }
    }

    /// The wire byte.
    pub fn code(self) -> u8 {
        match self {
            Sw3::Success => 0x90,
            Sw3::FindSuccess => 0x9F,
            Sw3::NoContent => 0x91,
            Sw3::ChecksumError => 0x10,
            Sw3::LengthError => 0x11,
            Sw3::CommandError => 0x21,
            Sw3::PrivilegeViolation => 0x23,
            Sw3::Unrecognised => 0x24,
            Sw3::CardAuthFailed => 0x31,
            Sw3::SamAuthFailed => 0x32,
            Sw3::VerificationError => 0x33,
            Sw3::UnknownCardType => 0x40,
            Sw3::ReadFailed => 0x41,
            Sw3::RandomFailed => 0x47,
            Sw3::SelfTestFailed => 0x60,
            Sw3::NotAuthorised => 0x66,
            Sw3::FindFailed => 0x80,
            Sw3::SelectFailed => 0x81,
            Sw3::Other(b) => b,
        }
    }

    /// Whether the command succeeded (0x90, or 0x9F for FIND).
    pub fn is_success(self) -> bool {
        matches!(self, Sw3::Success | Sw3::FindSuccess)
    }

    /// English meaning, after the reference's table.
    pub fn meaning(self) -> &'static str {
        match self {
            Sw3::Success => "success",
            Sw3::FindSuccess => "card found",
            Sw3::NoContent => "the card has no content for this item",
            Sw3::ChecksumError => "the reader got a frame with a bad checksum",
            Sw3::LengthError => "the reader got a frame with a bad length",
            Sw3::CommandError => "the reader does not know this command",
            Sw3::PrivilegeViolation => "privilege violation",
            Sw3::Unrecognised => "unrecognised error",
            Sw3::CardAuthFailed => "the card failed to authenticate the SAM",
            Sw3::SamAuthFailed => "the SAM failed to authenticate the card",
            Sw3::VerificationError => "information verification error",
            Sw3::UnknownCardType => "unrecognised card type",
            Sw3::ReadFailed => "reading the card failed",
            Sw3::RandomFailed => "get-random failed",
            Sw3::SelfTestFailed => "the SAM failed its self-test",
            Sw3::NotAuthorised => "the SAM is not authorised",
            Sw3::FindFailed => "no card found",
            Sw3::SelectFailed => "selecting the card failed",
            Sw3::Other(_) => "undocumented status",
        }
    }

    /// What a technician should do about it.
    pub fn advice(self) -> &'static str {
        match self.error_kind() {
            ErrorKind::Fault => "the SAM module needs service or authorisation by the vendor",
            ErrorKind::Unreadable => "ask the citizen to place the card again, flat on the reader",
            _ => "retry; if it persists check cable, baud rate and reader firmware",
        }
    }

    /// How callers should treat this status as an error.
    pub fn error_kind(self) -> ErrorKind {
        match self {
            Sw3::SelfTestFailed | Sw3::NotAuthorised | Sw3::PrivilegeViolation => ErrorKind::Fault,
            Sw3::CardAuthFailed
            | Sw3::SamAuthFailed
            | Sw3::VerificationError
            | Sw3::UnknownCardType
            | Sw3::ReadFailed
            | Sw3::RandomFailed
            | Sw3::FindFailed
            | Sw3::SelectFailed
            | Sw3::NoContent => ErrorKind::Unreadable,
            _ => ErrorKind::Protocol,
        }
    }

    /// The stable code for `LastError.code`.
    pub fn code_name(self) -> &'static str {
        match self {
            Sw3::NotAuthorised => "samNotAuthorised",
            Sw3::SelfTestFailed => "samSelfTestFailed",
            Sw3::ReadFailed => "readFailed",
            Sw3::FindFailed => "noCard",
            Sw3::SelectFailed => "selectFailed",
            Sw3::ChecksumError => "readerChecksum",
            Sw3::LengthError | Sw3::CommandError => "readerRejectedCommand",
            Sw3::CardAuthFailed | Sw3::SamAuthFailed | Sw3::VerificationError => "cardAuth",
            Sw3::UnknownCardType => "unknownCardType",
            _ => "readerStatus",
        }
    }
}

impl fmt::Display for Sw3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#04x} {}", self.code(), self.meaning())
    }
}

/// A reader → host answer: SW1 SW2 SW3 and the data. Data is zeroized on drop and left out
/// of Debug output because read answers carry the card's personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// Card APDU status word 1 (almost always 0).
    pub sw1: u8,
    /// Card APDU status word 2 (almost always 0).
    pub sw2: u8,
    /// The reader's status.
    pub sw3: Sw3,
    /// The data after SW3.
    pub data: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("sw1", &self.sw1)
            .field("sw2", &self.sw2)
            .field("sw3", &self.sw3)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .finish()
    }
}

impl Response {
    /// Types a decoded frame as an answer to `command`.
    pub fn from_frame(command: &Command, frame: &RawFrame) -> Result<Response, IdCardError> {
        match frame.body.as_slice() {
            [sw1, sw2, sw3, data @ ..] => Ok(Response {
                sw1: *sw1,
                sw2: *sw2,
                sw3: Sw3::from_byte(*sw3),
                data: Zeroizing::new(data.to_vec()),
            }),
            _ => Err(IdCardError::Malformed {
                command: command.name(),
                reason: format!("{} body bytes, need at least 3", frame.body.len()),
            }),
        }
    }

    /// A simulator answer: SW1 = SW2 = 0.
    pub fn new(sw3: Sw3, data: Vec<u8>) -> Response {
        Response {
            sw1: 0,
            sw2: 0,
            sw3,
            data: Zeroizing::new(data),
        }
    }

    /// The whole frame (simulator side).
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Zeroizing::new(Vec::with_capacity(3 + self.data.len()));
        body.extend_from_slice(&[self.sw1, self.sw2, self.sw3.code()]);
        body.extend_from_slice(&self.data);
        encode_frame(&body)
    }

    /// `Ok(self)` for success, else the status as an error naming `command`.
    pub fn ok_for(self, command: &Command) -> Result<Response, IdCardError> {
        if self.sw3.is_success() {
            Ok(self)
        } else {
            Err(IdCardError::Status {
                command: command.name(),
                sw3: self.sw3,
            })
        }
    }
}

/// The SAM id: two u16 and three u32, little-endian, printed the Sdtapi way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamId {
    /// The five numbers as they appear on the wire.
    pub parts: (u16, u16, u32, u32, u32),
}

impl SamId {
    /// Parses the 16 data bytes of a SAM id answer.
    pub fn parse(data: &[u8]) -> Result<SamId, IdCardError> {
        let d: &[u8; 16] = data.try_into().map_err(|_| IdCardError::Malformed {
            command: "SAM_ID",
            reason: format!("{} data bytes, expected 16", data.len()),
        })?;
        let u16_at = |i: usize| u16::from_le_bytes([d[i], d[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
        Ok(SamId {
            parts: (u16_at(0), u16_at(2), u32_at(4), u32_at(8), u32_at(12)),
        })
    }

    /// The 16 data bytes (simulator side).
    pub fn to_bytes(&self) -> Vec<u8> {
        let (a, b, c, d, e) = self.parts;
        let mut out = Vec::with_capacity(16);
        out.extend_from_slice(&a.to_le_bytes());
        out.extend_from_slice(&b.to_le_bytes());
        out.extend_from_slice(&c.to_le_bytes());
        out.extend_from_slice(&d.to_le_bytes());
        out.extend_from_slice(&e.to_le_bytes());
        out
    }
}

impl fmt::Display for SamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c, d, e) = self.parts;
        write!(f, "{a:02}.{b:02}-{c:08}-{d:010}-{e:010}")
    }
}

/// The raw content of a read-base-message answer: text block, WLT photo, fingerprints.
/// Zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseMessage {
    /// The 256-byte UCS-2LE text block.
    pub text: Zeroizing<Vec<u8>>,
    /// The 1024-byte WLT photo.
    pub photo: Zeroizing<Vec<u8>>,
    /// Fingerprint templates (only for 0x30 0x10; may be empty).
    pub fingerprint: Option<Zeroizing<Vec<u8>>>,
}

impl fmt::Debug for BaseMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BaseMessage")
            .field("text", &format_args!("<{} bytes>", self.text.len()))
            .field("photo", &format_args!("<{} bytes>", self.photo.len()))
            .field("fingerprint", &self.fingerprint.as_ref().map(|f| f.len()))
            .finish()
    }
}

impl BaseMessage {
    /// Splits a read answer's data by its big-endian length fields.
    pub fn parse(data: &[u8], with_fingerprint: bool) -> Result<BaseMessage, IdCardError> {
        let command = if with_fingerprint {
            "READ_BASE_FP"
        } else {
            "READ_BASE"
        };
        let bad = |reason: String| IdCardError::Malformed { command, reason };
        let header = if with_fingerprint { 6 } else { 4 };
        if data.len() < header {
            return Err(bad(format!("{} data bytes, too short", data.len())));
        }
        let be = |i: usize| usize::from(u16::from_be_bytes([data[i], data[i + 1]]));
        let text_len = be(0);
        let photo_len = be(2);
        let fp_len = if with_fingerprint { be(4) } else { 0 };
        if text_len != 256 {
            return Err(bad(format!("text length {text_len}, expected 256")));
        }
        if header + text_len + photo_len + fp_len != data.len() {
            return Err(bad(format!(
                "lengths {text_len}+{photo_len}+{fp_len} do not add up to {} data bytes",
                data.len() - header
            )));
        }
        let text_end = header + text_len;
        let photo_end = text_end + photo_len;
        Ok(BaseMessage {
            text: Zeroizing::new(data[header..text_end].to_vec()),
            photo: Zeroizing::new(data[text_end..photo_end].to_vec()),
            fingerprint: with_fingerprint.then(|| Zeroizing::new(data[photo_end..].to_vec())),
        })
    }

    /// The answer's data (simulator side).
    pub fn to_data(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(6 + self.text.len() + self.photo.len() + 2048);
        out.extend_from_slice(&(self.text.len() as u16).to_be_bytes());
        out.extend_from_slice(&(self.photo.len() as u16).to_be_bytes());
        if let Some(fp) = &self.fingerprint {
            out.extend_from_slice(&(fp.len() as u16).to_be_bytes());
        }
        out.extend_from_slice(&self.text);
        out.extend_from_slice(&self.photo);
        if let Some(fp) = &self.fingerprint {
            out.extend_from_slice(fp);
        }
        out
    }
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;
