//! The form (prefilled from the card, validated field by field with the hall's own
//! `validate_field`), the materials (reused ones marked) and the 免费邮寄 choice with its
//! address.

use hall_api::application::{MaterialSource, ReusableMaterials, ReusableMaterialsQuery};
use hall_api::form::{
    is_phone, validate_field, validate_form, FieldError, FieldErrorCode, FieldKind,
};
use serde_json::Value;

use super::effect::Effect;
use super::event::{TextField, UiInput};
use super::personal::PersonalText;
use super::screens::Screen;
use super::state::{RequestId, Session};
use super::transaction::{AddressDraft, ReuseLookup, Transaction};

/// Longest text kept from one input; the validation then reports anything over the field's
/// own limit, and hostile input cannot grow the state.
pub(crate) const MAX_INPUT_CHARS: usize = 1_000;

/// Text from an input, bounded.
pub(crate) fn bounded(value: &str, max_chars: usize) -> PersonalText {
    PersonalText::new(value.chars().take(max_chars).collect::<String>())
}

/// Enters the form: prefills from the card and asks which materials the hall holds.
pub(crate) fn enter(s: &mut Session, fx: &mut Vec<Effect>) {
    let request = s.next_request();
    let contact_request = s.next_request();
    let (Some(citizen), Some(t)) = (&s.citizen, &mut s.transaction) else {
        return;
    };
    t.prefill_from(citizen);
    t.count_id_card();
    if t.reuse == ReuseLookup::NotAsked {
        t.reuse = ReuseLookup::Pending(request);
        fx.push(Effect::FetchReusableMaterials {
            request,
            query: ReusableMaterialsQuery {
                id_number: citizen.id_number.clone(),
            },
        });
    }
    // A phone number given before, for one touch instead of eleven key presses.
    let phone_empty = t
        .phone_field()
        .is_some_and(|key| t.values.value(key).is_none_or(|v| v.as_str() == Some("")));
    if t.contact == ReuseLookup::NotAsked && phone_empty {
        t.contact = ReuseLookup::Pending(contact_request);
        fx.push(Effect::FetchKnownContact {
            request: contact_request,
            query: hall_api::contact::ContactQuery {
                id_number: citizen.id_number.clone(),
            },
        });
    }
    s.screen = Screen::Form;
}

/// The hall's answer about a phone number given before.
pub(crate) fn contact_fetched(
    s: &mut Session,
    request: RequestId,
    result: Option<hall_api::contact::KnownContact>,
) {
    let Some(t) = &mut s.transaction else { return };
    if t.contact != ReuseLookup::Pending(request) {
        return;
    }
    t.known_phone = result.and_then(|c| c.phone);
    t.contact = ReuseLookup::Done;
}

/// The hall's answer about reusable materials.
pub(crate) fn reusable_fetched(
    s: &mut Session,
    request: RequestId,
    result: Option<ReusableMaterials>,
) {
    let now = s.now.utc;
    let Some(t) = &mut s.transaction else { return };
    if t.reuse != ReuseLookup::Pending(request) {
        return;
    }
    match result {
        Some(found) => t.apply_reusable(&found.materials, now),
        None => t.reuse = ReuseLookup::Unavailable,
    }
}

/// Text as typed on the screen's keyboard, as the field wants it: a number for a number field
/// (when it reads as one; otherwise it stays text and the form says what is wrong), an ID
/// number without spaces and with an upper-case check character.
fn typed(kind: &FieldKind, text: String) -> Value {
    match kind {
        FieldKind::Number => match serde_json::from_str::<serde_json::Number>(text.trim()) {
            Ok(n) => Value::Number(n),
            Err(_) => Value::String(text),
        },
        FieldKind::IdNumber => Value::String(vocab::id_number::normalise(&text)),
        _ => Value::String(text),
    }
}

