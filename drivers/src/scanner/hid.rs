//! USB HID scanners, pure bytes: HID POS "scanned data" reports (usage page 0x8C) and
//! keyboard-wedge boot reports (US layout, plus the "GBK Alt code" mode Chinese scanners use
//! to type Chinese text), each turned into the same frames the serial path produces; and
//! the generator of these reports that simulators and tests use.
//!
//! HID POS report layout, as Honeywell and Zebra scanners send it in HID POS mode (one
//! 64-byte interrupt IN report; taken from public client code, not from the usage-table
//! spec itself, so the descriptor remains the authority):
//!
//! | byte  | meaning                                              |
//! |-------|------------------------------------------------------|
//! | 0     | report id `0x02` (scanned data)                      |
//! | 1     | number of data bytes in this report, 0..=56          |
//! | 2..5  | AIM symbology identifier (`]Q1`), zeros when none    |
//! | 5..61 | data                                                 |
//! | 61,62 | vendor specific (Honeywell: its own code id)         |
//! | 63    | bit 0: more reports follow for this code             |

use super::codec::Frame;

/// Report id of the HID POS scanned-data report.
pub const HID_POS_SCANNED_DATA: u8 = 0x02;
/// Length of a HID POS scanned-data report, report id included.
pub const HID_POS_REPORT_LEN: usize = 64;
/// Data bytes carried by one HID POS report.
pub const HID_POS_DATA_LEN: usize = 56;
/// Length of a keyboard boot-protocol input report.
pub const BOOT_REPORT_LEN: usize = 8;

/// A report that does not fit the expected layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HidReportError {
    /// Shorter than the layout needs.
    #[error("HID report of {len} bytes is too short (expected {expected})")]
    TooShort {
        /// Bytes received.
        len: usize,
        /// Bytes the layout needs.
        expected: usize,
    },
    /// The length byte claims more data than a report can hold.
    #[error("HID POS report claims {0} data bytes, at most 56 fit")]
    BadLength(u8),
}

/// Joins HID POS reports into frames (AIM identifier first, as a serial scanner sends it).
#[derive(Debug)]
pub struct HidPosAssembler {
    max_frame: usize,
    buf: Vec<u8>,
    seen: usize,
}

impl HidPosAssembler {
    /// An assembler dropping codes longer than `max_frame` bytes.
    pub fn new(max_frame: usize) -> Self {
        HidPosAssembler {
            max_frame,
            buf: Vec::new(),
            seen: 0,
        }
    }

    /// Takes one input report. Other report ids (status, attributes) are ignored.
    pub fn push(&mut self, report: &[u8]) -> Result<Option<Frame>, HidReportError> {
        if report.first() != Some(&HID_POS_SCANNED_DATA) {
            return Ok(None);
        }
        if report.len() < HID_POS_REPORT_LEN {
            return Err(HidReportError::TooShort {
                len: report.len(),
                expected: HID_POS_REPORT_LEN,
            });
        }
        let count = report[1];
        if usize::from(count) > HID_POS_DATA_LEN {
            self.reset();
            return Err(HidReportError::BadLength(count));
        }
        if self.seen == 0 && report[2] != 0 {
            // The first report of a code carries its AIM identifier.
            self.extend(&report[2..5]);
        }
        self.extend(&report[5..5 + usize::from(count)]);
        if report[HID_POS_REPORT_LEN - 1] & 1 == 1 {
            return Ok(None);
        }
        let frame = if self.seen > self.max_frame {
            Frame::Overlong { len: self.seen }
        } else {
            Frame::Code(std::mem::take(&mut self.buf))
        };
        self.reset();
        Ok(Some(frame))
    }

    fn extend(&mut self, bytes: &[u8]) {
        self.seen += bytes.len();
        if self.seen <= self.max_frame {
            self.buf.extend_from_slice(bytes);
        } else {
            self.buf.clear();
        }
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.seen = 0;
    }
}

/// Builds the HID POS reports a scanner sends for one code.
pub fn hid_pos_reports(aim: Option<&str>, data: &[u8]) -> Vec<[u8; HID_POS_REPORT_LEN]> {
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(HID_POS_DATA_LEN).collect()
    };
    let last = chunks.len() - 1;
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut report = [0u8; HID_POS_REPORT_LEN];
            report[0] = HID_POS_SCANNED_DATA;
            report[1] = chunk.len() as u8;
            if let Some(aim) = aim.map(str::as_bytes).filter(|a| a.len() == 3) {
                report[2..5].copy_from_slice(aim);
            }
            report[5..5 + chunk.len()].copy_from_slice(chunk);
            report[HID_POS_REPORT_LEN - 1] = u8::from(i != last);
            report
        })
        .collect()
}

/// Keyboard layouts a wedge scanner may be set to. Scanners ship set to US English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyboardLayout {
    /// US English.
    #[default]
    Us,
}

