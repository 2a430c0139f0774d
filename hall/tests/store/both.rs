//! The store's cases run against both backends: each `on_both!` case becomes a `sqlite` and
//! a `postgres` test with the same body (SQLite in a temporary file, PostgreSQL in a fresh
//! database of this binary's private cluster). The PostgreSQL store answers the same
//! methods as inherent ones until it implements every trait method (hall/README.md,
//! "PostgreSQL status"); then these bodies move to a generic `fn(impl Store)` unchanged.

use std::sync::Arc;

use chrono::{Duration, SubsecRound, TimeZone, Utc};
use hall::store::postgres::PgStore;
use hall::store::{
    Booked, CatalogAdded, IdempotencyScope, Moved, NewBooking, NewCatalogVersion, NewRating,
    NewTicket, Principal, PrincipalKind, Rated, Store, StoredCatalog, Written,
};
use hall_api::application::{Status, TimelineEntry};

use super::app;

macro_rules! on_both {
    ($name:ident, $store:ident => $body:block) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let $store = std::sync::Arc::new(
                    hall::store::sqlite::SqliteStore::open(&dir.path().join("hall.db")).unwrap(),
                );
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let url = crate::store::common::pg::fresh_database().await;
                let $store = std::sync::Arc::new(
                    hall::store::postgres::PgStore::connect(&url).await.unwrap(),
                );
                $body
            }
        }
    };
}

fn entry(status: Status) -> TimelineEntry {
    TimelineEntry {
        status,
        at: Utc::now(),
        note: None,
    }
}

on_both!(intake_is_idempotent_and_reads_back, store => {
    let first = app("key-1", "a1", "T-1");
    let Written::Created(rec) = store.create_application(first.clone()).await.unwrap() else {
        panic!("created")
    };
    assert_eq!((rec.id.as_str(), rec.status, rec.timeline.len()), ("a1", Status::Submitted, 1));
    assert_eq!(
        rec.received_at,
        first.received_at.trunc_subsecs(6),
        "both keep microseconds"
    );
    // The same key and body from a retry: the first record, nothing new.
    let retry = app("key-1", "a1-retry", "T-9");
    assert_eq!(
        store.create_application(retry).await.unwrap(),
        Written::Replayed(rec.clone())
    );
    let mut other = app("key-1", "a2", "T-2");
    other.scope.body_mac = [8; 32];
    assert_eq!(store.create_application(other).await.unwrap(), Written::Conflict);
    assert_eq!(
        store.idempotency("k1", "application", "key-1").await.unwrap(),
        Some(([7; 32], "a1".to_owned()))
    );
    assert_eq!(store.idempotency("k2", "application", "key-1").await.unwrap(), None);
    assert_eq!(store.application_by_tracking("T-1").await.unwrap(), Some(rec.clone()));
    assert_eq!(store.application("a2").await.unwrap(), None);
    assert_eq!(store.application_payload("a1").await.unwrap(), Some(vec![0; 16]));
    let mut later = app("key-2", "a3", "T-3");
    later.received_at = first.received_at + Duration::seconds(5);
    later.reusable_materials = vec![("hukoubu".into(), "户口簿".into())];
    store.create_application(later).await.unwrap();
    let mine = store.applications_of([2; 32], 10).await.unwrap();
    assert_eq!(mine.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a3", "a1"]);
    assert_eq!(store.applications_of([2; 32], 1).await.unwrap().len(), 1);
    assert!(store.applications_of([3; 32], 10).await.unwrap().is_empty());
    let held = store.reusable_materials([2; 32]).await.unwrap();
    assert_eq!(held.len(), 1, "newest per code");
    assert_eq!((held[0].1.as_str(), held[0].2), ("户口簿", first.received_at.trunc_subsecs(6) + Duration::seconds(5)));
});

on_both!(a_duplicate_tracking_code_fails_and_leaves_the_key_free, store => {
    store.create_application(app("key-1", "a1", "T-1")).await.unwrap();
    assert!(store.create_application(app("key-2", "a2", "T-1")).await.is_err());
    assert_eq!(store.idempotency("k1", "application", "key-2").await.unwrap(), None);
    assert!(matches!(
        store.create_application(app("key-2", "a2", "T-2")).await.unwrap(),
        Written::Created(_)
    ));
});

on_both!(status_moves_follow_the_loop_and_none_is_lost, store => {
    store.create_application(app("key-1", "a1", "T-1")).await.unwrap();
    assert_eq!(store.move_status("nope", entry(Status::Accepted)).await.unwrap(), Moved::NotFound);
    assert_eq!(
        store.move_status("a1", entry(Status::Concluded)).await.unwrap(),
        Moved::NotAllowed(Status::Submitted)
    );
    // Eight staff accept at once: one move happens, the others see it and are refused.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.move_status("a1", entry(Status::Accepted)).await.unwrap()
        }));
    }
    let mut done = 0;
    for t in tasks {
        match t.await.unwrap() {
            Moved::Done(_) => done += 1,
            Moved::NotAllowed(Status::Accepted) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(done, 1);
    let Moved::Done(rec) = store.move_status("a1", entry(Status::Processing)).await.unwrap() else {
        panic!("moved")
    };
    let steps: Vec<Status> = rec.timeline.iter().map(|e| e.status).collect();
    assert_eq!(steps, [Status::Submitted, Status::Accepted, Status::Processing]);
    assert_eq!(store.application("a1").await.unwrap().unwrap().status, Status::Processing);
});

