//! Sheets to a [`Catalog`]: every cell checked, every cross-reference checked (an item's
//! department, a material's or field's item, a bundle's items), and every error kept, so
//! one run of `hall catalog import` lists all that must be fixed. Here: reading cells and
//! headers, and the whole; [`sheets`] reads departments, items, materials and bundles, and
//! [`form`] the form fields.

mod form;
mod sheets;

use form::fields;
pub use sheets::MAX_ENGLISH;
use sheets::{bundles, departments, items, materials};

use std::collections::{HashMap, HashSet};

use hall_api::catalog::{Bundle, Catalog, Department, Fee, ItemKind, Material, ServiceItem};
use hall_api::form::{FieldKind, FieldRules, FormField, FormSchema, PrefillSource, SelectOption};

use super::export::{field_kind_key, prefill_key};
use super::grid::{Grid, GridRow};
use super::spec::{
    column_letters, header_key, SheetSpec, BUNDLES, DEPARTMENTS, FORM_FIELDS, ITEMS, MATERIALS,
};
use super::SheetError;

/// Collects errors with their place.
#[derive(Debug, Default)]
struct Errors(Vec<SheetError>);

impl Errors {
    fn at(&mut self, sheet: &str, row: Option<u32>, column: Option<String>, message: String) {
        self.0.push(SheetError {
            sheet: sheet.to_owned(),
            row,
            column,
            message,
        });
    }
}

/// A sheet's data rows, with where each known column is.
struct Table<'a> {
    spec: &'static SheetSpec,
    /// For each spec column, its 0-based position in the sheet.
    positions: Vec<Option<usize>>,
    rows: &'a [GridRow],
}

/// One data row being read: its cells by key, errors going to the shared list.
struct RowReader<'a, 'e> {
    table: &'a Table<'a>,
    row: &'a GridRow,
    errors: &'e mut Errors,
}

impl RowReader<'_, '_> {
    fn row_number(&self) -> u32 {
        self.row.number
    }

    fn column_name(&self, key: &str) -> Option<String> {
        let i = self.table.spec.index(key)?;
        Some(match self.table.positions[i] {
            Some(p) => format!("{} ({key})", column_letters(p)),
            None => format!("({key}), not in the sheet"),
        })
    }

    /// Reports a problem in a cell; only the first one per cell (an error value is not also
    /// "empty").
    fn error(&mut self, key: &str, message: String) {
        let column = self.column_name(key);
        let sheet = self.table.spec.name;
        if self
            .errors
            .0
            .iter()
            .any(|e| e.sheet == sheet && e.row == Some(self.row.number) && e.column == column)
        {
            return;
        }
        self.errors
            .at(self.table.spec.name, Some(self.row.number), column, message);
    }

    /// The trimmed text of a cell; empty if the column or cell is missing or erroneous (an
    /// erroneous cell is reported).
    fn raw(&mut self, key: &str) -> String {
        let Some(i) = self.table.spec.index(key) else {
            return String::new();
        };
        let Some(p) = self.table.positions[i] else {
            return String::new();
        };
        match self.row.cells.get(p) {
            Some(Ok(t)) => t.clone(),
            Some(Err(e)) => {
                let e = e.clone();
                self.error(key, e);
                String::new()
            }
            None => String::new(),
        }
    }

    /// Text that must be given.
    fn text(&mut self, key: &str) -> Option<String> {
        let t = self.raw(key);
        if t.is_empty() {
            self.error(key, "must not be empty".into());
            return None;
        }
        if t.chars().any(|c| c.is_control() && c != '\n') {
            self.error(key, "contains control characters".into());
            return None;
        }
        Some(t)
    }

    fn opt_text(&mut self, key: &str) -> Option<String> {
        let t = self.raw(key);
        (!t.is_empty()).then_some(t)
    }

