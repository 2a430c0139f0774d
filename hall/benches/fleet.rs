//! Fleet simulator (issue 21): N kiosks, each with its own credential, against K real `hall
//! serve` processes, on an open-loop schedule as a province's fleet would send: every kiosk a
//! heartbeat each 30 s (spread evenly: 10,000 kiosks ≈ 333/s), a stream of applications with
//! realistic bodies (single items and 一件事 bundles, each with its own idempotency key), and
//! citizens' progress look-ups and ratings on receipts already given out. The same load runs
//! against SQLite (one hall: a file cannot be shared between machines) and PostgreSQL (two
//! halls on one database), one after the other in one run, and the figures are printed side
//! by side: achieved rates, p50/p99 latency per request kind, failures, and how far the
//! sender fell behind its schedule (when it does, the client machine is the limit).
//!
//! Both databases are durable: SQLite in WAL with `synchronous=FULL` on disk; PostgreSQL a
//! private cluster (as in the tests: `initdb`, a Unix socket in a temporary folder) with
//! `fsync` and `full_page_writes` switched back on.
//!
//! ```text
//! cargo bench -p hall --bench fleet --profile dev -- [--kiosks 10000] [--apps 200]
//!     [--seconds 40] [--halls 2] [--only sqlite|postgres] [--heartbeat-batch-ms 0|N|off]
//! ```
//! (`--profile dev`: the workspace's dev profile optimises dependencies; no LTO build.)

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hall::store::PrincipalKind;
use serde_json::{json, Value};

#[allow(dead_code, clippy::unwrap_used)]
#[path = "../tests/common/pg.rs"]
mod pg;

struct Args {
    kiosks: usize,
    apps_per_second: f64,
    seconds: u64,
    halls: usize,
    only: Option<String>,
    /// Passed to `hall serve --heartbeat-batch-ms` (`off`: one write per heartbeat).
    batch_ms: String,
}

fn args() -> Args {
    let mut a = Args {
        kiosks: 10_000,
        apps_per_second: 200.0,
        seconds: 40,
        halls: 2,
        only: None,
        batch_ms: "0".into(),
    };
    let argv: Vec<String> = std::env::args().collect();
    for pair in argv.windows(2) {
        let v = pair[1].as_str();
        match pair[0].as_str() {
            "--kiosks" => a.kiosks = v.parse().unwrap_or(a.kiosks).max(1),
            "--apps" => a.apps_per_second = v.parse().unwrap_or(a.apps_per_second),
            "--seconds" => a.seconds = v.parse().unwrap_or(a.seconds).max(1),
            "--halls" => a.halls = v.parse().unwrap_or(a.halls).max(1),
            "--only" => a.only = Some(v.to_owned()),
            "--heartbeat-batch-ms" => a.batch_ms = v.to_owned(),
            _ => {}
        }
    }
    a
}

/// A `hall serve` process, killed when dropped; its log is drained (and dropped).
struct HallProcess {
    child: Child,
    base: String,
}