on_both!(credentials_are_stored_revoked_and_restored, store => {
    let p = Principal {
        id: "k1".into(),
        kind: PrincipalKind::Kiosk,
        label: "城关镇便民服务中心".into(),
        secret_hash: [5; 32],
    };
    store.put_principal(p.clone()).await.unwrap();
    let got = store.principal(PrincipalKind::Kiosk, "k1").await.unwrap().unwrap();
    assert_eq!((got.label.as_str(), got.secret_hash), ("城关镇便民服务中心", [5; 32]));
    assert!(store.principal(PrincipalKind::Staff, "k1").await.unwrap().is_none());
    let (_, before) = store.generations().await.unwrap();
    assert!(store.revoke_principal(PrincipalKind::Kiosk, "k1").await.unwrap());
    assert!(!store.revoke_principal(PrincipalKind::Kiosk, "k1").await.unwrap());
    assert_eq!(store.generations().await.unwrap().1, before + 1);
    assert!(store.principal(PrincipalKind::Kiosk, "k1").await.unwrap().is_none());
    store.put_principal(p).await.unwrap();
    assert!(store.principal(PrincipalKind::Kiosk, "k1").await.unwrap().is_some());
    let at = Utc.with_ymd_and_hms(2024, 5, 6, 1, 2, 3).unwrap();
    store.record_heartbeat("k1", at, "{\"uptimeSeconds\":1}".into()).await.unwrap();
    store.record_heartbeat("k1", at + Duration::seconds(30), "{\"uptimeSeconds\":31}".into()).await.unwrap();
    let kiosks = store.kiosks().await.unwrap();
    assert_eq!(kiosks.len(), 1);
    assert_eq!(kiosks[0].last_seen, Some(at + Duration::seconds(30)));
    assert_eq!(kiosks[0].last_heartbeat.as_deref(), Some("{\"uptimeSeconds\":31}"));
    store.audit_id_lookup("k1", "progress", [2; 32], at).await.unwrap();
});

on_both!(catalog_versions_take_effect_in_order_and_edits_check_their_base, store => {
    let now = Utc::now();
    store.put_catalog(StoredCatalog { version: "v1".into(), json: "{}".into() }).await.unwrap();
    store.put_catalog(StoredCatalog { version: "v1".into(), json: "{\"x\":1}".into() }).await.unwrap();
    assert_eq!(store.catalog_at(Utc::now()).await.unwrap().unwrap().json, "{}");
    let (catalog_gen, _) = store.generations().await.unwrap();
    let version = |v: &str, at, base: Option<&str>| NewCatalogVersion {
        version: v.into(),
        json: format!("{{\"version\":\"{v}\"}}"),
        effective_at: at,
        source: "staff",
        author: Some("李四".into()),
        base: base.map(str::to_owned),
    };
    let tomorrow = (now + Duration::days(1)).trunc_subsecs(6);
    assert_eq!(
        store.add_catalog_version(version("v2", tomorrow, Some("v1"))).await.unwrap(),
        CatalogAdded::Stored
    );
    assert_eq!(
        store.add_catalog_version(version("v2", tomorrow, None)).await.unwrap(),
        CatalogAdded::LabelTaken
    );
    assert_eq!(
        store.add_catalog_version(version("v3", tomorrow, Some("v1"))).await.unwrap(),
        CatalogAdded::BaseChanged,
        "v2 is in effect then"
    );
    assert_eq!(store.generations().await.unwrap().0, catalog_gen + 1);
    assert_eq!(store.catalog_at(Utc::now()).await.unwrap().unwrap().version, "v1");
    assert_eq!(store.catalog_at(tomorrow).await.unwrap().unwrap().version, "v2");
    assert_eq!(store.next_catalog_switch(Utc::now()).await.unwrap(), Some(tomorrow));
    assert_eq!(store.next_catalog_switch(tomorrow).await.unwrap(), None);
    let versions = store.catalog_versions().await.unwrap();
    let labels: Vec<_> = versions.iter().map(|v| (v.version.as_str(), v.source.as_str())).collect();
    assert_eq!(labels, [("v2", "staff"), ("v1", "seed")]);
    assert_eq!(versions[0].author.as_deref(), Some("李四"));
    assert!(store.set_item_withdrawn("GG-1", true).await.unwrap());
    assert!(!store.set_item_withdrawn("GG-1", true).await.unwrap());
    assert_eq!(store.withdrawn_items().await.unwrap(), ["GG-1"]);
    assert!(store.set_item_withdrawn("GG-1", false).await.unwrap());
    assert!(store.withdrawn_items().await.unwrap().is_empty());
    assert_eq!(store.generations().await.unwrap().0, catalog_gen + 3);
});