const SHIFT: u8 = 0x02 | 0x20;
const ALT: u8 = 0x04 | 0x40;
const CTRL: u8 = 0x01 | 0x10;
const KEY_ENTER: u8 = 0x28;
const KEY_TAB: u8 = 0x2B;
const KEYPAD_ENTER: u8 = 0x58;
/// Usages 0x2D..=0x38 on a US keyboard: (plain, shifted).
const US_PUNCT: [(u8, u8); 12] = [
    (b'-', b'_'),
    (b'=', b'+'),
    (b'[', b'{'),
    (b']', b'}'),
    (b'\\', b'|'),
    (0, 0), // 0x32 non-US # ~: no key on a US keyboard
    (b';', b':'),
    (b'\'', b'"'),
    (b'`', b'~'),
    (b',', b'<'),
    (b'.', b'>'),
    (b'/', b'?'),
];
const US_DIGITS_SHIFTED: &[u8; 10] = b"!@#$%^&*()";

impl KeyboardLayout {
    /// The byte a key press types, or `None` for keys that type nothing printable.
    pub fn byte_for(self, usage: u8, modifiers: u8) -> Option<u8> {
        let shift = modifiers & SHIFT != 0;
        let ch = match usage {
            0x04..=0x1D => {
                let c = b'a' + (usage - 0x04);
                if shift {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            }
            0x1E..=0x27 => {
                let i = usize::from(usage - 0x1E);
                if shift {
                    US_DIGITS_SHIFTED[i]
                } else {
                    b"1234567890"[i]
                }
            }
            0x2C => b' ',
            0x2D..=0x38 => {
                let (plain, shifted) = US_PUNCT[usize::from(usage - 0x2D)];
                if shift {
                    shifted
                } else {
                    plain
                }
            }
            0x54 => b'/',
            0x55 => b'*',
            0x56 => b'-',
            0x57 => b'+',
            0x59..=0x61 => b'1' + (usage - 0x59),
            0x62 => b'0',
            0x63 => b'.',
            _ => 0,
        };
        if ch == 0 {
            return None;
        }
        // Ctrl+letter (and Ctrl+]) type control codes; wedge scanners send GS (FNC1) this way.
        if modifiers & CTRL != 0 {
            return match ch.to_ascii_uppercase() {
                c @ b'@'..=b'_' => Some(c - b'@'),
                _ => None,
            };
        }
        Some(ch)
    }

    /// The key and modifiers that type `byte`, for the report generator.
    pub fn key_for(self, byte: u8) -> Option<(u8, u8)> {
        (0x04..=0x38u8)
            .flat_map(|usage| [(usage, 0u8), (usage, 0x02)])
            .find(|&(usage, mods)| self.byte_for(usage, mods) == Some(byte))
    }
}

/// What a keyboard-wedge report sequence produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOutcome {
    /// A complete code (Enter, or Tab when it ends codes).
    Frame(Frame),
    /// A code containing a key that types nothing printable (arrows, F-keys, Escape).
    UnknownKey(u8),
}

/// Turns keyboard boot reports into codes: a key counts when it appears in a report, so a
/// held key is not repeated, and a released-then-pressed key ("11") is typed twice.
#[derive(Debug)]
pub struct KeyboardDecoder {
    layout: KeyboardLayout,
    tab_ends: bool,
    max_frame: usize,
    held: [u8; 6],
    buf: Vec<u8>,
    seen: usize,
    unknown: Option<u8>,
    /// Keypad digits typed while Alt is held: a GBK code in decimal.
    alt_code: Option<u32>,
}

impl KeyboardDecoder {
    /// A decoder for this layout; `tab_ends` makes Tab end a code like Enter.
    pub fn new(layout: KeyboardLayout, tab_ends: bool, max_frame: usize) -> Self {
        KeyboardDecoder {
            layout,
            tab_ends,
            max_frame,
            held: [0; 6],
            buf: Vec::new(),
            seen: 0,
            unknown: None,
            alt_code: None,
        }
    }

    /// Takes one 8-byte boot report: modifiers, reserved, six key usages.
    pub fn push(&mut self, report: &[u8]) -> Result<Option<KeyOutcome>, HidReportError> {
        let Some(report) = report.get(..BOOT_REPORT_LEN) else {
            return Err(HidReportError::TooShort {
                len: report.len(),
                expected: BOOT_REPORT_LEN,
            });
        };
        let modifiers = report[0];
        let keys = &report[2..8];
        if keys.iter().all(|&k| k == 0x01) {
            return Ok(None); // phantom state: too many keys at once, nothing reliable
        }
        let alt = modifiers & ALT != 0;
        if !alt {
            self.end_alt_code();
        }
        let mut outcome = None;
        for &usage in keys {
            if usage == 0 || self.held.contains(&usage) {
                continue;
            }
            if let (true, Some(digit)) = (alt, keypad_digit(usage)) {
                let code = self.alt_code.unwrap_or(0);
                self.alt_code = Some(code.saturating_mul(10).saturating_add(digit));
                continue;
            }
            if usage == KEY_ENTER || usage == KEYPAD_ENTER || (self.tab_ends && usage == KEY_TAB) {
                outcome = self.finish();
                continue;
            }
            match self.layout.byte_for(usage, modifiers) {
                Some(b) => self.push_byte(b),
                None if usage == KEY_TAB => self.push_byte(b'\t'),
                None => {
                    self.seen += 1;
                    self.unknown.get_or_insert(usage);
                }
            }
        }
        self.held.copy_from_slice(keys);
        Ok(outcome)
    }

