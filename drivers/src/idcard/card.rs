//! `IdCard`: the decoded card, for all four layouts, with masked Debug output and zeroize on
//! drop. The 256-byte layouts themselves are in [`layout`](super::layout).

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::error::IdCardError;
use super::nation::Nation;
use vocab::id_number;
use vocab::mask::{mask_address, mask_id_number, mask_name};

/// Which document the card is, from the flag at byte 248 of the text block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardKind {
    /// 居民身份证 (flag: space).
    Resident,
    /// 港澳台居民居住证 (flag `J`).
    HmtResidencePermit,
    /// 外国人永久居留身份证, 2017 version (flag `I`).
    ForeignPermanent2017,
    /// 外国人永久居留身份证, 2023 version (flag `Y`).
    ForeignPermanent2023,
}

impl CardKind {
    /// The flag character at byte 248.
    pub fn flag(self) -> char {
        match self {
            CardKind::Resident => ' ',
            CardKind::HmtResidencePermit => 'J',
            CardKind::ForeignPermanent2017 => 'I',
            CardKind::ForeignPermanent2023 => 'Y',
        }
    }

    /// The kind for a flag character; anything but I, J, Y is a resident card.
    pub fn from_flag(flag: char) -> CardKind {
        match flag {
            'J' => CardKind::HmtResidencePermit,
            'I' => CardKind::ForeignPermanent2017,
            'Y' => CardKind::ForeignPermanent2023,
            _ => CardKind::Resident,
        }
    }

    /// The document's Chinese name, as screens show it.
    pub fn name_zh(self) -> &'static str {
        match self {
            CardKind::Resident => "居民身份证",
            CardKind::HmtResidencePermit => "港澳台居民居住证",
            CardKind::ForeignPermanent2017 => "外国人永久居留身份证(2017版)",
            CardKind::ForeignPermanent2023 => "外国人永久居留身份证(2023版)",
        }
    }

    /// A stable key for files and JSON (`resident`, `hmt`, `foreign2017`, `foreign2023`).
    pub fn key(self) -> &'static str {
        match self {
            CardKind::Resident => "resident",
            CardKind::HmtResidencePermit => "hmt",
            CardKind::ForeignPermanent2017 => "foreign2017",
            CardKind::ForeignPermanent2023 => "foreign2023",
        }
    }
}

/// Gender code, GB/T 2261.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// `0` 未知的性别.
    Unknown,
    /// `1` 男.
    Male,
    /// `2` 女.
    Female,
    /// `9` 未说明的性别.
    Unspecified,
}

impl Gender {
    /// Parses the one-character field.
    pub fn parse(field: &str) -> Option<Gender> {
        match field {
            "0" => Some(Gender::Unknown),
            "1" => Some(Gender::Male),
            "2" => Some(Gender::Female),
            "9" => Some(Gender::Unspecified),
            _ => None,
        }
    }

    /// The code character.
    pub fn code(self) -> char {
        match self {
            Gender::Unknown => '0',
            Gender::Male => '1',
            Gender::Female => '2',
            Gender::Unspecified => '9',
        }
    }

    /// 男 / 女 / 未知 / 未说明.
    pub fn name_zh(self) -> &'static str {
        match self {
            Gender::Unknown => "未知",
            Gender::Male => "男",
            Gender::Female => "女",
            Gender::Unspecified => "未说明",
        }
    }
}

/// A calendar date from a card field (`YYYYMMDD`), checked for a real day.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Zeroize)]
pub struct CardDate {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31 as the month allows.
    pub day: u8,
}

impl CardDate {
    /// Parses `YYYYMMDD`; `None` unless it is a real date.
    pub fn parse(field: &str) -> Option<CardDate> {
        let b = field.as_bytes();
        if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let year: u16 = field[0..4].parse().ok()?;
        let month: u8 = field[4..6].parse().ok()?;
        let day: u8 = field[6..8].parse().ok()?;
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1800 && (1..=days).contains(&day)).then_some(CardDate { year, month, day })
    }

    /// `YYYYMMDD`, as on the card.
    pub fn to_field(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for CardDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for CardDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// End of validity: a date, or 长期 (long-term).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validity {
    /// Valid up to and including this date.
    Until(CardDate),
    /// 长期: no end date.
    LongTerm,
}

