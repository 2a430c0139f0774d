//! The two-hall test's harness: `hall` processes on fixed loopback ports with their logs
//! kept across restarts, the CLI, database reads, request bodies, and a proxy that loses
//! one answer.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::{ID_NUMBER, LOCAL_ITEM, NAME};

pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(super) fn cli(db: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_hall"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "hall {args:?}: {out:?}");
    out
}

pub(super) fn token(out: &Output) -> String {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .trim()
        .to_owned()
}

/// A `hall serve` process on a fixed port; its log lines go to `log` (kept across restarts).
pub(super) struct Hall {
    child: Child,
    pub(super) base: String,
}

impl Hall {
    pub(super) fn start(
        db: &Path,
        port: u16,
        notify: Option<&Path>,
        log: &Arc<Mutex<Vec<String>>>,
    ) -> Hall {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hall"));
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--db"])
            .arg(db)
            .env("RUST_LOG", "info")
            .env("HALL_PARTNER_POLL", "0.2")
            .env("HALL_PARTNER_RETRY_FIRST", "0.1")
            .env("HALL_PARTNER_RETRY_MAX", "0.4")
            .env("HALL_PARTNER_UNREACHABLE_AFTER", "0.5")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(cfg) = notify {
            cmd.arg("--notify-config").arg(cfg);
        }
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("hall listening") {
                    let _ = tx.send(());
                }
                sink.lock().unwrap().push(line);
            }
        });
        rx.recv_timeout(Duration::from_secs(60))
            .expect("hall did not start");
        Hall {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// SIGKILL: no clean shutdown.
    pub(super) fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Hall {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` until it returns `Some`, for at most 30 s.
pub(super) async fn wait_for<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    for _ in 0..600 {
        if let Some(v) = check() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within 30 s");
}

pub(super) fn query(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Null => "NULL".into(),
                    other => format!("{other:?}"),
                })
            })
            .collect()
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

pub(super) fn application(item: &str, handled_by: Option<&str>) -> Value {
    let mut v = json!({
        "subject": {"type": "item", "code": item},
        "catalogVersion": "seed",
        "applicant": {"idNumber": ID_NUMBER, "name": NAME},
        "fields": {
            "applicantName": NAME,
            "applicantIdNumber": ID_NUMBER,
            "phone": "13812345678",
            "reason": "expired",
            "declaration": true
        },
        "delivery": {"method": "pickUp"},
        "submittedAt": "2026-12-04T01:02:03Z",
        "notifyConsent": true
    });
    if item == LOCAL_ITEM {
        v["fields"].as_object_mut().unwrap().remove("reason");
    }
    if let Some(code) = handled_by {
        v["handledBy"] = json!(code);
    }
    v
}

/// The notifier of hall A: citizen notices to an SMS gateway webhook that is not there (the
/// queue rows are what this test looks at).
pub(super) fn notify_config(dir: &Path) -> PathBuf {
    let port = free_port();
    let path = dir.join("notify.toml");
    std::fs::write(
        &path,
        format!(
            "base_url = \"http://hall-a.example\"\n\
             [retry]\nfirst_seconds = 30\nmax_seconds = 60\ngive_up_after = 1000\n\
             [worker]\npoll_seconds = 0.2\nlease_seconds = 3\n\
             [[webhook]]\nname = \"sms\"\nurl = \"http://127.0.0.1:{port}/sms\"\n\
             secret = \"0123456789abcdef0123456789abcdef\"\ntimeout_seconds = 1\n\
             events = [\"citizen.accepted\", \"citizen.correctionRequired\", \"citizen.concluded\"]\n"
        ),
    )
    .unwrap();
    path
}

/// A TCP proxy to B that relays the first connection's request, throws B's answer away and
/// closes; then drops every connection until `open`, then relays both ways.
pub(super) struct LossyProxy {
    state: Arc<std::sync::atomic::AtomicU8>,
    task: tokio::task::JoinHandle<()>,
}

const FIRST: u8 = 0;
const DROPPED: u8 = 1;
const OPEN: u8 = 2;

impl LossyProxy {
    pub(super) async fn start(port: u16, to: u16) -> LossyProxy {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let state = Arc::new(std::sync::atomic::AtomicU8::new(FIRST));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let mode = state.load(Ordering::SeqCst);
                    if mode == DROPPED {
                        return;
                    }
                    let Ok(mut server) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await
                    else {
                        return;
                    };
                    if mode == OPEN {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        return;
                    }
                    // The first request: relay until B starts answering, then hang up.
                    let (mut cr, _cw) = client.split();
                    let (mut sr, mut sw) = server.split();
                    let relay = async {
                        let mut buf = [0u8; 16 * 1024];
                        while let Ok(n) = cr.read(&mut buf).await {
                            if n == 0 || sw.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    };
                    let mut answer = [0u8; 1];
                    tokio::select! {
                        _ = relay => {}
                        r = sr.read(&mut answer) => {
                            if matches!(r, Ok(1)) {
                                state.store(DROPPED, Ordering::SeqCst);
                            }
                        }
                    }
                });
            }
        });
        LossyProxy { state, task }
    }

    pub(super) fn dropped(&self) -> bool {
        self.state.load(std::sync::atomic::Ordering::SeqCst) == DROPPED
    }

    pub(super) fn open(&self) {
        self.state.store(OPEN, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
