//! Departments, items, materials and bundles, row by row.

use super::*;

/// Longest working-day time limit accepted (a year of working days is about 250).
const MAX_LIMIT_DAYS: u32 = 365;
/// Largest fee accepted, in fen (one million yuan).
const MAX_FEE_FEN: u64 = 100_000_000;

/// Longest English name or label accepted, in characters: it must fit one line of the
/// kiosk's item list in English mode.
pub const MAX_ENGLISH: usize = 80;

/// An optional English name or label (`name_en`, `label_en`): at most [`MAX_ENGLISH`]
/// characters, one line.
pub(super) fn english(r: &mut RowReader<'_, '_>, key: &str) -> Option<String> {
    let t = r.opt_text(key)?;
    let n = t.chars().count();
    if n > MAX_ENGLISH {
        r.error(
            key,
            format!("the English text is {n} characters long; shorten it to at most {MAX_ENGLISH}"),
        );
        return None;
    }
    if t.chars().any(char::is_control) {
        r.error(
            key,
            "the English text must be one line without control characters".into(),
        );
        return None;
    }
    Some(t)
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

pub(super) fn departments(t: &Table<'_>, errors: &mut Errors) -> Vec<Department> {
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
        let name_en = english(&mut r, "name_en");
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
                name_en,
                window,
                slot_capacity: cap,
            });
        }
    }
    out
}

/// Items, each with the row it came from.
pub(super) fn items(
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
        let name_en = english(&mut r, "name_en");
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
                    name_en,
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

pub(super) fn materials(
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
        let by_id_card = r.flag("satisfied_by_id_card", Some(false));
        let photographable = r.flag("photographable", Some(false));
        let note = r.opt_text("note");
        let name_en = english(&mut r, "name_en");
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
            Some(satisfied_by_id_card),
            Some(photographable),
        ) = (
            code,
            name,
            originals,
            copies,
            required,
            reusable,
            by_id_card,
            photographable,
        ) {
            target.1.materials.push(Material {
                code,
                name,
                name_en,
                originals,
                copies,
                required,
                reusable,
                note,
                satisfied_by_id_card,
                photographable,
            });
        }
    }
}

pub(super) fn bundles(
    t: &Table<'_>,
    item_codes: &HashSet<String>,
    errors: &mut Errors,
) -> Vec<Bundle> {
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
        let name_en = english(&mut r, "name_en");
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
                name_en,
                summary,
                items,
            });
        }
    }
    out
}