/// Touches on the form, materials and delivery screens.
pub(crate) fn input(s: &mut Session, input: UiInput, fx: &mut Vec<Effect>) {
    if s.screen == Screen::Materials && super::capture::input(s, &input, fx) {
        return;
    }
    let today = s.now.today;
    let camera = s.devices.camera;
    let screen = s.screen.clone();
    let Some(t) = &mut s.transaction else { return };
    match (screen, input) {
        (Screen::Form, UiInput::SetField { key, value }) => {
            let Some(field) = t.form.fields.iter().find(|f| f.key == key) else {
                return;
            };
            let value = match value.take() {
                Value::String(text) => {
                    typed(&field.kind, text.chars().take(MAX_INPUT_CHARS).collect())
                }
                Value::Array(_) | Value::Object(_) => Value::Null,
                other => other,
            };
            let result = validate_field(field, Some(&value), today);
            if t.values.value(&key) != Some(&value) {
                t.prefilled.remove(&key);
            }
            // Typing a number is choosing it over the one given before.
            if t.phone_field() == Some(key.as_str()) {
                t.use_known_phone = false;
            }
            t.values.set(&key, value);
            match result {
                Ok(()) => t.errors.remove(&key),
                Err(e) => t.errors.insert(key, e),
            };
        }
        (Screen::Form, UiInput::UseKnownPhone) if t.known_phone.is_some() => {
            t.use_known_phone = !t.use_known_phone;
            if let Some(key) = t.phone_field().map(str::to_owned) {
                t.values.set(&key, Value::Null);
                t.errors.remove(&key);
            }
        }
        // While the number given before stands in, the phone field holds no value (cleared
        // when chosen, and typing one gives the choice up) and is not asked for.
        (Screen::Form, UiInput::Next) => {
            // The declarations are made on the review (a tick given already stands).
            let mut values = t.values.get().clone();
            values.retain(|key, _| !t.declarations().contains(&key.as_str()));
            match validate_form(&t.form_to_fill(), &values, today) {
                Ok(()) => {
                    t.errors.clear();
                    // Nothing to decide about the materials: straight to the review, which
                    // says what is owed and where.
                    s.screen = if materials_to_decide(t, camera) {
                        Screen::Materials
                    } else {
                        Screen::Review
                    };
                }
                Err(errors) => {
                    t.errors = errors.into_iter().map(|e| (e.field.clone(), e)).collect();
                }
            }
        }
        (Screen::Form, UiInput::Back) => s.screen = Screen::Guide,
        (Screen::Materials, UiInput::SetMaterialSource { code, source }) => {
            if let Some(line) = t
                .materials
                .iter_mut()
                .find(|l| l.material.code == code && l.source != MaterialSource::IdCardRead)
            {
                match source {
                    MaterialSource::Reused if line.held => {
                        line.source = source;
                        line.scan = None;
                    }
                    MaterialSource::Later => {
                        line.source = source;
                        line.scan = None;
                    }
                    // Photographing is the camera's (`capture`); the card is the reader's.
                    _ => {}
                }
            }
        }
        // Collecting at the window is assumed; the review offers to change it.
        (Screen::Materials, UiInput::Next) => s.screen = Screen::Review,
        (Screen::Materials, UiInput::Back) => s.screen = Screen::Form,
        (Screen::Delivery, UiInput::ChooseMail(mail)) => {
            t.mail = mail && t.mail_allowed;
            t.address_errors.clear();
        }
        (Screen::Delivery, UiInput::SetText { field, value }) => {
            let a = &mut t.address;
            let (target, key) = match field {
                TextField::Recipient => (&mut a.recipient, "recipient"),
                TextField::RecipientPhone => (&mut a.phone, "phone"),
                TextField::Region => (&mut a.region, "region"),
                TextField::AddressDetail => (&mut a.detail, "detail"),
                _ => return,
            };
            *target = bounded(&value, MAX_INPUT_CHARS);
            // Typed again: its old error goes (下一步 checks the address anew).
            t.address_errors
                .retain(|e| e.field.rsplit('.').next() != Some(key));
        }
        (Screen::Delivery, UiInput::Next) => {
            t.address_errors = if t.mail {
                address_errors(&t.address)
            } else {
                Vec::new()
            };
            if t.address_errors.is_empty() {
                s.screen = Screen::Review;
            }
        }
        // The delivery page is reached from the review: back there, as it was.
        (Screen::Delivery, UiInput::Back) => {
            if t.mail {
                t.address_errors = address_errors(&t.address);
            }
            if t.address_errors.is_empty() {
                s.screen = Screen::Review;
            } else {
                // An address half typed is not assumed: back to the window, as before.
                t.mail = false;
                t.address_errors.clear();
                s.screen = Screen::Review;
            }
        }
        _ => {}
    }
}

/// Whether the materials page has anything to decide: a material that could be photographed
/// here now. Everything else is settled without the citizen — read from the card, held by
/// the hall (reused), or handed in later at the window — and the review lists it.
pub fn materials_to_decide(t: &Transaction, camera: bool) -> bool {
    camera
        && t.materials.iter().any(|l| {
            l.material.photographable
                && !matches!(
                    l.source,
                    MaterialSource::IdCardRead | MaterialSource::Reused
                )
        })
}

/// Checks a mailing address; field paths as the hall names them (`delivery.address.*`).
pub fn address_errors(a: &AddressDraft) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut text = |value: &PersonalText, key: &str, label: &str, max: usize| {
        let field = format!("delivery.address.{key}");
        match value.trimmed() {
            None => errors.push(FieldError {
                field,
                code: FieldErrorCode::Required,
                message: format!("{label}：必填，请填写"),
            }),
            Some(v) if v.chars().any(char::is_control) => errors.push(FieldError {
                field,
                code: FieldErrorCode::InvalidCharacters,
                message: format!("{label}：含有不允许的字符"),
            }),
            Some(v) if v.chars().count() > max => errors.push(FieldError {
                field,
                code: FieldErrorCode::TooLong,
                message: format!("{label}：最多{max}个字"),
            }),
            Some(_) => {}
        }
    };
    text(&a.recipient, "recipient", "收件人", 30);
    text(&a.region, "region", "省市区县", 60);
    text(&a.detail, "detail", "详细地址", 120);
    if !is_phone(a.phone.trim()) {
        errors.push(FieldError {
            field: "delivery.address.phone".into(),
            code: FieldErrorCode::InvalidPhone,
            message: "联系电话：请填写11位手机号或带区号的固定电话".into(),
        });
    }
    errors
}

#[cfg(test)]
mod typed_tests {
    use super::*;

    #[test]
    fn a_number_field_gets_a_number_an_id_number_is_normalised_and_others_keep_text() {
        let text = |t: &str| Value::String(t.into());
        assert_eq!(
            typed(&FieldKind::Number, "12".into()),
            serde_json::json!(12)
        );
        assert_eq!(
            typed(&FieldKind::Number, " 12 ".into()),
            serde_json::json!(12)
        );
        assert_eq!(typed(&FieldKind::Number, "十二".into()), text("十二"));
        assert_eq!(typed(&FieldKind::Phone, "0571".into()), text("0571"));
        assert_eq!(
            typed(&FieldKind::IdNumber, "110105 19491231002x".into()),
            text("11010519491231002X")
        );
    }
}
