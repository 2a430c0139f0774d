//! Form fields, row by row: kind, options, rules that fit the kind, ID-card prefill.

use super::*;

const FIELD_KINDS: [&str; 8] = [
    "text", "number", "date", "phone", "idNumber", "select", "address", "checkbox",
];

const PREFILLS: [PrefillSource; 8] = [
    PrefillSource::Name,
    PrefillSource::Sex,
    PrefillSource::Nation,
    PrefillSource::BirthDate,
    PrefillSource::Address,
    PrefillSource::IdNumber,
    PrefillSource::IssuingAuthority,
    PrefillSource::ValidUntil,
];

fn options(r: &mut RowReader<'_, '_>, text: &str) -> Option<Vec<SelectOption>> {
    let mut out: Vec<SelectOption> = Vec::new();
    for part in text
        .split([';', '；', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((value, label)) = part.split_once('=') else {
            r.error("options", format!("option {part:?} is not value=label"));
            return None;
        };
        let (value, label) = (value.trim(), label.trim());
        if value.is_empty() || label.is_empty() {
            r.error(
                "options",
                format!("option {part:?} needs both a value and a label"),
            );
            return None;
        }
        if out.iter().any(|o| o.value == value) {
            r.error("options", format!("option value {value:?} appears twice"));
            return None;
        }
        out.push(SelectOption {
            value: value.into(),
            label: label.into(),
            label_en: None,
        });
    }
    if out.is_empty() {
        r.error(
            "options",
            "a select field needs options: value=label; value=label".into(),
        );
        return None;
    }
    Some(out)
}

/// The options' English labels, `value=English; value=English`, each value one of the
/// field's options; options left out have none. False (and reported) if a part is wrong.
fn english_options(r: &mut RowReader<'_, '_>, text: &str, options: &mut [SelectOption]) -> bool {
    for part in text
        .split([';', '；', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((value, english)) = part.split_once('=') else {
            r.error("options_en", format!("{part:?} is not value=English label"));
            return false;
        };
        let (value, english) = (value.trim(), english.trim());
        let Some(option) = options.iter_mut().find(|o| o.value == value) else {
            r.error(
                "options_en",
                format!("{value:?} is not a value of this field's options"),
            );
            return false;
        };
        let n = english.chars().count();
        if n == 0 || n > MAX_ENGLISH {
            r.error(
                "options_en",
                format!("the English label of {value:?} must be 1-{MAX_ENGLISH} characters"),
            );
            return false;
        }
        option.label_en = Some(english.to_owned());
    }
    true
}

fn field(r: &mut RowReader<'_, '_>) -> Option<FormField> {
    let key = r.text("key");
    let label = r.text("label");
    let kind_text = r.text("kind");
    let required = r.flag("required", Some(false));
    let options_text = r.opt_text("options");
    let min_len = r.small("min_len", 10_000, false);
    let max_len = r.small("max_len", 10_000, false);
    let min = r.number("min");
    let max = r.number("max");
    let integer = r.flag("integer", Some(false));
    let not_future = r.flag("not_future", Some(false));
    let not_past = r.flag("not_past", Some(false));
    let must_be_checked = r.flag("must_be_checked", Some(false));
    let prefill_text = r.opt_text("prefill");
    let hint = r.opt_text("hint");
    let label_en = super::sheets::english(r, "label_en");
    if let Some(k) = &key {
        let ok = k.len() <= 40
            && k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            r.error(
                "key",
                format!(
                    "{k:?} is not a field key: a letter, then letters, digits or '_' (at most 40)"
                ),
            );
        }
    }
    let kind_key = kind_text.as_deref().and_then(|k| {
        let found = FIELD_KINDS.iter().find(|x| **x == k).copied();
        if found.is_none() {
            r.error(
                "kind",
                format!(
                    "unknown field kind {k:?}: use one of {}",
                    FIELD_KINDS.join(", ")
                ),
            );
        }
        found
    });
    let kind = match (kind_key, &options_text) {
        (Some("select"), Some(text)) => {
            options(r, text).map(|options| FieldKind::Select { options })
        }
        (Some("select"), None) => {
            r.error(
                "options",
                "a select field needs options: value=label; value=label".into(),
            );
            None
        }
        (Some(_), Some(_)) => {
            r.error("options", "only a select field has options".into());
            None
        }
        (Some(k), None) => Some(match k {
            "text" => FieldKind::Text,
            "number" => FieldKind::Number,
            "date" => FieldKind::Date,
            "phone" => FieldKind::Phone,
            "idNumber" => FieldKind::IdNumber,
            "address" => FieldKind::Address,
            _ => FieldKind::Checkbox,
        }),
        (None, _) => None,
    };
    let kind = match (kind, r.opt_text("options_en")) {
        (Some(FieldKind::Select { mut options }), Some(text)) => {
            english_options(r, &text, &mut options).then_some(FieldKind::Select { options })
        }
        (Some(_), Some(_)) => {
            r.error("options_en", "only a select field has options".into());
            None
        }
        (kind, _) => kind,
    };
    let prefill = prefill_text.as_deref().and_then(|p| {
        let found = PREFILLS.into_iter().find(|x| prefill_key(*x) == p);
        if found.is_none() {
            let keys: Vec<&str> = PREFILLS.into_iter().map(prefill_key).collect();
            r.error(
                "prefill",
                format!(
                    "unknown ID-card source {p:?}: use one of {}",
                    keys.join(", ")
                ),
            );
        }
        found
    });
    if prefill_text.is_some() && prefill.is_none() {
        return None;
    }
    let (Ok(min_len), Ok(max_len), Ok(min), Ok(max)) = (min_len, max_len, min, max) else {
        return None;
    };
    let (Some(integer), Some(not_future), Some(not_past), Some(must_be_checked)) =
        (integer, not_future, not_past, must_be_checked)
    else {
        return None;
    };
    let kind = kind?;
    let k = field_kind_key(&kind);
    let mut fits = true;
    let mut misfit = |r: &mut RowReader<'_, '_>, key: &str, set: bool, allowed: &[&str]| {
        if set && !allowed.contains(&k) {
            r.error(
                key,
                format!(
                    "does not apply to a {k} field (only {})",
                    allowed.join(", ")
                ),
            );
            fits = false;
        }
    };
    misfit(r, "min_len", min_len.is_some(), &["text", "address"]);
    misfit(r, "max_len", max_len.is_some(), &["text", "address"]);
    misfit(r, "min", min.is_some(), &["number"]);
    misfit(r, "max", max.is_some(), &["number"]);
    misfit(r, "integer", integer, &["number"]);
    misfit(r, "not_future", not_future, &["date"]);
    misfit(r, "not_past", not_past, &["date"]);
    misfit(r, "must_be_checked", must_be_checked, &["checkbox"]);
    if let (Some(a), Some(b)) = (min_len, max_len) {
        if a > b {
            r.error(
                "min_len",
                format!("the minimum length {a} is above the maximum {b}"),
            );
            fits = false;
        }
    }
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            r.error("min", format!("the minimum {a} is above the maximum {b}"));
            fits = false;
        }
    }
    if not_future && not_past {
        r.error(
            "not_past",
            "a date cannot be both not after and not before today".into(),
        );
        fits = false;
    }
    if !fits {
        return None;
    }
    Some(FormField {
        key: key?,
        label: label?,
        label_en,
        kind,
        required: required?,
        rules: FieldRules {
            min_len,
            max_len,
            min,
            max,
            integer,
            not_future,
            not_past,
            must_be_checked,
        },
        prefill,
        hint,
    })
}

pub(super) fn fields(
    t: &Table<'_>,
    items: &mut [(u32, ServiceItem)],
    all_item_rows: &HashSet<String>,
    errors: &mut Errors,
) {
    let codes: HashSet<String> = items.iter().map(|(_, i)| i.code.clone()).collect();
    for row in t.rows {
        let mut r = RowReader {
            table: t,
            row,
            errors,
        };
        let item = owner(&mut r, &codes, all_item_rows);
        let Some(f) = field(&mut r) else { continue };
        let Some(target) = item
            .as_ref()
            .and_then(|c| items.iter_mut().find(|(_, i)| &i.code == c))
        else {
            continue;
        };
        if target.1.form.fields.iter().any(|x| x.key == f.key) {
            r.error(
                "key",
                format!("item {} has field {:?} twice", target.1.code, f.key),
            );
            continue;
        }
        target.1.form.fields.push(f);
    }
}
