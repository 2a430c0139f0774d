//! Field checks for the preview form: the messages a citizen sees under a field. The catalog's
//! schema and the session machine will own validation; these are the generic checks by type.

use crate::vm::{Field, FieldKind};

/// Whether a typed ID number is valid (the shared rule: `vocab::id_number`).
pub fn id_number_ok(id: &str) -> bool {
    vocab::id_number::is_valid(id)
}

pub fn check(field: &Field) -> String {
    let v = field.value.trim();
    if v.is_empty() {
        return if field.required && field.kind != FieldKind::Checkbox {
            "此项必填".to_owned()
        } else {
            String::new()
        };
    }
    if field.prefilled {
        return String::new();
    }
    match field.kind {
        FieldKind::Phone if !is_mobile(v) => {
            format!(
                "手机号码应为以 1 开头的 11 位数字，现在是 {} 位",
                v.chars().count()
            )
        }
        FieldKind::IdNumber if !id_number_ok(v) => "身份证号码不正确，请核对最后一位".to_owned(),
        FieldKind::Number if !v.bytes().all(|b| b.is_ascii_digit()) => "请只输入数字".to_owned(),
        FieldKind::Date if !date_ok(v) => "日期格式应为 年-月-日，例如 2026-12-31".to_owned(),
        FieldKind::Select if !field.options.iter().any(|o| o == v) => "请从选项中选择".to_owned(),
        _ => String::new(),
    }
}

/// A mainland mobile number: 11 digits starting with 1.
pub fn is_mobile(v: &str) -> bool {
    v.len() == 11 && v.starts_with('1') && v.bytes().all(|b| b.is_ascii_digit())
}

fn date_ok(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let num = |s: &str, len: usize| (s.len() == len).then(|| s.parse::<u32>().ok()).flatten();
    matches!(
        (num(y, 4), num(m, 2), num(d, 2)),
        (Some(1900..=2200), Some(1..=12), Some(1..=31))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: FieldKind, value: &str) -> Field {
        Field {
            id: "f".into(),
            label: "f".into(),
            kind,
            value: value.into(),
            placeholder: String::new(),
            required: true,
            prefilled: false,
            error: String::new(),
            options: vec!["甲".into()],
            checked: false,
            suggestion: String::new(),
            suggested: false,
        }
    }

    #[test]
    fn id_check_digit() {
        // A synthetic number with a correct check digit, and the same with a wrong one.
        assert!(id_number_ok("11010519491231002X"));
        // Lower case is refused: the keyboard types the check character as `X`.
        assert!(!id_number_ok("11010519491231002x"));
        assert!(!id_number_ok("110105194912310021"));
        assert!(!id_number_ok("1101051949123100"));
        assert!(!id_number_ok("11010519491231002Ⅹ"));
    }

    #[test]
    fn messages_by_kind() {
        assert_eq!(check(&field(FieldKind::Text, "")), "此项必填");
        assert!(check(&field(FieldKind::Phone, "1381234")).contains("7 位"));
        assert_eq!(check(&field(FieldKind::Phone, "13812345678")), "");
        assert_ne!(check(&field(FieldKind::Date, "2026-13-01")), "");
        assert_eq!(check(&field(FieldKind::Date, "2026-12-31")), "");
        assert_ne!(check(&field(FieldKind::Select, "乙")), "");
        assert_eq!(check(&field(FieldKind::Select, "甲")), "");
        assert_ne!(check(&field(FieldKind::IdNumber, "110105194912310021")), "");
        let mut masked = field(FieldKind::IdNumber, "3301**********1234");
        masked.prefilled = true;
        assert_eq!(check(&masked), "");
    }
}
