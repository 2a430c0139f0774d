//! The proof of issue 21: two real `hall serve` processes on one private PostgreSQL.
//! 2,000 applications from 20 kiosks go to either hall at random, one in five delivered
//! twice at once (the second copy to the other hall); hall A is SIGKILLed while they are in
//! flight and the kiosks retry against the survivor, as a kiosk's outbox does. Exactly 2,000
//! are stored and every copy is answered with the winner's receipt. Then, with A started
//! again, staff accept 200 of them at either hall: 200 citizen notices are queued and a real
//! webhook receiver on loopback gets each exactly once.

// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use hall::store::postgres::PgStore;
use hall::store::{PrincipalKind, Store};

use super::postgres::serve_with;
use super::*;

const KIOSKS: usize = 20;
const APPLICATIONS: usize = 2_000;
const NOTICES: usize = 200;
/// Completed deliveries before hall A is killed.
const KILL_AFTER: usize = 700;

/// A fixed-seed xorshift: the same run every time.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Every notice the receiver accepted: event id → deliveries.
#[derive(Clone, Default)]
struct Gateway {
    seen: Arc<Mutex<HashMap<String, usize>>>,
    links: Arc<Mutex<HashSet<String>>>,
}

async fn hook(
    axum::extract::State(g): axum::extract::State<Gateway>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> AxumStatus {
    let id = headers
        .get("x-hall-event-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(link) = json["link"].as_str() {
        g.links.lock().unwrap().insert(link.to_owned());
    }
    *g.seen.lock().unwrap().entry(id).or_default() += 1;
    AxumStatus::NO_CONTENT
}

/// The base addresses of the two halls; `None` once killed.
type Bases = Arc<Mutex<[Option<String>; 2]>>;

/// Sends one application as a kiosk's outbox does: to hall `first`, and on a refused
/// connection or a 503 to the other, until a hall answers 201. `cut` counts the attempts
/// that failed so.
async fn deliver(
    http: reqwest::Client,
    bases: Bases,
    cut: Arc<AtomicUsize>,
    first: usize,
    token: String,
    key: String,
    body: Value,
) -> (Value, bool) {
    for attempt in 0..200usize {
        let target = (first + attempt) % 2;
        let Some(base) = bases.lock().unwrap()[target].clone() else {
            continue;
        };
        let sent = http
            .post(format!("{base}/api/v1/applications"))
            .bearer_auth(&token)
            .header("idempotency-key", &key)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(r) if r.status() == StatusCode::CREATED => {
                let replayed = r.headers().contains_key("idempotent-replayed");
                return (r.json().await.unwrap(), replayed);
            }
            Ok(r) if r.status() == StatusCode::SERVICE_UNAVAILABLE => {
                cut.fetch_add(1, Ordering::SeqCst);
            }
            Ok(r) => panic!("{key}: {} {}", r.status(), r.text().await.unwrap()),
            // The hall died with the request in flight: retried at the other.
            Err(_) => {
                cut.fetch_add(1, Ordering::SeqCst);
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{key}: never taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_halls_take_2000_applications_once_through_a_kill_and_send_200_notices_once() {
    let url = common::pg::fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("hall.keys");

    let gateway = Gateway::default();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(gateway.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let cfg = dir.path().join("notify.toml");
    std::fs::write(
        &cfg,
        format!(
            "base_url = \"https://hall.county.example\"\n\
             [retry]\nfirst_seconds = 0.05\nmax_seconds = 0.2\ngive_up_after = 1000\n\
             [worker]\npoll_seconds = 0.2\nlease_seconds = 30\nbatch = 16\n\
             [[webhook]]\nname = \"county-sms\"\nurl = \"{hook_url}\"\n\
             secret = \"county-sms-gateway-secret-2025\"\ntimeout_seconds = 5\n\
             events = [\"citizen.accepted\"]\n"
        ),
    )
    .unwrap();

    // Credentials straight into the database (as `hall kiosk add` would put them).
    let store = PgStore::connect(&url).await.unwrap();
    let mut tokens = Vec::new();
    for k in 0..KIOSKS {
        let issued =
            hall::auth::issue(PrincipalKind::Kiosk, &format!("k{k:02}"), "村便民服务站").unwrap();
        store.put_principal(issued.principal).await.unwrap();
        tokens.push(issued.token.to_string());
    }
    let clerk = hall::auth::issue(PrincipalKind::Staff, "clerk", "综合窗口").unwrap();
    store.put_principal(clerk.principal).await.unwrap();
    let clerk = clerk.token.to_string();
    store.close();

    let more = [OsStr::new("--notify-config"), cfg.as_os_str()];
    let mut a = serve_with(&url, &keys, &more);
    let b = serve_with(&url, &keys, &more);
    let bases: Bases = Arc::new(Mutex::new([Some(a.base.clone()), Some(b.base.clone())]));
    let http = client();

    // Phase 1: 2,000 applications, one in five delivered twice at once, A killed mid-run.
    let mut dice = Dice(0x2026_1204_0021);
    let mut body = application_body();
    body["notifyConsent"] = json!(true);
    let done = Arc::new(AtomicUsize::new(0));
    let cut = Arc::new(AtomicUsize::new(0));
    let permits = Arc::new(tokio::sync::Semaphore::new(24));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..APPLICATIONS {
        let kiosk = i % KIOSKS;
        let key = format!("k{kiosk:02}-{i:06}");
        let first = dice.roll(2) as usize;
        let twice = dice.roll(5) == 0;
        let (http, bases, cut, token, body, done, permits) = (
            http.clone(),
            bases.clone(),
            cut.clone(),
            tokens[kiosk].clone(),
            body.clone(),
            done.clone(),
            permits.clone(),
        );
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.unwrap();
            let one = deliver(
                http.clone(),
                bases.clone(),
                cut.clone(),
                first,
                token.clone(),
                key.clone(),
                body.clone(),
            );
            let answers = if twice {
                let other = deliver(http, bases, cut, 1 - first, token, key.clone(), body);
                let (x, y) = tokio::join!(one, other);
                vec![x, y]
            } else {
                vec![one.await]
            };
            done.fetch_add(1, Ordering::SeqCst);
            (key, answers)
        });
    }
    while done.load(Ordering::SeqCst) < KILL_AFTER {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.child.kill().unwrap(); // SIGKILL: no clean shutdown, requests in flight cut
    a.child.wait().unwrap();
    bases.lock().unwrap()[0] = None;
    let killed_at = done.load(Ordering::SeqCst);

    let mut receipts: HashMap<String, Value> = HashMap::new();
    let (mut duplicates, mut replays) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        let (key, answers) = joined.unwrap();
        let winner = answers[0].0.clone();
        for (answer, replayed) in &answers {
            assert_eq!(
                answer, &winner,
                "{key}: every copy gets the winner's receipt"
            );
            replays += usize::from(*replayed);
        }
        if answers.len() == 2 {
            duplicates += 1;
            assert!(
                answers.iter().any(|(_, replayed)| *replayed),
                "{key}: one of the two copies is a replay"
            );
        }
        assert!(receipts.insert(key, winner).is_none());
    }
    assert!(killed_at < APPLICATIONS, "A was killed mid-run");
    let cut = cut.load(Ordering::SeqCst);
    assert!(cut > 0, "the kill cut deliveries, retried at B");
    assert!(duplicates > 300, "{duplicates} keys delivered twice");
    let ids: HashSet<&str> = receipts
        .values()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), APPLICATIONS, "one application per key");
    let (pg, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let count = |sql: &'static str| {
        let pg = &pg;
        async move { pg.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM applications").await,
        APPLICATIONS as i64,
        "exactly 2,000 stored"
    );
    let stored: HashSet<String> = pg
        .query("SELECT id FROM applications", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        ids.iter().all(|id| stored.contains(*id)),
        "every receipt names a stored application"
    );
    eprintln!(
        "two halls: {APPLICATIONS} applications, {duplicates} delivered twice, {replays} \
         replays, hall A killed after {killed_at}, {cut} deliveries cut and retried at B"
    );

    // Phase 2: A started again; 200 accepted at either hall → 200 notices, each sent once.
    let a2 = serve_with(&url, &keys, &more);
    let halls = [a2.base.clone(), b.base.clone()];
    let mut chosen: Vec<&Value> = receipts.values().collect();
    chosen.sort_by_key(|r| r["id"].as_str().unwrap().to_owned());
    chosen.truncate(NOTICES);
    let mut moves = tokio::task::JoinSet::new();
    for receipt in &chosen {
        let id = receipt["id"].as_str().unwrap().to_owned();
        let base = halls[dice.roll(2) as usize].clone();
        let (http, clerk) = (http.clone(), clerk.clone());
        moves.spawn(async move {
            http.post(format!("{base}/api/v1/applications/{id}/status"))
                .bearer_auth(&clerk)
                .json(&json!({"to": "accepted", "note": null}))
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = moves.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    let mut settled = false;
    for _ in 0..1200 {
        let pending =
            count("SELECT COUNT(*) FROM notice_deliveries WHERE status <> 'delivered'").await;
        if pending == 0 && count("SELECT COUNT(*) FROM notice_deliveries").await == NOTICES as i64 {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(settled, "every notice delivered");
    let seen = gateway.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), NOTICES, "200 notices");
    assert!(
        seen.values().all(|n| *n == 1),
        "each sent exactly once: {:?}",
        seen.values().filter(|n| **n > 1).count()
    );
    let links = gateway.links.lock().unwrap().clone();
    let wanted: HashSet<String> = chosen
        .iter()
        .map(|r| {
            format!(
                "https://hall.county.example/progress?c={}&v={}",
                r["trackingCode"].as_str().unwrap(),
                r["verifier"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(links, wanted, "one notice per accepted application");
    drop((a2, b, a));
}

/// Guessing tracking codes is bounded per hall (see hall/README.md, "Several halls"): a
/// client that has used its failures at one hall is refused there, gets at most as many at
/// the other, and is then refused at both: K halls allow at most K × the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guess_limit_is_bounded_per_hall_across_two_halls() {
    let url = common::pg::fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("hall.keys");
    let halls = [serve_with(&url, &keys, &[]), serve_with(&url, &keys, &[])];
    let http = client();
    let guess = |base: &str, i: u32| {
        http.post(format!("{base}/api/v1/progress"))
            .json(&json!({"trackingCode": format!("240506-{i:04}-0000"), "verifier": "K7P2M9QX"}))
            .send()
    };
    let mut allowed = [0u32; 2];
    for (h, hall) in halls.iter().enumerate() {
        for i in 0..(hall::limiter::PER_CLIENT * 2) {
            let r = guess(&hall.base, i + 100 * h as u32).await.unwrap();
            match r.status() {
                StatusCode::NOT_FOUND => allowed[h] += 1,
                StatusCode::TOO_MANY_REQUESTS => {
                    assert!(r.headers().contains_key("retry-after"));
                }
                other => panic!("hall {h}: {other}"),
            }
        }
    }
    assert_eq!(
        allowed,
        [hall::limiter::PER_CLIENT; 2],
        "each hall allows its own limit, and no more"
    );
    for hall in &halls {
        let r = guess(&hall.base, 9999).await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}
