//! English content in the catalog as data: the English columns import, a too-long English
//! name is reported at its sheet, row and column, a file without the English columns still
//! imports, and a 督查 edit of only the English name is a new version with a new ETag.

use super::*;
use hall_api::form::FieldKind;

#[test]
fn english_columns_import_and_a_too_long_english_name_is_reported_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let sheets = dir.path().join("county");
    let seed = hall::seed::catalog();
    catalog_file::write_file(&seed, &sheets).unwrap();
    // The English columns come last: items M, materials I, form_fields Q and R, bundles E.
    set_cell(&sheets, "items", 2, 12, "Renewal of the resident ID card");
    set_cell(&sheets, "form_fields", 2, 16, "Name of the applicant");
    set_cell(&sheets, "bundles", 2, 4, "");
    // Row 5 is the renewal's select of reasons: one option's English, the others none.
    set_cell(
        &sheets,
        "form_fields",
        5,
        17,
        "expired=The card has expired",
    );
    let read = catalog_file::read_file(&sheets).unwrap();
    assert_eq!(
        read.items[0].name_en.as_deref(),
        Some("Renewal of the resident ID card")
    );
    assert_eq!(
        read.items[0].form.fields[0].label_en.as_deref(),
        Some("Name of the applicant")
    );
    assert_eq!(
        read.bundles[0].name_en, None,
        "an empty cell is no English name"
    );
    let FieldKind::Select { options } = &read.items[0].form.fields[3].kind else {
        panic!("the reason is a select");
    };
    let english: Vec<Option<&str>> = options.iter().map(|o| o.label_en.as_deref()).collect();
    assert_eq!(english, [Some("The card has expired"), None, None]);
    assert_eq!(read.items[1].name_en, seed.items[1].name_en);
    assert_eq!(
        read.items[0].materials[0].name_en,
        seed.items[0].materials[0].name_en
    );

    let long = "A".repeat(catalog_file::MAX_ENGLISH + 1);
    set_cell(&sheets, "materials", 4, 9, &long);
    set_cell(&sheets, "departments", 3, 4, "Tax\nBureau");
    set_cell(&sheets, "form_fields", 5, 17, "lost=Lost");
    let text: Vec<String> = match catalog_file::read_file(&sheets) {
        Err(catalog_file::CatalogFileError::Invalid(errors)) => {
            errors.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected sheet errors, got {other:?}"),
    };
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(
        text.iter().any(|t| t
            == "sheet form_fields, row 5, column R (options_en): \"lost\" is not a value of this field's options"),
        "{text:?}"
    );
    assert!(
        text[..].iter().any(|t| t
            == "sheet materials, row 4, column J (name_en): the English text is 81 characters long; shorten it to at most 80"),
        "{text:?}"
    );
    assert!(
        text.iter().any(
            |t| t.starts_with("sheet departments, row 3, column E (name_en): ")
                && t.contains("one line")
        ),
        "{text:?}"
    );
}

#[test]
fn a_file_without_the_english_columns_still_imports_without_english() {
    let dir = tempfile::tempdir().unwrap();
    let sheets = dir.path().join("old");
    catalog_file::write_file(&hall::seed::catalog(), &sheets).unwrap();
    // Drop the English columns of every sheet (by key: later columns, such as the materials'
    // photographable flag, follow them), as a file made before they existed.
    for sheet in catalog_file::SHEETS {
        let path = sheets.join(format!("{}.csv", sheet.name));
        let text = std::fs::read_to_string(&path).unwrap();
        let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(|r| {
                let r = r.unwrap();
                r.iter()
                    .zip(sheet.columns)
                    .filter(|(_, c)| !c.key.ends_with("_en"))
                    .map(|(v, _)| v.to_owned())
                    .collect()
            })
            .collect();
        let mut w = csv::Writer::from_path(&path).unwrap();
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
    }
    let read = catalog_file::read_file(&sheets).unwrap();
    assert_eq!(read.items.len(), 69);
    assert!(read.items.iter().all(|i| i.name_en.is_none()
        && i.materials.iter().all(|m| m.name_en.is_none())
        && i.form.fields.iter().all(|f| f.label_en.is_none()
            && match &f.kind {
                FieldKind::Select { options } => options.iter().all(|o| o.label_en.is_none()),
                _ => true,
            })));
    assert!(read.bundles.iter().all(|b| b.name_en.is_none()));
    assert!(read.departments.iter().all(|d| d.name_en.is_none()));
}

#[tokio::test]
async fn a_supervisor_edit_of_the_english_name_is_a_new_version_with_a_new_etag() {
    let hall = TestHall::new().await;
    let app = hall.router();
    let kiosk = hall.credential(PrincipalKind::Kiosk, "kiosk-a").await;
    let (_, etag, before) = kiosk_fetch(&app, &kiosk, None).await;
    let before = before.unwrap();
    assert_eq!(
        before.item(EDITED).unwrap().name_en.as_deref(),
        Some("Social security card application")
    );
    let (cookie, _) = staff(&hall, "boss", Role::Supervisor).await;
    let url = format!("/staff/catalog/items/{EDITED}");
    let page = send(&app, get(&url, &cookie)).await;
    assert!(
        page.body.contains("Social security card application"),
        "the page shows the English name"
    );
    // Too long: refused, nothing stored.
    let long = "B".repeat(catalog_file::MAX_ENGLISH + 1);
    let stored_before = hall.store.catalog_versions().await.unwrap().len();
    let refused = send(
        &app,
        post(
            &url,
            &cookie,
            &as_refs(&form_fields(&page.body, &[("name_en", &long)])),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("英文名称不能超过 80"),
        "{}",
        refused.body
    );
    assert_eq!(
        hall.store.catalog_versions().await.unwrap().len(),
        stored_before
    );
    let fields = form_fields(
        &page.body,
        &[
            ("name_en", "Social security card: first application"),
            ("m0_name_en", "ID card (read at the kiosk)"),
        ],
    );
    let saved = send(&app, post(&url, &cookie, &as_refs(&fields))).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (status, new_etag, after) = kiosk_fetch(&app, &kiosk, Some(&etag)).await;
    assert_eq!(status, StatusCode::OK, "English text changes the ETag");
    assert_ne!(new_etag, etag);
    let after = after.unwrap();
    let item = after.item(EDITED).unwrap();
    assert_eq!(
        item.name_en.as_deref(),
        Some("Social security card: first application")
    );
    assert_eq!(
        item.materials[0].name_en.as_deref(),
        Some("ID card (read at the kiosk)")
    );
    assert_eq!(item.name, before.item(EDITED).unwrap().name);
    assert_ne!(after.version, before.version);
    let audit = audit_lines(&hall);
    assert!(
        audit[0].1.contains("english-name") && audit[0].1.contains("materials"),
        "{audit:?}"
    );
}
