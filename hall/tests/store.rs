//! The SQLite store on its own: a failing request inside a group-committed batch rolls back
//! only itself, and data survives closing and reopening (migrations run once).

use std::sync::Arc;

#[macro_use]
#[path = "store/both.rs"]
mod both;
#[path = "store/attachments.rs"]
mod attachments;
use crate::common;
#[path = "store/followup.rs"]
mod followup;
#[path = "store/queue.rs"]
mod queue;
#[path = "store/reports.rs"]
mod reports;
#[path = "store/schema.rs"]
mod schema;
#[path = "store/sites.rs"]
mod sites;
#[path = "store/staff.rs"]
mod staff;
#[path = "store/updates.rs"]
mod updates;

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
        partner: None,
        attachments: Vec::new(),
        first_note: None,
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

/// Migration 11 widens `applications.channel` in place: a database that ran it accepts
/// `partner`, still refuses other spellings, and running it again changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_channel_migration_widens_the_check_and_runs_again_harmlessly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let marker = hall::store::sqlite::migration_containing("CREATE TABLE IF NOT EXISTS partners")
        .expect("the partners migration");
    SqliteStore::open(&db).unwrap().close();
    let schema = |conn: &rusqlite::Connection| -> String {
        conn.query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'applications'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        assert_eq!(schema(&conn).matches("'partner'").count(), 1);
        conn.pragma_update(None, "user_version", marker - 1)
            .unwrap();
    }
    let store = SqliteStore::open(&db).unwrap();
    let mut partner = app("key-p", "p", "T-P");
    partner.channel = hall::store::reports::Channel::Partner;
    assert!(matches!(
        store.create_application(partner).await.unwrap(),
        Written::Created(r) if r.channel == hall::store::reports::Channel::Partner
    ));
    store.close();
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(
        schema(&conn).matches("'partner'").count(),
        1,
        "widened once"
    );
    let wrong = conn.execute("UPDATE applications SET channel = 'fax' WHERE id = 'p'", []);
    assert!(wrong.is_err(), "the CHECK still holds");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

// A cross-province application taken in after its item was withdrawn carries both first
// notes: the 代收 note of its partner link and the withdrawal note (neither overwrites the
// other), on both backends.
on_both!(a_forwarded_application_keeps_its_withdrawal_note_beside_the_partner_note, store => {
    use hall::partners::{PartnerLink, QueuedForward};
    use hall::handlers::applications::WITHDRAWN_AFTER_SUBMISSION;
    let place = hall_api::catalog::PartnerPlace {
        code: "420600".into(),
        name: "湖北省襄阳市".into(),
        name_en: "Xiangyang, Hubei".into(),
    };
    let mut new = app("key-w", "w", "T-W");
    new.first_note = Some(WITHDRAWN_AFTER_SUBMISSION.into());
    new.partner = Some(PartnerLink::ForwardTo {
        place,
        forward: QueuedForward {
            event_id: "fwd-w".into(),
            sealed: vec![1, 2, 3],
            created_at: Utc::now(),
        },
    });
    let Written::Created(rec) = store.create_application(new).await.unwrap() else {
        panic!("created")
    };
    assert_eq!(
        rec.timeline[0].note.as_deref(),
        Some(format!("代收：本件由湖北省襄阳市办理，已转交。{WITHDRAWN_AFTER_SUBMISSION}").as_str())
    );
    // Read back from the database, not from what was written.
    let again = store.application("w").await.unwrap().unwrap();
    assert_eq!(again.timeline, rec.timeline);
    // Without a partner the withdrawal note stands alone; without either there is none.
    let mut plain = app("key-x", "x", "T-X");
    plain.first_note = Some(WITHDRAWN_AFTER_SUBMISSION.into());
    let Written::Created(rec) = store.create_application(plain).await.unwrap() else {
        panic!("created")
    };
    assert_eq!(rec.timeline[0].note.as_deref(), Some(WITHDRAWN_AFTER_SUBMISSION));
    let Written::Created(rec) = store.create_application(app("key-y", "y", "T-Y")).await.unwrap() else {
        panic!("created")
    };
    assert_eq!(rec.timeline[0].note, None);
});

// A forward rides the notice queue's tables (on both backends) in its own lane: the notice
// worker never claims it, the partner worker does; a partner's steps apply once each, in order.
on_both!(forwards_have_their_own_lane_and_partner_steps_apply_once_each, store => {
    use hall::notify::queue::NoticeStore;
    use hall::partners::{PartnerLink, PartnerStore, QueuedForward};
    use hall_api::application::{Status, TimelineEntry};
    let place = hall_api::catalog::PartnerPlace {
        code: "420600".into(),
        name: "湖北省襄阳市".into(),
        name_en: "Xiangyang, Hubei".into(),
    };
    let mut new = app("key-f", "f", "T-F");
    new.partner = Some(PartnerLink::ForwardTo {
        place: place.clone(),
        forward: QueuedForward {
            event_id: "fwd-f".into(),
            sealed: vec![1, 2, 3],
            created_at: Utc::now(),
        },
    });
    let Written::Created(rec) = store.create_application(new).await.unwrap() else {
        panic!("created")
    };
    assert_eq!(rec.handled_by, Some(place));
    assert!(rec.timeline[0].note.as_deref().unwrap().contains("代收"));
    let lease = std::time::Duration::from_secs(5);
    let now = Utc::now();
    assert!(store
        .claim("notices", now, lease, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store.queue_stats(now).await.unwrap().is_empty());
    let claimed = store.claim_forwards("w", now, lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].target, "partner:420600");
    assert_eq!(claimed[0].sealed.as_deref(), Some(&[1u8, 2, 3][..]));
    store.mark_forwarded("f", "remote-1", "R-1").await.unwrap();
    assert_eq!(store.open_forwards("420600").await.unwrap().len(), 1);

    let step = |status| {
        Some(TimelineEntry {
            status,
            at: Utc::now(),
            note: None,
        })
    };
    // The partner's own first entry counts as applied; its next is step 1.
    assert!(store
        .apply_partner_step("f", 0, step(Status::Accepted), None, false)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .apply_partner_step("f", 1, step(Status::Accepted), None, false)
        .await
        .unwrap()
        .is_some());
    for (index, status) in [(1, Status::Accepted), (3, Status::Concluded)] {
        let again = store
            .apply_partner_step("f", index, step(status), None, false)
            .await
            .unwrap();
        assert!(again.is_none(), "a repeat or a gap applies nothing");
    }
    store
        .apply_partner_step("f", 2, step(Status::Processing), None, true)
        .await
        .unwrap();
    let rec = store.application("f").await.unwrap().unwrap();
    assert_eq!(rec.status, Status::Processing);
    assert_eq!(rec.timeline.len(), 3);
    assert!(
        store.open_forwards("420600").await.unwrap().is_empty(),
        "a final step ends the following"
    );
});
