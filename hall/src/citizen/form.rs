//! Input of the citizen's pages: `application/x-www-form-urlencoded` text (the query string
//! and the rating form's body) decoded by hand so that every hostile byte sequence becomes a
//! clear refusal, never a panic; the receipt's code and verifier shapes; the page language.

/// Longest tracking code or verifier looked up (the hall issues 16 and 8 characters).
pub const MAX_CODE_LEN: usize = 32;
/// Most pairs read from one query string or form (5 levels + 8 reasons + a few hidden ones).
const MAX_PAIRS: usize = 32;

/// Why input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    /// Not valid percent-encoding or not UTF-8, or too many pairs.
    Malformed,
    /// The receipt code or verifier is missing.
    Missing,
    /// The receipt code or verifier is too long or holds characters a receipt never has.
    BadCode,
}

/// The page language: Chinese unless `lang=en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks the Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn decode(part: &str) -> Result<String, InputError> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex);
                let lo = bytes.get(i + 2).copied().and_then(hex);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push((hi << 4) | lo),
                    _ => return Err(InputError::Malformed),
                }
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| InputError::Malformed)
}

/// Decoded `name=value` pairs in order (a name may repeat, as checkboxes do).
pub fn pairs(text: &str) -> Result<Vec<(String, String)>, InputError> {
    let mut out = Vec::new();
    for part in text.split('&').filter(|p| !p.is_empty()) {
        if out.len() == MAX_PAIRS {
            return Err(InputError::Malformed);
        }
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        out.push((decode(name)?, decode(value)?));
    }
    Ok(out)
}

/// The first value given for `name`.
pub fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The language asked for.
pub fn lang(pairs: &[(String, String)]) -> Lang {
    match first(pairs, "lang") {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// What a receipt carries: 办件编号 and 查询码, checked for shape only.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptCodes {
    /// 办件编号 (`YYMMDD-XXXX-XXXX`).
    pub code: String,
    /// 查询码.
    pub verifier: String,
}

impl std::fmt::Debug for ReceiptCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiptCodes")
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

fn is_code(text: &str) -> bool {
    (1..=MAX_CODE_LEN).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The `c` and `v` parameters of the receipt QR's address.
pub fn receipt_codes(pairs: &[(String, String)]) -> Result<ReceiptCodes, InputError> {
    let code = first(pairs, "c").map(str::trim).unwrap_or_default();
    let verifier = first(pairs, "v").map(str::trim).unwrap_or_default();
    if code.is_empty() || verifier.is_empty() {
        return Err(InputError::Missing);
    }
    if !is_code(code) || !is_code(verifier) {
        return Err(InputError::BadCode);
    }
    Ok(ReceiptCodes {
        code: code.to_owned(),
        verifier: verifier.to_owned(),
    })
}

/// Percent-encodes a value for a query string (codes are plain ASCII; anything else is
/// encoded so a link can never be broken out of).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The page's own address for these codes and language, relative (`progress?c=…`), so it
/// works behind any host name and under any path prefix a proxy adds.
pub fn page_link(codes: &ReceiptCodes, lang: Lang) -> String {
    let mut link = format!(
        "progress?c={}&v={}",
        encode(&codes.code),
        encode(&codes.verifier)
    );
    if lang == Lang::En {
        link.push_str("&lang=en");
    }
    link
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_decode_plus_percent_and_repeats() {
        let p = pairs("c=240506-AB&v=Q7&reason=tooSlow&reason=other&comment=%E5%A5%BD+a").unwrap();
        assert_eq!(first(&p, "c"), Some("240506-AB"));
        assert_eq!(p.iter().filter(|(n, _)| n == "reason").count(), 2);
        assert_eq!(first(&p, "comment"), Some("好 a"));
        assert_eq!(pairs("").unwrap(), Vec::new());
        assert_eq!(first(&pairs("flag").unwrap(), "flag"), Some(""));
    }

    #[test]
    fn hostile_encodings_are_refused_not_panicked_on() {
        for bad in ["c=%", "c=%4", "c=%zz", "c=%FF%FE", "%C3%28=1", "v=%E5%A5"] {
            assert_eq!(pairs(bad), Err(InputError::Malformed), "{bad}");
        }
        let many = vec!["a=1"; MAX_PAIRS + 1].join("&");
        assert_eq!(pairs(&many), Err(InputError::Malformed));
    }

    #[test]
    fn receipt_codes_are_checked_for_shape() {
        let ok = pairs("c=240506-ABCD-EFGH&v=K3M9Q2WX").unwrap();
        assert_eq!(receipt_codes(&ok).unwrap().code, "240506-ABCD-EFGH");
        for (q, e) in [
            ("c=240506-ABCD-EFGH", InputError::Missing),
            ("v=K3M9Q2WX", InputError::Missing),
            ("c=&v=K3", InputError::Missing),
            ("c=%3Cscript%3E&v=K3", InputError::BadCode),
            ("c=240506%20ABCD&v=K3", InputError::BadCode),
            ("c=%E4%B8%AD&v=K3", InputError::BadCode),
        ] {
            assert_eq!(receipt_codes(&pairs(q).unwrap()), Err(e), "{q}");
        }
        let long = format!("c={}&v=K3", "A".repeat(MAX_CODE_LEN + 1));
        assert_eq!(
            receipt_codes(&pairs(&long).unwrap()),
            Err(InputError::BadCode)
        );
    }

    #[test]
    fn links_keep_the_language_and_cannot_be_broken_out_of() {
        let codes = ReceiptCodes {
            code: "240506-ABCD-EFGH".into(),
            verifier: "a\"&<b".into(),
        };
        assert_eq!(
            page_link(&codes, Lang::En),
            "progress?c=240506-ABCD-EFGH&v=a%22%26%3Cb&lang=en"
        );
        assert!(!page_link(&codes, Lang::Zh).contains("lang"));
    }
}