/// Two hall processes on one PostgreSQL database (two stores, two pools) receive the same
/// deliveries at once: each key is stored once, the loser of each race answers the
/// winner's record, and nothing is left half-written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_halls_racing_on_one_key_store_one_application() {
    let url = crate::store::common::pg::fresh_database().await;
    let a = Arc::new(PgStore::connect(&url).await.unwrap());
    let b = Arc::new(PgStore::connect(&url).await.unwrap());
    let mut tasks = Vec::new();
    for i in 0..40 {
        for (n, store) in [(0, a.clone()), (1, b.clone())] {
            tasks.push(tokio::spawn(async move {
                // Each delivery mints its own id and tracking code, as the handler does.
                let delivery = app(
                    &format!("key-{i}"),
                    &format!("id-{i}-{n}"),
                    &format!("T-{i}-{n}"),
                );
                (i, store.create_application(delivery).await.unwrap())
            }));
        }
    }
    let mut winners = std::collections::BTreeMap::new();
    let mut replays = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (i, Written::Created(r)) => assert!(winners.insert(i, r).is_none(), "key {i} twice"),
            (i, Written::Replayed(r)) => replays.push((i, r)),
            (_, Written::Conflict) => panic!("same body, no conflict"),
        }
    }
    assert_eq!((winners.len(), replays.len()), (40, 40));
    for (i, r) in replays {
        assert_eq!(winners[&i], r, "the loser answers the winner's record");
    }
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    for table in [
        "applications",
        "idempotency",
        "timeline",
        "application_consents",
        "material_holdings",
    ] {
        let n: i64 = client
            .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 40, "{table}");
    }
}

fn rating(application_id: &str, level: u8, mac: u8) -> NewRating {
    NewRating {
        id: format!("r-{application_id}-{mac}"),
        application_id: application_id.into(),
        subject_code: "GG-000245-001".into(),
        level,
        reasons_json: "[]".into(),
        sealed: None,
        body_mac: [mac; 32],
        legacy_mac: None,
        kiosk_id: Some("k1".into()),
        rated_at: Utc::now().trunc_subsecs(6),
    }
}

fn scope(key: &str, kind: &'static str, mac: u8) -> IdempotencyScope {
    IdempotencyScope {
        kiosk_id: "k1".into(),
        kind,
        key: key.into(),
        body_mac: [mac; 32],
    }
}

fn booking(key: &str, slot: &str, capacity: u32) -> NewBooking {
    NewBooking {
        scope: scope(key, "appointment", 1),
        id: format!("b-{key}"),
        reference: format!("Y-{key}"),
        slot_id: slot.into(),
        capacity,
        item_code: None,
        sealed: vec![9; 8],
        booked_at: Utc::now().trunc_subsecs(6),
    }
}

on_both!(one_rating_per_application, store => {
    store.create_application(app("key-1", "a1", "T-1")).await.unwrap();
    let first = rating("a1", 2, 1);
    let Rated::Done(rec) = store.rate(first.clone()).await.unwrap() else { panic!("rated") };
    assert_eq!((rec.id.as_str(), rec.level), ("r-a1-1", 2));
    let mut replay = rating("a1", 2, 1);
    replay.id = "r-other".into();
    assert_eq!(store.rate(replay).await.unwrap(), Rated::Done(rec.clone()), "a replay");
    assert_eq!(store.rate(rating("a1", 5, 2)).await.unwrap(), Rated::AlreadyRated);
    let mut legacy = rating("a1", 2, 3);
    legacy.legacy_mac = Some([1; 32]);
    assert_eq!(store.rate(legacy).await.unwrap(), Rated::Done(rec));
    assert!(store.application("a1").await.unwrap().unwrap().rated);
    assert!(store.rate(rating("nope", 4, 1)).await.is_err(), "no such application");
});

