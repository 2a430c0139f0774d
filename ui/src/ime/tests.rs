//! Tests of the pinyin ranking.

use super::*;

fn position(list: &[String], c: &str) -> usize {
    list.iter()
        .position(|x| x == c)
        .unwrap_or_else(|| panic!("{c} not among {list:?}"))
}

#[test]
fn gb2312_has_both_levels_in_code_order() {
    let chars = gb2312_chars();
    assert_eq!(chars.len(), 6763, "GB2312 has 3755 + 3008 hanzi");
    assert_eq!(chars[0], '啊', "level 1 starts with 啊 (B0A1)");
    assert_eq!(chars[3754], '座', "level 1 ends with 座 (D7F9)");
    assert_eq!(chars[3755], '亍', "level 2 starts with 亍 (D8A1)");
}

#[test]
fn common_surname_comes_first() {
    let c = PinyinIme.candidates_for("zhang");
    assert_eq!(c[0], "张", "{c:?}");
    let c = PinyinIme.candidates_for("wang");
    assert_eq!(c[0], "王");
    let c = PinyinIme.candidates_for("li");
    assert_eq!(c[0], "李");
}

#[test]
fn level_one_before_level_two() {
    // 镇 (level 1) before 圳 (level 2): both read zhen.
    let c = PinyinIme.candidates_for("zhen");
    assert!(position(&c, "镇") < position(&c, "圳"), "{c:?}");
    // 苏 is boosted as a surname; 稣 is level 2.
    let c = PinyinIme.candidates_for("su");
    assert!(position(&c, "苏") < position(&c, "稣"));
}

#[test]
fn heteronyms_are_found_under_each_reading() {
    // 长 reads chang and zhang.
    assert!(PinyinIme.candidates_for("chang").contains(&"长".to_owned()));
    assert!(PinyinIme.candidates_for("zhang").contains(&"长".to_owned()));
}

#[test]
fn u_umlaut_is_typed_as_v() {
    let c = PinyinIme.candidates_for("lv");
    assert!(
        c.contains(&"绿".to_owned()) && c.contains(&"吕".to_owned()),
        "{c:?}"
    );
    assert_eq!(c[0], "吕", "吕 is a common surname");
}

#[test]
fn whole_words_come_before_characters() {
    let c = PinyinIme.candidates_for("renminlu");
    assert_eq!(c[0], "人民路");
    // then the first syllable's characters: 任 (a surname), then 人 (boosted for addresses)
    assert!(position(&c, "人") <= 2, "{c:?}");
    assert!(position(&c, "人") < position(&c, "壬"), "{c:?}");
}

#[test]
fn incomplete_syllable_offers_the_syllables_it_starts() {
    let c = PinyinIme.candidates_for("zh");
    assert!(!c.is_empty());
    assert!(c.iter().take(20).any(|x| x == "张"), "{:?}", &c[..20]);
}

#[test]
fn segmentation_is_greedy_and_keeps_the_tail() {
    assert_eq!(segment("zhangsan"), ["zhang", "san"]);
    assert_eq!(segment("xian"), ["xian"]);
    assert_eq!(segment("renminl"), ["ren", "min", "l"]);
    assert_eq!(PinyinIme.remainder_after("zhangsan", "张"), "san");
    assert_eq!(PinyinIme.remainder_after("renminlu", "人民路"), "");
}

#[test]
fn hostile_input_gives_nothing_and_does_not_panic() {
    for input in ["", "   ", "ZHANG!", "中文", "a\u{0301}", "zzzzzzzzzzzzzzzz"] {
        let c = PinyinIme.candidates_for(input);
        if input.trim().is_empty() || !input.trim().is_ascii() || input.contains('!') {
            assert!(c.is_empty(), "{input:?} → {c:?}");
        }
    }
    assert_eq!(PinyinIme.remainder_after("", "张"), "");
}

#[test]
fn initials_of_an_item_name() {
    assert_eq!(initials("居民身份证换领"), "jmsfzhl");
    assert_eq!(initials("ID卡"), "idk");
}
