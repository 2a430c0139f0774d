//! The real hall backend (the `hall` crate: axum + SQLite), served in-process on loopback,
//! stoppable and restartable on the same database, keys and address, and read back through
//! its SQLite file to count what arrived per idempotency key.
//!
//! Self-contained (no other support module) so the drain benchmark can include it by path.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hall::store::sqlite::SqliteStore;
use hall::store::{PrincipalKind, Store};
use hall::{AppState, Settings};

/// The id of the kiosk every test submits as.
pub const KIOSK_ID: &str = "kiosk-exactly-once";

struct Serving {
    store: Arc<SqliteStore>,
    state: Arc<AppState>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// A hall on loopback with its database in a folder of the caller's.
pub struct LoopbackHall {
    db: PathBuf,
    keys: PathBuf,
    /// Where it listens (the same address across restarts).
    pub addr: SocketAddr,
    serving: Option<Serving>,
}

impl std::fmt::Debug for LoopbackHall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackHall")
            .field("db", &self.db)
            .field("addr", &self.addr)
            .field("serving", &self.serving.is_some())
            .finish()
    }
}

async fn bind(addr: SocketAddr) -> tokio::net::TcpListener {
    // The old listener is closed by now; retry briefly in case the kernel is slow to let go.
    for _ in 0..50 {
        if let Ok(listener) = tokio::net::TcpListener::bind(addr).await {
            return listener;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot bind the hall to {addr} again");
}

impl LoopbackHall {
    /// Starts a hall on 127.0.0.1:0 with a new database in `dir`.
    pub async fn start(dir: &Path) -> Self {
        let mut hall = LoopbackHall {
            db: dir.join("hall.db"),
            keys: dir.join("hall.db.keys"),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            serving: None,
        };
        hall.serve().await;
        hall
    }

    async fn serve(&mut self) {
        let secrets = hall::crypto::Secrets::load_or_create(&self.keys).expect("hall keys");
        let store = Arc::new(SqliteStore::open(&self.db).expect("open the hall database"));
        let state = AppState::new(store.clone(), secrets, Settings::default())
            .await
            .expect("hall state");
        let listener = bind(self.addr).await;
        self.addr = listener.local_addr().expect("hall address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(hall::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        self.serving = Some(Serving {
            store,
            state,
            stop,
            task,
        });
    }

    /// Stops the hall (requests in flight finish, the writer commits) and closes its store.
    pub async fn stop(&mut self) {
        if let Some(serving) = self.serving.take() {
            let _ = serving.stop.send(());
            let _ = serving.task.await;
            let store = serving.store;
            tokio::task::spawn_blocking(move || store.close())
                .await
                .expect("close the hall store");
        }
    }

    /// Starts it again on the same database, keys and address.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.serve().await;
    }

    /// Issues this kiosk's credential and writes it (owner-only) to `file`.
    pub async fn kiosk_credential(&self, file: &Path) {
        let serving = self.serving.as_ref().expect("the hall is running");
        let issued = hall::auth::issue(PrincipalKind::Kiosk, KIOSK_ID, "exactly-once tests")
            .expect("issue a credential");
        serving
            .store
            .put_principal(issued.principal.clone())
            .await
            .expect("store the credential");
        std::fs::write(file, issued.token.as_bytes()).expect("write the credential file");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .expect("chmod the credential file");
    }

    /// Issues a staff credential (for `/api/v1/applications/{id}/details`) and returns its
    /// bearer token.
    pub async fn staff_token(&self) -> String {
        let serving = self.serving.as_ref().expect("the hall is running");
        let issued = hall::auth::issue(PrincipalKind::Staff, "staff-uploads", "upload tests")
            .expect("issue a credential");
        serving
            .store
            .put_principal(issued.principal.clone())
            .await
            .expect("store the credential");
        issued.token.to_string()
    }

    /// Staff work an application through 受理 → 承办 → 办结 and attach a result document
    /// (as the workbench's form does after its checks); returns the document's id.
    pub async fn conclude_with_result(
        &self,
        application_id: &str,
        title: &str,
        copies: u32,
        pdf: &[u8],
    ) -> String {
        use hall_api::application::{Status, TimelineEntry};
        let serving = self.serving.as_ref().expect("the hall is running");
        for status in [Status::Accepted, Status::Processing, Status::Concluded] {
            let entry = TimelineEntry {
                status,
                at: chrono::Utc::now(),
                note: None,
            };
            let moved = serving
                .store
                .move_status(application_id, entry)
                .await
                .expect("move the application");
            assert!(matches!(moved, hall::store::Moved::Done(_)), "{moved:?}");
        }
        hall::staff::files::store_result_document(
            &serving.state,
            application_id,
            "reviewer-li",
            title,
            copies,
            pdf,
        )
        .await
        .expect("attach the result document")
    }

    /// Each print of the hall's result documents: (copy, kiosk, failure if given back).
    pub fn prints(&self) -> Vec<(i64, String, Option<String>)> {
        let conn = rusqlite::Connection::open(&self.db).expect("open the hall database");
        conn.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        let mut stmt = conn
            .prepare("SELECT copy, kiosk_id, failure FROM result_prints ORDER BY copy")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows")
    }

    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// What the hall holds for the test kiosk, read from its database.
    pub fn arrivals(&self) -> Arrivals {
        let conn = rusqlite::Connection::open(&self.db).expect("open the hall database");
        conn.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        let mut stmt = conn
            .prepare(
                "SELECT i.key, (SELECT COUNT(*) FROM applications a WHERE a.id = i.resource_id)
                 FROM idempotency i WHERE i.kind = 'application' AND i.kiosk_id = ?1",
            )
            .expect("prepare");
        let by_key = stmt
            .query_map([KIOSK_ID], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<HashMap<String, u32>, _>>()
            .expect("rows");
        let rows: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM applications WHERE kiosk_id = ?1",
                [KIOSK_ID],
                |r| r.get(0),
            )
            .expect("count applications");
        Arrivals {
            by_key,
            application_rows: u64::try_from(rows).expect("a count"),
        }
    }
}

