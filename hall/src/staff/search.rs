//! What the search box accepts: the 办件编号 typed (`YYMMDD-XXXX-XXXX`, any case, with or
//! without dashes), the receipt QR's URL as a keyboard-wedge scanner types it
//! (`{hall}/progress?c=…&v=…`), the code followed by its verifier, or an applicant's ID
//! number (GB 11643, exact match). Full-width characters from a Chinese input method are
//! folded to ASCII first. Anything else gets a message saying what is accepted.

/// Longest input looked at (a receipt URL is well under this).
pub const MAX_INPUT: usize = 512;

/// A parsed search.
#[derive(Clone, PartialEq, Eq)]
pub enum Search {
    /// A tracking code, with the verifier if one was given.
    Receipt {
        /// `YYMMDD-XXXX-XXXX`, upper case.
        code: String,
        /// The 8-character verifier, upper case.
        verifier: Option<String>,
    },
    /// An applicant's ID number (upper case).
    IdNumber(String),
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Search::Receipt { code, .. } => write!(f, "Receipt({code})"),
            Search::IdNumber(n) => write!(f, "IdNumber({})", vocab::mask::mask_id_number(n)),
        }
    }
}

/// Why a search input was refused; `message_zh` is shown on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchError {
    /// Nothing typed.
    Empty,
    /// Longer than [`MAX_INPUT`].
    TooLong,
    /// Not a code, a receipt URL or an ID number.
    Unrecognised,
    /// Looks like an ID number but its check digit is wrong.
    BadIdNumber,
}

impl SearchError {
    /// The message for the page.
    pub fn message_zh(self) -> &'static str {
        match self {
            SearchError::Empty => "请输入办件编号、扫描回执二维码或输入申请人身份证号码。",
            SearchError::TooLong => "输入内容过长，请只输入办件编号或扫描回执二维码。",
            SearchError::Unrecognised => {
                "无法识别：请输入办件编号（如 250106-7KQ2-M9XA）、扫描回执二维码，或输入18位身份证号码。"
            }
            SearchError::BadIdNumber => "身份证号码校验位不正确，请核对后重新输入。",
        }
    }
}

/// The tracking-code alphabet (Crockford base32 without I, L, O, U).
fn is_code_char(c: char) -> bool {
    c.is_ascii_digit() || (c.is_ascii_uppercase() && !matches!(c, 'I' | 'L' | 'O' | 'U'))
}

/// Folds full-width ASCII (U+FF01..U+FF5E) and the ideographic space to ASCII.
fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// `YYMMDD-XXXX-XXXX` from text that may lack the dashes; `None` if it is not one.
fn tracking_code(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok = compact.is_ascii()
        && compact.len() == 14
        && compact[..6].chars().all(|c| c.is_ascii_digit())
        && compact[6..].chars().all(is_code_char);
    ok.then(|| format!("{}-{}-{}", &compact[..6], &compact[6..10], &compact[10..]))
}

fn verifier(text: &str) -> Option<String> {
    let v = text.trim().to_ascii_uppercase();
    (v.len() == 8 && v.chars().all(is_code_char)).then_some(v)
}

