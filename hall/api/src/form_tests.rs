//! Tests of the form validation rules.

use serde_json::json;

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 6).unwrap()
}

fn field(key: &str, kind: FieldKind, required: bool, rules: FieldRules) -> FormField {
    FormField {
        key: key.into(),
        label: "测试项".into(),
        label_en: None,
        kind,
        required,
        rules,
        prefill: None,
        hint: None,
    }
}

fn code(f: &FormField, v: serde_json::Value) -> Option<FieldErrorCode> {
    validate_field(f, Some(&v), today()).err().map(|e| e.code)
}

#[test]
fn required_fields_refuse_missing_null_and_blank_values() {
    let f = field("name", FieldKind::Text, true, FieldRules::default());
    let missing = validate_field(&f, None, today()).unwrap_err();
    assert_eq!(missing.code, FieldErrorCode::Required);
    assert!(missing.message.contains("测试项"));
    assert_eq!(code(&f, json!(null)), Some(FieldErrorCode::Required));
    assert_eq!(code(&f, json!("   ")), Some(FieldErrorCode::Required));
    let optional = field("note", FieldKind::Text, false, FieldRules::default());
    assert!(validate_field(&optional, None, today()).is_ok());
}

#[test]
fn text_checks_type_length_in_characters_and_control_characters() {
    let rules = FieldRules {
        min_len: Some(2),
        max_len: Some(4),
        ..FieldRules::default()
    };
    let f = field("name", FieldKind::Text, true, rules);
    assert_eq!(code(&f, json!("欧阳娜娜")), None, "4 CJK characters fit");
    assert_eq!(code(&f, json!("张")), Some(FieldErrorCode::TooShort));
    assert_eq!(code(&f, json!("欧阳娜娜娜")), Some(FieldErrorCode::TooLong));
    assert_eq!(code(&f, json!(12)), Some(FieldErrorCode::WrongType));
    assert_eq!(
        code(&f, json!("张\u{0}三")),
        Some(FieldErrorCode::InvalidCharacters)
    );
    let unbounded = field("x", FieldKind::Address, true, FieldRules::default());
    let long = "路".repeat(DEFAULT_MAX_TEXT_CHARS as usize + 1);
    assert_eq!(code(&unbounded, json!(long)), Some(FieldErrorCode::TooLong));
}

#[test]
fn numbers_check_range_and_wholeness() {
    let rules = FieldRules {
        min: Some(1.0),
        max: Some(10.0),
        integer: true,
        ..FieldRules::default()
    };
    let f = field("n", FieldKind::Number, true, rules);
    assert_eq!(code(&f, json!(3)), None);
    assert_eq!(code(&f, json!(0)), Some(FieldErrorCode::OutOfRange));
    assert_eq!(code(&f, json!(11)), Some(FieldErrorCode::OutOfRange));
    assert_eq!(code(&f, json!(2.5)), Some(FieldErrorCode::OutOfRange));
    assert_eq!(code(&f, json!("3")), Some(FieldErrorCode::WrongType));
}

#[test]
fn dates_are_strict_and_respect_past_and_future_rules() {
    let past = FieldRules {
        not_future: true,
        ..FieldRules::default()
    };
    let f = field("birth", FieldKind::Date, true, past);
    assert_eq!(code(&f, json!("2024-05-06")), None);
    assert_eq!(
        code(&f, json!("2024-05-07")),
        Some(FieldErrorCode::DateInFuture)
    );
    assert_eq!(
        code(&f, json!("2024-02-30")),
        Some(FieldErrorCode::InvalidDate)
    );
    assert_eq!(
        code(&f, json!("2024-5-6")),
        Some(FieldErrorCode::InvalidDate)
    );
    assert_eq!(
        code(&f, json!("2024/05/06")),
        Some(FieldErrorCode::InvalidDate)
    );
    let future = FieldRules {
        not_past: true,
        ..FieldRules::default()
    };
    let g = field("visit", FieldKind::Date, true, future);
    assert_eq!(
        code(&g, json!("2024-05-05")),
        Some(FieldErrorCode::DateInPast)
    );
}

#[test]
fn phones_accept_mobiles_and_landlines_only() {
    for ok in [
        "13812345678",
        "19900001111",
        "0571-87654321",
        "010-1234567",
        "057187654321",
    ] {
        assert!(is_phone(ok), "{ok}");
    }
    for bad in [
        "12812345678",
        "1381234567",
        "138123456789",
        "0571-123",
        "abc",
        "",
        "571-87654321",
    ] {
        assert!(!is_phone(bad), "{bad}");
    }
}

#[test]
fn id_numbers_selects_and_checkboxes() {
    let id = field("id", FieldKind::IdNumber, true, FieldRules::default());
    assert_eq!(code(&id, json!("11010519491231002X")), None);
    assert_eq!(
        code(&id, json!("110105194912310021")),
        Some(FieldErrorCode::InvalidIdNumber)
    );
    let select = FieldKind::Select {
        options: vec![SelectOption {
            value: "male".into(),
            label: "男".into(),
            label_en: None,
        }],
    };
    let s = field("sex", select, true, FieldRules::default());
    assert_eq!(code(&s, json!("male")), None);
    assert_eq!(
        code(&s, json!("other")),
        Some(FieldErrorCode::UnknownOption)
    );
    let consent = FieldRules {
        must_be_checked: true,
        ..FieldRules::default()
    };
    let c = field("consent", FieldKind::Checkbox, true, consent);
    assert_eq!(code(&c, json!(true)), None);
    assert_eq!(code(&c, json!(false)), Some(FieldErrorCode::MustBeChecked));
    assert_eq!(code(&c, json!("yes")), Some(FieldErrorCode::WrongType));
}

#[test]
fn a_form_reports_every_error_and_unknown_keys() {
    let schema = FormSchema {
        fields: vec![
            field("name", FieldKind::Text, true, FieldRules::default()),
            field("phone", FieldKind::Phone, true, FieldRules::default()),
        ],
    };
    let mut values = FormValues::new();
    values.insert("phone".into(), json!("123"));
    values.insert("extra".into(), json!("x"));
    let errors = validate_form(&schema, &values, today()).unwrap_err();
    let got: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        got,
        vec![
            ("name", FieldErrorCode::Required),
            ("phone", FieldErrorCode::InvalidPhone),
            ("extra", FieldErrorCode::UnknownField),
        ]
    );
    values.remove("extra");
    values.insert("name".into(), json!("张三"));
    values.insert("phone".into(), json!("13812345678"));
    assert!(validate_form(&schema, &values, today()).is_ok());
}