on_both!(tickets_are_stored_once_per_key, store => {
    let ticket = |id: &str, mac| NewTicket {
        scope: scope("t-key", "complaint", mac),
        id: id.into(),
        reference: format!("TS-{id}"),
        category: "banbucheng".into(),
        item_code: None,
        sealed: vec![1; 4],
        received_at: Utc::now().trunc_subsecs(6),
    };
    let Written::Created(rec) = store.create_ticket(ticket("t1", 1)).await.unwrap() else {
        panic!("created")
    };
    assert_eq!(store.create_ticket(ticket("t2", 1)).await.unwrap(), Written::Replayed(rec.clone()));
    assert_eq!(store.create_ticket(ticket("t3", 2)).await.unwrap(), Written::Conflict);
    assert_eq!(store.ticket("t1").await.unwrap(), Some(rec));
    assert_eq!(store.ticket("t2").await.unwrap(), None);
});

on_both!(bookings_fill_a_slot_and_no_more, store => {
    let Booked::Written(Written::Created(first)) = store.book(booking("1", "D1-0900", 2)).await.unwrap() else {
        panic!("booked")
    };
    assert_eq!(first.booked_in_slot, 1);
    assert_eq!(
        store.book(booking("1", "D1-0900", 2)).await.unwrap(),
        Booked::Written(Written::Replayed(first.clone()))
    );
    assert!(matches!(
        store.book(booking("2", "D1-0900", 2)).await.unwrap(),
        Booked::Written(Written::Created(r)) if r.booked_in_slot == 2
    ));
    assert_eq!(store.book(booking("3", "D1-0900", 2)).await.unwrap(), Booked::Full);
    assert_eq!(store.idempotency("k1", "appointment", "3").await.unwrap(), None, "a full slot keeps no key");
    store.book(booking("4", "D1-1000", 2)).await.unwrap();
    store.book(booking("5", "D2-0900", 2)).await.unwrap();
    let mut counts = store.slot_counts("D1-").await.unwrap();
    counts.sort();
    assert_eq!(counts, [("D1-0900".to_owned(), 2), ("D1-1000".to_owned(), 1)]);
    let found = store.booking_by_reference("Y-1").await.unwrap().unwrap();
    assert_eq!((found.id.as_str(), found.booked_in_slot), ("b-1", 2));
    assert_eq!(store.booking("b-3").await.unwrap(), None);
});

