//! The types of a form's fields, as a plain tag: the hall's catalog says them (with the
//! options of a select, `hall_api::form::FieldKind`), the kiosk's screens choose a control
//! and a keyboard by them.

/// The type of a form field, which decides its control and keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Free text (pinyin keyboard).
    Text,
    /// Digits.
    Number,
    /// `YYYY-MM-DD`.
    Date,
    /// Mobile or landline number.
    Phone,
    /// 18-character ID number (digits and X).
    IdNumber,
    /// One of a list of options.
    Select,
    /// Free text, pinyin keyboard, longer.
    Address,
    /// Yes or no.
    Checkbox,
}
