//! ID numbers: the resident ID number of GB 11643-1999 (18 characters, ISO 7064 MOD 11-2 check
//! character), which the 港澳台居民居住证 (810000/820000/830000 + birth date) and the 2023
//! 外国人永久居留身份证 (9 + …) follow too, and the 2017 外国人永久居留身份证 number (15:
//! three capital letters for the country, twelve digits).
//!
//! One rule for every reader of a number (card reader, kiosk form, hall API, staff pages):
//! the check character `X` is upper case, as the card stores it and the kiosk's keyboard types
//! it; [`normalise`] turns what a person typed (spaces, a lower-case `x`) into that form first.

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each value of the weighted sum modulo 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// Which document a number belongs to, from its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Document {
    /// 居民身份证 (18).
    Resident,
    /// 港澳台居民居住证 (18, starting 81, 82 or 83).
    HmtResidencePermit,
    /// 外国人永久居留身份证, 2023 edition (18, starting 9).
    ForeignPermanent2023,
    /// 外国人永久居留身份证, 2017 edition (15: three letters, twelve digits).
    ForeignPermanent2017,
}

/// Why a number is not a valid ID number (English, for logs and technicians).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Neither 18 characters nor a 15-character 2017 permit number.
    #[error("an ID number has 18 characters (a 2017 foreigner's permit 15); this one has {0}")]
    Length(usize),
    /// The first 17 characters are not all ASCII digits.
    #[error("the first 17 characters of an ID number are digits")]
    NotDigits,
    /// Characters 7 to 14 are not a birth date from 1900 on.
    #[error("characters 7 to 14 of an ID number are the birth date (from 1900 on)")]
    BirthDate,
    /// The check character is wrong (or a lower-case `x`).
    #[error("the check character should be {expected}")]
    CheckCharacter {
        /// The character the first 17 digits call for.
        expected: char,
    },
    /// 15 characters, but not three capital letters and twelve digits.
    #[error("a 2017 permit number is 3 capital letters and 12 digits")]
    Foreign2017Shape,
}

/// The check character the first 17 digits call for, or `None` if they are not 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK.get((sum % 11) as usize).map(|&c| char::from(c))
}

/// Checks an 18-character number (resident, HMT residence permit, 2023 foreigner's permit):
/// 17 digits with a birth date at 7–14, then the right check character, `X` in upper case.
pub fn verify_18(number: &str) -> Result<Document, IdNumberError> {
    let length = number.chars().count();
    if length != 18 || !number.is_ascii() {
        return Err(IdNumberError::Length(length));
    }
    let (first17, last) = number.split_at(17);
    let expected = check_char(first17).ok_or(IdNumberError::NotDigits)?;
    let birth_ok = NaiveDate::parse_from_str(&first17[6..14], "%Y%m%d")
        .is_ok_and(|d| d >= NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN));
    if !birth_ok {
        return Err(IdNumberError::BirthDate);
    }
    if !last.starts_with(expected) {
        return Err(IdNumberError::CheckCharacter { expected });
    }
    Ok(match &number[..2] {
        "81" | "82" | "83" => Document::HmtResidencePermit,
        prefix if prefix.starts_with('9') => Document::ForeignPermanent2023,
        _ => Document::Resident,
    })
}

/// Checks a 2017 foreigner's permit number: three capital letters and twelve digits.
pub fn verify_foreign_2017(number: &str) -> Result<(), IdNumberError> {
    let b = number.as_bytes();
    if b.len() == 15
        && b[..3].iter().all(u8::is_ascii_uppercase)
        && b[3..].iter().all(u8::is_ascii_digit)
    {
        Ok(())
    } else if number.chars().count() == 15 {
        Err(IdNumberError::Foreign2017Shape)
    } else {
        Err(IdNumberError::Length(number.chars().count()))
    }
}

/// Checks a number of any of the four documents and says which one it is.
pub fn verify(number: &str) -> Result<Document, IdNumberError> {
    if number.chars().count() == 15 {
        verify_foreign_2017(number).map(|()| Document::ForeignPermanent2017)
    } else {
        verify_18(number)
    }
}

/// Whether `number` is a valid number of any of the four documents.
pub fn is_valid(number: &str) -> bool {
    verify(number).is_ok()
}

