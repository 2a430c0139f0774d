//! Sample card files for the simulator: a small TOML format (one field per card field,
//! see `drivers/samples/idcard/`) that becomes an [`IdCard`] and then the real 256-byte
//! UCS-2LE text block. The samples ship inside the binary so `--card zhang-san` works
//! anywhere.

use std::path::Path;

use serde::Deserialize;
use zeroize::Zeroize;

use super::core::SimCard;
use crate::idcard::card::{CardDate, CardKind, Gender, IdCard, Validity};
use crate::idcard::error::IdCardError;
use crate::idcard::layout;
use crate::idcard::nation::Nation;

/// The bundled samples: (name, TOML text).
pub const SAMPLES: [(&str, &str); 5] = [
    (
        "resident-zhang-san",
        include_str!("../../../samples/idcard/resident-zhang-san.toml"),
    ),
    (
        "resident-li-xiuying",
        include_str!("../../../samples/idcard/resident-li-xiuying.toml"),
    ),
    (
        "hmt-chen-meiling",
        include_str!("../../../samples/idcard/hmt-chen-meiling.toml"),
    ),
    (
        "foreign2017-smith",
        include_str!("../../../samples/idcard/foreign2017-smith.toml"),
    ),
    (
        "foreign2023-gonzalez",
        include_str!("../../../samples/idcard/foreign2023-gonzalez.toml"),
    ),
];

#[derive(Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
struct CardFile {
    kind: String,
    #[serde(default)]
    name: String,
    english_name: Option<String>,
    gender: u8,
    nation: Option<u8>,
    birth_date: String,
    address: Option<String>,
    id_number: String,
    issuing_authority: Option<String>,
    valid_from: String,
    valid_until: String,
    pass_number: Option<String>,
    issue_count: Option<String>,
    nationality: Option<String>,
    card_version: Option<String>,
    authority_code: Option<String>,
    previous_number_link: Option<String>,
    appended_address: Option<String>,
    photo_seed: Option<u32>,
}

/// Parses a card file's text; `origin` names it in errors.
pub fn parse_card(text: &str, origin: &str) -> Result<(IdCard, Option<String>), IdCardError> {
    let bad = |reason: String| IdCardError::CardFile {
        path: origin.to_owned(),
        reason,
    };
    let mut file: CardFile = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
    let kind = [
        CardKind::Resident,
        CardKind::HmtResidencePermit,
        CardKind::ForeignPermanent2017,
        CardKind::ForeignPermanent2023,
    ]
    .into_iter()
    .find(|k| k.key() == file.kind)
    .ok_or_else(|| bad("kind must be resident, hmt, foreign2017 or foreign2023".into()))?;
    let gender = Gender::parse(&file.gender.to_string())
        .ok_or_else(|| bad("gender must be 0, 1, 2 or 9".into()))?;
    let nation = match file.nation {
        Some(code) => {
            Some(Nation::from_code(code).ok_or_else(|| bad("unknown nation code".into()))?)
        }
        None => None,
    };
    let date = |s: &str, field: &str| {
        CardDate::parse(s).ok_or_else(|| bad(format!("{field} must be a real date YYYYMMDD")))
    };
    let valid_until = if file.valid_until == "长期" {
        Validity::LongTerm
    } else {
        Validity::Until(date(&file.valid_until, "valid_until")?)
    };
    let card = IdCard {
        kind,
        name: std::mem::take(&mut file.name),
        english_name: file.english_name.take(),
        gender,
        nation,
        birth_date: date(&file.birth_date, "birth_date")?,
        address: file.address.take(),
        id_number: std::mem::take(&mut file.id_number),
        issuing_authority: file.issuing_authority.take(),
        valid_from: date(&file.valid_from, "valid_from")?,
        valid_until,
        pass_number: file.pass_number.take(),
        issue_count: file.issue_count.take(),
        nationality: file.nationality.take(),
        card_version: file.card_version.take(),
        authority_code: file.authority_code.take(),
        previous_number_link: file.previous_number_link.take(),
        photo_wlt: stand_in_wlt(file.photo_seed.unwrap_or(1)),
    };
    let appended = file.appended_address.take();
    file.zeroize();
    // Encode and decode once: the sample must be a card a real reader could hold.
    let text = layout::encode(&card)?;
    layout::decode(&text, &card.photo_wlt)?;
    Ok((card, appended))
}

/// 1024 bytes standing in for a WLT photo (a real WLT cannot be made without the vendor's
/// encoder); deterministic so tests can compare.
pub fn stand_in_wlt(seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    (0..layout::PHOTO_LEN)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// Loads a card file from disk.
pub fn load_file(path: &Path) -> Result<SimCard, IdCardError> {
    let text = std::fs::read_to_string(path).map_err(|e| IdCardError::CardFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let (card, appended) = parse_card(&text, &path.display().to_string())?;
    SimCard::new(&card, appended)
}

/// Loads a bundled sample by name (`resident-zhang-san`, …, or a unique part of it).
pub fn load_sample(name: &str) -> Result<SimCard, IdCardError> {
    let (card, appended) = sample_card(name)?;
    SimCard::new(&card, appended)
}

/// A bundled sample as an [`IdCard`], for tests and benchmarks that compare.
pub fn sample_card(name: &str) -> Result<(IdCard, Option<String>), IdCardError> {
    let matches: Vec<_> = SAMPLES.iter().filter(|(n, _)| n.contains(name)).collect();
    match matches.as_slice() {
        [(n, text)] => parse_card(text, n),
        _ => Err(IdCardError::CardFile {
            path: name.to_owned(),
            reason: format!(
                "not exactly one bundled sample matches; samples are {}",
                SAMPLES.map(|(n, _)| n).join(", ")
            ),
        }),
    }
}

/// `--card` on the command line: a file path if it exists, else a bundled sample name.
pub fn load_card_arg(arg: &str) -> Result<SimCard, IdCardError> {
    let path = Path::new(arg);
    if path.exists() {
        load_file(path)
    } else {
        load_sample(arg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_sample_is_a_valid_card_of_its_kind() {
        let kinds: Vec<CardKind> = SAMPLES
            .iter()
            .map(|(name, text)| parse_card(text, name).unwrap().0.kind)
            .collect();
        for kind in [
            CardKind::Resident,
            CardKind::HmtResidencePermit,
            CardKind::ForeignPermanent2017,
            CardKind::ForeignPermanent2023,
        ] {
            assert!(kinds.contains(&kind), "no sample of {kind:?}");
        }
    }

    #[test]
    fn the_long_term_sample_has_no_end_date_and_an_appended_address() {
        let (card, appended) = sample_card("li-xiuying").unwrap();
        assert_eq!(card.valid_until, Validity::LongTerm);
        assert!(appended.is_some());
    }

    #[test]
    fn a_sample_with_a_bad_check_digit_is_refused() {
        let text = SAMPLES[0]
            .1
            .replace("11010519491231002X", "110105194912310021");
        assert!(matches!(
            parse_card(&text, "t"),
            Err(IdCardError::CheckDigit { .. })
        ));
    }

    #[test]
    fn unknown_fields_and_kinds_are_named() {
        let err = parse_card("kind = \"passport\"\n", "t").unwrap_err();
        assert!(err.to_string().contains("t"), "{err}");
        let err = parse_card(&format!("{}\ncolour = 1\n", SAMPLES[0].1), "t").unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn ambiguous_sample_names_are_refused() {
        assert!(sample_card("resident").is_err());
        assert!(sample_card("zhang").is_ok());
    }
}
