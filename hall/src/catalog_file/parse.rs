//! Sheets to a [`Catalog`]: every cell checked, every cross-reference checked (an item's
//! department, a material's or field's item, a bundle's items), and every error kept, so
//! one run of `hall catalog import` lists all that must be fixed.

use std::collections::{HashMap, HashSet};

use hall_api::catalog::{Bundle, Catalog, Department, Fee, ItemKind, Material, ServiceItem};
use hall_api::form::{FieldKind, FieldRules, FormField, FormSchema, PrefillSource, SelectOption};

use super::export::{field_kind_key, prefill_key};
use super::grid::{Grid, GridRow};
use super::spec::{
    column_letters, header_key, SheetSpec, BUNDLES, DEPARTMENTS, FORM_FIELDS, ITEMS, MATERIALS,
};
use super::SheetError;

/// Longest working-day time limit accepted (a year of working days is about 250).
const MAX_LIMIT_DAYS: u32 = 365;
/// Largest fee accepted, in fen (one million yuan).
const MAX_FEE_FEN: u64 = 100_000_000;

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

fn item_kind(text: &str) -> Option<ItemKind> {
    Some(match text {
        "license" | "行政许可" => ItemKind::License,
        "confirmation" | "行政确认" => ItemKind::Confirmation,
        "benefit" | "行政给付" => ItemKind::Benefit,
        "publicService" | "公共服务" => ItemKind::PublicService,
        "other" | "其他行政权力" | "其他" => ItemKind::Other,
        _ => return None,
    })
}

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

fn departments(t: &Table<'_>, errors: &mut Errors) -> Vec<Department> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in t.rows {
        let mut r = RowReader {
            table: t,
            row,
            errors,
        };
        let code = r.code("code");
        let name = r.text("name");
        let window = r.text("window");
        let cap = r.small("slot_capacity", 1000, true);
        if let Some(code) = &code {
            if let Some(first) = seen.insert(code.clone(), r.row_number()) {
                r.error(
                    "code",
                    format!("duplicate department {code:?} (also in row {first})"),
                );
            }
        }
        if let Ok(Some(0)) = cap {
            r.error("slot_capacity", "must be at least 1".into());
        }
        if let (Some(code), Some(name), Some(window), Ok(Some(cap))) = (code, name, window, cap) {
            out.push(Department {
                code,
                name,
                window,
                slot_capacity: cap,
            });
        }
    }
    out
}

/// Items, each with the row it came from.
fn items(
    t: &Table<'_>,
    departments: &[Department],
    errors: &mut Errors,
) -> Vec<(u32, ServiceItem)> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in t.rows {
        let mut r = RowReader {
            table: t,
            row,
            errors,
        };
        let code = r.code("code");
        let name = r.text("name");
        let department = r.text("department");
        let kind_text = r.text("kind");
        let summary = r.text("summary");
        let fee = r.whole("fee_fen", MAX_FEE_FEN, false);
        let fee_note = r.opt_text("fee_note");
        let legal = r.small("legal_limit_days", MAX_LIMIT_DAYS, false);
        let promised = r.small("promised_limit_days", MAX_LIMIT_DAYS, true);
        let kiosk = r.flag("kiosk_completable", Some(true));
        let cross = r.flag("cross_province", Some(false));
        let mail = r.flag("mail_delivery", Some(false));
        if let Some(code) = &code {
            if let Some(first) = seen.insert(code.clone(), r.row_number()) {
                r.error(
                    "code",
                    format!("duplicate item code {code:?} (also in row {first})"),
                );
            }
        }
        if let Some(d) = &department {
            if !departments.iter().any(|x| &x.code == d) {
                let known: Vec<&str> = departments.iter().map(|x| x.code.as_str()).collect();
                r.error(
                    "department",
                    format!(
                        "unknown department {d:?}; the departments sheet has {}",
                        known.join(", ")
                    ),
                );
            }
        }
        let kind = kind_text.as_deref().and_then(|k| {
            let kind = item_kind(k);
            if kind.is_none() {
                r.error("kind", format!("unknown item kind {k:?}: use 行政许可, 行政确认, 行政给付, 公共服务 or 其他行政权力"));
            }
            kind
        });
        if let (Ok(Some(legal)), Ok(Some(promised))) = (legal, promised) {
            if promised > legal {
                r.error(
                    "promised_limit_days",
                    format!("the promised limit ({promised} working days) is longer than the legal limit ({legal})"),
                );
            }
        }
        let fee = match (fee, fee_note) {
            (Ok(amount), note) => {
                let amount = amount.unwrap_or(0);
                match note {
                    Some(note) => Some(Fee {
                        amount_fen: amount,
                        note,
                    }),
                    None if amount == 0 => Some(Fee {
                        amount_fen: 0,
                        note: "不收费".into(),
                    }),
                    None => {
                        r.error(
                            "fee_note",
                            "an item with a fee needs its basis (收费依据)".into(),
                        );
                        None
                    }
                }
            }
            (Err(()), _) => None,
        };
        if let (
            Some(code),
            Some(name),
            Some(department),
            Some(kind),
            Some(summary),
            Some(fee),
            Ok(legal),
            Ok(Some(promised)),
            Some(kiosk),
            Some(cross),
            Some(mail),
        ) = (
            code, name, department, kind, summary, fee, legal, promised, kiosk, cross, mail,
        ) {
            out.push((
                r.row_number(),
                ServiceItem {
                    code,
                    name,
                    department,
                    kind,
                    summary,
                    materials: Vec::new(),
                    fee,
                    legal_limit_days: legal,
                    promised_limit_days: promised,
                    kiosk_completable: kiosk,
                    cross_province: cross,
                    mail_delivery: mail,
                    form: FormSchema::default(),
                },
            ));
        }
    }
    out
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

