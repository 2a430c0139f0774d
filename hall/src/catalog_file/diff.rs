//! What importing a catalog would change, in English for the technician: departments, items
//! and bundles added, removed or changed, and for a changed item which of its fields,
//! materials and form fields changed.

use hall_api::catalog::{Catalog, ServiceItem};

fn changed<T: PartialEq + std::fmt::Debug>(out: &mut Vec<String>, what: &str, old: &T, new: &T) {
    if old != new {
        out.push(format!("{what}: {old:?} -> {new:?}"));
    }
}

fn keyed_changes<T: PartialEq>(
    out: &mut Vec<String>,
    what: &str,
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> &str,
) {
    for n in new {
        match old.iter().find(|o| key(o) == key(n)) {
            None => out.push(format!("{what} {} added", key(n))),
            Some(o) if o != n => out.push(format!("{what} {} changed", key(n))),
            Some(_) => {}
        }
    }
    for o in old {
        if !new.iter().any(|n| key(n) == key(o)) {
            out.push(format!("{what} {} removed", key(o)));
        }
    }
    let old_order: Vec<&str> = old
        .iter()
        .map(&key)
        .filter(|k| new.iter().any(|n| key(n) == *k))
        .collect();
    let new_order: Vec<&str> = new
        .iter()
        .map(&key)
        .filter(|k| old.iter().any(|o| key(o) == *k))
        .collect();
    if old_order != new_order {
        out.push(format!("{what}s reordered"));
    }
}

fn item_changes(old: &ServiceItem, new: &ServiceItem) -> Vec<String> {
    let mut out = Vec::new();
    changed(&mut out, "name", &old.name, &new.name);
    changed(&mut out, "English name", &old.name_en, &new.name_en);
    changed(&mut out, "department", &old.department, &new.department);
    changed(&mut out, "kind", &old.kind, &new.kind);
    changed(&mut out, "summary", &old.summary, &new.summary);
    changed(
        &mut out,
        "fee (fen)",
        &old.fee.amount_fen,
        &new.fee.amount_fen,
    );
    changed(&mut out, "fee note", &old.fee.note, &new.fee.note);
    changed(
        &mut out,
        "legal limit (working days)",
        &old.legal_limit_days,
        &new.legal_limit_days,
    );
    changed(
        &mut out,
        "promised limit (working days)",
        &old.promised_limit_days,
        &new.promised_limit_days,
    );
    changed(
        &mut out,
        "kiosk completable",
        &old.kiosk_completable,
        &new.kiosk_completable,
    );
    changed(
        &mut out,
        "cross-province",
        &old.cross_province,
        &new.cross_province,
    );
    changed(
        &mut out,
        "mail delivery",
        &old.mail_delivery,
        &new.mail_delivery,
    );
    keyed_changes(&mut out, "material", &old.materials, &new.materials, |m| {
        m.code.as_str()
    });
    keyed_changes(
        &mut out,
        "form field",
        &old.form.fields,
        &new.form.fields,
        |f| f.key.as_str(),
    );
    out
}

/// How many changes the lines of [`diff`] hold: a changed item's detail lines (indented)
/// belong to its own line.
pub fn change_count(lines: &[String]) -> usize {
    lines.iter().filter(|l| !l.starts_with(' ')).count()
}

/// The changes from `old` to `new`, one line each; empty when the content is the same
/// (the version label is not compared).
pub fn diff(old: &Catalog, new: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    for d in &new.departments {
        match old.department(&d.code) {
            None => out.push(format!("department {} added ({})", d.code, d.name)),
            Some(o) if o != d => {
                let mut what = Vec::new();
                changed(&mut what, "name", &o.name, &d.name);
                changed(&mut what, "English name", &o.name_en, &d.name_en);
                changed(&mut what, "window", &o.window, &d.window);
                changed(
                    &mut what,
                    "slots per hour",
                    &o.slot_capacity,
                    &d.slot_capacity,
                );
                out.push(format!(
                    "department {} changed: {}",
                    d.code,
                    what.join("; ")
                ));
            }
            Some(_) => {}
        }
    }
    for d in &old.departments {
        if new.department(&d.code).is_none() {
            out.push(format!("department {} removed ({})", d.code, d.name));
        }
    }
    for i in &new.items {
        match old.item(&i.code) {
            None => out.push(format!("item {} added ({})", i.code, i.name)),
            Some(o) if o != i => {
                out.push(format!("item {} changed ({}):", i.code, i.name));
                out.extend(item_changes(o, i).into_iter().map(|c| format!("    {c}")));
            }
            Some(_) => {}
        }
    }
    for i in &old.items {
        if new.item(&i.code).is_none() {
            out.push(format!("item {} removed ({})", i.code, i.name));
        }
    }
    for b in &new.bundles {
        match old.bundle(&b.code) {
            None => out.push(format!("bundle {} added ({})", b.code, b.name)),
            Some(o) if o != b => {
                let mut what = Vec::new();
                changed(&mut what, "name", &o.name, &b.name);
                changed(&mut what, "English name", &o.name_en, &b.name_en);
                changed(&mut what, "summary", &o.summary, &b.summary);
                changed(&mut what, "items", &o.items, &b.items);
                out.push(format!("bundle {} changed: {}", b.code, what.join("; ")));
            }
            Some(_) => {}
        }
    }
    for b in &old.bundles {
        if new.bundle(&b.code).is_none() {
            out.push(format!("bundle {} removed ({})", b.code, b.name));
        }
    }
    if old
        .items
        .iter()
        .map(|i| &i.code)
        .ne(new.items.iter().map(|i| &i.code))
        && out.iter().all(|l| !l.starts_with("item "))
    {
        out.push("items reordered".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_catalog_has_no_changes_and_edits_are_named() {
        let old = crate::seed::catalog();
        assert!(diff(&old, &old).is_empty());
        let mut new = old.clone();
        new.items[0].name.push_str("（新）");
        new.items[0].materials.pop();
        new.items.remove(1);
        new.bundles[0].items.reverse();
        new.bundles[1].name_en = Some("Something else".into());
        let lines = diff(&old, &new).join("\n");
        assert!(
            lines.contains(&format!("item {} changed", old.items[0].code)),
            "{lines}"
        );
        assert!(lines.contains("    name:"), "{lines}");
        // One changed item (two detail lines), one removed, two bundles changed.
        assert_eq!(change_count(&diff(&old, &new)), 4, "{lines}");
        assert!(lines.contains("removed"), "{lines}");
        assert!(
            lines.contains(&format!("item {} removed", old.items[1].code)),
            "{lines}"
        );
        assert!(
            lines.contains(&format!("bundle {} changed: items", old.bundles[0].code)),
            "{lines}"
        );
        assert!(
            lines.contains(&format!(
                "bundle {} changed: English name: {:?} -> Some(\"Something else\")",
                old.bundles[1].code, old.bundles[1].name_en
            )),
            "{lines}"
        );
    }
}
