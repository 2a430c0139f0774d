//! The workbench's pages with a big database: 100,000 applications (spread over the last
//! year; the last 30 days at every stage, older ones finished but for 1 % stuck open) and
//! 20,000 ratings (差评 with their rectification cases), written with direct SQL into a
//! temporary on-disk SQLite database (the report's facts follow by the schema's triggers;
//! sealed payloads are dummy bytes: these pages never unseal them). Each
//! page is requested through the real router in process (`oneshot`, with a real session
//! cookie, so the session check and its write are included) and p50/p99/max are printed.
//! The target is 50 ms p99.
//!
//! `CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16 \
//!  cargo bench -p hall --bench staff_pages -- [--requests N] [--applications N] [--only WORD]`

#[path = "support/mod.rs"]
mod support;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::arg;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration as Days, SecondsFormat, Utc};
use hall::store::sqlite::SqliteStore;
use hall::store::staff::{Role, StaffStore};
use hall::{AppState, Settings};
use http_body_util::BodyExt;
use tower::ServiceExt;

const ID_NUMBER: &str = "11010519491231002X";

/// xorshift64*: reproducible data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn ts(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Fills the database; returns one tracking code to search for.
fn fill(db: &std::path::Path, state: &AppState, applications: usize, ratings: usize) -> String {
    let catalog = state.catalog();
    let items: Vec<(String, String)> = catalog
        .catalog
        .items
        .iter()
        .map(|i| (i.code.clone(), i.name.clone()))
        .collect();
    let version = catalog.catalog.version.clone();
    let known_key = state.secrets.applicant_key(ID_NUMBER);
    let mut conn = rusqlite::Connection::open(db).expect("open db");
    let tx = conn.transaction().expect("transaction");
    let stages = [
        "submitted",
        "accepted",
        "processing",
        "concluded",
        "feedback",
        "revisited",
    ];
    let now = Utc::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rated = 0usize;
    let mut code = String::new();
    {
        let mut app = tx
            .prepare(
                "INSERT INTO applications (id, kiosk_id, tracking_code, verifier_hash,
                     subject_type, subject_code, subject_name, catalog_version, applicant_key,
                     payload, mailed, status, received_at, promised_by, channel)
                 VALUES (?1, ?2, ?3, ?4, 'item', ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, ?12, ?13)",
            )
            .expect("prepare");
        let mut line = tx
            .prepare(
                "INSERT INTO timeline (application_id, seq, status, at) VALUES (?1, ?2, ?3, ?4)",
            )
            .expect("prepare");
        let mut work = tx
            .prepare(
                "INSERT INTO application_work (application_id, accepted_at, due_on, handler)
                 VALUES (?1, ?2, ?3, '承办人')",
            )
            .expect("prepare");
        let mut rating = tx
            .prepare(
                "INSERT INTO ratings (id, application_id, subject_code, level, reasons, body_mac,
                     kiosk_id, rated_at) VALUES (?1, ?2, ?3, ?4, '[]', x'00', ?5, ?6)",
            )
            .expect("prepare");
        let mut case = tx
            .prepare("INSERT INTO rating_cases (rating_id, stage, version) VALUES (?1, ?2, ?3)")
            .expect("prepare");
        let mut step = tx
            .prepare(
                "INSERT INTO followup_steps (subject_id, seq, at, staff, action)
                 VALUES (?1, ?2, ?3, 'desk', 'step')",
            )
            .expect("prepare");
        for n in 0..applications {
            let id = format!("app-{n:08}");
            let (item, name) = &items[rng.below(items.len() as u64) as usize];
            let received = now - Days::seconds(rng.below(365 * 86_400) as i64);
            let kiosk = format!("zizhu-{:02}", rng.below(20));
            let tracking = format!(
                "{}-{:04}-{:04}",
                received.format("%y%m%d"),
                n / 10_000,
                n % 10_000
            );
            if n == applications / 2 {
                code = tracking.clone();
            }
            // Stage reached: 5 % 不予受理; within the last 30 days a sixth each of the
            // stages and some 补正; older ones finished (办结 or later) but for 1 % stuck.
            let roll = rng.below(100);
            let recent = now - received < Days::days(30);
            let (reached, status) = match roll {
                0..=4 => (0, "rejected"),
                5..=9 if recent => (0, "correctionRequired"),
                _ if recent || roll < 11 => {
                    let r = rng.below(6) as usize;
                    (r, stages[r])
                }
                _ => {
                    let r = 3 + rng.below(3) as usize;
                    (r, stages[r])
                }
            };
            let channel = match rng.below(10) {
                0 => "department",
                1 | 2 => "counter",
                _ => "kiosk",
            };
            let key: Vec<u8> = if n % 20_000 == 7 {
                known_key.to_vec()
            } else {
                rng.next().to_le_bytes().repeat(4)
            };
            app.execute(rusqlite::params![
                id,
                kiosk,
                tracking,
                [0u8; 32].to_vec(),
                item,
                name,
                version,
                key,
                [0u8; 64].to_vec(),
                status,
                ts(received),
                (received + Days::days(20)).format("%Y-%m-%d").to_string(),
                channel,
            ])
            .expect("application");
            let mut at = received;
            let mut done_at = None;
            for (seq, stage) in stages.iter().enumerate().take(reached + 1) {
                if seq > 0 {
                    at += Days::hours(2 + rng.below(96) as i64);
                }
                line.execute(rusqlite::params![id, seq as i64 + 1, stage, ts(at)])
                    .expect("timeline");
                if *stage == "concluded" {
                    done_at = Some(at);
                }
            }
            if status == "rejected" || status == "correctionRequired" {
                line.execute(rusqlite::params![
                    id,
                    2,
                    status,
                    ts(received + Days::hours(3))
                ])
                .expect("timeline");
            }
            if reached >= 1 {
                let accepted = received + Days::hours(1);
                let due = (accepted + Days::days(3 + rng.below(12) as i64))
                    .format("%Y-%m-%d")
                    .to_string();
                work.execute(rusqlite::params![id, ts(accepted), due])
                    .expect("work");
            }
            if let Some(done) = done_at {
                if rated < ratings {
                    let level = 1 + rng.below(5) as i64;
                    rating
                        .execute(rusqlite::params![
                            format!("rt-{n:08}"),
                            id,
                            item,
                            level,
                            kiosk,
                            ts(done + Days::hours(5))
                        ])
                        .expect("rating");
                    rated += 1;
                    if level <= 2 {
                        // Its 差评 case: most closed (核实, 整改) within about three weeks.
                        let rid = format!("rt-{n:08}");
                        let closed = rng.below(10) < 8;
                        case.execute(rusqlite::params![
                            rid,
                            if closed { "closed" } else { "rectify" },
                            if closed { 2 } else { 1 }
                        ])
                        .expect("case");
                        for seq in 1..=(if closed { 2 } else { 1 }) {
                            let at = done + Days::days(seq * (2 + rng.below(12) as i64));
                            step.execute(rusqlite::params![rid, seq, ts(at)])
                                .expect("case step");
                        }
                    }
                }
            }
        }
    }
    tx.commit().expect("commit");
    // ANALYZE as a running hall's database would have it, and the bulk load's write-ahead
    // log folded into the file (a running hall checkpoints every 1000 pages).
    conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("analyze");
    assert_eq!(rated, ratings, "enough concluded applications to rate");
    code
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let requests = arg("--requests", 300);
    let applications = arg("--applications", 100_000);
    let ratings = arg("--ratings", 20_000).min(applications / 3);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir on disk");
    let db = dir.path().join("staff-bench.db");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let store = Arc::new(SqliteStore::open(&db).expect("open store"));
        let secrets = hall::crypto::Secrets::generate().expect("keys");
        let state = AppState::new(store.clone(), secrets, Settings::default())
            .await
            .expect("state");
        let started = Instant::now();
        let code = fill(&db, &state, applications, ratings);
        println!(
            "staff pages: {applications} applications, {ratings} ratings written in {:.1} s ({})",
            started.elapsed().as_secs_f64(),
            db.display()
        );
        hall::staff::auth::add_account(store.as_ref(), "sup", Role::Supervisor, &[], "督查")
            .await
            .expect("account");
        let hash = store
            .staff_account("sup")
            .await
            .expect("account read")
            .expect("account")
            .password_hash;
        // As if the supervisor had replaced the first password (else every page redirects).
        store
            .choose_staff_password("sup", hash, [0; 32])
            .await
            .expect("password chosen");
        let token = "b".repeat(64);
        let csrf = "bench-csrf-token".to_owned();
        store
            .open_staff_session(
                "sup",
                hall::crypto::sha256(token.as_bytes()),
                csrf.clone(),
                Utc::now(),
                chrono::Duration::hours(8),
            )
            .await
            .expect("session");
        let cookie = format!("hall_staff={token}");
        let app = hall::router::router(state.clone());
        let today = hall::state::today_local().format("%Y-%m-%d");
        // A whole month (the current one may have just begun).
        let last_month = (hall::state::today_local() - Days::days(31)).format("%Y-%m-%d");
        let pages: Vec<(&str, String, Option<String>, StatusCode)> = vec![
            ("inbox new", "/staff/inbox/new".into(), None, StatusCode::OK),
            (
                "inbox overdue",
                "/staff/inbox/overdue".into(),
                None,
                StatusCode::OK,
            ),
            (
                "inbox due-soon",
                "/staff/inbox/due-soon".into(),
                None,
                StatusCode::OK,
            ),
            (
                "inbox accepted",
                "/staff/inbox/accepted".into(),
                None,
                StatusCode::OK,
            ),
            (
                "inbox processing",
                "/staff/inbox/processing".into(),
                None,
                StatusCode::OK,
            ),
            (
                "inbox correction",
                "/staff/inbox/correction".into(),
                None,
                StatusCode::OK,
            ),
            (
                "inbox concluded",
                "/staff/inbox/concluded".into(),
                None,
                StatusCode::OK,
            ),
            (
                "inbox callback",
                "/staff/inbox/callback".into(),
                None,
                StatusCode::OK,
            ),
            (
                "search code",
                "/staff/search".into(),
                Some(format!("csrf={csrf}&q={code}")),
                StatusCode::SEE_OTHER,
            ),
            (
                "search ID number",
                "/staff/search".into(),
                Some(format!("csrf={csrf}&q={ID_NUMBER}")),
                StatusCode::OK,
            ),
            (
                "report day",
                format!("/staff/reports?period=day&date={today}"),
                None,
                StatusCode::OK,
            ),
            (
                "report week",
                format!("/staff/reports?period=week&date={today}"),
                None,
                StatusCode::OK,
            ),
            (
                "report month",
                format!("/staff/reports?period=month&date={today}"),
                None,
                StatusCode::OK,
            ),
            (
                "report last month",
                format!("/staff/reports?period=month&date={last_month}"),
                None,
                StatusCode::OK,
            ),
            (
                "report month CSV",
                format!("/staff/reports/departments.csv?period=month&date={today}"),
                None,
                StatusCode::OK,
            ),
        ];
        println!("{requests} requests per page, one at a time, in process through the router");
        println!(
            "{:<20} {:>9} {:>9} {:>9} {:>9}",
            "page", "p50 ms", "p99 ms", "max ms", "bytes"
        );
        let mut worst = Duration::ZERO;
        // `--only WORD`: just the pages whose name contains it.
        let only = std::env::args()
            .skip_while(|a| a != "--only")
            .nth(1)
            .unwrap_or_default();
        for (name, uri, form, want) in pages.iter().filter(|p| p.0.contains(only.as_str())) {
            let mut times = Vec::with_capacity(requests);
            let mut bytes = 0;
            for _ in 0..requests {
                let req = match form {
                    None => Request::get(uri.as_str())
                        .header(header::COOKIE, &cookie)
                        .body(Body::empty()),
                    Some(f) => Request::post(uri.as_str())
                        .header(header::COOKIE, &cookie)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from(f.clone())),
                }
                .expect("request");
                let t = Instant::now();
                let resp = app.clone().oneshot(req).await.expect("infallible router");
                let status = resp.status();
                let body = resp.into_body().collect().await.expect("body").to_bytes();
                times.push(t.elapsed());
                assert_eq!(status, *want, "{name}: {}", String::from_utf8_lossy(&body));
                bytes = body.len();
            }
            times.sort();
            let p99 = percentile(&times, 0.99);
            worst = worst.max(p99);
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "{:<20} {:>9.2} {:>9.2} {:>9.2} {:>9}",
                name,
                ms(percentile(&times, 0.5)),
                ms(p99),
                ms(times[times.len() - 1]),
                bytes
            );
        }
        println!(
            "worst p99 {:.2} ms (target 50 ms): {}",
            worst.as_secs_f64() * 1000.0,
            if worst <= Duration::from_millis(50) {
                "met"
            } else {
                "NOT met"
            }
        );
        store.close();
    });
    if std::env::var_os("STAFF_BENCH_KEEP").is_some() {
        println!("kept {}", dir.keep().display());
    }
}
