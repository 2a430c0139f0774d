//! Two real `hall serve` processes on one PostgreSQL database (`--db postgresql://…`): a
//! kiosk's delivery and its retry sent to both at once make one application, both answer
//! the same receipt, and either hall finds it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::*;

/// A `hall` process; killed when dropped.
struct Hall {
    child: Child,
    base: String,
}

impl Drop for Hall {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(url: &str, keys: &Path) -> Hall {
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
    assert!(line.contains("db=PostgreSQL"), "{line}");
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
