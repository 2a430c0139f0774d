//! Whether a guesser can tell an unknown tracking code from a known one with a wrong verifier
//! by the time the hall takes to answer: the receipt QR's page (`GET /progress`) and the
//! kiosk's API (`POST /api/v1/progress`), both through `verify_receipt`, in process
//! (`oneshot`, no sockets) against an on-disk SQLite database of `--applications` records.
//! The four kinds of request are interleaved, each from its own client address and each
//! known code at most a few times (below the guessing limiter's thresholds, so every answer
//! is the 404 being timed); p50/p90/p99 and the mean of each are printed, and the gap between
//! the two kinds of wrong pair next to the run-to-run noise (the spread of the means of
//! `--batches` equal slices of the run).
//!
//! `cargo bench -p hall --bench progress_guess -- [--rounds N] [--applications N]`
//! (the figures in `hall/README.md` came from `cargo test --workspace --bench progress_guess`,
//! the dev profile, which runs this same main).

#[path = "support/mod.rs"]
mod support;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::arg;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::{NaiveDate, Utc};
use hall::store::reports::Channel;
use hall::store::sqlite::SqliteStore;
use hall::store::{IdempotencyScope, NewApplication, Store, Written};
use hall::{AppState, Settings};
use http_body_util::BodyExt;
use tower::ServiceExt;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// xorshift64*: reproducible codes without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A well-formed tracking code (`YYMMDD-XXXX-XXXX`).
    fn code(&mut self) -> String {
        let mut s = String::from("261205-");
        for i in 0..8 {
            if i == 4 {
                s.push('-');
            }
            s.push(char::from(ALPHABET[(self.next() % 32) as usize]));
        }
        s
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    PageWrongVerifier,
    PageUnknownCode,
    ApiWrongVerifier,
    ApiUnknownCode,
}

const KINDS: [Kind; 4] = [
    Kind::PageWrongVerifier,
    Kind::PageUnknownCode,
    Kind::ApiWrongVerifier,
    Kind::ApiUnknownCode,
];

fn request(kind: Kind, code: &str, client: u32) -> Request<Body> {
    let peer = SocketAddr::new(IpAddr::V4(Ipv4Addr::from(0x0A00_0000 | client)), 40000);
    let mut req = match kind {
        Kind::PageWrongVerifier | Kind::PageUnknownCode => {
            Request::get(format!("/progress?c={code}&v=AAAAAAAA")).body(Body::empty())
        }
        Kind::ApiWrongVerifier | Kind::ApiUnknownCode => Request::post("/api/v1/progress")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(
                "{{\"trackingCode\":\"{code}\",\"verifier\":\"AAAAAAAA\"}}"
            ))),
    }
    .expect("a request");
    req.extensions_mut().insert(ConnectInfo(peer));
    req
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let rounds = arg("--rounds", 3000);
    let applications = arg("--applications", 2000).max(1);
    let batches = arg("--batches", 6).max(2);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir on disk");
    let db = dir.path().join("bench.db");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let store = Arc::new(SqliteStore::open(&db).expect("open store"));
        let state = AppState::new(store.clone(), hall::crypto::Secrets::generate().expect("keys"), Settings::default())
            .await
            .expect("state");
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut known = Vec::with_capacity(applications);
        for n in 0..applications {
            let id = format!("{n:032x}");
            let code = rng.code();
            let new = NewApplication {
                scope: IdempotencyScope {
                    kiosk_id: "k1".into(),
                    kind: "application",
                    key: format!("bench-{n:08}"),
                    body_mac: [7; 32],
                },
                tracking_code: code.clone(),
                verifier_hash: state.secrets.verifier_hash(&state.secrets.verifier_for(&id)),
                id,
                subject_type: "item",
                subject_code: "GG-000245-001".into(),
                subject_name: "社会保障卡申领".into(),
                catalog_version: "bench".into(),
                applicant_key: [2; 32],
                sealed_payload: vec![0; 64],
                mailed: false,
                reusable_materials: Vec::new(),
                received_at: Utc::now(),
                promised_by: NaiveDate::from_ymd_opt(2026, 12, 25).expect("a date"),
                notify_consent: false,
                channel: Channel::Kiosk,
                partner: None,
                attachments: Vec::new(),
                first_note: None,
            };
            match store.create_application(new).await.expect("store") {
                Written::Created(_) => known.push(code),
                _ => panic!("a duplicate key"),
            }
        }
        let app = hall::router::router(state.clone());
        // Warm the caches and the statement cache first.
        for (i, kind) in KINDS.iter().cycle().take(200).enumerate() {
            let code = if i % 2 == 0 { known[i % known.len()].clone() } else { rng.code() };
            let _ = app.clone().oneshot(request(*kind, &code, 1_000_000 + i as u32)).await;
        }
        let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); KINDS.len()];
        let mut client = 0u32;
        for round in 0..rounds {
            for (k, kind) in KINDS.iter().enumerate() {
                // Each known code twice per pass over them (page and API): below PER_CODE.
                let code = match kind {
                    Kind::PageWrongVerifier | Kind::ApiWrongVerifier => {
                        known[round % known.len()].clone()
                    }
                    _ => rng.code(),
                };
                client += 1;
                let req = request(*kind, &code, client);
                let started = Instant::now();
                let resp = app.clone().oneshot(req).await.expect("an answer");
                let status = resp.status();
                let _ = resp.into_body().collect().await.expect("the body");
                times[k].push(started.elapsed());
                assert_eq!(status, StatusCode::NOT_FOUND, "{kind:?} round {round}");
            }
        }
        println!(
            "progress guesses: {rounds} of each kind, {applications} applications stored, database {}",
            db.display()
        );
        let mut means = Vec::new();
        for (k, kind) in KINDS.iter().enumerate() {
            let per_batch: Vec<f64> = times[k]
                .chunks(rounds.div_ceil(batches))
                .map(|c| c.iter().map(|d| millis(*d)).sum::<f64>() / c.len() as f64)
                .collect();
            let mean = times[k].iter().map(|d| millis(*d)).sum::<f64>() / rounds as f64;
            let mut sorted = times[k].clone();
            sorted.sort();
            let pct = |p: f64| millis(sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]);
            let spread = per_batch.iter().cloned().fold(f64::MIN, f64::max)
                - per_batch.iter().cloned().fold(f64::MAX, f64::min);
            println!(
                "{:<20} mean {:>7.3} ms  p50 {:>7.3}  p90 {:>7.3}  p99 {:>7.3}  (batch means spread {:.3} ms)",
                format!("{kind:?}"),
                mean,
                pct(0.50),
                pct(0.90),
                pct(0.99),
                spread
            );
            means.push(mean);
        }
        println!(
            "wrong verifier − unknown code: page {:+.3} ms, API {:+.3} ms; page − API (unknown code) {:+.3} ms",
            means[0] - means[1],
            means[2] - means[3],
            means[1] - means[3]
        );
    });
}
