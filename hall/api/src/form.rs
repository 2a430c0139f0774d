//! Form schemas (typed fields with validation rules and ID-card prefill sources) and the one
//! pure validation function that both the kiosk (field by field, as the citizen types) and the
//! hall (the whole form, on intake) apply, so the two can never disagree.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use vocab::id_number;

/// The values a citizen entered, by field key. Values are plain JSON so that a wrong type
/// (a number where text belongs) is reported as a field error, not as a parse failure.
pub type FormValues = BTreeMap<String, Value>;

/// A form: the ordered fields of one service item (or the merged fields of a bundle).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FormSchema {
    /// Fields in the order the kiosk shows them.
    pub fields: Vec<FormField>,
}

/// One typed field of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FormField {
    /// Stable key (`applicantName`), the key in [`FormValues`].
    pub key: String,
    /// Label shown to the citizen (Chinese).
    pub label: String,
    /// English label for the kiosk's English mode (`None`: the Chinese label is shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// The field's type, with its options for a select.
    pub kind: FieldKind,
    /// Whether a value must be given.
    #[serde(default)]
    pub required: bool,
    /// Validation rules beyond the type's own.
    #[serde(default)]
    pub rules: FieldRules,
    /// Where the kiosk takes the value from the ID card, so the citizen types less.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<PrefillSource>,
    /// A short hint under the field (Chinese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum FieldKind {
    /// Free text (a JSON string).
    Text,
    /// A number (a JSON number).
    Number,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A mainland mobile (`13812345678`) or landline (`0571-87654321`) number.
    Phone,
    /// A resident ID number (GB 11643, 18 characters with its check digit).
    IdNumber,
    /// One value out of a list.
    Select {
        /// The allowed values with their labels.
        options: Vec<SelectOption>,
    },
    /// A postal address as one line of text.
    Address,
    /// A yes/no box (a JSON boolean); with `mustBeChecked` a consent or declaration.
    Checkbox,
}

impl FieldKind {
    /// The type without a select's options: what the kiosk picks its control and keyboard by.
    pub fn field_type(&self) -> vocab::form::FieldType {
        use vocab::form::FieldType;
        match self {
            FieldKind::Text => FieldType::Text,
            FieldKind::Number => FieldType::Number,
            FieldKind::Date => FieldType::Date,
            FieldKind::Phone => FieldType::Phone,
            FieldKind::IdNumber => FieldType::IdNumber,
            FieldKind::Select { .. } => FieldType::Select,
            FieldKind::Address => FieldType::Address,
            FieldKind::Checkbox => FieldType::Checkbox,
        }
    }
}

/// One option of a select field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SelectOption {
    /// The value stored.
    pub value: String,
    /// The label shown (Chinese).
    pub label: String,
    /// English label for the kiosk's English mode (`None`: the Chinese label is shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
}

/// Validation rules; each applies only to the field types it makes sense for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FieldRules {
    /// Minimum length in characters (text, address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_len: Option<u32>,
    /// Maximum length in characters (text, address). Text without it is capped at 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
    /// Smallest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The number must be whole.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
    /// The date must not be after today (births, events that happened).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_future: bool,
    /// The date must not be before today (appointments, planned events).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_past: bool,
    /// The box must be ticked (declarations, consent).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub must_be_checked: bool,
}

/// What on the resident ID card a field is filled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum PrefillSource {
    /// 姓名.
    Name,
    /// 性别.
    Sex,
    /// 民族.
    Nation,
    /// 出生日期.
    BirthDate,
    /// 住址.
    Address,
    /// 公民身份号码.
    IdNumber,
    /// 签发机关.
    IssuingAuthority,
    /// 有效期限 (end).
    ValidUntil,
}

/// Why a field's value was refused: a stable code for programs and a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The field key (or a dotted path such as `delivery.address.phone`).
    pub field: String,
    /// What is wrong.
    pub code: FieldErrorCode,
    /// Chinese text for the citizen, naming the field.
    pub message: String,
}

/// The machine-readable reason of a [`FieldError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum FieldErrorCode {
    /// A required field is missing or empty.
    Required,
    /// The JSON type does not fit the field (a number for text, text for a box).
    WrongType,
    /// Shorter than `minLen`.
    TooShort,
    /// Longer than `maxLen`.
    TooLong,
    /// Outside `min`..`max`, or not whole where `integer` is set.
    OutOfRange,
    /// Not a valid `YYYY-MM-DD` date.
    InvalidDate,
    /// A date after today where `notFuture` is set.
    DateInFuture,
    /// A date before today where `notPast` is set.
    DateInPast,
    /// Not a mainland phone number.
    InvalidPhone,
    /// Not a valid resident ID number (format, birth date or check digit).
    InvalidIdNumber,
    /// A select value that is not among the options.
    UnknownOption,
    /// A declaration that must be ticked is not.
    MustBeChecked,
    /// The form has no field with this key.
    UnknownField,
    /// Control characters in text.
    InvalidCharacters,
}

/// Longest text accepted where a field sets no `maxLen`: keeps hostile input bounded.
pub const DEFAULT_MAX_TEXT_CHARS: u32 = 200;

fn error(field: &FormField, code: FieldErrorCode, detail: &str) -> FieldError {
    FieldError {
        field: field.key.clone(),
        code,
        message: format!("{}：{}", field.label, detail),
    }
}

fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// Checks one field's value against its type and rules; `today` is the local calendar date
/// (passed in so this stays pure and testable). `None` and JSON `null` mean "not given".
pub fn validate_field(
    field: &FormField,
    value: Option<&Value>,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if is_blank(value) {
        if field.required {
            return Err(error(field, FieldErrorCode::Required, "必填，请填写"));
        }
        return Ok(());
    }
    let Some(value) = value else { return Ok(()) };
    match &field.kind {
        FieldKind::Text | FieldKind::Address => {
            let text = as_text(field, value)?;
            check_length(field, text)
        }
        FieldKind::Number => {
            let Some(n) = value.as_f64() else {
                return Err(error(field, FieldErrorCode::WrongType, "请填写数字"));
            };
            let r = &field.rules;
            let out = r.min.is_some_and(|min| n < min)
                || r.max.is_some_and(|max| n > max)
                || (r.integer && n.fract() != 0.0);
            if out {
                return Err(error(field, FieldErrorCode::OutOfRange, &range_text(r)));
            }
            Ok(())
        }
        FieldKind::Date => {
            let text = as_text(field, value)?;
            let Some(date) = parse_date(text) else {
                return Err(error(
                    field,
                    FieldErrorCode::InvalidDate,
                    "日期格式应为 年-月-日，如 2024-05-01",
                ));
            };
            if field.rules.not_future && date > today {
                return Err(error(field, FieldErrorCode::DateInFuture, "不能晚于今天"));
            }
            if field.rules.not_past && date < today {
                return Err(error(field, FieldErrorCode::DateInPast, "不能早于今天"));
            }
            Ok(())
        }
        FieldKind::Phone => {
            let text = as_text(field, value)?;
            if is_phone(text) {
                Ok(())
            } else {
                Err(error(
                    field,
                    FieldErrorCode::InvalidPhone,
                    "请填写11位手机号或带区号的固定电话",
                ))
            }
        }
        FieldKind::IdNumber => {
            let text = as_text(field, value)?;
            if id_number::is_valid(text) {
                Ok(())
            } else {
                Err(error(
                    field,
                    FieldErrorCode::InvalidIdNumber,
                    "公民身份号码有误，请核对",
                ))
            }
        }
        FieldKind::Select { options } => {
            let text = as_text(field, value)?;
            if options.iter().any(|o| o.value == text) {
                Ok(())
            } else {
                Err(error(
                    field,
                    FieldErrorCode::UnknownOption,
                    "请从选项中选择",
                ))
            }
        }
        FieldKind::Checkbox => {
            let Some(checked) = value.as_bool() else {
                return Err(error(field, FieldErrorCode::WrongType, "请勾选或取消勾选"));
            };
            if field.rules.must_be_checked && !checked {
                return Err(error(field, FieldErrorCode::MustBeChecked, "请阅读并勾选"));
            }
            Ok(())
        }
    }
}

/// Checks a whole form: every field, plus keys the schema does not know. Returns every
/// error at once, in schema order, so the citizen sees all problems on one screen.
pub fn validate_form(
    schema: &FormSchema,
    values: &FormValues,
    today: NaiveDate,
) -> Result<(), Vec<FieldError>> {
    let mut errors: Vec<FieldError> = schema
        .fields
        .iter()
        .filter_map(|f| validate_field(f, values.get(&f.key), today).err())
        .collect();
    for key in values.keys() {
        if !schema.fields.iter().any(|f| &f.key == key) {
            errors.push(FieldError {
                field: key.chars().take(64).collect(),
                code: FieldErrorCode::UnknownField,
                message: "表单中没有此项".to_owned(),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn as_text<'a>(field: &FormField, value: &'a Value) -> Result<&'a str, FieldError> {
    let Some(text) = value.as_str() else {
        return Err(error(field, FieldErrorCode::WrongType, "请填写文字"));
    };
    if text.chars().any(|c| c.is_control()) {
        return Err(error(
            field,
            FieldErrorCode::InvalidCharacters,
            "含有不允许的字符",
        ));
    }
    Ok(text)
}

fn check_length(field: &FormField, text: &str) -> Result<(), FieldError> {
    let len = u32::try_from(text.trim().chars().count()).unwrap_or(u32::MAX);
    if let Some(min) = field.rules.min_len {
        if len < min {
            return Err(error(
                field,
                FieldErrorCode::TooShort,
                &format!("至少{min}个字"),
            ));
        }
    }
    let max = field.rules.max_len.unwrap_or(DEFAULT_MAX_TEXT_CHARS);
    if len > max {
        return Err(error(
            field,
            FieldErrorCode::TooLong,
            &format!("最多{max}个字"),
        ));
    }
    Ok(())
}

fn range_text(rules: &FieldRules) -> String {
    let whole = if rules.integer { "整数" } else { "数值" };
    match (rules.min, rules.max) {
        (Some(min), Some(max)) => format!("应为{min}至{max}之间的{whole}"),
        (Some(min), None) => format!("应为不小于{min}的{whole}"),
        (None, Some(max)) => format!("应为不大于{max}的{whole}"),
        (None, None) => format!("应为{whole}"),
    }
}

/// Parses a strict `YYYY-MM-DD` date (no time, no other separators).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Whether `text` is a mainland mobile number (`1[3-9]` + 9 digits) or a landline with its
/// area code (`0` + 2–3 digits, optional `-`, 7–8 digits).
pub fn is_phone(text: &str) -> bool {
    let b = text.as_bytes();
    let all_digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && all_digits(b) {
        return true;
    }
    if b.first() != Some(&b'0') {
        return false;
    }
    match text.split_once('-') {
        Some((area, number)) => {
            (3..=4).contains(&area.len())
                && all_digits(area.as_bytes())
                && (7..=8).contains(&number.len())
                && all_digits(number.as_bytes())
        }
        // Without a dash: area code (3–4 digits with its 0) plus 7–8 digits.
        None => (10..=12).contains(&b.len()) && all_digits(b),
    }
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
