//! The citizen as read from the resident ID card, handed over by the service (which maps the
//! ID-card driver's `IdCard` onto it). Held in memory for the session only: zeroized on drop,
//! masked in `Debug`, and the source of form prefill (`PrefillSource`).

use std::fmt;

use hall_api::form::{FieldKind, FormField, PrefillSource};
use vocab::mask::{mask_id_number, mask_name};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Which card was read (the reader tells them apart by their layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(test, derive(serde::Serialize))]
pub enum CardType {
    /// 居民身份证.
    #[default]
    Resident,
    /// 外国人永久居留身份证.
    ForeignPermanentResident,
    /// 港澳台居民居住证.
    HkMacaoTaiwanResidence,
}

/// The person on the ID card. Every text field is personal data.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Citizen {
    /// 姓名.
    pub name: String,
    /// 性别, as printed (`男` / `女`).
    pub sex: String,
    /// 民族, as printed (`汉`); empty on cards without it.
    pub nation: String,
    /// 出生日期, `YYYY-MM-DD`.
    pub birth_date: String,
    /// 住址.
    pub address: String,
    /// 公民身份号码 (or the permit number).
    pub id_number: String,
    /// 签发机关.
    pub issuing_authority: String,
    /// 有效期限 start, `YYYY-MM-DD`.
    pub valid_from: String,
    /// 有效期限 end, `YYYY-MM-DD`, or `长期`.
    pub valid_until: String,
    /// Which card.
    #[zeroize(skip)]
    pub card_type: CardType,
}

impl fmt::Debug for Citizen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Citizen")
            .field("name", &mask_name(&self.name))
            .field("id_number", &mask_id_number(&self.id_number))
            .field("card_type", &self.card_type)
            .finish_non_exhaustive()
    }
}

impl Citizen {
    /// The card value a prefill source names, as text.
    pub fn prefill_text(&self, source: PrefillSource) -> &str {
        match source {
            PrefillSource::Name => &self.name,
            PrefillSource::Sex => &self.sex,
            PrefillSource::Nation => &self.nation,
            PrefillSource::BirthDate => &self.birth_date,
            PrefillSource::Address => &self.address,
            PrefillSource::IdNumber => &self.id_number,
            PrefillSource::IssuingAuthority => &self.issuing_authority,
            PrefillSource::ValidUntil => &self.valid_until,
        }
    }

    /// The value to prefill `field` with, if the field names a source and the card has a
    /// value that fits the field (a select takes it only if it matches an option's value or
    /// label, and then stores the option's value).
    pub fn prefill(&self, field: &FormField) -> Option<serde_json::Value> {
        let text = self.prefill_text(field.prefill?).trim();
        if text.is_empty() {
            return None;
        }
        match &field.kind {
            FieldKind::Select { options } => options
                .iter()
                .find(|o| o.value == text || o.label == text)
                .map(|o| serde_json::Value::String(o.value.clone())),
            FieldKind::Number | FieldKind::Checkbox => None,
            _ => Some(serde_json::Value::String(text.to_owned())),
        }
    }

    /// Whether two reads are the same person (a re-inserted card).
    pub fn same_person(&self, other: &Citizen) -> bool {
        self.id_number.eq_ignore_ascii_case(&other.id_number)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use hall_api::form::{FieldRules, SelectOption};

    /// A made-up citizen whose ID number has a correct check digit.
    pub fn zhang_san() -> Citizen {
        Citizen {
            name: "张三丰".into(),
            sex: "男".into(),
            nation: "汉".into(),
            birth_date: "1949-12-31".into(),
            address: "浙江省杭州市临安区锦城街道衣锦街100号".into(),
            id_number: "11010519491231002X".into(),
            issuing_authority: "杭州市公安局临安分局".into(),
            valid_from: "2015-01-01".into(),
            valid_until: "长期".into(),
            card_type: CardType::Resident,
        }
    }

    fn field(kind: FieldKind, prefill: PrefillSource) -> FormField {
        FormField {
            key: "k".into(),
            label: "L".into(),
            label_en: None,
            kind,
            required: true,
            rules: FieldRules::default(),
            prefill: Some(prefill),
            hint: None,
        }
    }

    #[test]
    fn debug_is_masked() {
        let text = format!("{:?}", zhang_san());
        assert!(text.contains("1101**********002X"), "{text}");
        assert!(text.contains("张**"), "{text}");
        assert!(!text.contains("三丰") && !text.contains("19491231") && !text.contains("衣锦街"));
    }

    #[test]
    fn zeroize_blanks_every_field() {
        let mut c = zhang_san();
        c.zeroize();
        assert!(c.name.is_empty() && c.id_number.is_empty() && c.address.is_empty());
        assert!(c.birth_date.is_empty() && c.valid_until.is_empty() && c.sex.is_empty());
    }

    #[test]
    fn prefill_fits_the_field_kind() {
        let c = zhang_san();
        let text = field(FieldKind::Text, PrefillSource::Name);
        assert_eq!(c.prefill(&text), Some("张三丰".into()));
        let sex = field(
            FieldKind::Select {
                options: vec![
                    SelectOption {
                        value: "M".into(),
                        label: "男".into(),
                        label_en: None,
                    },
                    SelectOption {
                        value: "F".into(),
                        label: "女".into(),
                        label_en: None,
                    },
                ],
            },
            PrefillSource::Sex,
        );
        assert_eq!(c.prefill(&sex), Some("M".into()));
        let number = field(FieldKind::Number, PrefillSource::BirthDate);
        assert_eq!(c.prefill(&number), None);
        let mut no_nation = zhang_san();
        no_nation.nation.clear();
        assert_eq!(
            no_nation.prefill(&field(FieldKind::Text, PrefillSource::Nation)),
            None
        );
    }
}
