//! Scanned text is untrusted: anyone can print a QR code and hold it to the kiosk. This file
//! decides whether a code's bytes become text the kiosk will act on: a length limit, no
//! control or escape characters (terminal escapes, bidi overrides), and UTF-8 or GB18030
//! decoding (Chinese scanners often send GBK/GB18030).

use std::fmt;

use encoding_rs::GB18030;

use crate::ErrorKind;

/// Which text encodings a scanner's bytes may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    /// UTF-8 when valid, else GB18030 (a superset of GBK and GB2312).
    #[default]
    Auto,
    /// UTF-8 only.
    Utf8,
    /// GB18030 only.
    Gb18030,
}

impl TextEncoding {
    /// Parses `auto`, `utf8`/`utf-8` or `gb18030`/`gbk`.
    pub fn parse(text: &str) -> Option<TextEncoding> {
        match text.to_ascii_lowercase().as_str() {
            "auto" => Some(TextEncoding::Auto),
            "utf8" | "utf-8" => Some(TextEncoding::Utf8),
            "gb18030" | "gbk" | "gb2312" => Some(TextEncoding::Gb18030),
            _ => None,
        }
    }

    /// Encodes text the way a scanner set to this encoding sends it (for the simulator).
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            TextEncoding::Auto | TextEncoding::Utf8 => text.as_bytes().to_vec(),
            TextEncoding::Gb18030 => GB18030.encode(text).0.into_owned(),
        }
    }
}

/// What scanned text must satisfy to be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPolicy {
    /// The longest code accepted, in bytes as sent (AIM identifier excluded).
    pub max_len: usize,
    /// Which encodings to try.
    pub encoding: TextEncoding,
    /// Keep GS (0x1D), the FNC1 field separator of GS1 codes, instead of rejecting it.
    pub allow_group_separator: bool,
}

impl Default for TextPolicy {
    fn default() -> Self {
        TextPolicy {
            max_len: 2_048,
            encoding: TextEncoding::Auto,
            allow_group_separator: false,
        }
    }
}

/// Why a code was not accepted. Reported as an event and counted; the text is never logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Longer than the limit.
    TooLong {
        /// Bytes received.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Nothing left after framing.
    Empty,
    /// A control or escape character: C0/C1 controls, DEL, ESC, bidi and line separators.
    ControlCharacter {
        /// The offending character, as `U+001B`.
        code_point: u32,
        /// Its position (in characters) in the code.
        at: usize,
    },
    /// Neither valid UTF-8 nor valid GB18030 (or not the configured encoding).
    BadEncoding,
    /// A keyboard-wedge code containing a key that types nothing printable (F-keys, Escape).
    UnknownKey {
        /// The HID key usage.
        usage: u8,
    },
    /// A USB report that does not fit the expected layout.
    BadReport,
    /// More codes than the flood limit allows; this one was dropped unread.
    Flood {
        /// Codes dropped in this flood so far, this one included.
        dropped: u64,
    },
}

impl Rejection {
    /// A stable machine code for metrics and the device's last error.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::TooLong { .. } => "codeTooLong",
            Rejection::Empty => "codeEmpty",
            Rejection::ControlCharacter { .. } => "controlCharacter",
            Rejection::BadEncoding => "badEncoding",
            Rejection::UnknownKey { .. } => "unknownKey",
            Rejection::BadReport => "badReport",
            Rejection::Flood { .. } => "flood",
        }
    }

    /// What to do about it: a flood is [`ErrorKind::Busy`] (wait), anything else
    /// [`ErrorKind::Unreadable`] (try another code). The session words it for the citizen.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Rejection::Flood { .. } => ErrorKind::Busy,
            _ => ErrorKind::Unreadable,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::TooLong { len, max } => write!(
                f,
                "code rejected: {len} bytes, longer than the {max}-byte limit (scanner.max_code_len)"
            ),
            Rejection::Empty => f.write_str("code rejected: empty after removing framing"),
            Rejection::ControlCharacter { code_point, at } => write!(
                f,
                "code rejected: control character U+{code_point:04X} at position {at}; \
                 check the scanner's prefix/suffix/terminator settings if every code fails"
            ),
            Rejection::BadEncoding => f.write_str(
                "code rejected: bytes are neither UTF-8 nor GB18030; set the scanner to UTF-8 output",
            ),
            Rejection::UnknownKey { usage } => write!(
                f,
                "code rejected: the keyboard-wedge scanner pressed key {usage:#04x}, which types \
                 nothing printable; check its keyboard layout (US) and suffix settings"
            ),
            Rejection::BadReport => f.write_str(
                "code rejected: a USB report did not match the HID POS or keyboard layout",
            ),
            Rejection::Flood { dropped } => write!(
                f,
                "code dropped: more codes per second than the flood limit ({dropped} dropped \
                 in this run; further drops are counted, not reported); a code may be held in \
                 front of a scanner in continuous mode"
            ),
        }
    }
}

/// Whether a character is refused in scanned text.
///
/// C0 controls (tab, CR, LF and ESC among them), DEL and C1 controls can break out of a
/// field, a log line or a terminal; bidi overrides and isolates can make a URL show as
/// something else; line and paragraph separators split lines; BOM and zero-width
/// characters hide text.
fn is_refused(c: char, allow_gs: bool) -> bool {
    if c == '\u{1d}' && allow_gs {
        return false;
    }
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2028}' | '\u{2029}'
            | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Decodes and checks one code's bytes (framing and AIM identifier already removed).
