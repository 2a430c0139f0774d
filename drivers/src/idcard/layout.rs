//! The 256-byte UCS-2LE text block in its four layouts (reference §3.2 and §3.5): decoding
//! into an [`IdCard`] and, for the simulator, encoding one back.
//!
//! Every field is UTF-16LE padded with spaces; the flag at byte 248 picks the layout.

use zeroize::{Zeroize, Zeroizing};

use super::card::{CardDate, CardKind, Gender, IdCard, Validity};
use super::error::IdCardError;
use super::nation::Nation;

/// Size of the text block.
pub const TEXT_LEN: usize = 256;
/// Size of the WLT photo.
pub const PHOTO_LEN: usize = 1024;

/// Byte ranges of the fields, per layout.
mod at {
    use std::ops::Range;
    pub const NAME: Range<usize> = 0..30;
    pub const GENDER: Range<usize> = 30..32;
    pub const NATION: Range<usize> = 32..36;
    pub const BIRTH: Range<usize> = 36..52;
    pub const ADDRESS: Range<usize> = 52..122;
    pub const NUMBER: Range<usize> = 122..158;
    pub const AUTHORITY: Range<usize> = 158..188;
    pub const FROM: Range<usize> = 188..204;
    pub const UNTIL: Range<usize> = 204..220;
    pub const FLAG: Range<usize> = 248..250;
    // HMT
    pub const PASS: Range<usize> = 220..238;
    pub const ISSUE_COUNT: Range<usize> = 238..242;
    // Foreigner 2017
    pub const I_ENGLISH: Range<usize> = 0..120;
    pub const I_GENDER: Range<usize> = 120..122;
    pub const I_NUMBER: Range<usize> = 122..152;
    pub const I_NATIONALITY: Range<usize> = 152..158;
    pub const I_NAME: Range<usize> = 158..188;
    pub const I_BIRTH: Range<usize> = 220..236;
    pub const I_VERSION: Range<usize> = 236..240;
    pub const I_AUTHORITY: Range<usize> = 240..248;
    // Foreigner 2023
    pub const Y_RENEWALS: Range<usize> = 32..36;
    pub const Y_ENGLISH_1: Range<usize> = 52..122;
    pub const Y_ENGLISH_2: Range<usize> = 220..242;
    pub const Y_NATIONALITY: Range<usize> = 242..248;
    pub const Y_LINK: Range<usize> = 250..256;
}

/// Decodes one UTF-16LE field and trims the padding.
fn field(
    text: &[u8],
    range: std::ops::Range<usize>,
    name: &'static str,
) -> Result<String, IdCardError> {
    let units = text[range]
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    let mut s = String::new();
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => s.push(c),
            Err(_) => {
                s.zeroize();
                return Err(IdCardError::InvalidField {
                    field: name,
                    reason: "not valid UTF-16",
                });
            }
        }
    }
    let trimmed = s.trim_matches(|c: char| c == ' ' || c == '\0').to_owned();
    s.zeroize();
    Ok(trimmed)
}

fn opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn date(s: &str, name: &'static str) -> Result<CardDate, IdCardError> {
    CardDate::parse(s).ok_or(IdCardError::InvalidField {
        field: name,
        reason: "not a real date YYYYMMDD",
    })
}

fn validity(s: &str) -> Result<Validity, IdCardError> {
    if s == "长期" {
        Ok(Validity::LongTerm)
    } else {
        date(s, "valid_until").map(Validity::Until)
    }
}

fn gender(s: &str) -> Result<Gender, IdCardError> {
    Gender::parse(s).ok_or(IdCardError::InvalidField {
        field: "gender",
        reason: "not one of the GB/T 2261.1 codes 0, 1, 2, 9",
    })
}

fn required(s: String, name: &'static str) -> Result<String, IdCardError> {
    if s.is_empty() {
        Err(IdCardError::InvalidField {
            field: name,
            reason: "empty",
        })
    } else {
        Ok(s)
    }
}