/// Two halls booking one slot at once never overbook it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_halls_booking_one_slot_never_overbook() {
    let url = crate::store::common::pg::fresh_database().await;
    let halls = [
        Arc::new(PgStore::connect(&url).await.unwrap()),
        Arc::new(PgStore::connect(&url).await.unwrap()),
    ];
    let mut tasks = Vec::new();
    for i in 0..12 {
        let store = halls[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            store
                .book(booking(&i.to_string(), "D1-0900", 5))
                .await
                .unwrap()
        }));
    }
    let mut booked = 0;
    for t in tasks {
        match t.await.unwrap() {
            Booked::Written(Written::Created(_)) => booked += 1,
            Booked::Full => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(booked, 5);
    assert_eq!(
        halls[0].slot_counts("D1").await.unwrap(),
        [("D1-0900".to_owned(), 5)]
    );
}

/// Two halls moving one application at once, both moves allowed in either order: each is
/// applied after the other (the second counts the first's entry), none fails or is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_halls_moving_at_once_append_one_after_the_other() {
    let url = crate::store::common::pg::fresh_database().await;
    let halls = [
        Arc::new(PgStore::connect(&url).await.unwrap()),
        Arc::new(PgStore::connect(&url).await.unwrap()),
    ];
    for i in 0..10 {
        let id = format!("a{i}");
        halls[0]
            .create_application(app(&format!("k{i}"), &id, &format!("T-{i}")))
            .await
            .unwrap();
        halls[0]
            .move_status(&id, entry(Status::Accepted))
            .await
            .unwrap();
        let moves = [Status::Processing, Status::CorrectionRequired].map(|status| {
            let (store, id) = (halls[(i + status as usize) % 2].clone(), id.clone());
            tokio::spawn(async move { store.move_status(&id, entry(status)).await.unwrap() })
        });
        let mut done = 0;
        for m in moves {
            match m.await.unwrap() {
                Moved::Done(_) => done += 1,
                Moved::NotAllowed(Status::CorrectionRequired) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        let rec = halls[1].application(&id).await.unwrap().unwrap();
        assert_eq!(
            rec.timeline.len(),
            2 + done,
            "every applied move is in the timeline"
        );
        assert_eq!(rec.status, rec.timeline.last().unwrap().status);
    }
}

/// The database stops (as in a crash or a fail-over): a write fails as a retry (the
/// handlers answer 503 with Retry-After, so the kiosk keeps it in its outbox) and stores
/// nothing; when the database is back the same store takes the retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_a_retry_and_the_store_recovers() {
    use hall::error::{ApiError, ErrorKind};
    let cluster = crate::store::common::pg::private_cluster();
    let store = PgStore::connect(&cluster.database().await).await.unwrap();
    assert!(matches!(
        store
            .create_application(app("key-1", "a1", "T-1"))
            .await
            .unwrap(),
        Written::Created(_)
    ));
    cluster.stop();
    let err = store
        .create_application(app("key-2", "a2", "T-2"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Retry, "{err}");
    let answer = ApiError::from(err);
    assert_eq!(
        (answer.status.as_u16(), answer.retry_after.is_some()),
        (503, true)
    );
    cluster.start();
    let mut retried = None;
    // The pool drops the connections the restart closed; the first attempts may meet one.
    for _ in 0..(hall::store::postgres::POOL_SIZE + 1) {
        match store.create_application(app("key-2", "a2", "T-2")).await {
            Ok(written) => {
                retried = Some(written);
                break;
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::Retry, "{e}"),
        }
    }
    assert!(matches!(retried, Some(Written::Created(r)) if r.id == "a2"));
    assert!(
        store.application("a1").await.unwrap().is_some(),
        "nothing lost"
    );
}

/// Heartbeats on PostgreSQL are written in groups: 200 kiosks' heartbeats sent at once
/// through two halls land in far fewer statements than heartbeats, each call returns only
/// once its heartbeat is stored (the other hall reads it at once), and the newest of a
/// kiosk's heartbeats wins even when an older one arrives later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_are_written_in_batches_and_the_newest_wins() {
    use hall::store::postgres::HeartbeatBatching;
    let url = crate::store::common::pg::fresh_database().await;
    let batching = HeartbeatBatching {
        batched: true,
        wait: std::time::Duration::from_millis(50),
    };
    let halls = [
        Arc::new(PgStore::connect_with(&url, batching).await.unwrap()),
        Arc::new(PgStore::connect_with(&url, batching).await.unwrap()),
    ];
    let at = Utc::now().trunc_subsecs(6);
    let mut sent = tokio::task::JoinSet::new();
    for k in 0..200 {
        let hall = Arc::clone(&halls[k % 2]);
        sent.spawn(async move {
            hall.record_heartbeat(&format!("k{k:03}"), at, format!("{{\"n\":{k}}}"))
                .await
        });
    }
    while let Some(done) = sent.join_next().await {
        done.unwrap().unwrap();
    }
    let (batches, beats) = (
        halls[0].heartbeat_batches().0 + halls[1].heartbeat_batches().0,
        halls[0].heartbeat_batches().1 + halls[1].heartbeat_batches().1,
    );
    assert_eq!(beats, 200);
    assert!(
        batches * 4 <= beats,
        "{batches} batches for {beats} heartbeats"
    );

    let (pg, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let stored: i64 = pg
        .query_one(
            "SELECT COUNT(*) FROM kiosk_state WHERE last_seen = $1",
            &[&at],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 200, "every answered heartbeat is stored");

    // A newer heartbeat at one hall, then an older one (delayed) at the other.
    let newer = at + Duration::seconds(30);
    halls[0]
        .record_heartbeat("k000", newer, "{\"n\":\"newer\"}".into())
        .await
        .unwrap();
    halls[1]
        .record_heartbeat(
            "k000",
            at + Duration::seconds(1),
            "{\"n\":\"older\"}".into(),
        )
        .await
        .unwrap();
    let row = pg
        .query_one(
            "SELECT last_seen, heartbeat FROM kiosk_state WHERE kiosk_id = 'k000'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, chrono::DateTime<Utc>>(0), newer);
    assert_eq!(row.get::<_, String>(1), "{\"n\":\"newer\"}");
}
