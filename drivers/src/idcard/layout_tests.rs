//! Text-block layouts: the reference's worked example byte for byte, all four card kinds,
//! 长期 validity, and rejection of corrupt fields.

use super::*;

const REFERENCE_EXAMPLE: &str = "
20 5F 09 4E 20 00 20 00 20 00 20 00 20 00 20 00
20 00 20 00 20 00 20 00 20 00 20 00 20 00 31 00
30 00 31 00 31 00 39 00 34 00 39 00 31 00 32 00
33 00 31 00 17 53 AC 4E 02 5E 1C 4E CE 57 3A 53
3A 79 8B 4F EF 8D 31 00 F7 53 20 00 20 00 20 00
20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00
20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00
20 00 20 00 20 00 20 00 20 00 31 00 31 00 30 00
31 00 30 00 35 00 31 00 39 00 34 00 39 00 31 00
32 00 33 00 31 00 30 00 30 00 32 00 58 00 17 53
AC 4E 02 5E 6C 51 89 5B 40 5C 1C 4E CE 57 06 52
40 5C 20 00 20 00 20 00 20 00 20 00 32 00 30 00
32 00 30 00 30 00 31 00 30 00 31 00 32 00 30 00
34 00 30 00 30 00 31 00 30 00 31 00 20 00 20 00
20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00
20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00";

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect()
}

fn date(s: &str) -> CardDate {
    CardDate::parse(s).unwrap()
}

fn zhang_san() -> IdCard {
    IdCard {
        kind: CardKind::Resident,
        name: "张三".into(),
        english_name: None,
        gender: Gender::Male,
        nation: Nation::from_code(1),
        birth_date: date("19491231"),
        address: Some("北京市东城区示例路1号".into()),
        id_number: "11010519491231002X".into(),
        issuing_authority: Some("北京市公安局东城分局".into()),
        valid_from: date("20200101"),
        valid_until: Validity::Until(date("20400101")),
        pass_number: None,
        issue_count: None,
        nationality: None,
        card_version: None,
        authority_code: None,
        previous_number_link: None,
        photo_wlt: vec![0x5A; PHOTO_LEN],
    }
}

#[test]
fn the_reference_example_decodes_field_by_field() {
    let text = hex(REFERENCE_EXAMPLE);
    assert_eq!(text.len(), 256);
    let card = decode(&text, &[0x5A; PHOTO_LEN]).unwrap();
    assert_eq!(card, zhang_san());
    assert_eq!(card.nation.unwrap().name_zh(), "汉");
    assert_eq!(card.gender.name_zh(), "男");
}

#[test]
fn encoding_the_reference_card_gives_the_reference_bytes() {
    assert_eq!(
        &encode(&zhang_san()).unwrap()[..],
        &hex(REFERENCE_EXAMPLE)[..]
    );
}

#[test]
fn long_term_validity_round_trips() {
    let mut card = zhang_san();
    card.valid_until = Validity::LongTerm;
    let text = encode(&card).unwrap();
    assert_eq!(&text[204..208], &[0x7F, 0x95, 0x1F, 0x67]); // 长 期
    assert_eq!(
        decode(&text, &card.photo_wlt).unwrap().valid_until,
        Validity::LongTerm
    );
}

fn hmt() -> IdCard {
    let mut c = zhang_san();
    c.kind = CardKind::HmtResidencePermit;
    c.name = "陈美玲".into();
    c.nation = None;
    c.gender = Gender::Female;
    c.birth_date = date("19880315");
    c.address = Some("广东省深圳市福田区示例大道88号".into());
    c.id_number = "810000198803150027".into();
    c.issuing_authority = Some("深圳市公安局".into());
    c.valid_from = date("20210601");
    c.valid_until = Validity::Until(date("20260601"));
    c.pass_number = Some("H12345678".into());
    c.issue_count = Some("02".into());
    c
}

fn foreign_2017() -> IdCard {
    let mut c = zhang_san();
    c.kind = CardKind::ForeignPermanent2017;
    c.name = "史密斯".into();
    c.english_name = Some("SMITH JOHN WILLIAM".into());
    c.gender = Gender::Male;
    c.nation = None;
    c.birth_date = date("19750102");
    c.address = None;
    c.id_number = "USA310019750102".into();
    c.issuing_authority = None;
    c.valid_from = date("20170801");
    c.valid_until = Validity::Until(date("20270801"));
    c.nationality = Some("USA".into());
    c.card_version = Some("15".into());
    c.authority_code = Some("3100".into());
    c
}

fn foreign_2023() -> IdCard {
    let mut c = zhang_san();
    c.kind = CardKind::ForeignPermanent2023;
    c.name = "玛丽亚".into();
    c.english_name = Some("GONZALEZ RODRIGUEZ MARIA FERNANDA ISABEL".into());
    c.gender = Gender::Female;
    c.nation = None;
    c.birth_date = date("19850101");
    c.address = None;
    c.id_number = "932682198501010017".into();
    c.issuing_authority = None;
    c.valid_from = date("20231201");
    c.valid_until = Validity::Until(date("20331201"));
    c.issue_count = Some("01".into());
    c.nationality = Some("ESP".into());
    c.previous_number_link = Some("001".into());
    c
}

