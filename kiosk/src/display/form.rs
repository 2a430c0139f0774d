//! The form page's callbacks: a field tapped opens the keyboard for its kind; a select's
//! option and a checkbox go to the session at once; next and back walk the form's pages
//! before they leave the form.

use std::rc::Rc;

use kiosk_ui::adapters;
use kiosk_ui::generated as ui;
use kiosk_ui::vm;
use slint::{ComponentHandle, SharedString};

use super::frontend::{rows_for, Frontend, Target};
use super::map;
use crate::session::personal::FieldValue;
use crate::session::UiInput;

/// The field at `index` of the page shown.
fn field_at(f: &Frontend, index: i32) -> Option<vm::Field> {
    let local = f.local.borrow();
    let s = f.current.borrow();
    let form = map::form(&s, local.form_page, rows_for(&s), None);
    usize::try_from(index)
        .ok()
        .and_then(|i| form.fields.get(i).cloned())
}

fn pages(f: &Frontend) -> usize {
    let s = f.current.borrow();
    map::form(&s, 0, rows_for(&s), None).pages
}

/// Wires the form's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let form = f.app.global::<ui::FormAdapter<'_>>();
    let weak = Rc::downgrade(f);
    form.on_activate(move |i| {
        let Some(f) = weak.upgrade() else { return };
        let Some(field) = field_at(&f, i) else { return };
        let Some(mode) = adapters::keyboard_for(field.kind) else {
            return;
        };
        // The stored value, not the masked one shown.
        let text = {
            let s = f.current.borrow();
            map::value_text(
                s.transaction
                    .as_ref()
                    .and_then(|t| t.values.get().get(&field.id)),
            )
        };
        {
            let mut local = f.local.borrow_mut();
            local.editing = Some((Target::Field(field.id.clone()), text));
            local.keyboard = vm::KeyboardVm {
                mode,
                ..Default::default()
            };
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