    /// A code: 1-64 characters of letters, digits, `-` and `_`.
    fn code(&mut self, key: &str) -> Option<String> {
        let t = self.text(key)?;
        if t.len() > 64
            || !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.error(
                key,
                format!("{t:?} is not a code: use 1-64 letters, digits, '-' or '_'"),
            );
            return None;
        }
        Some(t)
    }

    /// A whole number in `0..=max`; `None` (and no error) if empty and not `required`.
    fn whole(&mut self, key: &str, max: u64, required: bool) -> Result<Option<u64>, ()> {
        let t = self.raw(key);
        if t.is_empty() {
            if required {
                self.error(key, "must not be empty".into());
                return Err(());
            }
            return Ok(None);
        }
        match t.parse::<u64>() {
            Ok(n) if n <= max => Ok(Some(n)),
            Ok(n) => {
                self.error(key, format!("{n} is too large (at most {max})"));
                Err(())
            }
            Err(_) => {
                self.error(key, format!("{t:?} is not a whole number from 0 to {max}"));
                Err(())
            }
        }
    }

    fn small(&mut self, key: &str, max: u32, required: bool) -> Result<Option<u32>, ()> {
        self.whole(key, u64::from(max), required)
            .map(|n| n.map(|n| n as u32))
    }

    fn number(&mut self, key: &str) -> Result<Option<f64>, ()> {
        let t = self.raw(key);
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Some(n)),
            _ => {
                self.error(key, format!("{t:?} is not a number"));
                Err(())
            }
        }
    }

    /// A yes/no: true/false, yes/no, y/n, 1/0, 是/否; empty is `default`.
    fn flag(&mut self, key: &str, default: Option<bool>) -> Option<bool> {
        let t = self.raw(key);
        match t.to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "是" => Some(true),
            "false" | "no" | "n" | "0" | "否" => Some(false),
            "" if default.is_some() => default,
            _ => {
                self.error(
                    key,
                    format!("{t:?} is not a yes/no: write true or false (是 or 否)"),
                );
                None
            }
        }
    }
}

