//! Masking of personal data for logs, Debug output, screens and receipts.
//!
//! The project's rule (ARCHITECTURE.md, after GB/T 35273 de-identification practice):
//! an ID number keeps its first 4 and last 4 characters (`3301**********1234`, length
//! kept, so a technician can still tell a 15- from an 18-character number); a name keeps its
//! first character (the surname) and stars the rest (`张*`, `欧***`); an address keeps its
//! first 6 characters (province, city, county in almost every address) followed by a fixed
//! `****` so the length of the rest is not shown.

/// `3301**********1234`: first 4 and last 4 characters; shorter numbers are all stars.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(chars.len());
    out.extend(&chars[..4]);
    out.extend(std::iter::repeat_n('*', chars.len() - 8));
    out.extend(&chars[chars.len() - 4..]);
    out
}

/// `H******78`: a short document number (HMT pass, 9 characters) keeps its first character
/// and last 2, since 4 + 4 would show almost all of it.
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

/// `张*`: first character kept, every other non-space character starred.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    if name.chars().count() == 1 {
        return "*".to_owned();
    }
    std::iter::once(first)
        .chain(chars.map(|c| if c == ' ' { ' ' } else { '*' }))
        .collect()
}

/// `浙江省杭州市****`: the first 6 characters and a fixed `****`.
pub fn mask_address(address: &str) -> String {
    if address.is_empty() {
        return String::new();
    }
    let kept: String = address.chars().take(6).collect();
    format!("{kept}****")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_keep_four_and_four() {
        assert_eq!(mask_id_number("330106199001011234"), "3301**********1234");
        assert_eq!(mask_id_number("USA310019950102"), "USA3*******0102");
        assert_eq!(mask_id_number("12345678"), "********");
        assert_eq!(mask_id_number(""), "");
    }

    #[test]
    fn pass_numbers_keep_one_and_two() {
        assert_eq!(mask_pass_number("H12345678"), "H******78");
        assert_eq!(mask_pass_number("H123"), "****");
    }

    #[test]
    fn names_keep_the_surname() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "*");
        assert_eq!(mask_name("SMITH JOHN"), "S**** ****");
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
}
