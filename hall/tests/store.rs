//! The SQLite store on its own: a failing request inside a group-committed batch rolls back
//! only itself, and data survives closing and reopening (migrations run once).

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use hall::store::sqlite::SqliteStore;
use hall::store::{IdempotencyScope, NewApplication, Store, Written};

fn app(key: &str, id: &str, tracking: &str) -> NewApplication {
    NewApplication {
        scope: IdempotencyScope {
            kiosk_id: "k1".into(),
            kind: "application",
            key: key.into(),
            body_mac: [7; 32],
        },
        id: id.into(),
        tracking_code: tracking.into(),
        verifier_hash: [1; 32],
        subject_type: "item",
        subject_code: "GG-000245-001".into(),
        subject_name: "社会保障卡申领".into(),
        catalog_version: "v".into(),
        applicant_key: [2; 32],
        sealed_payload: vec![0; 16],
        mailed: false,
        reusable_materials: vec![("hukoubu".into(), "居民户口簿".into())],
        received_at: Utc::now(),
        promised_by: NaiveDate::from_ymd_opt(2024, 5, 20).expect("a valid date"),
        notify_consent: false,
        channel: hall::store::reports::Channel::Kiosk,
        attachments: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_request_in_a_batch_rolls_back_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    assert!(matches!(
        store
            .create_application(app("key-a", "a", "T-1"))
            .await
            .unwrap(),
        Written::Created(_)
    ));
    // Many requests at once so they share batches; every odd one collides on the tracking code.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = store.clone();
        let tracking = if i % 2 == 1 {
            "T-1".to_owned()
        } else {
            format!("T-{}", i + 100)
        };
        tasks.push(tokio::spawn(async move {
            store
                .create_application(app(&format!("key-{i}"), &format!("id-{i}"), &tracking))
                .await
        }));
    }
    let mut ok = 0;
    let mut failed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(Written::Created(_)) => ok += 1,
            Err(_) => failed += 1,
            Ok(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok, failed), (20, 20));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |t: &str| -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count("applications"), 21);
    assert_eq!(
        count("idempotency"),
        21,
        "the failed requests left no key behind"
    );
    assert_eq!(count("timeline"), 21);
    assert_eq!(count("material_holdings"), 21);
}

#[tokio::test]
async fn data_survives_a_restart_and_migrations_run_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    {
        let store = SqliteStore::open(&db).unwrap();
        store
            .create_application(app("key-a", "a", "T-1"))
            .await
            .unwrap();
        store.close();
    }
    let store = SqliteStore::open(&db).unwrap();
    let rec = store
        .application_by_tracking("T-1")
        .await
        .unwrap()
        .expect("still there");
    assert_eq!(rec.id, "a");
    assert_eq!(rec.timeline.len(), 1);
    let again = store
        .create_application(app("key-a", "other-id", "T-2"))
        .await
        .unwrap();
    assert!(
        matches!(again, Written::Replayed(r) if r.id == "a"),
        "the key is remembered across restarts"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(
        (version, mode.as_str()),
        (hall::store::sqlite::latest_schema(), "wal")
    );
    assert!(version >= 2, "issue 15's migration is applied");
}
