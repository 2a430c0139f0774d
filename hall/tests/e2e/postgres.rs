//! Two real `hall serve` processes on one PostgreSQL database (`--db postgresql://…`): a
//! kiosk's delivery and its retry sent to both at once make one application, both answer
//! the same receipt, and either hall finds it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::*;

/// A `hall` process; killed when dropped.
pub(super) struct Hall {
    pub(super) child: Child,
    pub(super) base: String,
}

impl Drop for Hall {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(url: &str, keys: &Path) -> Hall {
    serve_with(url, keys, &[])
}

/// `hall serve` on `url` with more arguments (`--notify-config …`).
pub(super) fn serve_with(url: &str, keys: &Path, more: &[&std::ffi::OsStr]) -> Hall {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hall"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--db",
            url,
            "--key-file",
        ])
        .arg(keys)
        .args(more)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("two-hall test");
    let stderr = child.stderr.take().expect("two-hall test");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            assert!(
                !line.contains("postgresql://"),
                "the connection string is not logged"
            );
            if line.contains("hall listening") {
                let _ = tx.send(line);
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("hall did not start");
    if url.starts_with("postgres") {
        assert!(line.contains("db=PostgreSQL"), "{line}");
    }
    let addr = line
        .split("addr=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("two-hall test")
        .to_owned();
    Hall {
        child,
        base: format!("http://{addr}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_halls_on_one_postgresql_take_a_duplicated_delivery_once() {
    let url = common::pg::fresh_database().await;
    let dir = tempfile::tempdir().expect("two-hall test");
    let keys = dir.path().join("hall.keys");
    let without_keys = Command::new(env!("CARGO_BIN_EXE_hall"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", &url])
        .output()
        .expect("two-hall test");
    assert!(
        !without_keys.status.success(),
        "a PostgreSQL hall needs --key-file"
    );
    assert!(String::from_utf8_lossy(&without_keys.stderr).contains("--key-file"));
    let out = Command::new(env!("CARGO_BIN_EXE_hall"))
        .args([
            "kiosk",
            "add",
            "k1",
            "--label",
            "城关镇便民服务中心 1号机",
            "--db",
            &url,
        ])
        .arg("--key-file")
        .arg(&keys)
        .output()
        .expect("two-hall test");
    assert!(out.status.success(), "{out:?}");
    let token = String::from_utf8(out.stdout)
        .expect("two-hall test")
        .trim()
        .to_owned();
    let (a, b) = (serve(&url, &keys), serve(&url, &keys));
    let http = client();
    let post = |base: &str, key: &str| {
        http.post(format!("{base}/api/v1/applications"))
            .bearer_auth(&token)
            .header("idempotency-key", key)
            .json(&application_body())
            .send()
    };
    for i in 0..5 {
        let key = format!("dup-{i:08}");
        let (ra, rb) = tokio::join!(post(&a.base, &key), post(&b.base, &key));
        let (ra, rb) = (ra.expect("two-hall test"), rb.expect("two-hall test"));
        assert_eq!(
            (ra.status(), rb.status()),
            (StatusCode::CREATED, StatusCode::CREATED)
        );
        let replayed = [&ra, &rb]
            .iter()
            .filter(|r| r.headers().get("idempotent-replayed").is_some())
            .count();
        assert_eq!(replayed, 1, "one hall stored it, the other replayed it");
        let (ja, jb): (Value, Value) = (
            ra.json().await.expect("two-hall test"),
            rb.json().await.expect("two-hall test"),
        );
        assert_eq!(ja, jb, "the same receipt from both halls");
    }
    let (client_pg, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("two-hall test");
    tokio::spawn(connection);
    let n: i64 = client_pg
        .query_one("SELECT COUNT(*) FROM applications", &[])
        .await
        .expect("two-hall test")
        .get(0);
    assert_eq!(n, 5);
}

fn issue(what: &[&str], url: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hall"))
        .args(what)
        .args(["--db", url])
        .output()
        .expect("run hall");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

/// The citizen's whole path with every step sent to either of two halls on one database:
/// taken in at one, looked up, moved, opened and rated at both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_path_works_across_two_halls_on_postgresql() {
    let url = common::pg::fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("hall.keys");
    let kiosk = issue(&["kiosk", "add", "k1"], &url);
    let staff = issue(&["staff", "add", "clerk"], &url);
    let halls = [serve(&url, &keys), serve(&url, &keys)];
    let base = |i: usize| halls[i % 2].base.clone();
    let http = client();

    let hb = http
        .post(format!("{}/api/v1/kiosks/k1/heartbeat", base(0)))
        .bearer_auth(&kiosk)
        .json(&heartbeat_body())
        .send()
        .await
        .unwrap();
    assert_eq!(hb.status(), StatusCode::OK);
    let resp = http
        .post(format!("{}/api/v1/applications", base(0)))
        .bearer_auth(&kiosk)
        .header("idempotency-key", "e2e-bundle-0001")
        .json(&newborn_bundle_body())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let receipt: Value = resp.json().await.unwrap();
    let code = receipt["trackingCode"].as_str().unwrap().to_owned();
    let verifier = receipt["verifier"].as_str().unwrap().to_owned();
    let id = receipt["id"].as_str().unwrap().to_owned();

    let held: Value = http
        .post(format!("{}/api/v1/materials/reusable", base(1)))
        .bearer_auth(&kiosk)
        .json(&json!({"idNumber": ID_NUMBER}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        held["materials"].as_array().map(Vec::len),
        Some(2),
        "{held}"
    );

    for (i, to) in ["accepted", "processing", "concluded"]
        .into_iter()
        .enumerate()
    {
        let moved = http
            .post(format!("{}/api/v1/applications/{id}/status", base(i + 1)))
            .bearer_auth(&staff)
            .json(&json!({"to": to, "note": null}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            moved.status(),
            StatusCode::OK,
            "{to} at hall {}",
            (i + 1) % 2
        );
    }
    let stale = http
        .post(format!("{}/api/v1/applications/{id}/status", base(0)))
        .bearer_auth(&staff)
        .json(&json!({"to": "accepted", "note": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status(),
        StatusCode::CONFLICT,
        "the other hall sees the moves"
    );
    let d: Value = http
        .get(format!("{}/api/v1/applications/{id}/details", base(1)))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        d["fields"]["childName"], "张小三",
        "sealed at one hall, opened at the other"
    );
    for i in 0..2 {
        let p: Value = http
            .post(format!("{}/api/v1/progress", base(i)))
            .json(&json!({"trackingCode": code, "verifier": verifier}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(p["status"], "concluded", "hall {i}");
        assert_eq!(p["timeline"].as_array().map(Vec::len), Some(4));
    }
    let rating = json!({"trackingCode": code, "verifier": verifier, "level": 2,
        "reasons": ["tooSlow"], "comment": "等了很久", "contact": {"phone": "13812345678"}});
    let rate = |i: usize, body: Value| {
        http.post(format!("{}/api/v1/ratings", base(i)))
            .bearer_auth(&kiosk)
            .json(&body)
            .send()
    };
    let r1 = rate(0, rating.clone()).await.unwrap();
    assert_eq!(r1.status(), StatusCode::CREATED);
    let r1: Value = r1.json().await.unwrap();
    let r2: Value = rate(1, rating.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(r2["id"], r1["id"], "the retry at the other hall replays");
    let mut other = rating;
    other["level"] = json!(5);
    other["reasons"] = json!([]);
    other["contact"] = Value::Null;
    assert_eq!(rate(1, other).await.unwrap().status(), StatusCode::CONFLICT);
}