    /// Alt released: the digits typed are a GBK code (Chinese wedge scanners' "GBK Alt
    /// code" output); one byte below 256, else the two GBK bytes.
    fn end_alt_code(&mut self) {
        match self.alt_code.take() {
            None => {}
            Some(code @ 1..=0xFF) => self.push_byte(code as u8),
            Some(code @ 0x100..=0xFFFF) => {
                self.push_byte((code >> 8) as u8);
                self.push_byte(code as u8);
            }
            Some(_) => {
                self.seen += 1;
                self.unknown.get_or_insert(0xE2); // left Alt: a code no encoding has
            }
        }
    }

    fn push_byte(&mut self, b: u8) {
        self.seen += 1;
        if self.seen <= self.max_frame {
            self.buf.push(b);
        } else {
            self.buf.clear();
        }
    }

    fn finish(&mut self) -> Option<KeyOutcome> {
        let outcome = if self.seen > self.max_frame {
            Some(KeyOutcome::Frame(Frame::Overlong { len: self.seen }))
        } else if let Some(usage) = self.unknown {
            Some(KeyOutcome::UnknownKey(usage))
        } else if self.buf.is_empty() {
            None
        } else {
            Some(KeyOutcome::Frame(Frame::Code(std::mem::take(
                &mut self.buf,
            ))))
        };
        self.buf.clear();
        self.seen = 0;
        self.unknown = None;
        outcome
    }
}

fn keypad_digit(usage: u8) -> Option<u32> {
    match usage {
        0x59..=0x61 => Some(u32::from(usage - 0x58)),
        0x62 => Some(0),
        _ => None,
    }
}

fn keypad_usage(digit: u8) -> u8 {
    if digit == 0 {
        0x62
    } else {
        0x58 + digit
    }
}

/// Builds the reports of a wedge scanner in "GBK Alt code" mode: ASCII typed as keys,
/// anything else as Alt + the keypad digits of its two-byte GBK code, then Enter. Fails on
/// a character GBK has no two-byte code for.
pub fn keyboard_reports_alt_gbk(text: &str, layout: KeyboardLayout) -> Result<Vec<[u8; 8]>, char> {
    let mut reports = Vec::new();
    for c in text.chars() {
        if c.is_ascii() {
            let (usage, mods) = layout.key_for(c as u8).ok_or(c)?;
            reports.push([mods, 0, usage, 0, 0, 0, 0, 0]);
            reports.push([0; 8]);
            continue;
        }
        let mut utf8 = [0u8; 4];
        let gbk = super::sanitize::TextEncoding::Gb18030.encode(c.encode_utf8(&mut utf8));
        let [hi, lo] = gbk[..] else {
            return Err(c);
        };
        let code = u32::from(hi) << 8 | u32::from(lo);
        for digit in code.to_string().bytes() {
            reports.push([0x04, 0, keypad_usage(digit - b'0'), 0, 0, 0, 0, 0]);
            reports.push([0x04, 0, 0, 0, 0, 0, 0, 0]);
        }
        reports.push([0; 8]);
    }
    reports.push([0, 0, KEY_ENTER, 0, 0, 0, 0, 0]);
    reports.push([0; 8]);
    Ok(reports)
}

/// Builds the boot reports a US-layout wedge scanner sends for `text` followed by Enter:
/// one press and one release report per character. Fails on the first byte the layout
/// cannot type (non-ASCII text cannot come through a keyboard wedge).
pub fn keyboard_reports(text: &[u8], layout: KeyboardLayout) -> Result<Vec<[u8; 8]>, u8> {
    let mut reports = Vec::with_capacity(text.len() * 2 + 2);
    for &b in text {
        let (usage, mods) = layout.key_for(b).ok_or(b)?;
        reports.push([mods, 0, usage, 0, 0, 0, 0, 0]);
        reports.push([0; 8]);
    }
    reports.push([0, 0, KEY_ENTER, 0, 0, 0, 0, 0]);
    reports.push([0; 8]);
    Ok(reports)
}

#[cfg(test)]
#[path = "hid_tests.rs"]
mod tests;
