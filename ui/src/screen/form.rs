//! The form engine's screen (`form.slint`): one page of fields, the keyboard on the one being
//! typed into.

use slint::ComponentHandle;

use slint::Model;

use super::keyboard::KeyboardMode;
use super::{model, page_text, s, texts};
use crate::generated as ui;

/// The type of a form field, which decides its control and keyboard (the one enum in `vocab`).
pub use vocab::form::FieldType as FieldKind;

/// One field of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Schema id.
    pub id: String,
    /// The label shown.
    pub label: String,
    /// Its type.
    pub kind: FieldKind,
    /// The current value (masked if the field holds personal data not being edited).
    pub value: String,
    /// Hint shown while empty, or the sentence next to a checkbox.
    pub placeholder: String,
    /// Must be filled.
    pub required: bool,
    /// Filled from the ID card or an earlier application.
    pub prefilled: bool,
    /// Validation message; empty when valid.
    pub error: String,
    /// Options of a select.
    pub options: Vec<String>,
    /// A checkbox's state.
    pub checked: bool,
    /// A one-touch choice offered under the field ("使用上次留的号码 138****5678"); empty for none.
    pub suggestion: String,
    /// The suggestion is in use: the field shows it and needs no typing.
    pub suggested: bool,
}

/// The form engine's screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormVm {
    /// The item's name.
    pub item_name: String,
    /// The fields of this page.
    pub fields: Vec<Field>,
    /// Index of the field being typed into.
    pub active: Option<usize>,
    /// Zero-based page.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
}

/// The Slint side of a field type (the generated enum of `form.slint`).
impl From<FieldKind> for ui::FieldKind {
    fn from(kind: FieldKind) -> Self {
        match kind {
            FieldKind::Text => ui::FieldKind::Text,
            FieldKind::Number => ui::FieldKind::Number,
            FieldKind::Date => ui::FieldKind::Date,
            FieldKind::Phone => ui::FieldKind::Phone,
            FieldKind::IdNumber => ui::FieldKind::IdNumber,
            FieldKind::Select => ui::FieldKind::Select,
            FieldKind::Address => ui::FieldKind::Address,
            FieldKind::Checkbox => ui::FieldKind::Checkbox,
        }
    }
}

/// The keyboard a field of this kind types with, if any.
pub fn keyboard_for(kind: FieldKind) -> Option<KeyboardMode> {
    match kind {
        FieldKind::Text | FieldKind::Address => Some(KeyboardMode::Pinyin),
        FieldKind::Number | FieldKind::Date | FieldKind::Phone => Some(KeyboardMode::Numeric),
        FieldKind::IdNumber => Some(KeyboardMode::IdNumber),
        FieldKind::Select | FieldKind::Checkbox => None,
    }
}

fn field_row(f: &Field) -> ui::FieldRow {
    ui::FieldRow {
        id: s(&f.id),
        label: s(&f.label),
        kind: f.kind.into(),
        value: s(&f.value),
        placeholder: s(&f.placeholder),
        required: f.required,
        prefilled: f.prefilled,
        error: s(&f.error),
        options: texts(&f.options),
        checked: f.checked,
        suggestion: s(&f.suggestion),
        suggested: f.suggested,
    }
}

/// Updates one field in place (a keystroke): only that row is redrawn, not the whole form.
pub fn update_form_field(app: &ui::AppWindow, index: usize, field: &Field) {
    let fields = app.global::<ui::FormAdapter<'_>>().get_fields();
    if index < fields.row_count() {
        fields.set_row_data(index, field_row(field));
    }
}

/// The form engine.
pub fn apply_form(app: &ui::AppWindow, vm: &FormVm) {
    let g = app.global::<ui::FormAdapter<'_>>();
    g.set_item_name(s(&vm.item_name));
    g.set_fields(model(vm.fields.iter().map(field_row).collect()));
    let active = vm.active.filter(|i| {
        vm.fields
            .get(*i)
            .is_some_and(|f| keyboard_for(f.kind).is_some())
    });
    g.set_active(active.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1));
    g.set_page_text(page_text(vm.page, vm.pages));
    g.set_has_prev_page(vm.page > 0);
    g.set_is_last_page(vm.page + 1 >= vm.pages);
}

/// The value currently shown in field `index` of the form, if any.
pub fn form_field_value(app: &ui::AppWindow, index: usize) -> Option<String> {
    let fields = app.global::<ui::FormAdapter<'_>>().get_fields();
    fields.row_data(index).map(|f| f.value.to_string())
}
