//! Running halls on PostgreSQL: heartbeats written in batches survive a clean shutdown and
//! show in the other hall's fleet view; a database outage is answered 503 with Retry-After
//! and the kiosk's retry is taken once it is back; `hall migrate-to` moves a county's SQLite
//! database (filled through a real SQLite hall) and a PostgreSQL hall serves the same
//! receipts, credentials and progress.

// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::ffi::OsStr;
use std::process::Command;
use std::time::Duration;

use hall::store::postgres::PgStore;
use hall::store::{PrincipalKind, Store};

use super::postgres::{serve_with, Hall};
use super::*;

async fn issue(store: &PgStore, kind: PrincipalKind, id: &str) -> String {
    let issued = hall::auth::issue(kind, id, "城关镇便民服务中心").unwrap();
    store.put_principal(issued.principal).await.unwrap();
    issued.token.to_string()
}

/// SIGTERM: the hall finishes the requests in flight, then stops.
fn terminate(hall: &mut Hall) {
    let status = Command::new("kill")
        .args(["-TERM", &hall.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = hall.child.wait().unwrap();
    assert!(exit.success(), "stopped cleanly: {exit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_heartbeats_survive_a_clean_shutdown_and_show_at_the_other_hall() {
    const KIOSKS: usize = 120;
    let url = common::pg::fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("hall.keys");
    let store = PgStore::connect(&url).await.unwrap();
    let mut tokens = Vec::new();
    for k in 0..KIOSKS {
        tokens.push(issue(&store, PrincipalKind::Kiosk, &format!("k{k:03}")).await);
    }
    let ops = issue(&store, PrincipalKind::Operator, "ops").await;
    store.close();
    // A long batch window: the shutdown comes while every heartbeat waits in the batch.
    let mut a = serve_with(
        &url,
        &keys,
        &[OsStr::new("--heartbeat-batch-ms"), OsStr::new("1000")],
    );
    let b = serve_with(&url, &keys, &[]);
    let http = client();
    let mut sent = tokio::task::JoinSet::new();
    for (k, token) in tokens.iter().enumerate() {
        let (http, base, token) = (http.clone(), a.base.clone(), token.clone());
        sent.spawn(async move {
            http.post(format!("{base}/api/v1/kiosks/k{k:03}/heartbeat"))
                .bearer_auth(token)
                .json(&heartbeat_body())
                .send()
                .await
                .map(|r| r.status())
        });
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    terminate(&mut a);
    let mut answered = 0;
    while let Some(status) = sent.join_next().await {
        assert_eq!(
            status.unwrap().unwrap(),
            StatusCode::OK,
            "in flight: finished"
        );
        answered += 1;
    }
    assert_eq!(answered, KIOSKS);
    let fleet: Value = http
        .get(format!("{}/api/v1/fleet", b.base))
        .bearer_auth(&ops)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kiosks = fleet["kiosks"].as_array().unwrap();
    assert_eq!(kiosks.len(), KIOSKS);
    for k in kiosks {
        assert_eq!(k["online"], true, "{k}");
        assert_eq!(k["paper"], "low", "{k}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_answered_503_and_the_kiosk_retry_is_taken_after() {
    let cluster = common::pg::private_cluster();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("hall.keys");
    let store = PgStore::connect(&url).await.unwrap();
    let kiosk = issue(&store, PrincipalKind::Kiosk, "k1").await;
    store.close();
    let hall = serve_with(&url, &keys, &[]);
    let http = client();
    let post = |key: &'static str| {
        http.post(format!("{}/api/v1/applications", hall.base))
            .bearer_auth(&kiosk)
            .header("idempotency-key", key)
            .json(&application_body())
            .send()
    };
    assert_eq!(
        post("outage-0001").await.unwrap().status(),
        StatusCode::CREATED
    );

    cluster.stop();
    for key in ["outage-0002", "outage-0002"] {
        let r = post(key).await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.headers().contains_key("retry-after"));
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "unavailable");
    }
    let hb = http
        .post(format!("{}/api/v1/kiosks/k1/heartbeat", hall.base))
        .bearer_auth(&kiosk)
        .json(&heartbeat_body())
        .send()
        .await
        .unwrap();
    assert_eq!(hb.status(), StatusCode::SERVICE_UNAVAILABLE);

    cluster.start();
    let mut taken = None;
    // The pool drops the connections the restart closed; the first retries may meet one.
    for _ in 0..40 {
        let r = post("outage-0002").await.unwrap();
        if r.status() == StatusCode::CREATED {
            taken = Some(r.json::<Value>().await.unwrap());
            break;
        }
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        taken.is_some(),
        "the retry is taken once the database is back"
    );
    let (pg, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let n: i64 = pg
        .query_one("SELECT COUNT(*) FROM applications", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2, "nothing lost, nothing twice");
}

fn hall_cli(args: &[&OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hall"))
        .args(args)
        .output()
        .unwrap()
}

fn token(out: std::process::Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A county's SQLite hall, filled over HTTP (applications, bundles, moves, ratings, a
/// heartbeat, audited look-ups by ID number), moved with `hall migrate-to`; a hall on the
/// PostgreSQL database, with the same key file, answers the same receipts and details, takes
/// the same credentials, and hands out new ids after the copied ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_to_moves_a_county_from_sqlite_and_the_hall_serves_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    let keys = dir.path().join("county.db.keys");
    let dbs = db.as_os_str();
    let o = OsStr::new;
    let kiosk = token(hall_cli(&[o("kiosk"), o("add"), o("k1"), o("--db"), dbs]));
    let staff = token(hall_cli(&[
        o("staff"),
        o("add"),
        o("clerk"),
        o("--db"),
        dbs,
    ]));
    let ops = token(hall_cli(&[
        o("operator"),
        o("add"),
        o("ops"),
        o("--db"),
        dbs,
    ]));
    let mut sqlite_hall = serve_with(db.to_str().unwrap(), &keys, &[]);
    let http = client();
    let base = sqlite_hall.base.clone();

    let hb = http
        .post(format!("{base}/api/v1/kiosks/k1/heartbeat"))
        .bearer_auth(&kiosk)
        .json(&heartbeat_body())
        .send()
        .await
        .unwrap();
    assert_eq!(hb.status(), StatusCode::OK);
    let mut receipts = Vec::new();
    for i in 0..24 {
        let body = if i % 3 == 0 {
            newborn_bundle_body()
        } else {
            application_body()
        };
        let r = http
            .post(format!("{base}/api/v1/applications"))
            .bearer_auth(&kiosk)
            .header("idempotency-key", format!("county-{i:04}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        receipts.push(r.json::<Value>().await.unwrap());
    }
    for (i, r) in receipts.iter().enumerate().take(12) {
        let id = r["id"].as_str().unwrap();
        for to in ["accepted", "processing", "concluded"]
            .iter()
            .take(1 + i % 3)
        {
            let moved = http
                .post(format!("{base}/api/v1/applications/{id}/status"))
                .bearer_auth(&staff)
                .json(&json!({"to": to, "note": null}))
                .send()
                .await
                .unwrap();
            assert_eq!(moved.status(), StatusCode::OK);
        }
    }
    for r in receipts.iter().skip(20) {
        let rated = http
            .post(format!("{base}/api/v1/ratings"))
            .bearer_auth(&kiosk)
            .json(
                &json!({"trackingCode": r["trackingCode"], "verifier": r["verifier"],
                "level": 2, "reasons": ["tooSlow"], "comment": "等了很久", "contact": null}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(rated.status(), StatusCode::CREATED);
    }
    let by_id = |base: String| {
        http.post(format!("{base}/api/v1/progress/by-id-number"))
            .bearer_auth(&kiosk)
            .json(&json!({"idNumber": ID_NUMBER}))
            .send()
    };
    assert_eq!(by_id(base.clone()).await.unwrap().status(), StatusCode::OK);
    let progress = |base: String, r: &Value| {
        http.post(format!("{base}/api/v1/progress"))
            .json(&json!({"trackingCode": r["trackingCode"], "verifier": r["verifier"]}))
            .send()
    };
    let details = |base: String, r: &Value| {
        http.get(format!(
            "{base}/api/v1/applications/{}/details",
            r["id"].as_str().unwrap()
        ))
        .bearer_auth(&staff)
        .send()
    };
    let mut before = Vec::new();
    for r in &receipts {
        let p: Value = progress(base.clone(), r)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let d: Value = details(base.clone(), r)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        before.push((p, d));
    }
    terminate(&mut sqlite_hall);

    let cluster_url = common::pg::fresh_database().await;
    let url = OsStr::new(&cluster_url);
    let bad = hall_cli(&[o("migrate-to"), o("/not/a/url"), o("--db"), dbs]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    let moved = hall_cli(&[o("migrate-to"), url, o("--db"), dbs]);
    assert!(moved.status.success(), "{moved:?}");
    let report = String::from_utf8(moved.stderr).unwrap();
    assert!(report.contains("row counts checked"), "{report}");
    assert!(!report.contains(ID_NUMBER) && !report.contains("postgresql://"));
    let again = hall_cli(&[o("migrate-to"), url, o("--db"), dbs]);
    assert_eq!(again.status.code(), Some(2), "a second run is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    // Every table holds what SQLite held.
    let (pg, connection) = tokio_postgres::connect(&cluster_url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let sqlite = rusqlite::Connection::open(&db).unwrap();
    for table in [
        "applications",
        "timeline",
        "idempotency",
        "ratings",
        "rating_cases",
        "principals",
        "kiosk_state",
        "id_lookups",
        "application_facts",
        "catalog",
        "generations",
        "material_holdings",
        "application_consents",
    ] {
        let here: i64 = pg
            .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0);
        let there: i64 = sqlite
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(here, there, "{table}");
    }

    let pg_hall = serve_with(&cluster_url, &keys, &[]);
    let base = pg_hall.base.clone();
    for (r, (p, d)) in receipts.iter().zip(&before) {
        let p2: Value = progress(base.clone(), r)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let d2: Value = details(base.clone(), r)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(&p2, p, "the same progress");
        assert_eq!(&d2, d, "the same details, unsealed with the same key file");
    }
    // The same credentials; new rows after the copied ids (identity sequences moved on).
    assert_eq!(by_id(base.clone()).await.unwrap().status(), StatusCode::OK);
    let lookups: i64 = pg
        .query_one("SELECT COUNT(*) FROM id_lookups", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(lookups, 2);
    let replay = http
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "county-0001")
        .json(&application_body())
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert!(replay.headers().contains_key("idempotent-replayed"));
    assert_eq!(replay.json::<Value>().await.unwrap(), receipts[1]);
    let fresh = http
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "county-after-move")
        .json(&application_body())
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), StatusCode::CREATED);
    let fleet: Value = http
        .get(format!("{base}/api/v1/fleet"))
        .bearer_auth(&ops)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fleet["kiosks"][0]["kioskId"], "k1");
    assert_eq!(fleet["kiosks"][0]["paper"], "low");
}
