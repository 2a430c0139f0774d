//! Load generator: starts the hall on loopback with a temporary on-disk SQLite database
//! (WAL, synchronous=FULL), drives it with concurrent HTTP clients for a bounded time, and
//! prints applications/s, heartbeats/s and p50/p99 latency.
//!
//! `cargo bench -p hall --bench load -- [--seconds N] [--concurrency N] [--kiosks N]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use hall::store::sqlite::SqliteStore;
use hall::store::{PrincipalKind, Store};
use hall::{AppState, Settings};
use serde_json::{json, Value};

struct Args {
    seconds: u64,
    concurrency: usize,
    kiosks: usize,
}

fn args() -> Args {
    let mut a = Args {
        seconds: 10,
        concurrency: 64,
        kiosks: 50,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < argv.len() {
        let value = argv.get(i + 1).and_then(|v| v.parse::<u64>().ok());
        match (argv[i].as_str(), value) {
            ("--seconds", Some(v)) => a.seconds = v.max(1),
            ("--concurrency", Some(v)) => a.concurrency = (v as usize).max(1),
            ("--kiosks", Some(v)) => a.kiosks = (v as usize).max(1),
            _ => {}
        }
        i += 1;
    }
    a
}

fn application(n: u64) -> Value {
    json!({
        "subject": {"type": "item", "code": "GG-000245-001"},
        "catalogVersion": "2024.05-seed.1",
        "applicant": {"idNumber": "11010519491231002X", "name": "张三"},
        "fields": {
            "applicantName": "张三", "applicantIdNumber": "11010519491231002X",
            "phone": "13812345678", "homeAddress": format!("浙江省某县城关镇人民路{n}号"),
            "declaration": true
        },
        "materials": [{"code": "photo", "source": "scanned", "pages": 1}],
        "delivery": {"method": "pickUp"},
        "submittedAt": "2024-05-06T01:02:03Z"
    })
}

fn heartbeat() -> Value {
    json!({
        "sentAt": "2024-05-06T01:02:03Z", "uptimeSeconds": 3600,
        "versions": {"kiosk": "0.1.0"},
        "devices": [
            {"class": "idCardReader", "state": "online"},
            {"class": "receiptPrinter", "state": "online", "paper": "full"},
            {"class": "scanner", "state": "online"}
        ],
        "outbox": {"applications": 0, "ratings": 0, "other": 0}
    })
}

struct Phase {
    name: &'static str,
    ok: usize,
    failed: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Phase {
    fn print(&mut self) {
        self.latencies.sort();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 * p) as usize)
                .min(self.latencies.len().saturating_sub(1));
            self.latencies
                .get(i)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "{:<13} {:>8.0}/s  ok {:>7}  failed {:>4}  p50 {:>6.2} ms  p99 {:>6.2} ms",
            self.name,
            self.ok as f64 / self.elapsed.as_secs_f64(),
            self.ok,
            self.failed,
            pct(0.50),
            pct(0.99)
        );
    }
}

async fn drive<F, Fut>(name: &'static str, a: &Args, make: F) -> Phase
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let make = Arc::new(make);
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..a.concurrency {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut failed, mut lat) = (0usize, 0usize, Vec::new());
            let mut n = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                if make(worker, n).await {
                    ok += 1;
                    lat.push(t.elapsed());
                } else {
                    failed += 1;
                }
                n += 1;
            }
            (ok, failed, lat)
        }));
    }
    let mut phase = Phase {
        name,
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for t in tasks {
        if let Ok((ok, failed, lat)) = t.await {
            phase.ok += ok;
            phase.failed += failed;
            phase.latencies.extend(lat);
        }
    }
    phase.elapsed = start.elapsed();
    phase
}

fn main() {
    let a = args();
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir on disk");
    let db = dir.path().join("bench.db");
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let store = Arc::new(SqliteStore::open(&db).expect("open store"));
    let (base, tokens, stop) = server_rt.block_on(async {
        let secrets = hall::crypto::Secrets::generate().expect("keys");
        let state = AppState::new(store.clone(), secrets, Settings::default())
            .await
            .expect("state");
        let mut tokens = Vec::new();
        for k in 0..a.kiosks {
            let issued =
                hall::auth::issue(PrincipalKind::Kiosk, &format!("k{k}"), "bench").expect("issue");
            store
                .put_principal(issued.principal.clone())
                .await
                .expect("credential");
            tokens.push(issued.token.to_string());
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(hall::serve(listener, state, async move {
            let _ = rx.await;
        }));
        (base, tokens, tx)
    });
    println!(
        "hall load: {} s per phase, {} concurrent clients, {} kiosks, database {} (WAL, synchronous=FULL)",
        a.seconds,
        a.concurrency,
        a.kiosks,
        db.display()
    );
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let tokens = Arc::new(tokens);
    client_rt.block_on(async {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(a.concurrency)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let (h, b, t) = (http.clone(), base.clone(), tokens.clone());
        let mut apps = drive("applications", &a, move |w, n| {
            let (h, b, t) = (h.clone(), b.clone(), t.clone());
            async move {
                let k = w % t.len();
                h.post(format!("{b}/api/v1/applications"))
                    .bearer_auth(&t[k])
                    .header("idempotency-key", format!("bench-{w}-{n:08}"))
                    .json(&application(n))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 201)
            }
        })
        .await;
        apps.print();
        let (h, b, t) = (http.clone(), base.clone(), tokens.clone());
        let mut beats = drive("heartbeats", &a, move |w, n| {
            let (h, b, t) = (h.clone(), b.clone(), t.clone());
            async move {
                let k = (w + n as usize) % t.len();
                h.post(format!("{b}/api/v1/kiosks/k{k}/heartbeat"))
                    .bearer_auth(&t[k])
                    .json(&heartbeat())
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200)
            }
        })
        .await;
        beats.print();
    });
    let _ = stop.send(());
    drop(server_rt);
    store.close();
}
