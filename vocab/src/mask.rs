//! How personal data is shown where it must be shown at all (screens, receipts, pages, logs,
//! `Debug` output). One rule per kind of data, after GB/T 35273 de-identification practice:
//!
//! - an 18-character ID number keeps its first 4 and last 4 characters
//!   (`3301**********1234`); any other length (a 2017 foreigner's permit, a typo) is all
//!   stars of the same length, so a technician can still tell a 15 from an 18;
//! - a short document number (港澳通行证, 9 characters) keeps its first and last 2;
//! - a name keeps its first character (the surname, or the first letter) and stars every other
//!   character, spaces included (`张*`, `欧***`, `S*********`); a one-character name is `*`;
//! - an address keeps its first 6 characters (province, city, county) and a fixed `****`;
//! - a phone number keeps its first 3 and last 4 digits (`138****5678`).

/// `3301**********1234` for 18 characters; all stars (same length) otherwise.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() != 18 {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(18);
    out.extend(&chars[..4]);
    out.push_str("**********");
    out.extend(&chars[14..]);
    out
}

/// `H******78`: a short document number keeps its first character and last 2 (4 + 4 would
/// show almost all of it); 4 characters or fewer are all stars.
pub fn mask_pass_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(chars.len());
    out.push(chars[0]);
    out.extend(std::iter::repeat_n('*', chars.len() - 3));
    out.extend(&chars[chars.len() - 2..]);
    out
}

/// `张*`, `欧***`, `S*********`: the first character kept, every other one starred; one
/// character alone is `*`.
pub fn mask_name(name: &str) -> String {
    let count = name.chars().count();
    match name.chars().next() {
        None => String::new(),
        Some(_) if count == 1 => "*".to_owned(),
        Some(first) => std::iter::once(first)
            .chain(std::iter::repeat_n('*', count - 1))
            .collect(),
    }
}

/// `浙江省杭州市****`: the first 6 characters and a fixed `****`.
pub fn mask_address(address: &str) -> String {
    if address.is_empty() {
        return String::new();
    }
    let kept: String = address.chars().take(6).collect();
    format!("{kept}****")
}

/// `138****5678`: the first 3 and last 4 characters (surrounding spaces dropped); fewer than 8
/// characters are all stars.
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
    use proptest::prelude::*;

    #[test]
    fn id_numbers_keep_four_and_four_only_at_eighteen() {
        assert_eq!(mask_id_number("330106199001011234"), "3301**********1234");
        assert_eq!(mask_id_number("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_id_number("USA310019950102"), "***************");
        assert_eq!(mask_id_number("12345678"), "********");
        assert_eq!(mask_id_number(""), "");
    }

    #[test]
    fn pass_numbers_keep_one_and_two() {
        assert_eq!(mask_pass_number("H12345678"), "H******78");
        assert_eq!(mask_pass_number("H123"), "****");
    }

    #[test]
    fn names_keep_the_first_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "*");
        assert_eq!(mask_name("SMITH JOHN"), "S*********");
        assert_eq!(mask_name("买买提·艾力"), "买*****");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn addresses_keep_the_region_only() {
        assert_eq!(
            mask_address("浙江省杭州市西湖区文三路1号"),
            "浙江省杭州市****"
        );
        assert_eq!(mask_address("北京市"), "北京市****");
        assert_eq!(mask_address(""), "");
    }

    #[test]
    fn phones_keep_three_and_four() {
        assert_eq!(mask_phone("13800005678"), "138****5678");
        assert_eq!(mask_phone(" 0571-87654321 "), "057****4321");
        assert_eq!(mask_phone("1234567"), "*******");
        assert_eq!(mask_phone(""), "");
    }

    /// How many positions of `masked` show the character `original` has there.
    fn shown(original: &str, masked: &str) -> usize {
        original
            .chars()
            .zip(masked.chars())
            .filter(|(a, b)| a == b && *a != '*')
            .count()
    }

    proptest! {
        #[test]
        fn an_id_number_shows_at_most_eight_characters_and_keeps_its_length(
            number in "[0-9]{17}[0-9X]|[A-Z]{3}[0-9]{12}|[0-9A-Za-z]{0,24}"
        ) {
            let masked = mask_id_number(&number);
            prop_assert_eq!(masked.chars().count(), number.chars().count());
            let limit = if number.chars().count() == 18 { 8 } else { 0 };
            prop_assert!(shown(&number, &masked) <= limit);
            prop_assert!(masked.chars().filter(|&c| c != '*').count() <= limit);
        }

        #[test]
        fn a_chinese_name_shows_only_its_surname(name in "[\u{4e00}-\u{9fa5}]{1,6}") {
            let masked = mask_name(&name);
            let count = name.chars().count();
            prop_assert_eq!(masked.chars().count(), count);
            let visible: Vec<char> = masked.chars().filter(|&c| c != '*').collect();
            if count == 1 {
                prop_assert!(visible.is_empty());
            } else {
                prop_assert_eq!(visible, vec![name.chars().next().unwrap()]);
            }
        }

        #[test]
        fn a_latin_name_shows_only_its_first_letter(name in "[A-Z]{1,8}( [A-Z]{1,8}){0,3}") {
            let masked = mask_name(&name);
            prop_assert_eq!(masked.chars().count(), name.chars().count());
            prop_assert!(masked.chars().skip(1).all(|c| c == '*'), "{}", masked);
        }

        #[test]
        fn a_phone_shows_at_most_seven_digits(phone in "1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8}") {
            let masked = mask_phone(&phone);
            prop_assert!(masked.contains("****"));
            prop_assert!(masked.chars().filter(|c| c.is_ascii_digit()).count() <= 7);
        }
    }
}
