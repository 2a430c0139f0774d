//! A catalog as the rows of its sheets, in the order [`super::parse`] reads them back.

use hall_api::catalog::{Catalog, ItemKind};
use hall_api::form::{FieldKind, FormField, PrefillSource};

use super::grid::{header, Cell, OutSheet};
use super::spec::{BUNDLES, DEPARTMENTS, FORM_FIELDS, ITEMS, MATERIALS};

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn opt_text(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, text)
}

fn num(n: impl Into<f64>) -> Cell {
    Cell::Number(n.into())
}

fn opt_num(n: Option<impl Into<f64>>) -> Cell {
    n.map_or(Cell::Empty, |n| Cell::Number(n.into()))
}

/// How the export spells an item kind (the Chinese 事项类型; the English keys read too).
pub fn kind_zh(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::License => "行政许可",
        ItemKind::Confirmation => "行政确认",
        ItemKind::Benefit => "行政给付",
        ItemKind::PublicService => "公共服务",
        ItemKind::Other => "其他行政权力",
    }
}

/// A field kind's key (`idNumber`).
pub fn field_kind_key(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "text",
        FieldKind::Number => "number",
        FieldKind::Date => "date",
        FieldKind::Phone => "phone",
        FieldKind::IdNumber => "idNumber",
        FieldKind::Select { .. } => "select",
        FieldKind::Address => "address",
        FieldKind::Checkbox => "checkbox",
    }
}

/// A prefill source's key (`birthDate`).
pub fn prefill_key(p: PrefillSource) -> &'static str {
    match p {
        PrefillSource::Name => "name",
        PrefillSource::Sex => "sex",
        PrefillSource::Nation => "nation",
        PrefillSource::BirthDate => "birthDate",
        PrefillSource::Address => "address",
        PrefillSource::IdNumber => "idNumber",
        PrefillSource::IssuingAuthority => "issuingAuthority",
        PrefillSource::ValidUntil => "validUntil",
    }
}

fn field_row(item: &str, f: &FormField) -> Vec<Cell> {
    let options = match &f.kind {
        FieldKind::Select { options } => Cell::Text(
            options
                .iter()
                .map(|o| format!("{}={}", o.value, o.label))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        _ => Cell::Empty,
    };
    let options_en = match &f.kind {
        FieldKind::Select { options } => {
            let parts: Vec<String> = options
                .iter()
                .filter_map(|o| Some(format!("{}={}", o.value, o.label_en.as_deref()?)))
                .collect();
            if parts.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(parts.join("; "))
            }
        }
        _ => Cell::Empty,
    };
    let r = &f.rules;
    vec![
        text(item),
        text(&f.key),
        text(&f.label),
        text(field_kind_key(&f.kind)),
        Cell::Bool(f.required),
        options,
        opt_num(r.min_len),
        opt_num(r.max_len),
        opt_num(r.min),
        opt_num(r.max),
        Cell::Bool(r.integer),
        Cell::Bool(r.not_future),
        Cell::Bool(r.not_past),
        Cell::Bool(r.must_be_checked),
        f.prefill.map_or(Cell::Empty, |p| text(prefill_key(p))),
        opt_text(f.hint.as_deref()),
        opt_text(f.label_en.as_deref()),
        options_en,
    ]
}

/// Every sheet of a catalog.
pub fn sheets(c: &Catalog) -> Vec<OutSheet> {
    let departments = c
        .departments
        .iter()
        .map(|d| {
            vec![
                text(&d.code),
                text(&d.name),
                text(&d.window),
                num(d.slot_capacity),
                opt_text(d.name_en.as_deref()),
            ]
        })
        .collect();
    let items = c
        .items
        .iter()
        .map(|i| {
            vec![
                text(&i.code),
                text(&i.name),
                text(&i.department),
                text(kind_zh(i.kind)),
                text(&i.summary),
                Cell::Number(i.fee.amount_fen as f64),
                text(&i.fee.note),
                opt_num(i.legal_limit_days),
                num(i.promised_limit_days),
                Cell::Bool(i.kiosk_completable),
                Cell::Bool(i.cross_province),
                Cell::Bool(i.mail_delivery),
                opt_text(i.name_en.as_deref()),
            ]
        })
        .collect();
    let materials = c
        .items
        .iter()
        .flat_map(|i| {
            i.materials.iter().map(|m| {
                vec![
                    text(&i.code),
                    text(&m.code),
                    text(&m.name),
                    num(m.originals),
                    num(m.copies),
                    Cell::Bool(m.required),
                    Cell::Bool(m.reusable),
                    opt_text(m.note.as_deref()),
                    Cell::Bool(m.satisfied_by_id_card),
                    opt_text(m.name_en.as_deref()),
                    Cell::Bool(m.photographable),
                ]
            })
        })
        .collect();
    let fields = c
        .items
        .iter()
        .flat_map(|i| i.form.fields.iter().map(|f| field_row(&i.code, f)))
        .collect();
    let bundles = c
        .bundles
        .iter()
        .map(|b| {
            vec![
                text(&b.code),
                text(&b.name),
                text(&b.summary),
                Cell::Text(b.items.join("; ")),
                opt_text(b.name_en.as_deref()),
            ]
        })
        .collect();
    [
        (&DEPARTMENTS, departments),
        (&ITEMS, items),
        (&MATERIALS, materials),
        (&FORM_FIELDS, fields),
        (&BUNDLES, bundles),
    ]
    .into_iter()
    .map(|(spec, rows)| OutSheet {
        name: spec.name,
        header: header(spec),
        rows,
    })
    .collect()
}