/// The applications the hall holds for the test kiosk.
#[derive(Debug)]
pub struct Arrivals {
    /// Idempotency key → application rows it points to (1 when stored once).
    pub by_key: HashMap<String, u32>,
    /// All application rows of the kiosk (more than the keys means one was stored twice).
    pub application_rows: u64,
}

impl Arrivals {
    /// Panics unless every key in `expected` arrived exactly once and nothing else arrived.
    pub fn assert_exactly(&self, expected: &[String]) {
        let missing: Vec<&String> = expected
            .iter()
            .filter(|k| !self.by_key.contains_key(*k))
            .collect();
        assert!(
            missing.is_empty(),
            "{} applications never arrived, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        self.assert_each_once();
        assert_eq!(
            self.by_key.len(),
            expected.len(),
            "the hall holds applications that were never submitted"
        );
    }

    /// Panics if any key maps to other than one application or any row has no key.
    pub fn assert_each_once(&self) {
        let odd: Vec<(&String, &u32)> = self.by_key.iter().filter(|(_, n)| **n != 1).collect();
        assert!(odd.is_empty(), "keys not stored exactly once: {odd:?}");
        assert_eq!(
            self.application_rows,
            self.by_key.len() as u64,
            "application rows and idempotency keys differ: an application was stored twice"
        );
    }
}

/// A valid application for the seed catalog's 社会保障卡申领 (made-up applicant).
pub fn application_body(n: usize) -> Vec<u8> {
    let id_number = "11010519491231002X";
    serde_json::json!({
        "subject": {"type": "item", "code": "GG-000245-001"},
        "catalogVersion": "2024.05-seed.1",
        "applicant": {"idNumber": id_number, "name": "张三"},
        "fields": {
            "applicantName": "张三",
            "applicantIdNumber": id_number,
            "phone": "13812345678",
            "homeAddress": format!("浙江省某县城关镇人民路{}号", n % 999 + 1),
            "declaration": true
        },
        "materials": [{"code": "photo", "source": "scanned", "pages": 1}],
        "delivery": {"method": "pickUp"},
        "submittedAt": "2024-05-06T01:02:03Z"
    })
    .to_string()
    .into_bytes()
}
