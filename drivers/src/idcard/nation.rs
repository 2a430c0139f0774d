//! The 56 nation (民族) codes of the resident ID card, plus 97 其他 and 98 外国血统中国籍人士.
//!
//! Chinese names from the reference (§3.4); English romanisations in GB/T 3304 style.

use std::fmt;

const NATIONS: [(u8, &str, &str); 58] = [
    (1, "汉", "Han"),
    (2, "蒙古", "Mongol"),
    (3, "回", "Hui"),
    (4, "藏", "Zang"),
    (5, "维吾尔", "Uygur"),
    (6, "苗", "Miao"),
    (7, "彝", "Yi"),
    (8, "壮", "Zhuang"),
    (9, "布依", "Buyei"),
    (10, "朝鲜", "Chosen"),
    (11, "满", "Man"),
    (12, "侗", "Dong"),
    (13, "瑶", "Yao"),
    (14, "白", "Bai"),
    (15, "土家", "Tujia"),
    (16, "哈尼", "Hani"),
    (17, "哈萨克", "Kazak"),
    (18, "傣", "Dai"),
    (19, "黎", "Li"),
    (20, "傈僳", "Lisu"),
    (21, "佤", "Va"),
    (22, "畲", "She"),
    (23, "高山", "Gaoshan"),
    (24, "拉祜", "Lahu"),
    (25, "水", "Sui"),
    (26, "东乡", "Dongxiang"),
    (27, "纳西", "Naxi"),
    (28, "景颇", "Jingpo"),
    (29, "柯尔克孜", "Kirgiz"),
    (30, "土", "Tu"),
    (31, "达斡尔", "Daur"),
    (32, "仫佬", "Mulao"),
    (33, "羌", "Qiang"),
    (34, "布朗", "Blang"),
    (35, "撒拉", "Salar"),
    (36, "毛南", "Maonan"),
    (37, "仡佬", "Gelao"),
    (38, "锡伯", "Xibe"),
    (39, "阿昌", "Achang"),
    (40, "普米", "Pumi"),
    (41, "塔吉克", "Tajik"),
    (42, "怒", "Nu"),
    (43, "乌孜别克", "Uzbek"),
    (44, "俄罗斯", "Russ"),
    (45, "鄂温克", "Ewenki"),
    (46, "德昂", "Deang"),
    (47, "保安", "Bonan"),
    (48, "裕固", "Yugur"),
    (49, "京", "Gin"),
    (50, "塔塔尔", "Tatar"),
    (51, "独龙", "Derung"),
    (52, "鄂伦春", "Oroqen"),
    (53, "赫哲", "Hezhen"),
    (54, "门巴", "Monba"),
    (55, "珞巴", "Lhoba"),
    (56, "基诺", "Jino"),
    (97, "其他", "Other"),
    (
        98,
        "外国血统中国籍人士",
        "Naturalised citizen of foreign origin",
    ),
];

/// A nation code that is in the table (01–56, 97, 98).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nation(u8);

impl Nation {
    /// The nation for a numeric code, if the code is defined.
    pub fn from_code(code: u8) -> Option<Nation> {
        NATIONS
            .iter()
            .any(|(c, _, _)| *c == code)
            .then_some(Nation(code))
    }

    /// Parses the card's two-digit field (`"01"`).
    pub fn parse(field: &str) -> Option<Nation> {
        if field.len() != 2 || !field.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        field.parse().ok().and_then(Nation::from_code)
    }

    /// The numeric code.
    pub fn code(self) -> u8 {
        self.0
    }

    /// The Chinese name as printed on the card (`汉`).
    pub fn name_zh(self) -> &'static str {
        self.entry().1
    }

    /// The English romanisation (`Han`).
    pub fn name_en(self) -> &'static str {
        self.entry().2
    }

    fn entry(self) -> (u8, &'static str, &'static str) {
        NATIONS
            .iter()
            .copied()
            .find(|(c, _, _)| *c == self.0)
            .unwrap_or((self.0, "未知", "Unknown"))
    }
}

impl fmt::Display for Nation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_zh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_56_groups_and_97_98_are_known_and_nothing_else() {
        let known: Vec<u8> = (0..=99)
            .filter(|c| Nation::from_code(*c).is_some())
            .collect();
        let mut expected: Vec<u8> = (1..=56).collect();
        expected.extend([97, 98]);
        assert_eq!(known, expected);
    }

    #[test]
    fn parses_the_two_digit_field() {
        assert_eq!(Nation::parse("01").unwrap().name_zh(), "汉");
        assert_eq!(Nation::parse("46").unwrap().name_zh(), "德昂");
        assert_eq!(
            Nation::parse("98").unwrap().name_en(),
            "Naturalised citizen of foreign origin"
        );
        assert_eq!(Nation::parse("57"), None);
        assert_eq!(Nation::parse("00"), None);
        assert_eq!(Nation::parse("1"), None);
        assert_eq!(Nation::parse("+1"), None);
    }
}