#[test]
fn every_layout_round_trips_with_its_flag() {
    for (card, flag) in [
        (zhang_san(), 0x20),
        (hmt(), b'J'),
        (foreign_2017(), b'I'),
        (foreign_2023(), b'Y'),
    ] {
        let text = encode(&card).unwrap();
        assert_eq!(&text[248..250], &[flag, 0x00], "{:?}", card.kind);
        let back = decode(&text, &card.photo_wlt).unwrap();
        assert_eq!(back, card, "{:?}", card.kind);
    }
}

#[test]
fn hmt_fields_sit_where_the_reference_says() {
    let text = encode(&hmt()).unwrap();
    assert_eq!(&text[32..36], &[0x20, 0, 0x20, 0]); // nation blank
    assert_eq!(&text[220..222], &[b'H', 0]);
    assert_eq!(&text[238..242], &[b'0', 0, b'2', 0]);
}

#[test]
fn the_2023_english_name_continues_at_byte_220() {
    let card = foreign_2023();
    let text = encode(&card).unwrap();
    // 40 characters: 35 in the first field, the last 5 ("ISABEL" minus its I) in the second.
    assert_eq!(
        &text[220..230],
        &"SABEL"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(&text[242..248], &[b'E', 0, b'S', 0, b'P', 0]);
}

#[test]
fn a_2017_card_without_chinese_name_is_greeted_in_english() {
    let mut card = foreign_2017();
    card.name = String::new();
    let back = decode(&encode(&card).unwrap(), &card.photo_wlt).unwrap();
    assert_eq!(back.display_name(), "SMITH JOHN WILLIAM");
    assert_eq!(back.masked_name(), "S*****************");
}

#[test]
fn a_wrong_check_digit_is_rejected() {
    let mut text = encode(&zhang_san()).unwrap();
    text[156] = b'1'; // last character of the ID number: X → 1
    assert!(matches!(
        decode(&text, &[]),
        Err(IdCardError::CheckDigit { expected: 'X' })
    ));
}

#[test]
fn corrupt_fields_name_the_field() {
    let cases: [(usize, u8, &str); 4] = [
        (30, b'5', "gender"),
        (32, b'9', "nation"),     // "91"
        (44, b'9', "birth_date"), // month 92
        (53, 0xD8, "address"),    // lone surrogate
    ];
    for (offset, byte, name) in cases {
        let mut text = encode(&zhang_san()).unwrap();
        text[offset] = byte;
        match decode(&text, &[]) {
            Err(IdCardError::InvalidField { field, .. }) => assert_eq!(field, name),
            other => panic!("{name}: expected InvalidField, got {other:?}"),
        }
    }
    assert!(decode(&[0x20; 100], &[]).is_err());
}

#[test]
fn too_long_fields_are_refused_when_encoding() {
    let mut card = zhang_san();
    card.name = "一二三四五六七八九十一二三四五六".into();
    assert!(matches!(
        encode(&card),
        Err(IdCardError::InvalidField { field: "name", .. })
    ));
}

#[test]
fn debug_output_is_masked() {
    let debug = format!("{:?}", zhang_san());
    assert!(debug.contains("1101**********002X"), "{debug}");
    assert!(debug.contains("张*"), "{debug}");
    assert!(!debug.contains("张三"), "{debug}");
    assert!(!debug.contains("示例路"), "{debug}");
    assert!(
        !debug.contains("19491231") && !debug.contains("1949-12-31"),
        "{debug}"
    );
}

#[test]
fn zeroize_clears_the_personal_fields() {
    use zeroize::Zeroize;
    let mut card = zhang_san();
    card.zeroize();
    assert!(card.name.is_empty() && card.id_number.is_empty() && card.photo_wlt.is_empty());
    assert_eq!(card.address, None);
    assert_eq!(card.birth_date.year, 0);
}

#[test]
fn a_2023_english_name_split_at_a_space_keeps_the_space() {
    let mut card = foreign_2023();
    // 35 characters, then a space, then the rest.
    card.english_name = Some("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHI JOHN".into());
    let text = encode(&card).unwrap();
    assert_eq!(&text[220..222], &[b' ', 0]);
    assert_eq!(decode(&text, &card.photo_wlt).unwrap(), card);
}

#[test]
fn a_2023_english_name_round_trips_whatever_padding_sits_at_the_cut() {
    // Found by the fuzzer: the first part all padding, the second starting with NULs.
    let mut text = encode(&foreign_2023()).unwrap();
    for b in &mut text[52..122] {
        *b = 0;
    }
    text[220..230].copy_from_slice(&[0, 0, 0, 0, b'A', 0, b'B', 0, 0x20, 0]);
    let card = decode(&text, &[]).unwrap();
    assert_eq!(card.english_name.as_deref(), Some("AB"));
    assert_eq!(decode(&encode(&card).unwrap(), &[]).unwrap(), card);

    // A surrogate pair across the cut (not on real UCS-2 cards, but it must not break).
    let mut card = foreign_2023();
    card.english_name = Some(format!("{}\u{1F600}X", "A".repeat(34)));
    let text = encode(&card).unwrap();
    assert_eq!(decode(&text, &card.photo_wlt).unwrap(), card);
}