impl Zeroize for Validity {
    fn zeroize(&mut self) {
        if let Validity::Until(date) = self {
            date.zeroize();
        }
        *self = Validity::LongTerm;
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Validity::Until(date) => date.fmt(f),
            Validity::LongTerm => f.write_str("长期"),
        }
    }
}

/// A decoded ID card. Personal data: Debug output is masked, memory is zeroized on drop,
/// and nothing here serialises by itself (callers build masked or revealed views).
///
/// Fields a layout does not have are `None`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct IdCard {
    /// Which document.
    #[zeroize(skip)]
    pub kind: CardKind,
    /// Chinese name (may be empty on a 2017 foreigner card).
    pub name: String,
    /// English name (foreigner cards).
    pub english_name: Option<String>,
    /// Gender.
    #[zeroize(skip)]
    pub gender: Gender,
    /// Nation (resident cards only).
    #[zeroize(skip)]
    pub nation: Option<Nation>,
    /// Birth date.
    pub birth_date: CardDate,
    /// Address (resident and HMT cards).
    pub address: Option<String>,
    /// 公民身份号码 or permit number.
    pub id_number: String,
    /// 签发机关 (resident and HMT cards).
    pub issuing_authority: Option<String>,
    /// Start of validity (issue date).
    pub valid_from: CardDate,
    /// End of validity.
    pub valid_until: Validity,
    /// 通行证号码 (HMT).
    pub pass_number: Option<String>,
    /// 签发次数 (HMT) or 换证次数 (2023 foreigner card).
    pub issue_count: Option<String>,
    /// Nationality, GB/T 2659 alpha-3 (foreigner cards).
    pub nationality: Option<String>,
    /// Card version (2017 foreigner card).
    pub card_version: Option<String>,
    /// 受理机关代码 (2017 foreigner card).
    pub authority_code: Option<String>,
    /// Link to the previous permit number (2023 foreigner card).
    pub previous_number_link: Option<String>,
    /// The 1024-byte WLT photo, undecoded (see [`photo`](super::photo)).
    pub photo_wlt: Vec<u8>,
}

impl IdCard {
    /// `3301**********1234`.
    pub fn masked_id_number(&self) -> String {
        mask_id_number(&self.id_number)
    }

    /// `张*`; falls back to the English name on cards without a Chinese one.
    pub fn masked_name(&self) -> String {
        mask_name(self.display_name())
    }

    /// `浙江省杭州市****`, or empty if the card has no address.
    pub fn masked_address(&self) -> String {
        self.address
            .as_deref()
            .map(mask_address)
            .unwrap_or_default()
    }

    /// The name to greet the holder with: Chinese if present, else English.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            self.english_name.as_deref().unwrap_or("")
        } else {
            &self.name
        }
    }

    /// Whether the card is expired on `today`.
    pub fn is_expired(&self, today: CardDate) -> bool {
        matches!(self.valid_until, Validity::Until(end) if end < today)
    }

    /// Rejects cards whose ID number fails its format or check character.
    pub fn verify_id_number(&self) -> Result<(), IdCardError> {
        let checked = match self.kind {
            CardKind::ForeignPermanent2017 => id_number::verify_foreign_2017(&self.id_number),
            _ => id_number::verify_18(&self.id_number).map(|_| ()),
        };
        checked.map_err(IdCardError::from)
    }
}

impl fmt::Debug for IdCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdCard")
            .field("kind", &self.kind)
            .field("name", &self.masked_name())
            .field("id_number", &self.masked_id_number())
            .field("gender", &self.gender)
            .field("nation", &self.nation.map(|n| n.code()))
            .field("birth_year", &self.birth_date.year)
            .field("address", &self.masked_address())
            .field("valid_until", &self.valid_until)
            .field(
                "photo_wlt",
                &format_args!("<{} bytes>", self.photo_wlt.len()),
            )
            .finish_non_exhaustive()
    }
}
