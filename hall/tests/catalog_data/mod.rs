//! The catalog as data (part of the `authorisation` binary): the example spreadsheets import
//! through the real `hall` binary; a spreadsheet with five errors reports all five by sheet,
//! row and column and stores nothing; export then import gives the same catalog; a version
//! takes effect at its time without a restart; a 督查 edit is a new version a kiosk's ETag
//! fetch sees; other roles get 403.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::{header, StatusCode};
use axum::Router;
use chrono::{Duration, Utc};
use hall::catalog_file;
use hall::catalog_versions as versions;
use hall::store::staff::Role;
use hall::store::{PrincipalKind, Store};
use hall_api::catalog::Catalog;

mod english;

use crate::authorisation::common::*;
use crate::authorisation::staff_pages::{get, post, send, sign_in};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("catalog")
        .join(name)
}

fn seed_content() -> Catalog {
    let mut c = hall::seed::catalog();
    c.version = String::new();
    c
}

/// Runs the real `hall` binary; (success, stdout, stderr).
fn hall_cli(args: &[&str], db: &Path) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hall"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn version_rows(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT version, json FROM catalog ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_example_spreadsheets_are_the_seed_and_import_through_the_cli() {
    // The shipped examples are exports of the seed (regenerate them after changing it).
    for name in ["example.xlsx", "example-csv"] {
        let read = catalog_file::read_file(&example(name)).unwrap();
        assert_eq!(
            read,
            seed_content(),
            "{name} is not the seed: regenerate it"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let xlsx = example("example.xlsx");
    let (ok, out, err) = hall_cli(&["catalog", "diff", xlsx.to_str().unwrap()], &db);
    assert!(ok, "{err}");
    assert!(out.starts_with("0 change(s)"), "{out}");
    let (ok, _, err) = hall_cli(
        &[
            "catalog",
            "import",
            xlsx.to_str().unwrap(),
            "--label",
            "county-2027.1",
        ],
        &db,
    );
    assert!(ok, "{err}");
    assert!(
        err.contains("Stored catalog version county-2027.1 (69 items, 22 bundles)"),
        "{err}"
    );
    let (ok, out, _) = hall_cli(&["catalog", "versions"], &db);
    assert!(ok);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("county-2027.1\t") && first.ends_with("in effect"),
        "{out}"
    );
    // The same label again is refused and stores nothing.
    let (ok, _, err) = hall_cli(
        &[
            "catalog",
            "import",
            xlsx.to_str().unwrap(),
            "--label",
            "county-2027.1",
        ],
        &db,
    );
    assert!(!ok);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(version_rows(&db).len(), 2, "seed + one import");

    // `diff` names what a changed file would change, and stores nothing.
    let sheets = dir.path().join("changed");
    catalog_file::write_file(&hall::seed::catalog(), &sheets).unwrap();
    let first = hall::seed::catalog().items[0].clone();
    set_cell(&sheets, "items", 2, 1, &format!("{}（新）", first.name));
    let (ok, out, err) = hall_cli(&["catalog", "diff", sheets.to_str().unwrap()], &db);
    assert!(ok, "{err}");
    assert!(out.starts_with("1 change(s)"), "{out}");
    assert!(
        out.contains(&format!("item {} changed", first.code)) && out.contains("（新）"),
        "{out}"
    );
    assert_eq!(version_rows(&db).len(), 2, "diff stores nothing");
}

