//! Sites (part of the `authorisation` binary): the real `hall` binary builds a county →
//! township → village tree and places kiosks; bad input gets an English error and exit code
//! 2 and changes nothing; a real hall on loopback serves a village kiosk a catalog without
//! the item hidden at its township (and the bundles needing it) while a county kiosk has
//! them, with different ETags; intake follows the same catalog; the dashboard shows the site.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;

use crate::authorisation::common::*;
use crate::authorisation::staff_pages::{get, send, sign_in};
use hall::store::PrincipalKind;
use hall_api::catalog::Catalog;

/// Runs the real `hall` binary; (exit code, stdout, stderr).
fn hall_cli(args: &[&str], db: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hall"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str], db: &Path) -> String {
    let (code, out, err) = hall_cli(args, db);
    assert_eq!(code, 0, "hall {args:?}: {err}");
    out
}

/// Bad input: exit code 2 and `expected` in the message.
fn refused(args: &[&str], db: &Path, expected: &str) {
    let (code, out, err) = hall_cli(args, db);
    assert_eq!(code, 2, "hall {args:?}: {out} {err}");
    assert!(err.contains(expected), "hall {args:?}: {err}");
}

async fn fetch(http: &reqwest::Client, base: &str, token: Option<&str>) -> (String, Catalog) {
    let mut req = http.get(format!("{base}/api/v1/catalog"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    (etag, resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_village_kiosk_shows_and_takes_only_what_its_village_offers() {
    let running = start().await;
    let (base, db) = (running.base.clone(), running.hall.db.clone());
    let http = reqwest::Client::new();

    ok(
        &["site", "add", "C1", "--name", "某县", "--level", "county"],
        &db,
    );
    ok(
        &[
            "site",
            "add",
            "T1",
            "--name",
            "城关镇",
            "--level",
            "township",
            "--parent",
            "C1",
        ],
        &db,
    );
    ok(
        &[
            "site", "add", "V1", "--name", "东村", "--level", "village", "--parent", "T1",
        ],
        &db,
    );

    // Bad input: a clear English message, exit code 2, nothing stored.
    let sites_before = running.hall.count("sites");
    refused(
        &[
            "site", "add", "V2", "--name", "西村", "--level", "village", "--parent", "C1",
        ],
        &db,
        "a village must be under a township, and \"C1\" is a county",
    );
    refused(
        &[
            "site", "add", "T2", "--name", "新镇", "--level", "township", "--parent", "NOPE",
        ],
        &db,
        "unknown parent site \"NOPE\"",
    );
    refused(
        &[
            "site", "add", "T3", "--name", "圈镇", "--level", "township", "--parent", "T3",
        ],
        &db,
        "cannot be its own parent",
    );
    refused(
        &[
            "site",
            "add",
            "T1",
            "--name",
            "城关镇",
            "--level",
            "township",
            "--parent",
            "C1",
        ],
        &db,
        "site \"T1\" already exists",
    );
    refused(
        &["site", "add", "X", "--name", "某", "--level", "hamlet"],
        &db,
        "unknown level \"hamlet\"",
    );
    refused(
        &["site", "add", "V3", "--name", "北村", "--level", "village"],
        &db,
        "a village needs --parent",
    );
    assert_eq!(running.hall.count("sites"), sites_before);
    let principals = running.hall.count("principals");
    refused(
        &["kiosk", "add", "lost-k", "--site", "NOPE"],
        &db,
        "unknown site \"NOPE\"",
    );
    assert_eq!(
        running.hall.count("principals"),
        principals,
        "no credential issued for a kiosk at an unknown site"
    );
    refused(
        &["kiosk", "site", "no-such-kiosk", "V1"],
        &db,
        "unknown kiosk",
    );
    refused(
        &["site", "items", "NOPE", "--hide", ITEM],
        &db,
        "unknown site",
    );
    refused(
        &["site", "items", "T1", "--hide", ITEM, "NO-SUCH-ITEM"],
        &db,
        "not item codes of the catalog in effect: NO-SUCH-ITEM; nothing changed",
    );
    assert_eq!(running.hall.count("site_item_rules"), 0);

    let village = ok(&["kiosk", "add", "village-k", "--site", "V1"], &db);
    let village = village.trim();
    // Without --site: the county level, as before sites existed.
    let county = ok(&["kiosk", "add", "county-k"], &db);
    let county = county.trim();
    let (whole_etag, whole) = fetch(&http, &base, Some(county)).await;
    let (same_etag, _) = fetch(&http, &base, Some(village)).await;
    assert_eq!(whole_etag, same_etag, "no rules yet: one catalog for all");

    ok(&["site", "items", "T1", "--hide", ITEM], &db);
    let with_item: Vec<&str> = whole
        .bundles
        .iter()
        .filter(|b| b.items.iter().any(|i| i == ITEM))
        .map(|b| b.code.as_str())
        .collect();
    assert!(!with_item.is_empty(), "the seed has bundles with {ITEM}");

    let (village_etag, village_catalog) = fetch(&http, &base, Some(village)).await;
    assert!(village_catalog.item(ITEM).is_none());
    for b in &with_item {
        assert!(
            village_catalog.bundle(b).is_none(),
            "bundle {b} needs {ITEM}"
        );
    }
    assert_eq!(village_catalog.items.len(), whole.items.len() - 1);
    assert_eq!(
        village_catalog.bundles.len(),
        whole.bundles.len() - with_item.len()
    );
    assert_ne!(village_catalog.version, whole.version);
    let (county_etag, county_catalog) = fetch(&http, &base, Some(county)).await;
    assert!(county_catalog.item(ITEM).is_some());
    for b in &with_item {
        assert!(county_catalog.bundle(b).is_some());
    }
    assert_ne!(village_etag, county_etag, "caches must tell the two apart");
    // The heartbeat's answer names the catalog version this kiosk is served.
    let ack: Value = http
        .post(format!("{base}/api/v1/kiosks/village-k/heartbeat"))
        .bearer_auth(village)
        .json(&heartbeat_body())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ack["catalogVersion"],
        village_catalog.version.as_str(),
        "{ack}"
    );
    // Revalidation: the village's own ETag is current; the county's is not.
    let revalidate = |etag: String| {
        http.get(format!("{base}/api/v1/catalog"))
            .bearer_auth(village)
            .header("if-none-match", etag)
            .send()
    };
    assert_eq!(
        revalidate(village_etag.clone()).await.unwrap().status(),
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        revalidate(county_etag.clone()).await.unwrap().status(),
        StatusCode::OK
    );
    // Without a credential: the whole catalog, as before.
    assert_eq!(fetch(&http, &base, None).await.0, county_etag);

    // Intake follows the site's catalog.
    let apply = |token: &str, key: &str| {
        http.post(format!("{base}/api/v1/applications"))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(&application_body())
            .send()
    };
    let refused_intake = apply(village, "site-key-0001").await.unwrap();
    assert_eq!(refused_intake.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused_intake.json().await.unwrap();
    assert_eq!(body["code"], "unknownItem", "{body}");
    assert_eq!(running.hall.count("applications"), 0);
    let taken = apply(county, "site-key-0002").await.unwrap();
    assert_eq!(taken.status(), StatusCode::CREATED);
    assert_eq!(running.hall.count("applications"), 1);

    // An allow list at the village: only those items (and the township's hide still holds).
    let other: Vec<&str> = whole
        .items
        .iter()
        .map(|i| i.code.as_str())
        .filter(|c| *c != ITEM)
        .take(2)
        .collect();
    ok(
        &["site", "items", "V1", "--only", ITEM, other[0], other[1]],
        &db,
    );
    let (_, only) = fetch(&http, &base, Some(village)).await;
    let mut codes: Vec<&str> = only.items.iter().map(|i| i.code.as_str()).collect();
    codes.sort_unstable();
    let mut want = other.clone();
    want.sort_unstable();
    assert_eq!(codes, want);
    assert_eq!(fetch(&http, &base, Some(county)).await.0, county_etag);

    // The tree, with kiosks and rules.
    let list = ok(&["site", "list"], &db);
    let lines: Vec<&str> = list.lines().collect();
    assert!(lines[0].starts_with("C1  某县  (county)"), "{list}");
    assert!(lines[1].starts_with("  T1  城关镇  (township)"), "{list}");
    assert!(lines[1].contains(&format!("hide: {ITEM}")), "{list}");
    assert!(
        lines[2].starts_with("    V1  东村  (village)  kiosks: village-k"),
        "{list}"
    );

    // Moving a kiosk: the county kiosk at the village gets the village's catalog.
    ok(&["kiosk", "site", "county-k", "V1"], &db);
    let (moved_etag, _) = fetch(&http, &base, Some(county)).await;
    assert_eq!(moved_etag, fetch(&http, &base, Some(village)).await.0);
    ok(&["site", "items", "V1", "--clear"], &db);
    assert_eq!(fetch(&http, &base, Some(village)).await.0, village_etag);

    // The dashboard names each kiosk's site and counts kiosks per site.
    let op = running
        .hall
        .credential(PrincipalKind::Operator, "ops")
        .await;
    let (name, secret) = op.split_once('.').unwrap();
    let page = http
        .get(format!("{base}/dashboard"))
        .basic_auth(name, Some(secret))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = page.split("data-kiosk=\"village-k\"").nth(1).unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("<td class=\"site\">某县 / 城关镇 / 东村</td>"),
        "{row}"
    );
    assert!(
        page.contains("<tr class=\"site-row\"><td>某县 / 城关镇 / 东村</td><td>2</td>"),
        "{page}"
    );

    // The 绩效考评 report lists kiosks by site, with the site in its own column.
    let pw = hall::staff::auth::add_account(
        running.hall.store.as_ref(),
        "boss",
        hall::store::staff::Role::Supervisor,
        &[],
        "boss",
    )
    .await
    .unwrap();
    crate::authorisation::common::password_chosen(&running.hall.store, "boss").await;
    let app = running.hall.router();
    let (cookie, _) = sign_in(&app, "boss", &pw).await;
    let today = hall::state::today_local().format("%Y-%m-%d").to_string();
    let csv = send(
        &app,
        get(
            &format!("/staff/reports/kiosks.csv?period=day&date={today}"),
            &cookie,
        ),
    )
    .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    let header = csv.body.lines().next().unwrap();
    assert!(
        header
            .trim_start_matches('\u{feff}')
            .starts_with("终端编号,站点,"),
        "{header}"
    );
    let line = csv
        .body
        .lines()
        .find(|l| l.contains("county-k"))
        .unwrap_or_else(|| panic!("county-k in {}", csv.body));
    assert!(line.starts_with("county-k,某县 / 城关镇 / 东村,"), "{line}");
    // And adds each site's kiosks up (按站点汇总): the village's two kiosks on one row.
    let sites = send(
        &app,
        get(
            &format!("/staff/reports/sites.csv?period=day&date={today}"),
            &cookie,
        ),
    )
    .await;
    assert_eq!(sites.status, 200, "{}", sites.body);
    let rows: Vec<&str> = sites.body.lines().skip(1).collect();
    let village_row = rows
        .iter()
        .find(|l| l.starts_with("某县 / 城关镇 / 东村,"))
        .unwrap_or_else(|| panic!("the village in {}", sites.body));
    let per_kiosk: u64 = csv
        .body
        .lines()
        .filter(|l| l.contains(",某县 / 城关镇 / 东村,"))
        .map(|l| l.split(',').nth(3).unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(
        village_row.starts_with(&format!("某县 / 城关镇 / 东村,2,{per_kiosk},")),
        "{village_row} (its kiosks sent {per_kiosk})"
    );
    assert_eq!(
        rows.iter()
            .filter(|l| l.starts_with("某县 / 城关镇 / 东村,"))
            .count(),
        1,
        "one row per site"
    );
    let page = send(
        &app,
        get(&format!("/staff/reports?period=day&date={today}"), &cookie),
    )
    .await;
    assert!(page.body.contains("按站点汇总"), "{}", page.body);
}
