//! The configuration text as parsed: where each key is, so problems can name line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{ImDocument, Item, Table};

use crate::report::Origin;

/// Where one key and its value are in the text.
#[derive(Debug, Clone)]
pub(crate) struct KeyPlace {
    pub key_span: Option<Range<usize>>,
    pub value_span: Option<Range<usize>>,
    /// The value as written (TOML syntax), for messages.
    pub raw: String,
}

/// Every key of a TOML text by dotted path, with its place.
#[derive(Debug, Default)]
pub(crate) struct KeyMap {
    pub places: BTreeMap<String, KeyPlace>,
}

impl KeyMap {
    pub fn of(doc: &ImDocument<String>) -> Self {
        let mut map = KeyMap::default();
        walk(doc.as_table(), "", &mut map);
        map
    }

    /// The deepest key whose key or value span holds `at`.
    pub fn path_at(&self, at: usize) -> Option<String> {
        let holds = |span: &Option<Range<usize>>| {
            span.as_ref()
                .is_some_and(|s| s.contains(&at) || (s.is_empty() && s.start == at))
        };
        self.places
            .iter()
            .filter(|(_, place)| holds(&place.key_span) || holds(&place.value_span))
            .max_by_key(|(path, _)| path.matches('.').count())
            .map(|(path, _)| path.clone())
    }
}

fn walk(table: &Table, prefix: &str, map: &mut KeyMap) {
    for (name, item) in table.iter() {
        let path = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        let key_span = table.key(name).and_then(|k| k.span());
        let raw = match item {
            Item::Value(v) => v.to_string().trim().to_owned(),
            _ => String::new(),
        };
        map.places.insert(
            path.clone(),
            KeyPlace {
                key_span,
                value_span: item.span(),
                raw,
            },
        );
        match item {
            Item::Table(t) => walk(t, &path, map),
            Item::Value(toml_edit::Value::InlineTable(t)) => {
                walk(&t.clone().into_table(), &path, map)
            }
            _ => {}
        }
    }
}

/// Byte offset → line and column (both from 1; the column in characters).
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before
        .get(line_start..)
        .map_or(1, |s| s.chars().count() + 1);
    (line, column)
}

/// The origin of a byte offset in a file.
pub(crate) fn file_origin(path: &Path, text: &str, offset: usize) -> Origin {
    let (line, column) = line_column(text, offset);
    Origin::File {
        path: PathBuf::from(path),
        line,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one_and_count_characters() {
        let text = "a = 1\n名称 = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        let at = text.find('=').unwrap();
        assert_eq!(line_column(text, at), (1, 3));
        let second = text.rfind('=').unwrap();
        assert_eq!(line_column(text, second), (2, 4));
    }

    #[test]
    fn finds_the_deepest_key_at_an_offset() {
        let text = "[devices.printer]\nbaud = 11520\n";
        let doc = ImDocument::parse(text.to_owned()).unwrap();
        let map = KeyMap::of(&doc);
        let at = text.find("11520").unwrap();
        assert_eq!(map.path_at(at).as_deref(), Some("devices.printer.baud"));
        assert_eq!(map.places["devices.printer.baud"].raw, "11520");
    }
}
