//! Shared set-up for the hall's tests: a hall on a temporary SQLite database, credentials,
//! a valid application body, an in-process caller, and a real server on 127.0.0.1:0.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use hall::store::sqlite::SqliteStore;
use hall::store::{PrincipalKind, Store};
use hall::{AppState, Settings};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub mod pg;

/// A made-up ID number with a valid check digit (GB 11643's worked example).
pub const ID_NUMBER: &str = "11010519491231002X";
/// The item most tests apply for: 社会保障卡申领 (mail delivery allowed).
pub const ITEM: &str = "GG-000245-001";

pub struct TestHall {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub store: Arc<SqliteStore>,
    pub state: Arc<AppState>,
}

impl TestHall {
    pub async fn new() -> Self {
        Self::with_settings(Settings::default()).await
    }

    pub async fn with_settings(settings: Settings) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("hall.db");
        let store = Arc::new(SqliteStore::open(&db).expect("open store"));
        let secrets = hall::crypto::Secrets::generate().expect("keys");
        let state = AppState::new(store.clone(), secrets, settings)
            .await
            .expect("state");
        TestHall {
            dir,
            db,
            store,
            state,
        }
    }

    /// Issues a credential and returns the bearer token.
    pub async fn credential(&self, kind: PrincipalKind, id: &str) -> String {
        let issued = hall::auth::issue(kind, id, &format!("测试 {id}")).expect("issue");
        self.store
            .put_principal(issued.principal.clone())
            .await
            .expect("store credential");
        issued.token.to_string()
    }

    pub fn router(&self) -> Router {
        hall::router::router(self.state.clone())
    }

    /// Rows in a table, read through a separate connection.
    pub fn count(&self, table: &str) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).expect("open db");
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .expect("count")
    }

    /// Every table a write could touch, with its row count.
    pub fn written(&self) -> Vec<(&'static str, i64)> {
        [
            "applications",
            "timeline",
            "material_holdings",
            "idempotency",
            "ratings",
            "tickets",
            "bookings",
            "kiosk_state",
        ]
        .into_iter()
        .map(|t| (t, self.count(t)))
        .collect()
    }
}

/// A valid application for [`ITEM`].
pub fn application_body() -> Value {
    json!({
        "subject": {"type": "item", "code": ITEM},
        "catalogVersion": "2024.05-seed.1",
        "applicant": {"idNumber": ID_NUMBER, "name": "张三"},
        "fields": {
            "applicantName": "张三",
            "applicantIdNumber": ID_NUMBER,
            "phone": "13812345678",
            "homeAddress": "浙江省某县城关镇人民路1号",
            "declaration": true
        },
        "materials": [{"code": "photo", "source": "scanned", "pages": 1}],
        "delivery": {"method": "mail", "address": {
            "recipient": "张三", "phone": "13812345678",
            "region": "浙江省某市某县", "detail": "城关镇人民路1号"}},
        "submittedAt": "2024-05-06T01:02:03Z"
    })
}

/// Posts a kiosk's heartbeat and returns the hall's answer (its ack and actions); the hall
/// must take it (200).
pub async fn post_heartbeat(router: &Router, id: &str, token: &str, body: Value) -> Value {
    let (s, _, answer) = call(
        router,
        request(
            "POST",
            &format!("/api/v1/kiosks/{id}/heartbeat"),
            Some(token),
            Some(body),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    answer
}

/// A heartbeat with a printer low on paper.
pub fn heartbeat_body() -> Value {
    json!({
        "sentAt": "2024-05-06T01:02:03Z",
        "uptimeSeconds": 3600,
        "versions": {"kiosk": "0.1.0", "catalog": "2024.05-seed.1"},
        "devices": [
            {"class": "idCardReader", "state": "online"},
            {"class": "receiptPrinter", "state": "online", "paper": "low", "coverOpen": false},
            {"class": "scanner", "state": "hardwareError", "lastErrorCode": "timeout"}
        ],
        "outbox": {"applications": 2, "ratings": 1, "other": 0}
    })
}

/// Builds a request.
pub fn request(method: &str, uri: &str, token: Option<&str>, body: Option<Value>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    match body {
        Some(v) => b
            .header("content-type", "application/json")
            .body(Body::from(v.to_string()))
            .expect("request"),
        None => b.body(Body::empty()).expect("request"),
    }
}

/// Sends a request in-process; returns status, headers and the body as JSON (Null if empty
/// or not JSON).
pub async fn call(router: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let resp = router
        .clone()
        .oneshot(req)
        .await
        .expect("infallible router");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, value)
}

/// A real server on 127.0.0.1:0; stops when the sender is dropped or sent.
pub struct RunningHall {
    pub base: String,
    pub hall: TestHall,
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

pub async fn start() -> RunningHall {
    start_with(Settings::default()).await
}

pub async fn start_with(settings: Settings) -> RunningHall {
    let hall = TestHall::with_settings(settings).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = hall.state.clone();
    let task = tokio::spawn(hall::serve(listener, state, async move {
        let _ = rx.await;
    }));
    RunningHall {
        base,
        hall,
        stop: Some(tx),
        task,
    }
}

/// Treats the first password of a test account as chosen by its owner, so tests that are not
/// about the first sign-in are not sent to the password page (the same store call the page
/// makes, with the hash already stored).
pub async fn password_chosen(store: &SqliteStore, name: &str) {
    use hall::store::staff::StaffStore;
    let hash = store
        .staff_account(name)
        .await
        .expect("account read")
        .expect("account exists")
        .password_hash;
    store
        .choose_staff_password(name, hash, [0; 32])
        .await
        .expect("password chosen");
}

/// What the hall logs, captured by this test binary's one global subscriber (DEBUG and up).
/// Global, not per thread: tracing caches per call site whether anyone listens, and tests on
/// other threads without a subscriber would otherwise switch spans off; and a process has only
/// one global subscriber, so the tests that read logs share it. Other tests' lines land here
/// too: a test looks at its own kiosk's lines, or at every line for what none may carry.
#[derive(Clone, Default)]
pub struct CapturedLog(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

/// The binary's captured log, installed on first use.
pub fn captured_log() -> CapturedLog {
    static LOG: std::sync::OnceLock<CapturedLog> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let log = CapturedLog::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        log
    })
    .clone()
}
