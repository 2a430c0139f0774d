//! Resident ID numbers (GB 11643-1999): validity (birth date and the ISO 7064 MOD 11-2 check
//! digit) and the masked form that is the only one screens, receipts and logs may show.

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// The check character for the first 17 digits, or `None` if they are not all digits.
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

/// Whether `text` is a well-formed 18-character resident ID number: 17 digits, a real birth
/// date at positions 7–14, and the right check character (`X` accepted in either case).
pub fn is_valid(text: &str) -> bool {
    if text.len() != 18 || !text.is_ascii() {
        return false;
    }
    let (body, last) = text.split_at(17);
    let Some(expected) = check_char(body) else {
        return false;
    };
    let birth_ok = NaiveDate::parse_from_str(&body[6..14], "%Y%m%d")
        .map(|d| d.format("%Y").to_string().as_str() >= "1900")
        .unwrap_or(false);
    birth_ok && last.eq_ignore_ascii_case(&expected.to_string())
}

/// The masked form: first 4 and last 4 characters, the rest `*` (`3301**********1234`).
/// Anything that is not 18 ASCII characters is masked entirely.
pub fn mask(text: &str) -> String {
    if text.len() == 18 && text.is_ascii() {
        format!("{}**********{}", &text[..4], &text[14..])
    } else {
        "*".repeat(text.chars().count().min(18))
    }
}

/// A masked name: the first character, then one `*` per other character (`张*`, `欧阳**`).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// A masked phone number: the first 3 and last 4 characters, `****` between
/// (`138****5678`); a number shorter than 8 characters is masked entirely.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_shows_only_its_first_three_and_last_four() {
        assert_eq!(mask_phone("13800005678"), "138****5678");
        assert_eq!(mask_phone(" 0571-87654321 "), "057****4321");
        assert_eq!(mask_phone("1234567"), "*******");
        assert_eq!(mask_phone(""), "");
    }

    // A made-up number with a correct check digit (GB 11643's own worked example body).
    const SAMPLE: &str = "11010519491231002X";

    #[test]
    fn the_standard_example_is_valid_and_its_check_digit_is_x() {
        assert_eq!(check_char(&SAMPLE[..17]), Some('X'));
        assert!(is_valid(SAMPLE));
        assert!(is_valid(&SAMPLE.to_lowercase()));
    }

    #[test]
    fn a_wrong_check_digit_a_bad_date_or_a_bad_length_is_refused() {
        assert!(!is_valid("110105194912310021"));
        assert!(!is_valid("11010519491331002X"), "month 13");
        assert!(!is_valid("11010519491231002"));
        assert!(!is_valid("1101051949123100２X"), "full-width digit");
        let body = "11010519490230002";
        let feb30 = format!("{body}{}", check_char(body).unwrap());
        assert!(!is_valid(&feb30), "30 February");
    }

    #[test]
    fn masking_keeps_only_the_first_and_last_four() {
        assert_eq!(mask(SAMPLE), "1101**********002X");
        assert_eq!(mask("123"), "***");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
    }
}
