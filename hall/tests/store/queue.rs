//! The notice queue on both backends, and on PostgreSQL several halls' workers draining one
//! queue: each delivery is claimed by one worker at a time and sent once.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{SubsecRound, Utc};
use hall::notify::queue::{NewNotice, NoticeStore, Outcome};
use hall::notify::EventKind;
use hall::store::postgres::PgStore;
use hall::store::{IdempotencyScope, NewTicket, Store, Written};

fn notice(id: &str, targets: &[&str]) -> NewNotice {
    NewNotice {
        id: id.into(),
        kind: EventKind::HelpRequested,
        created_at: Utc::now(),
        sealed: vec![1, 2, 3],
        targets: targets.iter().map(|t| (*t).to_owned()).collect(),
    }
}

on_both!(notices_are_claimed_under_a_lease_and_settled_once, store => {
    let lease = Duration::from_secs(60);
    let now = Utc::now() + chrono::Duration::seconds(1);
    store.enqueue(notice("n1", &["sms:1", "mail:a"])).await.unwrap();
    let first = store.claim("w1", now, lease, 10).await.unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|c| c.attempts == 1 && c.sealed.as_deref() == Some(&[1u8, 2, 3][..])));
    assert!(store.claim("w2", now, lease, 10).await.unwrap().is_empty(), "leased");
    let lapses = (now + chrono::Duration::seconds(60)).trunc_subsecs(6);
    assert_eq!(store.next_due().await.unwrap(), Some(lapses), "due when the lease lapses");
    // The lease lapses: another worker takes both over.
    let later = now + chrono::Duration::seconds(61);
    let taken = store.claim("w2", later, lease, 10).await.unwrap();
    assert_eq!(taken.iter().map(|c| c.attempts).collect::<Vec<_>>(), [2, 2]);
    // w1 did send the first: a delivery counts whoever holds the claim.
    store.settle(first[0].delivery_id, "w1", Outcome::Delivered, later).await.unwrap();
    // w1's retry of the second is ignored (w2 holds it); w2 gives up on it.
    let retry = Outcome::Retry { error: "timeout".into(), at: later };
    store.settle(first[1].delivery_id, "w1", retry, later).await.unwrap();
    store.settle(taken[1].delivery_id, "w2", Outcome::GiveUp { error: "refused".into() }, later).await.unwrap();
    let log = store.delivery_log(10).await.unwrap();
    let mut states: Vec<_> = log.iter().map(|r| (r.target.as_str(), r.status.as_str(), r.last_error.as_deref())).collect();
    states.sort();
    assert_eq!(states, [("mail:a", "failed", Some("refused")), ("sms:1", "delivered", None)]);
    assert_eq!(store.next_due().await.unwrap(), None);
    let stats = store.queue_stats(later).await.unwrap();
    let mut figures: Vec<_> = stats.iter().map(|s| (s.target.as_str(), s.delivered, s.failed, s.pending)).collect();
    figures.sort();
    assert_eq!(figures, [("mail:a", 0, 1, 0), ("sms:1", 1, 0, 0)]);
    assert!(store.claim("w3", later + chrono::Duration::days(1), lease, 10).await.unwrap().is_empty());
});

on_both!(a_ticket_notifies_once_and_consent_is_read, store => {
    let ticket = |id: &str| NewTicket {
        scope: IdempotencyScope { kiosk_id: "k1".into(), kind: "help", key: "h1".into(), body_mac: [1; 32] },
        id: id.into(),
        reference: format!("H-{id}"),
        category: "wheelchair".into(),
        item_code: None,
        sealed: vec![1],
        received_at: Utc::now(),
    };
    let created = store.create_ticket_notifying(ticket("t1"), Some(notice("e1", &["staff"]))).await.unwrap();
    assert!(matches!(created, Written::Created(_)));
    let replay = store.create_ticket_notifying(ticket("t2"), Some(notice("e2", &["staff"]))).await.unwrap();
    assert!(matches!(replay, Written::Replayed(_)));
    assert_eq!(store.delivery_log(10).await.unwrap().len(), 1, "a replay queues nothing");
    let mut consenting = crate::store::app("key-c", "c1", "T-C");
    consenting.notify_consent = true;
    store.create_application(consenting).await.unwrap();
    store.create_application(crate::store::app("key-d", "d1", "T-D")).await.unwrap();
    assert!(store.notice_consent("c1").await.unwrap());
    assert!(!store.notice_consent("d1").await.unwrap());
    assert!(!store.notice_consent("nope").await.unwrap());
});

/// Two halls, two workers each, drain 200 notices from one PostgreSQL queue: every
/// delivery is claimed exactly once and ends delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_workers_in_two_halls_send_each_notice_once() {
    let url = crate::store::common::pg::fresh_database().await;
    let halls = [
        Arc::new(PgStore::connect(&url).await.unwrap()),
        Arc::new(PgStore::connect(&url).await.unwrap()),
    ];
    for i in 0..200 {
        halls[i % 2]
            .enqueue(notice(&format!("e{i}"), &["staff"]))
            .await
            .unwrap();
    }
    let now = Utc::now() + chrono::Duration::seconds(1);
    let mut workers = Vec::new();
    for w in 0..4 {
        let store = halls[w % 2].clone();
        workers.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            loop {
                let name = format!("w{w}");
                let batch = store
                    .claim(&name, now, Duration::from_secs(600), 7)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return sent;
                }
                for c in batch {
                    store
                        .settle(c.delivery_id, &name, Outcome::Delivered, now)
                        .await
                        .unwrap();
                    sent.push(c.delivery_id);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let distinct: BTreeSet<_> = all.iter().collect();
    assert_eq!(
        (all.len(), distinct.len()),
        (200, 200),
        "each notice sent once"
    );
    let stats = halls[0].queue_stats(now).await.unwrap();
    assert_eq!((stats[0].delivered, stats[0].pending), (200, 0));
}

on_both!(the_latest_application_decides_whether_a_phone_may_be_offered, store => {
    assert_eq!(store.latest_consent([2; 32]).await.unwrap(), None, "nothing yet");
    let mut consenting = crate::store::app("key-c", "c1", "T-C");
    consenting.notify_consent = true;
    let at = consenting.received_at;
    store.create_application(consenting).await.unwrap();
    assert_eq!(store.latest_consent([2; 32]).await.unwrap(), Some(("c1".into(), true)));
    // A later application without consent withdraws it.
    let mut later = crate::store::app("key-d", "d1", "T-D");
    later.received_at = at + chrono::Duration::seconds(5);
    store.create_application(later).await.unwrap();
    assert_eq!(store.latest_consent([2; 32]).await.unwrap(), Some(("d1".into(), false)));
    assert_eq!(store.latest_consent([3; 32]).await.unwrap(), None, "another citizen");
});