pub fn check_text(bytes: &[u8], policy: &TextPolicy) -> Result<String, Rejection> {
    if bytes.len() > policy.max_len {
        return Err(Rejection::TooLong {
            len: bytes.len(),
            max: policy.max_len,
        });
    }
    if bytes.is_empty() {
        return Err(Rejection::Empty);
    }
    let text = decode(bytes, policy.encoding).ok_or(Rejection::BadEncoding)?;
    if let Some((at, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| is_refused(*c, policy.allow_group_separator))
    {
        return Err(Rejection::ControlCharacter {
            code_point: c as u32,
            at,
        });
    }
    Ok(text)
}

fn decode(bytes: &[u8], encoding: TextEncoding) -> Option<String> {
    let gb18030 = || {
        GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| text.into_owned())
    };
    match encoding {
        TextEncoding::Utf8 => std::str::from_utf8(bytes).ok().map(str::to_owned),
        TextEncoding::Gb18030 => gb18030(),
        TextEncoding::Auto => std::str::from_utf8(bytes)
            .ok()
            .map(str::to_owned)
            .or_else(gb18030),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8]) -> Result<String, Rejection> {
        check_text(bytes, &TextPolicy::default())
    }

    #[test]
    fn plain_ascii_and_urls_pass_unchanged() {
        let url = "https://zwfw.example.gov.cn/yy?no=20260101-0042&k=a%20b";
        assert_eq!(check(url.as_bytes()).unwrap(), url);
    }

    #[test]
    fn utf8_chinese_passes() {
        assert_eq!(check("预约号：A0042".as_bytes()).unwrap(), "预约号：A0042");
    }

    #[test]
    fn gb18030_chinese_is_decoded_when_not_utf8() {
        let gbk = TextEncoding::Gb18030.encode("临安区政务服务中心");
        assert!(
            std::str::from_utf8(&gbk).is_err(),
            "test needs non-UTF-8 bytes"
        );
        assert_eq!(check(&gbk).unwrap(), "临安区政务服务中心");
        // A four-byte GB18030 sequence (outside GBK) decodes too.
        let four = TextEncoding::Gb18030.encode("𠀀");
        assert_eq!(four.len(), 4);
        assert_eq!(check(&four).unwrap(), "𠀀");
    }

    #[test]
    fn utf8_only_policy_refuses_gbk() {
        let policy = TextPolicy {
            encoding: TextEncoding::Utf8,
            ..TextPolicy::default()
        };
        let gbk = TextEncoding::Gb18030.encode("中心");
        assert_eq!(check_text(&gbk, &policy), Err(Rejection::BadEncoding));
    }

    #[test]
    fn bytes_valid_in_neither_encoding_are_refused() {
        assert_eq!(check(b"\x81\x20abc"), Err(Rejection::BadEncoding));
        assert_eq!(check(b"ok\xff"), Err(Rejection::BadEncoding));
    }

    #[test]
    fn control_and_escape_characters_are_refused_with_their_position() {
        for (input, code_point, at) in [
            (&b"\x1b[2J"[..], 0x1b, 0),                    // ANSI clear screen
            (b"abc\x00def", 0x00, 3),                      // NUL
            (b"line1\rline2", 0x0d, 5),                    // CR inside a code
            (b"a\tb", 0x09, 1),                            // tab moves focus
            (b"x\x7f", 0x7f, 1),                           // DEL
            ("a\u{9b}31m".as_bytes(), 0x9b, 1),            // C1 CSI
            ("evil\u{202E}gpj.exe".as_bytes(), 0x202e, 4), // right-to-left override
            ("a\u{2028}b".as_bytes(), 0x2028, 1),          // line separator
            ("\u{FEFF}abc".as_bytes(), 0xfeff, 0),         // BOM
            (b"01\x1d10", 0x1d, 2),                        // GS refused by default
        ] {
            assert_eq!(
                check(input),
                Err(Rejection::ControlCharacter { code_point, at }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn group_separator_passes_when_gs1_is_allowed() {
        let policy = TextPolicy {
            allow_group_separator: true,
            ..TextPolicy::default()
        };
        assert_eq!(
            check_text(b"0104912345\x1d10AB", &policy).unwrap(),
            "0104912345\u{1d}10AB"
        );
        assert!(check_text(b"01\x1b", &policy).is_err());
    }

    #[test]
    fn length_limit_counts_bytes_and_allows_exactly_the_limit() {
        let policy = TextPolicy {
            max_len: 10,
            ..TextPolicy::default()
        };
        assert!(check_text(b"0123456789", &policy).is_ok());
        assert_eq!(
            check_text(b"0123456789A", &policy),
            Err(Rejection::TooLong { len: 11, max: 10 })
        );
        let long = vec![b'9'; 20_000];
        assert_eq!(
            check(&long),
            Err(Rejection::TooLong {
                len: 20_000,
                max: 2_048
            })
        );
    }

    #[test]
    fn empty_codes_are_refused() {
        assert_eq!(check(b""), Err(Rejection::Empty));
    }

    #[test]
    fn rejection_messages_never_echo_the_code() {
        let r = check(b"SECRET\x1b").unwrap_err();
        assert!(!r.to_string().contains("SECRET"));
        assert_eq!(r.kind(), ErrorKind::Unreadable);
        assert_eq!(Rejection::Flood { dropped: 1 }.kind(), ErrorKind::Busy);
        assert_eq!(r.code(), "controlCharacter");
    }
}