fn materials(
    t: &Table<'_>,
    items: &mut [(u32, ServiceItem)],
    all_item_rows: &HashSet<String>,
    errors: &mut Errors,
) {
    let codes: HashSet<String> = items.iter().map(|(_, i)| i.code.clone()).collect();
    // The same document has one name everywhere (bundles ask it once by its code).
    let mut names: HashMap<String, (String, u32)> = HashMap::new();
    for row in t.rows {
        let mut r = RowReader {
            table: t,
            row,
            errors,
        };
        let item = owner(&mut r, &codes, all_item_rows);
        let code = r.code("code");
        let name = r.text("name");
        let originals = r.small("originals", 99, true);
        let copies = r.small("copies", 99, true);
        let required = r.flag("required", None);
        let reusable = r.flag("reusable", Some(false));
        let note = r.opt_text("note");
        if let (Some(code), Some(name)) = (&code, &name) {
            match names.get(code) {
                Some((first, at)) if first != name => r.error(
                    "name",
                    format!("material {code:?} is named {first:?} in row {at}; one code, one name"),
                ),
                Some(_) => {}
                None => {
                    names.insert(code.clone(), (name.clone(), r.row_number()));
                }
            }
        }
        let Some(target) = item
            .as_ref()
            .and_then(|c| items.iter_mut().find(|(_, i)| &i.code == c))
        else {
            continue;
        };
        if let Some(code) = &code {
            if target.1.materials.iter().any(|m| &m.code == code) {
                r.error(
                    "code",
                    format!("item {} lists material {code:?} twice", target.1.code),
                );
                continue;
            }
        }
        if let (
            Some(code),
            Some(name),
            Ok(Some(originals)),
            Ok(Some(copies)),
            Some(required),
            Some(reusable),
        ) = (code, name, originals, copies, required, reusable)
        {
            target.1.materials.push(Material {
                code,
                name,
                originals,
                copies,
                required,
                reusable,
                note,
            });
        }
    }
}

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

fn fields(
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

fn bundles(t: &Table<'_>, item_codes: &HashSet<String>, errors: &mut Errors) -> Vec<Bundle> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in t.rows {
        let mut r = RowReader {
            table: t,
            row,
            errors,
        };
        let code = r.code("code");
        let name = r.text("name");
        let summary = r.text("summary");
        let list = r.text("items");
        if let Some(code) = &code {
            if let Some(first) = seen.insert(code.clone(), r.row_number()) {
                r.error(
                    "code",
                    format!("duplicate bundle code {code:?} (also in row {first})"),
                );
            }
        }
        let members = list.map(|list| {
            list.split([';', '；', ',', '，', '、', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        });
        let mut ok = true;
        if let Some(members) = &members {
            let unknown: Vec<&str> = members
                .iter()
                .filter(|m| !item_codes.contains(*m))
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                r.error(
                    "items",
                    format!(
                        "unknown item(s) {}: not in the items sheet",
                        unknown.join(", ")
                    ),
                );
                ok = false;
            }
            let distinct: HashSet<&String> = members.iter().collect();
            if distinct.len() != members.len() {
                r.error("items", "an item is listed twice".into());
                ok = false;
            }
            if members.len() < 2 {
                r.error(
                    "items",
                    "a 一件事 bundle combines at least two items".into(),
                );
                ok = false;
            }
        }
        if let (Some(code), Some(name), Some(summary), Some(items), true) =
            (code, name, summary, members, ok)
        {
            out.push(Bundle {
                code,
                name,
                summary,
                items,
            });
        }
    }
    out
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