/// Finds a sheet and maps its header; reports a missing sheet, unknown or repeated
/// columns and missing required columns.
fn table<'a>(book: &'a [Grid], spec: &'static SheetSpec, errors: &mut Errors) -> Option<Table<'a>> {
    let Some(grid) = book.iter().find(|g| g.sheet == spec.name) else {
        errors.at(
            spec.name,
            None,
            None,
            format!(
                "the sheet is missing (the file needs the sheets {})",
                super::SHEETS.map(|s| s.name).join(", ")
            ),
        );
        return None;
    };
    let Some((head, rows)) = grid.rows.split_first() else {
        errors.at(
            spec.name,
            None,
            None,
            "the sheet is empty: it needs a header row".into(),
        );
        return None;
    };
    let mut positions = vec![None; spec.columns.len()];
    let mut ok = true;
    for (p, cell) in head.cells.iter().enumerate() {
        let column = Some(column_letters(p));
        let text = match cell {
            Ok(t) => t.as_str(),
            Err(e) => {
                errors.at(spec.name, Some(head.number), column, e.clone());
                ok = false;
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        let key = header_key(text);
        match spec.index(key) {
            Some(i) if positions[i].is_some() => {
                errors.at(
                    spec.name,
                    Some(head.number),
                    column,
                    format!("column {key} appears twice"),
                );
                ok = false;
            }
            Some(i) => positions[i] = Some(p),
            None => {
                let known: Vec<&str> = spec.columns.iter().map(|c| c.key).collect();
                errors.at(
                    spec.name,
                    Some(head.number),
                    column,
                    format!(
                        "unknown column {text:?}; the columns are {}",
                        known.join(", ")
                    ),
                );
                ok = false;
            }
        }
    }
    for (c, pos) in spec.columns.iter().zip(&positions) {
        if c.required && pos.is_none() {
            errors.at(
                spec.name,
                Some(head.number),
                None,
                format!("the required column {} ({}) is missing", c.key, c.zh),
            );
            ok = false;
        }
    }
    ok.then_some(Table {
        spec,
        positions,
        rows,
    })
}

/// Checks the item column of a material or field row against the item codes.
fn owner(
    r: &mut RowReader<'_, '_>,
    item_codes: &HashSet<String>,
    all_item_rows: &HashSet<String>,
) -> Option<String> {
    let code = r.text("item")?;
    if !item_codes.contains(&code) {
        if !all_item_rows.contains(&code) {
            r.error(
                "item",
                format!("unknown item {code:?}: it is not in the items sheet"),
            );
        }
        return None;
    }
    Some(code)
}

/// Reads every sheet into a catalog (version left empty), or every error found.
pub fn catalog(book: &[Grid]) -> Result<Catalog, Vec<SheetError>> {
    let mut errors = Errors::default();
    let tables: Vec<Option<Table<'_>>> = [&DEPARTMENTS, &ITEMS, &MATERIALS, &FORM_FIELDS, &BUNDLES]
        .into_iter()
        .map(|spec| table(book, spec, &mut errors))
        .collect();
    let [d, i, m, f, b] = tables.as_slice() else {
        return Err(errors.0);
    };
    let departments = d
        .as_ref()
        .map(|t| departments(t, &mut errors))
        .unwrap_or_default();
    let mut items = i
        .as_ref()
        .map(|t| items(t, &departments, &mut errors))
        .unwrap_or_default();
    // Codes on item rows that had errors: their materials and fields are not reported again.
    let all_item_rows: HashSet<String> = i
        .as_ref()
        .map(|t| {
            let key = t.spec.index("code").and_then(|c| t.positions[c]);
            t.rows
                .iter()
                .filter_map(|r| {
                    key.and_then(|k| r.cells.get(k))
                        .and_then(|c| c.as_ref().ok())
                        .cloned()
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(t) = m {
        materials(t, &mut items, &all_item_rows, &mut errors);
    }
    if let Some(t) = f {
        fields(t, &mut items, &all_item_rows, &mut errors);
    }
    if let (Some(t), true) = (i, m.is_some() && f.is_some()) {
        for (row, item) in &items {
            let column = t
                .spec
                .index("code")
                .and_then(|c| t.positions[c])
                .map(|p| format!("{} (code)", column_letters(p)));
            if item.materials.is_empty() {
                errors.at(
                    ITEMS.name,
                    Some(*row),
                    column.clone(),
                    format!(
                        "item {} has no rows in the materials sheet (一次性告知 needs its list)",
                        item.code
                    ),
                );
            }
            if item.form.fields.is_empty() {
                errors.at(
                    ITEMS.name,
                    Some(*row),
                    column,
                    format!("item {} has no rows in the form_fields sheet", item.code),
                );
            }
        }
    }
    let item_codes: HashSet<String> = all_item_rows;
    let bundles = b
        .as_ref()
        .map(|t| bundles(t, &item_codes, &mut errors))
        .unwrap_or_default();
    if let Some(t) = d {
        if t.rows.is_empty() {
            errors.at(DEPARTMENTS.name, None, None, "no departments".into());
        }
    }
    if let Some(t) = i {
        if t.rows.is_empty() {
            errors.at(ITEMS.name, None, None, "no items".into());
        }
    }
    if !errors.0.is_empty() {
        return Err(errors.0);
    }
    Ok(Catalog {
        version: String::new(),
        departments,
        items: items.into_iter().map(|(_, i)| i).collect(),
        bundles,
        partners: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(sheet: &str, rows: &[&[&str]]) -> Grid {
        Grid {
            sheet: sheet.into(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| GridRow {
                    number: i as u32 + 1,
                    cells: r.iter().map(|c| Ok((*c).to_owned())).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn header_problems_are_reported_at_the_header_row_and_missing_sheets_by_name() {
        let book = vec![
            grid(
                "departments",
                &[
                    &[
                        "部门代码 (code)",
                        "name",
                        "window",
                        "slot_capacity",
                        "colour",
                    ],
                    &["gongan", "县公安局", "A区", "8", ""],
                ],
            ),
            grid("items", &[&["code", "name", "department", "kind"]]),
            grid("说明", &[&["这一页不读"]]),
        ];
        let errors = catalog(&book).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(
            has("sheet departments, row 1, column E: unknown column \"colour\""),
            "{text:?}"
        );
        assert!(
            has("sheet items, row 1: the required column summary"),
            "{text:?}"
        );
        assert!(
            has("sheet items, row 1: the required column promised_limit_days"),
            "{text:?}"
        );
        for sheet in ["materials", "form_fields", "bundles"] {
            assert!(
                has(&format!("sheet {sheet}: the sheet is missing")),
                "{text:?}"
            );
        }
        assert!(!has("说明"), "other sheets are ignored");
    }

    #[test]
    fn a_spreadsheet_error_value_in_a_cell_is_reported_where_it_is() {
        let mut departments = grid(
            "departments",
            &[
                &["code", "name", "window", "slot_capacity"],
                &["gongan", "县公安局", "A区", ""],
            ],
        );
        departments.rows[1].cells[3] = Err("the cell holds the spreadsheet error #N/A".into());
        let errors: Vec<SheetError> = catalog(&[departments])
            .unwrap_err()
            .into_iter()
            .filter(|e| e.sheet == "departments")
            .collect();
        assert_eq!(errors.len(), 1, "one error per cell: {errors:?}");
        assert_eq!(errors[0].row, Some(2));
        assert_eq!(errors[0].column.as_deref(), Some("D (slot_capacity)"));
        assert!(errors[0].message.contains("#N/A"), "{errors:?}");
    }
}
