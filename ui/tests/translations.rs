//! Every `@tr` string of every `.slint` file has an English translation in the bundled .po, and
//! the .po holds no stale entries.

use std::collections::BTreeSet;
use std::path::Path;

fn slint_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("ui/ folder readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            slint_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "slint") {
            out.push(path);
        }
    }
}

/// The string literal starting at `s` (just after the opening quote), unescaped.
fn literal(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

fn source_strings() -> BTreeSet<String> {
    let mut files = Vec::new();
    slint_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("ui"),
        &mut files,
    );
    assert!(files.len() >= 10, "found the .slint files");
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect(".slint file readable");
        for (i, _) in text.match_indices("@tr(\"") {
            out.insert(literal(&text[i + 5..]).expect("closed literal"));
        }
    }
    out
}

fn po_entries() -> Vec<(String, String)> {
    let po = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lang/en/LC_MESSAGES/kiosk-ui.po"),
    )
    .expect("English .po readable");
    let mut out = Vec::new();
    let mut id = None;
    for line in po.lines() {
        if let Some(rest) = line.strip_prefix("msgid \"") {
            id = literal(rest);
        } else if let Some(rest) = line.strip_prefix("msgstr \"") {
            if let (Some(i), Some(s)) = (id.take(), literal(rest)) {
                if !i.is_empty() {
                    out.push((i, s));
                }
            }
        }
    }
    out
}

#[test]
fn every_string_is_translated_to_english() {
    let sources = source_strings();
    assert!(sources.len() > 80, "{}", sources.len());
    let po = po_entries();
    let ids: BTreeSet<String> = po.iter().map(|(i, _)| i.clone()).collect();
    let missing: Vec<_> = sources.difference(&ids).collect();
    assert!(missing.is_empty(), "untranslated: {missing:?}");
    let stale: Vec<_> = ids.difference(&sources).collect();
    assert!(stale.is_empty(), "stale .po entries: {stale:?}");
    for (id, s) in &po {
        assert!(!s.is_empty(), "empty translation for {id:?}");
        assert!(
            s.is_ascii() || s.contains('…'),
            "English has Chinese in it: {id:?} → {s:?}"
        );
        assert_eq!(
            id.matches("{}").count(),
            s.matches("{}").count(),
            "placeholders: {id:?}"
        );
    }
}
