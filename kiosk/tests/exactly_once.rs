//! Exactly-once delivery under faults: the real outbox, hall client and delivery worker
//! against the real hall (axum + SQLite, in-process on loopback) through a fault-injecting
//! proxy. The hall stopped and restarted, answering 500s, answering too slowly, answers lost
//! after the hall stored the application, and all of those mixed at random: in every case
//! each of hundreds of applications is stored by the hall exactly once (counted in its
//! database by idempotency key) and the outbox ends empty.
//!
//! `EXACTLY_ONCE_SEED=N` replays the random schedule of a run (each test prints its seed).

mod exactly_once_support;

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
    for (n, key) in all.iter().enumerate() {
        let attempt = rig.kiosk.submit(key, n, DEADLINE);
        let abandoned = tokio::time::timeout(Duration::from_millis(300), attempt).await;
        assert!(abandoned.is_err(), "a held request cannot finish in 300 ms");
    }
    assert!(Counters::get(&rig.proxy.counters().slowed) >= 20);
    rig.proxy.set(Fault::Pass);
    // The worker wakes at least every 30 s; a record still held for the abandoned attempt
    // would never be sent again.
    rig.kiosk.drained(Duration::from_secs(60)).await;
    rig.heal_and_check(&all).await;
}
