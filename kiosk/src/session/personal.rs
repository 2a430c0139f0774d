//! Holders for personal data typed in during a session (addresses, phones, complaint text,
//! form values): zeroized when dropped, masked in `Debug`, so no copy of the state that the
//! machine clones and drops at every step leaves readable personal data behind.

use std::fmt;
use std::ops::Deref;

use hall_api::form::FormValues;
use serde_json::Value;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A piece of personal text (a phone number, an address line, a free-text complaint).
/// `Debug` shows only its length.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct PersonalText(String);

impl PersonalText {
    /// Wraps text a citizen typed or the card gave.
    pub fn new(text: impl Into<String>) -> Self {
        PersonalText(text.into())
    }

    /// The text, for building a wire payload or showing it to the citizen it belongs to.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text with surrounding blanks removed, `None` when nothing is left.
    pub fn trimmed(&self) -> Option<&str> {
        let t = self.0.trim();
        (!t.is_empty()).then_some(t)
    }
}

impl From<&str> for PersonalText {
    fn from(text: &str) -> Self {
        PersonalText::new(text)
    }
}

impl From<String> for PersonalText {
    fn from(text: String) -> Self {
        PersonalText(text)
    }
}

/// A form value as the UI sends it (`UiInput::SetField`): masked in `Debug`, wiped on drop.
#[derive(Clone, Default, PartialEq)]
pub struct FieldValue(Value);

impl FieldValue {
    /// Takes the value out (the holder is left empty).
    pub fn take(mut self) -> Value {
        std::mem::take(&mut self.0)
    }
}

impl From<Value> for FieldValue {
    fn from(value: Value) -> Self {
        FieldValue(value)
    }
}

impl fmt::Debug for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.0 {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "text",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        write!(f, "‹{kind}›")
    }
}

impl Drop for FieldValue {
    fn drop(&mut self) {
        wipe_value(&mut self.0);
    }
}

impl Deref for PersonalText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PersonalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "‹{} chars›", self.0.chars().count())
    }
}

/// The values of a form being filled in. Strings inside are zeroized on drop; `Debug` shows
/// the keys only.
#[derive(Clone, Default, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct PersonalValues(FormValues);

impl PersonalValues {
    /// The values, by field key.
    pub fn get(&self) -> &FormValues {
        &self.0
    }

    /// One value.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Sets (or, with `Value::Null`, clears) one value; the old one is zeroized.
    pub fn set(&mut self, key: &str, value: Value) {
        let old = if value.is_null() {
            self.0.remove(key)
        } else {
            self.0.insert(key.to_owned(), value)
        };
        if let Some(mut old) = old {
            wipe_value(&mut old);
        }
    }
}

impl fmt::Debug for PersonalValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Drop for PersonalValues {
    fn drop(&mut self) {
        for value in self.0.values_mut() {
            wipe_value(value);
        }
    }
}

/// Zeroizes every string inside a JSON value.
pub fn wipe_value(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe_value),
        Value::Object(map) => map.values_mut().for_each(wipe_value),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_never_shows_the_text() {
        let t = PersonalText::new("13812345678");
        assert_eq!(format!("{t:?}"), "‹11 chars›");
        let mut v = PersonalValues::default();
        v.set("phone", json!("13812345678"));
        assert!(!format!("{v:?}").contains("1381"));
        assert!(format!("{v:?}").contains("phone"));
    }

    #[test]
    fn wiping_a_value_blanks_every_string_inside() {
        let mut v = json!({"a": "secret", "b": ["x1", {"c": "y2"}], "n": 3});
        wipe_value(&mut v);
        assert_eq!(v, json!({"a": "", "b": ["", {"c": ""}], "n": 3}));
    }

    #[test]
    fn zeroizing_text_empties_it() {
        let mut t = PersonalText::new("浙江省杭州市");
        t.zeroize();
        assert_eq!(t.as_str(), "");
        assert_eq!(PersonalText::new("  ").trimmed(), None);
    }
}
