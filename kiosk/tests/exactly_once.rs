//! Exactly-once delivery under faults: the real outbox, hall client and delivery worker
//! against the real hall (axum + SQLite, in-process on loopback) through a fault-injecting
//! proxy. The hall stopped and restarted, answering 500s, answering too slowly, answers lost
//! after the hall stored the application, and all of those mixed at random: in every case
//! each of hundreds of applications is stored by the hall exactly once (counted in its
//! database by idempotency key) and the outbox ends empty.
//!
//! `EXACTLY_ONCE_SEED=N` replays the random schedule of a run (each test prints its seed).

use crate::exactly_once_support;

use std::time::Duration;

use exactly_once_support::hall::LoopbackHall;
use exactly_once_support::proxy::{Counters, Fault, FaultProxy};
use exactly_once_support::{hall_client, keys, rng, Tally, TestKiosk};
use kiosk::delivery::Outcome;

/// Longest a test waits for the worker to empty the outbox after the faults end.
const DRAIN_LIMIT: Duration = Duration::from_secs(240);
/// The citizen's wait at the screen.
const DEADLINE: Duration = Duration::from_secs(5);

struct Rig {
    dir: tempfile::TempDir,
    hall: LoopbackHall,
    proxy: FaultProxy,
    kiosk: TestKiosk,
}

/// A hall, a proxy passing everything, and a kiosk whose requests time out after `timeout`.
async fn rig(test: &str, timeout: Duration) -> Rig {
    let dir = tempfile::tempdir().expect("temp dir");
    let hall = LoopbackHall::start(dir.path()).await;
    let credential = dir.path().join("kiosk.credential");
    hall.kiosk_credential(&credential).await;
    let proxy = FaultProxy::start(hall.addr, rng::seed(test)).await;
    let kiosk = TestKiosk::start(
        &dir.path().join("var/outbox.sqlite"),
        hall_client(&proxy.url(), &credential, timeout),
    );
    Rig {
        dir,
        hall,
        proxy,
        kiosk,
    }
}

