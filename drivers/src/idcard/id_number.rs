//! Citizen ID number check character, GB 11643-1999 (ISO 7064 MOD 11-2), also used by the
//! HMT residence permit and the 2023 foreigner permanent residence card.

use super::error::IdCardError;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character the first 17 digits call for, or `None` if they are not 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in first17.bytes().zip(WEIGHTS) {
        if !b.is_ascii_digit() {
            return None;
        }
        sum += u32::from(b - b'0') * w;
    }
    let value = (12 - sum % 11) % 11;
    Some(if value == 10 {
        'X'
    } else {
        char::from(b'0' + value as u8)
    })
}

/// Checks an 18-character number: 17 digits and the right check character (`X` upper case).
pub fn verify(number: &str) -> Result<(), IdCardError> {
    if number.len() != 18 || !number.is_ascii() {
        return Err(IdCardError::InvalidField {
            field: "id_number",
            reason: "not 18 characters",
        });
    }
    let (first17, last) = number.split_at(17);
    let expected = check_char(first17).ok_or(IdCardError::InvalidField {
        field: "id_number",
        reason: "the first 17 characters are not all digits",
    })?;
    if last.starts_with(expected) {
        Ok(())
    } else {
        Err(IdCardError::CheckDigit { expected })
    }
}

/// Checks a 2017 foreigner permit number: three letters (country) and twelve digits.
pub fn verify_foreign_2017(number: &str) -> Result<(), IdCardError> {
    let b = number.as_bytes();
    if b.len() == 15
        && b[..3].iter().all(u8::is_ascii_uppercase)
        && b[3..].iter().all(u8::is_ascii_digit)
    {
        Ok(())
    } else {
        Err(IdCardError::InvalidField {
            field: "id_number",
            reason: "a 2017 permit number is 3 capital letters and 12 digits",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gb11643_sample_has_check_x() {
        assert_eq!(check_char("11010519491231002"), Some('X'));
        verify("11010519491231002X").unwrap();
    }

    #[test]
    fn the_nia_2023_samples_check() {
        verify("932682198501010017").unwrap();
        verify("911124198108030024").unwrap();
    }

    #[test]
    fn a_wrong_check_character_names_the_right_one() {
        match verify("110105194912310021") {
            Err(IdCardError::CheckDigit { expected }) => assert_eq!(expected, 'X'),
            other => panic!("expected a check digit error, got {other:?}"),
        }
        // Lower-case x is not what the card stores.
        assert!(verify("11010519491231002x").is_err());
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

    #[test]
    fn malformed_numbers_are_invalid_fields() {
        for bad in [
            "",
            "1101051949123100",
            "11010519491231002XX",
            "1101051949123100AX",
            "一二三",
        ] {
            assert!(
                matches!(verify(bad), Err(IdCardError::InvalidField { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn foreign_2017_numbers_have_their_own_shape() {
        verify_foreign_2017("USA310019950102").unwrap();
        assert!(verify_foreign_2017("us3100199501020").is_err());
        assert!(verify_foreign_2017("USA31001995010").is_err());
    }
}
