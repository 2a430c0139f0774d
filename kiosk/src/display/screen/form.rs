//! The form (`form.slint`): the item's fields, prefilled from the card and validated by the
//! session; a field tapped opens the keyboard for its kind; a select's option and a checkbox go to
//! the session at once; next and back walk the form's pages before they leave the form.

use std::rc::Rc;

use hall_api::form::FieldKind as SchemaKind;
use kiosk_ui::generated as ui;
use kiosk_ui::screen::form::{keyboard_for, Field, FormVm};
use kiosk_ui::screen::keyboard::KeyboardVm;
use slint::{ComponentHandle, SharedString};
use vocab::mask::mask_id_number;

use crate::display::frontend::{rows_for, Frontend, Local, Target};

/// Fields per page of the form: one more than a list's rows outside elder mode (a form's
/// fields are shorter than list rows; the two the card fills take one line each).
pub fn rows(s: &Session) -> usize {
    if s.elder_mode {
        rows_for(s)
    } else {
        rows_for(s) + 1
    }
}
use crate::display::map::{content, label, page_of};
use crate::session::personal::FieldValue;
use crate::session::{Session, UiInput};

pub fn value_text(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The form: one page of fields with their values, marks and errors. `editing` is the key
/// being typed into (its value is shown in full; a prefilled ID number is masked otherwise).
pub fn view(s: &Session, page: usize, rows: usize, editing: Option<&str>) -> FormVm {
    let Some(t) = s.transaction.as_ref() else {
        return FormVm::default();
    };
    let values = t.values.get();
    let declarations = t.declarations();
    let all: Vec<Field> = t
        .form
        .fields
        .iter()
        // Declarations (承诺) are made by 确认提交 on the review, which says them.
        .filter(|f| !declarations.contains(&f.key.as_str()))
        .map(|f| {
            let raw = value_text(values.get(&f.key));
            let prefilled = t.prefilled.contains(&f.key);
            let value = if prefilled
                && matches!(f.kind, SchemaKind::IdNumber)
                && editing != Some(f.key.as_str())
            {
                mask_id_number(&raw)
            } else {
                raw
            };
            let (options, selected_label) = match &f.kind {
                SchemaKind::Select { options } => (
                    options
                        .iter()
                        .map(|o| label(s, &o.label, o.label_en.as_deref()))
                        .collect(),
                    options
                        .iter()
                        .find(|o| {
                            Some(&serde_json::Value::String(o.value.clone())) == values.get(&f.key)
                        })
                        .map(|o| label(s, &o.label, o.label_en.as_deref())),
                ),
                _ => (Vec::new(), None),
            };
            Field {
                id: f.key.clone(),
                label: label(s, &f.label, f.label_en.as_deref()),
                kind: f.kind.field_type(),
                value: selected_label.unwrap_or(value),
                placeholder: f.hint.clone().unwrap_or_default(),
                required: f.required,
                prefilled,
                error: t
                    .errors
                    .get(&f.key)
                    .map(|e| e.message.clone())
                    .unwrap_or_default(),
                options,
                checked: values.get(&f.key) == Some(&serde_json::Value::Bool(true)),
                suggestion: String::new(),
                suggested: false,
            }
        })
        .map(|mut field| {
            // The phone number given before: offered masked, for one touch.
            if let Some(known) = t
                .known_phone
                .as_ref()
                .filter(|_| t.phone_field() == Some(field.id.as_str()))
            {
                field.suggestion = if s.is_chinese() {
                    format!("用 {}", known.masked)
                } else {
                    format!("Use {}", known.masked)
                };
                field.suggested = t.use_known_phone;
                if t.use_known_phone {
                    field.value = known.masked.clone();
                }
            }
            field
        })
        .collect();
    let (fields, page, pages) = page_of(&all, page, rows);
    let active = editing.and_then(|key| fields.iter().position(|f| f.id == key));
    FormVm {
        item_name: content(s, &t.title, t.title_en.as_deref()),
        fields,
        active,
        page,
        pages,
    }
}

/// The field at `index` of the page shown.
fn field_at(f: &Frontend, index: i32) -> Option<Field> {
    let local = f.local.borrow();
    let s = f.current.borrow();
    let form = view(&s, local.form_page, rows(&s), None);
    usize::try_from(index)
        .ok()
        .and_then(|i| form.fields.get(i).cloned())
}

fn pages(f: &Frontend) -> usize {
    let s = f.current.borrow();
    view(&s, 0, rows(&s), None).pages
}

/// Opens the keyboard on the field `key`, on the page that shows it, with its stored value
/// (not the masked one shown).
pub(in crate::display) fn focus(s: &Session, local: &mut Local, key: &str) {
    let all = view(s, 0, usize::MAX, None).fields;
    let Some((index, field)) = all.iter().enumerate().find(|(_, f)| f.id == key) else {
        return;
    };
    let Some(mode) = keyboard_for(field.kind) else {
        return;
    };
    let text = value_text(s.transaction.as_ref().and_then(|t| t.values.get().get(key)));
    local.form_page = index / rows(s).max(1);
    local.editing = Some((Target::Field(key.to_owned()), text));
    local.keyboard = KeyboardVm {
        mode,
        ..Default::default()
    };
}

/// The first field after `after` (or from the top) that is typed on the keyboard, required,
/// and still empty: where the keyboard goes next.
pub(crate) fn next_to_type(s: &Session, after: Option<&str>) -> Option<String> {
    let all = view(s, 0, usize::MAX, None).fields;
    let start = after
        .and_then(|key| all.iter().position(|f| f.id == key))
        .map_or(0, |i| i + 1);
    all[start.min(all.len())..]
        .iter()
        .find(|f| {
            f.required && f.value.is_empty() && !f.suggested && keyboard_for(f.kind).is_some()
        })
        .map(|f| f.id.clone())
}

/// Whether `text` fills the field `key` completely: a mobile number of 11 digits, a date
/// `YYYY-MM-DD`, an 18-character ID number, each valid. Free text is never complete (the
/// citizen says when with 完成).
fn complete(s: &Session, key: &str, text: &str) -> bool {
    let Some(field) = s
        .transaction
        .as_ref()
        .and_then(|t| t.form.fields.iter().find(|f| f.key == key))
    else {
        return false;
    };
    let value = match field.kind {
        SchemaKind::Phone
            if text.len() == 11
                && text.starts_with('1')
                && text.chars().all(|c| c.is_ascii_digit()) =>
        {
            serde_json::Value::String(text.to_owned())
        }
        SchemaKind::Date if text.len() == 10 => serde_json::Value::String(text.to_owned()),
        SchemaKind::IdNumber if text.len() == 18 => {
            serde_json::Value::String(vocab::id_number::normalise(text))
        }
        _ => return false,
    };
    hall_api::form::validate_field(field, Some(&value), s.now.today).is_ok()
}

/// After a key on the form's keyboard: a field typed in full (see [`complete`]) moves the
/// keyboard on to the next empty field to type, or closes it — no 完成 to touch.
/// Returns whether it did.
pub(in crate::display) fn after_key(f: &Frontend) -> bool {
    let s = f.current.borrow().clone();
    let mut local = f.local.borrow_mut();
    let Some((Target::Field(key), text)) = local.editing.clone() else {
        return false;
    };
    if !complete(&s, &key, &text) {
        return false;
    }
    local.keyboard.composition.clear();
    local.editing = None;
    if let Some(next) = next_to_type(&s, Some(&key)) {
        focus(&s, &mut local, &next);
    }
    true
}

/// Wires the form's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let form = f.app.global::<ui::FormAdapter<'_>>();
    let weak = Rc::downgrade(f);
    form.on_activate(move |i| {
        let Some(f) = weak.upgrade() else { return };
        let Some(field) = field_at(&f, i) else { return };
        {
            let s = f.current.borrow();
            focus(&s, &mut f.local.borrow_mut(), &field.id);
        }
        f.press(UiInput::StillHere);
        f.redraw();
    });
    let weak = Rc::downgrade(f);
    form.on_choose(move |i, label: SharedString| {
        let Some(f) = weak.upgrade() else { return };
        let Some(field) = field_at(&f, i) else { return };
        let value = {
            let s = f.current.borrow();
            s.transaction.as_ref().and_then(|t| {
                t.form
                    .fields
                    .iter()
                    .find(|x| x.key == field.id)
                    .and_then(|x| match &x.kind {
                        hall_api::form::FieldKind::Select { options } => options
                            .iter()
                            // The chip shows the option in the screen's language.
                            .find(|o| {
                                o.label == label.as_str()
                                    || o.label_en.as_deref().map(str::trim) == Some(label.as_str())
                            })
                            .map(|o| o.value.clone()),
                        _ => None,
                    })
            })
        };
        if let Some(value) = value {
            f.press(UiInput::SetField {
                key: field.id,
                value: FieldValue::from(serde_json::Value::String(value)),
            });
        }
    });
    let weak = Rc::downgrade(f);
    form.on_toggle(move |i| {
        let Some(f) = weak.upgrade() else { return };
        let Some(field) = field_at(&f, i) else { return };
        f.press(UiInput::SetField {
            key: field.id,
            value: FieldValue::from(serde_json::Value::Bool(!field.checked)),
        });
    });
    let weak = Rc::downgrade(f);
    form.on_use_suggestion(move |_| {
        let Some(f) = weak.upgrade() else { return };
        // Whatever was being typed into stops: the number given before stands in for it.
        f.local.borrow_mut().editing = None;
        f.press(UiInput::UseKnownPhone);
    });
    let weak = Rc::downgrade(f);
    form.on_next(move || {
        let Some(f) = weak.upgrade() else { return };
        let last = pages(&f).saturating_sub(1);
        let mut local = f.local.borrow_mut();
        local.editing = None;
        if local.form_page < last {
            local.form_page += 1;
            drop(local);
            f.press(UiInput::StillHere);
            f.redraw();
        } else {
            drop(local);
            f.press(UiInput::Next);
        }
    });
    let weak = Rc::downgrade(f);
    form.on_back(move || {
        let Some(f) = weak.upgrade() else { return };
        let mut local = f.local.borrow_mut();
        local.editing = None;
        if local.form_page > 0 {
            local.form_page -= 1;
            drop(local);
            f.press(UiInput::StillHere);
            f.redraw();
        } else {
            drop(local);
            f.press(UiInput::Back);
        }
    });
}