/// What a person typed, in the form the checks take: spaces (and full-width spaces) removed,
/// letters in upper case (a typed `x` becomes the check character `X`).
pub fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE: &str = "11010519491231002X";

    #[test]
    fn the_gb11643_sample_has_check_x() {
        assert_eq!(check_char(&SAMPLE[..17]), Some('X'));
        assert_eq!(verify(SAMPLE), Ok(Document::Resident));
    }

    #[test]
    fn each_document_is_told_by_its_shape() {
        assert_eq!(
            verify("932682198501010017"),
            Ok(Document::ForeignPermanent2023)
        );
        assert_eq!(
            verify("911124198108030024"),
            Ok(Document::ForeignPermanent2023)
        );
        let hk = format!(
            "81000019900101001{}",
            check_char("81000019900101001").unwrap()
        );
        assert_eq!(verify(&hk), Ok(Document::HmtResidencePermit));
        assert_eq!(
            verify("USA310019950102"),
            Ok(Document::ForeignPermanent2017)
        );
    }

    #[test]
    fn a_lower_case_x_is_refused_until_normalised() {
        assert_eq!(
            verify("11010519491231002x"),
            Err(IdNumberError::CheckCharacter { expected: 'X' })
        );
        assert_eq!(
            verify(&normalise(" 110105 19491231002x ")),
            Ok(Document::Resident)
        );
    }

    #[test]
    fn malformed_numbers_say_what_is_wrong() {
        assert_eq!(
            verify("110105194912310021"),
            Err(IdNumberError::CheckCharacter { expected: 'X' })
        );
        assert_eq!(
            verify("11010519491331002X"),
            Err(IdNumberError::BirthDate),
            "month 13"
        );
        assert_eq!(
            verify("11010518991231002X").unwrap_err(),
            IdNumberError::BirthDate
        );
        assert_eq!(verify("1101051949123100"), Err(IdNumberError::Length(16)));
        assert_eq!(verify("1101051949123100AX"), Err(IdNumberError::NotDigits));
        assert_eq!(
            verify("1101051949123100２X"),
            Err(IdNumberError::Length(18)),
            "full-width digit"
        );
        assert_eq!(verify("一二三"), Err(IdNumberError::Length(3)));
        assert_eq!(verify(""), Err(IdNumberError::Length(0)));
        assert_eq!(
            verify("us3100199501020"),
            Err(IdNumberError::Foreign2017Shape)
        );
        let body = "11010519490230002";
        let feb30 = format!("{body}{}", check_char(body).unwrap());
        assert_eq!(verify(&feb30), Err(IdNumberError::BirthDate), "30 February");
    }

    #[test]
    fn every_single_digit_change_is_caught() {
        let good = "932682198501010017";
        for i in 0..17 {
            for d in b'0'..=b'9' {
                let mut s = good.as_bytes().to_vec();
                if s[i] == d {
                    continue;
                }
                s[i] = d;
                let s = String::from_utf8(s).unwrap();
                assert!(verify(&s).is_err(), "{i} {d}");
            }
        }
    }

    /// 17 digits: a region, a birth date from 1900 to 2099, a sequence.
    fn first17() -> impl Strategy<Value = String> {
        (
            100_000u32..1_000_000,
            1900i32..2100,
            1u32..13,
            1u32..29,
            0u32..1000,
        )
            .prop_map(|(region, y, m, d, seq)| format!("{region}{y:04}{m:02}{d:02}{seq:03}"))
    }

    proptest! {
        #[test]
        fn a_number_with_its_check_character_is_valid(body in first17()) {
            let check = check_char(&body).unwrap();
            let number = format!("{body}{check}");
            prop_assert!(verify(&number).is_ok());
            prop_assert!(is_valid(&normalise(&number.to_lowercase())));
        }

        #[test]
        fn any_other_check_character_is_refused(body in first17(), other in "[0-9X]") {
            let check = check_char(&body).unwrap();
            prop_assume!(!other.starts_with(check));
            let number = format!("{body}{other}");
            prop_assert_eq!(verify(&number), Err(IdNumberError::CheckCharacter { expected: check }));
        }

        #[test]
        fn swapping_two_different_neighbours_is_caught(body in first17(), at in 0usize..16) {
            let mut b = body.into_bytes();
            prop_assume!(b[at] != b[at + 1]);
            let check = check_char(std::str::from_utf8(&b).unwrap()).unwrap();
            b.swap(at, at + 1);
            let swapped = format!("{}{check}", String::from_utf8(b).unwrap());
            // A transposition may break the birth date instead; either way it is refused.
            prop_assert!(verify(&swapped).is_err());
        }

        #[test]
        fn nothing_panics_on_any_text(text in ".{0,40}") {
            let _ = verify(&text);
            let _ = normalise(&text);
        }
    }
}