impl Drop for HallProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_hall(db: &str, keys: &Path, batch_ms: &str) -> HallProcess {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hall"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", db, "--key-file"])
        .arg(keys)
        .args(["--max-concurrent", "4096", "--heartbeat-batch-ms"])
        .arg(batch_ms)
        .env("RUST_LOG", "warn,hall=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hall");
    let stderr = child.stderr.take().expect("hall stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("hall listening") {
                let _ = tx.send(line);
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("hall did not start");
    let addr = line
        .split("addr=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("listening address")
        .to_owned();
    HallProcess {
        child,
        base: format!("http://{addr}"),
    }
}

/// What one request kind did.
#[derive(Default)]
struct Tally {
    ok: usize,
    failed: usize,
    latencies: Vec<Duration>,
}

impl Tally {
    fn pct(&mut self, p: f64) -> f64 {
        self.latencies.sort();
        let n = self.latencies.len();
        if n == 0 {
            return 0.0;
        }
        let i = ((n as f64 * p) as usize).min(n - 1);
        self.latencies[i].as_secs_f64() * 1000.0
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Kind {
    Application,
    Heartbeat,
    Progress,
    Rating,
}

struct Run {
    label: String,
    seconds: f64,
    tallies: HashMap<Kind, Tally>,
    behind_ms: f64,
    stored: i64,
    cpu: Cpu,
    /// PostgreSQL: transactions committed during the run (`pg_stat_database`).
    commits: Option<i64>,
}

/// CPU seconds spent during a run, by whom (from /proc; 100 ticks a second).
#[derive(Default, Clone, Copy)]
struct Cpu {
    halls: f64,
    postgres: f64,
    simulator: f64,
    machine_busy: f64,
    machine_total: f64,
}

impl Cpu {
    fn now(halls: &[HallProcess]) -> Cpu {
        let ticks = |stat: &str| -> f64 {
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return 0.0;
            };
            let f: Vec<&str> = rest.split_whitespace().collect();
            let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
            (t(11) + t(12)) / 100.0
        };
        let of =
            |pid: &str| std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let mut postgres = 0.0;
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.bytes().all(|b| b.is_ascii_digit()) {
                let stat = of(&name);
                if stat.contains("(postgres)") {
                    postgres += ticks(&stat);
                }
            }
        }
        let machine = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let fields: Vec<f64> = machine
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        let total: f64 = fields.iter().take(8).sum::<f64>() / 100.0;
        let idle = (fields.get(3).unwrap_or(&0.0) + fields.get(4).unwrap_or(&0.0)) / 100.0;
        Cpu {
            halls: halls
                .iter()
                .map(|h| ticks(&of(&h.child.id().to_string())))
                .sum(),
            postgres,
            simulator: ticks(&of("self")),
            machine_busy: total - idle,
            machine_total: total,
        }
    }

    fn since(self, before: Cpu) -> Cpu {
        Cpu {
            halls: self.halls - before.halls,
            postgres: self.postgres - before.postgres,
            simulator: self.simulator - before.simulator,
            machine_busy: self.machine_busy - before.machine_busy,
            machine_total: self.machine_total - before.machine_total,
        }
    }
}

fn application(n: u64) -> Value {
    let id = "11010519491231002X";
    let street = ["人民路", "解放路", "中山路", "建设路", "文化路"][(n % 5) as usize];
    if n % 4 == 0 {
        json!({
            "subject": {"type": "bundle", "code": "yjs-xinshenger"},
            "catalogVersion": "2024.05-seed.1",
            "applicant": {"idNumber": id, "name": "张三"},
            "fields": {
                "applicantName": "张三", "applicantIdNumber": id, "phone": "13812345678",
                "childName": "张小三", "childSex": "male", "childBirthDate": "2024-04-20",
                "hospital": "县人民医院", "settleWith": "father", "insuredIdNumber": id,
                "homeAddress": format!("浙江省某县城关镇{street}{n}号"), "declaration": true
            },
            "materials": [
                {"code": "chushengyixue", "source": "scanned", "pages": 1},
                {"code": "hukoubu", "source": "scanned", "pages": 4}
            ],
            "delivery": {"method": "pickUp"},
            "notifyConsent": true,
            "submittedAt": "2024-05-06T01:02:03Z"
        })
    } else {
        json!({
            "subject": {"type": "item", "code": "GG-000245-001"},
            "catalogVersion": "2024.05-seed.1",
            "applicant": {"idNumber": id, "name": "张三"},
            "fields": {
                "applicantName": "张三", "applicantIdNumber": id, "phone": "13812345678",
                "homeAddress": format!("浙江省某县城关镇{street}{n}号"), "declaration": true
            },
            "materials": [{"code": "photo", "source": "scanned", "pages": 1}],
            "delivery": {"method": "mail", "address": {
                "recipient": "张三", "phone": "13812345678",
                "region": "浙江省某市某县", "detail": format!("城关镇{street}{n}号")}},
            "submittedAt": "2024-05-06T01:02:03Z"
        })
    }
}

fn heartbeat(k: usize, n: u64) -> Value {
    json!({
        "sentAt": "2024-05-06T01:02:03Z", "uptimeSeconds": 3600 + n * 30,
        "versions": {"kiosk": "0.1.0", "image": "2026.11", "catalog": "2024.05-seed.1"},
        "devices": [
            {"class": "idCardReader", "state": "online"},
            {"class": "receiptPrinter", "state": "online",
             "paper": if k % 50 == 0 { "low" } else { "full" }, "coverOpen": false},
            {"class": "scanner", "state": "online"}
        ],
        "outbox": {"applications": 0, "ratings": 0, "other": 0}
    })
}

/// Puts `kiosks` credentials into the database; returns their tokens.
async fn credentials(db: &Path, kiosks: usize) -> Vec<String> {
    let store = hall::store::backend::open(db).await.expect("open store");
    let mut tokens = Vec::with_capacity(kiosks);
    let mut pending = tokio::task::JoinSet::new();
    for k in 0..kiosks {
        let issued = hall::auth::issue(PrincipalKind::Kiosk, &format!("k{k:05}"), "村便民服务站")
            .expect("issue");
        tokens.push(issued.token.to_string());
        let store = store.clone();
        pending.spawn(async move { store.put_principal(issued.principal).await });
        if pending.len() >= 64 {
            if let Some(done) = pending.join_next().await {
                done.expect("task").expect("credential");
            }
        }
    }
    while let Some(done) = pending.join_next().await {
        done.expect("task").expect("credential");
    }
    store.close();
    tokens
}

/// One planned request.
struct Due {
    at: Duration,
    kind: Kind,
    n: u64,
}

/// The open-loop schedule: heartbeats spread over 30 s per kiosk, applications at a fixed
/// rate, progress look-ups at a tenth of it and ratings at a twentieth.
fn schedule(a: &Args) -> Vec<Due> {
    let total = Duration::from_secs(a.seconds);
    let mut plan = Vec::new();
    let beat = 30.0 / a.kiosks as f64;
    let mut n = 0u64;
    loop {
        let at = Duration::from_secs_f64(n as f64 * beat);
        if at >= total {
            break;
        }
        plan.push(Due {
            at,
            kind: Kind::Heartbeat,
            n,
        });
        n += 1;
    }
    for (kind, rate) in [
        (Kind::Application, a.apps_per_second),
        (Kind::Progress, a.apps_per_second / 10.0),
        (Kind::Rating, a.apps_per_second / 20.0),
    ] {
        if rate <= 0.0 {
            continue;
        }
        let mut n = 0u64;
        loop {
            let at = Duration::from_secs_f64(n as f64 / rate);
            if at >= total {
                break;
            }
            plan.push(Due { at, kind, n });
            n += 1;
        }
    }
    plan.sort_by_key(|d| d.at);
    plan
}

async fn drive(a: &Args, label: String, halls: &[HallProcess], tokens: Arc<Vec<String>>) -> Run {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let bases: Arc<Vec<String>> = Arc::new(halls.iter().map(|h| h.base.clone()).collect());
    let receipts: Arc<Mutex<Vec<Value>>> = Arc::default();
    let tallies: Arc<Mutex<HashMap<Kind, Tally>>> = Arc::default();
    let plan = schedule(a);
    let cpu_before = Cpu::now(halls);
    let start = Instant::now();
    let mut behind = Duration::ZERO;
    let mut tasks = tokio::task::JoinSet::new();
    for due in plan {
        let now = start.elapsed();
        if due.at > now {
            tokio::time::sleep(due.at - now).await;
        } else {
            behind = behind.max(now - due.at);
        }
        let (http, bases, receipts, tallies, tokens) = (
            http.clone(),
            bases.clone(),
            receipts.clone(),
            tallies.clone(),
            tokens.clone(),
        );
        tasks.spawn(async move {
            let base = &bases[(due.n as usize) % bases.len()];
            let k = (due.n as usize) % tokens.len();
            let sent = Instant::now();
            let ok = match due.kind {
                Kind::Heartbeat => http
                    .post(format!("{base}/api/v1/kiosks/k{k:05}/heartbeat"))
                    .bearer_auth(&tokens[k])
                    .json(&heartbeat(k, due.n))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200),
                Kind::Application => {
                    let r = http
                        .post(format!("{base}/api/v1/applications"))
                        .bearer_auth(&tokens[k])
                        .header("idempotency-key", format!("fleet-{:08}", due.n))
                        .json(&application(due.n))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status() == 201 => match r.json::<Value>().await {
                            Ok(v) => {
                                receipts.lock().unwrap_or_else(|p| p.into_inner()).push(v);
                                true
                            }
                            Err(_) => false,
                        },
                        _ => false,
                    }
                }
                Kind::Progress | Kind::Rating => {
                    let receipt = {
                        let r = receipts.lock().unwrap_or_else(|p| p.into_inner());
                        let i = match due.kind {
                            // A rating for each receipt at most once: take them in order.
                            Kind::Rating => due.n as usize,
                            _ => (due.n as usize).wrapping_mul(7919),
                        };
                        (!r.is_empty() && (due.kind != Kind::Rating || i < r.len()))
                            .then(|| r[i % r.len()].clone())
                    };
                    let receipt = receipt?;
                    let code = &receipt["trackingCode"];
                    let verifier = &receipt["verifier"];
                    if due.kind == Kind::Progress {
                        http.post(format!("{base}/api/v1/progress"))
                            .json(&json!({"trackingCode": code, "verifier": verifier}))
                            .send()
                            .await
                            .is_ok_and(|r| r.status() == 200)
                    } else {
                        http.post(format!("{base}/api/v1/ratings"))
                            .bearer_auth(&tokens[k])
                            .json(&json!({"trackingCode": code, "verifier": verifier,
                                "level": 5, "reasons": [], "contact": null}))
                            .send()
                            .await
                            .is_ok_and(|r| r.status() == 201)
                    }
                }
            };
            let took = sent.elapsed();
            let mut t = tallies.lock().unwrap_or_else(|p| p.into_inner());
            let tally = t.entry(due.kind).or_default();
            if ok {
                tally.ok += 1;
                tally.latencies.push(took);
            } else {
                tally.failed += 1;
            }
            Some(())
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    let seconds = start.elapsed().as_secs_f64();
    let cpu = Cpu::now(halls).since(cpu_before);
    let tallies = std::mem::take(&mut *tallies.lock().unwrap_or_else(|p| p.into_inner()));
    Run {
        label,
        seconds,
        tallies,
        behind_ms: behind.as_secs_f64() * 1000.0,
        stored: 0,
        cpu,
        commits: None,
    }
}

fn print(runs: &mut [Run], a: &Args) {
    println!(
        "\nfleet: {} kiosks (heartbeat every 30 s ≈ {:.0}/s), {:.0} applications/s, {:.0} \
         progress look-ups/s, {:.0} ratings/s, {} s",
        a.kiosks,
        a.kiosks as f64 / 30.0,
        a.apps_per_second,
        a.apps_per_second / 10.0,
        a.apps_per_second / 20.0,
        a.seconds
    );
    println!(
        "{:<22} {:<12} {:>9} {:>7} {:>9} {:>9}",
        "backend", "request", "rate /s", "failed", "p50 ms", "p99 ms"
    );
    for run in runs.iter_mut() {
        let mut kinds: Vec<Kind> = run.tallies.keys().copied().collect();
        kinds.sort();
        for kind in kinds {
            let seconds = run.seconds;
            let Some(t) = run.tallies.get_mut(&kind) else {
                continue;
            };
            let (p50, p99) = (t.pct(0.50), t.pct(0.99));
            println!(
                "{:<22} {:<12} {:>9.1} {:>7} {:>9.2} {:>9.2}",
                run.label,
                format!("{kind:?}").to_lowercase(),
                t.ok as f64 / seconds,
                t.failed,
                p50,
                p99
            );
        }
        println!(
            "{:<22} schedule fell behind by at most {:.0} ms; {} applications stored",
            run.label, run.behind_ms, run.stored
        );
        if let Some(commits) = run.commits {
            println!(
                "{:<22} {:.0} transactions committed/s",
                run.label,
                commits as f64 / run.seconds
            );
        }
        let c = run.cpu;
        println!(
            "{:<22} CPU s: halls {:.1}, postgres {:.1}, simulator {:.1}; machine busy {:.1} of \
             {:.1} ({:.0}%; the rest of the busy time is other work on the machine)",
            run.label,
            c.halls,
            c.postgres,
            c.simulator,
            c.machine_busy,
            c.machine_total,
            100.0 * c.machine_busy / c.machine_total.max(0.001)
        );
    }
}

/// Transactions committed in the database so far (the statistics lag by up to 0.5 s).
async fn commits(url: &str) -> i64 {
    tokio::time::sleep(Duration::from_millis(600)).await;
    let Ok((c, conn)) = tokio_postgres::connect(url, tokio_postgres::NoTls).await else {
        return -1;
    };
    tokio::spawn(conn);
    c.query_one(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
        &[],
    )
    .await
    .map_or(-1, |r| r.get(0))
}

async fn count_applications(db: &str) -> i64 {
    if db.starts_with("postgres") {
        let Ok((c, conn)) = tokio_postgres::connect(db, tokio_postgres::NoTls).await else {
            return -1;
        };
        tokio::spawn(conn);
        c.query_one("SELECT COUNT(*) FROM applications", &[])
            .await
            .map_or(-1, |r| r.get(0))
    } else {
        rusqlite::Connection::open(db)
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM applications", [], |r| r.get(0)))
            .unwrap_or(-1)
    }
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir on disk");
    let keys = dir.path().join("hall.keys");
    let mut runs = Vec::new();
    let want = |name: &str| a.only.as_deref().is_none_or(|o| o == name);
    if want("sqlite") {
        let db = dir.path().join("fleet.db");
        let db_s = db.to_str().expect("UTF-8 path").to_owned();
        let tokens = Arc::new(rt.block_on(credentials(&db, a.kiosks)));
        let halls = vec![start_hall(&db_s, &keys, &a.batch_ms)];
        let mut run = rt.block_on(drive(&a, "SQLite, 1 hall".into(), &halls, tokens));
        drop(halls);
        run.stored = rt.block_on(count_applications(&db_s));
        runs.push(run);
    }
    if want("postgres") {
        let cluster = pg::cluster();
        let url = rt.block_on(async {
            let url = cluster.database().await;
            let (c, conn) =
                tokio_postgres::connect(&cluster.url("postgres"), tokio_postgres::NoTls)
                    .await
                    .expect("connect");
            tokio::spawn(conn);
            // The test cluster skips fsync; a benchmark must not.
            for sql in [
                "ALTER SYSTEM SET fsync = on",
                "ALTER SYSTEM SET full_page_writes = on",
                "SELECT pg_reload_conf()",
            ] {
                c.batch_execute(sql).await.expect("durable settings");
            }
            // The reload is a signal: wait until a session sees it.
            let mut fsync = String::new();
            for _ in 0..100 {
                fsync = c
                    .query_one("SHOW fsync", &[])
                    .await
                    .expect("durable settings")
                    .get(0);
                if fsync == "on" {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert_eq!(fsync, "on", "PostgreSQL fsyncs its commits");
            url
        });
        let tokens = Arc::new(rt.block_on(credentials(Path::new(&url), a.kiosks)));
        let halls: Vec<HallProcess> = (0..a.halls)
            .map(|_| start_hall(&url, &keys, &a.batch_ms))
            .collect();
        let label = format!("PostgreSQL, {} halls", a.halls);
        let label = if a.batch_ms == "0" {
            label
        } else {
            format!("{label}, batch {}", a.batch_ms)
        };
        let commits_before = rt.block_on(commits(&url));
        let mut run = rt.block_on(drive(&a, label, &halls, tokens));
        run.commits = Some(rt.block_on(commits(&url)) - commits_before);
        drop(halls);
        run.stored = rt.block_on(count_applications(&url));
        runs.push(run);
    }
    print(&mut runs, &a);
}