impl Rig {
    /// Ends the faults, waits for the outbox to empty and the proxy to settle, stops the
    /// worker, and checks the hall holds exactly `expected`, each once.
    async fn heal_and_check(self, expected: &[String]) -> (FaultProxy, tempfile::TempDir) {
        self.proxy.set(Fault::Pass);
        self.kiosk.drained(DRAIN_LIMIT).await;
        self.kiosk.stop().await;
        self.proxy.settle().await;
        self.hall.arrivals().assert_exactly(expected);
        (self.proxy, self.dir)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hall_stopped_and_restarted_loses_and_doubles_nothing() {
    let mut rig = rig("hall_stopped", Duration::from_secs(3)).await;
    let all = keys("stopped", 0..260);
    let mut tally = Tally::default();

    // Healthy: the citizen gets a receipt.
    for (n, key) in all[..60].iter().enumerate() {
        tally.add(&rig.kiosk.submit(key, n, DEADLINE).await);
    }
    assert!(tally.delivered > 0, "nothing delivered while healthy");

    // The hall goes down (the proxy still answers the connection, then resets it).
    rig.hall.stop().await;
    let mut down = Tally::default();
    for (n, key) in all.iter().enumerate().take(140).skip(60) {
        down.add(&rig.kiosk.submit(key, n, DEADLINE).await);
    }
    assert_eq!(down.queued, 80, "delivered with the hall down: {down:?}");
    assert!(Counters::get(&rig.proxy.counters().upstream_down) > 0);

    // The line is cut too: connections are refused.
    rig.proxy.set(Fault::Stopped);
    for (n, key) in all.iter().enumerate().skip(140) {
        if n % 4 == 0 {
            down.add(&rig.kiosk.submit(key, n, DEADLINE).await);
        } else {
            rig.kiosk.enqueue(key, n).await;
        }
    }
    assert_eq!(down.delivered, 0);
    assert!(
        rig.kiosk.pending() >= 200,
        "{} pending",
        rig.kiosk.pending()
    );

    rig.hall.restart().await;
    rig.heal_and_check(&all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_of_500_then_health_deliver_each_once() {
    let rig = rig("http_500", Duration::from_secs(3)).await;
    let all = keys("fivehundred", 0..240);
    rig.proxy.set(Fault::Http500);
    let mut tally = Tally::default();
    for (n, key) in all.iter().enumerate() {
        if n % 2 == 0 {
            tally.add(&rig.kiosk.submit(key, n, DEADLINE).await);
        } else {
            rig.kiosk.enqueue(key, n).await;
        }
    }
    // Let the worker meet a few more 500s with its backoff.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(tally.queued, 120, "{tally:?}");
    // (The worker may take a record before the citizen's attempt does; it meets a 500 too.)
    assert!(Counters::get(&rig.proxy.counters().http500) >= 120);
    assert!(
        rig.hall.arrivals().by_key.is_empty(),
        "a 500 reached the hall"
    );
    rig.heal_and_check(&all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_slower_than_the_timeout_deliver_each_once() {
    // The proxy holds each request past the kiosk's timeout, then passes it on anyway: the
    // hall stores it after the kiosk gave up, and the kiosk sends it again later.
    let rig = rig("slow", Duration::from_millis(800)).await;
    let all = keys("slowhall", 0..200);
    rig.proxy.set(Fault::Slow(Duration::from_millis(2_000)));
    let mut waiting = Vec::new();
    for (n, key) in all.iter().enumerate() {
        if n % 10 == 0 {
            let delivery = rig.kiosk.delivery.clone();
            let key = key.clone();
            waiting.push(tokio::spawn(async move {
                delivery
                    .submit_now(
                        kiosk::outbox::RecordKind::Application,
                        key,
                        exactly_once_support::hall::application_body(n),
                        DEADLINE,
                    )
                    .await
            }));
        } else {
            rig.kiosk.enqueue(key, n).await;
        }
    }
    for handle in waiting {
        let outcome = handle.await.expect("task").expect("saved");
        assert!(
            matches!(outcome, Outcome::Queued { .. }),
            "a slow hall cannot answer in time: {outcome:?}"
        );
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let slowed = Counters::get(&rig.proxy.counters().slowed);
    assert!(slowed >= 20, "only {slowed} requests were slowed");
    let (proxy, _dir) = rig.heal_and_check(&all).await;
    // Every slowed request reached the hall and was sent again: more posts than applications.
    let forwarded = Counters::get(&proxy.counters().forwarded);
    assert!(
        forwarded >= all.len() as u64 + slowed,
        "{forwarded} forwarded, {slowed} slowed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_lost_after_the_hall_stored_them_deliver_each_once() {
    let rig = rig("lost_answers", Duration::from_secs(3)).await;
    let all = keys("lostanswer", 0..240);
    rig.proxy.set(Fault::DropResponse);
    let mut tally = Tally::default();
    for (n, key) in all[..120].iter().enumerate() {
        tally.add(&rig.kiosk.submit(key, n, DEADLINE).await);
    }
    assert_eq!(tally.queued, 120, "{tally:?}");
    // The nastiest case: the hall has them all, the kiosk heard of none. (A record the
    // worker took before the citizen's attempt reaches the hall from the worker, a little
    // later: poll.)
    let mut arrived = rig.hall.arrivals();
    for _ in 0..100 {
        if all[..120].iter().all(|k| arrived.by_key.contains_key(k)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        arrived = rig.hall.arrivals();
    }
    arrived.assert_each_once();
    for key in &all[..120] {
        assert!(
            arrived.by_key.contains_key(key),
            "{key} did not reach the hall"
        );
    }
    assert_eq!(rig.kiosk.pending(), 120, "the kiosk heard of a delivery");
    for (n, key) in all.iter().enumerate().skip(120) {
        rig.kiosk.enqueue(key, n).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (proxy, _dir) = rig.heal_and_check(&all).await;
    assert!(Counters::get(&proxy.counters().dropped) >= 120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_mixed_faults_deliver_each_once() {
    let rig = rig("chaos", Duration::from_millis(800)).await;
    let all = keys("chaos", 0..300);
    rig.proxy.set(Fault::Chaos(Duration::from_millis(1_500)));
    let mut tally = Tally::default();
    for (n, key) in all.iter().enumerate() {
        if n % 5 == 0 {
            tally.add(&rig.kiosk.submit(key, n, DEADLINE).await);
        } else {
            rig.kiosk.enqueue(key, n).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let counters = rig.proxy.counters();
    let injected = [&counters.http500, &counters.slowed, &counters.dropped].map(Counters::get);
    assert!(
        injected.iter().all(|n| *n > 0),
        "faults injected: {injected:?}"
    );
    println!("chaos: citizen outcomes {tally:?}, faults (500, slow, dropped) {injected:?}");
    rig.heal_and_check(&all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_attempt_abandoned_mid_flight_does_not_strand_its_record() {
    // The caller gives up on `submit_now` (a timeout or a cancelled session around it) while
    // the request is held by a slow hall. The record must still be delivered by the worker.
    let rig = rig("abandoned", Duration::from_secs(10)).await;
    let all = keys("abandoned", 0..20);
    rig.proxy.set(Fault::Slow(Duration::from_millis(1_500)));
    let mut held = 0;
    for (n, key) in all.iter().enumerate() {
        let attempt = rig.kiosk.submit(key, n, DEADLINE);
        match tokio::time::timeout(Duration::from_millis(300), attempt).await {
            // Abandoned while the slow hall holds the request.
            Err(_) => held += 1,
            // Or the worker (woken by the previous abandoned attempt) took the record first:
            // then the citizen is told at once it is saved, and the worker delivers it.
            Ok(Outcome::Queued { .. }) => {}
            Ok(other) => panic!("a held request cannot be answered in 300 ms: {other:?}"),
        }
    }
    assert!(held > 0, "some attempts were abandoned mid-flight");
    assert!(Counters::get(&rig.proxy.counters().slowed) >= held);
    rig.proxy.set(Fault::Pass);
    // The worker wakes at least every 30 s; a record still held for the abandoned attempt
    // would never be sent again.
    rig.kiosk.drained(Duration::from_secs(60)).await;
    rig.heal_and_check(&all).await;
}

/// Overwrites stored columns of the kiosk's outbox record `key` (bit rot, another firmware).
fn tamper(db: &std::path::Path, set: &str, key: &str) {
    let conn = rusqlite::Connection::open(db).expect("open the kiosk's outbox");
    conn.busy_timeout(Duration::from_secs(10)).expect("busy");
    let changed = conn
        .execute(
            &format!("UPDATE outbox SET {set} WHERE idempotency_key = ?1"),
            [key],
        )
        .expect("tamper");
    assert_eq!(changed, 1, "{set} on {key}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_that_cannot_be_opened_are_quarantined_and_the_rest_delivered() {
    let rig = rig("quarantine", Duration::from_secs(3)).await;
    let all = keys("quarantine", 0..60);
    // The line is cut while they are saved, so all wait in the outbox.
    rig.proxy.set(Fault::Stopped);
    for (n, key) in all.iter().enumerate() {
        rig.kiosk.enqueue(key, n).await;
    }
    let db = rig.dir.path().join("var/outbox.sqlite");
    // One record's ciphertext rots; another has a kind a newer firmware wrote.
    tamper(&db, "payload = CAST(zeroblob(80) AS BLOB)", &all[3]);
    tamper(&db, "kind = 'video_call'", &all[40]);

    rig.proxy.set(Fault::Pass);
    // The technician's retry ends the hall link's wait.
    rig.kiosk.delivery.retry_pending().await.expect("retry");
    let expected: Vec<String> = all
        .iter()
        .filter(|k| *k != &all[3] && *k != &all[40])
        .cloned()
        .collect();
    let outbox = rig.kiosk.outbox.clone();
    rig.heal_and_check(&expected).await;

    let stats = outbox.stats(std::time::SystemTime::now()).expect("stats");
    assert_eq!((stats.pending, stats.quarantined), (0, 2), "{stats:?}");
    let list = outbox.list().expect("list");
    let reasons: Vec<(&str, &str)> = list
        .iter()
        .map(|r| {
            (
                r.idempotency_key.as_str(),
                r.last_error.as_deref().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].0 == all[3] && reasons[0].1.contains("outbox key"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].0 == all[40] && reasons[1].1.contains("unknown to this firmware"),
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxys_html_error_pages_are_retried_then_delivered_once() {
    let rig = rig("html_pages", Duration::from_secs(3)).await;
    let all = keys("htmlpage", 0..50);
    let mut tally = Tally::default();
    for (n, key) in all.iter().enumerate() {
        // 401, 403, 404, 408, 429 pages of a reverse proxy: nothing the hall said.
        rig.proxy
            .set(Fault::HtmlPage([401, 403, 404, 408, 429][n % 5]));
        // (Tally panics on a rejection.)
        tally.add(&rig.kiosk.submit(key, n, DEADLINE).await);
    }
    assert_eq!(tally.queued, 50, "{tally:?}");
    assert!(Counters::get(&rig.proxy.counters().html_pages) >= 50);
    assert!(rig.hall.arrivals().by_key.is_empty());
    assert_eq!(
        rig.kiosk
            .outbox
            .stats(std::time::SystemTime::now())
            .expect("stats")
            .rejected,
        0
    );
    rig.kiosk.delivery.retry_pending().await.expect("retry");
    rig.heal_and_check(&all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_hall_is_backed_off_as_one_link_not_hammered_per_record() {
    let rig = rig("link_backoff", Duration::from_secs(3)).await;
    let all = keys("linkbackoff", 0..80);
    rig.proxy.set(Fault::Http500);
    for (n, key) in all.iter().enumerate() {
        rig.kiosk.enqueue(key, n).await; // each one kicks the worker
    }
    tokio::time::sleep(Duration::from_secs(6)).await;
    // Rounds stop at the first failure and then wait 2, 4, 8 s (full jitter, at least a
    // tenth): in 6 s a handful of requests, not one per record every 50 ms.
    let tried = Counters::get(&rig.proxy.counters().http500);
    assert!(
        (1..=8).contains(&tried),
        "{tried} requests to a failing hall in 6 s"
    );
    assert!(
        rig.kiosk.delivery.link_wait().is_some(),
        "the link is backing off"
    );
    // Attempts are still counted per record, for `kioskctl outbox list`.
    let list = rig.kiosk.outbox.list().expect("list");
    let attempts: u32 = list.iter().map(|r| r.attempts).sum();
    // (A round may end between the two readings.)
    assert!(
        u64::from(attempts).abs_diff(tried) <= 1,
        "{attempts} attempts, {tried} tried"
    );
    assert!(list
        .iter()
        .filter(|r| r.attempts > 0)
        .all(|r| r.last_error.as_deref().is_some_and(|e| e.contains("500"))));
    rig.kiosk.delivery.retry_pending().await.expect("retry");
    rig.heal_and_check(&all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_without_an_id_leaves_refusals_alone_and_by_id_says_what_was_refused() {
    let rig = rig("refusals", Duration::from_secs(3)).await;
    let good = keys("refusalok", 0..5);
    // An item the hall's catalog does not have: the hall's own JSON refusal (422).
    let bad_body = String::from_utf8(exactly_once_support::hall::application_body(1))
        .expect("utf-8")
        .replace("GG-000245-001", "XX-000000-404")
        .into_bytes();
    let outcome = rig
        .kiosk
        .delivery
        .submit_now(
            kiosk::outbox::RecordKind::Application,
            "refused-00001".into(),
            bad_body,
            DEADLINE,
        )
        .await
        .expect("saved");
    let Outcome::Rejected { reason, .. } = outcome else {
        panic!("the hall must refuse an unknown item: {outcome:?}");
    };
    assert!(reason.contains("422"), "{reason}");
    rig.proxy.set(Fault::Http500);
    for (n, key) in good.iter().enumerate() {
        rig.kiosk.enqueue(key, n).await;
    }
    let forwarded_before = Counters::get(&rig.proxy.counters().forwarded);
    rig.proxy.set(Fault::Pass);
    assert_eq!(rig.kiosk.delivery.retry_pending().await.expect("retry"), 5);
    rig.kiosk.drained_pending(Duration::from_secs(60)).await;
    let list = rig.kiosk.outbox.list().expect("list");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].state, kiosk::outbox::RecordState::Rejected);
    // Only the five waiting ones went to the hall.
    let forwarded = Counters::get(&rig.proxy.counters().forwarded) - forwarded_before;
    assert_eq!(forwarded, 5, "the refusal was sent again");

    // By its id, it goes again and the answer says what the hall had refused.
    match rig
        .kiosk
        .delivery
        .retry_one(list[0].id)
        .await
        .expect("retry one")
    {
        kiosk::outbox::Requeued::Rejected { error: Some(error) } => {
            assert!(error.contains("422"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    for _ in 0..100 {
        if Counters::get(&rig.proxy.counters().forwarded) > forwarded_before + 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        Counters::get(&rig.proxy.counters().forwarded),
        forwarded_before + 6,
        "sent once more by its id"
    );
    rig.kiosk.stop().await;
    rig.hall.arrivals().assert_exactly(&good);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_ca_file_the_kiosk_trusts_that_ca_alone() {
    use exactly_once_support::hall_client_with_ca;
    use exactly_once_support::tls::{TestCa, TlsServer};
    use kiosk::hall::HallError;
    use kiosk::outbox::RecordKind;

    let dir = tempfile::tempdir().expect("temp dir");
    let credential = dir.path().join("kiosk.credential");
    std::fs::write(&credential, "not-checked-by-this-server").expect("credential");
    let hall_ca = TestCa::new("县政务服务中心 test CA");
    let ca_file = dir.path().join("hall-ca.pem");
    hall_ca.write_pem(&ca_file);
    let ours = TlsServer::start(&hall_ca).await;
    let theirs = TlsServer::start(&TestCa::new("someone else's CA")).await;
    let timeout = Duration::from_secs(5);
    let body = exactly_once_support::hall::application_body(0);

    let trusting = hall_client_with_ca(&ours.url(), &credential, Some(&ca_file), timeout)
        .expect("a client trusting the hall's CA");
    let answer = trusting
        .submit(RecordKind::Application, "tls-key-0001", &body)
        .await
        .expect("the hall's own certificate is trusted");
    assert_eq!(answer, br#"{"received":true}"#);

    // The same client meets a server whose certificate another CA signed: refused, and the
    // outbox would retry it (a network fault), never reject the submission.
    let elsewhere =
        hall_client_with_ca(&theirs.url(), &credential, Some(&ca_file), timeout).expect("client");
    let refused = elsewhere
        .submit(RecordKind::Application, "tls-key-0002", &body)
        .await
        .expect_err("another CA's certificate must be refused");
    assert!(
        matches!(&refused, HallError::Network(_)) && refused.retryable(),
        "{refused:?}"
    );
    // Without the CA file the hall's certificate is unknown (the test CA is in no public
    // root store), so the trust above came from the file.
    let default_roots =
        hall_client_with_ca(&ours.url(), &credential, None, timeout).expect("client");
    assert!(default_roots
        .submit(RecordKind::Application, "tls-key-0003", &body)
        .await
        .is_err());

    // A CA file without a certificate is a setup error that names the file.
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").expect("write");
    let err = hall_client_with_ca(&ours.url(), &credential, Some(&empty), timeout)
        .expect_err("no certificate in it");
    assert!(err.to_string().contains("empty.pem"), "{err}");
}