/// Decodes a text block and photo into an [`IdCard`], checking dates, codes and the ID
/// number's check character. Never panics on any input.
pub fn decode(text: &[u8], photo: &[u8]) -> Result<IdCard, IdCardError> {
    if text.len() != TEXT_LEN {
        return Err(IdCardError::InvalidField {
            field: "text",
            reason: "the text block is not 256 bytes",
        });
    }
    let flag = field(text, at::FLAG, "type_flag")?;
    let kind = CardKind::from_flag(flag.chars().next().unwrap_or(' '));
    let card = match kind {
        CardKind::Resident | CardKind::HmtResidencePermit => {
            let hmt = kind == CardKind::HmtResidencePermit;
            let nation = if hmt {
                None
            } else {
                Some(Nation::parse(&field(text, at::NATION, "nation")?).ok_or(
                    IdCardError::InvalidField {
                        field: "nation",
                        reason: "not a code of the nation table (01-56, 97, 98)",
                    },
                )?)
            };
            IdCard {
                kind,
                name: required(field(text, at::NAME, "name")?, "name")?,
                english_name: None,
                gender: gender(&field(text, at::GENDER, "gender")?)?,
                nation,
                birth_date: date(&field(text, at::BIRTH, "birth_date")?, "birth_date")?,
                address: Some(field(text, at::ADDRESS, "address")?),
                id_number: field(text, at::NUMBER, "id_number")?,
                issuing_authority: Some(field(text, at::AUTHORITY, "issuing_authority")?),
                valid_from: date(&field(text, at::FROM, "valid_from")?, "valid_from")?,
                valid_until: validity(&field(text, at::UNTIL, "valid_until")?)?,
                pass_number: if hmt {
                    opt(field(text, at::PASS, "pass_number")?)
                } else {
                    None
                },
                issue_count: if hmt {
                    opt(field(text, at::ISSUE_COUNT, "issue_count")?)
                } else {
                    None
                },
                nationality: None,
                card_version: None,
                authority_code: None,
                previous_number_link: None,
                photo_wlt: photo.to_vec(),
            }
        }
        CardKind::ForeignPermanent2017 => IdCard {
            kind,
            name: field(text, at::I_NAME, "name")?,
            english_name: Some(required(
                field(text, at::I_ENGLISH, "english_name")?,
                "english_name",
            )?),
            gender: gender(&field(text, at::I_GENDER, "gender")?)?,
            nation: None,
            birth_date: date(&field(text, at::I_BIRTH, "birth_date")?, "birth_date")?,
            address: None,
            id_number: field(text, at::I_NUMBER, "id_number")?,
            issuing_authority: None,
            valid_from: date(&field(text, at::FROM, "valid_from")?, "valid_from")?,
            valid_until: validity(&field(text, at::UNTIL, "valid_until")?)?,
            pass_number: None,
            issue_count: None,
            nationality: opt(field(text, at::I_NATIONALITY, "nationality")?),
            card_version: opt(field(text, at::I_VERSION, "card_version")?),
            authority_code: opt(field(text, at::I_AUTHORITY, "authority_code")?),
            previous_number_link: None,
            photo_wlt: photo.to_vec(),
        },
        CardKind::ForeignPermanent2023 => {
            // The English name runs on from bytes 52-121 into 220-241: one string of 46
            // UTF-16 units cut in two, so it is joined before decoding and trimming (a space
            // or a surrogate pair at the cut stays whole).
            let mut units: Vec<u8> = text[at::Y_ENGLISH_1].to_vec();
            units.extend_from_slice(&text[at::Y_ENGLISH_2]);
            let units = Zeroizing::new(units);
            let english = field(&units, 0..units.len(), "english_name")?;
            IdCard {
                kind,
                name: field(text, at::NAME, "name")?,
                english_name: Some(required(english, "english_name")?),
                gender: gender(&field(text, at::GENDER, "gender")?)?,
                nation: None,
                birth_date: date(&field(text, at::BIRTH, "birth_date")?, "birth_date")?,
                address: None,
                id_number: field(text, at::NUMBER, "id_number")?,
                issuing_authority: None,
                valid_from: date(&field(text, at::FROM, "valid_from")?, "valid_from")?,
                valid_until: validity(&field(text, at::UNTIL, "valid_until")?)?,
                pass_number: None,
                issue_count: opt(field(text, at::Y_RENEWALS, "issue_count")?),
                nationality: opt(field(text, at::Y_NATIONALITY, "nationality")?),
                card_version: None,
                authority_code: None,
                previous_number_link: opt(field(text, at::Y_LINK, "previous_number_link")?),
                photo_wlt: photo.to_vec(),
            }
        }
    };
    card.verify_id_number()?;
    Ok(card)
}