/// Parses what was typed or scanned.
pub fn parse(input: &str) -> Result<Search, SearchError> {
    if input.len() > MAX_INPUT {
        return Err(SearchError::TooLong);
    }
    let text = fold_width(input);
    let text = text.trim();
    if text.is_empty() {
        return Err(SearchError::Empty);
    }
    if text.chars().any(char::is_control) {
        return Err(SearchError::Unrecognised);
    }
    // The receipt QR: any host, the query carries c= and v=.
    if let Some((_, query)) = text.split_once('?') {
        let (mut code, mut ver) = (None, None);
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("c", v)) => code = Some(v),
                Some(("v", v)) => ver = Some(v),
                _ => {}
            }
        }
        let code = code
            .and_then(tracking_code)
            .ok_or(SearchError::Unrecognised)?;
        let verifier = match ver {
            Some(v) => Some(verifier(v).ok_or(SearchError::Unrecognised)?),
            None => None,
        };
        return Ok(Search::Receipt { code, verifier });
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '/' || c == ',' || c == '，')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [one] => {
            if let Some(code) = tracking_code(one) {
                return Ok(Search::Receipt {
                    code,
                    verifier: None,
                });
            }
            let upper = one.to_ascii_uppercase();
            let looks_like_id = upper.is_ascii()
                && upper.len() == 18
                && upper[..17].chars().all(|c| c.is_ascii_digit())
                && upper[17..].chars().all(|c| c.is_ascii_digit() || c == 'X');
            if looks_like_id {
                return if vocab::id_number::is_valid(&upper) {
                    Ok(Search::IdNumber(upper))
                } else {
                    Err(SearchError::BadIdNumber)
                };
            }
            Err(SearchError::Unrecognised)
        }
        [code, ver] => match (tracking_code(code), verifier(ver)) {
            (Some(code), Some(v)) => Ok(Search::Receipt {
                code,
                verifier: Some(v),
            }),
            _ => Err(SearchError::Unrecognised),
        },
        _ => Err(SearchError::Unrecognised),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(code: &str, verifier: Option<&str>) -> Search {
        Search::Receipt {
            code: code.into(),
            verifier: verifier.map(Into::into),
        }
    }

    #[test]
    fn the_code_typed_in_any_case_with_or_without_dashes() {
        let want = receipt("250106-7KQ2-M9XA", None);
        assert_eq!(parse("250106-7KQ2-M9XA"), Ok(want.clone()));
        assert_eq!(parse("  250106-7kq2-m9xa \n"), Ok(want.clone()));
        assert_eq!(parse("2501067KQ2M9XA"), Ok(want.clone()));
        assert_eq!(
            parse("２５０１０６－７ＫＱ２－Ｍ９ＸＡ"),
            Ok(want),
            "full width"
        );
    }

    #[test]
    fn the_receipt_qr_url_from_a_scanner_and_the_code_with_its_verifier() {
        assert_eq!(
            parse("https://hall.example.gov.cn/progress?c=250106-7KQ2-M9XA&v=AB12CD34"),
            Ok(receipt("250106-7KQ2-M9XA", Some("AB12CD34")))
        );
        assert_eq!(
            parse("http://127.0.0.1:8700/progress?v=ab12cd34&c=250106-7KQ2-M9XA"),
            Ok(receipt("250106-7KQ2-M9XA", Some("AB12CD34")))
        );
        assert_eq!(
            parse("250106-7KQ2-M9XA AB12CD34"),
            Ok(receipt("250106-7KQ2-M9XA", Some("AB12CD34")))
        );
        assert_eq!(
            parse("https://h/progress?c=250106-7KQ2-M9XA&v=<script>"),
            Err(SearchError::Unrecognised)
        );
        assert_eq!(
            parse("https://h/progress?v=AB12CD34"),
            Err(SearchError::Unrecognised)
        );
    }

    #[test]
    fn an_id_number_is_checked_by_its_check_digit() {
        assert_eq!(
            parse("11010519491231002x"),
            Ok(Search::IdNumber("11010519491231002X".into()))
        );
        assert_eq!(parse("110105194912310021"), Err(SearchError::BadIdNumber));
        let shown = format!("{:?}", parse("11010519491231002X").unwrap());
        assert!(!shown.contains("19491231"), "{shown}");
    }

    #[test]
    fn hostile_and_odd_input_gets_a_message_not_a_panic() {
        assert_eq!(parse(""), Err(SearchError::Empty));
        assert_eq!(parse("   　"), Err(SearchError::Empty));
        assert_eq!(parse(&"9".repeat(MAX_INPUT + 1)), Err(SearchError::TooLong));
        for odd in [
            "'; DROP TABLE applications; --",
            "250106-7KQ2-M9XI",
            "250106-7KQ2",
            "张三",
            "a\u{0}b",
            "????",
            "?c=&v=",
            "https://h/p?c",
            "250106-7KQ2-M9XA AB12 CD34",
            "１２３",
            "\u{FF5E}\u{FF01}",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
            "a张bcdefghijk",
            "1张34567890123456",
            "12345张890123456X",
        ] {
            assert!(parse(odd).is_err(), "{odd:?} must be refused");
        }
        for e in [
            SearchError::Empty,
            SearchError::TooLong,
            SearchError::Unrecognised,
            SearchError::BadIdNumber,
        ] {
            assert!(!e.message_zh().is_empty());
        }
    }
}