/// Rewrites one cell of a CSV sheet (row and column as the spreadsheet numbers them).
fn set_cell(dir: &Path, sheet: &str, row: usize, col: usize, value: &str) {
    let path = dir.join(format!("{sheet}.csv"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    rows[row - 1][col] = value.to_owned();
    let mut w = csv::Writer::from_path(&path).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// The same sheets as an xlsx workbook.
fn csv_dir_to_xlsx(dir: &Path, out: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    for sheet in catalog_file::SHEETS {
        let text = std::fs::read_to_string(dir.join(format!("{}.csv", sheet.name))).unwrap();
        let ws = book.add_worksheet();
        ws.set_name(sheet.name).unwrap();
        let records = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
            .into_records();
        for (r, rec) in records.enumerate() {
            for (c, cell) in rec.unwrap().iter().enumerate() {
                ws.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    book.save(out).unwrap();
}

#[test]
fn a_spreadsheet_with_five_errors_reports_all_five_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let sheets = dir.path().join("county");
    catalog_file::write_file(&hall::seed::catalog(), &sheets).unwrap();
    // items row 3: unknown department (C); materials row 3: the row-2 material again for the
    // same item (B);
    // items row 5: promised limit above the legal one (I); form_fields row 2: bad kind (D);
    // bundles row 3: a bundle naming an unknown item (D).
    let c = hall::seed::catalog();
    set_cell(&sheets, "items", 3, 2, "gongann");
    let first = &c.items[0].materials[0];
    set_cell(&sheets, "materials", 3, 1, &first.code);
    set_cell(&sheets, "materials", 3, 2, &first.name);
    set_cell(&sheets, "items", 5, 7, "5");
    set_cell(&sheets, "items", 5, 8, "9");
    set_cell(&sheets, "form_fields", 2, 3, "email");
    set_cell(&sheets, "bundles", 3, 3, "XK-000110-001; NO-SUCH-ITEM");
    let xlsx = dir.path().join("county.xlsx");
    csv_dir_to_xlsx(&sheets, &xlsx);
    let expected = [
        "sheet items, row 3, column C (department): unknown department \"gongann\"",
        &format!(
            "sheet materials, row 3, column B (code): item {} lists material \"{}\" twice",
            c.items[0].code, first.code
        ),
        "sheet items, row 5, column I (promised_limit_days): the promised limit (9 working days) is longer than the legal limit (5)",
        "sheet form_fields, row 2, column D (kind): unknown field kind \"email\"",
        "sheet bundles, row 3, column D (items): unknown item(s) NO-SUCH-ITEM",
    ];
    // A hall database with its first version (the seed, stored by the first command).
    let (ok, _, err) = hall_cli(
        &[
            "catalog",
            "export",
            dir.path().join("now.xlsx").to_str().unwrap(),
        ],
        &db,
    );
    assert!(ok, "{err}");
    let before = version_rows(&db);
    assert_eq!(before.len(), 1);
    for file in [&sheets, &xlsx] {
        let (ok, _, err) = hall_cli(&["catalog", "import", file.to_str().unwrap()], &db);
        assert!(!ok, "{err}");
        assert!(err.contains("5 error(s) in the catalog file"), "{err}");
        for e in &expected {
            assert!(err.contains(e), "missing {e:?} in:\n{err}");
        }
        let (ok, _, err) = hall_cli(&["catalog", "diff", file.to_str().unwrap()], &db);
        assert!(!ok && err.contains("5 error(s)"), "{err}");
    }
    let after = version_rows(&db);
    assert!(before.is_empty() || before == after);
    assert_eq!(
        after.len(),
        1,
        "only the seed, stored on first open: {after:?}"
    );
    assert_eq!(after[0].0, hall::seed::SEED_VERSION);
}

#[tokio::test]
async fn export_then_import_gives_the_same_catalog() {
    let hall = TestHall::new().await;
    let store = hall.store.as_ref();
    // Start from a catalog that differs from the seed in what the sheets carry.
    let mut c = versions::current(store).await.unwrap();
    c.items[0].legal_limit_days = None;
    c.items[1].materials[0].note = Some("复印件须注明“与原件一致”".into());
    c.items[2].fee.amount_fen = 1250;
    c.items[2].fee.note = "工本费 12.5 元".into();
    c.items[3].form.fields[0].rules.min = None;
    // English text present, changed and absent goes through the sheets unchanged.
    c.items[0].name_en = None;
    c.items[4].materials[0].name_en = Some("Household register, all pages".into());
    c.items[5].form.fields[1].label_en = None;
    c.departments[1].name_en = Some("Tax Bureau, county office".into());
    c.bundles.truncate(3);
    let stored = versions::store_version(store, c, "edited.1".into(), Utc::now(), "import", None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path().join("out.xlsx"), dir.path().join("out-csv")] {
        catalog_file::write_file(&stored, &path).unwrap();
        let mut back = catalog_file::read_file(&path).unwrap();
        back.version = stored.version.clone();
        assert_eq!(back, stored, "{}", path.display());
        assert!(catalog_file::diff(&stored, &back).is_empty());
    }
    // Through the binary as well: export, import, and the stored document is the same.
    let db = hall.db.clone();
    let out = dir.path().join("cli.xlsx");
    let (ok, _, err) = hall_cli(&["catalog", "export", out.to_str().unwrap()], &db);
    assert!(ok, "{err}");
    let (ok, _, err) = hall_cli(
        &[
            "catalog",
            "import",
            out.to_str().unwrap(),
            "--label",
            "edited.2",
        ],
        &db,
    );
    assert!(ok, "{err}");
    assert!(err.contains("0 change(s) from version edited.1"), "{err}");
    let rows = version_rows(&db);
    let doc = |label: &str| -> Catalog {
        let json = &rows.iter().find(|(v, _)| v == label).unwrap().1;
        let mut c: Catalog = serde_json::from_str(json).unwrap();
        c.version.clear();
        c
    };
    assert_eq!(doc("edited.1"), doc("edited.2"));
}

async fn kiosk_fetch(
    app: &Router,
    kiosk: &str,
    etag: Option<&str>,
) -> (StatusCode, String, Option<Catalog>) {
    let mut req = request("GET", "/api/v1/catalog", Some(kiosk), None);
    if let Some(e) = etag {
        req.headers_mut()
            .insert(header::IF_NONE_MATCH, e.parse().unwrap());
    }
    let (status, headers, body) = call(app, req).await;
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let catalog = (status == StatusCode::OK).then(|| serde_json::from_value(body).unwrap());
    (status, etag, catalog)
}

#[tokio::test]
async fn a_scheduled_version_takes_effect_at_its_time_without_a_restart() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let (_, etag, first) = kiosk_fetch(&app, &kiosk, None).await;
    assert_eq!(first.unwrap().version, hall::seed::SEED_VERSION);

    let at = Utc::now() + Duration::days(30);
    let mut next = versions::current(hall.store.as_ref()).await.unwrap();
    next.items.retain(|i| i.code != "GG-000129-001");
    next.items[0].name = "居民身份证换领（新版）".into();
    versions::store_version(
        hall.store.as_ref(),
        next,
        "2027.01".into(),
        at,
        "import",
        None,
    )
    .await
    .unwrap();
    // Stored, noticed (the generation moved), but not yet in effect.
    hall.state.refresh().await.unwrap();
    let (status, same, _) = kiosk_fetch(&app, &kiosk, Some(&etag)).await;
    assert_eq!(
        (status, same.as_str()),
        (StatusCode::NOT_MODIFIED, etag.as_str())
    );
    hall.state
        .refresh_at(at - Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        hall.state.catalog().catalog.version,
        hall::seed::SEED_VERSION
    );
    // Its time comes: the same running state serves it.
    hall.state.refresh_at(at).await.unwrap();
    let (status, new_etag, served) = kiosk_fetch(&app, &kiosk, Some(&etag)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(new_etag, etag);
    let served = served.unwrap();
    assert_eq!(served.version, "2027.01");
    assert_eq!(served.items[0].name, "居民身份证换领（新版）");
    assert!(served.item("GG-000129-001").is_none());
    // Withdrawals still apply on top of the new version.
    hall.store
        .set_item_withdrawn(&served.items[1].code, true)
        .await
        .unwrap();
    hall.state.refresh_at(at).await.unwrap();
    assert!(hall
        .state
        .catalog()
        .catalog
        .item(&served.items[1].code)
        .is_none());
}

pub(crate) const EDITED: &str = "GG-000245-001";

async fn staff(hall: &TestHall, name: &str, role: Role) -> (String, String) {
    let depts = if role == Role::Reviewer {
        vec!["renshe".to_owned()]
    } else {
        Vec::new()
    };
    let pw = hall::staff::auth::add_account(hall.store.as_ref(), name, role, &depts, name)
        .await
        .unwrap();
    crate::authorisation::common::password_chosen(&hall.store, name).await;
    sign_in(&hall.router(), name, &pw).await
}

/// The edit form's fields as submitted unchanged, with `changes` replacing or adding.
fn form_fields(html: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for tag in html
        .split('<')
        .filter(|t| t.starts_with("input") || t.starts_with("textarea"))
    {
        let attr = |name: &str| {
            let key = format!(" {name}=\"");
            tag.find(&key).map(|at| {
                let rest = &tag[at + key.len()..];
                rest[..rest.find('"').unwrap()].to_owned()
            })
        };
        let Some(name) = attr("name") else { continue };
        if name == "q" {
            continue;
        }
        let kind = attr("type").unwrap_or_default();
        let checked = tag.contains(" checked");
        let value = if tag.starts_with("textarea") {
            tag[tag.find('>').unwrap() + 1..].to_owned()
        } else {
            attr("value").unwrap_or_default()
        };
        if (kind == "checkbox" || kind == "radio") && !checked {
            continue;
        }
        out.push((name, value.replace("&amp;", "&").replace("&quot;", "\"")));
    }
    for (k, v) in changes {
        out.retain(|(n, _)| n != k);
        out.push(((*k).to_owned(), (*v).to_owned()));
    }
    out
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn audit_lines(hall: &TestHall) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(&hall.db).unwrap();
    let mut stmt = conn
        .prepare("SELECT staff, detail FROM staff_audit WHERE action = 'catalog-edit' ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_supervisor_edit_is_a_new_version_that_a_kiosk_fetch_sees() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let (_, etag, before) = kiosk_fetch(&app, &kiosk, None).await;
    let before = before.unwrap();
    let (cookie, _) = staff(&hall, "boss", Role::Supervisor).await;
    let list = send(&app, get("/staff/catalog", &cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(EDITED) && list.body.contains("当前生效"),
        "{}",
        list.body
    );
    let page = send(
        &app,
        get(&format!("/staff/catalog/items/{EDITED}"), &cookie),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let n = before.item(EDITED).unwrap().materials.len().to_string();
    let new_code = format!("m{n}_code");
    let new_name = format!("m{n}_name");
    let fields = form_fields(
        &page.body,
        &[
            ("name", "社会保障卡申领（第三代）"),
            ("m0_remove", "1"),
            (&new_code, "juzhuzheng"),
            (&new_name, "居住证"),
            ("mail", "1"),
            ("availability", "window"),
        ],
    );
    // A material code another item uses for another document is refused; nothing stored.
    let stored_before = hall.store.catalog_versions().await.unwrap().len();
    let hukoubu = form_fields(
        &page.body,
        &[(&new_code, "hukoubu"), (&new_name, "别的证件")],
    );
    let refused = send(
        &app,
        post(
            &format!("/staff/catalog/items/{EDITED}"),
            &cookie,
            &as_refs(&hukoubu),
        ),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("同一材料须同名"), "{}", refused.body);
    assert_eq!(
        hall.store.catalog_versions().await.unwrap().len(),
        stored_before
    );

    let saved = send(
        &app,
        post(
            &format!("/staff/catalog/items/{EDITED}"),
            &cookie,
            &as_refs(&fields),
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (status, new_etag, after) = kiosk_fetch(&app, &kiosk, Some(&etag)).await;
    assert_eq!(status, StatusCode::OK, "the kiosk's copy is stale");
    assert_ne!(new_etag, etag);
    let after = after.unwrap();
    let item = after.item(EDITED).unwrap();
    assert_eq!(item.name, "社会保障卡申领（第三代）");
    assert!(item
        .materials
        .iter()
        .any(|m| m.code == "juzhuzheng" && m.name == "居住证"));
    assert!(!item
        .materials
        .iter()
        .any(|m| m.code == before.item(EDITED).unwrap().materials[0].code));
    assert!(!item.kiosk_completable && item.mail_delivery);
    assert_ne!(after.version, before.version);
    let rows = hall.store.catalog_versions().await.unwrap();
    assert_eq!(rows[0].version, after.version);
    assert_eq!(
        (rows[0].source.as_str(), rows[0].author.as_deref()),
        ("staff", Some("boss"))
    );
    let audit = audit_lines(&hall);
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].1.contains(&after.version) && audit[0].1.contains("materials"),
        "{audit:?}"
    );

    // An edit made from the old version loses the race to the one stored: the check is in
    // the store's transaction, not only in the handler.
    let mut late = before.clone();
    late.items[0].name = "晚到的修改".into();
    let lost = versions::store_edit(hall.store.as_ref(), late, "other")
        .await
        .unwrap();
    assert!(lost.is_none());
    // The same (now stale) form again: 409, nothing stored.
    let stale = send(
        &app,
        post(
            &format!("/staff/catalog/items/{EDITED}"),
            &cookie,
            &as_refs(&fields),
        ),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        hall.store.catalog_versions().await.unwrap().len(),
        rows.len()
    );

    // Suspending withdraws it from the kiosks (and its bundles), audit-logged.
    let page = send(
        &app,
        get(&format!("/staff/catalog/items/{EDITED}"), &cookie),
    )
    .await;
    let suspend = form_fields(&page.body, &[("availability", "suspended")]);
    let saved = send(
        &app,
        post(
            &format!("/staff/catalog/items/{EDITED}"),
            &cookie,
            &as_refs(&suspend),
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, _, served) = kiosk_fetch(&app, &kiosk, Some(&new_etag)).await;
    let served = served.unwrap();
    assert!(served.item(EDITED).is_none());
    assert!(
        served.bundle("yjs-xinshenger").is_none(),
        "the bundle needing it goes too"
    );
    assert!(audit_lines(&hall)[1].1.contains("suspended"));
}

#[tokio::test]
async fn only_supervisors_and_operators_edit_the_catalog() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let (boss, _) = staff(&hall, "boss", Role::Supervisor).await;
    let page = send(&app, get(&format!("/staff/catalog/items/{EDITED}"), &boss)).await;
    let fields = form_fields(&page.body, &[("name", "改名")]);
    let stored = hall.store.catalog_versions().await.unwrap().len();
    for (name, role) in [
        ("desk", Role::FrontDesk),
        ("rev", Role::Reviewer),
        ("call", Role::Callback),
    ] {
        let (cookie, csrf) = staff(&hall, name, role).await;
        for uri in [
            "/staff/catalog".to_owned(),
            format!("/staff/catalog/items/{EDITED}"),
        ] {
            let page = send(&app, get(&uri, &cookie)).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{name} {uri}");
        }
        let mut mine = fields.clone();
        mine.retain(|(k, _)| k != "csrf");
        mine.push(("csrf".into(), csrf));
        let refused = send(
            &app,
            post(
                &format!("/staff/catalog/items/{EDITED}"),
                &cookie,
                &as_refs(&mine),
            ),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{name}");
        assert!(refused.body.contains("无权"), "{}", refused.body);
    }
    // The supervisor's own POST without the CSRF token is refused too.
    let mut no_csrf = fields.clone();
    no_csrf.retain(|(k, _)| k != "csrf");
    let refused = send(
        &app,
        post(
            &format!("/staff/catalog/items/{EDITED}"),
            &boss,
            &as_refs(&no_csrf),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(hall.store.catalog_versions().await.unwrap().len(), stored);
    assert!(audit_lines(&hall).is_empty());
    assert_eq!(
        hall.state.catalog().catalog.item(EDITED).unwrap().name,
        hall::seed::catalog().item(EDITED).unwrap().name
    );
}