/// Writes `value` into `range`, padded with spaces; fails if it does not fit.
fn put(
    text: &mut [u8],
    range: std::ops::Range<usize>,
    value: &str,
    name: &'static str,
) -> Result<(), IdCardError> {
    let width = range.len() / 2;
    let units: Vec<u16> = value.encode_utf16().collect();
    if units.len() > width {
        return Err(IdCardError::InvalidField {
            field: name,
            reason: "too long for its place in the text block",
        });
    }
    for (i, chunk) in text[range].chunks_exact_mut(2).enumerate() {
        let unit = units.get(i).copied().unwrap_or(0x0020);
        chunk.copy_from_slice(&unit.to_le_bytes());
    }
    Ok(())
}

/// Encodes a card into its 256-byte text block (the simulator's side).
pub fn encode(card: &IdCard) -> Result<Zeroizing<Vec<u8>>, IdCardError> {
    let mut text = Zeroizing::new(vec![0u8; TEXT_LEN]);
    put(&mut text, 0..TEXT_LEN, "", "text")?;
    let t = &mut text[..];
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let until = match card.valid_until {
        Validity::Until(d) => d.to_field(),
        Validity::LongTerm => "长期".to_owned(),
    };
    let gender = card.gender.code().to_string();
    match card.kind {
        CardKind::Resident | CardKind::HmtResidencePermit => {
            put(t, at::NAME, &card.name, "name")?;
            put(t, at::GENDER, &gender, "gender")?;
            let nation = card
                .nation
                .map(|n| format!("{:02}", n.code()))
                .unwrap_or_default();
            put(t, at::NATION, &nation, "nation")?;
            put(t, at::BIRTH, &card.birth_date.to_field(), "birth_date")?;
            put(t, at::ADDRESS, &s(&card.address), "address")?;
            put(t, at::NUMBER, &card.id_number, "id_number")?;
            put(
                t,
                at::AUTHORITY,
                &s(&card.issuing_authority),
                "issuing_authority",
            )?;
            put(t, at::FROM, &card.valid_from.to_field(), "valid_from")?;
            put(t, at::UNTIL, &until, "valid_until")?;
            if card.kind == CardKind::HmtResidencePermit {
                put(t, at::PASS, &s(&card.pass_number), "pass_number")?;
                put(t, at::ISSUE_COUNT, &s(&card.issue_count), "issue_count")?;
            }
        }
        CardKind::ForeignPermanent2017 => {
            put(t, at::I_ENGLISH, &s(&card.english_name), "english_name")?;
            put(t, at::I_GENDER, &gender, "gender")?;
            put(t, at::I_NUMBER, &card.id_number, "id_number")?;
            put(t, at::I_NATIONALITY, &s(&card.nationality), "nationality")?;
            put(t, at::I_NAME, &card.name, "name")?;
            put(t, at::FROM, &card.valid_from.to_field(), "valid_from")?;
            put(t, at::UNTIL, &until, "valid_until")?;
            put(t, at::I_BIRTH, &card.birth_date.to_field(), "birth_date")?;
            put(t, at::I_VERSION, &s(&card.card_version), "card_version")?;
            put(
                t,
                at::I_AUTHORITY,
                &s(&card.authority_code),
                "authority_code",
            )?;
        }
        CardKind::ForeignPermanent2023 => {
            put(t, at::NAME, &card.name, "name")?;
            put(t, at::GENDER, &gender, "gender")?;
            put(t, at::Y_RENEWALS, &s(&card.issue_count), "issue_count")?;
            put(t, at::BIRTH, &card.birth_date.to_field(), "birth_date")?;
            // One string of up to 46 UTF-16 units, cut after the 35th (see decode).
            let english = s(&card.english_name);
            let joined_len = at::Y_ENGLISH_1.len() + at::Y_ENGLISH_2.len();
            let mut joined = Zeroizing::new(vec![0u8; joined_len]);
            put(&mut joined, 0..joined_len, &english, "english_name")?;
            let (first, second) = joined.split_at(at::Y_ENGLISH_1.len());
            t[at::Y_ENGLISH_1].copy_from_slice(first);
            t[at::Y_ENGLISH_2].copy_from_slice(second);
            put(t, at::NUMBER, &card.id_number, "id_number")?;
            put(t, at::FROM, &card.valid_from.to_field(), "valid_from")?;
            put(t, at::UNTIL, &until, "valid_until")?;
            put(t, at::Y_NATIONALITY, &s(&card.nationality), "nationality")?;
            put(
                t,
                at::Y_LINK,
                &s(&card.previous_number_link),
                "previous_number_link",
            )?;
        }
    }
    put(t, at::FLAG, &card.kind.flag().to_string(), "type_flag")?;
    Ok(text)
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
